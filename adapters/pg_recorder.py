"""eventsourcing's PostgreSQL application recorder, inserting without psycopg pipeline mode.

eventsourcing 9.5.6 inserts a batch inside ``conn.pipeline()``: the EXCLUSIVE table lock
(so notification ids commit in order and a feed reader never passes over a gap), NOTIFY,
then one INSERT of the whole batch as a composite-type array. With psycopg 3.3 a batch
of about 20,000 events never returns from ``pipeline.sync()``: client and server wait on
each other (seen here; the backend sits in ClientRead). A policy tick or a bulk import
writes batches that large. This recorder runs the same three statements in an ordinary
transaction, so the guarantees are unchanged and there is no pipeline to stall.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry
from psycopg import errors as pg_errors


class UnpipelinedPostgresApplicationRecorder(PostgresApplicationRecorder):
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
