"""One order for a day's entries: what was decided at a meeting follows the meeting.

History, the chronology, replay and the review report all use ``domain.ordering``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from domain.ordering import in_occurred_order
from projections.replay import Replay
from projections.review_report import build_report
from tests.unit.test_chronology import Log, at, registered


def _conference_day(log: Log) -> None:
    """The issue's examples, recorded in the order a worker might write them up."""
    registered(log)
    # the plan (date only) is written up before the 10:00 conference that decided it
    log.add("child_protection_plan_started", "C1", "2024-03-05", at("2024-03-05", 12))
    log.add(
        "initial_child_protection_conference_held",
        "C1",
        "2024-03-05T10:00",
        at("2024-03-05", 13),
    )
    # the enquiry (date only) before the 10:00 strategy discussion that started it
    log.add("section_47_started", "C1", "2024-02-20", at("2024-02-20", 11))
    log.add("strategy_discussion_held", "C1", "2024-02-20T10:00", at("2024-02-20", 12))
    # an unrelated date-only entry that day keeps its place before the timed ones
    log.add("case_note_recorded", "C1", "2024-02-20", at("2024-02-20", 16), significant=True)


EXPECTED = [
    "child_registered",
    "case_note_recorded",
    "strategy_discussion_held",
    "section_47_started",
    "initial_child_protection_conference_held",
    "child_protection_plan_started",
]


def test_history_puts_the_decision_after_the_meeting_that_made_it() -> None:
    log = Log()
    _conference_day(log)
    assert [e.event.kind for e in in_occurred_order(log.events)] == EXPECTED


def test_chronology_uses_the_same_order() -> None:
    log = Log()
    _conference_day(log)
    chron = log.chronology(significant_only=False)
    assert [e.kind for e in chron.entries] == EXPECTED
    assert [e.date for e in chron.entries][2:4] == ["20/02/2024 10:00", "20/02/2024"]
    assert [e.serial for e in chron.entries] == [1, 2, 3, 4, 5, 6]


def test_review_report_and_replay_use_the_same_order() -> None:
    from adapters.packs import load_packs

    log = Log()
    _conference_day(log)
    report = build_report(
        log.events,
        load_packs(),
        start=date(2024, 1, 1),
        end=date(2024, 3, 31),
        children=["C1"],
        prepared_on=date(2024, 4, 1),
    )
    assert [r.kind for r in report.timeline] == EXPECTED
    replay = Replay(log.events, load_packs(), children=["C1"])
    moment = datetime(2024, 4, 1, tzinfo=UTC)
    replay.advance(moment)
    snapshot = replay.snapshot(moment)
    assert [e.kind for e in snapshot.chronology().entries] == EXPECTED


def test_a_link_by_id_and_a_correlation_id_order_the_day_too() -> None:
    log = Log()
    registered(log)
    # the order (timed) names nothing; the legal status change names the order by id
    order = log.add("order_made", "C1", "2024-05-01T15:00", at("2024-05-01", 16))
    log.add("hearing_held", "C1", "2024-05-01T14:00", at("2024-05-01", 17))
    status = log.add(
        "legal_status_changed", "C1", "2024-05-01", at("2024-05-01", 15), order_event_id=order
    )
    # a date-only note written by the same action as a 09:00 meeting follows it
    log.add("core_group_held", "C1", "2024-05-02T09:00", at("2024-05-02", 12), correlation_id="X")
    log.add("supervision_held", "C1", "2024-05-02", at("2024-05-02", 11), correlation_id="X")
    log.add("case_note_recorded", "C1", "2024-05-02", at("2024-05-02", 13))
    kinds = [(e.event.kind, e.event_id) for e in in_occurred_order(log.events)][1:]
    assert [k for k, _ in kinds] == [
        "hearing_held",
        "order_made",
        "legal_status_changed",
        "case_note_recorded",
        "core_group_held",
        "supervision_held",
    ]
    assert kinds[2][1] == status


def test_a_cause_on_another_day_does_not_move_an_entry() -> None:
    log = Log()
    registered(log)
    log.add("initial_child_protection_conference_held", "C1", "2024-03-05T10:00", at("2024-03-05"))
    log.add("child_protection_plan_started", "C1", "2024-03-04", at("2024-03-05", 12))
    kinds = [e.event.kind for e in in_occurred_order(log.events)]
    assert kinds[1:] == [
        "child_protection_plan_started",
        "initial_child_protection_conference_held",
    ]
