"""Reading rule packs from disk: the files live in policies/packs, the rules stay pure.

``policies.rules`` parses and checks a pack from data; this module reads the YAML files
(the packs and the timescale inventory) and hands the data over.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

import yaml

import policies
from adapters.commencement import COMMENCEMENTS_VARIABLE, commencement_dates
from policies.rules import (
    Pack,
    PackError,
    PackSet,
    check_inventory,
    commence,
    parse_pack,
    uncovered_items,
)

PACKS_DIR = Path(policies.__file__).resolve().parent / "packs"


def load_pack(path: str | Path) -> Pack:
    """Read and validate one pack file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PackError(str(path), None, None, f"cannot read: {error.strerror}") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise PackError(path.name, None, None, f"not valid YAML: {error}") from None
    pack = parse_pack(raw, path.name)
    check_inventory(pack, set(inventory_ids(pack.pack, path.parent / "inventory")), path.name)
    return pack


def inventory_ids(pack_id: str, folder: str | Path | None = None) -> list[str]:
    """The ids of the timescales inventoried for ``pack_id`` (empty when there is no inventory)."""
    base = Path(folder) if folder is not None else PACKS_DIR / "inventory"
    file = base / f"{pack_id}.yaml"
    if not file.exists():
        return []
    items = yaml.safe_load(file.read_text(encoding="utf-8")) or []
    return [str(item["id"]) for item in items if isinstance(item, dict) and "id" in item]


def uncovered(pack: Pack, folder: str | Path | None = None) -> list[str]:
    """Inventoried timescales of ``pack`` neither encoded by a rule nor listed in not_encoded."""
    return uncovered_items(pack, inventory_ids(pack.pack, folder))


def load_packs(
    directory: str | Path | None = None, commencements: Mapping[str, date] | None = None
) -> PackSet:
    """Every ``*.yaml`` pack in ``directory`` (default: the packs shipped in policies/packs).

    Rules awaiting a provision's commencement get its date from ``commencements`` (default:
    ``$CASELEDGER_COMMENCEMENTS``, see adapters/commencement.py); without one they stay off.
    """
    folder = Path(directory) if directory is not None else PACKS_DIR
    packs = PackSet.of(load_pack(path) for path in sorted(folder.glob("*.yaml")))
    if commencements is not None:
        return commence(packs, commencements)
    try:
        return commence(packs, commencement_dates())
    except PackError as error:  # name the variable the unknown key came from
        raise PackError(COMMENCEMENTS_VARIABLE, None, error.field, error.message) from None
