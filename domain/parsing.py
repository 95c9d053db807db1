"""Turning caller data (JSON) into case events, with errors that name the field and rule.

Strict: the JSON types are taken as they are (a number is never a date, ``"yes"`` is never
true), every value is bounded (:mod:`domain.limits`), and no refusal echoes the value given
(it may be a child's name, date of birth or UPN).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import orjson
from pydantic import BaseModel, TypeAdapter, ValidationError

from domain import limits
from domain.errors import InvalidEvent
from domain.events import EVENT_TYPES, CaseEvent
from domain.events.base import LONDON, NEW_INPUT


def decode_json(raw: bytes | str, what: str = "input") -> Any:
    """Parse JSON text strictly: valid UTF-8, at most 1024 levels, numbers a double holds.

    InvalidEvent names what was being read and the rule; never a traceback, never the text.
    """
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        reason = str(error.msg) if hasattr(error, "msg") else str(error)
        if "infinity" in reason or "number" in reason:
            reason = f"a number is too large (at most {limits.MAX_INTEGER} in magnitude)"
        elif "depth" in reason:
            reason = f"nested too deep (an event is at most {limits.MAX_DEPTH} levels)"
        where = f" (line {error.lineno}, column {error.colno})" if error.lineno else ""
        raise InvalidEvent(f"not valid JSON{where}: {reason}", field=what) from None


_KIND = re.compile(r"[a-z][a-z0-9_]{0,63}")
_TYPE_TAGS = frozenset({"date", "datetime", "str", "int", "bool", "float", "list", "dict"})
_TYPE_ERRORS = frozenset({"datetime_type", "date_type", "datetime_parsing", "date_parsing"})


def _type_tag(part: str | int) -> bool:
    """Whether a location part names a union member's type rather than a field."""
    return isinstance(part, str) and (part in _TYPE_TAGS or "[" in part)


def first_error(exc: ValidationError, kind: str | None) -> InvalidEvent:
    """The first pydantic error as an InvalidEvent naming the field and the rule."""
    return every_error(exc, kind)[0]


def every_error(exc: ValidationError, kind: str | None) -> list[InvalidEvent]:
    """Each pydantic error as an InvalidEvent naming its field and rule (a form shows them all)."""
    errors = exc.errors(include_url=False, include_input=False, include_context=False)
    return [_one_error(err, kind) for err in errors]


def _one_error(err: Any, kind: str | None) -> InvalidEvent:
    parts = [str(part) for part in err["loc"] if not _type_tag(part)]
    loc = ".".join(parts) or None
    message = err["msg"]
    if loc == "occurred_at" and err["type"] in _TYPE_ERRORS:
        message = "must be an ISO date (2026-04-07) or datetime (2026-04-07T09:30) as text"
    elif err["type"] == "missing":
        message = "is required"
    elif err["type"] == "extra_forbidden":
        message = "is not a field of this event kind"
    elif message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return InvalidEvent(message, field=loc, kind=kind)


def parse_event(data: Any) -> CaseEvent:
    """Build a case event from ``{"kind": ..., <fields>}``; InvalidEvent on any broken rule."""
    if not isinstance(data, dict):
        raise InvalidEvent("each event must be a JSON object")
    fields = dict(data)
    kind = fields.pop("kind", None)
    if kind is None:
        raise InvalidEvent("is required", field="kind")
    cls = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        shown = f" {kind!r}" if isinstance(kind, str) and _KIND.fullmatch(kind) else ""
        raise InvalidEvent(
            f"unknown event kind{shown} (see `caseledger events` for the catalogue)",
            field="kind",
        )
    if "recorded_at" in fields:
        raise InvalidEvent(
            "is set by the store when the event is recorded, never by the caller",
            field="recorded_at",
            kind=cls.kind,
        )
    broken = limits.beyond_limits(fields)
    if broken is not None:
        raise InvalidEvent(broken[1], field=broken[0], kind=cls.kind)
    try:
        text = orjson.dumps(fields)
    except TypeError:
        raise InvalidEvent("holds a value that is not JSON", kind=cls.kind) from None
    if len(text) > limits.MAX_EVENT_BYTES:
        raise InvalidEvent(
            f"is larger than {limits.MAX_EVENT_BYTES:,} bytes of JSON", field="event", kind=cls.kind
        )
    wrong = _wrong_type(fields, _shape(cls))
    if wrong is not None:
        raise InvalidEvent(wrong[1], field=wrong[0], kind=cls.kind)
    try:
        event = cls.model_validate_json(text, context={NEW_INPUT: True})
    except ValidationError as exc:
        raise first_error(exc, cls.kind) from None
    out_of_range = _date_out_of_range(event)
    if out_of_range is not None:
        raise InvalidEvent(out_of_range[1], field=out_of_range[0], kind=cls.kind)
    return event


_JSON_TYPES = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
}


@dataclass(frozen=True)
class _Shape:
    """What JSON types a value may have (None: any), and the shapes inside it."""

    types: frozenset[str] | None
    properties: dict[str, _Shape] = field(default_factory=dict)
    items: _Shape | None = None


@functools.cache
def _shape(cls: type[CaseEvent]) -> _Shape:
    """The JSON types each field of a kind takes, from its JSON schema (read once)."""
    schema = TypeAdapter(cls).json_schema()
    return _shape_of(schema, schema)


