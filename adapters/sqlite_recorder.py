"""eventsourcing's SQLite application recorder, anchoring each stream's head as it inserts.

The built-in recorder inserts a batch row by row in one transaction; this one inserts it
with one ``executemany`` (the same rows, the same transaction), and then writes
each stream's new head (its count and head hash, :mod:`adapters.anchors`) with one
``executemany`` upsert for the batch, in the same transaction: one row per stream written,
not a trigger run per event (which cost about 6% of a bulk import here). A row inserted
behind the store's back therefore moves no head, and ``verify`` names it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from adapters.anchors import HEADS

UPSERT_HEAD = (
    f"INSERT INTO {HEADS} (stream_id, child_id, events, head) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (stream_id) DO UPDATE SET events = excluded.events, head = excluded.head "
    f"WHERE excluded.events > {HEADS}.events"
)


def head_of(state: bytes) -> tuple[str, str]:
    """(child id, hash) from a stored state's canonical JSON (see ``adapters.anchors``)."""
    child = state[13 : state.index(b'","event_id":')].decode()
    at = state.index(b'"hash":"') + 8
    return child, state[at : at + 64].decode()


class AnchoredSQLiteApplicationRecorder(SQLiteApplicationRecorder):
    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = self._insert_rows(c, stored_events)
        last: dict[Any, StoredEvent] = {}
        for stored in stored_events:
            known = last.get(stored.originator_id)
            if known is None or stored.originator_version > known.originator_version:
                last[stored.originator_id] = stored
        rows = []
        for origin, stored in last.items():
            child, head = head_of(stored.state)
            stream = origin.hex if isinstance(origin, UUID) else origin
            rows.append((stream, child, stored.originator_version, head))
        c.executemany(UPSERT_HEAD, rows)
        return ids

    def _insert_rows(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent]) -> list[int]:
        """The events in one ``executemany`` (eventsourcing's loop ran one ``execute`` each).

        Their notification ids are the rowids: consecutive, because the transaction holds
        the database's write lock and each new rowid is one more than the largest.
        """
        if not stored_events:
            return []
        c.executemany(
            self.insert_events_statement,
            [
                (
                    s.originator_id.hex if isinstance(s.originator_id, UUID) else s.originator_id,
                    s.originator_version,
                    s.topic,
                    s.state,
                )
                for s in stored_events
            ],
        )
        c.execute("SELECT last_insert_rowid()")
        last = int(c.fetchone()[0])
        return list(range(last - len(stored_events) + 1, last + 1))
