"""Rows built without the frozen ``__init__`` are the rows the ``__init__`` builds."""

from __future__ import annotations

import dataclasses
from dataclasses import FrozenInstanceError, fields

import pytest

from projections.chronology import AmendmentRow, EntryContent, EntryRow, built

CONTENT = {
    "kind": "child_visited",
    "title": "Child visited",
    "category": "direct_work",
    "occurred_at": "2026-03-02T10:00:00+00:00",
    "occurred_key": "2026-03-02T10:00:00.000000Z",
    "occurred_end": "2026-03-02",
    "precision": "time",
    "date_display": "02/03/2026 10:00",
    "detail": "Child visited.",
    "outcome": "",
    "impact": "",
    "source": "Recorded by sw-1 (social worker)",
    "significant": True,
    "late": False,
    "payload": "{}",
}


def _entry(content: EntryContent) -> dict[str, object]:
    return {
        "event_id": "e1",
        "child_id": "C1",
        "position": 1,
        "global_position": 7,
        "recorded_at": "2026-03-02T11:00:00.000000Z",
        "recorded_by": "sw-1 (social worker)",
        "correlation_id": None,
        "content": content,
    }


def test_built_rows_equal_constructed_rows() -> None:
    content = built(EntryContent, CONTENT)
    assert content == EntryContent(**CONTENT)  # type: ignore[arg-type]
    assert hash(content) == hash(EntryContent(**CONTENT))  # type: ignore[arg-type]
    assert repr(content) == repr(EntryContent(**CONTENT))  # type: ignore[arg-type]
    assert dataclasses.asdict(content) == CONTENT
    row = built(EntryRow, _entry(content))
    assert row == EntryRow(**_entry(content))  # type: ignore[arg-type]
    assert dataclasses.replace(row, position=2).position == 2
    amendment = {
        "event_id": "a1",
        "target_event_id": "e1",
        "child_id": "C1",
        "position": 2,
        "global_position": 8,
        "recorded_at": "2026-03-03T11:00:00.000000Z",
        "recorded_by": "sw-1 (social worker)",
        "action": "recorded_in_error",
        "reason": "Wrong child.",
        "changes": "{}",
        "content": None,
    }
    assert built(AmendmentRow, amendment) == AmendmentRow(**amendment)  # type: ignore[arg-type]


def test_built_rows_stay_frozen() -> None:
    content = built(EntryContent, CONTENT)
    with pytest.raises(FrozenInstanceError):
        content.kind = "other"  # type: ignore[misc]


def test_a_different_field_makes_a_different_row() -> None:
    content = built(EntryContent, CONTENT)
    assert content != built(EntryContent, {**CONTENT, "late": True})
    assert [f.name for f in fields(EntryContent)] == list(vars(content))
