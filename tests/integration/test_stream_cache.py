"""The server's decoded-stream cache (adapters/stream_cache.py) never hands out a stale or
erased-since record: a new event written here, by another store or by another process is
read on the next read; "as known at" filters the cached stream; a subject whose key is
destroyed (by another store, as ``retention destroy`` in another process does) reads
``[erased]`` on the next read; the access facts follow a new allocation; the cache stays
within its bound."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.auth.guard import Gate, operator_principal
from adapters.shredding.sealing import ERASED
from adapters.store import EventStore
from adapters.stream_cache import StreamCache, StreamEntry
from domain.envelope import RecordedEvent
from domain.parsing import parse_event
from tests.factories import example_data

CHILD = "C-CACHE-1"


def _write(url: str, *kinds_and_fields: tuple[str, dict[str, str]], at: datetime | None = None):
    with EventStore(url, clock=(lambda: at) if at else (lambda: datetime.now(UTC))) as store:
        return store.record(
            [
                parse_event(example_data(kind, CHILD, "2025-01-06", **f))
                for kind, f in kinds_and_fields
            ]
        )


def _cached(url: str, cache: StreamCache) -> EventStore:
    store = EventStore(url)
    store.streams = cache
    return store


def test_an_unchanged_child_is_decoded_once_and_a_new_event_is_read_next_time(
    store_url: str,
) -> None:
    _write(store_url, ("child_registered", {}), ("child_visited", {"summary": "First visit."}))
    cache = StreamCache()
    with _cached(store_url, cache) as store, EventStore(store_url) as other:
        first = store.stream(CHILD)
        again = store.stream(CHILD)
        assert [e.event_id for e in again] == [e.event_id for e in first]
        assert all(a is b for a, b in zip(first, again, strict=True))  # not decoded again
        assert again is not first  # each caller its own list
        again.clear()
        assert len(store.stream(CHILD)) == 2

        # written by another store on the same database (another server, say)
        other.record([parse_event(example_data("child_visited", CHILD, "2025-01-07"))])
        grown = store.stream(CHILD)
        assert [e.position for e in grown] == [1, 2, 3]
        assert grown[0] is first[0]  # only the new row decoded

        # written through this store: a correction is a new event too
        store.record(
            [
                parse_event(
                    example_data(
                        "entry_corrected",
                        CHILD,
                        "2025-01-08",
                        target_event_id=grown[1].event_id,
                        changes={"summary": "First visit, corrected."},
                    )
                )
            ]
        )
        latest = store.stream(CHILD)
        assert latest[-1].kind == "entry_corrected" and len(latest) == 4
        assert latest[-1].event.target_event_id == grown[1].event_id


def test_a_write_by_another_process_is_read_next_time(sqlite_url: str) -> None:
    _write(sqlite_url, ("child_registered", {}))
    cache = StreamCache()
    with _cached(sqlite_url, cache) as store:
        assert len(store.stream(CHILD)) == 1
        code = (
            "from adapters.store import EventStore; from domain.parsing import parse_event; "
            "from tests.factories import example_data; "
            f"s = EventStore({sqlite_url!r}); "
            f"s.record([parse_event(example_data('child_visited', {CHILD!r}, '2025-01-09', "
            "summary='Written by another process.'))]); s.close()"
        )
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
        subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=120)
        events = store.stream(CHILD)
        assert [e.kind for e in events] == ["child_registered", "child_visited"]
        assert events[-1].event.summary == "Written by another process."


def test_as_known_at_filters_the_cached_stream(store_url: str) -> None:
    _write(store_url, ("child_registered", {}))
    later = datetime.now(UTC) + timedelta(hours=1)
    _write(store_url, ("child_visited", {"summary": "Recorded later."}), at=later)
    cache = StreamCache()
    with _cached(store_url, cache) as store:
        assert len(store.stream(CHILD)) == 2  # the whole stream is what is kept
        then = store.history(CHILD, as_known_at=later - timedelta(minutes=30))
        assert [e.kind for e in then] == ["child_registered"]
        assert len(store.history(CHILD)) == 2
        assert len(store.stream(CHILD)) == 2  # the filter did not narrow what is kept


def test_a_destroyed_subject_reads_erased_on_the_next_read(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASELEDGER_ENCRYPT", "on")
    _write(store_url, ("child_registered", {"first_name": "Ottoline"}), ("child_visited", {}))
    cache = StreamCache()
    with _cached(store_url, cache) as store:
        assert store.shredder is not None
        assert store.stream(CHILD)[0].event.first_name == "Ottoline"
        assert store.derived(CHILD, store.stream(CHILD), "name", lambda: "kept") == "kept"
        # destroyed through another store (its own key cache), as `retention destroy` does
        # from another process; this store still holds the unwrapped key in memory
        with EventStore(store_url) as other:
            assert other.shredder is not None
            assert other.shredder.keys.destroy([f"child:{CHILD}"], by="test") == [f"child:{CHILD}"]
        after = store.stream(CHILD)
        assert after[0].event.first_name == ERASED
        assert "Ottoline" not in repr(after)
        assert "Ottoline" not in repr(store.history(CHILD))
        # what was memoised with the decrypted stream went with it
        assert store.derived(CHILD, after, "name", lambda: "fresh") == "fresh"
        assert cache.get(store.url, CHILD) is not None  # the erased stream is kept instead
        assert store.stream(CHILD)[0].event.first_name == ERASED


def test_the_access_facts_follow_a_new_allocation(store_url: str) -> None:
    _write(
        store_url,
        ("child_registered", {}),
        ("allocated_to_worker", {"worker_id": "sw-first", "team": "north"}),
    )
    cache = StreamCache()
    with _cached(store_url, cache) as store:
        principal = operator_principal()
        assert Gate(store, principal, channel="cli").facts(CHILD).workers == {"sw-first"}
        assert Gate(store, principal, channel="cli").facts(CHILD).workers == {"sw-first"}
        with EventStore(store_url) as other:
            other.record(
                [
                    parse_event(
                        example_data(
                            "allocated_to_worker",
                            CHILD,
                            "2025-01-10",
                            worker_id="sw-second",
                            team="south",
                        )
                    )
                ]
            )
        facts = Gate(store, principal, channel="cli").facts(CHILD)
        assert facts.workers == {"sw-second"} and facts.teams == {"south"}


def test_a_fold_at_a_moment_before_the_last_event_is_not_memoised(store_url: str) -> None:
    _write(store_url, ("child_registered", {}))
    cache = StreamCache()
    with _cached(store_url, cache) as store:
        events = store.stream(CHILD)
        before = events[0].recorded_at - timedelta(seconds=1)
        calls: list[int] = []

        def fold() -> int:
            calls.append(1)
            return len(calls)

        assert store.derived(CHILD, events, "f", fold, at=before) == 1
        assert store.derived(CHILD, events, "f", fold, at=before) == 2  # not settled: anew
        now = datetime.now(UTC)
        assert store.derived(CHILD, events, "f", fold, at=now) == 3
        assert store.derived(CHILD, events, "f", fold, at=now) == 3  # settled: memoised
        assert store.derived(CHILD, list(events), "f", fold, at=now) == 3
        assert store.derived(CHILD, [*events[:-1]], "f", fold, at=now) == 4  # not the stream


def _entry(child: str, n: int) -> StreamEntry:
    stamp = datetime(2025, 1, 1, tzinfo=UTC)
    events = tuple(
        parse_event(example_data("child_visited", child, "2025-01-01")) for _ in range(n)
    )
    recorded = tuple(
        RecordedEvent(
            event_id=f"{child}-{i}",
            child_id=child,
            position=i + 1,
            recorded_at=stamp,
            event=e,
            prev_hash="0" * 64,
            hash="0" * 64,
            stored_version=1,
        )
        for i, e in enumerate(events)
    )
    return StreamEntry(recorded, frozenset())


def test_the_cache_keeps_to_its_bound_least_recently_used_out_first() -> None:
    cache = StreamCache(max_events=10)
    cache.put("u", "A", _entry("A", 4))
    cache.put("u", "B", _entry("B", 4))
    assert cache.get("u", "A") is not None  # A now the most recent
    cache.put("u", "C", _entry("C", 4))
    assert cache.events_held <= 10
    assert cache.get("u", "B") is None  # the least recently used went
    assert cache.get("u", "A") is not None and cache.get("u", "C") is not None
    cache.put("u", "D", _entry("D", 11))  # longer than the whole bound: not kept
    assert cache.get("u", "D") is None
    assert cache.events_held == 8 and len(cache) == 2
    cache.put("u", "A", _entry("A", 2))  # an older entry does not replace a newer one
    assert cache.get("u", "A").version == 4  # type: ignore[union-attr]
    cache.clear("u")
    assert len(cache) == 0 and cache.events_held == 0


def test_deadlines_judged_from_the_kept_stream_equal_a_fresh_evaluation(
    sqlite_url: str,
) -> None:
    from adapters.packs import load_packs, packs_key
    from adapters.schedule import child_schedule
    from adapters.synthetic.demo_family import JORDAN, MIA, write_demo
    from policies.engine import evaluate

    write_demo(sqlite_url)
    packs = load_packs()
    cache = StreamCache()
    with _cached(sqlite_url, cache) as store:
        for child in (JORDAN, MIA):
            stream = store.stream(child)
            for at in (datetime.now(UTC), datetime.now(UTC) + timedelta(days=400)):
                kept = child_schedule(
                    store, child, packs, at, stream=stream, packs_key=packs_key()
                ).deadlines
                assert kept == evaluate(stream, packs, at)
                assert len(kept) > 5
            entry = cache.get(store.url, child)
            assert entry is not None and any(k[0] == "deadlines" for k in entry.derived)  # type: ignore[index]
        # a moment before the record's last entry is judged afresh (and still right)
        stream = store.stream(JORDAN)
        before = stream[len(stream) // 2].recorded_at
        assert child_schedule(
            store, JORDAN, packs, before, stream=stream, packs_key=packs_key()
        ).deadlines == evaluate(stream, packs, before)


def test_a_kept_chronology_shows_a_new_entry_on_the_next_read(store_url: str) -> None:
    from adapters.chronology_document import child_chronology

    _write(store_url, ("child_registered", {}), ("child_visited", {"summary": "First visit."}))
    cache = StreamCache()
    with _cached(store_url, cache) as store:

        def summaries() -> list[str]:
            gate = Gate(store, operator_principal(), channel="cli")
            _, result = child_chronology(
                store, gate, CHILD, as_known_at=None, significant_only=False
            )
            return [e.detail for e in result.entries]

        first = summaries()
        assert "Child visited. First visit." in first and summaries() == first
        entry = cache.get(store.url, CHILD)
        assert entry is not None and any(k[0] == "chronology" for k in entry.derived)  # type: ignore[index]
        with EventStore(store_url) as other:
            other.record(
                [
                    parse_event(
                        example_data("child_visited", CHILD, "2025-01-11", summary="Second visit.")
                    )
                ]
            )
        assert summaries() == [*first, "Child visited. Second visit."]
