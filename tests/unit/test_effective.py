"""The effective record: what every status, deadline and return reads."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from domain.child_record import ChildRecord
from domain.effective import effective_events
from tests.factories import example


def _recorded(*steps: tuple[datetime, object]) -> list:  # type: ignore[type-arg]
    record = ChildRecord("C-EX-1")
    ids = itertools.count(1)
    out = []
    for moment, event in steps:
        decision = record.record([event], recorded_at=moment, new_id=lambda: f"e{next(ids)}")  # type: ignore[list-item]
        record.commit(decision)
        out.extend(decision.new)
    return out


def test_corrections_apply_in_order_and_in_error_entries_drop_out() -> None:
    t = [datetime(2026, 3, d, 12, tzinfo=UTC) for d in range(1, 8)]
    events = _recorded(
        (t[0], example("child_registered", occurred_at="2026-01-05")),
        (t[1], example("case_note_recorded", occurred_at="2026-03-02", summary="first")),
        (t[2], example("case_note_recorded", occurred_at="2026-03-03", summary="wrong child")),
        (
            t[3],
            example(
                "entry_corrected",
                occurred_at="2026-03-04",
                target_event_id="e2",
                changes={"summary": "first, corrected"},
            ),
        ),
        (t[4], example("entry_recorded_in_error", occurred_at="2026-03-05", target_event_id="e3")),
        (
            t[5],
            example(
                "entry_corrected",
                occurred_at="2026-03-06",
                target_event_id="e2",
                changes={"summary": "first, corrected twice"},
            ),
        ),
    )
    now = effective_events(events)
    assert [(e.event_id, e.event.summary) for e in now] == [
        ("e1", "Example child registered."),
        ("e2", "first, corrected twice"),
    ]
    assert now[1].recorded_at == t[1]  # the entry keeps its own recording time
    then = effective_events(events, as_known_at=t[3])
    assert [(e.event_id, e.event.summary) for e in then] == [
        ("e1", "Example child registered."),
        ("e2", "first, corrected"),
        ("e3", "wrong child"),
    ]
