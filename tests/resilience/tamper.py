"""Tampering with a store as someone with the database's own rights would: raw SQL, triggers off.

Shared by the tamper tests and the crash harness. Every function bypasses the application:
it turns the append-only guards off (SQLite: drops the triggers; PostgreSQL: disables them
as the superuser), changes rows, and leaves the guards off (the store is thrown away).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, text

from adapters.db import release_engine, sql_engine
from adapters.store import EventStore, stream_id
from domain.envelope import GENESIS_HASH, canonical_json, content_hash

HEADS = "caseledger_heads"


class Tamperer:
    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.table = store.qualified_table
        self.sqlite = store.db.is_sqlite
        prefix = f'"{store.db.schema}".' if store.db.schema and not self.sqlite else ""
        self.heads = f"{prefix}{HEADS}"

    def sid(self, child_id: str) -> Any:
        stream = stream_id(child_id)
        return stream.hex if self.sqlite else stream

    @contextmanager
    def unguarded(self) -> Iterator[Connection]:
        release_engine(self.store.url)
        with sql_engine(self.store.url).begin() as conn:
            if self.sqlite:
                names = conn.execute(
                    text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
                ).scalars()
                for name in list(names):
                    conn.execute(text(f"DROP TRIGGER {name}"))
            else:
                for table in (self.table, self.heads):
                    conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER ALL"))
            yield conn

    def rows(self, conn: Connection, child_id: str) -> list[tuple[int, str, bytes]]:
        found = conn.execute(
            text(
                f"SELECT originator_version, topic, state FROM {self.table} "
                "WHERE originator_id = :id ORDER BY originator_version"
            ),
            {"id": self.sid(child_id)},
        )
        return [(int(v), str(t), bytes(s)) for v, t, s in found]

    def delete(self, conn: Connection, child_id: str, positions: list[int] | None) -> None:
        where = "" if positions is None else " AND originator_version IN :positions"
        statement = text(f"DELETE FROM {self.table} WHERE originator_id = :id{where}")
        params: dict[str, Any] = {"id": self.sid(child_id)}
        if positions is not None:
            from sqlalchemy import bindparam

            statement = statement.bindparams(bindparam("positions", expanding=True))
            params["positions"] = positions
        conn.execute(statement, params)

    def set_state(self, conn: Connection, child_id: str, position: int, state: bytes) -> None:
        conn.execute(
            text(
                f"UPDATE {self.table} SET state = :state "
                "WHERE originator_id = :id AND originator_version = :v"
            ),
            {"state": state, "id": self.sid(child_id), "v": position},
        )

    def set_topic(self, conn: Connection, child_id: str, position: int, topic: str) -> None:
        conn.execute(
            text(
                f"UPDATE {self.table} SET topic = :topic "
                "WHERE originator_id = :id AND originator_version = :v"
            ),
            {"topic": topic, "id": self.sid(child_id), "v": position},
        )

    def set_version(self, conn: Connection, child_id: str, old: int, new: int) -> None:
        conn.execute(
            text(
                f"UPDATE {self.table} SET originator_version = :new "
                "WHERE originator_id = :id AND originator_version = :old"
            ),
            {"new": new, "old": old, "id": self.sid(child_id)},
        )

    def set_stream(self, conn: Connection, child_id: str, to_child: str) -> None:
        conn.execute(
            text(f"UPDATE {self.table} SET originator_id = :to WHERE originator_id = :id"),
            {"to": self.sid(to_child), "id": self.sid(child_id)},
        )

    def insert(
        self, conn: Connection, child_id: str, position: int, topic: str, state: bytes
    ) -> None:
        conn.execute(
            text(
                f"INSERT INTO {self.table} (originator_id, originator_version, topic, state) "
                "VALUES (:id, :v, :topic, :state)"
            ),
            {"id": self.sid(child_id), "v": position, "topic": topic, "state": state},
        )

    def rehash_from(self, conn: Connection, child_id: str, edit: dict[str, Any]) -> None:
        """Edit one event's payload, then recompute every hash of the stream from it on."""
        previous = GENESIS_HASH
        for position, _, state in self.rows(conn, child_id):
            data = json.loads(state)
            data.pop("hash")
            if position == edit["position"]:
                data["payload"].update(edit["payload"])
            data["prev_hash"] = previous
            previous = content_hash(data)
            self.set_state(conn, child_id, position, canonical_json({**data, "hash": previous}))
        self.set_head(conn, child_id, previous)

    def set_head(self, conn: Connection, child_id: str, head: str) -> None:
        conn.execute(
            text(f"UPDATE {self.heads} SET head = :head WHERE stream_id = :id"),
            {"head": head, "id": self.sid(child_id)},
        )

    def drop_head(self, conn: Connection, child_id: str) -> None:
        conn.execute(
            text(f"DELETE FROM {self.heads} WHERE stream_id = :id"), {"id": self.sid(child_id)}
        )
