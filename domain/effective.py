"""The record as it now stands: corrections applied, entries recorded in error left out.

History is never rewritten: a correction and an "entry recorded in error" are new events
that point at an earlier one. Every read model that reports facts about the child (status,
deadlines, returns, genograms) reads the *effective* record this module derives; the
chronology and replay show the amendments themselves as well.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from domain.child_record import corrected
from domain.envelope import RecordedEvent
from domain.events.corrections import EntryCorrected, EntryRecordedInError


def effective_events(
    events: Iterable[RecordedEvent], *, as_known_at: datetime | None = None
) -> list[RecordedEvent]:
    """Each entry as it stands, in recorded order (by child, then stream position).

    Only entries recorded by ``as_known_at`` count (all when None), so a correction recorded
    later is not applied. Corrections apply in the order they were recorded; an entry
    recorded in error is dropped; the correction entries themselves are left out. A corrected
    entry comes back with the corrected event in ``.event`` (same id, position and dates).
    """
    known = sorted(
        (e for e in events if as_known_at is None or e.recorded_at <= as_known_at),
        key=lambda e: (e.child_id, e.position),
    )
    fixes: dict[str, list[EntryCorrected]] = {}
    in_error: set[str] = set()
    for item in known:
        if isinstance(item.event, EntryCorrected):
            fixes.setdefault(item.event.target_event_id, []).append(item.event)
        elif isinstance(item.event, EntryRecordedInError):
            in_error.add(item.event.target_event_id)
    result: list[RecordedEvent] = []
    for item in known:
        if item.event_id in in_error or isinstance(
            item.event, EntryCorrected | EntryRecordedInError
        ):
            continue
        if item.event_id in fixes:
            item = replace(item, event=corrected(item.event, fixes[item.event_id]))
        result.append(item)
    return result
