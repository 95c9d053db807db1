"""Where the data lives: one URL names the store, for the event store and every read model.

- ``sqlite:///path/to/caseledger.db`` (the zero-configuration default, ``./caseledger.db``);
- ``postgresql://user@host:port/dbname`` with an optional ``?schema=name``.

The URL comes from ``--db``, else ``CASELEDGER_DB``, else the default SQLite file; a plain
path is a SQLite file (``--db demo.db``). Reads use :func:`require_existing`: a SQLite file
that does not exist is refused, naming the path, and never created.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from sqlalchemy import (
    Boolean,
    Connection,
    Engine,
    Integer,
    String,
    Table,
    create_engine,
    event,
    text,
)

from adapters.logging import get_logger

DEFAULT_DB = "sqlite:///caseledger.db"

log = get_logger("caseledger.db")


@dataclass(frozen=True)
class Database:
    """A parsed store URL."""

    url: str
    engine: str  # "sqlite" or "postgresql"
    path: str | None = None
    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"
    password: str = ""
    dbname: str = ""
    schema: str = ""

    @property
    def is_sqlite(self) -> bool:
        return self.engine == "sqlite"

    def sqlalchemy_url(self) -> str:
        if self.is_sqlite:
            return f"sqlite:///{self.path}"
        auth = self.user + (f":{self.password}" if self.password else "")
        return f"postgresql+psycopg://{auth}@{self.host}:{self.port}/{self.dbname}"

    def describe(self) -> str:
        """The URL without any password, safe to print and log."""
        if self.is_sqlite:
            return f"sqlite:///{self.path}"
        schema = f"?schema={self.schema}" if self.schema else ""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.dbname}{schema}"


def resolve_url(url: str | None = None) -> str:
    """The store URL: ``--db``, else ``CASELEDGER_DB``, else the default SQLite file.

    A plain path is a SQLite file: ``demo.db`` means ``sqlite:///demo.db`` (and
    ``/srv/case.db`` means ``sqlite:////srv/case.db``).
    """
    raw = (url or os.environ.get("CASELEDGER_DB") or DEFAULT_DB).strip()
    if raw and "://" not in raw and not raw.startswith(("sqlite:", "postgres")):
        return f"sqlite:///{raw}"
    return raw


class StoreNotFound(ValueError):
    """A read was pointed at a SQLite store that does not exist (nothing is created)."""


def require_existing(url: str | None = None) -> Database:
    """The parsed URL of a store that exists; StoreNotFound naming the path otherwise.

    Only a command that writes a new record may create a store: a read of a path that holds
    no store is a mistake (a typo, the wrong folder, no ``--db``) and an empty file left
    behind would hide it.
    """
    db = parse_database(url)
    if db.is_sqlite and db.path and not os.path.isfile(db.path):
        where = os.path.abspath(db.path)
        raise StoreNotFound(
            f"no store at {where} ({db.describe()}): the file does not exist. Give the store "
            "with --db (a path such as demo.db, or a URL) or CASELEDGER_DB; "
            "`caseledger demo` writes a demo store"
        )
    return db


def parse_database(url: str | None = None) -> Database:
    """Parse a store URL; ValueError names what is wrong with it."""
    raw = resolve_url(url)
    parsed = urlparse(raw)
    scheme = parsed.scheme.split("+")[0]
    if scheme == "sqlite":
        path = unquote(raw.split(":///", 1)[1]) if ":///" in raw else ""
        if not path or path == ":memory:":
            raise ValueError(
                f"--db {raw!r}: a SQLite store needs a file path, e.g. sqlite:///case.db"
            )
        return Database(url=raw, engine="sqlite", path=str(Path(path)))
    if scheme in ("postgresql", "postgres"):
        query = parse_qs(parsed.query)
        return Database(
            url=raw,
            engine="postgresql",
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or 5432,
            user=unquote(parsed.username or "postgres"),
            password=unquote(parsed.password or ""),
            dbname=(parsed.path or "/").lstrip("/") or "postgres",
            schema=query.get("schema", [""])[0],
        )
    raise ValueError(f"--db {raw!r}: the URL must start sqlite:/// or postgresql://")


def create_private_sqlite_file(path: str) -> None:
    """Create a new SQLite store file readable and writable by its owner only (0600).

    SQLite gives its -wal and -shm files the main file's mode, so they are private too.
    An existing file is left as it is.
    """
    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)


_ENGINES: dict[str, Engine] = {}
PREPARED: dict[str, bool] = {}
"""PostgreSQL store URLs this process has already prepared (schema, tables, guards), with
whether it owns the events table: a later EventStore on the URL only opens the recorder
(issue 15: the per-request preparation under a lock exhausted the pool under load).
``release_engine()`` without a URL forgets them all (a URL's schema dropped and made
again in one process must be released so)."""


def sql_engine(url: str) -> Engine:
    """A SQLAlchemy engine for the read models on the same store (one per URL, reused)."""
    engine = _ENGINES.get(url)
    if engine is None:
        engine = _ENGINES[url] = _create(url)
    return engine


def release_engine(url: str | None = None) -> None:
    """Close pooled connections for one URL (or all); the engine reconnects if used again."""
    if url is None:
        PREPARED.clear()
    for key in [url] if url else list(_ENGINES):
        engine = _ENGINES.pop(key, None) if key else None
        if engine is not None:
            engine.dispose()


def _create(url: str) -> Engine:
    db = parse_database(url)
    if db.is_sqlite:
        engine = create_engine(db.sqlalchemy_url(), connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # Read models insert into indexes keyed by random ids (event ids, children), so
            # a rebuild at county size dirties pages all over them: a 64 MiB page cache
            # (bounded, whatever the log's size) and a checkpoint every 20,000 WAL pages
            # instead of 1,000 let repeated writes to the same pages coalesce. Late in a
            # 2.3 million-event rebuild: 6,200-6,700 -> 7,500-8,200 events/s.
            cursor.execute("PRAGMA cache_size=-65536")
            cursor.execute("PRAGMA wal_autocheckpoint=20000")
            cursor.close()

        return engine
    options = {}
    if db.schema:
        options["options"] = f"-csearch_path={db.schema}"
    return create_engine(
        db.sqlalchemy_url(), connect_args=options, pool_pre_ping=True, pool_size=2, max_overflow=4
    )


_DRIVER_SAFE_TYPES = (String, Integer, Boolean)
"""Column types the drivers take as SQLAlchemy would pass them (Text is a String)."""


@functools.lru_cache(maxsize=64)
def _checked_columns(table: Table, columns: tuple[str, ...]) -> str:
    unsafe = [name for name in columns if not isinstance(table.c[name].type, _DRIVER_SAFE_TYPES)]
    if unsafe:
        raise TypeError(f"{table.name}: columns {unsafe} need SQLAlchemy's type processing")
    return ", ".join(f'"{name}"' for name in columns)


def keys_present(conn: Connection, table: Table, column: str, keys: Sequence[str]) -> set[str]:
    """Which of ``keys`` have a row in ``table``, looked up through its unique ``column``.

    On PostgreSQL each key is one step down the index (``LATERAL ... LIMIT 1`` over an
    array parameter). As an ``IN`` list, a table with no statistics yet (filled faster than
    autovacuum looks, or on a server without it) under a prepared generic plan was scanned
    whole for every lookup, each row compared with up to 500 ids: catching the deadline
    index up with a county's log spent most of its time there. See :func:`sqlite_key_chunks`
    for SQLite.
    """
    found: set[str] = set()
    name, col = f'"{table.name}"', f'"{table.c[column].name}"'
    if conn.dialect.name != "sqlite":
        if keys:
            query = (
                f"SELECT t.{col} FROM unnest(CAST(%(keys)s AS text[])) AS k(key) "
                f"CROSS JOIN LATERAL (SELECT {col} FROM {name} WHERE {col} = k.key LIMIT 1) AS t"
            )
            found.update(conn.exec_driver_sql(query, {"keys": list(keys)}).scalars())
        return found
    query = f"SELECT {col} FROM {name} WHERE {col} IN ({SQLITE_MARKS})"
    for chunk in sqlite_key_chunks(keys):
        found.update(conn.exec_driver_sql(query, chunk).scalars())
    return found


def delete_keys(conn: Connection, table: Table, column: str, keys: Sequence[str]) -> None:
    """Delete the rows whose ``column`` (an indexed column) is one of ``keys``."""
    name, col = f'"{table.name}"', f'"{table.c[column].name}"'
    for condition, params in key_conditions(conn, col, keys):
        conn.exec_driver_sql(f"DELETE FROM {name} WHERE {condition}", params)


def key_conditions(conn: Connection, column: str, keys: Sequence[str]) -> Iterator[tuple[str, Any]]:
    """``column`` (as SQL) is one of ``keys``: (condition, parameters) for each statement.

    PostgreSQL: one ``column = ANY(array)``, whose generic plan assumes a short array and
    walks the index, where an ``IN`` list of 200 ids on a table without statistics was
    planned as a scan of the whole table (0.5% of the rows guessed per id). SQLite: one
    ``IN`` of exactly 500 parameters per chunk (:func:`sqlite_key_chunks`).
    """
    if conn.dialect.name != "sqlite":
        if keys:
            yield f"{column} = ANY(%(keys)s)", {"keys": list(keys)}
        return
    for chunk in sqlite_key_chunks(keys):
        yield f"{column} IN ({SQLITE_MARKS})", chunk


def refresh_statistics(
    engine: Engine, tables: Sequence[str], *, only_if_stale: bool = False
) -> list[str]:
    """ANALYZE these PostgreSQL tables (named as in SQL): all of them, or those gone stale.

    PostgreSQL's planner chooses how to read a table from its statistics, and a table it
    has none for is guessed at 0.5% of its rows per key. On a county log that turned each
    read of one child's stream (47 events) into a parallel scan: 19 ms a stream against
    1.2 ms once analysed, most of a deadline tick. Autovacuum gathers statistics in time,
    but a bulk load outruns it and a server may run without it (this machine's does), so
    the product refreshes them itself: after a bulk import or a rebuild (every table), and
    before a tick or after a catch-up (only a table changed by more than 50 rows + 10%
    since it was last analysed: autovacuum's own rule). Returns the tables analysed.
    SQLite reads by its indexes without statistics: nothing is done there (not even a
    connection: a catch-up calls this each time it applies events).
    """
    if engine.dialect.name == "sqlite" or not tables:
        return []
    with engine.begin() as conn:
        return _analyse(conn, list(tables), only_if_stale)


def _analyse(conn: Connection, names: list[str], only_if_stale: bool) -> list[str]:
    if only_if_stale:
        names = list(
            conn.execute(
                text(
                    "SELECT t.name FROM unnest(CAST(:names AS text[])) AS t(name) "
                    "JOIN pg_class AS c ON c.oid = to_regclass(t.name) "
                    "LEFT JOIN pg_stat_user_tables AS s ON s.relid = c.oid "
                    "WHERE c.reltuples < 0 "
                    "OR COALESCE(s.n_mod_since_analyze, 0) > :rows + :fraction * c.reltuples"
                ),
                {"names": names, "rows": STALE_ROWS, "fraction": STALE_FRACTION},
            ).scalars()
        )
    began = time.perf_counter()
    for name in names:
        conn.execute(text(f"ANALYZE {name}"))
    if names:
        log.info(
            "statistics_refreshed", tables=names, seconds=round(time.perf_counter() - began, 2)
        )
    return names


STALE_ROWS = 50
STALE_FRACTION = 0.1
"""A table is stale once changed by more rows than ``STALE_ROWS + STALE_FRACTION`` x its
rows since it was last analysed (autovacuum's defaults)."""


KEYS_PER_QUERY = 500
SQLITE_MARKS = ", ".join("?" for _ in range(KEYS_PER_QUERY))


def sqlite_key_chunks(keys: Sequence[str]) -> Iterator[tuple[str, ...]]:
    """SQLite's chunks of keys: exactly 500, the last padded with a key already given.

    An ``IN`` list of each page's own length made a new statement per length, and sqlite3
    keeps up to 128 per connection, each prepared for up to 2,000 parameters: a rebuild's
    memory grew by tens of MiB with the log. One length keeps one statement; a repeated
    key changes no answer.
    """
    for start in range(0, len(keys), KEYS_PER_QUERY):
        chunk = list(keys[start : start + KEYS_PER_QUERY])
        yield tuple(chunk + [chunk[0]] * (KEYS_PER_QUERY - len(chunk)))


def insert_many(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT rows (dicts with the same keys) in one round of the driver's bulk path.

    In a read-model rebuild, SQLAlchemy's executemany cost more than the database's own
    work: per-row parameter processing, and on PostgreSQL one pipelined statement per row.
    Here SQLite gets sqlite3's executemany and PostgreSQL a COPY, on the connection's own
    transaction. Only tables of strings, integers and booleans take this path (both drivers
    bind those as SQLAlchemy would); any other column type is refused, naming it.
    """
    if not rows:
        return
    columns = tuple(rows[0])
    insert_tuples(conn, table, columns, [tuple(row[name] for name in columns) for row in rows])


def insert_tuples(
    conn: Connection, table: Table, columns: Sequence[str], values: Sequence[tuple[Any, ...]]
) -> None:
    """:func:`insert_many` for rows given as tuples in the order of ``columns``.

    A rebuild writes one chronology row per event: building a dict a row only for it to
    become this tuple again cost more than the database's own insert.
    """
    if not values:
        return
    names = _checked_columns(table, tuple(columns))
    if conn.dialect.name == "sqlite":
        marks = ", ".join("?" for _ in columns)
        conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', values)
        return
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for value in values:
                copy.write_row(value)
    finally:
        cursor.close()
