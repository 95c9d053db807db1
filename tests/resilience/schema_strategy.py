"""Hypothesis strategies from the catalogue's JSON schemas (the subset pydantic writes).

hypothesis-jsonschema would do this, but its last release does not run on the hypothesis
this project uses; the schemas pydantic writes use few keywords, so they are read here:
``type`` (string, integer, number, boolean, array, object, null), ``enum``, ``const``,
``$ref`` into ``$defs``, ``anyOf``, ``format`` (date, date-time), ``pattern``, ``minLength``
/``maxLength``, ``minItems``/``maxItems``, ``minimum``/``maximum``, ``required`` and
``additionalProperties: false``. Values are what the schema allows, not necessarily what
the event's own rules accept (a date of death before a birth, say): both must be handled.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from domain import limits

_DAYS = st.dates(min_value=date(1800, 1, 1), max_value=date(2250, 12, 31))


def _moment() -> st.SearchStrategy[str]:
    naive = st.datetimes(min_value=datetime(1800, 1, 1), max_value=datetime(2250, 12, 31))
    offsets = st.sampled_from([None, UTC, *(timedelta(hours=h) for h in (-5, 1, 14))])

    def render(value: datetime, offset: Any) -> str:
        if offset is None:
            return value.isoformat()
        if isinstance(offset, timedelta):
            from datetime import timezone

            return value.replace(tzinfo=timezone(offset)).isoformat()
        return value.replace(tzinfo=offset).isoformat()

    return st.builds(render, naive, offsets)


def from_schema(
    schema: dict[str, Any], root: dict[str, Any] | None = None
) -> st.SearchStrategy[Any]:
    root = root or schema
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return from_schema(root["$defs"][name], root)
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if "anyOf" in schema:
        return st.one_of([from_schema(option, root) for option in schema["anyOf"]])
    kind = schema.get("type")
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(
            schema.get("minimum", -limits.MAX_INTEGER), schema.get("maximum", limits.MAX_INTEGER)
        )
    if kind == "number":
        return st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9)
    if kind == "string":
        return _string(schema)
    if kind == "array":
        return st.lists(
            from_schema(schema.get("items", {}), root),
            min_size=schema.get("minItems", 0),
            max_size=min(schema.get("maxItems", 5), 5),
        )
    if kind == "object" or "properties" in schema:
        return _object(schema, root)
    return st.none() | st.text(max_size=10) | st.integers()


def _string(schema: dict[str, Any]) -> st.SearchStrategy[str]:
    fmt = schema.get("format")
    if fmt == "date":
        return _DAYS.map(date.isoformat)
    if fmt == "date-time":
        return _moment()
    low, high = schema.get("minLength", 0), min(schema.get("maxLength", 60), 60)
    if "pattern" in schema:
        return st.from_regex(schema["pattern"], fullmatch=True).filter(
            lambda s: low <= len(s) <= schema.get("maxLength", limits.MAX_TEXT_CHARS)
        )
    return st.text(min_size=low, max_size=max(low, high))


def _object(schema: dict[str, Any], root: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    fixed = {name: from_schema(properties[name], root) for name in properties if name in required}
    optional = {
        name: from_schema(properties[name], root) for name in properties if name not in required
    }
    return st.fixed_dictionaries(fixed, optional=optional)
