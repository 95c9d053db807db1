"""Every bound on what a caller may send, in one place (shown by ``caseledger events``).

A case record is evidence: what enters is parsed strictly (JSON types as they are, no
coercion of ``1700000000`` into a date or ``"yes"`` into true) and bounded, so no single
entry, request or import line can exhaust memory or a read model for everyone else.
Each refusal names the field and the rule, never the value.
"""

from __future__ import annotations

from datetime import date
from typing import Any

MAX_TEXT_CHARS = 4000
"""Any one text value in an event (a field's own limit may be lower)."""
MAX_LIST_ITEMS = 100
"""Items in any one list field (attendees, agencies, factors...)."""
MAX_DEPTH = 6
"""Nesting of objects and lists within one event (the catalogue needs 3)."""
MAX_EVENT_BYTES = 64 * 1024
"""One event's JSON, in UTF-8 bytes."""
MAX_INTEGER = 2**53 - 1
"""Largest integer magnitude (what every JSON reader holds exactly)."""
EARLIEST_DATE = date(1850, 1, 1)
"""The earliest date a case record holds (a grandparent's birth)."""
LATEST_DATE = date(2199, 12, 31)
"""The latest date a case record holds."""
MAX_BATCH_EVENTS = 5_000
"""Events in one ``record`` call (CLI file or HTTP request)."""
MAX_BODY_BYTES = 8 * 1024 * 1024
"""One HTTP request body or ``record`` input, in bytes (larger: 413, read no further)."""
MAX_IMPORT_LINE_BYTES = 256 * 1024
"""One line of an ``import`` file, in bytes."""


def catalogue() -> dict[str, Any]:
    """The limits as data, for ``caseledger events`` and the docs."""
    return {
        "max_text_chars": MAX_TEXT_CHARS,
        "max_list_items": MAX_LIST_ITEMS,
        "max_depth": MAX_DEPTH,
        "max_event_bytes": MAX_EVENT_BYTES,
        "max_integer": MAX_INTEGER,
        "earliest_date": EARLIEST_DATE.isoformat(),
        "latest_date": LATEST_DATE.isoformat(),
        "max_batch_events": MAX_BATCH_EVENTS,
        "max_body_bytes": MAX_BODY_BYTES,
        "max_import_line_bytes": MAX_IMPORT_LINE_BYTES,
    }


def bounded_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A kind's JSON schema with these limits written in where the field sets none.

    Every string gets ``maxLength``, every array ``maxItems``, every integer
    ``minimum``/``maximum``: the schema a caller (or a fuzzer) reads says what is refused.
    """

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            out = {key: walk(value) for key, value in node.items()}
            kind = out.get("type")
            if kind == "string" and "enum" not in out and "const" not in out:
                out["maxLength"] = min(out.get("maxLength", MAX_TEXT_CHARS), MAX_TEXT_CHARS)
            elif kind == "array":
                out["maxItems"] = min(out.get("maxItems", MAX_LIST_ITEMS), MAX_LIST_ITEMS)
            elif kind == "integer":
                out["minimum"] = max(out.get("minimum", -MAX_INTEGER), -MAX_INTEGER)
                out["maximum"] = min(out.get("maximum", MAX_INTEGER), MAX_INTEGER)
            return out
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    bounded: dict[str, Any] = walk(schema)
    return bounded


def beyond_limits(value: Any, path: str = "", depth: int = 0) -> tuple[str, str] | None:
    """The first place raw JSON data breaks a limit: (field path, rule), else None.

    Run on the caller's data before it is validated, so nothing unbounded is built.
    Names the field and the limit, never the value.
    """
    where = path or "event"
    if depth > MAX_DEPTH:
        return where, f"is nested more than {MAX_DEPTH} levels deep"
    if isinstance(value, str):
        if len(value) > MAX_TEXT_CHARS:
            return where, f"is longer than {MAX_TEXT_CHARS} characters"
        return None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        if abs(value) > MAX_INTEGER:
            return where, f"is an integer beyond ±{MAX_INTEGER}"
        return None
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")) or abs(value) > MAX_INTEGER:
            return where, f"is a number beyond ±{MAX_INTEGER}"
        return None
    if isinstance(value, list):
        if len(value) > MAX_LIST_ITEMS:
            return where, f"has more than {MAX_LIST_ITEMS} items"
        for number, item in enumerate(value):
            found = beyond_limits(item, f"{path}.{number}" if path else str(number), depth + 1)
            if found:
                return found
        return None
    if isinstance(value, dict):
        if len(value) > MAX_LIST_ITEMS:
            return where, f"has more than {MAX_LIST_ITEMS} fields"
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            if not isinstance(key, str) or len(key) > 100:
                return where, "has a field name that is not text of at most 100 characters"
            found = beyond_limits(item, name, depth + 1)
            if found:
                return found
        return None
    return None


def date_out_of_range(day: date) -> str | None:
    """The rule a date breaks, if it lies outside the case record's range."""
    if EARLIEST_DATE <= day <= LATEST_DATE:
        return None
    return f"is outside {EARLIEST_DATE.isoformat()}..{LATEST_DATE.isoformat()}"
