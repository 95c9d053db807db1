"""A rebuild split between processes writes exactly the rows of a rebuild in one process."""

from __future__ import annotations

import glob
import os
import uuid
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import Connection, inspect, select, text

from adapters.db import sql_engine
from adapters.readmodels import partitioned
from adapters.readmodels.chronology import ChronologyReadModel
from adapters.readmodels.deadlines import DeadlineIndex
from adapters.readmodels.partitioned import Share
from adapters.readmodels.rebuild_lock import staging_prefix
from adapters.readmodels.runner import ReadModelRunner, readmodel_positions
from adapters.readmodels.split import ReplayCost
from adapters.store import EventStore
from adapters.synthetic.synth import load
from domain.envelope import RecordedEvent

CHILDREN = 24  # a few families: siblings, corrections, entries recorded in error


def _dump(runner: ReadModelRunner) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the runner's models, sorted; and the models' positions."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    with runner.engine.connect() as conn:
        for model in runner.models:
            for table in model.metadata.sorted_tables:
                found[table.name] = sorted(tuple(row) for row in conn.execute(select(table)))
        found["positions"] = sorted(
            (row.name, row.position)
            for row in conn.execute(
                select(readmodel_positions.c.name, readmodel_positions.c.position)
            )
        )
    return found


def _models() -> list[Any]:
    return [ChronologyReadModel(), DeadlineIndex()]


@pytest.fixture
def synthetic(store: EventStore) -> EventStore:
    load(store, CHILDREN, seed=11)
    return store


def test_split_rebuild_writes_the_same_rows_as_one_process(synthetic: EventStore) -> None:
    runner = ReadModelRunner(synthetic, _models())
    end = synthetic.max_position()
    assert runner.rebuild(workers=1) == end
    alone = _dump(runner)
    assert len(alone["chronology_entries"]) + len(alone["chronology_amendments"]) == end
    assert len(alone["chronology_amendments"]) > 0  # the corrections are in the comparison
    assert len(alone["chronology_children"]) == CHILDREN

    seen: list[tuple[int, int]] = []
    assert runner.rebuild(lambda done, total: seen.append((done, total)), workers=3) == end
    assert _dump(runner) == alone
    assert seen[-1] == (end, end)
    assert all(total == end for _, total in seen)
    _assert_no_staging_left(synthetic)


@pytest.mark.parametrize("chosen", [1, 2])
def test_a_measured_choice_writes_the_same_rows_as_one_process(
    synthetic: EventStore, monkeypatch: pytest.MonkeyPatch, chosen: int
) -> None:
    """The rebuild replays its first page before choosing: one process goes on from that
    page's staged rows, workers replay it again from the start; the rows are the same."""
    monkeypatch.delenv("CASELEDGER_REBUILD_WORKERS", raising=False)
    runner = ReadModelRunner(synthetic, _models(), batch=100)  # many pages after the probe
    end = synthetic.max_position()
    assert end > 4 * runner.batch
    assert runner.rebuild(workers=1) == end
    alone = _dump(runner)
    asked: list[tuple[int, ReplayCost]] = []

    def choose(events: int, cost: ReplayCost, most: int, cores: float) -> int:
        asked.append((events, cost))
        return chosen

    monkeypatch.setattr(partitioned, "best_workers", choose)
    assert runner.workers_for(end) is None  # measured, not decided beforehand
    seen: list[tuple[int, int]] = []
    assert runner.rebuild(lambda done, total: seen.append((done, total))) == end
    assert runner.last_workers == chosen
    assert _dump(runner) == alone
    assert [events for events, _ in asked] == [end]
    cost = asked[0][1]
    assert 0 < cost.read <= cost.replay  # both measured on the probe page
    assert seen[-1] == (end, end)
    _assert_no_staging_left(synthetic)


def test_split_rebuild_up_to_a_position_matches_a_catch_up_to_it(synthetic: EventStore) -> None:
    runner = ReadModelRunner(synthetic, _models())
    stop = synthetic.max_position() // 2
    runner.rebuild(stop=stop, workers=1)
    alone = _dump(runner)
    assert alone["positions"] == [("chronology", stop), ("deadline_index", stop)]
    runner.rebuild(stop=stop, workers=2)
    assert _dump(runner) == alone
    # and catching up from there reaches the rows of a whole rebuild
    runner.catch_up()
    caught_up = _dump(runner)
    runner.rebuild(workers=1)
    assert _dump(runner) == caught_up


def test_split_rebuild_keeps_the_indexes_of_the_tables(synthetic: EventStore) -> None:
    runner = ReadModelRunner(synthetic, _models())
    runner.rebuild(workers=2)
    inspector = inspect(runner.engine)
    names = {i["name"] for i in inspector.get_indexes("chronology_entries")}
    assert {"ix_chronology_entries_child_id", "ix_chronology_entries_global_position"} <= names
    names = {i["name"] for i in inspector.get_indexes("deadline_children")}
    assert {"ix_deadline_children_next_check", "ix_deadline_children_dirty"} <= names


class FailingModel(ChronologyReadModel):
    """A chronology that stops its worker on one child's registration (a crash, not an event
    it cannot take: those are skipped and recorded)."""

    name = "failing"

    def apply(self, conn: Connection, events: Sequence[RecordedEvent]) -> None:
        if any(e.kind == "child_registered" and e.child_id.endswith("0007") for e in events):
            os._exit(3)
        super().apply(conn, events)


def test_a_failed_worker_leaves_the_old_read_models_serving(synthetic: EventStore) -> None:
    ReadModelRunner(synthetic, [DeadlineIndex()]).catch_up()
    runner = ReadModelRunner(synthetic, [FailingModel(), DeadlineIndex()])
    before = _dump(runner)
    assert ("deadline_index", synthetic.max_position()) in before["positions"]
    with pytest.raises(RuntimeError, match="rebuild worker caseledger-rebuild-. stopped"):
        runner.rebuild(workers=2)
    assert _dump(runner) == before  # the old tables, rows and positions, as they were
    _assert_no_staging_left(synthetic)


def test_shares_split_the_streams_between_workers() -> None:
    streams = [uuid.uuid5(uuid.NAMESPACE_URL, f"child-{n}") for n in range(3000)]
    shares = [Share(k, 3) for k in range(3)]
    counts = [sum(1 for s in streams if share(s)) for share in shares]
    assert sum(counts) == 3000  # every stream in exactly one share
    assert all(900 < c < 1100 for c in counts)


def _assert_no_staging_left(store: EventStore) -> None:
    prefix = staging_prefix(store.db)
    if store.db.is_sqlite:
        assert glob.glob(glob.escape(prefix) + "*") == []
    else:
        with sql_engine(store.url).connect() as conn:
            found = conn.execute(
                text("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, :p)"),
                {"p": prefix},
            ).all()
        assert found == []


def test_split_rebuild_of_a_store_in_a_folder_with_a_quote(tmp_path: Any) -> None:
    folder = tmp_path / "o'brien cases"
    store = EventStore(f"sqlite:///{folder / 'caseledger.db'}")
    try:
        load(store, 6, seed=3)
        runner = ReadModelRunner(store, _models())
        assert runner.rebuild(workers=2) == store.max_position()
        assert runner.position("chronology") == store.max_position()
    finally:
        store.close()
