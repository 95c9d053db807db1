"""eventsourcing's PostgreSQL application recorder, inserting without psycopg pipeline mode.

eventsourcing 9.5.6 inserts a batch inside ``conn.pipeline()``: the EXCLUSIVE table lock
(so notification ids commit in order and a feed reader never passes over a gap), NOTIFY,
then one INSERT of the whole batch as a composite-type array. With psycopg 3.3 a batch
of about 20,000 events never returns from ``pipeline.sync()``: client and server wait on
each other (seen here; the backend sits in ClientRead). A policy tick or a bulk import
writes batches that large. This recorder runs the same three statements in an ordinary
transaction, so the guarantees are unchanged and there is no pipeline to stall.

Writers serialise on a transaction-scoped advisory lock instead of the EXCLUSIVE table lock:
the same guarantee (each inserting transaction takes its notification ids and commits before
the next takes any, so a reader never passes a gap), but without the UPDATE right an
EXCLUSIVE table lock needs — the application's role may only SELECT and INSERT
(``adapters.roles``). Every writer of the table goes through this recorder.

The batch itself goes as four plain arrays (ids, versions, topics, states) zipped by
``unnest``, sent in binary (``%b``), instead of one array of composite values that psycopg escapes
in Python: the composite array was about half of PostgreSQL's bulk-import time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry
from psycopg import Cursor
from psycopg import errors as pg_errors
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier


class UnpipelinedPostgresApplicationRecorder(PostgresApplicationRecorder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.insert_arrays_statement = SQL(
            "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(%b::uuid[], %b::bigint[], %b::text[], %b::bytea[]) "
            "RETURNING notification_id"
        ).format(
            schema=Identifier(self.datastore.schema),
            table=Identifier(self.events_table_name),
        )
        # one lock per events table (schema and name), the same in every process
        name = f"{self.datastore.schema}.{self.events_table_name}".encode()
        self.insert_lock_key = int.from_bytes(hashlib.sha256(name).digest()[:8], "big", signed=True)

    def _lock_table(self, curs: Cursor[DictRow]) -> None:
        curs.execute(self.lock_table_statements[0], prepare=True)  # SET LOCAL lock_timeout
        curs.execute(SQL("SELECT pg_advisory_xact_lock(%s)"), (self.insert_lock_key,))

    def _insert_stored_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        self._lock_table(curs)
        self._notify_channel(curs)
        curs.execute(
            self.insert_arrays_statement,
            (
                [e.originator_id for e in stored_events],
                [e.originator_version for e in stored_events],
                [e.topic for e in stored_events],
                [e.state for e in stored_events],
            ),
        )

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if not stored_events:
            return []
        with self.datastore.get_connection() as conn:
            try:
                with conn.transaction(), conn.cursor() as curs:
                    self._insert_events(curs, stored_events, **kwargs)
                    self._insert_stored_events(
                        curs, stored_events, **kwargs
                    )  # lock, notify, insert
                    return self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
            except pg_errors.UniqueViolation as error:
                raise IntegrityError(error) from error
