"""Statutory returns from the demo family and a 500-child synthetic authority, checked with
the DfE validators local authorities use: zero child-level errors.

CIN queries (rule codes ending Q: "please check") are allowed on the synthetic authority only
where a year boundary splits an episode (an assessment authorised last year, closed this
year: 8825Q/2991Q); ERRORs never are.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli.main import app
from adapters.exporters.cin_census import authority_codes, cin_census_from_events
from adapters.exporters.dfe_validators import (
    KNOWN_CRASHING_903_RULES,
    LA_CODES,
    validate_903,
    validate_cin,
)
from adapters.exporters.ssda903 import ssda903_files
from adapters.store import EventStore
from adapters.synthetic.demo_family import write_demo
from adapters.synthetic.synth import load
from domain.envelope import RecordedEvent

ALLOWED_CIN_QUERIES = {"8825Q", "2991Q"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[RecordedEvent]]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    write_demo(url)
    store = EventStore(url)
    yield url, list(store.iter_all())
    store.close()


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[RecordedEvent]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('synth') / 'synth.db'}"
    store = EventStore(url)
    result = load(store, 500, 7)
    assert result.children == 500
    yield list(store.iter_all())
    store.close()


@pytest.mark.parametrize("year", [2021, 2022, 2023, 2024, 2025])
def test_demo_cin_census_has_no_child_level_issues(demo, year: int) -> None:
    _, events = demo
    xml, children = cin_census_from_events(events, year, "816")
    assert children, f"the demo has children in need in {year}"
    result = validate_cin(xml)
    assert result.crashed_rules == []
    issues = result.errors(queries=False)
    assert issues == [], result.summary()


@pytest.mark.parametrize("year", [2023, 2024])
def test_demo_ssda903_has_no_child_level_issues(demo, year: int) -> None:
    _, events = demo
    files, counts = ssda903_files(events, year, "816")
    assert counts["Header"] == 1 and counts["Episodes"] >= 2  # Jordan
    result = validate_903(files, str(year), LA_CODES["816"])
    assert set(result.crashed_rules) <= KNOWN_CRASHING_903_RULES
    assert result.child_issues == [], result.summary()


@pytest.mark.slow
def test_synthetic_authority_returns_have_no_child_level_errors(authority) -> None:
    codes = sorted(set(authority_codes(authority).values()))
    assert len(codes) == 5
    cin_children, lac_children = set(), set()
    for la in codes:
        xml, children = cin_census_from_events(authority, 2026, la)
        cin_children |= {c.child_id for c in children}
        result = validate_cin(xml)
        assert result.crashed_rules == [], la
        assert result.errors(queries=False) == [], f"LA {la}:\n{result.summary()}"
        assert result.codes() <= ALLOWED_CIN_QUERIES, f"LA {la}:\n{result.summary()}"

        files, counts = ssda903_files(authority, 2026, la)
        lac_children |= {
            line.split(",")[0] for line in files["header.csv"].decode().splitlines()[1:]
        }
        result = validate_903(files, "2026", LA_CODES[la])
        assert set(result.crashed_rules) <= KNOWN_CRASHING_903_RULES, la
        assert result.child_issues == [], f"LA {la}:\n{result.summary()}"
    # the 2025-26 returns cover every child active in the year, across all five authorities
    assert len(cin_children) > 100 and len(lac_children) > 40


def test_cli_writes_both_returns(demo, tmp_path: Path) -> None:
    url, _ = demo
    runner = CliRunner()
    out = tmp_path / "cin.xml"
    done = runner.invoke(
        app, ["export", "cin-census", "--year", "2022", "--out", str(out), "--db", url]
    )
    assert done.exit_code == 0, done.output
    assert b"<LAchildID>DEMOJORDAN</LAchildID>" in out.read_bytes()
    done = runner.invoke(
        app, ["export", "ssda903", "--year", "2024", "--out", str(tmp_path / "903"), "--db", url]
    )
    assert done.exit_code == 0, done.output
    assert (
        (tmp_path / "903" / "episodes.csv").read_text().startswith("CHILD,DECOM,RNE,LS,CIN,PLACE")
    )
    bad = runner.invoke(app, ["export", "ssda903", "--year", "26", "--db", url])
    assert bad.exit_code == 1 and "--year 26" in bad.output
