"""A conference on a weekend or bank holiday: the record warns (and records); synth never does it."""

from __future__ import annotations

from adapters.synthetic.synth import generate
from policies.calendar import WorkingDayCalendar
from policies.conference_dates import conference_date_warnings
from tests.factories import example

CONFERENCES = {
    "initial_child_protection_conference_held",
    "review_child_protection_conference_held",
}


def test_a_conference_on_a_weekend_or_bank_holiday_is_warned_of() -> None:
    events = [
        example("initial_child_protection_conference_held", "C1", "2026-06-06T10:00"),
        example("review_child_protection_conference_held", "C1", "2026-05-25"),
        example("review_child_protection_conference_held", "C1", "2026-06-08"),
        example("core_group_held", "C1", "2026-06-07"),
    ]
    assert conference_date_warnings(events) == [
        "event 0 (initial_child_protection_conference_held) for C1: occurred_at 06/06/2026 is "
        "Saturday; a conference is held on a working day - check the date (recorded as given)",
        "event 1 (review_child_protection_conference_held) for C1: occurred_at 25/05/2026 is "
        "a bank holiday; a conference is held on a working day - check the date (recorded as "
        "given)",
    ]


def test_synthetic_conferences_are_on_working_days() -> None:
    calendar = WorkingDayCalendar()
    days = [
        step.event.occurred_date
        for journey in generate(children=600, seed=3)
        for step in journey.steps
        if step.event.kind in CONFERENCES
    ]
    assert len(days) > 200
    assert [d for d in days if not calendar.is_working_day(d)] == []
