"""The event store: eventsourcing's recorders, our own mapper, append-only tables, hash chains.

Each child's stream is an eventsourcing aggregate sequence keyed by a UUID derived
from the child id (uuid5), so both recorder families accept it. Every stored
event's state is the canonical JSON of its envelope (event id, child id, position,
recorded-at, kind, version, payload, prev_hash) plus its hash. The recorder's
unique (originator_id, originator_version) key gives optimistic concurrency; its
notification ids give the global order that projections and the feed follow.

Recorders (``CASELEDGER_RECORDER``):
- ``builtin`` (default): eventsourcing's own ``eventsourcing.sqlite`` /
  ``eventsourcing.postgres`` recorders;
- ``sqlalchemy``: ``eventsourcing_sqlalchemy`` on either engine.
The README's Storage section gives the measured figures behind the default.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple, TypeVar

import orjson
from eventsourcing.persistence import (
    ApplicationRecorder,
    InfrastructureFactory,
    IntegrityError,
    Notification,
    StoredEvent,
)
from eventsourcing.utils import Environment, get_topic
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError as SQLIntegrityError

import domain.events  # noqa: F401  (registers every event kind)
from adapters import anchors
from adapters.db import (
    PREPARED,
    SQLITE_MARKS,
    Database,
    create_private_sqlite_file,
    parse_database,
    refresh_statistics,
    release_engine,
    sql_engine,
    sqlite_key_chunks,
)
from adapters.decoding import decode_parsed, decode_rows, event_class, parsed_page, preload_keys
from adapters.gc_tuning import IMPORT_THRESHOLDS, replay_gc
from adapters.keys import CheckpointKeyError, key_id, key_path, load_key
from adapters.logging import get_logger
from adapters.shredding.sealing import SEALED
from adapters.shredding.shredder import Shredder, open_shredder
from adapters.shredding.subject_keys import SubjectErased
from adapters.stream_cache import StreamCache, StreamEntry
from domain.child_record import ChildRecord
from domain.envelope import (
    GENESIS_HASH,
    RecordedEvent,
    canonical_json,
    content_hash,
    with_hash,
)
from domain.errors import ConcurrencyConflict, IdempotencyConflict, InvalidEvent, UnknownChild
from domain.events import CaseEvent
from domain.events.base import LONDON
from domain.ordering import known_history
from domain.writers import CALLER, Writer

log = get_logger("caseledger.store")

T = TypeVar("T")

CHILD_NAMESPACE = uuid.UUID("6f1c2a7e-3b0d-5c4e-9a1f-2d8e7b6c5a40")
RECORDERS = ("builtin", "sqlalchemy")
SQLITE_RECORDER = "adapters.sqlite_recorder:AnchoredSQLiteApplicationRecorder"
"""Writes the head anchors itself (the other recorders' tables get a trigger)."""
IMPORT_CACHE_CHILDREN = 5000
"""Children's records an import keeps between batches (the most recently written)."""


@functools.cache
def _lock_engine(url: str) -> Any:
    """An engine without a pool (one connection per use) for the schema lock."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    db = parse_database(url)
    options = {"options": f"-csearch_path={db.schema}"} if db.schema else {}
    return create_engine(db.sqlalchemy_url(), poolclass=NullPool, connect_args=options)


@functools.lru_cache(maxsize=100_000)
def stream_id(child_id: str) -> uuid.UUID:
    """The stream (aggregate) id for a child: a UUID derived from the child id."""
    return uuid.uuid5(CHILD_NAMESPACE, child_id)


def new_event_id() -> str:
    """A random (version 4) UUID as text: ``str(uuid.uuid4())`` without building a UUID object."""
    n = int.from_bytes(os.urandom(16), "big")
    n = (n & ~(0xC000 << 48)) | (0x8000 << 48)  # the RFC 4122 variant, as uuid.UUID sets it
    n = (n & ~(0xF000 << 64)) | (4 << 76)  # version 4
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def utc_now() -> datetime:
    return datetime.now(UTC)


# -- mapping between recorded events and eventsourcing's stored events ----------------------


def to_stored(item: RecordedEvent) -> StoredEvent:
    if item.sealed_bytes is not None:
        # The bytes ``seal`` hashed: no second serialisation of the same content.
        state = with_hash(item.sealed_bytes, item.hash)
    else:
        content = item.stored_content()
        content["hash"] = item.hash
        state = canonical_json(content)
    return StoredEvent(
        originator_id=stream_id(item.child_id),
        originator_version=item.position,
        topic=get_topic(type(item.event)),
        state=state,
    )


class DecidedRow(NamedTuple):
    """A sealed event as stored, with what a writer counts (:meth:`EventStore.append_decided`)."""

    child_id: str
    position: int
    kind: str
    idempotency_key: str | None
    topic: str
    state: bytes

    @classmethod
    def of(cls, item: RecordedEvent) -> DecidedRow:
        stored = to_stored(item)
        return cls(
            item.child_id,
            item.position,
            item.kind,
            item.event.idempotency_key,
            stored.topic,
            stored.state,
        )


@dataclass(frozen=True)
class BrokenLink:
    child_id: str
    position: int
    event_id: str
    reason: str

    def describe(self) -> str:
        return f"child {self.child_id}: event {self.position} ({self.event_id}) — {self.reason}"


@dataclass(frozen=True)
class VerifyReport:
    streams: int
    events: int
    broken: list[BrokenLink]
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.broken


# -- the store ------------------------------------------------------------------------------


def _environment(db: Database, recorder: str) -> dict[str, str]:
    if recorder == "sqlalchemy":
        env = {
            "PERSISTENCE_MODULE": "eventsourcing_sqlalchemy",
            "SQLALCHEMY_URL": db.sqlalchemy_url(),
        }
        if db.schema:
            env["SQLALCHEMY_SCHEMA"] = db.schema
        return env
    if db.is_sqlite:
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": db.path or "",
            "SQLITE_LOCK_TIMEOUT": "30",
            "APPLICATION_RECORDER_TOPIC": SQLITE_RECORDER,
        }
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": db.dbname,
        "POSTGRES_HOST": db.host,
        "POSTGRES_PORT": str(db.port),
        "POSTGRES_USER": db.user,
        "POSTGRES_PASSWORD": db.password,
        "APPLICATION_RECORDER_TOPIC": "adapters.pg_recorder:UnpipelinedPostgresApplicationRecorder",
        "POSTGRES_POOL_SIZE": "2",
        "POSTGRES_MAX_OVERFLOW": "4",
        # eventsourcing ends a session idle inside a transaction for 5 s (its default). A
        # county import on a busy 2-core machine went quiet that long mid-insert (the
        # process holds millions of pending objects; a full garbage collection pauses it)
        # and lost its connection. 60 s still frees the insert's table lock from a client
        # that died.
        "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "60",
    }
    if db.schema:
        env["POSTGRES_SCHEMA"] = db.schema
    return env


class EventStore:
    """Append and read children's streams, on SQLite or PostgreSQL."""

    def __init__(
        self,
        url: str | None = None,
        *,
        recorder: str | None = None,
        clock: Callable[[], datetime] = utc_now,
        new_id: Callable[[], str] = new_event_id,
        encrypt: bool | None = None,
    ) -> None:
        """``encrypt``: seal personal data if this store is new (None: as
        ``CASELEDGER_ENCRYPT`` says); a store already written keeps what it is."""
        self.db = parse_database(url)
        self._encrypt = encrypt
        self.url = self.db.url
        self.recorder_name = recorder or os.environ.get("CASELEDGER_RECORDER", "builtin")
        if self.recorder_name not in RECORDERS:
            raise ValueError(
                f"CASELEDGER_RECORDER={self.recorder_name!r}: choose one of {', '.join(RECORDERS)}"
            )
        self.clock = clock
        self.new_id = new_id
        self._records: dict[str, ChildRecord] = {}
        self.streams: StreamCache | None = None
        """Decoded streams shared across stores (``serve``'s pool sets it): :meth:`stream`
        then decodes an unchanged child once per process (:mod:`adapters.stream_cache`)."""
        self.shredder: Shredder | None = None
        self._keys_checked = threading.local()
        """``on`` while a write has made the destroyed-keys check for its own reads."""
        self.recorder: ApplicationRecorder
        if self.db.is_sqlite and self.db.path:
            create_private_sqlite_file(self.db.path)
        if not self.db.is_sqlite and self.url in PREPARED and self._still_prepared():
            # prepared by this process already: open the recorder, create and lock nothing
            self.owns_schema = PREPARED[self.url]
            env = _environment(self.db, self.recorder_name)
            env["CREATE_TABLE"] = "no"
            self.factory = InfrastructureFactory.construct(Environment(name="caseledger", env=env))
            self.recorder = self.factory.application_recorder()
            self.events_table = str(getattr(self.recorder, "events_table_name", "stored_events"))
            self.shredder = self._open_shredder()
            return
        with self._schema_lock():
            if self.db.schema and not self.db.is_sqlite:
                with sql_engine(self.url).begin() as conn:
                    # only if missing: even IF NOT EXISTS needs the right to create schemas
                    found = conn.execute(
                        text("SELECT 1 FROM pg_namespace WHERE nspname = :s"),
                        {"s": self.db.schema},
                    ).first()
                    if found is None:
                        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{self.db.schema}"'))
            env = _environment(self.db, self.recorder_name)
            self.owns_schema = self._owns_events_table()
            if not self.owns_schema:  # an application role: the owner created everything
                env["CREATE_TABLE"] = "no"
            self.factory = InfrastructureFactory.construct(Environment(name="caseledger", env=env))
            self.recorder = self.factory.application_recorder()
            self.events_table = str(getattr(self.recorder, "events_table_name", "stored_events"))
            if self.owns_schema:
                self._install_append_only_guards()
                with sql_engine(self.url).begin() as conn:
                    anchors.install(
                        conn,
                        self.events_table,
                        self.qualified_table,
                        self.db.schema,
                        trigger=not self._recorder_anchors_heads(),
                    )
            if not self.db.is_sqlite:
                PREPARED[self.url] = self.owns_schema
        self.shredder = self._open_shredder()

    def _open_shredder(self) -> Shredder | None:
        """Crypto-shredding for this store: on when it has subject keys, or is new and asked."""
        return open_shredder(
            self.db,
            sql_engine(self.url),
            may_create=self.max_position() == 0,
            encrypt=self._encrypt,
        )

    def _still_prepared(self) -> bool:
        """One cheap query: the tables an earlier preparation made are all still there."""
        schema = self.db.schema or "public"
        names = ("caseledger_heads", "caseledger_checkpoints")
        with sql_engine(self.url).connect() as conn:
            found = conn.execute(
                text(
                    "SELECT count(*) FROM pg_tables WHERE schemaname = :s AND tablename IN (:a, :b)"
                ),
                {"s": schema, "a": names[0], "b": names[1]},
            ).scalar()
        return found == len(names)

    @contextmanager
    def _schema_lock(self) -> Iterator[None]:
        """Serialise table and trigger creation between processes starting at once (PostgreSQL)."""
        if self.db.is_sqlite:
            yield
            return
        # a connection outside the shared pool: threads waiting for the lock must not hold
        # pool connections the holder needs (eight at once exhausted the pool of six)
        with _lock_engine(self.url).connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(7212026)"))
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(7212026)"))
                conn.commit()

    def _recorder_anchors_heads(self) -> bool:
        """Whether the recorder writes the head anchors itself (built-in SQLite)."""
        from adapters.sqlite_recorder import AnchoredSQLiteApplicationRecorder

        return isinstance(self.recorder, AnchoredSQLiteApplicationRecorder)

    def _owns_events_table(self) -> bool:
        """False when a PostgreSQL events table exists and another role owns it.

        Such a role is the application's (``caseledger migrate`` made the schema as its
        owner): it creates nothing, not even ``IF NOT EXISTS``, and installs no triggers.
        """
        if self.db.is_sqlite:
            return True
        with sql_engine(self.url).connect() as conn:
            owner = conn.execute(
                text(
                    "SELECT tableowner = current_user FROM pg_tables WHERE schemaname = :s "
                    "AND tablename IN ('caseledger_events', 'stored_events') LIMIT 1"
                ),
                {"s": self.db.schema or "public"},
            ).scalar()
        return owner is None or bool(owner)

    def close(self) -> None:
        self._records.clear()
        self.factory.close()
        release_engine(self.url)

    def forget(self, child_ids: Iterable[str] | None = None) -> None:
        """Drop cached child records (all, or these); the next write reloads them from the log.

        Bulk loaders call it for children they have finished with, so the cache follows
        the children being written, not every child in the store.
        """
        if child_ids is None:
            self._records.clear()
            return
        for child_id in child_ids:
            self._records.pop(child_id, None)

    def append_decided(self, rows: Sequence[DecidedRow]) -> None:
        """Write events already checked and sealed against their records (a tick's workers,
        :mod:`adapters.tick_workers`), in one transaction, at the positions they were sealed
        for. If any child's stream has grown since it was judged, the (stream, version) key
        refuses the whole write: ConcurrencyConflict, nothing written."""
        if not rows:
            return
        children = {row.child_id for row in rows}
        self._refuse_destroyed(rows)
        stored = [
            StoredEvent(
                originator_id=stream_id(row.child_id),
                originator_version=row.position,
                topic=row.topic,
                state=row.state,
            )
            for row in rows
        ]
        try:
            self.recorder.insert_events(stored)
        except IntegrityError as error:
            raise ConcurrencyConflict(
                "another writer appended to the same child's record first; "
                "nothing was written — reload the record and try again"
            ) from error
        finally:
            self.forget(children)  # a record cached before is behind the log now
        log.debug("events_recorded", count=len(rows), children=len(children))

    def _refuse_destroyed(self, rows: Sequence[DecidedRow]) -> None:
        """ConcurrencyConflict if a key the rows were sealed under has been destroyed since
        they were sealed (``retention destroy``): written the usual way instead, the record
        refuses them as it refuses anything new on a destroyed record."""
        if self.shredder is None:
            return
        subjects = {
            subject
            for row in rows
            if SEALED.encode() in row.state
            for subject in orjson.loads(row.state)["payload"].get(SEALED, ())
        }
        if subjects and self.shredder.keys.destroyed_among(subjects):
            raise ConcurrencyConflict(
                "a key these events were sealed under was destroyed since: nothing was written"
            )

    def __enter__(self) -> EventStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- database guards ----------------------------------------------------------------------

    @property
    def qualified_table(self) -> str:
        if self.db.is_sqlite or not self.db.schema:
            return self.events_table
        return f'"{self.db.schema}"."{self.events_table}"'

    def _install_append_only_guards(self) -> None:
        """UPDATE and DELETE on the events table are refused by the database itself."""
        table = self.events_table
        with sql_engine(self.url).begin() as conn:
            if self.db.is_sqlite:
                for action in ("UPDATE", "DELETE"):
                    conn.execute(
                        text(
                            f"CREATE TRIGGER IF NOT EXISTS {table}_no_{action.lower()} "
                            f"BEFORE {action} ON {table} BEGIN "
                            f"SELECT RAISE(ABORT, 'caseledger events are append-only: "
                            f"{action} refused'); END"
                        )
                    )
                return
            qualified = self.qualified_table
            schema = f'"{self.db.schema}".' if self.db.schema else ""
            exists = conn.execute(
                text(
                    "SELECT 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE t.tgname = :name AND c.relname = :table AND n.nspname = :schema"
                ),
                {
                    "name": f"{table}_append_only",
                    "table": table,
                    "schema": self.db.schema or "public",
                },
            ).first()
            if exists is None:  # (an application role that does not own the table skips this)
                conn.execute(
                    text(
                        f"CREATE OR REPLACE FUNCTION {schema}caseledger_refuse_change() "
                        "RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                        "RAISE EXCEPTION 'caseledger events are append-only: % refused', TG_OP; "
                        "END $$"
                    )
                )
                conn.execute(
                    text(
                        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON "
                        f"{qualified} FOR EACH ROW EXECUTE FUNCTION "
                        f"{schema}caseledger_refuse_change()"
                    )
                )
                conn.execute(
                    text(
                        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {qualified} "
                        f"FOR EACH STATEMENT EXECUTE FUNCTION {schema}caseledger_refuse_change()"
                    )
                )

    # -- reading ------------------------------------------------------------------------------

    def _select(
        self, child_id: str, gt: int | None = None, sealed: set[str] | None = None
    ) -> list[RecordedEvent]:
        self._keys_current()
        stored = self.recorder.select_events(stream_id(child_id), gt=gt)
        return decode_rows(stored, self.shredder, sealed)

    def _keys_current(self) -> None:
        """Before decoding or sealing: drop the keys held in memory if any key was destroyed
        since (by ``retention destroy`` in another process), so a long-running reader cannot
        go on decrypting a destroyed subject. One indexed query; none when no key is held."""
        if self.shredder is not None and not getattr(self._keys_checked, "on", False):
            self.shredder.keys.forget_if_destroyed_since()

    def _cached_stream(self, cache: StreamCache, child_id: str) -> list[RecordedEvent]:
        """The child's stream through the shared cache: one query for the stream's newest
        version (and, for an encrypted record, one for its subjects' keys destroyed since it
        was decoded); decoding only when it has grown, or a key it was opened with is gone."""
        engine = sql_engine(self.url)
        for _ in range(3):  # a key destroyed while decoding: forget it and decode again
            with engine.connect() as conn:
                found = self._newest_versions(conn, [stream_id(child_id)])
            version = found[0][1] if found else None
            if version is None:
                cache.drop(self.url, child_id)
                return []
            entry = cache.get(self.url, child_id)
            if entry is not None and entry.version > int(version):
                entry = None  # not this log's stream (a store rebuilt under the same URL)
            if entry is None or entry.version < int(version):
                sealed: set[str] = set()
                if entry is not None:  # only the rows after the cached ones
                    newer = self._select(child_id, gt=entry.version, sealed=sealed)
                    if newer and newer[0].position == entry.version + 1:
                        entry = StreamEntry(
                            (*entry.events, *newer), entry.opened | self._opened(sealed)
                        )
                    else:
                        entry = None
                if entry is None:
                    sealed = set()
                    entry = StreamEntry(
                        tuple(self._select(child_id, sealed=sealed)), self._opened(sealed)
                    )
                cache.put(self.url, child_id, entry)
            gone = self._destroyed_keys(entry.opened)
            if not gone:
                return list(entry.events)
            cache.drop(self.url, child_id)
            assert self.shredder is not None
            self.shredder.keys.forget(gone)
        raise RuntimeError(f"child {child_id!r}: subject keys kept being destroyed while reading")

    def _opened(self, sealed: set[str]) -> frozenset[str]:
        """Those of ``sealed`` (subjects) whose boxes this store opens (a live key)."""
        if not sealed or self.shredder is None:
            return frozenset()
        return frozenset(s for s in sealed if self.shredder.keys.read(s) is not None)

    def _destroyed_keys(self, subjects: frozenset[str]) -> set[str]:
        if not subjects or self.shredder is None:
            return set()
        return self.shredder.keys.destroyed_among(subjects)

    def child_record(self, child_id: str, *, latest: int | None = None) -> ChildRecord:
        """The aggregate for a child, caught up with anything written since it was cached.

        ``latest``, when the caller already knows the stream's newest version (see
        :meth:`_latest_versions`), saves the query for a cached record that is current.
        """
        record = self._records.get(child_id)
        if record is None:
            record = ChildRecord.rebuild(child_id, self._select(child_id))
        elif latest is not None and latest <= record.version:
            return record
        else:
            newer = self._select(child_id, gt=record.version)
            if newer:
                record = ChildRecord.rebuild(child_id, [*record.history, *newer])
        self._records[child_id] = record
        return record

    def remember(self, child_id: str, events: Sequence[RecordedEvent]) -> None:
        """Cache the child's record built from ``events``, its whole stream as just read.

        For a caller that has read a stream (:meth:`stream`) and is about to write to it:
        the write's check then starts from this record instead of reading and decoding the
        stream a second time. Nothing is trusted that was not before: a write still asks
        the log whether the stream has grown since (and reads only what is newer), and the
        unique (stream, version) key still refuses a stale write. ``events`` that are not
        this child's whole stream from position 1, or older than the cached record, are
        ignored.
        """
        if (
            not events
            or events[0].child_id != child_id
            or events[0].position != 1
            or events[-1].position != len(events)
        ):
            return
        cached = self._records.get(child_id)
        if cached is not None and cached.version >= len(events):
            return
        self._records[child_id] = ChildRecord.rebuild(child_id, events)

    def _latest_versions(self, child_ids: Sequence[str]) -> dict[str, int] | None:
        """Each stream's newest version (None: not on this recorder), in one query.

        One query on PostgreSQL, one per 500 children on SQLite.

        A batch touching many cached children checks they are current with one query
        instead of one per child; children with no row are absent from the answer.
        """
        if self.recorder_name != "builtin" or not child_ids:
            return None
        by_stream = {stream_id(c): c for c in child_ids}
        found: dict[str, int] = {}
        with sql_engine(self.url).connect() as conn:
            for origin, version in self._newest_versions(conn, list(by_stream)):
                if version is not None:
                    found[by_stream[_uuid(origin)]] = int(version)
        return found

    def _newest_versions(self, conn: Any, streams: list[uuid.UUID]) -> list[tuple[Any, Any]]:
        """(stream, newest version or None) for each of ``streams``.

        On PostgreSQL each stream is its own ``MAX`` under the (stream, version) key: one
        step down the index whatever the table's statistics say. As an ``IN`` list grouped
        by stream, a table the planner had no statistics for (a bulk load outruns
        autovacuum, and a server may run without it) was guessed at 0.5% of its rows per
        id: past about 900,000 events every check became a scan of the whole log, and a
        county import fell from 14,000 to 7,000 events/s. One array parameter also keeps
        the statement text the same for every chunk.
        """
        if not self.db.is_sqlite:
            rows = conn.execute(
                text(
                    "SELECT k.id, (SELECT MAX(e.originator_version) FROM "
                    f"{self.qualified_table} AS e WHERE e.originator_id = k.id) "
                    "FROM unnest(CAST(:ids AS uuid[])) AS k(id)"
                ),
                {"ids": streams},
            )
            return [(origin, version) for origin, version in rows]
        query = (
            f"SELECT originator_id, MAX(originator_version) FROM {self.qualified_table} "
            f"WHERE originator_id IN ({SQLITE_MARKS}) GROUP BY originator_id"
        )
        return [
            (origin, version)
            for chunk in sqlite_key_chunks([key.hex for key in streams])
            for origin, version in conn.exec_driver_sql(query, chunk)
        ]

    def refresh_statistics(self, *, only_if_stale: bool = False) -> bool:
        """Have PostgreSQL analyse the log (after a bulk import; see
        :func:`adapters.db.refresh_statistics`). True if it did."""
        engine = sql_engine(self.url)
        return bool(refresh_statistics(engine, [self.qualified_table], only_if_stale=only_if_stale))

    def stream(self, child_id: str) -> list[RecordedEvent]:
        """Every event on a child's record, in recorded (stream) order."""
        cache = self.streams
        if cache is not None and self.recorder_name == "builtin":
            events = self._cached_stream(cache, child_id)
        else:
            events = self._select(child_id)
        if not events:
            raise self.unknown(child_id)
        return events

    def read_streams(self, child_ids: Sequence[str]) -> dict[str, list[RecordedEvent]]:
        """Each child's whole stream, as :meth:`stream` gives it, read in one query.

        For a caller that reads many children's streams at once (a tick's batch): one
        statement per 500 children instead of one per child (on PostgreSQL each was a round
        trip). A child with no record is left out. The statement's text is the same for every
        call (an array parameter on PostgreSQL, SQLite's fixed-size key list), and each
        stream is one step down the (stream, version) key whatever the statistics say.
        Read from the log itself, not through the shared stream cache (``self.streams``): a
        tick reads each child once.
        """
        wanted = list(dict.fromkeys(child_ids))
        if self.recorder_name != "builtin":
            return {c: events for c in wanted if (events := self._select(c))}
        by_stream = {stream_id(c): c for c in wanted}
        self._keys_current()
        rows: list[tuple[Any, Any, Any, Any]] = []
        with sql_engine(self.url).connect() as conn:
            if not self.db.is_sqlite and by_stream:
                rows = [
                    tuple(r)
                    for r in conn.execute(
                        text(
                            "SELECT e.originator_id, e.originator_version, e.topic, e.state "
                            "FROM unnest(CAST(:ids AS uuid[])) WITH ORDINALITY AS k(id, n) "
                            "CROSS JOIN LATERAL (SELECT originator_id, originator_version, "
                            f"topic, state FROM {self.qualified_table} AS s "
                            "WHERE s.originator_id = k.id ORDER BY s.originator_version) AS e"
                        ),
                        {"ids": list(by_stream)},
                    )
                ]
            elif by_stream:
                query = (
                    "SELECT originator_id, originator_version, topic, state "
                    f"FROM {self.qualified_table} WHERE originator_id IN ({SQLITE_MARKS}) "
                    "ORDER BY originator_id, originator_version"
                )
                for chunk in sqlite_key_chunks([key.hex for key in by_stream]):
                    rows.extend(tuple(r) for r in conn.exec_driver_sql(query, chunk))
        # rows come back keyed as the engine keeps them (a UUID, or SQLite's hex text): the
        # streams are found by that key, with no UUID or StoredEvent made for every row
        keys = {k if not self.db.is_sqlite else k.hex: k for k in by_stream}
        found: dict[uuid.UUID, list[RecordedEvent]] = defaultdict(list)
        shredder = self.shredder
        parsed = parsed_page((row[3] for row in rows), shredder)
        for (origin, _version, topic, _state), data in zip(rows, parsed, strict=True):
            key = keys.get(origin) or _uuid(origin)
            found[key].append(decode_parsed(data, topic, shredder))
        return {by_stream[k]: found[k] for k in by_stream if k in found}

    def derived(
        self,
        child_id: str,
        events: Sequence[RecordedEvent],
        key: Hashable,
        compute: Callable[[], T],
        *,
        at: datetime | None = None,
    ) -> T:
        """``compute()`` — a pure function of the child's whole stream ``events`` (as
        :meth:`stream` gave it) — memoised with the stream in the shared cache, if this store
        reads through one and ``events`` is its current entry; else computed afresh.

        ``at``: the fold also depends on the moment: memoised for ``at``'s London day, and
        only once everything on the stream had been recorded and had happened by ``at``
        (the same events then fold the same way at any later moment that day; the caller
        sets anything that shows the moment itself)."""
        cache = self.streams
        if cache is None:
            return compute()
        if at is None:
            return cache.derived(self.url, child_id, events, key, compute)
        return cache.derived(
            self.url,
            child_id,
            events,
            (key, at.astimezone(LONDON).date()),
            compute,
            when=lambda entry: entry.settled_at(at),
        )

    def settled(self, child_id: str, events: Sequence[RecordedEvent], at: datetime) -> bool:
        """Whether ``events`` is the child's stream as kept in the shared cache and everything
        on it had been recorded and had happened by ``at`` (see :meth:`derived`)."""
        cache = self.streams
        entry = cache.entry_of(self.url, child_id, events) if cache is not None else None
        return entry is not None and entry.settled_at(at)

    def unknown(self, child_id: str) -> UnknownChild:
        """The error for a child with no record (the access gate gives the same for a child
        one may not see: no existence oracle)."""
        return UnknownChild(f"no record for child {child_id!r}")

    def history(self, child_id: str, as_known_at: datetime | None = None) -> list[RecordedEvent]:
        """A child's events in occurred order; with ``as_known_at``, only those recorded by then."""
        return known_history(self.stream(child_id), as_known_at)

    def notifications(
        self, after: int = 0, limit: int = 1000, topics: Sequence[str] = ()
    ) -> list[RecordedEvent]:
        """Events in global (notification) order, after a position; the feed's source."""
        self._keys_current()
        items = self.recorder.select_notifications(
            start=after, limit=limit, topics=topics, inclusive_of_start=False
        )
        return decode_rows(items, self.shredder)

    def readable_notifications(
        self, after: int, limit: int, end: int
    ) -> tuple[list[RecordedEvent], list[tuple[int, str, BaseException]], int]:
        """One page of the log after ``after`` (to ``end``), for a read model that must go on.

        Gives the events decoded, those that could not be (position, stream, error: a stored
        shape the current code refuses), and the page's last position, so one unreadable
        event is skipped and reported by the caller instead of stopping it.
        """
        self._keys_current()
        items = self.recorder.select_notifications(
            start=after, limit=limit, inclusive_of_start=False
        )
        items = [n for n in items if n.id <= end]
        events: list[RecordedEvent] = []
        unreadable: list[tuple[int, str, BaseException]] = []
        parsed: list[tuple[Notification, dict[str, Any]]] = []
        for n in items:
            try:
                parsed.append((n, orjson.loads(n.state)))
            except Exception as error:  # noqa: BLE001  (whatever the stored bytes hold)
                unreadable.append((n.id, str(n.originator_id), error))
        preload_keys(self.shredder, (data for _, data in parsed))
        for n, data in parsed:
            try:
                events.append(decode_parsed(data, n.topic, self.shredder, None, n.id))
            except Exception as error:  # noqa: BLE001  (whatever the stored bytes hold)
                unreadable.append((n.id, str(n.originator_id), error))
        unreadable.sort(key=lambda entry: entry[0])
        return events, unreadable, items[-1].id if items else after

    def notifications_where(
        self, after: int, limit: int, keep: Callable[[uuid.UUID], bool]
    ) -> tuple[list[RecordedEvent], int]:
        """One page of the log after ``after``: the events of the streams ``keep`` accepts.

        Also gives the position of the page's last event, kept or not, so that the caller
        goes on from there (0 events and ``after`` itself at the end of the log). Only kept
        events are decoded: each worker of a partitioned rebuild reads the whole log but
        decodes only its own share of the children.
        """
        self._keys_current()
        items = self.recorder.select_notifications(
            start=after, limit=limit, inclusive_of_start=False
        )
        last = items[-1].id if items else after
        return decode_rows([n for n in items if keep(_uuid(n.originator_id))], self.shredder), last

    def iter_all(self, after: int = 0, batch: int = 2000) -> Iterator[RecordedEvent]:
        """Every event in global order, streamed in batches (memory stays flat)."""
        position = after
        while True:
            page = self.notifications(after=position, limit=batch)
            if not page:
                return
            yield from page
            position = page[-1].global_position or position

    def max_position(self) -> int:
        return self.recorder.max_notification_id() or 0

    def children(self) -> list[str]:
        """Every child id with a record (from the registrations in the log)."""
        return [data["child_id"] for data in self.registrations()]

    def registrations(self) -> Iterator[dict[str, Any]]:
        """The stored payload of every ``child_registered`` event, in log order."""
        from domain.events.people import ChildRegistered

        topic = get_topic(ChildRegistered)
        position = 0
        while True:
            page = self.recorder.select_notifications(
                start=position, limit=5000, topics=[topic], inclusive_of_start=False
            )
            if not page:
                return
            for n in page:
                payload: dict[str, Any] = orjson.loads(n.state)["payload"]
                yield payload
            position = page[-1].id

    # -- writing ------------------------------------------------------------------------------

    def record(
        self,
        events: Sequence[CaseEvent],
        *,
        recorded_at: Sequence[datetime] | None = None,
        writer: Writer = CALLER,
    ) -> list[RecordedEvent]:
        """Append events (for one or many children) atomically, or raise and write nothing.

        Every event is checked against its child's record first; InvalidEvent names the
        event's index in ``events``, its field and the rule. Then all new events are written
        in one transaction. A repeated idempotency key writes nothing and returns the event
        first written for it. Returns one recorded event per input event, in input order.

        Recorded-at is the store's clock, one moment for the whole call, unless
        ``recorded_at`` gives one moment per event (an import keeping when each entry was
        written down): each must be timezone-aware, no later than the store's clock (nobody
        writes an entry down in the future) and, for each child, in the order written down.

        ``writer`` is who appends (:mod:`domain.writers`): only the policy handler's
        ``POLICY_WRITER`` may write the standards events, and a caller's key repeated with
        other content raises :class:`IdempotencyConflict` naming the earlier event.
        """
        return self._record(events, recorded_at, writer=writer)[0]

    def _record(
        self,
        events: Sequence[CaseEvent],
        times: Sequence[datetime] | None,
        *,
        trust_cache: bool = False,
        writer: Writer = CALLER,
    ) -> tuple[list[RecordedEvent], int]:
        """:meth:`record`, also giving how many of the events were newly written."""
        self._keys_current()  # a destroyed subject's key, still in memory, seals nothing
        self._keys_checked.on = True  # ... and the write's own reads need not ask again
        try:
            return self._record_checked(events, times, trust_cache=trust_cache, writer=writer)
        finally:
            self._keys_checked.on = False

    def _record_checked(
        self,
        events: Sequence[CaseEvent],
        times: Sequence[datetime] | None,
        *,
        trust_cache: bool,
        writer: Writer,
    ) -> tuple[list[RecordedEvent], int]:
        now = self.clock()
        if now.tzinfo is None:
            raise ValueError("the store's clock must give aware datetimes")
        if times is not None:
            _check_recorded_times(events, times, now)
        by_child: dict[str, list[int]] = defaultdict(list)
        for index, event in enumerate(events):
            by_child[event.child_id].append(index)
        results: dict[int, RecordedEvent] = {}
        to_write: list[RecordedEvent] = []
        decisions = []
        records = self._current_records(list(by_child), trust_cache)
        if self.shredder is not None:
            self.shredder.prepare(events)  # the batch's keys in one query, not 3 per subject
        try:
            # an import decides on its cached records in place (no copy per child and
            # batch); if anything fails they may be ahead of the log, so they are dropped
            for child_id, indexes in by_child.items():
                record = records[child_id]
                moments = now if times is None else [times[i] for i in indexes]
                try:
                    decision = record.record(
                        [events[i] for i in indexes],
                        recorded_at=moments,
                        new_id=self.new_id,
                        in_place=trust_cache,
                        writer=writer,
                        store_as=None if self.shredder is None else self.shredder.seal,
                    )
                except (InvalidEvent, IdempotencyConflict) as error:
                    assert error.index is not None
                    raise error.at(indexes[error.index]) from None
                except SubjectErased as error:  # a destroyed record takes nothing new
                    whose = "the child's" if error.subject.startswith("child:") else "a person's"
                    raise InvalidEvent(
                        f"{whose} record was destroyed at the end of its retention: "
                        "nothing can be added under it",
                        field="child_id" if whose == "the child's" else "person_id",
                        kind=events[indexes[0]].kind,
                        index=indexes[0],
                    ) from None
                decisions.append((record, decision))
                for i, item in zip(indexes, decision.results, strict=True):
                    results[i] = item
                to_write.extend(decision.new)
            if to_write:
                self._write(to_write)
        except BaseException:
            if self.shredder is not None:
                self.shredder.drop_keys()  # nothing sealed under them was written
            if trust_cache:
                self.forget(by_child)
            raise
        for record, decision in decisions:
            record.commit(decision)
        if to_write:
            log.debug("events_recorded", count=len(to_write), children=len(by_child))
        return [results[i] for i in range(len(events))], len(to_write)

    def _write(self, items: list[RecordedEvent]) -> None:
        stored = [to_stored(item) for item in items]
        if self.shredder is not None:
            try:  # the keys first: an event is never stored before the key it is sealed under
                self.shredder.save_keys()
            except SQLIntegrityError as error:
                self.forget({item.child_id for item in items})
                raise ConcurrencyConflict(
                    "another writer made a key for one of the same people first; "
                    "nothing was written — reload the record and try again"
                ) from error
        try:
            self.recorder.insert_events(stored)
        except IntegrityError as error:
            self.forget({item.child_id for item in items})
            raise ConcurrencyConflict(
                "another writer appended to the same child's record first; "
                "nothing was written — reload the record and try again"
            ) from error

    def _current_records(self, child_ids: list[str], trust_cache: bool) -> dict[str, ChildRecord]:
        """Each child's record as it stands in the log, with as few queries as may be.

        One query (per 500 children) says which cached records are current and which
        children have no stream yet, instead of one query per child. ``trust_cache`` (an
        import writing its own children) skips the check for cached records: if another
        writer had appended meanwhile, the insert's unique (stream, version) key refuses
        the whole batch, so a stale record can cost a retry but never a wrong write.
        """
        ask = [c for c in child_ids if not (trust_cache and c in self._records)]
        cached = sum(1 for c in ask if c in self._records)
        several = cached > 1 or len(ask) - cached > 1
        latest = self._latest_versions(ask) if several else None
        records: dict[str, ChildRecord] = {}
        for child_id in child_ids:
            record = self._records.get(child_id)
            if record is not None and trust_cache:
                records[child_id] = record
            elif record is None and latest is not None and child_id not in latest:
                records[child_id] = self._records[child_id] = ChildRecord(child_id)  # no stream
            else:
                known = None if latest is None else latest.get(child_id, 0)
                records[child_id] = self.child_record(child_id, latest=known)
        return records

    def record_one(self, event: CaseEvent, *, recorded_at: datetime | None = None) -> RecordedEvent:
        """Append one event (recorded now, or at ``recorded_at`` when importing one entry)."""
        return self.record([event], recorded_at=None if recorded_at is None else [recorded_at])[0]

    # -- bulk import --------------------------------------------------------------------------

    def import_batch(
        self, events: Sequence[CaseEvent], recorded_at: Sequence[datetime]
    ) -> list[RecordedEvent]:
        """One batch of an import: :meth:`record` with per-event times, for a bulk writer.

        The same checks and the same single transaction as :meth:`record`, but the records
        this store has cached are trusted without asking the log whether another writer
        appended meanwhile (the question costs a query over every child in the batch). If
        one had, the batch is refused by the unique (stream, version) key, nothing of it
        is written, and it is checked again against the log once. For loaders that must
        see the event ids of one batch before building the next (corrections).
        """
        return self._import_batch(events, recorded_at)[0]

    def _import_batch(
        self, events: Sequence[CaseEvent], times: Sequence[datetime]
    ) -> tuple[list[RecordedEvent], int]:
        try:
            return self._record(events, times, trust_cache=True)
        except ConcurrencyConflict:
            log.info("import_batch_retried", events=len(events))
            return self._record(events, times)

    def import_events(
        self,
        items: Iterable[tuple[CaseEvent, datetime]],
        *,
        batch_size: int = 2000,
        progress: Callable[[ImportResult], None] | None = None,
        cache_children: int = IMPORT_CACHE_CHILDREN,
        on_batch: Callable[[Sequence[RecordedEvent]], None] | None = None,
    ) -> ImportResult:
        """Import ``(event, recorded_at)`` pairs, each keeping the time it was written down.

        For migrations from another case system (and loading synthetic authorities): items
        come in the order they were written down (for each child at least), and each keeps
        its own recorded-at — the record's second clock, on which "what did we know then"
        answers rest — instead of the moment of the import.

        Items are read from ``items`` as they come, ``batch_size`` at a time, and each batch
        is checked and written in one transaction (:meth:`record` with per-event times), so
        memory stays flat however long the import: at most ``cache_children`` children's
        records are kept between batches (the least recently written are dropped and
        reloaded from the log if they come back).

        If a batch is refused, nothing of that batch is written, but every earlier batch
        was: :class:`ImportRefused` (an InvalidEvent) names the item by its index in the
        whole import, its field and the rule, and says how many items the earlier batches
        put in the store. Fix the item and run the whole import again: items that carry an
        idempotency key (a legacy system's entry id, say) and are already in the store are
        not written twice, and their recorded-at is not judged again. Items without a key
        would be written twice, so skip the count the error gives instead.
        A conflict with another writer raises :class:`ConcurrencyConflict` with the same count.
        ``progress`` is called with the running totals after each batch, and ``on_batch``
        with the batch's recorded events in item order (the event ids the store gave them),
        before the next item is read from ``items``.
        """
        if batch_size < 1:
            raise ValueError(f"batch_size {batch_size}: give 1 or more")
        began = time.perf_counter()
        result = ImportResult()
        with replay_gc(IMPORT_THRESHOLDS):  # an import allocates much and frees it at once
            self._import_all(items, batch_size, progress, cache_children, on_batch, result)
        if result.written:
            self.refresh_statistics()
        result.seconds = time.perf_counter() - began
        log.info(
            "import_done",
            events=result.events,
            written=result.written,
            batches=result.batches,
            store_seconds=round(result.store_seconds, 3),
        )
        return result

    def _import_all(
        self,
        items: Iterable[tuple[CaseEvent, datetime]],
        batch_size: int,
        progress: Callable[[ImportResult], None] | None,
        cache_children: int,
        on_batch: Callable[[Sequence[RecordedEvent]], None] | None,
        result: ImportResult,
    ) -> None:
        for batch in chunked(_checked_items(items, result), batch_size):
            events = [event for event, _ in batch]
            times = [moment for _, moment in batch]
            tick = time.perf_counter()
            try:
                recorded, written = self._import_batch(events, times)
            except InvalidEvent as error:
                # info, not warning: the refusal is raised to the caller, who reports it
                log.info(
                    "import_refused",
                    batch=result.batches + 1,
                    item=None if error.index is None else result.events + error.index,
                    field=error.field,
                    kind=error.kind,
                    earlier_items=result.events,
                )
                raise ImportRefused(error, done=result.events) from None
            except IdempotencyConflict as error:
                assert error.index is not None
                log.info(
                    "import_key_conflict", batch=result.batches + 1, earlier_items=result.events
                )
                raise error.at(result.events + error.index) from None
            except ConcurrencyConflict as error:
                log.info("import_conflict", batch=result.batches + 1, earlier_items=result.events)
                raise ConcurrencyConflict(
                    f"{error} (import batch {result.batches + 1}, items {result.events} to "
                    f"{result.events + len(batch) - 1}; the {result.events} items before it "
                    "are in the store)"
                ) from error
            result.store_seconds += time.perf_counter() - tick
            result.batches += 1
            result.events += len(batch)
            result.written += written
            self._keep_recent(events, cache_children)
            if on_batch is not None:
                on_batch(recorded)
            log.info(
                "import_batch",
                batch=result.batches,
                events=len(batch),
                written=written,
                total=result.events,
            )
            if progress is not None:
                progress(result)

    def _keep_recent(self, events: Sequence[CaseEvent], limit: int) -> None:
        """Mark these children most recently used; drop the least recent beyond ``limit``."""
        for child_id in dict.fromkeys(event.child_id for event in events):
            record = self._records.pop(child_id, None)
            if record is not None:
                self._records[child_id] = record
        excess = len(self._records) - limit
        if excess > 0:
            for child_id in list(itertools.islice(self._records, excess)):
                del self._records[child_id]

    # -- verification -------------------------------------------------------------------------

    def verify(self, progress: Callable[[int], None] | None = None) -> VerifyReport:
        """Check every stream against its own hashes, its head anchor and the last checkpoint.

        Walks the log from the raw stored bytes: each event's hash, its link to the one
        before, its place (stream and position), and that its topic column names the kind
        its hashed content holds. Then each stream is held to its head anchor (a stream
        shorter than its anchor lost its tail; an anchor without events, its whole stream)
        and to the latest signed checkpoint (its signature, and the event at each stream's
        signed count still bears the signed hash). A read: nothing is written.
        """
        walk = _Walk()
        with sql_engine(self.url).connect() as conn:
            heads = anchors.read_heads(conn, self.db.schema)
            checkpoints = anchors.all_checkpoints(conn, self.db.schema)
        signed: dict[uuid.UUID, anchors.Head] = {}
        notes: list[str] = []
        if checkpoints:
            signed, problem = self._checked_checkpoints(checkpoints)
            if problem:
                walk.broken_store(problem)
            else:
                last = checkpoints[-1]
                notes.append(
                    f"{len(checkpoints)} checkpoint(s), signatures valid; the latest, "
                    f"{last.id} of {last.created_at}, covers the log to position {last.position}"
                )
        walk.signed = signed
        position = 0
        while True:
            page = self.recorder.select_notifications(
                start=position, limit=2000, inclusive_of_start=False
            )
            if not page:
                break
            for n in page:
                walk.take(n)
            position = page[-1].id
            if progress:
                progress(len(page))
        walk.against_heads(heads)
        walk.against_checkpoint()
        from adapters.readmodels.failures import list_failures

        for failure in list_failures(sql_engine(self.url)):
            notes.append(
                f"read model {failure['model']} skipped the event at log position "
                f"{failure['position']} (child {failure['child_id']}, event "
                f"{failure['event_id']}): {failure['error']}"
            )
        return VerifyReport(
            streams=len(walk.last), events=walk.count, broken=walk.report(), notes=notes
        )

    def _checked_checkpoints(
        self, checkpoints: list[anchors.Checkpoint]
    ) -> tuple[dict[uuid.UUID, anchors.Head], str | None]:
        try:
            key = load_key(self.db, create=False)
        except CheckpointKeyError as error:
            return {}, f"the checkpoints cannot be checked: {error}"
        if key is None:
            return {}, (
                "the checkpoints cannot be checked: no checkpoint key "
                f"(looked for {key_path(self.db).name} and $CASELEDGER_CHECKPOINT_KEY)"
            )
        return anchors.fold_checkpoints(checkpoints, key, key_id(key))

    def checkpoint(self) -> int | None:
        """Sign the heads of every stream written since the last checkpoint (None: none was).

        The first checkpoint signs every head; later ones the streams the log shows written
        since the one before. The key is the store's (:mod:`adapters.keys`), created 0600 on
        first use. A commit after the log position is read is in this checkpoint's heads or
        the next one's, never lost between them (writers commit in notification order).
        """
        key = load_key(self.db, create=True)
        assert key is not None
        with sql_engine(self.url).connect() as conn:
            latest = anchors.latest_checkpoint(conn, self.db.schema)
        position = self.max_position()
        if latest is not None and latest.position >= position:
            return None
        streams = None if latest is None else self._streams_after(latest.position)
        with sql_engine(self.url).begin() as conn:
            number = anchors.write_checkpoint(
                conn, self.db.schema, key, key_id(key), position, streams
            )
        log.info("checkpoint_written", checkpoint=number, position=position)
        return number

    def _streams_after(self, position: int) -> set[uuid.UUID]:
        streams: set[uuid.UUID] = set()
        while True:
            page = self.recorder.select_notifications(
                start=position, limit=5000, inclusive_of_start=False
            )
            if not page:
                return streams
            streams.update(_uuid(n.originator_id) for n in page)
            position = page[-1].id


class _Walk:
    """What :meth:`EventStore.verify` learns walking the log, stream by stream."""

    def __init__(self) -> None:
        self.last: dict[uuid.UUID, tuple[int, str]] = {}
        self.child: dict[uuid.UUID, str] = {}
        self.broken: dict[uuid.UUID, BrokenLink] = {}
        self.store_problems: list[BrokenLink] = []
        self.signed: dict[uuid.UUID, anchors.Head] = {}
        self.signed_seen: set[uuid.UUID] = set()
        self.count = 0

    def broken_store(self, reason: str) -> None:
        self.store_problems.append(BrokenLink("(store)", 0, "-", reason))

    def take(self, n: Notification) -> None:
        self.count += 1
        stream = _uuid(n.originator_id)
        link = _check_link(n, stream, self.last, self.child)
        if link is not None and stream not in self.broken:
            self.broken[stream] = link
        mark = self.signed.get(stream)
        if mark is not None and n.originator_version == mark.events:
            self.signed_seen.add(stream)
            head = self.last[stream][1]
            if head != mark.head and stream not in self.broken:
                self.broken[stream] = BrokenLink(
                    mark.child_id,
                    mark.events,
                    _event_id(n),
                    "differs from the signed checkpoint (the stream was rewritten up to here, "
                    "hashes recomputed)",
                )

    def against_heads(self, heads: dict[uuid.UUID, anchors.Head]) -> None:
        for stream, (version, head) in self.last.items():
            child = self.child.get(stream, str(stream))
            anchor = heads.get(stream)
            if stream in self.broken:
                continue
            if anchor is None:
                self.broken[stream] = BrokenLink(
                    child, version, "-", "has no head anchor (inserted outside the store)"
                )
            elif anchor.events > version:
                self.broken[stream] = BrokenLink(
                    child,
                    version,
                    "-",
                    f"tail truncated: {version} events stored, but its head anchor says "
                    f"{anchor.events} (the last {anchor.events - version} removed)",
                )
            elif anchor.events < version or anchor.head != head:
                self.broken[stream] = BrokenLink(
                    child,
                    version,
                    "-",
                    f"does not match its head anchor ({anchor.events} events, head "
                    f"{anchor.head[:12]}…): events rewritten or added outside the store",
                )
        for stream, anchor in heads.items():
            if stream not in self.last:
                self.broken[stream] = BrokenLink(
                    anchor.child_id,
                    0,
                    "-",
                    f"stream removed: its head anchor says {anchor.events} events, none stored",
                )

    def against_checkpoint(self) -> None:
        for stream, mark in self.signed.items():
            if stream in self.signed_seen or stream in self.broken:
                continue
            stored = self.last.get(stream, (0, ""))[0]
            what = "removed" if stored == 0 else f"truncated to {stored} events"
            self.broken[stream] = BrokenLink(
                mark.child_id,
                stored,
                "-",
                f"{what}: the signed checkpoint holds {mark.events} events for it",
            )

    def report(self) -> list[BrokenLink]:
        return [*self.store_problems, *self.broken.values()]


def _event_id(n: Notification) -> str:
    try:
        return str(orjson.loads(n.state).get("event_id", "?"))
    except (ValueError, AttributeError):
        return "?"


# -- bulk import helpers ----------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import did: items taken, newly written, batches, and where the time went."""

    events: int = 0
    """Items taken into the store (newly written, or already there by idempotency key)."""
    written: int = 0
    batches: int = 0
    seconds: float = 0.0
    store_seconds: float = 0.0
    """Time inside the store's checks and writes (reading the items excluded)."""

    @property
    def events_per_second(self) -> float:
        return self.events / self.store_seconds if self.store_seconds else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "written": self.written,
            "batches": self.batches,
            "seconds": round(self.seconds, 3),
            "store_seconds": round(self.store_seconds, 3),
            "events_per_second": round(self.events_per_second, 1),
        }


