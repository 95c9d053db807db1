"""The caseload list: one row per child with name, identifiers, authority, events, last event date.

The NHS number shown is the consistent identifier (Children Act 2004 s16LC): the latest
``consistent_identifier_recorded`` entry, else the one given at registration.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from pydantic import BaseModel

from domain.effective import effective_events
from domain.envelope import RecordedEvent
from domain.events.corrections import EntryCorrected, EntryRecordedInError
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


_FACTS = (ChildRegistered, ConsistentIdentifierRecorded, AuthorityRecorded)
_AMENDMENTS = (EntryCorrected, EntryRecordedInError)


def caseload(events: Iterable[RecordedEvent]) -> list[CaseloadRow]:
    """Fold the whole log into caseload rows, sorted by child id.

    Names, NHS numbers and authorities are read from the record as it stands: a corrected
    registration shows the corrected name, an entry recorded in error counts for nothing
    (:func:`domain.effective.effective_events`). ``events`` counts every entry on the record,
    amendments included. Only the entries that give a row's facts are held, not the log.
    """
    rows: dict[str, CaseloadRow] = {}
    facts: dict[str, list[RecordedEvent]] = {}
    for item in events:
        event = item.event
        row = rows.get(item.child_id)
        if row is None:
            row = rows[item.child_id] = CaseloadRow(
                child_id=item.child_id, name="", authority=None, events=0, last_event_date=None
            )
        row.events += 1
        if isinstance(event, _FACTS + _AMENDMENTS):
            facts.setdefault(item.child_id, []).append(item)
        day = event.occurred_date
        if row.last_event_date is None or day > row.last_event_date:
            row.last_event_date = day
    for child_id, held in facts.items():
        row = rows[child_id]
        for item in effective_events(held):
            fact = item.event
            if isinstance(fact, ChildRegistered):
                row.name = f"{fact.first_name} {fact.last_name}"
                row.nhs_number = fact.nhs_number or row.nhs_number
            elif isinstance(fact, ConsistentIdentifierRecorded):
                row.nhs_number = fact.nhs_number
            elif isinstance(fact, AuthorityRecorded):
                row.authority = fact.authority
    return sorted(rows.values(), key=lambda r: r.child_id)
