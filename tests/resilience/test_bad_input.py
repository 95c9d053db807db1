"""Unbounded or malformed input is refused at every edge, naming field and rule (issue 15, 5).

``record`` (CLI), ``import`` (CLI) and ``POST /events`` (HTTP) parse strictly (no coercion
of a number into a date or "yes" into true), bound every list, text, number and nesting
depth (domain/limits.py), refuse dates out of range (also when an offset crosses year 1 or
9999) and invalid UTF-8: each with a message naming the field and the rule, never a
traceback, and with every table of the store unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from adapters.cli.main import app
from adapters.store import EventStore
from domain import limits
from tests.accounts import operator_app
from tests.factories import example_data
from tests.resilience.snapshot import snapshot

runner = CliRunner()


def _event(kind: str = "case_note_recorded", **fields: object) -> dict[str, object]:
    fields.setdefault("occurred_at", "2026-01-05")
    return example_data(kind, child_id="C-BAD-1", **fields)


def _json(*events: dict[str, object]) -> bytes:
    return json.dumps(list(events)).encode()


# (name, the bytes of a record input, what the error must name)
BAD_INPUTS: list[tuple[str, Callable[[], bytes], str]] = [
    ("a number for a date", lambda: _json(_event(occurred_at=1700000000)), "'occurred_at'"),
    ("'yes' for true", lambda: _json(_event(significant="yes")), "'significant'"),
    ("a number for text", lambda: _json(_event(summary=12)), "'summary'"),
    (
        "a list of 101 attendees",
        lambda: _json(_event("child_in_need_meeting_held", attendees=["x"] * 101)),
        "'attendees': has more than 100 items",
    ),
    (
        "a 5,000-character attendee",
        lambda: _json(_event("child_in_need_meeting_held", attendees=["x" * 5000])),
        "'attendees.0': is longer than 4000 characters",
    ),
    (
        "an offset past year 9999",
        lambda: _json(_event(occurred_at="9999-12-31T23:00:00-05:00")),
        "'occurred_at': its offset takes it outside the years 1 to 9999",
    ),
    (
        "an offset before year 1",
        lambda: _json(_event(occurred_at="0001-01-01T00:30:00+05:00")),
        "'occurred_at'",
    ),
    (
        "a date of birth in year 1",
        lambda: _json(_event("child_registered", date_of_birth="0001-01-01")),
        "'date_of_birth': is outside 1850-01-01..2199-12-31",
    ),
    ("100k-deep nesting", lambda: b"[" * 100_000 + b"]" * 100_000, "nested too deep"),
    (
        "a 5,000-digit integer",
        lambda: _json(_event()).replace(b'"summary": "', b'"n": ' + b"9" * 5000 + b', "x": "'),
        "a number is too large",
    ),
    ("invalid UTF-8", lambda: _json(_event()).replace(b"Robin", b"R\xffbin") + b"\xff", "UTF-8"),
    ("an unknown field", lambda: _json(_event(favourite_colour="red")), "'favourite_colour'"),
]
IDS = [name for name, _, _ in BAD_INPUTS]


def _seeded(url: str) -> str:
    with EventStore(url) as store:
        store.record([_parsed()])
    return url


def _parsed():  # type: ignore[no-untyped-def]
    from domain.parsing import parse_event

    return parse_event(_event("child_registered"))


def _no_traceback(result) -> None:  # type: ignore[no-untyped-def]
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("name", "data", "names"), BAD_INPUTS, ids=IDS)
def test_record_refuses_naming_field_and_rule_writing_nothing(
    name: str, data: Callable[[], bytes], names: str, store_url: str, tmp_path: Path
) -> None:
    url = _seeded(store_url)
    before = snapshot(url)
    path = tmp_path / "events.json"
    path.write_bytes(data())
    result = runner.invoke(app, ["record", str(path), "--db", url])
    _no_traceback(result)
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stderr.startswith("error: ")
    assert names in result.stderr
    assert snapshot(url) == before


@pytest.mark.parametrize(("name", "data", "names"), BAD_INPUTS, ids=IDS)
def test_import_refuses_a_bad_line_naming_it_and_writing_nothing(
    name: str, data: Callable[[], bytes], names: str, sqlite_url: str, tmp_path: Path
) -> None:
    url = _seeded(sqlite_url)
    before = snapshot(url)
    raw = data()
    try:
        events = json.loads(raw)
        line = json.dumps({"recorded_at": "2026-01-05T10:00:00+00:00", "event": events[0]})
        body = line.encode()
    except (ValueError, RecursionError):  # not JSON at all: the line is the raw bytes
        body = raw
    path = tmp_path / "import.jsonl"
    path.write_bytes(body + b"\n")
    result = runner.invoke(app, ["import", str(path), "--db", url])
    _no_traceback(result)
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert "line 1: " in result.stderr
    assert names in result.stderr
    assert snapshot(url) == before


@pytest.mark.parametrize(("name", "data", "names"), BAD_INPUTS, ids=IDS)
def test_http_append_refuses_with_problem_details_writing_nothing(
    name: str, data: Callable[[], bytes], names: str, sqlite_url: str
) -> None:
    url = _seeded(sqlite_url)
    before = snapshot(url)
    client = TestClient(operator_app(url), raise_server_exceptions=False)
    response = client.post("/events", content=data(), headers={"Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422 and problem["type"] == "about:blank"
    assert names in problem["detail"]
    assert snapshot(url) == before


def test_import_refuses_a_line_over_the_limit_without_reading_it_whole(
    sqlite_url: str, tmp_path: Path
) -> None:
    url = _seeded(sqlite_url)
    before = snapshot(url)
    path = tmp_path / "long.jsonl"
    path.write_bytes(b'{"event": "' + b"x" * (limits.MAX_IMPORT_LINE_BYTES * 4))  # no newline
    result = runner.invoke(app, ["import", str(path), "--db", url])
    _no_traceback(result)
    assert result.exit_code == 1
    assert f"line 1: longer than {limits.MAX_IMPORT_LINE_BYTES:,} bytes" in result.stderr
    assert snapshot(url) == before


def test_the_catalogue_states_the_limits() -> None:
    result = runner.invoke(app, ["events", "--limits"])
    assert json.loads(result.stdout)["max_list_items"] == limits.MAX_LIST_ITEMS
    catalogue = {e["kind"]: e for e in json.loads(runner.invoke(app, ["events", "--json"]).stdout)}
    props = catalogue["child_in_need_meeting_held"]["schema"]["properties"]
    assert props["attendees"]["maxItems"] == limits.MAX_LIST_ITEMS
    assert props["attendees"]["items"]["maxLength"] == limits.MAX_TEXT_CHARS
    assert "limits: max text chars 4,000" in runner.invoke(app, ["events"]).stdout
