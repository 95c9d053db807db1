"""Rebuild read models with several processes, each replaying a share of the children.

A rebuild replays the whole log through every read model, and in one process it keeps one
core busy (decoding events and rendering chronology rows cost more than the database's
own work). Every row a read model writes depends on one child's stream only (a correction
targets an entry of its own child's record), so the log splits by stream without changing
any row:

1. each of ``workers`` processes reads the log in global order, keeps the events of the
   streams whose id falls in its share (``stream id mod workers``), and applies them to
   the read models in a staging area of its own: a SQLite file beside the store's, or a
   schema of its own on PostgreSQL;
2. once all have finished, one transaction swaps the staged rows in: it recreates the read
   models' tables, copies the staged rows into them (``INSERT ... SELECT``, inside the
   database) and sets every model's position to the last event replayed; then the staging
   areas are dropped.

Until that transaction commits the old tables serve as they were, so a rebuild stopped at
any point (a worker failing, the parent killed) changes nothing a reader sees; the workers
die with their parent, and the next rebuild removes what a killed one left staged. One
rebuild runs at a time per store (:mod:`adapters.readmodels.rebuild_lock`); each stages
under a name of its own. The rows are exactly those of a rebuild in one process (tests
compare them table for table). With one worker the replay runs in the calling process.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, text

from adapters.db import Database, parse_database, sql_engine
from adapters.gc_tuning import replay_gc
from adapters.logging import configure_logging, get_logger
from adapters.processes import die_with_parent
from adapters.readmodels.failures import (
    failures_metadata,
    readmodel_failures,
    record_failure,
    transient,
)
from adapters.readmodels.model import Progress, ReadModel
from adapters.readmodels.rebuild_lock import rebuild_lock, staging_prefix
from adapters.readmodels.split import (
    ReplayCost,
    best_workers,
    machine_sample,
    seen_start_up,
    spare_cores,
    spare_cores_between,
    start_up_seconds,
)
from adapters.store import EventStore

log = get_logger("caseledger.readmodels")


@dataclass(frozen=True)
class Share:
    """Which streams one worker replays: those whose id modulo ``of`` is ``index``."""

    index: int
    of: int

    def __call__(self, stream: uuid.UUID) -> bool:
        return stream.int % self.of == self.index


def staging_url(db: Database, index: int, run: str = "") -> str:
    """Where worker ``index`` of rebuild ``run`` stages its rows: a file beside the store,
    or a schema of its own (both named from :func:`staging_prefix`)."""
    name = f"{run}_{index}" if run else str(index)
    if db.is_sqlite:
        return f"sqlite:///{staging_prefix(db)}{name}"
    schema = f"{staging_prefix(db)}{name}"
    auth = db.user + (f":{db.password}" if db.password else "")
    return f"postgresql://{auth}@{db.host}:{db.port}/{db.dbname}?schema={schema}"


def _staging_engine(url: str) -> Engine:
    """The staging area's engine: on SQLite a scratch file, written without a journal.

    A staging file is thrown away if anything stops the rebuild, so it needs no
    durability: no journal and no syncs.
    """
    db = parse_database(url)
    if not db.is_sqlite:
        with sql_engine(url).begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{db.schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{db.schema}"'))
        # No server-side prepared statements: psycopg prepares a statement after five runs,
        # and PostgreSQL then keeps the plan it made while the staging tables were nearly
        # empty (a sequential scan), however large they grow. The deadline index's
        # "which children exist" lookup went from 2 to 13 ms over 200,000 rows that way,
        # and the county rebuild on PostgreSQL slowed as the log grew.
        # Staged rows are thrown away if the rebuild stops, so a commit need not wait for
        # the WAL to reach the disk (synchronous_commit=off) and the tables are UNLOGGED.
        return create_engine(
            db.sqlalchemy_url(),
            connect_args={
                "options": f"-csearch_path={db.schema} -csynchronous_commit=off",
                "prepare_threshold": None,
            },
        )
    _remove_staging_file(db.path or "")
    engine = create_engine(db.sqlalchemy_url())

    @event.listens_for(engine, "connect")
    def _scratch(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=OFF")
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()

    return engine


def _remove_staging_file(path: str) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        try:
            os.remove(path + suffix)
        except FileNotFoundError:
            pass


def replay_share(
    store_url: str,
    stage: str,
    models: Sequence[ReadModel],
    share: Share,
    end: int,
    batch: int,
    done: Any = None,
    progress: Progress | None = None,
    started: Any = None,
) -> int:
    """Replay one share of the log, up to position ``end``, into the staging area ``stage``.

    ``done`` (a shared counter, when run as a worker) is advanced by the events read,
    kept or not, so the parent can show the rebuild's progress; ``progress`` (in the calling
    process) is called with (events read, ``end``) after each page. ``started`` (a shared
    value, when run as a worker) receives this worker's start-up CPU seconds.
    """
    began = time.perf_counter()
    store = EventStore(store_url)
    engine = _open_stage(stage, models)
    if started is not None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        with started.get_lock():
            started.value = max(started.value, usage.ru_utime + usage.ru_stime)
    try:
        kept, _ = _replay(store, engine, models, share, 0, end, batch, done, progress)
    finally:
        engine.dispose()
        store.close()
    log.info(
        "rebuild_share_done",
        share=share.index,
        of=share.of,
        events=kept,
        seconds=round(time.perf_counter() - began, 2),
    )
    return kept


def _open_stage(stage: str, models: Sequence[ReadModel]) -> Engine:
    """A new, empty staging area with the models' tables (and the failures table)."""
    engine = _staging_engine(stage)
    with engine.begin() as conn:
        failures_metadata.create_all(conn)
        for model in models:
            _create_staging_tables(conn, model)
    return engine


