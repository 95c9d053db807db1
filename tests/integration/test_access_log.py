"""The access log: a worker opens a chronology, a lawyer exports it, and `access-log` lists
both; tampering with a row (or removing one) is caught by `verify`, naming the row. Both
engines. Restricted records: a grant opens one; breaking the glass opens it with a reason,
logs it and leaves an alert on the record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from adapters.auth.tables import access_log
from adapters.cli.common import EXIT_FORBIDDEN, EXIT_NOT_FOUND, EXIT_TAMPERED
from adapters.cli.main import app
from adapters.db import release_engine, sql_engine
from tests.access_world import OWN, RESTRICTED, build
from tests.accounts import client_as

runner = CliRunner()


def cli(url: str, user: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, [*args, "--db", url, "--as", user])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def world(store_url: str) -> str:
    build(store_url)
    return store_url


def _tamper(url: str, statement: str) -> None:
    release_engine(url)
    with sql_engine(url).begin() as conn:
        if url.startswith("sqlite"):
            for verb in ("update", "delete"):
                conn.execute(text(f"DROP TRIGGER IF EXISTS {access_log.name}_no_{verb}"))
        else:
            conn.execute(text(f"ALTER TABLE {access_log.name} DISABLE TRIGGER ALL"))
        conn.execute(text(statement))


def test_a_chronology_opened_and_exported_is_in_the_access_log_and_tampering_is_caught(
    world: str, tmp_path: Path
) -> None:
    worker = client_as(world, "sw-1")
    opened = worker.get(f"/children/{OWN}/chronology", headers={"X-Caseledger-Purpose": "visit"})
    assert opened.status_code == 200
    out = tmp_path / "bundle.pdf"
    code, _, err = cli(
        world, "law-1", "chronology", OWN, "--format", "pdf", "--out", str(out),
        "--purpose", "Court bundle, case ZW26C00012",
    )  # fmt: skip
    assert code == 0, err
    code, stdout, err = cli(world, "tm-1", "access-log", OWN, "--json")
    assert code == 0, err
    rows = json.loads(stdout)
    assert [(r["user_id"], r["role"], r["what"], r["channel"], r["purpose"]) for r in rows] == [
        ("sw-1", "social_worker", "chronology", "http", "visit"),
        ("law-1", "lawyer", "chronology export pdf", "cli", "Court bundle, case ZW26C00012"),
    ]
    assert rows[0]["address"] == "testclient" and rows[1]["address"].startswith("cli:")
    assert rows[0]["via"] == "allocated" and rows[1]["via"] == "proceedings"
    dpo = client_as(world, "dpo-1")
    assert [r["seq"] for r in dpo.get(f"/children/{OWN}/access-log").json()] == [
        r["seq"] for r in rows
    ]
    assert (
        cli(world, "sw-1", "access-log", OWN)[0] == EXIT_FORBIDDEN
    )  # a worker may not read who looked

    code, stdout, _ = cli(world, "adm-1", "verify")
    assert code == 0 and "ok: access log of 2 rows, every link intact" in stdout

    _tamper(world, f"UPDATE {access_log.name} SET user_id = 'someone-else' WHERE seq = 1")
    code, stdout, _ = cli(world, "adm-1", "verify")
    assert code == EXIT_TAMPERED
    assert "BROKEN access log row 1: altered: its content does not match its hash" in stdout
    code, stdout, _ = cli(world, "adm-1", "verify", "--json")
    assert json.loads(stdout)["access_log"]["broken"][0] == {
        "seq": 1,
        "reason": "altered: its content does not match its hash",
    }


def test_a_removed_access_log_row_is_named(world: str) -> None:
    worker = client_as(world, "sw-1")
    for _ in range(3):
        assert worker.get(f"/children/{OWN}/history").status_code == 200
    _tamper(world, f"DELETE FROM {access_log.name} WHERE seq = 2")
    code, stdout, _ = cli(world, "adm-1", "verify")
    assert code == EXIT_TAMPERED
    assert "BROKEN access log row 3: expected row 2 here: rows removed or moved" in stdout


def test_the_last_rows_removed_together_are_named_by_the_signed_head(world: str) -> None:
    worker = client_as(world, "sw-1")
    for _ in range(4):
        assert worker.get(f"/children/{OWN}/history").status_code == 200
    _tamper(world, f"DELETE FROM {access_log.name} WHERE seq >= 3")
    code, stdout, _ = cli(world, "adm-1", "verify")
    assert code == EXIT_TAMPERED
    assert "BROKEN access log row 4: removed: the signed head says 4 rows, 2 are stored" in stdout


def test_the_access_log_refuses_update_and_delete(world: str) -> None:
    assert client_as(world, "sw-1").get(f"/children/{OWN}/status").status_code == 200
    for statement in (
        f"UPDATE {access_log.name} SET purpose = 'x'",
        f"DELETE FROM {access_log.name}",
    ):
        with pytest.raises(Exception, match="append-only"):
            with sql_engine(world).begin() as conn:
                conn.execute(text(statement))


def test_a_restricted_record_opens_to_a_grant_and_to_break_glass(world: str) -> None:
    missing = f"error: no record for child {RESTRICTED!r}"
    code, _, err = cli(world, "tm-1", "history", RESTRICTED)
    assert code == EXIT_NOT_FOUND and err.strip().endswith(missing)
    assert (
        cli(world, "tm-1", "history", "C-NOBODY")[2]
        .strip()
        .endswith("error: no record for child 'C-NOBODY'")
    )
    # a worker may not break the glass; a manager may, giving a reason
    code, _, err = cli(world, "sw-1", "break-glass", RESTRICTED, "--reason", "Out of hours call")
    assert code == EXIT_NOT_FOUND and err.strip().endswith(missing)
    code, stdout, err = cli(
        world, "tm-1", "break-glass", RESTRICTED, "--reason", "Police call out of hours, child missing"
    )  # fmt: skip
    assert code == 0, err
    code, stdout, err = cli(world, "tm-1", "history", RESTRICTED, "--json")
    assert code == 0, err
    alert = [e for e in json.loads(stdout) if e["kind"] == "restricted_record_opened"]
    assert len(alert) == 1
    assert alert[0]["payload"]["opened_by"] == "tm-1"
    assert alert[0]["recorded_by"] == {"user_id": "tm-1", "role": "team_manager"}
    code, stdout, _ = cli(world, "dpo-1", "access-log", RESTRICTED, "--json")
    seen = [(r["user_id"], r["what"], r["purpose"]) for r in json.loads(stdout)]
    assert seen[0] == ("tm-1", "break glass", "Police call out of hours, child missing")
    assert seen[1][:2] == ("tm-1", "history")
    # an explicit grant opens it to the worker (their role's rights still apply)
    assert cli(world, "sw-1", "status", RESTRICTED)[0] == EXIT_NOT_FOUND
    code, _, err = cli(
        world, "adm-1", "users", "grant", "sw-1", RESTRICTED, "--kind", "restricted",
        "--reason", "Allocated worker, adoption support",
    )  # fmt: skip
    assert code == 0, err
    assert cli(world, "sw-1", "status", RESTRICTED)[0] == 0
    assert cli(world, "adm-1", "users", "revoke", "sw-1", RESTRICTED)[0] == 0
    assert cli(world, "sw-1", "status", RESTRICTED)[0] == EXIT_NOT_FOUND
