"""Stored rows back to recorded events: one row, or a page of rows with its keys read at once.

A row's state is the canonical JSON the hash covers; an encrypted store's payloads hold
boxes sealed under their subjects' keys (:mod:`adapters.shredding.sealing`). Decoding a
page first gathers the subjects of every box on it and reads the keys this process does
not hold in one query (:meth:`SubjectKeys.preload`), instead of one query for each subject
as it is met: a rebuild of an encrypted county meets some 200,000 subjects.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import orjson
from eventsourcing.persistence import Notification, StoredEvent
from eventsourcing.utils import resolve_topic

import domain.events  # noqa: F401  (registers every event kind)
from adapters.shredding.erased import erased_event
from adapters.shredding.sealing import SEALED, subjects_in
from adapters.shredding.shredder import EncryptedStore, Shredder
from domain.envelope import RecordedEvent
from domain.events import EVENT_TYPES, CaseEvent

_EVENT_CLASSES: dict[str, type[CaseEvent]] = {}


def event_class(topic: str) -> type[CaseEvent]:
    """The event class a topic column names (cached: resolving a topic imports by name)."""
    cls = _EVENT_CLASSES.get(topic)
    if cls is None:
        cls = _EVENT_CLASSES[topic] = resolve_topic(topic)
    return cls


def from_stored(
    stored: StoredEvent, shredder: Shredder | None = None, sealed: set[str] | None = None
) -> RecordedEvent:
    """The recorded event a stored row holds (``sealed``, if given, gains the subjects whose
    boxes the row's payload holds)."""
    position = stored.id if isinstance(stored, Notification) else None
    return decode_state(stored.state, stored.topic, shredder, sealed, position)


def decode_state(
    state: bytes,
    topic: str,
    shredder: Shredder | None = None,
    sealed: set[str] | None = None,
    position: int | None = None,
) -> RecordedEvent:
    """:func:`from_stored` of a row's state and topic columns (``position``: its place in
    the log, if known), for a reader of rows that needs no ``StoredEvent`` around them."""
    # orjson parses the stored UTF-8 bytes to the same values as json.loads, ~5x faster
    # (it runs for every event every read model, feed page and rebuild reads).
    return decode_parsed(orjson.loads(state), topic, shredder, sealed, position)


def decode_parsed(
    data: dict[str, Any],
    topic: str,
    shredder: Shredder | None = None,
    sealed: set[str] | None = None,
    position: int | None = None,
) -> RecordedEvent:
    """:func:`decode_state` of a row's state already parsed from JSON."""
    # the kind inside the hashed content decides, not the topic column beside it (which
    # the hash does not cover: a relabelled topic is named by ``verify``, not believed)
    cls = EVENT_TYPES.get(data.get("kind", "")) or event_class(topic)
    version = int(data["version"])
    payload = data["payload"]
    erased: set[str] = set()
    if SEALED in payload:
        if shredder is None:
            raise EncryptedStore(
                "this event's personal data is encrypted: open the store with its master key"
            )
        if sealed is not None:
            sealed.update(payload[SEALED])
        payload, erased = shredder.opened_payload(cls, payload)
    current = version == cls.class_version
    if version < cls.class_version:
        payload = cls.upcast(dict(payload), version)
    event = erased_event(cls, payload, erased) if erased else cls.model_validate(payload)
    recorded = RecordedEvent(
        event_id=data["event_id"],
        child_id=data["child_id"],
        position=int(data["position"]),
        recorded_at=datetime.fromisoformat(data["recorded_at"]),
        event=event,
        prev_hash=data["prev_hash"],
        hash=data["hash"],
        stored_version=version,
        global_position=position,
    )
    if current and not erased:  # what was stored is what event.payload() gives: reused
        object.__setattr__(recorded, "stored_payload", payload)
    return recorded


def preload_keys(shredder: Shredder | None, parsed: Iterable[dict[str, Any]]) -> None:
    """Read, in one query per 500, the keys of every subject boxed in these parsed rows
    that this process does not hold yet (nothing to do on a plain store). Rows of another
    shape are passed over: decoding each names what is wrong with it."""
    if shredder is None:
        return
    subjects: set[str] = set()
    for data in parsed:
        payload = data.get("payload") if isinstance(data, dict) else None
        if isinstance(payload, dict) and isinstance(payload.get(SEALED), dict):
            subjects |= subjects_in(payload)
    shredder.preload(subjects)


def parsed_page(states: Iterable[bytes], shredder: Shredder | None) -> list[dict[str, Any]]:
    """A page of rows' states parsed, with the keys their boxes need read in one query."""
    parsed = [orjson.loads(state) for state in states]
    preload_keys(shredder, parsed)
    return parsed


def decode_rows(
    rows: Sequence[StoredEvent], shredder: Shredder | None = None, sealed: set[str] | None = None
) -> list[RecordedEvent]:
    """:func:`from_stored` of each row, the page's keys read first in one query."""
    parsed = parsed_page((row.state for row in rows), shredder)
    return [
        decode_parsed(
            data,
            row.topic,
            shredder,
            sealed,
            row.id if isinstance(row, Notification) else None,
        )
        for row, data in zip(rows, parsed, strict=True)
    ]
