"""Reading rule packs from disk: the files live in policies/packs, the rules stay pure.

``policies.rules`` parses and checks a pack from data; this module reads the YAML files
(the packs and the timescale inventory) and hands the data over.

:func:`load_packs` parses a folder once per process: the compiled packs are kept keyed by the
SHA-256 of every file they were read from, so a later call parses again only when a file
changed. A file whose size, inode and modification time are those it had when hashed is not
read again (a request of ``serve`` asks for the packs each time: hashing every file was 10%
of a deadlines request). YAML is parsed with libyaml's loader when
PyYAML was built with it (the pure-Python scanner took most of the time).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Hashable, Mapping
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

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_COMPILED: dict[Path, tuple[tuple[tuple[str, str], ...], PackSet]] = {}
"""Per folder, the compiled pack set and the (file, SHA-256) of every file it was read from
(one entry per folder: a changed file replaces it)."""


def _load_yaml(text: str) -> object:
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader (libyaml's or PyYAML's)


def load_pack(path: str | Path) -> Pack:
    """Read and validate one pack file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PackError(str(path), None, None, f"cannot read: {error.strerror}") from None
    try:
        raw = _load_yaml(text)
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
    items = _load_yaml(file.read_text(encoding="utf-8")) or []
    if not isinstance(items, list):
        return []
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
    files = sorted(folder.glob("*.yaml"))
    key = _content_key(files + sorted((folder / "inventory").glob("*.yaml")))
    where = folder.resolve()
    cached = _COMPILED.get(where)
    if cached is not None and cached[0] == key:
        compiled = cached[1]
    else:
        compiled = PackSet.of(load_pack(path) for path in files)
        _COMPILED[where] = (key, compiled)
    # a copy of the version lists: a caller that adds a pack does not change the cached set
    packs = PackSet(versions={pack: list(found) for pack, found in compiled.versions.items()})
    if commencements is not None:
        return commence(packs, commencements)
    try:
        return commence(packs, commencement_dates())
    except PackError as error:  # name the variable the unknown key came from
        raise PackError(COMMENCEMENTS_VARIABLE, None, error.field, error.message) from None


def packs_key(directory: str | Path | None = None) -> Hashable:
    """What :func:`load_packs` of ``directory`` (commencements from the environment) loads
    now, as a key: the folder, every pack file's content hash and the commencement dates. A
    reader that keeps what it judged with the packs keys it by this."""
    folder = Path(directory) if directory is not None else PACKS_DIR
    files = sorted(folder.glob("*.yaml")) + sorted((folder / "inventory").glob("*.yaml"))
    return (
        str(folder.resolve()),
        _content_key(files),
        os.environ.get(COMMENCEMENTS_VARIABLE, ""),
    )


_HASHED: dict[Path, tuple[tuple[int, int, int, int], str, str]] = {}
"""Per file, the (device, inode, size, mtime in ns) it had when last hashed, its resolved
path and the hash."""


def _content_key(files: list[Path]) -> tuple[tuple[str, str], ...]:
    """Each file's path and the SHA-256 of its bytes (unreadable files: load_pack says why)."""
    key: list[tuple[str, str]] = []
    for path in files:
        try:
            found = path.stat()
            seen = (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns)
            known = _HASHED.get(path)
            if known is None or known[0] != seen:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                known = _HASHED[path] = (seen, str(path.resolve()), digest)
            key.append((known[1], known[2]))
        except OSError:
            key.append((str(path.resolve()), ""))
    return tuple(key)
