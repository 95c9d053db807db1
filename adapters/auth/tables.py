"""The access tables, beside the events on the same store (SQLite or PostgreSQL).

``caseledger migrate`` creates them as the schema's owner (with ``--app-role`` the
application may read and insert the access log, never change or delete a row); the embedded
default creates them on first use. The access log refuses UPDATE and DELETE by trigger, as the
events table does.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    inspect,
    text,
)

from adapters.db import parse_database, sql_engine

metadata = MetaData()

accounts = Table(
    "caseledger_accounts",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(64), nullable=False),
    Column("team", String(100), nullable=True),
    Column("password_hash", String(200), nullable=True),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", String(40), nullable=False),
    Column("created_by", String(64), nullable=False),
)

grants = Table(
    "caseledger_grants",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", String(64), nullable=False, index=True),
    Column("child_id", String(64), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("starts_at", String(40), nullable=False),
    Column("ends_at", String(40), nullable=True),
    Column("reason", Text, nullable=False),
    Column("granted_by", String(64), nullable=False),
    Column("revoked_at", String(40), nullable=True),
)

access_log = Table(
    "caseledger_access_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("role", String(64), nullable=False),
    Column("action", String(40), nullable=False),
    Column("what", String(100), nullable=False),
    Column("child_id", String(64), nullable=False, index=True),
    Column("channel", String(10), nullable=False),
    Column("address", String(100), nullable=True),
    Column("purpose", String(500), nullable=True),
    Column("via", String(200), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

access_log_head = Table(
    "caseledger_access_log_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("signature", String(64), nullable=False),
)
"""The log's last row (number and hash), signed with the store's key in each append's own
transaction: the last rows removed together are named too."""

ACCESS_TABLES = (accounts.name, grants.name, access_log.name, access_log_head.name)

_READY: set[str] = set()


def install(url: str) -> Engine:
    """Create the access tables and the log's append-only guards where missing."""
    engine = sql_engine(url)
    if url in _READY:
        return engine
    names = set(inspect(engine).get_table_names())
    if not set(ACCESS_TABLES) <= names:
        metadata.create_all(engine, checkfirst=True)
        _guard_log(url, engine)
    _READY.add(url)
    return engine


def exists(url: str) -> bool:
    """Whether the access tables are there (a read never creates them)."""
    if url in _READY:
        return True
    names = set(inspect(sql_engine(url)).get_table_names())
    if set(ACCESS_TABLES) <= names:
        _READY.add(url)
        return True
    return False


def forget(url: str) -> None:
    """Look again next time (tests that drop and recreate a store at the same URL)."""
    _READY.discard(url)


def _guard_log(url: str, engine: Engine) -> None:
    table = access_log.name
    with engine.begin() as conn:
        if parse_database(url).is_sqlite:
            for verb in ("UPDATE", "DELETE"):
                conn.execute(
                    text(
                        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()} BEFORE {verb} "
                        f"ON {table} BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); "
                        "END"
                    )
                )
            return
        conn.execute(
            text(
                f"CREATE OR REPLACE FUNCTION {table}_refuse() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'the access log is append-only'; END $$ LANGUAGE plpgsql"
            )
        )
        conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"))
        conn.execute(
            text(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {table}_refuse()"
            )
        )
