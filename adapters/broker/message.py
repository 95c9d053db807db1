"""One event as one broker message: subject, headers and body; and back again.

- subject ``<prefix>.<la>.<child>.<kind>``: the child's DfE LA code (``none`` before an
  authority is recorded), the child's id pseudonymised unless the subscription carries
  identifiable data, and the event kind;
- headers: ``Nats-Msg-Id`` (the event id: JetStream drops a repeat), and
  ``Caseledger-Position``, ``-Kind``, ``-Version``, ``-Hash``, ``-Content``
  (``analyst`` or ``identifiable``);
- body: JSON of the feed item (:func:`adapters.feed.feed_item`) with, for an analyst's
  subscription, ids pseudonymised and free text withheld (``withheld`` names the fields).

A destroyed record's purge (:mod:`adapters.purges`) is a message too: subject
``<prefix>.<la>.<child>.purge``, ``Nats-Msg-Id`` the disposal certificate's id,
``Caseledger-Certificate`` and ``-Certificate-Hash`` naming it, and a body listing the
data subjects to erase by id (pseudonymised for an analyst) and nothing else. Every
message carries ``Caseledger-Purge``, the last purge number published up to it, beside
``Caseledger-Position``, the last event position (a purge's is the event before it), so
the stream's last message tells a restarted relay where both sequences stand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import orjson

from adapters.broker.redaction import TargetKind, analyst_payload, rebuild_event
from adapters.feed import feed_item
from adapters.purges import PURGE, Purge, purge_item
from domain.envelope import RecordedEvent

Content = Literal["analyst", "identifiable"]

MSG_ID = "Nats-Msg-Id"
POSITION = "Caseledger-Position"
KIND = "Caseledger-Kind"
VERSION = "Caseledger-Version"
HASH = "Caseledger-Hash"
CONTENT = "Caseledger-Content"
PURGES = "Caseledger-Purge"
CERTIFICATE = "Caseledger-Certificate"
CERTIFICATE_HASH = "Caseledger-Certificate-Hash"


@dataclass(frozen=True)
class Message:
    subject: str
    headers: dict[str, str]
    body: bytes


def build_message(
    item: RecordedEvent,
    *,
    prefix: str,
    la: str,
    content: Content,
    pseudonym: Any,
    target_kind: TargetKind | None = None,
    purged: int = 0,
) -> Message:
    """An event's message; ``purged`` is the last purge number published before it."""
    body = feed_item(item)
    child = item.child_id
    if content == "analyst":
        child = pseudonym(item.child_id)
        payload, withheld = analyst_payload(item.kind, body["payload"], pseudonym, target_kind)
        body.update(child_id=child, payload=payload, withheld=withheld)
    headers = {
        MSG_ID: item.event_id,
        POSITION: str(item.global_position),
        KIND: item.kind,
        VERSION: str(item.stored_version),
        HASH: item.hash,
        CONTENT: content,
        PURGES: str(purged),
    }
    return Message(f"{prefix}.{la}.{child}.{item.kind}", headers, orjson.dumps(body))


def build_purge_message(
    purge: Purge, *, prefix: str, la: str, content: Content, pseudonym: Any, position: int
) -> Message:
    """A purge's message; ``position`` is the last event position published before it."""
    body = purge_item(purge, pseudonym if content == "analyst" else str)
    headers = {
        MSG_ID: purge.certificate_id,
        POSITION: str(position),
        KIND: PURGE,
        CERTIFICATE: str(purge.number),
        CERTIFICATE_HASH: purge.hash,
        CONTENT: content,
        PURGES: str(purge.number),
    }
    return Message(f"{prefix}.{la}.{body['child_id']}.{PURGE}", headers, orjson.dumps(body))


@dataclass(frozen=True)
class PurgeNotice:
    """What a consumer reads from a purge message: whose rows to delete."""

    certificate: int
    child_id: str
    subjects: tuple[tuple[str, str], ...]


def decode_any(data: bytes) -> RecordedEvent | PurgeNotice:
    """An event or a purge, from a message body."""
    body = orjson.loads(data)
    if body.get("kind") == PURGE:
        return PurgeNotice(
            int(body["certificate"]),
            str(body["child_id"]),
            tuple((s["type"], s["id"]) for s in body.get("subjects", [])),
        )
    return decode_message(data)


def decode_message(data: bytes) -> RecordedEvent:
    """The recorded event a consumer rebuilds from a message body (hashes not carried)."""
    body = orjson.loads(data)
    event = rebuild_event(body["kind"], body["payload"], body.get("withheld", []))
    return RecordedEvent(
        event_id=body["event_id"],
        child_id=body["child_id"],
        position=int(body["stream_position"]),
        recorded_at=datetime.fromisoformat(body["recorded_at"]),
        event=event,
        prev_hash="",
        hash="",
        stored_version=int(body["version"]),
        global_position=int(body["global_position"]),
    )
