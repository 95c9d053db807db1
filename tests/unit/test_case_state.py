"""Whether a child's case is open (the overdue list's filter), from the record as it stands."""

from __future__ import annotations

from datetime import datetime, time

from domain.events.base import LONDON
from projections.case_state import case_state
from tests.unit.deadline_helpers import ChildStream, london


def _closed_child() -> ChildStream:
    child = ChildStream("C-CASE")
    child.add("referral_received", "2026-03-02T10:00")
    child.add("case_closed", "2026-04-10")
    return child


def test_a_child_never_closed_is_open() -> None:
    child = ChildStream("C-CASE")
    child.add("referral_received", "2026-03-02T10:00")
    state = case_state(child.events)
    assert (state.open, state.closed_at) == (True, None)
    assert state.covers(london("2021-01-01"))


def test_a_closure_closes_the_whole_of_its_day() -> None:
    state = case_state(_closed_child().events)
    end_of_day = datetime.combine(datetime(2026, 4, 10).date(), time.max, tzinfo=LONDON)
    assert (state.open, state.closed_at) == (False, end_of_day)
    assert not state.covers(london("2026-05-01"))


def test_before_the_closure_happened_the_case_was_open() -> None:
    assert case_state(_closed_child().events, london("2026-04-09")).open


def test_a_later_referral_opens_the_case_again_but_not_the_closed_episode() -> None:
    child = _closed_child()
    child.add("referral_received", "2026-06-01T09:00")
    state = case_state(child.events)
    assert state.open
    assert not state.covers(london("2026-04-10"))  # due in the episode that closed
    assert state.covers(london("2026-06-02"))


def test_a_case_note_after_the_closure_does_not_open_it() -> None:
    child = _closed_child()
    child.add("case_note_recorded", "2026-06-01", note="Letter received.")
    assert not case_state(child.events).open


def test_a_closure_recorded_in_error_never_closed_the_case() -> None:
    child = _closed_child()
    closure = child.events[-1]
    child.add(
        "entry_recorded_in_error",
        "2026-04-20",
        target_event_id=closure.event_id,
        reason="Wrong child.",
    )
    assert case_state(child.events).open
    # as known before the in-error entry, it was closed
    assert not case_state([e for e in child.events if e.position < len(child.events)]).open
