"""Find a child and possible duplicates over synthetic children: exactly which children match,
and why; erased names never match nor show."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from typing import Any

import pytest

from domain.child_record import ChildRecord
from domain.envelope import RecordedEvent
from projections.child_search import (
    ERASED,
    SearchError,
    SearchQuery,
    age_on,
    child_index,
    parse_date_of_birth,
    parse_nhs_number,
    possible_duplicates,
    search,
)
from tests.factories import example

RECORDED = datetime(2026, 5, 20, 9, 0, tzinfo=UTC)
ROBIN_NHS = "9990001111"  # the factory's number (valid, test range)
SAM_NHS, ZOE_NHS, ZOE_OLD_NHS = "9990000069", "9990000085", "9990000077"
_ids = itertools.count(1)


def recorded(child_id: str, *events: Any) -> list[RecordedEvent]:
    record = ChildRecord(child_id)
    out: list[RecordedEvent] = []
    for event in events:
        decision = record.record([event], recorded_at=RECORDED, new_id=lambda: f"e{next(_ids)}")
        record.commit(decision)
        out.extend(decision.new)
    return out


def registered(child: str, first: str, last: str, born: str | None, **more: Any) -> Any:
    fields: dict[str, Any] = {"first_name": first, "last_name": last, "date_of_birth": born}
    fields.update(more)
    return example("child_registered", child, "2025-01-06", **fields)


def _erased_registration(child: str) -> Any:
    # what the shredder gives once the child's key is destroyed (adapters.shredding.erased)
    event = registered(child, "Erin", "Gonewell", "2019-03-14", nhs_number="9990000042")
    return event.model_copy(
        update={
            "first_name": ERASED,
            "last_name": ERASED,
            "date_of_birth": None,
            "nhs_number": ERASED,
            "upn": ERASED,
        }
    )


@pytest.fixture(scope="module")
def log() -> list[RecordedEvent]:
    record = ChildRecord("C-JORDAN")
    first = record.record(
        [registered("C-JORDAN", "Jordon", "Fairholm", "2016-06-01", nhs_number=None)],
        recorded_at=RECORDED,
        new_id=lambda: "jordan-1",
    )
    record.commit(first)
    fix = example(
        "entry_corrected",
        "C-JORDAN",
        "2025-01-08",
        target_event_id="jordan-1",
        changes={"first_name": "Jordan"},
        reason="Misspelt.",
    )
    jordan = [*first.new, *record.record([fix], recorded_at=RECORDED, new_id=lambda: "j-2").new]
    return [
        *recorded("C-ROBIN", registered("C-ROBIN", "Robin", "Testchild", "2019-03-14")),
        *recorded(
            "C-ROBYN",
            registered("C-ROBYN", "Robyn", "Testchild", "2019-03-14", nhs_number=None),
            example("allocated_to_worker", "C-ROBYN", "2025-01-07", worker_id="sw-1"),
        ),
        *recorded(
            "C-SAM", registered("C-SAM", "Samuel", "O'Neil", "2018-07-02", nhs_number=SAM_NHS)
        ),
        *recorded(
            "C-ZOE",
            registered("C-ZOE", "Zoë", "Smith-Jones", "2020-02-29", nhs_number=ZOE_OLD_NHS),
            example("consistent_identifier_recorded", "C-ZOE", "2025-02-01", nhs_number=ZOE_NHS),
        ),
        *recorded("C-GONE", _erased_registration("C-GONE")),
        *recorded(
            "C-BABY",
            registered(
                "C-BABY",
                "Baby",
                "Ashdown",
                None,
                expected_date_of_birth="2024-02-10",
                nhs_number=None,
            ),
            example("child_born", "C-BABY", "2024-02-01", first_name="Ava"),
        ),
        *jordan,
    ]


@pytest.fixture(scope="module")
def index(log: list[RecordedEvent]):  # type: ignore[no-untyped-def]
    return child_index(log)


def ids(matches: Any) -> list[str]:
    return [m.child.child_id for m in matches]


def find(index: Any, q: str | None = None, dob: str | None = None, nhs: str | None = None):  # type: ignore[no-untyped-def]
    query, errors = SearchQuery.parse(q, dob, nhs)
    assert errors == []
    return search(index, query)


def test_the_index_reads_the_record_as_it_stands(index) -> None:  # type: ignore[no-untyped-def]
    by_id = {c.child_id: c for c in index}
    assert sorted(by_id) == ["C-BABY", "C-GONE", "C-JORDAN", "C-ROBIN", "C-ROBYN", "C-SAM", "C-ZOE"]
    assert by_id["C-JORDAN"].name == "Jordan Fairholm"  # the correction applied
    assert by_id["C-ZOE"].nhs_number == ZOE_NHS  # the consistent identifier replaces it
    assert by_id["C-ZOE"].nhs_formatted == "999 000 0085"
    assert by_id["C-BABY"].name == "Ava Ashdown"  # named at birth
    assert by_id["C-BABY"].date_of_birth == date(2024, 2, 1)
    gone = by_id["C-GONE"]
    assert (gone.given, gone.family, gone.name, gone.nhs_number, gone.date_of_birth) == (
        None,
        None,
        None,
        None,
        None,
    )


def test_by_name_any_case_partial_either_name_any_order(index) -> None:  # type: ignore[no-untyped-def]
    assert ids(find(index, "robin")) == ["C-ROBIN"]
    assert ids(find(index, "TESTCHILD")) == ["C-ROBIN", "C-ROBYN"]
    assert ids(find(index, "testchild robin")) == ["C-ROBIN"]
    assert ids(find(index, "Testchild, Robin")) == ["C-ROBIN"]
    assert ids(find(index, "rob")) == ["C-ROBIN", "C-ROBYN"]  # partial
    assert ids(find(index, "oneil")) == ["C-SAM"]  # the apostrophe does not matter
    assert ids(find(index, "o’neil sam")) == ["C-SAM"]
    assert ids(find(index, "zoe jones")) == ["C-ZOE"]  # no accent needed; part of a double name
    assert ids(find(index, "jordan")) == ["C-JORDAN"]
    assert find(index, "jordon") == []  # the misspelling was corrected
    assert find(index, "nobody") == []


def test_a_whole_name_ranks_before_a_partial_one(index) -> None:  # type: ignore[no-untyped-def]
    found = find(index, "sam")  # Samuel partially; no whole "Sam"
    assert ids(found) == ["C-SAM"] and found[0].matched_on == ("child id", "name")
    assert ids(find(index, "ava")) == ["C-BABY"]


def test_by_child_id(index) -> None:  # type: ignore[no-untyped-def]
    found = find(index, "c-robin")
    assert ids(found) == ["C-ROBIN"] and found[0].matched_on == ("child id",)
    assert found[0].rank == 0
    assert ids(find(index, "C-GONE")) == ["C-GONE"]  # found by id; no name to show
    assert find(index, "C-GONE")[0].child.name is None


def test_erased_names_never_match(index) -> None:  # type: ignore[no-untyped-def]
    for q in ("erased", "[erased]", "Erin", "Gonewell"):
        assert "C-GONE" not in ids(find(index, q)), q
    assert "C-GONE" not in ids(find(index, dob="2019-03-14"))
    assert "C-GONE" not in ids(find(index, nhs="9990000042"))


def test_by_date_of_birth_iso_or_uk(index) -> None:  # type: ignore[no-untyped-def]
    assert ids(find(index, dob="2019-03-14")) == ["C-ROBIN", "C-ROBYN"]
    assert ids(find(index, dob="14/03/2019")) == ["C-ROBIN", "C-ROBYN"]
    assert ids(find(index, dob="14.3.2019")) == ["C-ROBIN", "C-ROBYN"]
    assert ids(find(index, dob="29/02/2020")) == ["C-ZOE"]
    assert ids(find(index, "robyn", dob="14/03/2019")) == ["C-ROBYN"]  # every part must match
    assert find(index, "sam", dob="14/03/2019") == []


def test_by_nhs_number_with_or_without_spaces(index) -> None:  # type: ignore[no-untyped-def]
    assert ids(find(index, nhs=ROBIN_NHS)) == ["C-ROBIN"]
    assert ids(find(index, nhs="999 000 1111")) == ["C-ROBIN"]
    assert ids(find(index, nhs="999-000-0085")) == ["C-ZOE"]
    assert find(index, nhs=ZOE_OLD_NHS) == []  # replaced by the consistent identifier


def test_an_empty_query_finds_nothing(index) -> None:  # type: ignore[no-untyped-def]
    query, errors = SearchQuery.parse("  ", "", None)
    assert query.empty and errors == [] and search(index, query) == []


def test_bad_input_names_the_field_and_the_rule() -> None:
    query, errors = SearchQuery.parse("robin", "31/02/2019", "999 000 1112")
    assert [(e.field, e.label) for e in errors] == [("dob", "Date of birth"), ("nhs", "NHS number")]
    assert "not a real date" in str(errors[0]) and str(errors[0]).startswith("Date of birth:")
    assert "check digit" in str(errors[1]) and str(errors[1]).startswith("NHS number:")
    assert query.text == "robin" and query.date_of_birth is None and query.nhs_number is None
    with pytest.raises(SearchError, match="YYYY-MM-DD"):
        parse_date_of_birth("March 2019")
    with pytest.raises(SearchError, match="not 10 digits"):
        parse_nhs_number("99900011")
    assert parse_date_of_birth(" 2019-3-4 ") == date(2019, 3, 4)
    assert parse_nhs_number(" 999 000 1111 ") == ROBIN_NHS


def test_age_on() -> None:
    assert age_on(date(2019, 3, 14), date(2026, 3, 13)) == 6
    assert age_on(date(2019, 3, 14), date(2026, 3, 14)) == 7
    assert age_on(date(2020, 2, 29), date(2021, 2, 28)) == 0
    assert age_on(date(2020, 2, 29), date(2021, 3, 1)) == 1


def dupes(index, given, family, dob, nhs=None):  # type: ignore[no-untyped-def]
    born = date.fromisoformat(dob) if dob else None
    return [
        (d.child.child_id, d.reasons, d.notes)
        for d in possible_duplicates(index, given, family, born, nhs)
    ]


def test_possible_duplicates_give_the_reason_for_each(index) -> None:  # type: ignore[no-untyped-def]
    assert dupes(index, "Robin", "Testchild", "2019-03-14") == [
        ("C-ROBIN", ("same name and date of birth",), ()),
        ("C-ROBYN", ("same date of birth and a similar name (Robyn Testchild)",), ()),
    ]
    # the same NHS number is the strongest, whatever the name
    assert dupes(index, "Bobby", "Other", "2010-01-01", SAM_NHS) == [
        ("C-SAM", ("same NHS number",), ())
    ]
    assert dupes(index, "O'Neil", "Samuel", "2018-07-02") == [
        ("C-SAM", ("same date of birth, given and family names the other way round",), ())
    ]
    assert dupes(index, "samuel", "oneil", "2018-08-02") == [
        ("C-SAM", ("same name, different date of birth (2018-07-02)",), ())
    ]
    assert dupes(index, "Sam", "O'Neil", "2018-07-02") == [
        ("C-SAM", ("same date of birth and a similar name (Samuel O'Neil)",), ())
    ]
    # a match on name and birth with another NHS number is shown, with that said
    assert dupes(index, "Robin", "Testchild", "2019-03-14", "9990000026")[0] == (
        "C-ROBIN",
        ("same name and date of birth",),
        ("a different NHS number is on record",),
    )
    assert dupes(index, "Jordan", "Fairholm", None) == [("C-JORDAN", ("same name",), ())]
    assert dupes(index, "Nobody", "Atall", "2001-01-01") == []


def test_erased_children_are_never_possible_duplicates(index) -> None:  # type: ignore[no-untyped-def]
    for given, family in (("[erased]", "[erased]"), ("Erin", "Gonewell")):
        found = dupes(index, given, family, "2019-03-14", "9990000042")
        assert "C-GONE" not in [child for child, _, _ in found]


def test_an_overlong_search_is_refused_by_field() -> None:
    query, errors = SearchQuery.parse("x" * 201)
    assert [(e.field, str(e)) for e in errors] == [
        ("q", "Name or child id: at most 200 characters")
    ]
    assert query.empty
