"""Turning caller data (JSON objects) into case events, with errors that name the field and rule."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from domain.errors import InvalidEvent
from domain.events import EVENT_TYPES, CaseEvent
from domain.events.base import NEW_INPUT


def first_error(exc: ValidationError, kind: str | None) -> InvalidEvent:
    """The first pydantic error as an InvalidEvent naming the field and the rule."""
    err = exc.errors(include_url=False)[0]
    loc = ".".join(str(part) for part in err["loc"]) or None
    message = err["msg"]
    if err["type"] == "missing":
        message = "is required"
    elif err["type"] == "extra_forbidden":
        message = "is not a field of this event kind"
    return InvalidEvent(message, field=loc, kind=kind)


def parse_event(data: Any) -> CaseEvent:
    """Build a case event from ``{"kind": ..., <fields>}``; InvalidEvent on any broken rule."""
    if not isinstance(data, dict):
        raise InvalidEvent("each event must be a JSON object")
    fields = dict(data)
    kind = fields.pop("kind", None)
    if kind is None:
        raise InvalidEvent("is required", field="kind")
    cls = EVENT_TYPES.get(str(kind))
    if cls is None:
        raise InvalidEvent(
            f"unknown event kind {kind!r} (see `caseledger events` for the catalogue)",
            field="kind",
        )
    if "recorded_at" in fields:
        raise InvalidEvent(
            "is set by the store when the event is recorded, never by the caller",
            field="recorded_at",
            kind=cls.kind,
        )
    try:
        return cls.model_validate(fields, context={NEW_INPUT: True})
    except ValidationError as exc:
        raise first_error(exc, cls.kind) from None


def event_to_data(event: CaseEvent) -> dict[str, Any]:
    """The inverse of :func:`parse_event`: JSON-ready data with the kind."""
    return {"kind": event.kind, **event.payload()}