def _replay(
    store: EventStore,
    engine: Engine,
    models: Sequence[ReadModel],
    share: Share,
    position: int,
    end: int,
    batch: int,
    done: Any = None,
    progress: Progress | None = None,
    pages: int | None = None,
) -> tuple[int, int]:
    """Apply the share's events after ``position`` up to ``end`` (at most ``pages`` pages);
    gives the events kept and the position reached."""
    kept = 0
    with replay_gc():
        while position < end and (pages is None or pages > 0):
            page, last = store.notifications_where(position, batch, share)
            if last == position:
                break
            page = [e for e in page if (e.global_position or 0) <= end]
            if page:
                try:
                    with engine.begin() as conn:
                        for model in models:
                            model.apply(conn, page)
                except Exception as error:  # noqa: BLE001  (one event must not stop all)
                    if transient(error):
                        raise
                    _one_by_one(engine, models, page)
            kept += len(page)
            if done is not None:
                with done.get_lock():
                    done.value += min(last, end) - position
            position = last
            if progress is not None:
                progress(min(position, end), end)
            if pages is not None:
                pages -= 1
    return kept, position


def _cpu() -> float:
    return time.process_time()


def _probe(
    store: EventStore,
    stage: str,
    models: Sequence[ReadModel],
    end: int,
    batch: int,
    progress: Progress | None,
) -> tuple[Engine, int, ReplayCost, float | None]:
    """Replay the log's first two pages in this process, into the one-process staging
    area, and measure what an event costs (a row read; a row read, decoded and applied)
    and the cores other work left spare meanwhile (None if that cannot be told).

    Only the second page is timed: the first pays for what every process pays once (the
    event models build their validators on first use, the caches are cold), which made an
    event look half again as dear as the replay's average. Gives the open staging engine,
    the position reached (a rebuild that stays in one process goes on from there) and the
    measured cost.
    """
    engine = _open_stage(stage, models)
    share = Share(0, 1)
    _, position = _replay(store, engine, models, share, 0, end, batch, None, progress, 1)
    began, machine = _cpu(), machine_sample()
    kept, position = _replay(store, engine, models, share, position, end, batch, None, progress, 1)
    replay = (_cpu() - began) / max(kept, 1)
    spare = spare_cores_between(machine, machine_sample())
    began = _cpu()
    rows = store.recorder.select_notifications(start=0, limit=batch, inclusive_of_start=False)
    read = (_cpu() - began) / max(len(rows), 1)
    return engine, position, ReplayCost(replay=replay, read=min(read, replay)), spare


def _one_by_one(engine: Engine, models: Sequence[ReadModel], page: Sequence[Any]) -> None:
    """Apply a failed page one event a transaction; skip and record each that fails.

    The same rule as a catch-up (:class:`~adapters.readmodels.runner.ReadModelRunner`): one
    event a model cannot take is recorded in ``readmodel_failures`` (staged, swapped in
    with the rows), never stopping the model for every other child.
    """
    for item in page:
        for model in models:
            try:
                with engine.begin() as conn:
                    model.apply(conn, [item])
            except Exception as error:  # noqa: BLE001
                if transient(error):
                    raise
                log.error(
                    "readmodel_event_skipped",
                    model=model.name,
                    position=item.global_position,
                    child_id=item.child_id,
                    event_id=item.event_id,
                    error=type(error).__name__,
                )
                with engine.begin() as conn:
                    record_failure(
                        conn,
                        model.name,
                        item.global_position or 0,
                        item.child_id,
                        item.event_id,
                        error,
                    )


