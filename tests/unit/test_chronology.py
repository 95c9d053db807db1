"""The chronology projection as a pure fold: corrections, errors, late entries, merges, filters."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from itertools import count
from typing import Any

from domain.envelope import GENESIS_HASH, RecordedEvent, seal
from domain.events import EVENT_TYPES
from projections.chronology import (
    ChronologyQuery,
    compose,
    fold,
    significance_table,
)
from tests.factories import example


class Log:
    """Builds recorded events with chosen recorded-at times, as the store would."""

    def __init__(self) -> None:
        self.events: list[RecordedEvent] = []
        self.positions: dict[str, int] = {}
        self.ids = count(1)

    def add(self, kind: str, child: str, occurred: Any, recorded: datetime, **kw: Any) -> str:
        event = example(kind, child, occurred, **kw)
        position = self.positions.get(child, 0) + 1
        self.positions[child] = position
        event_id = f"ev-{next(self.ids):04d}"
        item = seal(
            event_id=event_id,
            position=position,
            recorded_at=recorded,
            event=event,
            prev_hash=GENESIS_HASH,
        )
        self.events.append(replace(item, global_position=len(self.events) + 1))
        return event_id

    def chronology(self, *children: str, **query: Any) -> Any:
        entries, amendments = fold(self.events)
        return compose(entries, amendments, ChronologyQuery(children=children or ("C1",), **query))


def at(day: str, hour: int = 10) -> datetime:
    d = date.fromisoformat(day)
    return datetime(d.year, d.month, d.day, hour, tzinfo=UTC)


def registered(log: Log, child: str = "C1", **kw: Any) -> str:
    return log.add(
        "child_registered",
        child,
        "2024-01-08",
        at("2024-01-08"),
        first_name=kw.pop("first_name", "Robin"),
        date_of_birth=kw.pop("date_of_birth", "2019-03-14"),
        **kw,
    )


def test_entries_are_numbered_in_occurred_order_not_recorded_order() -> None:
    log = Log()
    registered(log)
    log.add("section_47_started", "C1", "2024-03-05", at("2024-03-05"), summary="Enquiry opened.")
    log.add("referral_received", "C1", "2024-03-01", at("2024-03-06"), summary="School referral.")
    chron = log.chronology()
    assert [(e.serial, e.kind, e.date) for e in chron.entries] == [
        (1, "child_registered", "08/01/2024"),
        (2, "referral_received", "01/03/2024"),
        (3, "section_47_started", "05/03/2024"),
    ]
    referral = chron.entries[1]
    assert referral.detail == "Referral received. School referral."
    assert referral.source == "Recorded by sw-001 (social worker); ref: CN-0001"
    assert "Reason: Bruising to arm." in referral.outcome
    assert chron.children[0].name == "Robin Testchild"
    assert chron.children[0].date_of_birth == "2019-03-14"
    assert chron.children[0].case_number == "LA-000001"


def test_a_correction_shows_corrected_content_and_keeps_the_original_in_the_appendix() -> None:
    log = Log()
    registered(log)
    visit = log.add(
        "child_visited", "C1", "2024-02-01", at("2024-02-01"), summary="Seen at nursery."
    )
    log.add(
        "entry_corrected",
        "C1",
        "2024-02-05",
        at("2024-02-05"),
        target_event_id=visit,
        changes={"summary": "Seen at home.", "significant": True},
        reason="Location recorded wrongly.",
    )
    chron = log.chronology()
    entry = next(e for e in chron.entries if e.kind == "child_visited")
    assert entry.detail == "Child visited. Seen at home."
    assert entry.corrected is True
    assert entry.notes == ("Corrected: see appendix A1",)
    [item] = chron.appendix
    assert item.action == "Corrected"
    assert item.entry_serial == entry.serial
    assert item.original == "01/02/2024: Child visited. Seen at nursery."
    assert item.corrected == "01/02/2024: Child visited. Seen at home."
    assert item.reason == "Location recorded wrongly."
    assert item.recorded_at == "05/02/2024 10:00"


def test_two_corrections_accumulate_and_both_are_in_the_appendix() -> None:
    log = Log()
    registered(log)
    target = log.add("section_47_started", "C1", "2024-02-01", at("2024-02-01"), summary="One.")
    for n, text in enumerate(("Two.", "Three."), start=2):
        log.add(
            "entry_corrected",
            "C1",
            f"2024-02-0{n}",
            at(f"2024-02-0{n}"),
            target_event_id=target,
            changes={"summary": text},
            reason=f"fix {n}",
        )
    chron = log.chronology()
    entry = next(e for e in chron.entries if e.kind == "section_47_started")
    assert entry.detail.endswith("Three.")
    text = "01/02/2024: Section 47 enquiry started. "
    assert [(a.original, a.corrected, a.reason) for a in chron.appendix] == [
        (text + "One.", text + "Two.", "fix 2"),
        (text + "Two.", text + "Three.", "fix 3"),
    ]


def test_an_entry_recorded_in_error_is_left_out_of_the_body_and_listed_in_the_appendix() -> None:
    log = Log()
    registered(log)
    wrong = log.add(
        "section_47_started", "C1", "2024-02-01", at("2024-02-01"), summary="Wrong child."
    )
    log.add(
        "entry_recorded_in_error",
        "C1",
        "2024-02-02",
        at("2024-02-02"),
        target_event_id=wrong,
        reason="Belongs to another family.",
    )
    chron = log.chronology()
    assert [e.kind for e in chron.entries] == ["child_registered"]
    [item] = chron.appendix
    assert item.action == "Recorded in error"
    assert item.entry_serial is None
    assert item.original == "01/02/2024: Section 47 enquiry started. Wrong child."
    assert item.reason == "Belongs to another family."
    assert item.target_event_id == wrong


def test_late_entries_are_flagged_with_both_dates() -> None:
    log = Log()
    registered(log)
    # Friday 1 March 2024: recorded Tuesday (2nd working day) is on time, Wednesday is late
    log.add("section_47_started", "C1", "2024-03-01", at("2024-03-05"), summary="On time.")
    log.add("assessment_started", "C1", "2024-03-01", at("2024-03-06"), summary="Late.")
    chron = log.chronology()
    on_time = next(e for e in chron.entries if e.kind == "section_47_started")
    late = next(e for e in chron.entries if e.kind == "assessment_started")
    assert on_time.late is False and on_time.notes == ()
    assert late.late is True
    assert late.notes == ("Recorded late: occurred 01/03/2024, recorded 06/03/2024 10:00",)


def test_late_counting_skips_bank_holidays() -> None:
    log = Log()
    registered(log)
    # Thursday 28 March 2024; Good Friday 29th and Easter Monday 1 April are bank holidays:
    # the 2nd working day after is Wednesday 3 April
    log.add("section_47_started", "C1", "2024-03-28", at("2024-04-03"))
    log.add("assessment_started", "C1", "2024-03-28", at("2024-04-04"))
    flags = {e.kind: e.late for e in log.chronology().entries}
    assert flags["section_47_started"] is False
    assert flags["assessment_started"] is True


def test_dates_show_time_day_month_or_year_as_known() -> None:
    log = Log()
    registered(log)
    log.add("section_47_started", "C1", "2024-03-05T14:30:00", at("2024-03-05", 15))
    log.add(
        "person_died",
        "C1",
        "2023-06-01",
        at("2024-03-05"),
        occurred_precision="month",
        significant=True,
    )
    log.add("assessment_started", "C1", "2020-01-01", at("2024-03-05"), occurred_precision="year")
    dates = {e.kind: e.date for e in log.chronology().entries}
    assert dates["section_47_started"] == "05/03/2024 14:30"
    assert dates["person_died"] == "?/06/2023"
    assert dates["assessment_started"] == "?/?/2020"


def test_siblings_shared_event_appears_once_naming_every_child() -> None:
    log = Log()
    registered(log, "C1", family_id="FAM-1")
    registered(log, "C2", first_name="Sam", family_id="FAM-1")
    for child in ("C1", "C2"):
        log.add(
            "strategy_discussion_held",
            child,
            "2024-02-01",
            at("2024-02-01"),
            correlation_id="SD-1",
            summary="Police, health and social care met.",
        )
    log.add("section_47_started", "C2", "2024-02-02", at("2024-02-02"))
    chron = log.chronology("C1", "C2", family_id="FAM-1")
    shared = [e for e in chron.entries if e.kind == "strategy_discussion_held"]
    assert len(shared) == 1
    assert shared[0].children == ("C1", "C2")
    assert shared[0].child_names == ("Robin Testchild", "Sam Testchild")
    assert len(shared[0].event_ids) == 2
    assert [c.child_id for c in chron.children] == ["C1", "C2"]
    assert chron.title == "Family chronology of Robin Testchild and Sam Testchild"
    # a single child's chronology shows only that child's copy
    own = [e for e in log.chronology("C1").entries if e.kind == "strategy_discussion_held"]
    assert own[0].children == ("C1",)
    assert not any(e.kind == "section_47_started" for e in log.chronology("C1").entries)


def test_as_known_at_leaves_out_later_entries_and_later_corrections() -> None:
    log = Log()
    registered(log)
    target = log.add("section_47_started", "C1", "2024-02-01", at("2024-02-01"), summary="First.")
    log.add(
        "entry_corrected",
        "C1",
        "2024-03-01",
        at("2024-03-01"),
        target_event_id=target,
        changes={"summary": "Fixed."},
        reason="r",
    )
    log.add("assessment_started", "C1", "2024-01-20", at("2024-03-02"))
    before = log.chronology(as_known_at=at("2024-02-15"))
    assert [e.kind for e in before.entries] == ["child_registered", "section_47_started"]
    assert before.entries[1].detail.endswith("First.")
    assert before.appendix == ()
    now = log.chronology()
    assert [e.kind for e in now.entries] == [
        "child_registered",
        "assessment_started",
        "section_47_started",
    ]
    assert now.entries[2].detail.endswith("Fixed.")
    # replaying only the events recorded up to the moment gives the same document
    entries, amendments = fold(e for e in log.events if e.recorded_at <= at("2024-02-15"))
    again = compose(entries, amendments, ChronologyQuery(children=("C1",)))
    assert again.entries == before.entries


def test_date_range_and_category_filters() -> None:
    log = Log()
    registered(log)
    log.add("referral_received", "C1", "2024-02-01", at("2024-02-01"))
    log.add("section_47_started", "C1", "2024-03-01", at("2024-03-01"))
    log.add("order_made", "C1", "2024-04-01", at("2024-04-01"))
    log.add("assessment_started", "C1", "2024-03-01", at("2024-03-01"), occurred_precision="month")
    chron = log.chronology(date_from=date(2024, 3, 15), date_to=date(2024, 3, 31))
    # the month-precision entry (March 2024) overlaps the range; the 1 March entry does not
    assert [e.kind for e in chron.entries] == ["assessment_started"]
    ranged = log.chronology(date_from=date(2024, 2, 1), date_to=date(2024, 3, 1))
    assert [e.kind for e in ranged.entries] == [
        "referral_received",
        "section_47_started",
        "assessment_started",
    ]
    court = log.chronology(categories=("proceedings",))
    assert [e.kind for e in court.entries] == ["order_made"]


def test_significance_default_and_override() -> None:
    log = Log()
    registered(log)
    log.add("case_note_recorded", "C1", "2024-02-01", at("2024-02-01"))
    log.add("case_note_recorded", "C1", "2024-02-02", at("2024-02-02"), significant=True)
    log.add("section_47_started", "C1", "2024-02-03", at("2024-02-03"), significant=False)
    kinds = [(e.kind, e.date) for e in log.chronology().entries]
    assert kinds == [("child_registered", "08/01/2024"), ("case_note_recorded", "02/02/2024")]
    everything = log.chronology(significant_only=False)
    assert len(everything.entries) == 4


def test_acronyms_are_expanded_on_first_use_only() -> None:
    log = Log()
    registered(log)
    log.add("section_47_started", "C1", "2024-02-01", at("2024-02-01"), summary="ICPC booked.")
    log.add("assessment_started", "C1", "2024-02-02", at("2024-02-02"), summary="Before the ICPC.")
    entries = log.chronology().entries
    assert entries[1].detail.endswith("Initial child protection conference (ICPC) booked.")
    assert entries[2].detail.endswith("Before the ICPC.")


def test_content_hash_is_stable_and_changes_with_the_record() -> None:
    log = Log()
    registered(log)
    first = log.chronology()
    assert first.content_sha256() == log.chronology().content_sha256()
    log.add("section_47_started", "C1", "2024-02-01", at("2024-02-01"))
    assert log.chronology().content_sha256() != first.content_sha256()
    assert log.chronology().position == 2


def test_significance_table_covers_every_kind_from_the_event_classes() -> None:
    table = significance_table()
    assert {row["kind"] for row in table} == set(EVENT_TYPES)
    by_kind = {row["kind"]: row for row in table}
    assert by_kind["order_made"]["significant_by_default"] is True
    assert by_kind["case_note_recorded"]["significant_by_default"] is False
    for kind, cls in EVENT_TYPES.items():
        assert by_kind[kind]["significant_by_default"] is cls.significant_by_default


def test_documented_significance_table_is_generated_from_the_event_classes() -> None:
    from scripts.chronology_docs import DOC, render

    text = DOC.read_text(encoding="utf-8")
    assert render(text) == text, "docs/chronology.md is stale: python -m scripts.chronology_docs"
    assert "| proceedings | `order_made` | Order made | yes |" in text
