"""Purges: a destroyed record's disposal certificate as an item of the feed, in log order.

When ``retention destroy`` takes a child's keys, downstream copies (reporting tables, an
analyst's warehouse) must erase that child too. Each disposal certificate
(:mod:`adapters.disposal_log`) is therefore also a feed item of kind ``purge`` naming the
certificate (number and hash), the child and the data subjects whose keys went, by id
only: no name, no reason, no free text.

**Its place in the feed.** The disposal log is its own table with its own sequence (the
certificate number), so a purge has two coordinates: its number, and ``feed_position``,
the last event position of the log when the certificate was written (recorded in the
certificate, see :func:`adapters.disposal_log.append`). The feed is the two sequences
merged: a purge comes right after the event at its ``feed_position`` (so after every
event of the child written before the destruction) and before the next one. A reader
keeps a pair, (last event position, last purge number): an event moves the first, a
purge the second only. Resumed from any pair saved after any item, the merge gives the
rest exactly once, because each sequence is resumed on its own and neither ever goes
back. A reader that keeps only an event position (``--after N``) is taken to have seen
the purges placed before event ``N``; those after it are given with the next event (see
:func:`adapters.feed.read_feed`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from adapters import disposal_log
from adapters.db import sql_engine
from adapters.store import EventStore

T = TypeVar("T")

PURGE = "purge"
"""The feed kind (and the last subject token) of a purge."""


@dataclass(frozen=True)
class Purge:
    number: int
    hash: str
    child_id: str
    subjects: tuple[str, ...]
    """``child:<id>`` and ``person:<id>``: the data subjects whose keys were destroyed."""
    destroyed_at: str
    feed_position: int

    @property
    def certificate_id(self) -> str:
        """The certificate's id: its number and its hash (the broker's message id)."""
        return f"disposal-{self.number}-{self.hash}"


def _anchor(store: EventStore, content: dict[str, Any]) -> int:
    """Where the purge goes: the certificate's ``feed_position``.

    A certificate written before purges were carried has none; it goes after the child's
    last event (the record was destroyed after it).
    """
    value = content.get("feed_position")
    if isinstance(value, int):
        return value
    positions = [e.global_position or 0 for e in store.stream(str(content["child_id"]))]
    return max(positions, default=0)


def purges(store: EventStore, after: int = 0) -> list[Purge]:
    """The disposal certificates numbered after ``after``, as purges, in number order."""
    out = []
    for certificate in disposal_log.certificates(sql_engine(store.url)):
        if certificate.number <= after:
            continue
        content = certificate.content
        out.append(
            Purge(
                number=certificate.number,
                hash=certificate.hash,
                child_id=str(content["child_id"]),
                subjects=tuple(str(s) for s in content.get("subjects_destroyed", [])),
                destroyed_at=str(content.get("destroyed_at", "")),
                feed_position=_anchor(store, content),
            )
        )
    return out


def seen_before(store: EventStore, after: int) -> int:
    """The purge number a reader at event position ``after`` alone has dealt with.

    Purges placed before event ``after`` (their ``feed_position`` below it) came before it.
    """
    done = [p.number for p in purges(store) if p.feed_position < after]
    return max(done, default=0)


def subject_ids(purge: Purge, pseudonym: Callable[[str], str]) -> list[dict[str, str]]:
    """The subjects to erase as ``{"type": "child"|"person", "id": ...}``, ids through ``pseudonym``."""
    out = []
    for subject in purge.subjects:
        kind, _, value = subject.partition(":")
        out.append({"type": kind, "id": pseudonym(value)})
    return out


def purge_item(purge: Purge, pseudonym: Callable[[str], str] = str) -> dict[str, Any]:
    """The feed item of a purge (``pseudonym`` applied to every id; no personal data)."""
    return {
        "global_position": purge.feed_position,
        "purge_position": purge.number,
        "kind": PURGE,
        "certificate": purge.number,
        "certificate_id": purge.certificate_id,
        "certificate_hash": purge.hash,
        "child_id": pseudonym(purge.child_id),
        "subjects": subject_ids(purge, pseudonym),
        "destroyed_at": purge.destroyed_at,
    }


def merge(
    events: Iterable[T], position: Callable[[T], int], pending: Iterable[Purge]
) -> list[T | Purge]:
    """Events (in log order) and purges (in number order) in feed order.

    A purge goes after every event at or before its ``feed_position``; purges placed at
    the same point keep their number order.
    """
    keyed: list[tuple[tuple[int, int, int], T | Purge]] = [
        ((position(e), 0, i), e) for i, e in enumerate(events)
    ]
    keyed += [((p.feed_position, 1, p.number), p) for p in pending]
    keyed.sort(key=lambda pair: pair[0])
    return [item for _, item in keyed]


def due(pending: list[Purge], page_end: int | None) -> list[Purge]:
    """The pending purges to place among a page of events ending at ``page_end``.

    Those at or before the page's last event; at the end of the log (``page_end`` None),
    all that are left.
    """
    if page_end is None:
        return list(pending)
    return [p for p in pending if p.feed_position <= page_end]


def interleave(
    pages: Iterator[list[Any]], position: Callable[[Any], int], pending: list[Purge]
) -> Iterator[Any]:
    """Pages of events (each in log order, the last one empty at the log's end) with purges."""
    waiting = list(pending)
    for page in pages:
        now = due(waiting, position(page[-1]) if page else None)
        waiting = [p for p in waiting if p not in now]
        yield from merge(page, position, now)
        if not page:
            return
