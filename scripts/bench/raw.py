"""The raw database limit: plain INSERT / SELECT of the store's own payloads, same driver.

Each figure the bench reports for the product sits beside one of these, measured in the
same run on the same database, so the ratio shows how much the product adds (validation,
the aggregate's rules, hash chains, JSON) over what the database itself can do.

The payloads are the rows the store wrote (stream id, version, topic, state bytes), copied
into a scratch table of the same shape, written and read with ``sqlite3`` or ``psycopg``
exactly as eventsourcing's recorders do.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg

from adapters.db import Database

Row = tuple[str, int, str, bytes]

RAW_TABLE = "bench_raw_events"


@contextmanager
def connect(db: Database) -> Iterator[Any]:
    if db.is_sqlite:
        conn: Any = sqlite3.connect(db.path or "", isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        try:
            yield conn
        finally:
            conn.close()
        return
    conn = psycopg.connect(
        host=db.host, port=db.port, user=db.user, password=db.password, dbname=db.dbname
    )
    if db.schema:
        conn.execute(f'SET search_path TO "{db.schema}"')
        conn.commit()
    try:
        yield conn
    finally:
        conn.close()


def _mark(db: Database) -> str:
    return "?" if db.is_sqlite else "%s"


def sample_rows(db: Database, table: str, limit: int) -> list[Row]:
    """Up to ``limit`` rows the store wrote, in notification order."""
    with connect(db) as conn:
        order = "rowid" if db.is_sqlite else "notification_id"
        cur = conn.execute(
            f"SELECT originator_id, originator_version, topic, state FROM {table} "
            f"ORDER BY {order} LIMIT {int(limit)}"
        )
        return [(str(a), int(b), str(c), bytes(d)) for a, b, c, d in cur.fetchall()]


def _reset(conn: Any, db: Database) -> None:
    blob = "BLOB" if db.is_sqlite else "BYTEA"
    conn.execute(f"DROP TABLE IF EXISTS {RAW_TABLE}")
    conn.execute(
        f"CREATE TABLE {RAW_TABLE} (originator_id TEXT, originator_version INTEGER, "
        f"topic TEXT, state {blob}, PRIMARY KEY (originator_id, originator_version))"
    )
    if not db.is_sqlite:
        conn.commit()


def _begin(conn: Any, db: Database) -> None:
    if db.is_sqlite:
        conn.execute("BEGIN")


def bulk_insert(db: Database, rows: Sequence[Row], batch: int) -> dict[str, float]:
    """Rows per second for executemany INSERT, one transaction per ``batch`` rows."""
    mark = _mark(db)
    sql = f"INSERT INTO {RAW_TABLE} VALUES ({mark}, {mark}, {mark}, {mark})"
    with connect(db) as conn:
        _reset(conn, db)
        began = time.perf_counter()
        for start in range(0, len(rows), batch):
            _begin(conn, db)
            if db.is_sqlite:
                conn.executemany(sql, rows[start : start + batch])
            else:
                with conn.cursor() as cur:
                    cur.executemany(sql, rows[start : start + batch])
            conn.commit() if not db.is_sqlite else conn.execute("COMMIT")
        seconds = time.perf_counter() - began
    return {"rows": len(rows), "seconds": seconds, "per_second": len(rows) / seconds}


def single_insert(db: Database, rows: Sequence[Row]) -> dict[str, float]:
    """Rows per second for one INSERT and one commit per row."""
    mark = _mark(db)
    sql = f"INSERT INTO {RAW_TABLE} VALUES ({mark}, {mark}, {mark}, {mark})"
    with connect(db) as conn:
        _reset(conn, db)
        began = time.perf_counter()
        for row in rows:
            _begin(conn, db)
            conn.execute(sql, row)
            conn.commit() if not db.is_sqlite else conn.execute("COMMIT")
        seconds = time.perf_counter() - began
    return {"rows": len(rows), "seconds": seconds, "per_second": len(rows) / seconds}


def scan(db: Database, table: str, page: int = 2000, stop: int | None = None) -> dict[str, float]:
    """Rows per second for reading the whole events table in pages (as the runner does)."""
    key = "rowid" if db.is_sqlite else "notification_id"
    mark = _mark(db)
    limit = f" AND {key} <= {int(stop)}" if stop is not None else ""
    sql = (
        f"SELECT {key}, originator_id, originator_version, topic, state FROM {table} "
        f"WHERE {key} > {mark}{limit} ORDER BY {key} LIMIT {int(page)}"
    )
    count = 0
    position = 0
    with connect(db) as conn:
        began = time.perf_counter()
        while True:
            rows = conn.execute(sql, (position,)).fetchall()
            if not rows:
                break
            count += len(rows)
            position = rows[-1][0]
        seconds = time.perf_counter() - began
    return {"rows": count, "seconds": seconds, "per_second": count / seconds if seconds else 0.0}


def select_stream(db: Database, table: str, stream: str, repeat: int) -> list[float]:
    """Seconds per plain SELECT of one stream's rows (the payload a chronology reads)."""
    mark = _mark(db)
    sql = (
        f"SELECT originator_version, topic, state FROM {table} WHERE originator_id = {mark} "
        "ORDER BY originator_version"
    )
    times = []
    with connect(db) as conn:
        for _ in range(repeat):
            began = time.perf_counter()
            conn.execute(sql, (stream,)).fetchall()
            times.append(time.perf_counter() - began)
    return times


def drop(db: Database) -> None:
    with connect(db) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {RAW_TABLE}")
        if not db.is_sqlite:
            conn.commit()
