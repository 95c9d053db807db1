"""A recorded event: the caller's case event wrapped with what only the store knows.

Every child's stream is hash-chained. Each recorded event's ``hash`` is the SHA-256
of its canonical content, which includes ``prev_hash``, the hash of the event
before it in the same stream (64 zeros for the first). Changing any stored byte
of any event, outside the application, breaks the chain from that event on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import orjson

from domain.events.base import CaseEvent

GENESIS_HASH = "0" * 64


def canonical_json(data: Any) -> bytes:
    """One byte string per value: sorted keys, no spaces, UTF-8.

    The bytes are those of ``json.dumps(data, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False).encode()``: every stored hash was computed over them. orjson writes
    the same bytes ~3x faster for plain values (str, int, bool, None, and lists and
    str-keyed dicts of them), so it writes those; anything else (floats, which orjson
    spells differently, tuples, subclasses, ...) and anything orjson refuses (an int
    beyond 64 bits, a lone surrogate) goes through the stdlib as before, errors included.
    """
    if _plain(data):
        try:
            return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:
            pass
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _plain(value: Any) -> bool:
    """Whether ``value`` is made only of exact str, int, bool, None, list and str-keyed dict.

    Scalars inside a container are judged in the container's loop (a call per container,
    not per value: this walk was a tenth of a bulk import's time).
    """
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                return False
            inner = type(item)
            if inner is str or inner is int or inner is bool or item is None:
                continue
            if (inner is not dict and inner is not list) or not _plain(item):
                return False
        return True
    if kind is list:
        for item in value:
            inner = type(item)
            if inner is str or inner is int or inner is bool or item is None:
                continue
            if (inner is not dict and inner is not list) or not _plain(item):
                return False
        return True
    return kind is str or kind is int or kind is bool or value is None


_ALLOWED_CONTROLS = frozenset("\t\n\r")


def may_hold_control_characters(canonical: bytes) -> bool:
    """False if canonical JSON bytes certainly hold no refused control character.

    JSON escapes every C0 control (``\\u0000``..., ``\\b``, ``\\f``), so bytes without
    those escapes need no closer look; with one (it may also be an escaped backslash
    followed by ``b``), :func:`refused_text` decides.
    """
    if b"\\" not in canonical:  # no escape at all (most events): one scan, no more
        return False
    return b"\\u00" in canonical or b"\\b" in canonical or b"\\f" in canonical


def refused_text(value: Any, path: str = "") -> tuple[str, str] | None:
    """The first text (key or value) in ``value`` a case record refuses: (field path, rule).

    Refused: C0 control characters other than tab, newline and carriage return (NUL among
    them, which PostgreSQL cannot store in text and which no case note needs), and lone
    surrogates (not characters: they cannot be written as UTF-8). The rule names the
    character's code point and place, never the text itself (it may be personal data).
    """
    if isinstance(value, str):
        for place, char in enumerate(value):
            code = ord(char)
            if (code < 0x20 and char not in _ALLOWED_CONTROLS) or 0xD800 <= code <= 0xDFFF:
                what = "a lone surrogate" if code >= 0xD800 else "a control character"
                return path or "value", (
                    f"contains {what} (U+{code:04X}) at character {place + 1}: text may hold "
                    "tab, newline and carriage return, but no other control character"
                )
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            found = refused_text(key, name) if isinstance(key, str) else None
            found = found or refused_text(item, name)
            if found:
                return found
        return None
    if isinstance(value, list | tuple):
        for number, item in enumerate(value):
            found = refused_text(item, f"{path}.{number}" if path else str(number))
            if found:
                return found
    return None


def content_hash(content: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of everything stored except the hash itself."""
    return hashlib.sha256(canonical_json(content)).hexdigest()


