"""Who recorded an entry is the signed-in account, never the request body (issue 16).

The issue's opening example: a POST whose body claims ``recorded_by: {"user_id": "anyone",
"role": "team_manager"}`` was accepted. Now: without credentials it is a 401; signed in, a body
setting recorded_by is a 422 naming the field, and nothing is written; the stored event names
the account. An import by a migration account keeps the original author beside the importer.
"""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from adapters.cli.common import EXIT_FORBIDDEN, EXIT_NO_IDENTITY
from adapters.cli.main import app
from adapters.http import create_app
from adapters.store import EventStore
from tests.access_world import OWN, build
from tests.accounts import add_account, cli_env, client_as
from tests.factories import example_data

runner = CliRunner()
SPOOF = {"user_id": "anyone", "role": "team_manager"}


def _world(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'who.db'}"
    build(url)
    return url


def _position(url: str) -> int:
    with EventStore(url) as store:
        return store.max_position()


def test_the_spoofed_recorded_by_is_refused_and_the_event_names_the_account(
    tmp_path: Path,
) -> None:
    url = _world(tmp_path)
    before = _position(url)
    spoofed = example_data("case_note_recorded", OWN, "2026-05-02", recorded_by=SPOOF)
    assert TestClient(create_app(url)).post("/events", json=[spoofed]).status_code == 401
    client = client_as(url, "sw-1")
    refused = client.post("/events", json=[spoofed])
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["detail"] == (
        "event 0 (case_note_recorded) field 'recorded_by': recorded_by is set from the "
        "signed-in account (sw-1); leave it out of the request"
    )
    entered = {k: v for k, v in spoofed.items() if k != "recorded_by"} | {"entered_by": SPOOF}
    assert "entered_by" in client.post("/events", json=[entered]).json()["detail"]
    assert _position(url) == before
    plain = {k: v for k, v in spoofed.items() if k != "recorded_by"}
    created = client.post("/events", json=[plain])
    assert created.status_code == 201
    assert created.json()[0]["recorded_by"] == {"user_id": "sw-1", "role": "social_worker"}
    history = client.get(f"/children/{OWN}/history").json()
    assert history[-1]["recorded_by"] == {"user_id": "sw-1", "role": "social_worker"}
    assert "anyone" not in json.dumps(history)


def test_the_cli_record_refuses_recorded_by_from_an_account(tmp_path: Path) -> None:
    url = _world(tmp_path)
    file = tmp_path / "note.json"
    file.write_text(json.dumps([example_data("case_note_recorded", OWN, recorded_by=SPOOF)]))
    result = runner.invoke(app, ["record", str(file), "--db", url, "--as", "sw-1"])
    assert result.exit_code == 1
    assert "field 'recorded_by': recorded_by is set from the signed-in account" in result.stderr
    note = example_data("case_note_recorded", OWN)
    del note["recorded_by"]
    file.write_text(json.dumps([note]))
    result = runner.invoke(app, ["record", str(file), "--db", url, "--as", "sw-1", "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)[0]["recorded_by"] == {
        "user_id": "sw-1",
        "role": "social_worker",
    }
    result = runner.invoke(app, ["record", str(file), "--db", url])
    assert result.exit_code == EXIT_NO_IDENTITY
    as_env = runner.invoke(app, ["history", OWN, "--db", url, "--json"], env=cli_env("sw-1"))
    assert as_env.exit_code == 0, as_env.stderr
    assert json.loads(as_env.stdout)[-1]["recorded_by"]["user_id"] == "sw-1"
    assert "say who you are with --as USER or $CASELEDGER_USER" in result.stderr


def test_an_import_by_a_migration_account_keeps_the_original_author(tmp_path: Path) -> None:
    url = _world(tmp_path)
    add_account(url, "mig-1", "migration")
    lines = tmp_path / "old-system.jsonl"
    original = {"user_id": "sw-old-77", "role": "social_worker"}
    entry = example_data("case_note_recorded", "C-LEGACY-1", "2020-03-01", recorded_by=original)
    registered = example_data("child_registered", "C-LEGACY-1", "2019-02-01", recorded_by=original)
    lines.write_text(
        "\n".join(
            json.dumps({"recorded_at": at, "event": event})
            for at, event in (
                ("2019-02-01T10:00:00+00:00", registered),
                ("2020-03-01T10:00:00+00:00", entry),
            )
        )
        + "\n"
    )
    refused = runner.invoke(app, ["import", str(lines), "--db", url, "--as", "sw-1"])
    assert refused.exit_code == EXIT_FORBIDDEN and "import is not allowed" in refused.stderr
    done = runner.invoke(app, ["import", str(lines), "--db", url, "--as", "mig-1", "--json"])
    assert done.exit_code == 0, done.stderr
    with EventStore(url) as store:
        stored = store.stream("C-LEGACY-1")
    assert [e.event.recorded_by.model_dump() for e in stored] == [original, original]
    assert [e.payload()["entered_by"] for e in stored] == [
        {"user_id": "mig-1", "role": "migration"}
    ] * 2
    again = runner.invoke(
        app, ["import", str(lines), "--db", url, "--as", "mig-1", "--resume", "--json"]
    )
    assert again.exit_code == 0, again.stderr
    assert json.loads(again.stdout)["already_stored"] == 2


def test_a_store_without_accounts_lets_the_cli_act_as_the_local_operator(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    file = tmp_path / "reg.json"
    file.write_text(json.dumps([example_data("child_registered", "C-1", "2025-01-06")]))
    result = runner.invoke(app, ["record", str(file), "--db", url, "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)[0]["recorded_by"] == {
        "user_id": "sw-001",
        "role": "social_worker",
    }  # the file's author, kept: the operator is no account
    assert "acting as the local operator local:" in result.stderr
    result = runner.invoke(app, ["history", "C-1", "--db", url, "--json"])
    assert result.exit_code == 0 and "local operator" not in result.stdout
    assert (
        runner.invoke(app, ["history", "C-1", "--db", url, "--as", "x"]).exit_code
        == EXIT_NO_IDENTITY
    )
