"""A tick whose batches are judged by worker processes writes what a single-process tick writes.

Copies of one synthetic authority (``adapters/synthetic/synth.py``: visits, plans, late
write-ups, corrections) are ticked at the same moments, once in one process and once with a
worker process judging batches beside the tick's own (small batches, so both judge several):
every standards event written (position, kind, key, content), every index row and the
reports must agree, on a plain store and on an encrypted one (the workers seal what they
write under the subjects' keys). A write that lands between a batch being judged and being
written is refused by the stream version and the tick redoes the batch child by child.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from adapters import scheduler
from adapters.readmodels.deadlines import deadline_children, deadline_open
from adapters.scheduler import PolicyHandler
from adapters.store import EventStore
from adapters.synthetic.synth import END, load
from adapters.tick_workers import BatchJudge, Judged
from domain.errors import ConcurrencyConflict
from tests.factories import example

FIRST = datetime.combine(END + timedelta(days=3), datetime.min.time(), tzinfo=UTC)
MOMENTS = [FIRST, FIRST + timedelta(days=30)]


def _tick(url: str, workers: int) -> dict[str, Any]:
    clock = {"now": MOMENTS[0]}
    store = EventStore(url, clock=lambda: clock["now"])
    handler = PolicyHandler(store, workers=workers)
    handler.batch_size = 8
    reports = []
    for moment in MOMENTS:
        clock["now"] = moment
        reports.append(handler.tick(moment).as_json())
    written = {
        child: [
            (e.position, e.recorded_at, e.kind, e.event.idempotency_key, e.event.model_dump())
            for e in store.stream(child)
            if e.recorded_at >= MOMENTS[0]
        ]
        for child in store.children()
    }
    with handler.engine.connect() as conn:
        index = [
            tuple(r)
            for r in conn.execute(deadline_children.select().order_by(deadline_children.c.child_id))
        ]
        open_rows = sorted(tuple(str(v) for v in r) for r in conn.execute(deadline_open.select()))
    with sqlite3.connect(url.removeprefix("sqlite:///")) as raw:  # as stored: sealed or plain
        stored = [
            (origin, version, sorted(orjson.loads(state)["payload"]))
            for origin, version, state in raw.execute(
                "SELECT originator_id, originator_version, state FROM stored_events "
                "ORDER BY originator_id, originator_version"
            )
        ]
    assert store.verify().ok
    store.close()
    return {
        "reports": reports,
        "written": written,
        "index": index,
        "open": open_rows,
        "stored": stored,
    }


def _synthetic(tmp_path: Path, children: int) -> Path:
    base = tmp_path / "synth.db"
    store = EventStore(f"sqlite:///{base}")
    load(store, children, 11)
    PolicyHandler(store).catch_up()
    store.close()
    return base


def _both_ways(tmp_path: Path, base: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    key = Path(f"{base}.master-key")  # an encrypted store's local master key, beside it
    for name in ("one", "workers"):
        shutil.copy(base, tmp_path / f"{name}.db")
        if key.exists():
            shutil.copy(key, tmp_path / f"{name}.db.master-key")
    one = _tick(f"sqlite:///{tmp_path / 'one.db'}", workers=1)
    parallel = _tick(f"sqlite:///{tmp_path / 'workers.db'}", workers=2)
    return one, parallel


@pytest.mark.slow
def test_a_tick_judged_in_workers_writes_what_one_process_writes(tmp_path: Path) -> None:
    one, parallel = _both_ways(tmp_path, _synthetic(tmp_path, 40))
    assert one["reports"][0]["children_checked"] == 40
    assert one["reports"][0]["breaches"] > 30 and one["reports"][0]["met_late"] > 0
    assert sum(len(w) for w in one["written"].values()) == sum(r["written"] for r in one["reports"])
    assert parallel == one


@pytest.mark.slow
def test_an_encrypted_store_ticked_in_workers_writes_what_one_process_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASELEDGER_ENCRYPT", "on")
    base = _synthetic(tmp_path, 24)
    store = EventStore(f"sqlite:///{base}")
    assert store.shredder is not None
    store.close()
    one, parallel = _both_ways(tmp_path, base)
    assert one["reports"][0]["written"] > 0
    assert parallel == one


def test_a_write_between_judging_and_writing_is_refused_and_nothing_written(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'race.db'}"
    store = EventStore(url, clock=lambda: FIRST)
    store.record([example("child_registered", "C-RACE-1"), example("child_registered", "C-RACE-2")])
    store.record([example("assessment_started", c, "2026-01-05") for c in ("C-RACE-1", "C-RACE-2")])
    handler = PolicyHandler(store, workers=1)
    judged = BatchJudge(store, handler.packs, handler.config)(
        ["C-RACE-1", "C-RACE-2"], FIRST, FIRST
    )
    assert judged is not None and judged[0].sealed
    before = store.max_position()
    other = EventStore(url, clock=lambda: FIRST)  # another writer gets in first
    other.record([example("case_note_recorded", "C-RACE-2")])
    other.close()
    with pytest.raises(ConcurrencyConflict):
        store.append_decided([row for item in judged for row in item.sealed or ()])
    assert store.max_position() == before + 1  # only the other writer's entry
    store.close()


def test_a_tick_redoes_a_batch_another_writer_got_into_after_it_was_judged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = _synthetic(tmp_path, 24)
    shutil.copy(base, tmp_path / "clean.db")
    url = f"sqlite:///{base}"
    interfered: list[str] = []

    class Interrupted(BatchJudge):
        def __call__(
            self, child_ids: list[str], at: datetime, now: datetime
        ) -> list[Judged] | None:
            judged = super().__call__(child_ids, at, now)
            if not interfered:  # the first batch this process judges: a writer gets in
                interfered.append(child_ids[0])
                other = EventStore(url, clock=lambda: now)
                other.record([example("case_note_recorded", child_ids[0], "2026-10-30")])
                other.close()
            return judged

    monkeypatch.setattr(scheduler, "BatchJudge", Interrupted)
    store = EventStore(url, clock=lambda: FIRST)
    handler = PolicyHandler(store, workers=2)
    handler.batch_size = 6
    report = handler.tick(FIRST)
    assert interfered and report.children_checked == 24
    keys = [
        e.event.idempotency_key
        for child in store.children()
        for e in store.stream(child)
        if e.recorded_at >= FIRST and e.kind != "case_note_recorded"
    ]
    assert len(keys) == len(set(keys)) == report.written
    assert store.verify().ok
    store.close()
    clean = EventStore(f"sqlite:///{tmp_path / 'clean.db'}", clock=lambda: FIRST)
    clean.record([example("case_note_recorded", interfered[0], "2026-10-30")])
    assert PolicyHandler(clean, workers=1).tick(FIRST).written == report.written
    clean.close()


def test_events_sealed_under_a_key_destroyed_since_are_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASELEDGER_ENCRYPT", "on")
    url = f"sqlite:///{tmp_path / 'destroyed.db'}"
    store = EventStore(url, clock=lambda: FIRST)
    assert store.shredder is not None
    store.record([example("child_registered", "C-GONE-1")])
    store.record([example("assessment_started", "C-GONE-1", "2026-01-05")])
    handler = PolicyHandler(store, workers=1)
    judged = BatchJudge(store, handler.packs, handler.config)(["C-GONE-1"], FIRST, FIRST)
    assert judged is not None and judged[0].sealed
    before = store.max_position()
    other = EventStore(url)  # `retention destroy` in another process
    assert other.shredder is not None
    other.shredder.keys.destroy(["child:C-GONE-1"], by="test")
    other.close()
    with pytest.raises(ConcurrencyConflict, match="destroyed"):
        store.append_decided(judged[0].sealed)
    assert store.max_position() == before
    store.close()
