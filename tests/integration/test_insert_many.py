"""``insert_many``: the read models' bulk INSERT, straight to the driver on SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Boolean, Column, DateTime, Integer, MetaData, String, Table, Text, select

from adapters.db import insert_many, sql_engine

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
    {"id": "a", "n": 1, "flag": True, "note": "Zoë's visit — seen alone"},
    {"id": "b", "n": None, "flag": False, "note": None},
]


def test_rows_read_back_as_sqlalchemy_would_write_them(tmp_path: Path) -> None:
    engine = sql_engine(f"sqlite:///{tmp_path / 'rows.db'}")
    metadata.create_all(engine)
    with engine.begin() as conn:
        insert_many(conn, rows_table, ROWS)
        insert_many(conn, rows_table, [])  # nothing to write is not an error
    with engine.connect() as conn:
        back = [dict(r._mapping) for r in conn.execute(select(rows_table).order_by("id"))]
    assert back == ROWS
    assert isinstance(back[0]["flag"], bool)


def test_a_column_needing_type_processing_is_refused_on_sqlite(tmp_path: Path) -> None:
    engine = sql_engine(f"sqlite:///{tmp_path / 'timed.db'}")
    metadata.create_all(engine)
    with engine.begin() as conn, pytest.raises(TypeError, match=r"insert_many_timed.*\['at'\]"):
        insert_many(conn, timed_table, [{"id": "a", "at": None}])
