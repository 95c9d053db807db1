"""Bulk import on SQLite and PostgreSQL: each entry keeps the time it was written down.

A migration from a legacy case system must not stamp the import's own moment on every
entry: "what did the record say on 3 March" has to answer from the legacy write-up times.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from typer.testing import CliRunner

from adapters.cli.importing import Importer, read_entries
from adapters.cli.main import app
from adapters.store import EventStore, ImportRefused, ImportResult
from adapters.synthetic.synth import generate, load
from domain.errors import InvalidEvent
from domain.events import CaseEvent
from domain.parsing import event_to_data
from tests.conftest import Clock
from tests.factories import example

DAY = timedelta(days=1)
T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # the clock fixture's "now" is 2026-06-01


def legacy_entries(child_id: str, key: str | None = None) -> list[tuple[CaseEvent, datetime]]:
    """A small legacy record: registered, a referral, a visit written up three days late."""
    keys: dict[str, Any] = {}

    def k(n: int) -> dict[str, Any]:
        return {"idempotency_key": f"{key}-{child_id}-{n}"} if key else keys

    return [
        (example("child_registered", child_id, "2026-03-02", **k(1)), T0),
        (example("referral_received", child_id, "2026-03-02", **k(2)), T0 + timedelta(hours=2)),
        (example("child_visited", child_id, "2026-03-04", **k(3)), T0 + 5 * DAY),
        (example("case_note_recorded", child_id, "2026-03-09", **k(4)), T0 + 7 * DAY),
    ]


def test_each_imported_entry_keeps_its_own_recorded_time(store: EventStore) -> None:
    items = legacy_entries("C-IMP-1") + legacy_entries("C-IMP-2")
    items.sort(key=lambda item: item[1])  # interleaved, in write-up order
    seen: list[tuple[int, int]] = []
    result = store.import_events(
        iter(items), batch_size=3, progress=lambda r: seen.append((r.events, r.batches))
    )
    assert isinstance(result, ImportResult)
    assert (result.events, result.written, result.batches) == (8, 8, 3)
    assert seen == [(3, 1), (6, 2), (8, 3)]
    assert result.store_seconds > 0
    stream = store.stream("C-IMP-1")
    assert [s.recorded_at for s in stream] == [
        T0,
        T0 + timedelta(hours=2),
        T0 + 5 * DAY,
        T0 + 7 * DAY,
    ]
    assert [s.kind for s in stream] == [
        "child_registered",
        "referral_received",
        "child_visited",
        "case_note_recorded",
    ]
    # as known on 5 March: the visit of the 4th was not written down until the 7th
    known = store.history("C-IMP-1", as_known_at=T0 + 3 * DAY)
    assert [h.kind for h in known] == ["child_registered", "referral_received"]
    assert [h.kind for h in store.history("C-IMP-1", as_known_at=T0 + 5 * DAY)][-1] == (
        "child_visited"
    )
    assert store.verify().ok


def test_a_refused_batch_writes_nothing_of_itself_and_names_the_item(
    store: EventStore,
) -> None:
    good = legacy_entries("C-IMP-1", key="legacy") + legacy_entries("C-IMP-2", key="legacy")
    bad = list(good)
    # item 5 (in the second batch of three: items 3-5) is written down before the entry
    # before it on the same child's record
    event, _ = bad[5]
    bad[5] = (event, T0 - timedelta(hours=1))
    with pytest.raises(ImportRefused) as raised:
        store.import_events(bad, batch_size=3)
    error = raised.value
    assert isinstance(error, InvalidEvent)
    assert (error.index, error.field, error.kind) == (5, "recorded_at", "referral_received")
    assert error.done == 3
    assert "entries are imported in the order they were written down" in str(error)
    assert "the 3 item(s) before it are in the store" in str(error)
    assert str(error).startswith("event 5 (referral_received) field 'recorded_at'")
    # the first batch is stored; nothing of the second (item 3, C-IMP-1's note, was valid)
    assert store.max_position() == 3
    assert [s.kind for s in store.stream("C-IMP-1")] == [
        "child_registered",
        "referral_received",
        "child_visited",
    ]
    # fixed and run again from the start: what is stored is passed over by its key
    again = store.import_events(good, batch_size=3)
    assert (again.events, again.written) == (8, 5)
    assert store.max_position() == 8
    assert [s.recorded_at for s in store.stream("C-IMP-2")] == [t for _, t in good[4:]]
    assert store.verify().ok


def test_an_item_that_is_not_an_event_is_refused_by_its_index(store: EventStore) -> None:
    items: list[Any] = [*legacy_entries("C-IMP-1"), ("not an event", T0)]
    with pytest.raises(ImportRefused) as raised:
        store.import_events(items, batch_size=2)
    assert (raised.value.index, raised.value.done) == (4, 4)
    assert store.max_position() == 4


def test_nobody_writes_down_in_the_future(store: EventStore, clock: Clock) -> None:
    store.record([example("child_registered", "C-IMP-1", "2026-03-02")])
    later = clock.now + timedelta(minutes=1)
    with pytest.raises(InvalidEvent) as raised:
        store.record(
            [
                example("case_note_recorded", "C-IMP-1", "2026-05-01"),
                example("child_visited", "C-IMP-1", "2026-05-01"),
            ],
            recorded_at=[clock.now, later],
        )
    assert (raised.value.index, raised.value.field) == (1, "recorded_at")
    assert "nobody writes an entry down in the future" in str(raised.value)
    with pytest.raises(InvalidEvent) as raised:
        store.record(
            [example("case_note_recorded", "C-IMP-1", "2026-05-01")],
            recorded_at=[datetime(2026, 5, 1, 12, 0)],
        )
    assert (raised.value.index, raised.value.field) == (0, "recorded_at")
    assert "without a timezone" in str(raised.value)
    assert store.max_position() == 1  # nothing of either call was written
    one = store.record_one(
        example("case_note_recorded", "C-IMP-1", "2026-05-01"), recorded_at=clock.now
    )
    assert one.recorded_at == clock.now


def test_an_import_keeps_only_recent_children_in_memory(store: EventStore) -> None:
    items = [item for n in range(6) for item in legacy_entries(f"C-IMP-{n}")]
    result = store.import_events(items, batch_size=4, cache_children=2)
    assert result.events == 24
    assert len(store._records) <= 2
    # a child dropped from memory and met again is read back from the log
    more = [(example("case_note_recorded", "C-IMP-0", "2026-03-20"), T0 + 20 * DAY)]
    store.import_events(more)
    assert [s.position for s in store.stream("C-IMP-0")] == [1, 2, 3, 4, 5]
    assert store.verify().ok


def test_an_import_batch_catches_up_after_another_writer(
    store: EventStore, make_store: Callable[..., EventStore]
) -> None:
    store.import_batch([e for e, _ in legacy_entries("C-IMP-1")[:2]], [T0, T0])
    other = make_store(store.url)
    other.record([example("case_note_recorded", "C-IMP-1", "2026-03-03")])  # at "now"
    # the importer's cached record is stale: the batch is refused by the database and
    # tried again against the log, never written on top of the other writer's entry
    with pytest.raises(InvalidEvent) as raised:
        store.import_batch([example("child_visited", "C-IMP-1", "2026-03-04")], [T0 + 3 * DAY])
    assert raised.value.field == "recorded_at"  # the other writer's entry is newer
    later = other.clock()
    [visit] = store.import_batch([example("child_visited", "C-IMP-1", "2026-03-04")], [later])
    assert visit.position == 4
    assert store.verify().ok


def _streams(store: EventStore) -> dict[str, list[tuple[Any, ...]]]:
    """Each child's stream as (position, kind, recorded-at, payload); correction targets by
    the target's position (event ids are new on every load)."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    for child_id in store.children():
        stream = store.stream(child_id)
        position = {item.event_id: item.position for item in stream}
        rows = []
        for item in stream:
            payload = dict(item.event.payload())
            if "target_event_id" in payload:
                payload["target_event_id"] = position[payload["target_event_id"]]
            rows.append((item.position, item.kind, item.recorded_at, payload))
        out[child_id] = rows
    return out


