"""The policy process: follows the log and the clock, appends breaches, warnings, met-late events.

:class:`PolicyHandler.tick` is one deterministic pass at a given moment:

1. the due-date index (:mod:`adapters.readmodels.deadlines`) catches up with the log, marking
   every child with new events dirty;
2. only the children that are dirty or whose next check time has come are evaluated (their
   streams read, the pure engine run);
3. the standards events the pure handler (:mod:`policies.handler`) calls for are appended to the
   child's own record, each with its deterministic idempotency key — a repeated tick, a restart
   after a crash mid-batch or events arriving out of order find the key already there and write
   nothing; a ConcurrencyConflict (another writer got in first) reloads and retries;
4. the child's row in the index is saved (open deadlines, case state, next check, not dirty).

Only the tick saves children in the index. There is no read-only tick: a pass that saved
children as evaluated without writing their standards events would lose those events for
good (the next tick would not look at the children again). Reads work out the index in
memory instead (:mod:`adapters.readmodels.deadline_view`).

A crash between 3 and 4 leaves the child dirty or due, so the next tick redoes it and the keys
stop anything being written twice. :func:`run_scheduler` drives ticks from APScheduler.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing import get_context

from adapters.db import sql_engine
from adapters.logging import get_logger
from adapters.packs import load_packs
from adapters.readmodels.deadlines import (
    DeadlineIndex,
    Evaluated,
    children_to_check,
    save_children,
    upgrade_index,
)
from adapters.readmodels.runner import ReadModelRunner
from adapters.store import DecidedRow, EventStore
from adapters.tick_workers import BatchJudge, Judged, judge, judge_batch, start_worker
from domain.envelope import RecordedEvent
from domain.errors import ConcurrencyConflict
from domain.events.base import CaseEvent
from domain.writers import POLICY_WRITER
from policies.handler import HandlerConfig, next_check
from policies.rules import PackSet

log = get_logger("caseledger.policy")

RETRIES = 5
SAVE_BATCH = 200
WORKERS = 2
"""Worker processes a large tick judges its batches in (at most the machine's cores)."""
PARALLEL_FROM = 200
"""Children from which a tick starts workers: a worker is ready in ~0.6 s and a child takes
~10 ms to judge, so below this starting one costs about what it saves."""
AHEAD = 2
"""Batches each worker may have judged ahead of the writes (bounds the memory held)."""
AHEAD_HERE = 8
"""Batches the tick's own process may judge ahead of the one it waits for: while a worker
starts, this process goes on instead of waiting (a judged batch is small: no streams)."""
BATCHES_PER_PROCESS = 6
"""With workers, a tick of few children is cut into at least this many batches a process
(at least MIN_PARALLEL_BATCH children each): 601 children in 200s made three batches, the
worker judged two and this process one, and two processes took longer than one."""
MIN_PARALLEL_BATCH = 25


def cut_batches(children: list[str], processes: int, most: int) -> list[list[str]]:
    """The tick's batches, in order: ``most`` children each, or with workers enough batches
    that every process judges several (:data:`BATCHES_PER_PROCESS`)."""
    size = most
    if processes > 1:
        share = -(-len(children) // (processes * BATCHES_PER_PROCESS))
        size = min(most, max(MIN_PARALLEL_BATCH, share))
    return [children[start : start + size] for start in range(0, len(children), size)]


@dataclass
class TickReport:
    at: datetime
    children_checked: int = 0
    breaches: int = 0
    due_soon: int = 0
    met_late: int = 0
    events_read: int = 0
    written: int = 0
    """Standards events appended (a count: a county's first tick writes hundreds of
    thousands, and keeping them all held gigabytes)."""

    def as_json(self) -> dict[str, object]:
        return {
            "at": self.at.isoformat(),
            "children_checked": self.children_checked,
            "events_read": self.events_read,
            "breaches": self.breaches,
            "due_soon": self.due_soon,
            "met_late": self.met_late,
            "written": self.written,
        }


class PolicyHandler:
    """Runs ticks against one store with one set of rule packs."""

    def __init__(
        self,
        store: EventStore,
        packs: PackSet | None = None,
        config: HandlerConfig = HandlerConfig(),
        *,
        workers: int | None = None,
    ) -> None:
        self.store = store
        self.packs = packs or load_packs()
        self.config = config
        self.workers = workers
        """Worker processes for a large tick (None: ``$CASELEDGER_TICK_WORKERS``, else up to
        :data:`WORKERS` from :data:`PARALLEL_FROM` children; 1: none)."""
        self.batch_size = SAVE_BATCH
        self.index = DeadlineIndex()
        self.runner = ReadModelRunner(store, [self.index])
        self.engine = sql_engine(store.url)
        added = upgrade_index(self.engine)
        if added:
            log.info("deadline_index_upgraded", columns=added)

    def catch_up(self) -> int:
        return self.runner.catch_up()

    def tick(
        self,
        at: datetime,
        *,
        progress: Callable[[int, int], None] | None = None,
        stop_after: int | None = None,
    ) -> TickReport:
        """One pass at ``at``: append the standards events due, then save the children.

        ``stop_after`` processes at most that many children (tests use it to simulate a crash
        mid-batch).
        """
        if at.tzinfo is None:
            raise ValueError("at must be an aware datetime")
        report = TickReport(at=at)
        report.events_read = self.catch_up()
        # the streams it reads are found through the log's statistics (a tick may follow
        # a bulk import, or the previous tick's own hundred thousand events)
        self.store.refresh_statistics(only_if_stale=True)
        with self.engine.connect() as conn:
            children = children_to_check(conn, at)
        if stop_after is not None:
            children = children[:stop_after]
        processes = self._worker_count(len(children))
        batches = cut_batches(children, processes, self.batch_size)
        done = 0
        for chunk, judged in self._judged(batches, at, processes - 1):
            if judged is None:  # judged here: the batch's streams in one query, not one a child
                streams = self.store.read_streams(chunk)
                judged = [self._evaluate(c, at, streams.get(c)) for c in chunk]
                del streams
            for _ in chunk:
                report.children_checked += 1
                done += 1
                if progress:
                    progress(done, len(children))
            self._flush(judged, at, report)
        # each tick signs the heads written since the last (periodic checkpoints)
        self.store.checkpoint()
        log.info("tick_done", **report.as_json())
        return report

    def _worker_count(self, children: int) -> int:
        wanted = self.workers
        if wanted is None:
            setting = os.environ.get("CASELEDGER_TICK_WORKERS")
            wanted = int(setting) if setting else WORKERS if children >= PARALLEL_FROM else 1
        db = self.store.db
        if db.is_sqlite and not db.path:  # a private in-memory log: no other process sees it
            return 1
        return max(1, min(wanted, os.cpu_count() or 1))

    def _judged(
        self, batches: list[list[str]], at: datetime, helpers: int
    ) -> Iterator[tuple[list[str], list[Judged] | None]]:
        """Each batch with its children judged, in the batches' order; None: to be judged the
        single-process way (no ``helpers`` worker processes, or a batch a judge could not
        decide).

        With workers, this process judges batches too while the workers are busy (or still
        starting): each batch goes to whoever is free next, in order, so the clock is read
        in batch order."""
        if helpers < 1 or len(batches) < 2:
            yield from ((chunk, None) for chunk in batches)
            return
        log.info("tick_workers", processes=helpers + 1, batches=len(batches))
        pool = ProcessPoolExecutor(
            max_workers=helpers,
            mp_context=get_context("spawn"),  # nothing of this process's connections shared
            initializer=start_worker,
            initargs=(self.store.url, self.store.recorder_name, self.packs, self.config),
        )
        here = BatchJudge(self.store, self.packs, self.config)
        upcoming = deque(range(len(batches)))
        running: dict[int, Future[list[Judged] | None]] = {}
        ready: dict[int, list[Judged] | None] = {}
        try:
            for index, chunk in enumerate(batches):
                while index not in ready:
                    while upcoming and len(running) < helpers * AHEAD:
                        given = upcoming.popleft()
                        now = self.store.clock()  # sealed at the moment it is handed out
                        running[given] = pool.submit(judge_batch, batches[given], at, now)
                    future = running.get(index)
                    if future is None or (
                        not future.done() and upcoming and len(ready) < AHEAD_HERE
                    ):
                        given = upcoming.popleft()  # this process is free: judge the next
                        ready[given] = here(batches[given], at, self.store.clock())
                    else:
                        ready[index] = running.pop(index).result()
                yield chunk, ready.pop(index)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _evaluate(
        self, child_id: str, at: datetime, events: list[RecordedEvent] | None = None
    ) -> Judged:
        if events is None:
            events = self.store.stream(child_id)
        item = judge(child_id, events, self.packs, at, self.config)
        if item.new:  # the write checks them against this record: no second read of the stream
            self.store.remember(child_id, events)
        return item

    def _flush(self, batch: list[Judged], at: datetime, report: TickReport) -> None:
        """Append a batch's standards events in one atomic write, then save the index rows.

        If another writer got to one of the children first the batch writes nothing; each
        child is then reloaded, re-evaluated and written on its own.
        """
        new = [e for item in batch for e in item.new]
        if new:
            try:
                self._count(self._write(batch, new), batch, report)
            except ConcurrencyConflict:
                log.info("tick_batch_conflict", children=len(batch))
                batch = [self._one(item.child_id, at, report) for item in batch]
        for item in batch:
            item.keys |= {e.idempotency_key for e in item.new if e.idempotency_key}
        self._save(batch, at)
        # the store cached each child's record for the write: drop them, so a tick's memory
        # follows one batch of children, not every child it has checked (a county's first
        # tick on SQLite was killed by the kernel at 8.4 GB holding 50,000 records)
        self.store.forget([item.child_id for item in batch])

    def _write(
        self, batch: list[Judged], new: list[CaseEvent]
    ) -> Sequence[RecordedEvent | DecidedRow]:
        """The batch's new events written: as a batch judge checked and sealed them against
        the stream version it read (refused if a stream has grown since), else checked here."""
        if all(item.sealed is not None for item in batch if item.new):
            sealed = [row for item in batch for row in item.sealed or ()]
            self.store.append_decided(sealed)
            return sealed
        return self.store.record(new, writer=POLICY_WRITER)

    def _count(
        self,
        written: Sequence[RecordedEvent | DecidedRow],
        batch: list[Judged],
        report: TickReport,
    ) -> None:
        known = {item.child_id: item.known for item in batch}
        for item in written:
            if item.position <= known.get(item.child_id, 0):
                continue  # an existing event returned for a repeated key: nothing written
            report.written += 1
            if item.kind == "deadline_breached":
                report.breaches += 1
            elif item.kind == "deadline_due_soon":
                report.due_soon += 1
            elif item.kind == "deadline_met_late":
                report.met_late += 1

    def _one(self, child_id: str, at: datetime, report: TickReport) -> Judged:
        for attempt in range(RETRIES):
            item = self._evaluate(child_id, at)
            if not item.new:
                return item
            try:
                self._count(self.store.record(item.new, writer=POLICY_WRITER), [item], report)
            except ConcurrencyConflict:
                log.info("tick_conflict_retry", child_id=child_id, attempt=attempt + 1)
                continue
            return item
        raise ConcurrencyConflict(f"child {child_id}: gave up after {RETRIES} conflicting writes")

    def _save(self, batch: list[Judged], at: datetime) -> None:
        """Save evaluated children to the index in one transaction (after their events are
        written: a crash before this leaves them dirty or due, and the next tick redoes them)."""
        saved = [
            Evaluated(
                item.child_id,
                item.deadlines,
                next_check(item.deadlines, item.keys, at, self.config),
                item.case,
            )
            for item in batch
        ]
        with self.engine.begin() as conn:
            save_children(conn, saved, at)


def catch_up_chronology(store: EventStore) -> int:
    """Project the log's tail into the chronology read model (after a tick: a writer)."""
    from adapters.readmodels.chronology import ChronologyStore

    return ChronologyStore(store).catch_up()


def run_scheduler(
    url: str | None,
    *,
    interval_seconds: int = 300,
    config: HandlerConfig = HandlerConfig(),
    max_ticks: int | None = None,
) -> int:
    """Tick every ``interval_seconds`` with the wall clock until interrupted (or ``max_ticks``)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    store = EventStore(url)
    handler = PolicyHandler(store, config=config)
    scheduler = BlockingScheduler(timezone="Europe/London")
    ticks = 0

    def job() -> None:
        nonlocal ticks
        handler.tick(datetime.now(UTC))
        catch_up_chronology(store)  # reads never catch up: the scheduler's ticks do
        ticks += 1
        if max_ticks is not None and ticks >= max_ticks:
            scheduler.shutdown(wait=False)

    scheduler.add_job(
        job,
        "interval",
        seconds=interval_seconds,
        next_run_time=datetime.now(UTC),
        max_instances=1,
        coalesce=True,
        id="caseledger-tick",
    )
    log.info("scheduler_started", interval_seconds=interval_seconds, db=store.db.describe())
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        store.close()
    return ticks
