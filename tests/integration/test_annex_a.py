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
from domain.events.front_door import ContactReceived, ReferralReceived
from domain.events.looked_after import BecameLookedAfter, CeasedToBeLookedAfter
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
    assert sheets["List 2"] == []  # early help is not kept on a child's record
    assert sheets["List 11"] == []  # the synthetic authority records no adopters as people


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


@pytest.mark.slow
def test_list_1_is_every_contact_in_the_period(authority: tuple[str, Path]) -> None:
    url, out = authority
    expected = sorted(
        (e.child_id, e.event.occurred_date, e.event.source_type.value)
        for e in _events(url)
        if isinstance(e.event, ContactReceived) and START <= e.event.occurred_date <= END
    )
    got = sorted(
        (r["Child Unique ID"], r["Date of Contact"].date(), r["Contact Source"].split(" ")[1][:-1])
        for r in _sheets(out)["List 1"]
    )
    assert len(expected) > 10
    assert got == expected


@pytest.mark.slow
def test_list_8_is_every_child_looked_after_in_the_period_once(
    authority: tuple[str, Path],
) -> None:
    url, out = authority
    periods: dict[str, list[list[date | None]]] = defaultdict(list)
    for e in sorted(_events(url), key=lambda e: (e.child_id, e.event.occurred_instant, e.position)):
        if isinstance(e.event, BecameLookedAfter):
            periods[e.child_id].append([e.event.occurred_date, None])
        elif isinstance(e.event, CeasedToBeLookedAfter) and periods[e.child_id]:
            periods[e.child_id][-1][1] = e.event.occurred_date
    expected = {
        child: max(
            begun for begun, ended in spans if begun <= END and (ended is None or ended >= START)
        )
        for child, spans in periods.items()
        if any(begun <= END and (ended is None or ended >= START) for begun, ended in spans)
    }
    rows = _sheets(out)["List 8"]
    got = {r["Child Unique ID"]: r["Date Started to be Looked After"].date() for r in rows}
    assert len(rows) == len(got)  # one row a child
    assert len(expected) > 10
    assert got == expected
    # the placement cells the data map requires come from the placement's events: the
    # synthetic authority places its children within its own boundary
    authority = {
        e.child_id: e.event.la_code for e in _events(url) if e.kind == "authority_recorded"
    }
    for row in rows:
        assert row["Placement Location"] == "a) In"
        assert row["LA of Placement"] == authority[row["Child Unique ID"]]


HEADINGS_2 = [
    "Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
    "Assessment start date", "Assessment completion date", "Organisation completing assessment",
]  # fmt: skip
HEADINGS_11 = [
    "Individual adopter identifier", "Family identifier", "Gender", "Ethnicity", "Disability",
    "Is the (prospective) adopter fostering for adoption?", "Date enquiry received",
    "Date Stage 1 started", "Date Stage 1 ended", "Date Stage 2 started", "Date Stage 2 ended",
    "Date application submitted", "Date application approved",
    "Date adopter matched with child(ren)", "Date child/children placed with adopter(s)",
    "No. of children placed", "Date of Adoption Order", "Date of leaving adoption process",
    "Reason for leaving adoption process",
]  # fmt: skip
"""Lists 2 and 11 as liia-tools' Annex_A_schema.yml (a042cd5) and la-agg.yml give them."""
PLACEMENT_HEADINGS = [
    "Start Date of Most Recent Placement", "Placement Type", "Placement Provider",
    "Placement postcode", "URN of Placement", "Placement Location", "LA of Placement",
]  # fmt: skip


