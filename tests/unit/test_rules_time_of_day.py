"""Issue 14 §3: time-of-day deadlines.

"24 hours in advance" of a 10:00 meeting is 10:00 the day before, not the end of that day. A
meeting may be booked for a time (``scheduled_for`` with a time); hour rules keep the
calendar's convention: exact elapsed time, so across a clock change "24 hours" is 24 real hours
(policies/calendar.py, convention 8; tests/unit/test_calendar.py).
"""

from __future__ import annotations

from datetime import timedelta

from adapters.packs import load_packs
from policies.engine import Deadline, Status, evaluate
from tests.unit.deadline_helpers import ChildStream, london

PACKS = load_packs()

KNOWSLEY_ICPC_REPORT = (
    "004_b07548fa3c53f1e2.txt §3: 'I have shared my ICPC report with the family not less than "
    "24 hours in advance of the conference and noted their comments'"
)


def only(deadlines: list[Deadline], rule_id: str) -> list[Deadline]:
    return [d for d in deadlines if d.rule_id == rule_id]


def _icpc_booked(scheduled_for: str, shared_at: str | None) -> Deadline:
    child = ChildStream(authority="knowsley")
    child.add(
        "meeting_scheduled",
        "2026-03-02T09:00",
        meeting_type="initial_conference",
        scheduled_for=scheduled_for,
    )
    if shared_at is not None:
        child.add(
            "report_shared",
            shared_at,
            meeting_type="initial_conference",
            meeting_date=scheduled_for[:10],
            shared_with=["parents", "child"],
        )
    (d,) = only(evaluate(child.events, PACKS, london("2026-05-01")), "icpc_report_shared")
    return d


def test_knowsley_icpc_report_24_hours_before_a_10am_conference_is_due_at_10am_the_day_before() -> (
    None
):
    assert "24 hours in advance" in KNOWSLEY_ICPC_REPORT
    on_time = _icpc_booked("2026-04-16T10:00", "2026-04-15T09:30")
    assert on_time.due == london("2026-04-15T10:00")
    assert on_time.status is Status.MET
    # shared at 14:00 the day before: 20 hours in advance, late (the end of the 15th would
    # have called it on time)
    late = _icpc_booked("2026-04-16T10:00", "2026-04-15T14:00")
    assert late.due == london("2026-04-15T10:00")
    assert late.status is Status.MET_LATE
    assert _icpc_booked("2026-04-16T10:00", None).status is Status.BREACHED


def test_knowsley_icpc_report_the_json_due_carries_the_time_of_day() -> None:
    d = _icpc_booked("2026-04-16T14:30", None).as_json()
    assert d["due"] == "2026-04-15T14:30:00+01:00"
    assert d["rule_id"] == "icpc_report_shared"


def test_a_conference_booked_by_date_only_counts_24_hours_from_the_start_of_its_day() -> None:
    # Without a time the conference could be first thing: 24 hours before the start of
    # Thursday 16 April is the start of Wednesday 15 April (calendar convention 9).
    d = _icpc_booked("2026-04-16", "2026-04-14T16:00")
    assert d.due == london("2026-04-15T00:00")
    assert d.status is Status.MET


def test_24_hours_before_a_conference_across_the_spring_clock_change_is_24_real_hours() -> None:
    # Clocks go forward at 01:00 GMT on Sunday 29 March 2026. 24 hours before 10:00 BST on the
    # 29th (09:00 UTC) is 09:00 UTC on Saturday 28th, which is 09:00 GMT: the hour rule keeps
    # the calendar's exact elapsed time, as every hours deadline does.
    d = _icpc_booked("2026-03-29T10:00", "2026-03-28T09:30")
    assert d.due == london("2026-03-28T09:00")
    assert d.due.utcoffset() == timedelta(0)  # GMT: before the change
    assert d.status is Status.MET_LATE


def test_a_rebooked_conference_is_judged_by_its_new_time() -> None:
    child = ChildStream(authority="knowsley")
    child.add(
        "meeting_scheduled",
        "2026-03-02",
        meeting_type="initial_conference",
        scheduled_for="2026-04-16T10:00",
    )
    child.add(
        "meeting_scheduled",
        "2026-03-09",
        meeting_type="initial_conference",
        scheduled_for="2026-04-17T13:00",
    )
    child.add(
        "report_shared",
        "2026-04-16T12:00",
        meeting_type="initial_conference",
        meeting_date="2026-04-17",
        shared_with=["parents"],
    )
    found = only(evaluate(child.events, PACKS, london("2026-05-01")), "icpc_report_shared")
    assert [(d.due, d.status) for d in found] == [
        (london("2026-04-15T10:00"), Status.CANCELLED),
        (london("2026-04-16T13:00"), Status.MET),
    ]


def test_york_placement_visit_within_24_hours_keeps_the_time_of_placement() -> None:
    # 003_8160ba9d01af632f.txt Standard 4: "A child/young person must be visited within 24
    # hours of being placed". Placed at 15:30 on Thursday 2 April 2026: due 15:30 on Friday 3rd.
    child = ChildStream(authority="york")
    child.add(
        "became_looked_after",
        "2026-04-02T15:00",
        legal_status="V2",
        legal_basis="s20",
        category_of_need="N1",
    )
    child.add("placement_started", "2026-04-02T15:30", placement_id="pl-1")
    child.add("child_visited", "2026-04-03T16:00", seen=True, location="placement")
    (d,) = only(evaluate(child.events, PACKS, london("2026-04-10")), "placement_visit")
    assert d.due == london("2026-04-03T15:30")
    assert d.status is Status.MET_LATE


def test_a_meeting_booked_for_a_time_reads_back_as_london_time() -> None:
    child = ChildStream()
    item = child.add(
        "meeting_scheduled",
        "2026-03-02",
        meeting_type="initial_conference",
        scheduled_for="2026-04-16T10:00",
    )
    dumped = item.event.model_dump(mode="json")
    # its own occurred_at is still read as London time (the field validators are its own)
    child.add(
        "meeting_scheduled",
        "2026-03-02T09:00",
        meeting_type="core_group",
        scheduled_for="2026-04-16",
    )
    assert child.events[-1].event.occurred_at.utcoffset() == timedelta(0)
    assert dumped["scheduled_for"] == "2026-04-16T10:00:00+01:00"
    date_only = child.add(
        "meeting_scheduled", "2026-03-02", meeting_type="core_group", scheduled_for="2026-04-16"
    )
    assert date_only.event.model_dump(mode="json")["scheduled_for"] == "2026-04-16"