@dataclass(frozen=True)
class RecordedEvent:
    """One immutable entry in a child's stream."""

    event_id: str
    child_id: str
    position: int
    recorded_at: datetime
    event: CaseEvent
    prev_hash: str
    hash: str
    stored_version: int
    global_position: int | None = None
    # The canonical JSON bytes ``seal`` hashed, kept so the store can write them without
    # serialising the event again. Not an init field: ``replace`` (which may change what
    # is stored) drops it, and then the store serialises from the fields as before.
    sealed_bytes: bytes | None = field(default=None, init=False, compare=False, repr=False)
    # The event's payload as stored (JSON-ready), when it is known without serialising the
    # event again: set by ``seal`` and by the store's decoder for an event stored at its
    # class's current version. Read-only by convention; ``replace`` drops it.
    stored_payload: dict[str, Any] | None = field(
        default=None, init=False, compare=False, repr=False
    )

    @property
    def kind(self) -> str:
        return self.event.kind

    def payload(self) -> dict[str, Any]:
        """The event's fields as JSON-ready data (``event.payload()``, without redoing it).

        Callers must not change the dict: it may be the one the record was stored from.
        """
        if self.stored_payload is not None:
            return self.stored_payload
        return self.event.payload()

    def with_global_position(self, position: int) -> RecordedEvent:
        return replace(self, global_position=position)

    def stored_content(self) -> dict[str, Any]:
        """What is stored and hashed (the payload as written, at the version it was written)."""
        return stored_content(
            event_id=self.event_id,
            child_id=self.child_id,
            position=self.position,
            recorded_at=self.recorded_at,
            kind=self.event.kind,
            version=self.stored_version,
            payload=self.payload(),
            prev_hash=self.prev_hash,
        )


def stored_content(
    *,
    event_id: str,
    child_id: str,
    position: int,
    recorded_at: datetime,
    kind: str,
    version: int,
    payload: dict[str, Any],
    prev_hash: str,
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "child_id": child_id,
        "position": position,
        "recorded_at": recorded_at.isoformat(),
        "kind": kind,
        "version": version,
        "payload": payload,
        "prev_hash": prev_hash,
    }


PayloadSealer = Callable[[CaseEvent, dict[str, Any]], dict[str, Any]]
"""Turns an event's payload into the payload as stored (personal fields encrypted)."""


def seal(
    *,
    event_id: str,
    position: int,
    recorded_at: datetime,
    event: CaseEvent,
    prev_hash: str,
    store_as: PayloadSealer | None = None,
) -> RecordedEvent:
    """Wrap a new case event for storage, computing its place in the hash chain.

    ``store_as`` (crypto-shredding) gives the payload as stored: the hash covers those bytes,
    ciphertext and all, while the recorded event keeps the plain payload for projections.
    """
    plain = event.payload()
    content = stored_content(
        event_id=event_id,
        child_id=event.child_id,
        position=position,
        recorded_at=recorded_at,
        kind=event.kind,
        version=event.class_version,
        payload=plain if store_as is None else store_as(event, plain),
        prev_hash=prev_hash,
    )
    payload = plain
    canonical = canonical_json(content)
    recorded = RecordedEvent(
        event_id=event_id,
        child_id=event.child_id,
        position=position,
        recorded_at=recorded_at,
        event=event,
        prev_hash=prev_hash,
        hash=hashlib.sha256(canonical).hexdigest(),
        stored_version=event.class_version,
    )
    object.__setattr__(recorded, "sealed_bytes", canonical)
    object.__setattr__(recorded, "stored_payload", payload)
    return recorded


def with_hash(canonical: bytes, hash_: str) -> bytes:
    """The canonical JSON of the content plus its ``hash`` key, from the content's bytes.

    Equal to ``canonical_json({**content, "hash": hash_})``: keys are sorted, so ``hash``
    sits just before the top-level ``kind``. ``,"kind":`` cannot occur earlier, because
    only ``child_id`` and ``event_id`` (JSON strings, whose quotes are escaped) precede it.
    """
    at = canonical.index(b',"kind":')
    return b'%s,"hash":"%s"%s' % (canonical[:at], hash_.encode(), canonical[at:])