def test_the_demo_s_lists_carry_the_placement_and_the_adopter(tmp_path: Path) -> None:
    """Jordan's year of adoption: the placement's cells, List 10 and List 11 from events."""
    from adapters.synthetic.demo_family import JORDAN, write_demo

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    write_demo(url)
    out = tmp_path / "demo.xlsx"
    result = _export(url, out, start=date(2023, 4, 1), end=date(2024, 3, 31))
    assert result.exit_code == 0, result.output
    book = load_workbook(out, read_only=True)
    firsts = {name: list(next(book[name].iter_rows(values_only=True))) for name in book.sheetnames}
    book.close()
    assert firsts["List 2"] == HEADINGS_2 and firsts["List 11"] == HEADINGS_11
    eight = firsts["List 8"]
    assert eight[eight.index("Start Date of Most Recent Placement") :][:7] == PLACEMENT_HEADINGS

    sheets = _sheets(out)
    [jordan] = [r for r in sheets["List 8"] if r["Child Unique ID"] == JORDAN]
    assert jordan["Start Date of Most Recent Placement"].date() == date(2023, 6, 5)
    assert jordan["Placement Type"] == "h) A4: Placed for adoption - consent - not foster"
    assert jordan["Placement Provider"] == "b) PR1: Own provision"
    assert jordan["Placement postcode"] == "YO1 7AE"
    assert jordan["URN of Placement"] == "SC481224"
    assert jordan["Placement Location"] == "a) In"  # placed in York, his own authority
    assert jordan["LA of Placement"] == "816"
    assert jordan["What is the permanence plan for this child?"] == "a) Return to family"
    assert jordan["Date Ceased to be Looked After"].date() == date(2023, 11, 20)
    assert jordan["Reason Ceased to be Looked After"] == "a) E11: Adopted - application unopposed"
    [adoption] = sheets["List 10"]
    assert adoption["Date Placed for Adoption"].date() == date(2023, 6, 5)
    assert adoption["Date of Adoption Order"].date() == date(2023, 11, 20)
    [adopter] = sheets["List 11"]
    assert adopter["Individual adopter identifier"] == "p-adopter-1"
    assert adopter["Gender"] == "b) Female"
    assert adopter["Ethnicity"] == "s) NOBT"  # not on the record: "not yet obtained"
    assert adopter["Is the (prospective) adopter fostering for adoption?"] == "b) No"
    assert adopter["Date child/children placed with adopter(s)"].date() == date(2023, 6, 5)
    assert adopter["No. of children placed"] == 1
    assert adopter["Date of Adoption Order"].date() == date(2023, 11, 20)
    # what the data map requires and no child's record holds: the adoption agency's steps
    assert check_workbook(out) == [
        "List 11 row 2 'Disability': blank, the data map says it cannot be",
        "List 11 row 2 'Date enquiry received': blank, the data map says it cannot be",
    ]


def test_a_placement_outside_the_authority_reads_out_and_names_where(
    sqlite_url: str, make_store: Callable[..., EventStore], tmp_path: Path
) -> None:
    from domain.events.looked_after import PlacementEnded, PlacementStarted

    store = make_store(sqlite_url)
    load(store, 40, seed=2)
    current: dict[str, str | None] = {}
    for e in store.iter_all():
        if isinstance(e.event, PlacementStarted):
            current[e.child_id] = e.event.placement_id
        elif isinstance(e.event, PlacementEnded) or isinstance(e.event, CeasedToBeLookedAfter):
            current[e.child_id] = None
    child, placement = next((c, p) for c, p in sorted(current.items()) if p)
    store.record_one(example("placement_ended", child, "2026-01-09", placement_id=placement))
    store.record_one(
        example("placement_started", child, "2026-01-10", placement_id="P-WALES",
                placement_type="U6", provider="PR4", placement_la="WAL")
    )  # fmt: skip
    out = tmp_path / "a.xlsx"
    result = _export(sqlite_url, out)
    assert result.exit_code == 0, result.output
    [row] = [r for r in _sheets(out)["List 8"] if r["Child Unique ID"] == child]
    assert row["Start Date of Most Recent Placement"].date() == date(2026, 1, 10)
    assert row["Placement Location"] == "b) Out"
    assert row["LA of Placement"] == "WAL - Child placed in Wales"
    assert row["Placement Provider"] == "e) PR4: Private provision"