def test_the_import_path_writes_what_the_per_slot_path_wrote(store_url: str, tmp_path: Any) -> None:
    children, seed = 60, 5
    batched = EventStore(store_url)
    result = load(batched, children, seed, batch_size=500)
    assert result.held_back > 0  # corrections of entries in the same batch were met
    assert result.mean_batch > 300
    per_slot_url = f"sqlite:///{tmp_path / 'per-slot.db'}"
    per_slot = EventStore(per_slot_url)
    before = load(per_slot, children, seed, per_slot=True)
    assert before.events == result.events
    assert before.batches > 10 * result.batches
    expected = _streams(per_slot)
    got = _streams(batched)
    assert sorted(got) == sorted(expected)
    assert len(expected) == children
    for child_id, rows in expected.items():
        assert got[child_id] == rows, child_id
    planned = {j.child_id: j for j in generate(children, seed)}
    for child_id, rows in got.items():
        assert [r[2] for r in rows] == [s.recorded_at for s in planned[child_id].steps]
    assert batched.verify().ok
    batched.close()
    per_slot.close()


def _never() -> Iterator[tuple[CaseEvent, datetime]]:
    yield from ()


def test_an_empty_import_writes_nothing(store: EventStore) -> None:
    result = store.import_events(_never())
    assert (result.events, result.batches, result.written) == (0, 0, 0)
    with pytest.raises(ValueError, match="batch_size 0"):
        store.import_events(_never(), batch_size=0)


