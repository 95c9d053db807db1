"""Property-based fuzzing of every way a case record enters (issue 15, "bad input, fuzzed").

From the catalogue's own JSON schemas (``caseledger events --json``: the limits written in)
hypothesis generates events (:mod:`tests.resilience.schema_strategy`) of every kind, and mutations of valid events bring
wrong types, missing and extra fields, huge strings, deep nesting, NUL and odd unicode,
dates out of range or crossing year 1/9999 with an offset. Each goes to ``parse_event``,
``caseledger record``, ``caseledger import`` and ``POST /events``: accepted, or refused
naming the field and the rule (exit 1 / HTTP 422, never a traceback or a 500), and when
refused every table of the store is as it was.

Example counts are small by default (the suite stays fast); ``CASELEDGER_FUZZ_EXAMPLES``
raises them (``make resilience`` does).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter
from typer.testing import CliRunner

from adapters.cli import exit_codes
from adapters.cli.main import app
from adapters.store import EventStore
from domain import limits
from domain.errors import InvalidEvent
from domain.events import EVENT_TYPES
from domain.parsing import parse_event
from tests.accounts import operator_app
from tests.factories import example_data
from tests.resilience import figures
from tests.resilience.schema_strategy import from_schema
from tests.resilience.snapshot import snapshot

EXAMPLES = int(os.environ.get("CASELEDGER_FUZZ_EXAMPLES", "12"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 12,  # the default suite is reproducible; a campaign explores
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
runner = CliRunner()
CHILD = "C-FUZZ-1"
KINDS = sorted(EVENT_TYPES)


def _schema(kind: str) -> dict[str, Any]:
    schema = limits.bounded_schema(TypeAdapter(EVENT_TYPES[kind]).json_schema())
    schema["properties"]["kind"] = {"const": kind}
    schema.setdefault("required", []).append("kind")
    return schema


SCHEMAS = {kind: _schema(kind) for kind in KINDS}

odd_text = st.sampled_from(
    [
        "nul \u0000 here",
        "bell \u0007",
        "lone \ud800 surrogate",
        "rtl \u202e override",
        "zero\u200bwidth",
        "emoji 🧒🏽",
        "x" * (limits.MAX_TEXT_CHARS + 1),
        "",
        " ",
    ]
)
bad_moments = st.sampled_from(
    [
        "9999-12-31T23:30:00-05:00",
        "0001-01-01T00:10:00+05:00",
        "0001-01-01",
        "9999-12-31",
        "1849-12-31",
        "2200-01-01",
        "2026-02-30",
        "2026-13-01",
        "yesterday",
        "1700000000",
    ]
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _deep(depth: int) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = [value]
    return value


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    """A valid event of some kind with one thing broken (or, now and then, nothing)."""
    kind = draw(st.sampled_from(KINDS))
    data = example_data(kind, child_id=CHILD, occurred_at="2026-01-05")
    fields = sorted(k for k in data if k != "kind")
    how = draw(
        st.sampled_from(
            ["type", "missing", "extra", "text", "moment", "deep", "long list", "number", "none"]
        )
    )
    name = draw(st.sampled_from(fields))
    if how == "type":
        data[name] = draw(json_values)
    elif how == "missing":
        del data[name]
    elif how == "extra":
        data[draw(st.text(min_size=1, max_size=12))] = draw(json_values)
    elif how == "text":
        data[draw(st.sampled_from(["summary", "source", "agency", name]))] = draw(odd_text)
    elif how == "moment":
        data[draw(st.sampled_from(["occurred_at", name]))] = draw(bad_moments)
    elif how == "deep":
        data[name] = _deep(draw(st.integers(limits.MAX_DEPTH, 60)))
    elif how == "long list":
        data[name] = ["x"] * draw(st.integers(limits.MAX_LIST_ITEMS + 1, 3 * limits.MAX_LIST_ITEMS))
    elif how == "number":
        data[name] = draw(st.sampled_from([10**20, -(10**20), 1.5e300, 2**53, True]))
    return data


def _refusal_names_a_field(message: str) -> bool:
    return "field '" in message or "event " in message or "line " in message


@given(data=st.sampled_from(KINDS).flatmap(lambda k: from_schema(SCHEMAS[k])))
@FUZZ
def test_schema_generated_events_parse_or_are_refused_cleanly(data: dict[str, Any]) -> None:
    try:
        parse_event(data)
    except InvalidEvent as error:
        assert error.rule and (error.field or error.kind), str(error)
    figures.count("inputs fuzzed", 1, "sqlite")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'store.db'}"
    with EventStore(url) as store:
        store.record([parse_event(example_data("child_registered", child_id=CHILD, upn=None))])
    return url


@given(event=mutated())
@FUZZ
def test_record_accepts_or_refuses_cleanly_writing_nothing_when_refused(
    event: dict[str, Any], seeded: str, tmp_path: Path
) -> None:
    before = snapshot(seeded)
    path = tmp_path / "fuzz.json"
    path.write_text(json.dumps([event]))
    result = runner.invoke(app, ["record", str(path), "--db", seeded])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (exit_codes.OK, exit_codes.INVALID), result.stderr
    if result.exit_code == exit_codes.INVALID:
        assert _without_notes(result.stderr).startswith("error: ")
        assert _refusal_names_a_field(result.stderr)
        assert snapshot(seeded) == before
    figures.count("inputs fuzzed", 1, "sqlite")


@given(event=mutated(), recorded=st.sampled_from(["2026-01-05T10:00:00+00:00"]) | bad_moments)
@FUZZ
def test_import_accepts_or_refuses_cleanly_writing_nothing_when_refused(
    event: dict[str, Any], recorded: str, seeded: str, tmp_path: Path
) -> None:
    before = snapshot(seeded)
    path = tmp_path / "fuzz.jsonl"
    line = json.dumps({"recorded_at": recorded, "event": event})
    path.write_text(line + "\n")
    result = runner.invoke(app, ["import", "--resume", str(path), "--db", seeded])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (exit_codes.OK, exit_codes.INVALID), result.stderr
    if result.exit_code == exit_codes.INVALID:
        assert "line 1: " in result.stderr
        assert snapshot(seeded) == before
    figures.count("inputs fuzzed", 1, "sqlite")


@given(events=st.lists(mutated(), min_size=1, max_size=3))
@FUZZ
def test_http_append_accepts_or_refuses_cleanly_writing_nothing_when_refused(
    events: list[dict[str, Any]], seeded: str
) -> None:
    before = snapshot(seeded)
    client = TestClient(operator_app(seeded), raise_server_exceptions=False)
    response = client.post("/events", content=json.dumps(events))
    assert response.status_code in (201, 422), response.text
    if response.status_code == 422:
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["errors"][0]["rule"]
        assert snapshot(seeded) == before
    figures.count("inputs fuzzed", 1, "sqlite")


def _without_notes(stderr: str) -> str:
    """Stderr without the CLI's notices (a store without accounts says it acts as the local
    operator before anything else): the refusal is what follows."""
    return "\n".join(line for line in stderr.splitlines() if not line.startswith("note: "))
