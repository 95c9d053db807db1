"""PostgreSQL's planner statistics: the product refreshes them after bulk writes.

Without statistics PostgreSQL guesses 0.5% of a table's rows per key, and at county size
reading one child's stream became a parallel scan of the log (19 ms a stream against
1.2 ms). A bulk import, a rebuild and a tick after many writes analyse what they changed;
autovacuum may not (it is off on this machine's server, and it lags a bulk load).
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from sqlalchemy import Connection, Engine, text

from adapters.db import parse_database, refresh_statistics, sql_engine
from adapters.readmodels.chronology import ChronologyReadModel
from adapters.readmodels.deadlines import DeadlineIndex
from adapters.readmodels.runner import ReadModelRunner
from adapters.store import EventStore
from adapters.synthetic.synth import generate, load
from tests.factories import example

pytestmark = pytest.mark.postgres


def _reltuples(conn: Connection, name: str) -> float:
    return float(
        conn.execute(
            text(f"SELECT reltuples FROM pg_class WHERE oid = '{name}'::regclass")
        ).scalar_one()
    )


def _rows(store: EventStore, name: str) -> float:
    with sql_engine(store.url).connect() as conn:
        return _reltuples(conn, name)


def test_a_bulk_import_leaves_the_log_analysed(pg_url: str, make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store(pg_url)
    assert _rows(store, store.qualified_table) == -1  # never analysed: the planner guesses
    journeys = list(generate(3, seed=5))
    items = [
        (step.event, step.recorded_at)
        for j in journeys
        for step in j.steps
        if step.target_key is None
    ]
    items.sort(key=lambda pair: pair[1])
    result = store.import_events(items)
    assert result.written == len(items)
    assert _rows(store, store.qualified_table) == store.max_position() == len(items)


def test_loading_a_synthetic_authority_analyses_the_log(pg_url: str, make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store(pg_url)
    load(store, 4, seed=3)
    assert _rows(store, store.qualified_table) == store.max_position() > 0


def test_a_rebuild_analyses_the_read_models(pg_url: str, make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store(pg_url)
    load(store, 6, seed=2)
    runner = ReadModelRunner(store, [ChronologyReadModel(), DeadlineIndex()])
    runner.rebuild(workers=2)
    with runner.engine.connect() as conn:
        entries = conn.execute(text("SELECT count(*) FROM chronology_entries")).scalar_one()
        assert _reltuples(conn, "chronology_entries") == entries > 0
        assert _reltuples(conn, "deadline_children") == 6


def _insert(engine: Engine, rows: int) -> None:
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_stat_force_next_flush()"))  # counted at this commit
        conn.execute(text("INSERT INTO scratch SELECT generate_series(1, :n)"), {"n": rows})


def _stale(engine: Engine) -> Sequence[str]:
    return refresh_statistics(engine, ['"scratch"'], only_if_stale=True)


def test_only_a_table_changed_past_autovacuums_threshold_is_analysed_again(pg_url: str) -> None:
    engine = sql_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{parse_database(pg_url).schema}"'))
        conn.execute(text("CREATE TABLE scratch (n integer)"))
    assert _stale(engine) == ['"scratch"']  # never analysed
    _insert(engine, 1000)
    assert refresh_statistics(engine, ['"scratch"']) == ['"scratch"']
    with engine.connect() as conn:
        assert _reltuples(conn, "scratch") == 1000
    # 50 + 10% of 1,000 rows = 150 changed rows before the statistics count as stale
    _insert(engine, 100)
    assert _stale(engine) == []
    _insert(engine, 100)
    assert _stale(engine) == ['"scratch"']
    with engine.connect() as conn:
        assert _reltuples(conn, "scratch") == 1200


def test_sqlite_needs_no_statistics(sqlite_url: str, make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store(sqlite_url)
    store.record([example("child_registered", child_id="C-S-2")])
    assert store.refresh_statistics() is False
