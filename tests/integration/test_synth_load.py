"""Loading the synthetic authority through the store, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime

from typer.testing import CliRunner

from adapters.cli.main import app
from adapters.store import EventStore
from adapters.synthetic.synth import generate, load
from domain.events.corrections import EntryCorrected, EntryRecordedInError

CHILDREN = 40
SEED = 4


def test_load_writes_every_planned_entry_at_its_write_up_time(store_url: str) -> None:
    planned = {j.child_id: j for j in generate(CHILDREN, SEED)}
    store = EventStore(store_url)
    before = store.clock
    seen: list[tuple[int, int]] = []
    result = load(store, CHILDREN, SEED, progress=lambda c, e: seen.append((c, e)))
    assert store.clock is before  # the real clock is back after loading
    assert result.children == CHILDREN
    assert result.events == sum(len(j.steps) for j in planned.values())
    assert store.max_position() == result.events
    assert seen[-1] == (CHILDREN, result.events)
    # batches of up to 2,000 events (one transaction each), not one per write-up slot:
    # 2,495 events, plus the short batches of children waiting for a correction's target
    assert result.batches == 4 and result.held_back == 20
    assert len(seen) == result.batches
    assert store.verify().ok
    assert sorted(store.children()) == sorted(planned)
    for child_id, journey in list(planned.items())[:15]:
        stream = store.stream(child_id)
        assert [s.event.kind for s in stream] == [p.event.kind for p in journey.steps]
        # recorded-at is the simulated write-up slot, not the wall clock
        assert [s.recorded_at for s in stream] == [p.recorded_at for p in journey.steps]
        assert all(s.recorded_at < datetime(2026, 11, 1, tzinfo=UTC) for s in stream)
        ids = {s.event_id for s in stream}
        for item in stream:
            if isinstance(item.event, EntryCorrected | EntryRecordedInError):
                assert item.event.target_event_id in ids
    store.close()


def test_corrections_take_effect_in_the_loaded_record(sqlite_url: str) -> None:
    store = EventStore(sqlite_url)
    load(store, 80, 2)
    corrected = 0
    for child_id in store.children():
        record = store.child_record(child_id)
        for target_id, changes in record.corrections.items():
            effective = record.effective(target_id)
            if effective is not None:
                assert effective.location.value == changes[-1].changes["location"]  # type: ignore[attr-defined]
                corrected += 1
        for target_id in record.in_error:
            assert record.effective(target_id) is None
    assert corrected > 0
    store.close()


def test_synth_command_loads_and_reports_json(sqlite_url: str) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app, ["synth", "--children", "12", "--seed", "9", "--db", sqlite_url, "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["children"] == 12
    expected = sum(len(j.steps) for j in generate(12, 9))
    assert report["events"] == expected
    assert sum(report["paths"].values()) == 12
    store = EventStore(sqlite_url)
    assert store.max_position() == expected
    kinds = Counter(e.event.kind for e in store.iter_all())
    assert kinds["child_registered"] == 12
    store.close()
    again = runner.invoke(app, ["synth", "--children", "12", "--seed", "9", "--db", sqlite_url])
    assert again.exit_code == 1
    assert "already registered" in again.output
    store = EventStore(sqlite_url)
    assert store.max_position() == expected  # the failed repeat wrote nothing
    store.close()


def test_synth_command_rejects_an_unknown_size(sqlite_url: str) -> None:
    result = CliRunner().invoke(app, ["synth", "--size", "huge", "--db", sqlite_url])
    assert result.exit_code == 2
    assert "--size" in result.output
