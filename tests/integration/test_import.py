"""Bulk import on SQLite and PostgreSQL: each entry keeps the time it was written down.

A migration from a legacy case system must not stamp the import's own moment on every
entry: "what did the record say on 3 March" has to answer from the legacy write-up times.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.store import EventStore, ImportRefused, ImportResult
from domain.errors import InvalidEvent
from domain.events import CaseEvent
from scripts.synth import generate, load
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
