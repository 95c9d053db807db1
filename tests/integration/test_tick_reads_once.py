"""A stream read once serves both the deadline engine and the write's checks (both engines).

The tick reads each due child's stream to evaluate it and hands it to the store
(:meth:`EventStore.remember`), so appending the child's standards events does not read and
decode the same stream again. The write's guarantees are the ones it had: a stream that grew
meanwhile is caught up, and a stale write is refused by the (stream, version) key.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC

import pytest

from adapters.readmodels.deadlines import children_to_check, deadline_children, deadline_open
from adapters.scheduler import PolicyHandler
from adapters.store import EventStore
from domain.errors import ConcurrencyConflict
from tests.conftest import Clock
from tests.factories import example
from tests.integration.test_breach_handler import at, seed_york_child, standards


def _count_reads(store: EventStore) -> list[tuple[str, int | None]]:
    """Every stream read the store makes from now on: (child id, read after version); a
    child's whole stream read within a batch (``read_streams``) counts as ``(child id, None)``."""
    reads: list[tuple[str, int | None]] = []
    select = store._select

    def counted(child_id: str, gt: int | None = None):  # type: ignore[no-untyped-def]
        reads.append((child_id, gt))
        return select(child_id, gt)

    store._select = counted  # type: ignore[method-assign]
    streams = store.read_streams

    def counted_many(child_ids):  # type: ignore[no-untyped-def]
        # a tick reads a batch's streams in one query: each child's whole stream, once
        found = streams(child_ids)
        reads.extend((child_id, None) for child_id in found)
        return found

    store.read_streams = counted_many  # type: ignore[method-assign]
    return reads


def _two_children(store: EventStore) -> None:
    store.record([example("child_registered", "C-EX-1"), example("child_registered", "C-EX-2")])
    store.record_one(example("case_note_recorded", "C-EX-1", summary="first note"))


def test_a_remembered_stream_is_not_read_again_for_the_write(
    store_url: str, make_store: Callable[..., EventStore]
) -> None:
    _two_children(make_store(store_url))
    store = make_store(store_url)
    events = {c: store.stream(c) for c in ("C-EX-1", "C-EX-2")}
    reads = _count_reads(store)
    for child_id, stream in events.items():
        store.remember(child_id, stream)
    assert reads == []
    # one child: only "anything after version 2?" is asked, not the whole stream
    assert store.record_one(example("case_note_recorded", "C-EX-1")).position == 3
    assert reads == [("C-EX-1", 2)]
    # several children: one query for their newest versions, no stream read at all
    written = store.record(
        [example("case_note_recorded", "C-EX-1"), example("case_note_recorded", "C-EX-2")]
    )
    assert [w.position for w in written] == [4, 2]
    assert reads == [("C-EX-1", 2)]
    assert store.verify().ok


def _remembering_store_and_other_writer(
    store_url: str, make_store: Callable[..., EventStore]
) -> tuple[EventStore, EventStore]:
    """Two stores on one log: ``other`` wrote the two children; ``store`` remembers C-EX-1."""
    other = make_store(store_url)
    _two_children(other)
    store = make_store(store_url)
    store.remember("C-EX-1", store.stream("C-EX-1"))
    return store, other


def test_a_remembered_record_is_caught_up_when_another_writer_appended(
    store_url: str, make_store: Callable[..., EventStore]
) -> None:
    store, other = _remembering_store_and_other_writer(store_url, make_store)
    store.remember("C-EX-2", store.stream("C-EX-2"))
    other.record_one(example("case_note_recorded", "C-EX-1", summary="other writer"))
    reads = _count_reads(store)
    written = store.record(
        [example("case_note_recorded", "C-EX-1"), example("case_note_recorded", "C-EX-2")]
    )
    assert [w.position for w in written] == [4, 2]
    assert reads == [("C-EX-1", 2)]  # read only what the other writer added
    assert written[0].prev_hash == store.stream("C-EX-1")[2].hash
    assert store.verify().ok