class ImportRefused(InvalidEvent):
    """A batch of an import was refused: nothing of it was written; earlier batches were.

    ``index`` is the item's place in the whole import (0-based), ``done`` how many items
    earlier batches put in the store, ``reason`` the rule the item broke (without the note).
    """

    def __init__(self, error: InvalidEvent, *, done: int) -> None:
        self.done = done
        self.reason = error.rule
        index = None if error.index is None else done + error.index
        rule = (
            f"{error.rule} — nothing of this batch was written; the {done:,} item(s) before it "
            "are in the store (items with an idempotency key are not written twice if the "
            "import is run again)"
        )
        super().__init__(rule, field=error.field, kind=error.kind, index=index)


def _check_recorded_times(
    events: Sequence[CaseEvent], times: Sequence[datetime], now: datetime
) -> None:
    """Per-event recorded times: one per event, and none after the store's clock."""
    if len(times) != len(events):
        raise InvalidEvent(
            f"gives {len(times)} times for {len(events)} events: one per event",
            field="recorded_at",
        )
    for index, moment in enumerate(times):
        kind = getattr(events[index], "kind", None)
        if not isinstance(moment, datetime):
            raise InvalidEvent(
                f"is {moment!r}, not a date and time", field="recorded_at", kind=kind, index=index
            )
        # a time without a timezone is the child record's rule to refuse (ChildRecord.record)
        if moment.utcoffset() is not None and moment > now:
            raise InvalidEvent(
                f"is {moment.isoformat()}, after the store's clock ({now.isoformat()}): "
                "nobody writes an entry down in the future",
                field="recorded_at",
                kind=kind,
                index=index,
            )


