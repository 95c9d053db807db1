"""The records a genogram is drawn from, read through the gate, for the CLI and the web app.

The index child's record must be readable ("genogram" in its access log). Of the family's
other records (the children sharing its family id), only those the account may read are
taken, each logged ("genogram (family)"); ``left_out`` says some were not.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from eventsourcing.utils import get_topic

from adapters.auth.guard import Gate
from adapters.store import EventStore
from domain.access import Action
from domain.envelope import RecordedEvent
from domain.events.people import ChildRegistered
from projections.genogram import family_children

__all__ = ["GenogramRecords", "genogram_records", "registrations"]


def registrations(store: EventStore) -> Iterator[RecordedEvent]:
    """Every child_registered entry in the log (read by topic, so other entries are skipped)."""
    topic = get_topic(ChildRegistered)
    position = 0
    while True:
        page = store.notifications(after=position, limit=5000, topics=[topic])
        if not page:
            return
        yield from page
        position = page[-1].global_position or position


@dataclass(frozen=True)
class GenogramRecords:
    events: list[RecordedEvent]
    children: list[str]
    """The records read: the index child's and the family's readable ones, sorted."""
    left_out: bool


def genogram_records(store: EventStore, gate: Gate, child: str) -> GenogramRecords:
    gate.read(child, Action.READ, "genogram")
    events = gate.stream(child)
    linked = family_children(registrations(store), child)
    others = gate.readable([c for c in linked if c != child], Action.READ)
    gate.read_many(others, Action.READ, "genogram (family)")
    for other in others:
        events.extend(gate.stream(other))
    return GenogramRecords(
        events=events,
        children=[c for c in linked if c == child or c in others],
        left_out=len(others) < len(linked) - 1,
    )
