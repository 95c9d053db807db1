"""`caseledger export annex-a`: lists 1-11 against the data map, and two lists counted apart."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from adapters.cli.main import app
from adapters.exporters import annex_a_spec as spec
from adapters.exporters.annex_a_workbook import check_workbook
from adapters.store import EventStore
from adapters.synthetic.synth import load
from domain.effective import effective_events
from domain.events.front_door import ReferralReceived
from domain.events.safeguarding import ChildProtectionPlanEnded, ChildProtectionPlanStarted
from tests.factories import example

runner = CliRunner()
START, END = date(2025, 10, 1), date(2026, 3, 31)


def _sheets(path: Path) -> dict[str, list[dict[str, Any]]]:
    book = load_workbook(path, read_only=True)
    out = {}
    for name in book.sheetnames:
        rows = list(book[name].iter_rows(values_only=True))
        out[name] = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    book.close()
    return out


def _export(url: str, out: Path, start: date = START, end: date = END) -> Any:
    return runner.invoke(
        app,
        ["export", "annex-a", "--db", url, "--from", start.isoformat(), "--to", end.isoformat()]
        + ["--out", str(out)],
    )


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """A 500-child synthetic authority and its Annex A for October 2025 to March 2026."""
    folder = tmp_path_factory.mktemp("annex")
    url = f"sqlite:///{folder / 'synth.db'}"
    store = EventStore(url)
    try:
        load(store, 500, seed=1)
    finally:
        store.close()
    out = folder / "annex-a.xlsx"
    result = _export(url, out)
    assert result.exit_code == 0, result.output
    return url, out


def _events(url: str) -> list[Any]:
    store = EventStore(url)
    try:
        return effective_events(store.iter_all())
    finally:
        store.close()


@pytest.mark.slow
def test_every_list_is_present_and_matches_the_data_map(authority: tuple[str, Path]) -> None:
    _url, out = authority
    assert check_workbook(out) == []
    sheets = _sheets(out)
    assert list(sheets) == list(spec.LISTS)
    for name in ("List 1", "List 3", "List 4", "List 5", "List 6", "List 7", "List 8"):
        assert sheets[name], f"{name} is empty for a 500-child authority"
    assert sheets["List 2"] == [] and sheets["List 11"] == []  # not held on a child's record


@pytest.mark.slow
def test_list_3_is_every_referral_in_the_period(authority: tuple[str, Path]) -> None:
    url, out = authority
    expected = sorted(
        (e.child_id, e.event.occurred_date)
        for e in _events(url)
        if isinstance(e.event, ReferralReceived) and START <= e.event.occurred_date <= END
    )
    rows = _sheets(out)["List 3"]
    got = sorted((r["Child Unique ID"], r["Date of referral"].date()) for r in rows)
    assert len(expected) > 10
    assert got == expected


@pytest.mark.slow
def test_list_7_is_every_protection_plan_open_in_the_period(authority: tuple[str, Path]) -> None:
    url, out = authority
    plans: dict[str, list[list[date | None]]] = defaultdict(list)
    for e in sorted(_events(url), key=lambda e: (e.child_id, e.event.occurred_instant, e.position)):
        if isinstance(e.event, ChildProtectionPlanStarted):
            plans[e.child_id].append([e.event.occurred_date, None])
        elif isinstance(e.event, ChildProtectionPlanEnded) and plans[e.child_id]:
            plans[e.child_id][-1][1] = e.event.occurred_date
    expected = sorted(
        (child, begun)
        for child, spans in plans.items()
        for begun, ended in spans
        if begun is not None and begun <= END and (ended is None or ended >= START)
    )
    rows = _sheets(out)["List 7"]
    got = sorted((r["Child Unique ID"], r["Child Protection Plan Start Date"].date()) for r in rows)
    assert len(expected) > 5
    assert got == expected


def test_a_child_s_cells_carry_the_data_map_codes(
    sqlite_url: str, make_store: Callable[..., EventStore], tmp_path: Path
) -> None:
    store = make_store(sqlite_url)
    store.record([example("child_registered", "C-AA-1", "2025-01-05")])  # F, WBRI, 2019-03-14
    store.record_one(example("contact_received", "C-AA-1", "2025-11-03"))
    store.record_one(example("contact_received", "C-AA-1", "2025-06-03"))  # before the period
    store.record_one(example("referral_received", "C-AA-1", "2025-11-04"))
    out = tmp_path / "a.xlsx"
    result = _export(sqlite_url, out)
    assert result.exit_code == 0, result.output
    assert "List 1 1, List 2 0, List 3 1" in result.output
    sheets = _sheets(out)
    [contact] = sheets["List 1"]
    assert contact["Child Unique ID"] == "C-AA-1"
    assert contact["Gender"] == "b) Female"
    assert contact["Ethnicity"] == "a) WBRI"
    assert contact["Age of Child (Years)"] == 7
    assert contact["Date of Birth"].date() == date(2019, 3, 14)
    assert contact["Date of Contact"].date() == date(2025, 11, 3)
    assert contact["Contact Source"] == "e) 2A: Schools"
    [referral] = sheets["List 3"]
    assert referral["Referral Source"] == "e) 2A: Schools"
    assert referral["Number of Referrals in Last 12 Months"] == 1
    assert referral["Allocated Worker"] == "Unallocated"
    assert check_workbook(out) == []


def test_a_period_backwards_is_refused_and_nothing_written(sqlite_url: str, tmp_path: Path) -> None:
    out = tmp_path / "a.xlsx"
    result = _export(sqlite_url, out, start=END, end=START)
    assert result.exit_code == 1
    assert "--to 2025-10-01 is before --from 2026-03-31" in result.output
    assert not out.exists()
