"""`caseledger genogram` on a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli.main import app
from adapters.store import EventStore
from tests.blended_family import KAI, MIA, UNBORN, blended_family, write_to_store
from tests.conftest import Clock

runner = CliRunner()


@pytest.fixture
def family_url(store_url: str, make_store: Callable[..., EventStore], clock: Clock) -> str:
    write_to_store(blended_family(), make_store(store_url), clock)
    return store_url


def _json(*args: str) -> dict:
    result = runner.invoke(app, ["genogram", *args, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_child_and_family_genogram_json(family_url: str) -> None:
    child = _json(KAI, "--db", family_url)
    assert child["scope"] == "child" and child["index_child"] == KAI
    # Kai's record, and Mia's for what makes her Kai's half-sister (her birth to his mother)
    assert child["children"] == [KAI, MIA]
    assert len(child["people"]) == 14
    assert {e["person_id"] for e in child["ecomap"]} == {"prof-sw", "prof-hv"}
    family = _json(KAI, "--family", "--db", family_url)
    assert family["scope"] == "family" and family["family_id"] == "FAM-BLEND"
    assert family["children"] == ["C-KAI", "C-MIA", "C-TWIN-A", "C-TWIN-B", "C-UNBORN"]
    pr_for_mia = {p["person_id"] for p in family["parental_responsibility"] if p["child_id"] == MIA}
    assert pr_for_mia == {"p-mum", "p-sam"}
    unborn = next(p for p in family["people"] if p["person_id"] == UNBORN)
    assert (unborn["unborn"], unborn["expected_date_of_birth"]) == (True, "2026-09-01")


def test_as_known_at_ignores_relationships_recorded_later(family_url: str) -> None:
    then = _json(KAI, "--as-known-at", "2021-12-31", "--db", family_url)
    kinds = {(t["kind"], t["from_person"], t["to_person"]) for t in then["kinship"]}
    assert ("married", "p-mum", "p-sam") not in kinds
    assert ("divorced", "p-dad", "p-mum") in kinds
    assert {p["person_id"] for p in then["parental_responsibility"]} == {"p-mum", "p-dad"}
    now = _json(KAI, "--db", family_url)
    kinds = {(t["kind"], t["from_person"], t["to_person"]) for t in now["kinship"]}
    assert ("married", "p-mum", "p-sam") in kinds


def test_svg_png_and_dot_to_files(family_url: str, tmp_path: Path) -> None:
    svg_path = tmp_path / "kai.svg"
    result = runner.invoke(
        app,
        [
            "genogram",
            KAI,
            "--family",
            "--format",
            "svg",
            "--out",
            str(svg_path),
            "--db",
            family_url,
        ],
    )
    assert result.exit_code == 0, result.stderr
    root = ET.parse(svg_path).getroot()
    ids = {g.get("id") for g in root.iter("{http://www.w3.org/2000/svg}g")}
    assert {KAI, MIA, "p-gran", "household:hh-rowan"} <= ids
    assert any(t.text == "□ male" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    png_path = tmp_path / "kai.png"
    result = runner.invoke(
        app, ["genogram", KAI, "--format", "png", "--out", str(png_path), "--db", family_url]
    )
    assert result.exit_code == 0
    assert png_path.read_bytes()[:4] == b"\x89PNG"
    result = runner.invoke(app, ["genogram", KAI, "--format", "dot", "--db", family_url])
    assert result.exit_code == 0 and result.stdout.startswith("digraph genogram_C_KAI")


def test_bad_input_is_a_clear_error(family_url: str) -> None:
    result = runner.invoke(app, ["genogram", "C-NOBODY", "--db", family_url])
    assert result.exit_code == 3 and "C-NOBODY" in result.stderr
    result = runner.invoke(app, ["genogram", KAI, "--as-known-at", "yesterday", "--db", family_url])
    assert result.exit_code == 1 and "--as-known-at" in result.stderr
    result = runner.invoke(app, ["genogram", KAI, "--format", "gif", "--db", family_url])
    assert result.exit_code == 2
    result = runner.invoke(
        app, ["genogram", KAI, "--as-known-at", "2021-01-01", "--db", family_url]
    )
    assert result.exit_code == 1 and "not yet registered" in result.stderr
