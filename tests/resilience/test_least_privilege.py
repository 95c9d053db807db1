"""Least privilege: the application's PostgreSQL role cannot turn the guards off; files are 0600.

On PostgreSQL an owner role creates the schema (``caseledger migrate --app-role``) and the
application runs as a role that may only read and append events: it can record, tick and
checkpoint, but cannot update, delete or truncate events, edit the heads, or disable or
drop a trigger. On SQLite a new store file (and its WAL) is readable by its owner only;
what SQLite cannot promise is in docs/resilience.md.
"""

from __future__ import annotations

import os
import stat
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from adapters.cli.main import app
from adapters.db import release_engine, sql_engine
from adapters.scheduler import PolicyHandler
from adapters.store import EventStore
from tests.conftest import PG_URL, require_postgres
from tests.factories import example


@pytest.fixture
def roles() -> Iterator[tuple[str, str, str]]:
    """(owner url, application url, application role) on a schema of their own."""
    require_postgres()
    tag = uuid.uuid4().hex[:8]
    owner, application, schema = f"cl_owner_{tag}", f"cl_app_{tag}", f"lp_{tag}"
    admin = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f"CREATE ROLE {owner} LOGIN"))
        conn.execute(text(f"CREATE ROLE {application} LOGIN"))
        conn.execute(text(f'CREATE SCHEMA "{schema}" AUTHORIZATION {owner}'))
    base = PG_URL.split("://", 1)[1].split("@", 1)[1]
    owner_url = f"postgresql://{owner}@{base}?schema={schema}"
    app_url = f"postgresql://{application}@{base}?schema={schema}"
    try:
        yield owner_url, app_url, application
    finally:
        release_engine(owner_url)
        release_engine(app_url)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            for role in (application, owner):
                conn.execute(text(f"DROP OWNED BY {role}"))
                conn.execute(text(f"DROP ROLE {role}"))
        admin.dispose()


def test_the_application_role_appends_but_cannot_turn_the_guards_off(
    roles: tuple[str, str, str],
) -> None:
    owner_url, app_url, role = roles
    made = CliRunner().invoke(app, ["migrate", "--db", owner_url, "--app-role", role])
    assert made.exit_code == 0, made.output
    store = EventStore(app_url)
    assert not store.owns_schema
    store.record(
        [
            example("child_registered", "C-LP-1", "2019-04-01"),
            example("authority_recorded", "C-LP-1", "2019-04-01", authority="york"),
            example("referral_received", "C-LP-1", "2026-04-02"),
        ]
    )
    PolicyHandler(store).tick(datetime(2026, 4, 20, 9, tzinfo=UTC))  # read models + checkpoint
    assert any(e.kind == "deadline_breached" for e in store.stream("C-LP-1"))
    assert store.verify().ok
    events, heads = store.qualified_table, f'"{store.db.schema}".caseledger_heads'
    refused = [
        f"ALTER TABLE {events} DISABLE TRIGGER ALL",
        f"DROP TRIGGER {store.events_table}_append_only ON {events}",
        f"DELETE FROM {events}",
        f"UPDATE {events} SET topic = 'x'",
        f"TRUNCATE {events}",
        f"UPDATE {heads} SET events = 0",
        f"DROP TABLE {events}",
    ]
    engine = sql_engine(app_url)
    for statement in refused:
        with pytest.raises(DBAPIError) as raised, engine.begin() as conn:
            conn.execute(text(statement))
        message = str(raised.value.orig)
        assert "permission denied" in message or "must be owner" in message, (statement, message)
    assert store.verify().ok and len(store.stream("C-LP-1")) > 3
    store.close()


def test_a_new_sqlite_store_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "private.db"
    store = EventStore(f"sqlite:///{path}")
    store.record([example("child_registered", "C-LP-2", "2019-04-01")])
    for name in (path, Path(f"{path}-wal")):
        if name.exists():
            assert stat.S_IMODE(os.stat(name).st_mode) == 0o600, name
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    store.checkpoint()
    assert stat.S_IMODE(os.stat(f"{path}.key").st_mode) == 0o600
    store.close()


def test_the_application_role_appends_to_the_access_log_but_cannot_rewrite_it(
    roles: tuple[str, str, str],
) -> None:
    """`migrate` makes the access tables as the owner: the application adds accounts, signs
    people in and logs reads, but cannot change or delete a row of the access log."""
    owner_url, app_url, role = roles
    made = CliRunner().invoke(app, ["migrate", "--db", owner_url, "--app-role", role])
    assert made.exit_code == 0, made.output
    with EventStore(app_url) as store:
        store.record([example("child_registered", "C-LP-3", "2019-04-01")])
    runner = CliRunner()
    added = runner.invoke(app, ["users", "add", "dpo", "--role", "data_protection_officer"]
                          + ["--db", app_url])  # fmt: skip
    assert added.exit_code == 0, added.output
    read = runner.invoke(app, ["access-log", "C-LP-3", "--db", app_url, "--as", "dpo"])
    assert read.exit_code == 0, read.output
    from adapters.auth.access_log import Access, AccessLog

    log = AccessLog(app_url)
    log.append([Access("dpo", "data_protection_officer", "read", "test", "C-LP-3", "cli",
                       None, None, "any")])  # fmt: skip
    engine = sql_engine(app_url)
    for statement in (
        "UPDATE caseledger_access_log SET user_id = 'x'",
        "DELETE FROM caseledger_access_log",
        "TRUNCATE caseledger_access_log",
        "ALTER TABLE caseledger_access_log DISABLE TRIGGER ALL",
        "DROP TABLE caseledger_access_log",
    ):
        with pytest.raises(DBAPIError) as raised, engine.begin() as conn:
            conn.execute(text(statement))
        message = str(raised.value.orig)
        assert "permission denied" in message or "must be owner" in message, (statement, message)
    assert log.verify() == (1, [])


def test_the_application_role_appends_a_disposal_certificate_but_cannot_rewrite_one(
    roles: tuple[str, str, str],
) -> None:
    """`migrate` makes the disposal log and its triggers as the owner: the application
    appends certificates but cannot change, delete or truncate one, nor turn the guard off."""
    from adapters import disposal_log

    owner_url, app_url, role = roles
    made = CliRunner().invoke(app, ["migrate", "--db", owner_url, "--app-role", role])
    assert made.exit_code == 0, made.output
    engine = sql_engine(app_url)
    content = {"child_id": "C-LP-4", "rule": "adoption-100-years"}
    assert disposal_log.append(engine, content).number == 1
    for statement in (
        "UPDATE caseledger_disposals SET certificate = '{}'",
        "DELETE FROM caseledger_disposals",
        "TRUNCATE caseledger_disposals",
        "ALTER TABLE caseledger_disposals DISABLE TRIGGER ALL",
        "DROP TRIGGER caseledger_disposals_append_only ON caseledger_disposals",
    ):
        with pytest.raises(DBAPIError) as raised, engine.begin() as conn:
            conn.execute(text(statement))
        message = str(raised.value.orig)
        assert (
            "permission denied" in message or "must be owner" in message or "append-only" in message
        ), (statement, message)
    # even the owner's own UPDATE is refused by the trigger
    with pytest.raises(DBAPIError, match="the disposal log is append-only: UPDATE refused"):
        with sql_engine(owner_url).begin() as conn:
            conn.execute(text("UPDATE caseledger_disposals SET certificate = '{}'"))
    # the certificate is as appended, with the feed position the log adds (no event yet: 0)
    assert [c.content for c in disposal_log.certificates(engine)] == [
        {**content, "feed_position": 0}
    ]
    assert disposal_log.verify(engine) == []