def _create_staging_tables(conn: Connection, model: ReadModel) -> None:
    """The model's tables, with only the indexes its own ``apply`` reads through.

    Every other index is built once, on the merged rows, instead of row by row here:
    inserting rows keyed by random ids into an index dirties pages all over it.
    """
    keep = getattr(model, "replay_indexes", None)
    for table in model.metadata.sorted_tables:
        table.create(conn)
        if conn.dialect.name == "postgresql":  # scratch rows: no WAL for them or their indexes
            conn.execute(text(f'ALTER TABLE "{table.name}" SET UNLOGGED'))
        for index in table.indexes:
            if keep is not None and index.name not in keep:
                index.drop(conn)


def _worker(parent: int, *args: Any) -> None:
    """A worker process: :func:`replay_share` with these arguments, dying with ``parent``."""
    die_with_parent(parent)
    configure_logging()
    replay_share(*args)


@dataclass(frozen=True)
class Rebuilt:
    """What a rebuild did: the last position replayed and the processes it used."""

    end: int
    workers: int


def rebuild_partitioned(
    store: EventStore,
    engine: Engine,
    models: Sequence[ReadModel],
    save_position: Callable[[Connection, str, int], None],
    *,
    workers: int | None,
    end: int,
    batch: int,
    progress: Progress | None = None,
    clear: Callable[[Connection], None] | None = None,
    most: int = 1,
) -> Rebuilt:
    """Replay events 1..``end`` into the ``models`` with ``workers`` processes, then swap.

    ``workers=None``: replay the first pages here, measure what an event costs, and let
    :func:`adapters.readmodels.split.best_workers` choose between one process (going on
    from that page) and up to ``most`` workers (the page is replayed again by its worker).
    ``clear`` empties the models' failure records; it runs in the swap's transaction.
    RebuildBusy if another rebuild of the store is running.
    """
    db = store.db
    run = f"{os.getpid()}{uuid.uuid4().hex[:6]}"
    with rebuild_lock(db):
        began = time.perf_counter()
        processes: list[Any] = []
        stages = [staging_url(db, 0, run)]
        try:
            if workers is None or workers == 1:
                probe = _probe(store, stages[0], list(models), end, batch, progress)
                staged, position, cost, spare = probe
                chosen = workers or 1
                if workers is None and position < end:
                    cores = spare if spare is not None else spare_cores()
                    chosen = best_workers(end, cost, most, cores)
                    log.info(
                        "rebuild_split_chosen",
                        workers=chosen,
                        events=end,
                        replay_us=round(cost.replay * 1e6, 1),
                        read_us=round(cost.read * 1e6, 1),
                        start_up_seconds=round(start_up_seconds(), 2),
                        spare_cores=round(cores, 2),
                    )
                try:
                    if chosen == 1:
                        _replay(
                            store,
                            staged,
                            list(models),
                            Share(0, 1),
                            position,
                            end,
                            batch,
                            None,
                            progress,
                        )
                finally:
                    staged.dispose()
            else:
                chosen = workers
            if chosen > 1:
                stages = [staging_url(db, k, run) for k in range(chosen)]
                processes = _start(store, stages, models, end, batch, progress)
            replayed = time.perf_counter() - began
            _merge(engine, db, stages, models, save_position, end, clear)
        finally:
            for process in processes:
                if process.pid is None:
                    continue  # never started
                if process.is_alive():
                    process.terminate()
                process.join()
            _drop_stages(db, stages)
    log.info(
        "rebuild_partitioned",
        workers=chosen,
        events=end,
        replay_seconds=round(replayed, 2),
        merge_seconds=round(time.perf_counter() - began - replayed, 2),
    )
    return Rebuilt(end=end, workers=chosen)


def _start(
    store: EventStore,
    stages: list[str],
    models: Sequence[ReadModel],
    end: int,
    batch: int,
    progress: Progress | None,
) -> list[Any]:
    """Start one worker per stage (each dies with this process) and wait for them all."""
    workers = len(stages)
    context = multiprocessing.get_context("spawn")
    done = context.Value("q", 0)
    started = context.Value("d", 0.0)
    processes = [
        context.Process(
            target=_worker,
            args=(
                os.getpid(),
                store.url,
                stages[k],
                list(models),
                Share(k, workers),
                end,
                batch,
                done,
                None,
                started,
            ),
            name=f"caseledger-rebuild-{k}",
        )
        for k in range(workers)
    ]
    try:
        for process in processes:
            process.start()
        _wait(processes, done, end, progress)
        if started.value > 0:  # the next split decides from this machine's own figure
            seen_start_up.append(started.value)
    except BaseException:
        for process in processes:
            if process.pid is not None and process.is_alive():
                process.kill()
            if process.pid is not None:
                process.join()
        raise
    return processes