def _shape_of(node: dict[str, Any], root: dict[str, Any]) -> _Shape:
    if "$ref" in node:
        return _shape_of(root["$defs"][node["$ref"].rsplit("/", 1)[-1]], root)
    options = node.get("anyOf") or node.get("oneOf")
    if options:
        shapes = [_shape_of(option, root) for option in options]
        if any(s.types is None for s in shapes):
            return _Shape(None)
        properties: dict[str, _Shape] = {}
        for one in shapes:
            properties.update(one.properties)
        items = next((one.items for one in shapes if one.items is not None), None)
        return _Shape(frozenset().union(*(s.types or () for s in shapes)), properties, items)
    kind = node.get("type")
    if kind is None:
        if "enum" in node or "const" in node:
            values = node.get("enum", [node.get("const")])
            return _Shape(frozenset(_json_type(v) for v in values))
        return _Shape(None)
    props = {name: _shape_of(sub, root) for name, sub in node.get("properties", {}).items()}
    items = _shape_of(node["items"], root) if isinstance(node.get("items"), dict) else None
    kinds = {kind} if isinstance(kind, str) else set(kind)
    return _Shape(frozenset(kinds), props, items)


def wrong_type(data: dict[str, Any], cls: type[CaseEvent]) -> tuple[str, str] | None:
    """The first field of ``data`` whose JSON type the kind ``cls`` does not take."""
    return _wrong_type(data, _shape(cls))


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str | date):  # a Python date or datetime is written as JSON text
        return "string"
    return "array" if isinstance(value, list | tuple) else "object"


def _wrong_type(value: Any, shape: _Shape, path: str = "") -> tuple[str, str] | None:
    """Strictness: the first value whose JSON type its schema does not allow.

    A case record is evidence, so no coercion: ``1700000000`` is not a date (dates are
    text), ``"yes"`` is not a boolean, ``1.0`` is not an integer, ``5`` is not text.
    """
    if shape.types is not None:
        given = _json_type(value)
        if not (given in shape.types or (given == "integer" and "number" in shape.types)):
            wanted = " or ".join(_article(t) for t in sorted(shape.types - {"null"})) or "null"
            return path or "event", f"must be {wanted}, not {_article(given)}"
    if isinstance(value, dict):
        for name, item in value.items():
            inner = shape.properties.get(name)
            if inner is not None:
                found = _wrong_type(item, inner, f"{path}.{name}" if path else name)
                if found:
                    return found
    elif isinstance(value, list) and shape.items is not None:
        for number, item in enumerate(value):
            found = _wrong_type(item, shape.items, f"{path}.{number}" if path else str(number))
            if found:
                return found
    return None


def _article(word: str) -> str:
    names = {"string": "text", "array": "a list", "object": "an object", "null": "null"}
    if word in names:
        return names[word]
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"


def _date_out_of_range(model: BaseModel, path: str = "") -> tuple[str, str] | None:
    """The first date in the event outside the record's range: (field path, rule)."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        where = f"{path}.{name}" if path else name
        found = _check_value(value, where)
        if found is not None:
            return found
    return None


def _check_value(value: Any, where: str) -> tuple[str, str] | None:
    if isinstance(value, date):
        rule = limits.date_out_of_range(value.date() if isinstance(value, datetime) else value)
        return (where, rule) if rule else None
    if isinstance(value, BaseModel):
        return _date_out_of_range(value, where)
    if isinstance(value, list | tuple):
        for number, item in enumerate(value):
            found = _check_value(item, f"{where}.{number}")
            if found is not None:
                return found
    return None


def event_to_data(event: CaseEvent) -> dict[str, Any]:
    """The inverse of :func:`parse_event`: JSON-ready data with the kind."""
    return {"kind": event.kind, **event.payload()}


def parse_moment(value: str, name: str) -> datetime:
    """A moment a caller asks about (``--at``, ``?as_known_at=``): ISO 8601 text.

    A bare date means the end of that day in London; a datetime without an offset is London
    time. Refused, naming the option and the rule (never the value): anything else, and a
    moment outside the record's range (including one whose offset crosses year 1 or 9999).
    """
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime(day.year, day.month, day.day, 23, 59, 59, 999999, tzinfo=LONDON)
        else:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=LONDON)
        rule = limits.date_out_of_range(moment.astimezone(LONDON).date())
    except ValueError:
        raise InvalidEvent(
            "expected an ISO date or datetime, e.g. 2026-04-07T09:30", field=name
        ) from None
    except OverflowError:
        rule = "its offset takes it outside the years 1 to 9999"
    if rule is not None:
        raise InvalidEvent(rule, field=name)
    return moment


def every_problem(data: dict[str, Any]) -> list[InvalidEvent]:
    """Every rule ``data`` breaks (none when :func:`parse_event` takes it), first one first.

    :func:`parse_event` stops at the first; a form shows each field's error beside it, so
    this also lists the other fields the kind's model refuses.
    """
    try:
        parse_event(data)
    except InvalidEvent as first:
        found = [first]
    else:
        return []
    kind = data.get("kind")
    cls = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        return found
    fields = {key: value for key, value in data.items() if key != "kind"}
    try:
        cls.model_validate_json(orjson.dumps(fields), context={NEW_INPUT: True})
    except (ValidationError, TypeError) as exc:
        if isinstance(exc, ValidationError):
            named = {error.field for error in found}
            found += [error for error in every_error(exc, cls.kind) if error.field not in named]
    return found
