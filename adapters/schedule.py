"""One child's deadline schedule as the CLI and HTTP give it (the same JSON from both).

:func:`child_schedule` judges a child's deadlines at ``at`` from the record as it was known at
``as_known_at``: only what had been recorded by then, less what had been marked recorded in
error by then (a correction recorded later is not applied). It reads the record exactly as
``history --as-known-at`` does (:meth:`adapters.store.EventStore.history`) and judges it with
the engine, so it is the deadlines of the replay's snapshot at that moment.

:func:`deadline_json` is a deadline's stable JSON (:meth:`policies.engine.Deadline.as_json`,
whose fields never change) with what people read added beside it: ``met_by`` (the id of the
event that met it) and ``met_by_text`` (that event's kind and date), the same for what
cancelled it, and ``source`` (the authority's document and section, :mod:`policies.sources`).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from adapters.store import EventStore
from domain.envelope import RecordedEvent
from domain.events.base import LONDON
from domain.ordering import in_occurred_order
from policies.engine import Deadline, evaluate, evaluate_ahead, judged_at
from policies.rules import Pack, PackSet
from policies.sources import cite

__all__ = ["ChildSchedule", "child_schedule", "deadline_json", "event_text"]


@dataclass(frozen=True)
class ChildSchedule:
    child_id: str
    at: datetime
    as_known_at: datetime | None
    deadlines: list[Deadline]
    events: Mapping[str, RecordedEvent]
    """The events the schedule was judged from, by id (to name what met each deadline)."""

    def as_json(self) -> list[dict[str, Any]]:
        return [deadline_json(d, self.events) for d in self.deadlines]


def child_schedule(
    store: EventStore,
    child_id: str,
    packs: PackSet,
    at: datetime | None,
    *,
    as_known_at: datetime | None = None,
    pack: str | Pack | None = None,
    stream: Sequence[RecordedEvent] | None = None,
    packs_key: Hashable | None = None,
) -> ChildSchedule:
    """The child's deadlines judged at ``at`` (default: ``as_known_at``) from what was known.

    Raises :class:`domain.errors.UnknownChild` when the store has no record of the child.
    ``stream``: the child's stream when the caller has read it already (not read again).
    ``packs_key`` (:func:`adapters.packs.packs_key` of ``packs``): on a server, the record as
    it now stands is evaluated once per stream version and judged at each ``at``
    (:func:`policies.engine.evaluate_ahead`), when everything on it had been recorded and
    had happened by ``at``.
    """
    moment = at or as_known_at
    if moment is None:
        raise ValueError("give the moment to judge at (at or as_known_at)")
    if stream is None:
        stream = store.stream(child_id)
    events: Sequence[RecordedEvent] = (
        stream if as_known_at is None else known_by(stream, as_known_at)
    )
    if (
        packs_key is not None
        and as_known_at is None
        and pack is None
        and store.settled(child_id, stream, moment)
    ):
        ahead = store.derived(
            child_id, stream, ("deadlines", packs_key), lambda: evaluate_ahead(stream, packs)
        )
        deadlines = judged_at(ahead, moment)
    else:
        deadlines = evaluate(events, packs, moment, pack=pack)
    return ChildSchedule(
        child_id=child_id,
        at=moment,
        as_known_at=as_known_at,
        deadlines=deadlines,
        events={e.event_id: e for e in events},
    )


def known_by(stream: Sequence[RecordedEvent], as_known_at: datetime) -> list[RecordedEvent]:
    """What of a stream had been recorded by ``as_known_at``, in occurred order (as
    :meth:`adapters.store.EventStore.history` gives it)."""
    return in_occurred_order(e for e in stream if e.recorded_at <= as_known_at)


def event_text(event_id: str | None, events: Mapping[str, RecordedEvent]) -> str | None:
    """An event named for people: its kind and when it happened ("child visited on 06 May
    2021"); the id itself when the event is not among ``events``."""
    if event_id is None:
        return None
    item = events.get(event_id)
    if item is None:
        return event_id
    return f"{item.kind.replace('_', ' ')} on {_when(item.event.occurred_at)}"


def _when(value: date | datetime) -> str:
    if isinstance(value, datetime):
        local = value.astimezone(LONDON)
        if (local.hour, local.minute) == (0, 0):
            return local.strftime("%a %d %b %Y")
        return local.strftime("%a %d %b %Y %H:%M")
    return value.strftime("%a %d %b %Y")


def deadline_json(d: Deadline, events: Mapping[str, RecordedEvent]) -> dict[str, Any]:
    """The deadline's JSON with the readable fields added (see the module docstring)."""
    out = d.as_json()
    cited = cite(d.citation)
    out.update(
        met_by=d.satisfied_by_event_id,
        met_by_text=event_text(d.satisfied_by_event_id, events),
        cancelled_by_text=event_text(d.cancelled_by_event_id, events),
        extended_by_text=event_text(d.extended_by_event_id, events),
        source=cited.source,
        citation_text=cited.text,
    )
    return out
