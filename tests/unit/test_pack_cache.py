"""Packs are parsed once per process and again only when a file's bytes change."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

import adapters.packs as packs_module
from adapters.packs import PACKS_DIR, load_packs
from policies.rules import Pack


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copy = tmp_path / "packs"
    shutil.copytree(PACKS_DIR, copy, ignore=shutil.ignore_patterns("README.md"))
    return copy


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The file names parse_pack is called for."""
    seen: list[str] = []
    real = packs_module.parse_pack

    def counting(raw: Any, file: str) -> Pack:
        seen.append(file)
        return real(raw, file)

    monkeypatch.setattr(packs_module, "parse_pack", counting)
    return seen


def test_a_second_load_parses_nothing_and_gives_the_same_packs(
    folder: Path, parses: list[str]
) -> None:
    first = load_packs(folder)
    assert sorted(parses) == sorted(p.name for p in folder.glob("*.yaml"))
    second = load_packs(folder)
    assert len(parses) == len(list(folder.glob("*.yaml")))
    assert second.versions == first.versions and second.ids() == first.ids()


def test_a_changed_pack_or_inventory_file_is_parsed_again(folder: Path, parses: list[str]) -> None:
    load_packs(folder)
    york = folder / "york.yaml"
    york.write_text(
        york.read_text(encoding="utf-8").replace(
            "pack: york", "pack: york\n# a comment changes the bytes", 1
        ),
        encoding="utf-8",
    )
    parses.clear()
    load_packs(folder)
    assert len(parses) == len(list(folder.glob("*.yaml")))  # the whole set, recompiled
    parses.clear()
    inventory = folder / "inventory" / "york.yaml"
    inventory.write_text(inventory.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    load_packs(folder)
    assert parses


def test_a_title_edited_on_disk_shows_at_the_next_load(folder: Path) -> None:
    before = load_packs(folder).latest("york").rules[0].title
    york = folder / "york.yaml"
    york.write_text(
        york.read_text(encoding="utf-8").replace(f"title: {before}", "title: Edited title", 1),
        encoding="utf-8",
    )
    assert load_packs(folder).latest("york").rules[0].title == "Edited title"


def test_adding_a_pack_to_a_loaded_set_leaves_the_cached_set_alone(folder: Path) -> None:
    packs = load_packs(folder)
    york = packs.latest("york")
    packs.add(
        york.model_copy(
            update={"version": "later", "effective_from": york.effective_from.replace(year=2099)}
        )
    )
    assert len(packs.versions["york"]) == 2
    assert len(load_packs(folder).versions["york"]) == 1
