"""The feed as a performance analyst sees it: ids pseudonymised, no free text.

Child, event and person ids become stable pseudonyms (HMAC-SHA256 under a key derived from
the store's checkpoint key, so the same child has the same pseudonym in every extract and
nobody without the key can reverse it). Of the payload only coded values are kept: dates,
numbers, yes/no and the values of code lists (enums); every plain text field (summaries,
notes, names, reasons, worker ids) is left out.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import types
import typing
from datetime import date, datetime
from typing import Any

from adapters.db import parse_database
from adapters.keys import load_key, sign
from adapters.store import EventStore
from domain.events import EVENT_TYPES

_CODED = (bool, int, float, date, datetime)


def _coded(annotation: Any) -> bool:
    """Whether a field's type holds codes only (no free text): enums, dates, numbers."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return bool(args) and all(_coded(a) for a in args)
    if origin is typing.Literal:
        return True
    if isinstance(annotation, type):
        return issubclass(annotation, enum.Enum) or issubclass(annotation, _CODED)
    return False


@functools.cache
def coded_fields(kind: str) -> frozenset[str]:
    cls = EVENT_TYPES.get(kind)
    if cls is None:
        return frozenset()
    return frozenset(
        name
        for name, info in cls.model_fields.items()
        if name not in ("child_id", "summary") and _coded(info.annotation)
    )


@functools.cache
def _key(url: str) -> bytes:
    key = load_key(parse_database(url), create=True)
    assert key is not None
    return hashlib.sha256(sign(key, b"caseledger pseudonyms v1").encode()).digest()


def pseudonym(url: str, value: str) -> str:
    return "P-" + sign(_key(url), value.encode())[:20]


def pseudonymise_item(store: EventStore, item: dict[str, Any]) -> dict[str, Any]:
    keep = coded_fields(item["kind"])
    return {
        "global_position": item["global_position"],
        "event_id": pseudonym(store.url, item["event_id"]),
        "child_id": pseudonym(store.url, item["child_id"]),
        "stream_position": item["stream_position"],
        "kind": item["kind"],
        "version": item["version"],
        "occurred_at": item["occurred_at"],
        "recorded_at": item["recorded_at"],
        "payload": {k: v for k, v in item["payload"].items() if k in keep},
    }