def _wait(
    processes: list[Any], done: Any, end: int, progress: Progress | None, poll: float = 0.25
) -> None:
    """Wait for every worker, reporting progress; a worker that fails stops the rebuild."""
    while True:
        alive = [p for p in processes if p.is_alive()]
        failed = [p for p in processes if not p.is_alive() and p.exitcode not in (0, None)]
        if failed:
            raise RuntimeError(
                f"rebuild worker {failed[0].name} stopped with exit code {failed[0].exitcode}; "
                "nothing was written to the read models (see its log above)"
            )
        if progress is not None:
            progress(min(done.value, end), end)
        if not alive:
            return
        alive[0].join(poll)


def _merge(
    engine: Engine,
    db: Database,
    stages: list[str],
    models: Sequence[ReadModel],
    save_position: Callable[[Connection, str, int], None],
    end: int,
    clear: Callable[[Connection], None] | None = None,
) -> None:
    """Swap the staged rows in, in one transaction: the models' tables made anew from the
    staged rows, their positions set to ``end``. Readers see the old tables until it commits."""
    tables = [table for model in models for table in model.metadata.sorted_tables]
    with engine.connect() as conn:
        if db.is_sqlite:
            sources = [f"stage{k}" for k in range(len(stages))]
            for name, url in zip(sources, stages, strict=True):
                path = parse_database(url).path
                conn.exec_driver_sql(f"ATTACH DATABASE ? AS {name}", (path,))
            conn.commit()
        else:
            sources = [f'"{parse_database(url).schema}"' for url in stages]
        try:
            with conn.begin():
                if not db.is_sqlite:  # the indexes are built from sorted rows, in memory
                    conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
                if clear is not None:
                    clear(conn)
                for table in reversed(tables):
                    table.drop(conn, checkfirst=True)
                for table in tables:
                    # the table is new and empty: index its rows once they are all in
                    began = time.perf_counter()
                    table.create(conn)
                    for index in table.indexes:
                        index.drop(conn)
                    key = _drop_primary_key(conn, table)
                    for source in sources:
                        conn.exec_driver_sql(_copy_rows(table, source))
                    copied = time.perf_counter()
                    if key is not None:
                        conn.exec_driver_sql(key)
                    for index in table.indexes:
                        index.create(conn)
                    log.info(
                        "rebuild_table_merged",
                        table=table.name,
                        copy_seconds=round(copied - began, 2),
                        index_seconds=round(time.perf_counter() - copied, 2),
                    )
                for source in sources:  # the events the replay had to skip
                    conn.exec_driver_sql(_copy_rows(readmodel_failures, source))
                for model in models:
                    save_position(conn, model.name, end)
        finally:
            if db.is_sqlite:
                for name in sources:
                    conn.exec_driver_sql(f"DETACH DATABASE {name}")
                conn.commit()


def _drop_primary_key(conn: Connection, table: Table) -> str | None:
    """On PostgreSQL, drop the (empty) table's primary key; give the statement adding it back.

    Copying 2.8 million chronology rows into a table keyed by random event ids took 31 s
    with the key kept up row by row; the key is built once from the sorted rows instead.
    SQLite cannot drop a table's primary key (nor needs to: its copy is in one process).
    """
    if conn.dialect.name == "sqlite":
        return None
    name = conn.execute(
        text(
            "SELECT conname FROM pg_constraint "
            "WHERE conrelid = to_regclass(:table) AND contype = 'p'"
        ),
        {"table": f'"{table.name}"'},
    ).scalar()
    if name is None:
        return None
    conn.exec_driver_sql(f'ALTER TABLE "{table.name}" DROP CONSTRAINT "{name}"')
    columns = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
    return f'ALTER TABLE "{table.name}" ADD CONSTRAINT "{name}" PRIMARY KEY ({columns})'


def _copy_rows(table: Table, source: str) -> str:
    columns = ", ".join(f'"{c.name}"' for c in table.columns)
    return f'INSERT INTO "{table.name}" ({columns}) SELECT {columns} FROM {source}."{table.name}"'


def _drop_stages(db: Database, stages: list[str]) -> None:
    for url in stages:
        stage = parse_database(url)
        if stage.is_sqlite:
            _remove_staging_file(stage.path or "")
        else:
            with sql_engine(db.url).begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{stage.schema}" CASCADE'))
