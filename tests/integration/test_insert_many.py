"""``insert_many``: the read models' bulk INSERT (sqlite3 executemany, PostgreSQL COPY)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Boolean, Column, DateTime, Integer, MetaData, String, Table, Text, select

from adapters.db import insert_many, sql_engine
from adapters.store import EventStore

metadata = MetaData()
rows_table = Table(
    "insert_many_rows",
    metadata,
    Column("id", String(20), primary_key=True),
    Column("n", Integer, nullable=True),
    Column("flag", Boolean, nullable=False),
    Column("note", Text, nullable=True),
)
timed_table = Table(
    "insert_many_timed",
    metadata,
    Column("id", String(20), primary_key=True),
    Column("at", DateTime),
)

ROWS = [
    {"id": "a", "n": 1, "flag": True, "note": 'Zoë\'s visit — seen alone; "quoted"\ttab\\back'},
    {"id": "b", "n": None, "flag": False, "note": None},
    {"id": "c", "n": -7, "flag": True, "note": "line one\nline two"},
]


def test_rows_read_back_exactly_and_inside_the_callers_transaction(
    store_url: str, make_store: Callable[..., EventStore]
) -> None:
    make_store(store_url)  # creates the PostgreSQL schema
    engine = sql_engine(store_url)
    metadata.create_all(engine)
    try:
        with engine.begin() as conn:
            insert_many(conn, rows_table, ROWS)
            insert_many(conn, rows_table, [])  # nothing to write is not an error
        with engine.connect() as conn:
            back = [dict(r._mapping) for r in conn.execute(select(rows_table).order_by("id"))]
        assert back == ROWS
        assert all(isinstance(row["flag"], bool) for row in back)
        # a failure later in the same transaction takes the rows with it
        with pytest.raises(RuntimeError), engine.begin() as conn:
            insert_many(conn, rows_table, [{**ROWS[0], "id": "d"}])
            raise RuntimeError("crash before commit")
        with engine.connect() as conn:
            assert conn.execute(select(rows_table.c.id).order_by("id")).scalars().all() == [
                "a",
                "b",
                "c",
            ]
    finally:
        metadata.drop_all(engine)


def test_a_column_needing_type_processing_is_refused(
    store_url: str, make_store: Callable[..., EventStore]
) -> None:
    make_store(store_url)
    engine = sql_engine(store_url)
    metadata.create_all(engine)
    try:
        with engine.begin() as conn, pytest.raises(TypeError, match=r"insert_many_timed.*\['at'\]"):
            insert_many(conn, timed_table, [{"id": "a", "at": None}])
    finally:
        metadata.drop_all(engine)
