"""The caseload list: one row per child with name, identifiers, authority, events, last event date.

The NHS number shown is the consistent identifier (Children Act 2004 s16LC): the latest
``consistent_identifier_recorded`` entry, else the one given at registration.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from pydantic import BaseModel

from domain.envelope import RecordedEvent
from domain.events.cwsa2026 import ConsistentIdentifierRecorded
from domain.events.management import AuthorityRecorded
from domain.events.people import ChildRegistered


class CaseloadRow(BaseModel):
    child_id: str
    name: str
    authority: str | None
    events: int
    last_event_date: date | None
    nhs_number: str | None = None


def caseload(events: Iterable[RecordedEvent]) -> list[CaseloadRow]:
    """Fold the whole log into caseload rows, sorted by child id."""
    rows: dict[str, CaseloadRow] = {}
    for item in events:
        event = item.event
        row = rows.get(item.child_id)
        if row is None:
            row = rows[item.child_id] = CaseloadRow(
                child_id=item.child_id, name="", authority=None, events=0, last_event_date=None
            )
        row.events += 1
        if isinstance(event, ChildRegistered):
            row.name = f"{event.first_name} {event.last_name}"
            row.nhs_number = event.nhs_number or row.nhs_number
        elif isinstance(event, ConsistentIdentifierRecorded):
            row.nhs_number = event.nhs_number
        elif isinstance(event, AuthorityRecorded):
            row.authority = event.authority
        day = event.occurred_date
        if row.last_event_date is None or day > row.last_event_date:
            row.last_event_date = day
    return sorted(rows.values(), key=lambda r: r.child_id)
