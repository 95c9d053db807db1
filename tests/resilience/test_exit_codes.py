"""Every outcome has its own documented exit code; UPN sharing warns; children folds
corrections (issue 15, item 10)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from adapters.cli import exit_codes
from adapters.cli.main import app
from adapters.store import EventStore
from domain.errors import ConcurrencyConflict
from tests.accounts import operator_app
from tests.factories import example, example_data

runner = CliRunner()
README = Path(__file__).parents[2] / "README.md"


def _run(*args: str):  # type: ignore[no-untyped-def]
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def _file(tmp_path: Path, data: object, name: str = "e.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return str(path)


def test_each_exit_code_is_distinct_and_in_the_readme() -> None:
    codes = [v for k, v in vars(exit_codes).items() if k.isupper() and isinstance(v, int)]
    assert len(codes) == len(set(codes)) == len(exit_codes.ALL)
    table = {int(m) for m in re.findall(r"^\| (\d+) \|", README.read_text(), re.MULTILINE)}
    assert table == set(exit_codes.ALL)


def test_invalid_usage_not_found_and_unavailable(sqlite_url: str, tmp_path: Path) -> None:
    bad = _file(tmp_path, [example_data("case_note_recorded", significant="yes")])
    assert _run("record", bad, "--db", sqlite_url).exit_code == exit_codes.INVALID
    assert _run("history", "--no-such-option").exit_code == exit_codes.USAGE
    with EventStore(sqlite_url) as store:
        store.record([example("child_registered")])
    missing = _run("history", "NOBODY", "--db", sqlite_url)
    assert missing.exit_code == exit_codes.NOT_FOUND
    assert _run("status", "NOBODY", "--db", sqlite_url).exit_code == exit_codes.NOT_FOUND
    # a PostgreSQL server that is not there (a port nothing listens on): retry later
    gone = "postgresql://postgres@127.0.0.1:9/test?connect_timeout=2"
    down = _run("history", "C-EX-1", "--db", gone)
    assert down.exit_code == exit_codes.UNAVAILABLE, down.stderr
    assert "store unavailable" in down.stderr or "cannot open the store" in down.stderr
    assert "127.0.0.1" not in down.stderr


def test_a_concurrent_writer_is_a_retryable_conflict(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def lost_the_race(self: EventStore, *args: object, **kwargs: object) -> None:
        raise ConcurrencyConflict("another writer appended to the same child's record first")

    monkeypatch.setattr(EventStore, "record", lost_the_race)
    events = _file(tmp_path, [example_data("child_registered")])
    result = _run("record", events, "--db", sqlite_url)
    assert result.exit_code == exit_codes.CONFLICT
    assert result.exit_code != exit_codes.INVALID


def test_a_shared_upn_is_recorded_with_a_warning(sqlite_url: str, tmp_path: Path) -> None:
    first = _file(tmp_path, [example_data("child_registered", child_id="C-UPN-1")], "a.json")
    assert _run("record", first, "--db", sqlite_url).exit_code == 0
    second = _file(tmp_path, [example_data("child_registered", child_id="C-UPN-2")], "b.json")
    result = _run("record", second, "--db", sqlite_url)
    assert result.exit_code == 0
    assert "warning: event 0 (child_registered) field 'upn': already held by child 'C-UPN-1'" in (
        result.stderr
    )
    assert "A123456789012" not in result.stderr
    with EventStore(sqlite_url) as store:
        assert store.children() == ["C-UPN-1", "C-UPN-2"]
    client = TestClient(operator_app(sqlite_url))
    third = client.post("/events", json=[example_data("child_registered", child_id="C-UPN-3")])
    assert third.status_code == 201
    assert "'C-UPN-1', 'C-UPN-2'" in third.json()[0]["warnings"][0]
    alone = client.post(
        "/events", json=[example_data("child_registered", child_id="C-UPN-4", upn=None)]
    )
    assert "warnings" not in alone.json()[0]


def test_children_shows_the_corrected_name(sqlite_url: str, tmp_path: Path) -> None:
    with EventStore(sqlite_url) as store:
        registered = store.record([example("child_registered", child_id="C-FIX-1")])[0]
        store.record(
            [
                example(
                    "entry_corrected",
                    child_id="C-FIX-1",
                    target_event_id=registered.event_id,
                    changes={"first_name": "Robyn"},
                )
            ]
        )
    rows = json.loads(_run("children", "--json", "--db", sqlite_url).stdout)
    assert rows[0]["name"] == "Robyn Testchild" and rows[0]["events"] == 2
    http = TestClient(operator_app(sqlite_url)).get("/children").json()
    assert http[0]["name"] == "Robyn Testchild"
