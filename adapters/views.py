"""JSON and text views of recorded events shared by the CLI and the HTTP layer."""

from __future__ import annotations

from typing import Any

from domain.envelope import RecordedEvent
from domain.events.corrections import EntryCorrected, EntryRecordedInError
from projections.chronology import is_late


def history_entry(item: RecordedEvent) -> dict[str, Any]:
    """One history line as stable JSON for consumers."""
    event = item.event
    return {
        "event_id": item.event_id,
        "position": item.position,
        "global_position": item.global_position,
        "child_id": item.child_id,
        "kind": event.kind,
        "occurred_at": event.occurred_at.isoformat(),
        "recorded_at": item.recorded_at.isoformat(),
        "recorded_by": event.recorded_by.model_dump(),
        "summary": event.summary,
        "significant": event.is_significant,
        "correlation_id": event.correlation_id,
        "payload": event.payload(),
    }


def history_notes(items: list[RecordedEvent]) -> dict[str, list[str]]:
    """Plain notes for people reading a history: late entries, corrections, entries in error."""
    by_id = {item.event_id: item for item in items}
    notes: dict[str, list[str]] = {}
    for item in items:
        if is_late(item.event, item.recorded_at):  # the chronology's definition, one for all
            delay = item.recorded_at - item.event.occurred_instant
            notes.setdefault(item.event_id, []).append(f"recorded late ({delay.days} days after)")
        if not isinstance(item.event, EntryCorrected | EntryRecordedInError):
            continue  # (asking any other event for a missing field costs pydantic's error)
        target = by_id.get(item.event.target_event_id)
        if target is None:
            continue
        if isinstance(item.event, EntryCorrected):
            notes.setdefault(target.event_id, []).append(f"corrected by #{item.position}")
            notes.setdefault(item.event_id, []).append(f"corrects #{target.position}")
        elif isinstance(item.event, EntryRecordedInError):
            notes.setdefault(target.event_id, []).append(f"recorded in error (#{item.position})")
            notes.setdefault(item.event_id, []).append(f"marks #{target.position} in error")
    return notes