# -- caseledger import ------------------------------------------------------------------------


def test_feed_lines_import_into_another_store_unchanged(tmp_path: Any) -> None:
    source_url = f"sqlite:///{tmp_path / 'source.db'}"
    target_url = f"sqlite:///{tmp_path / 'target.db'}"
    source = EventStore(source_url)
    load(source, 25, 3, per_slot=True)  # the log in write-up order: corrections near targets
    runner = CliRunner()
    fed = runner.invoke(app, ["feed", "--db", source_url])
    assert fed.exit_code == 0, fed.output
    lines = tmp_path / "all.jsonl"
    lines.write_text(fed.stdout, encoding="utf-8")
    # small batches: corrections often point at an entry of the batch not yet written
    done = runner.invoke(
        app, ["import", str(lines), "--db", target_url, "--batch-size", "40", "--json"]
    )
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    total = source.max_position()
    assert (report["events"], report["written"]) == (total, total)
    assert report["batches"] >= total // 40
    target = EventStore(target_url)
    assert _streams(target) == _streams(source)
    assert target.verify().ok
    target.close()
    # the same lines through the importer itself: some children had to wait a batch
    again = EventStore(f"sqlite:///{tmp_path / 'again.db'}")
    importer = Importer(again, 40)
    with lines.open(encoding="utf-8") as stream:
        result = importer.run(read_entries(stream))
    assert result.events == total
    assert importer.held_back > 0
    assert _streams(again) == _streams(source)
    again.close()
    source.close()


def test_import_names_the_line_of_a_refused_entry(tmp_path: Any, sqlite_url: str) -> None:
    def line(event: CaseEvent, recorded_at: str, **extra: Any) -> str:
        return json.dumps({"recorded_at": recorded_at, "event": event_to_data(event), **extra})

    registered = example("child_registered", "C-IMP-1", "2026-03-02", idempotency_key="L1")
    note = example("case_note_recorded", "C-IMP-1", "2026-03-03", idempotency_key="L2")
    visit = example("child_visited", "C-IMP-1", "2026-03-04", idempotency_key="L3")
    fix = example(
        "entry_corrected",
        "C-IMP-1",
        "2026-03-05",
        target_event_id="legacy-3",
        changes={"location": "school"},
        idempotency_key="L4",
    )
    good = [
        line(registered, "2026-03-02T10:00:00+00:00", event_id="legacy-1"),
        "",
        line(note, "2026-03-03T10:00:00+00:00", event_id="legacy-2"),
        line(visit, "2026-03-04T16:00:00+00:00", event_id="legacy-3"),
        line(fix, "2026-03-05T09:00:00+00:00", event_id="legacy-4"),
    ]
    early = example("child_visited", "C-IMP-1", "2026-03-02", idempotency_key="L3")
    # written down on 2 March, but after the note of the 3rd in the file
    bad = [*good[:3], line(early, "2026-03-02T16:00:00+00:00", event_id="legacy-3"), good[4]]
    path = tmp_path / "legacy.jsonl"
    path.write_text("\n".join(bad) + "\n", encoding="utf-8")
    runner = CliRunner()
    refused = runner.invoke(app, ["import", str(path), "--db", sqlite_url, "--batch-size", "2"])
    assert refused.exit_code == 1
    assert "line 4: (child_visited) field 'recorded_at'" in refused.output
    assert "in the order they were written down" in refused.output
    assert "the 2 entries before it in this run are stored" in refused.output
    path.write_text("\n".join(good) + "\n", encoding="utf-8")
    again = runner.invoke(
        app, ["import", str(path), "--db", sqlite_url, "--batch-size", "2", "--json"]
    )
    assert again.exit_code == 0, again.output
    assert (json.loads(again.stdout)["events"], json.loads(again.stdout)["written"]) == (4, 2)
    store = EventStore(sqlite_url)
    stream = store.stream("C-IMP-1")
    assert [s.kind for s in stream] == [
        "child_registered",
        "case_note_recorded",
        "child_visited",
        "entry_corrected",
    ]
    assert stream[3].event.target_event_id == stream[2].event_id  # type: ignore[attr-defined]
    assert stream[2].recorded_at == datetime(2026, 3, 4, 16, 0, tzinfo=UTC)
    store.close()
    broken = tmp_path / "broken.jsonl"
    broken.write_text(good[0] + '\n{"event": {"kind": "case_note_recorded"}}\n')
    failed = runner.invoke(app, ["import", str(broken), "--db", sqlite_url])
    assert failed.exit_code == 1
    assert "line 2: (case_note_recorded) field 'child_id': is required" in failed.output
    assert "the 1 entries before it" not in failed.output  # line 1 was in its batch
    assert "the 0 entries before it in this run are stored" in failed.output
