"""One rebuild at a time per store, and the staging a killed rebuild left cleaned away.

SQLite: an ``flock`` on ``<store>.rebuild.lock`` beside the file. PostgreSQL: a session
advisory lock keyed by the store's schema. Either is released by the operating system or
the server when the holder dies, however it dies (SIGKILL included), so a killed rebuild
never blocks the next. While the lock is held, any staging area of this store is a
leftover (of a rebuild that was killed), and is removed.
"""

from __future__ import annotations

import fcntl
import glob
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from sqlalchemy import text

from adapters.db import Database, sql_engine
from domain.errors import ConcurrencyConflict


class RebuildBusy(ConcurrencyConflict):
    """Another rebuild of the same store is running: retry once it has finished."""


BUSY = (
    "another rebuild of this store is running; nothing was changed — run it again once that "
    "one has finished (the read models keep serving meanwhile)"
)


@contextmanager
def rebuild_lock(db: Database) -> Iterator[None]:
    """Hold the store's rebuild lock (RebuildBusy at once if another process holds it)."""
    if db.is_sqlite:
        with _file_lock(f"{db.path}.rebuild.lock"):
            remove_stale_staging(db)
            yield
        return
    engine = sql_engine(db.url)
    key = f"caseledger-rebuild:{db.dbname}:{db.schema or 'public'}"
    with engine.connect() as conn:
        got = conn.execute(text("SELECT pg_try_advisory_lock(hashtext(:k))"), {"k": key}).scalar()
        conn.commit()
        if not got:
            raise RebuildBusy(BUSY)
        try:
            remove_stale_staging(db)
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(hashtext(:k))"), {"k": key})
            conn.commit()


@contextmanager
def _file_lock(path: str) -> Iterator[None]:
    handle: IO[str] = open(path, "a")  # noqa: SIM115  (held for the whole rebuild)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RebuildBusy(BUSY) from None
        yield
    finally:
        handle.close()  # closing releases the lock


def staging_prefix(db: Database) -> str:
    """What every staging area of this store starts with (a file path or a schema name)."""
    if db.is_sqlite:
        return f"{db.path}.rebuild-"
    return f"{db.schema or 'public'}_rebuild_"


def remove_stale_staging(db: Database) -> int:
    """Remove every staging area of this store (call with the rebuild lock held)."""
    prefix = staging_prefix(db)
    if db.is_sqlite:
        found = glob.glob(glob.escape(prefix) + "*")
        for path in found:
            try:
                os.remove(path)
            except FileNotFoundError:
                pass
        return len(found)
    with sql_engine(db.url).begin() as conn:
        schemas = [
            row[0]
            for row in conn.execute(
                text("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, :p)"),
                {"p": prefix},
            )
        ]
        for schema in schemas:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    return len(schemas)