def test_a_stale_remembered_record_cannot_write(
    store_url: str, make_store: Callable[..., EventStore]
) -> None:
    store, other = _remembering_store_and_other_writer(store_url, make_store)
    other.record_one(example("case_note_recorded", "C-EX-1", summary="writer A"))
    reread = store._select
    store._select = lambda child_id, gt=None: [] if gt else reread(child_id)  # type: ignore[method-assign]
    with pytest.raises(ConcurrencyConflict):  # decided on version 2, the log is at 3
        store.record_one(example("case_note_recorded", "C-EX-1", summary="writer B"))
    store._select = reread  # type: ignore[method-assign]
    summaries = [e.event.summary for e in store.stream("C-EX-1")]
    assert summaries.count("writer A") == 1 and "writer B" not in summaries


def test_remember_ignores_what_is_not_a_whole_newer_stream(
    store_url: str, make_store: Callable[..., EventStore]
) -> None:
    other = make_store(store_url)
    _two_children(other)
    other.record_one(example("case_note_recorded", "C-EX-1", summary="second note"))
    store = make_store(store_url)
    stream = store.stream("C-EX-1")
    store.remember("C-EX-1", stream[1:])  # not from position 1
    store.remember("C-EX-1", stream[:1] + stream[2:])  # a gap
    store.remember("C-EX-2", stream)  # another child's
    store.remember("C-EX-1", [])
    assert store._records == {}
    store.remember("C-EX-1", stream)
    cached = store._records["C-EX-1"]
    assert cached.version == 3 and [e.event_id for e in cached.history] == [
        e.event_id for e in stream
    ]
    store.remember("C-EX-1", stream[:2])  # older than the cached record: kept
    assert store._records["C-EX-1"] is cached


TICK_AT = at("2026-04-08T06:00")
"""After the York children's strategy discussions fell due (see ``seed_york_child``)."""


def _three_york_children(store: EventStore, clock: Clock, prefix: str) -> list[str]:
    """Three referred York children, and the clock at :data:`TICK_AT`."""
    children = [f"{prefix}-{n}" for n in range(3)]
    for child_id in children:
        seed_york_child(store, clock, child_id)
    clock.set(TICK_AT.astimezone(UTC))
    return children


def test_a_tick_reads_each_due_childs_stream_once(
    store_url: str, make_store: Callable[..., EventStore], clock: Clock
) -> None:
    store = make_store(store_url)
    children = _three_york_children(store, clock, "C-ONCE")
    store.forget()
    handler = PolicyHandler(store)
    reads = _count_reads(store)
    report = handler.tick(TICK_AT)
    assert report.children_checked == 3 and report.breaches >= 3
    assert sorted(reads) == [(c, None) for c in children]
    for child_id in children:
        assert standards(store, child_id)[("deadline_breached", "strategy_discussion")] == 1
    with handler.engine.connect() as conn:
        rows = conn.execute(deadline_children.select().order_by(deadline_children.c.child_id)).all()
        open_rows = conn.execute(deadline_open.select()).all()
    assert [(r.child_id, r.dirty) for r in rows] == [(c, False) for c in children]
    for row in rows:
        mine = [o for o in open_rows if o.child_id == row.child_id]
        assert row.open_count == len(mine) > 0
        assert row.evaluated_at == TICK_AT.timestamp()


def test_a_new_entry_after_a_tick_marks_only_its_child_for_the_next(
    store_url: str, make_store: Callable[..., EventStore], clock: Clock
) -> None:
    """The index's catch-up marks a checked child dirty again when its record grows."""
    store = make_store(store_url)
    _three_york_children(store, clock, "C-AGAIN")
    handler = PolicyHandler(store)
    handler.tick(TICK_AT)
    store.record_one(
        example("case_note_recorded", "C-AGAIN-1", "2026-04-07", summary="a later note")
    )
    handler.catch_up()
    with handler.engine.connect() as conn:
        rows = conn.execute(deadline_children.select().order_by(deadline_children.c.child_id)).all()
        due = children_to_check(conn, TICK_AT)
    assert [(r.child_id, r.dirty) for r in rows] == [
        ("C-AGAIN-0", False),
        ("C-AGAIN-1", True),
        ("C-AGAIN-2", False),
    ]
    assert due == ["C-AGAIN-1"]
