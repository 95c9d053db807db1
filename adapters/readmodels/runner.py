"""SQL read models that follow the event log, on SQLite and PostgreSQL alike.

eventsourcing's ProjectionRunner and subscriptions work on PostgreSQL only, so
read models here follow the notification log themselves
(``recorder.select_notifications``) and store their position in the same
transaction as their rows: a crash between batches loses nothing and repeats
nothing, because a batch's rows and its position commit together or not at all.

A read model is any object with a ``name``, its tables' ``metadata`` and ``apply(conn,
events)`` (:class:`adapters.readmodels.model.ReadModel`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Column, Connection, DateTime, Integer, MetaData, String, Table, select

from adapters.db import refresh_statistics, sql_engine
from adapters.gc_tuning import replay_gc
from adapters.logging import get_logger
from adapters.readmodels.failures import (
    failures_metadata,
    readmodel_failures,
    record_failure,
    transient,
)
from adapters.readmodels.model import Progress, ReadModel
from adapters.readmodels.partitioned import rebuild_partitioned
from adapters.store import EventStore
from domain.envelope import RecordedEvent

__all__ = ["Progress", "ReadModel", "ReadModelRunner", "readmodel_positions"]
# Progress and ReadModel live in adapters.readmodels.model; named here for existing importers

log = get_logger("caseledger.readmodels")

positions_metadata = MetaData()
readmodel_positions = Table(
    "readmodel_positions",
    positions_metadata,
    Column("name", String(100), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


class ReadModelRunner:
    """Keeps a set of read models caught up with the store, exactly once per event."""

    def __init__(
        self,
        store: EventStore,
        models: Sequence[ReadModel],
        batch: int = 2000,
        *,
        create: bool = True,
    ) -> None:
        """``create=False`` for a reader: the tables are made by the first catch-up instead."""
        self.store = store
        self.models = list(models)
        self.batch = batch
        self.engine = sql_engine(store.url)
        self.last_workers = 0
        """How many processes the last :meth:`rebuild` replayed with (0: none yet)."""
        if create:
            self.create_tables()

    def create_tables(self) -> None:
        positions_metadata.create_all(self.engine)
        failures_metadata.create_all(self.engine)
        for model in self.models:
            model.metadata.create_all(self.engine)

    def position(self, name: str) -> int:
        with self.engine.connect() as conn:
            value = conn.execute(
                select(readmodel_positions.c.position).where(readmodel_positions.c.name == name)
            ).scalar()
        return int(value or 0)

    def _save_position(self, conn: Connection, name: str, position: int) -> None:
        now = datetime.now(UTC)
        updated = conn.execute(
            readmodel_positions.update()
            .where(readmodel_positions.c.name == name)
            .values(position=position, updated_at=now)
        )
        if updated.rowcount == 0:
            conn.execute(
                readmodel_positions.insert().values(name=name, position=position, updated_at=now)
            )

    def catch_up(self, progress: Progress | None = None, stop: int | None = None) -> int:
        """Apply every event after each model's position; returns the number of events read."""
        if not self.models:
            return 0
        starts = {model.name: self.position(model.name) for model in self.models}
        start = min(starts.values())
        end = self.store.max_position() if stop is None else stop
        total = max(end - start, 0)
        with replay_gc():
            done, position = self._follow(starts, start, end, total, progress)
        if done:
            log.info("readmodels_caught_up", events=done, position=position)
            self.refresh_statistics(only_if_stale=True)
        return done

    def refresh_statistics(self, *, only_if_stale: bool = False) -> list[str]:
        """Analyse the models' tables on PostgreSQL (see :func:`adapters.db.refresh_statistics`)."""
        names = [f'"{t.name}"' for model in self.models for t in model.metadata.sorted_tables]
        return refresh_statistics(self.engine, names, only_if_stale=only_if_stale)

    def _follow(
        self,
        starts: dict[str, int],
        position: int,
        end: int,
        total: int,
        progress: Progress | None,
    ) -> tuple[int, int]:
        done = 0
        while position < end:
            page, unreadable, last = self.store.readable_notifications(position, self.batch, end)
            if last == position:
                break
            if unreadable:
                self._record_unreadable(unreadable, starts)
            try:
                with self.engine.begin() as conn:
                    for model in self.models:
                        fresh = [e for e in page if (e.global_position or 0) > starts[model.name]]
                        if fresh:
                            model.apply(conn, fresh)
                        if last > starts[model.name]:
                            self._save_position(conn, model.name, last)
                for model in self.models:
                    starts[model.name] = max(starts[model.name], last)
            except Exception as error:  # noqa: BLE001  (one event must not stop every child)
                if _transient(error):
                    raise
                log.warning("readmodel_page_failed", error=type(error).__name__, after=position)
                self._one_by_one(page, starts, last)
            done += len(page) + len(unreadable)
            position = last
            if progress:
                progress(done, total)
        return done, position

    def _one_by_one(self, page: Sequence[RecordedEvent], starts: dict[str, int], last: int) -> None:
        """Apply a failed page one event a transaction; skip and record each that fails."""
        for event in page:
            at = event.global_position or 0
            for model in self.models:
                if at <= starts[model.name]:
                    continue
                try:
                    with self.engine.begin() as conn:
                        model.apply(conn, [event])
                        self._save_position(conn, model.name, at)
                except Exception as error:  # noqa: BLE001
                    if _transient(error):
                        raise
                    log.error(
                        "readmodel_event_skipped",
                        model=model.name,
                        position=at,
                        child_id=event.child_id,
                        event_id=event.event_id,
                        error=type(error).__name__,
                    )
                    with self.engine.begin() as conn:
                        record_failure(conn, model.name, at, event.child_id, event.event_id, error)
                        self._save_position(conn, model.name, at)
                starts[model.name] = at
        with self.engine.begin() as conn:
            for model in self.models:
                if last > starts[model.name]:
                    self._save_position(conn, model.name, last)
                    starts[model.name] = last

    def _record_unreadable(
        self, unreadable: Sequence[tuple[int, str, BaseException]], starts: dict[str, int]
    ) -> None:
        with self.engine.begin() as conn:
            for at, stream, error in unreadable:
                for model in self.models:
                    if at > starts[model.name]:
                        log.error(
                            "readmodel_event_skipped",
                            model=model.name,
                            position=at,
                            stream=stream,
                            error=type(error).__name__,
                        )
                        record_failure(conn, model.name, at, stream, "?", error)

    def workers_for(self, events: int) -> int | None:
        """How many processes a rebuild of ``events`` events uses, if known beforehand.

        ``CASELEDGER_REBUILD_WORKERS`` sets the number; otherwise None: the rebuild measures
        the log's first page and chooses (:mod:`adapters.readmodels.split`).
        """
        forced = os.environ.get("CASELEDGER_REBUILD_WORKERS")
        if forced:
            return max(1, min(int(forced), MAX_WORKERS))
        if events <= self.batch:  # one page: nothing to divide
            return 1
        return None

    def rebuild(
        self,
        progress: Progress | None = None,
        *,
        stop: int | None = None,
        workers: int | None = None,
    ) -> int:
        """Replay the log (up to ``stop``, else all) into new tables, then swap them in.

        The replay stages its rows apart from the models' tables (split by child between
        ``workers`` processes, :mod:`adapters.readmodels.partitioned`: the same rows), and one
        transaction swaps them in with the models' positions. Until then the old tables
        serve: a rebuild killed at any point changes nothing a reader sees. By default the
        rebuild replays the first page itself, measures what an event costs, and splits
        between the machine's spare cores only where that is predicted to be faster
        (:mod:`adapters.readmodels.split`; ``CASELEDGER_REBUILD_WORKERS`` sets the number).
        :attr:`last_workers` says how many it used. One rebuild at a time per store: a
        second raises :class:`~adapters.readmodels.rebuild_lock.RebuildBusy`.
        """
        if not self.models:
            return 0
        end = self.store.max_position() if stop is None else stop
        if workers is None:
            workers = self.workers_for(end)
        rebuilt = rebuild_partitioned(
            self.store,
            self.engine,
            self.models,
            self._save_position,
            workers=None if workers is None else max(workers, 1),
            end=end,
            batch=self.batch,
            progress=progress,
            clear=self._forget_failures,
            most=min(os.cpu_count() or 1, MAX_WORKERS),
        )
        self.last_workers = rebuilt.workers
        self.refresh_statistics()  # every row arrived at once: the planner has seen none
        return rebuilt.end

    def _forget_failures(self, conn: Connection) -> None:
        """The models' skipped-event records, dropped in the swap (the replay made new ones)."""
        for model in self.models:
            conn.execute(
                readmodel_failures.delete().where(readmodel_failures.c.model == model.name)
            )


_transient = transient


MAX_WORKERS = 8
"""At most this many rebuild processes, however many cores (SQLite attaches at most 10 files)."""
