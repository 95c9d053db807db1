"""What a store holds, as one comparable value: every table's rows (both engines).

A refused input or a read must leave it unchanged. Rows are hashed table by table, in a
fixed order, so two snapshots are equal exactly when every table holds the same rows.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import MetaData, select

from adapters.db import sql_engine


def snapshot(url: str) -> dict[str, tuple[int, str]]:
    """Each table of the store: (row count, SHA-256 over its rows in a fixed order)."""
    engine = sql_engine(url)
    meta = MetaData()
    schema = url.split("schema=", 1)[1] if "schema=" in url else None
    meta.reflect(engine, schema=schema)
    found: dict[str, tuple[int, str]] = {}
    with engine.connect() as conn:
        for table in sorted(meta.tables.values(), key=lambda t: t.name):
            rows = conn.execute(select(table)).all()
            digest = hashlib.sha256()
            for row in sorted(repr(tuple(row)) for row in rows):
                digest.update(row.encode())
            found[table.name] = (len(rows), digest.hexdigest())
    return found