def _checked_items(
    items: Iterable[tuple[CaseEvent, datetime]], result: ImportResult
) -> Iterator[tuple[CaseEvent, datetime]]:
    """The items as given; a malformed one is refused before the batch it falls in is written."""
    for position, item in enumerate(items):
        if (
            not isinstance(item, tuple)
            or len(item) != 2
            or not isinstance(item[0], CaseEvent)
            or not isinstance(item[1], datetime)
        ):
            raise ImportRefused(
                InvalidEvent(
                    "each item must be a pair (case event, recorded-at datetime)",
                    index=position - result.events,
                ),
                done=result.events,
            )
        yield item


def _check_link(
    n: Notification,
    stream: uuid.UUID,
    last: dict[uuid.UUID, tuple[int, str]],
    child: dict[uuid.UUID, str],
) -> BrokenLink | None:
    """Check one stored event against its own hash, its place and its predecessor's hash."""
    previous_version, previous_hash = last.get(stream, (0, GENESIS_HASH))
    try:
        data: dict[str, Any] = json.loads(n.state)
        stored_hash = data.pop("hash")
        child_id = str(data["child_id"])
        event_id = str(data["event_id"])
    except (ValueError, KeyError, TypeError, AttributeError):
        last[stream] = (n.originator_version, "")
        return BrokenLink(
            child.get(stream, str(stream)),
            n.originator_version,
            "?",
            "stored state is not readable",
        )
    last[stream] = (n.originator_version, stored_hash)
    owner = child.setdefault(stream, child_id)

    def broken(reason: str) -> BrokenLink:
        return BrokenLink(owner, n.originator_version, event_id, reason)

    if stream_id(child_id) != stream:
        return broken(f"belongs to child {child_id!r}: copied or moved into another stream")
    if data.get("position") != n.originator_version:
        return broken(
            f"stored at position {n.originator_version} but sealed at {data.get('position')}: "
            "re-ordered"
        )
    if content_hash(data) != stored_hash:
        return broken("content does not match its hash (altered)")
    if data.get("prev_hash") != previous_hash or n.originator_version != previous_version + 1:
        return broken(
            "previous-hash link broken (an event before it was altered, removed or inserted)"
        )
    try:
        topic_kind: str | None = event_class(n.topic).kind
    except Exception:  # noqa: BLE001  (a topic that names no class at all)
        topic_kind = None
    if topic_kind != data.get("kind"):
        return broken(
            f"stored topic {n.topic!r} does not name its hashed kind {data.get('kind')!r}: "
            "relabelled"
        )
    return None


def _uuid(value: uuid.UUID | str) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """The items ``size`` at a time, read lazily (the last list may be shorter)."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
