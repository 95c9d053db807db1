"""Benchmark: a 5,000-event child's chronology served from the read model, and rebuild speed.

    .venv/bin/python -m scripts.bench_chronology [--db URL] [--events 5000]

Writes one synthetic child (plus corrections and a sibling) into a fresh store, catches the
chronology read model up, then times (median of 7) composing the child's chronology from the
read model (significant entries, and --all), and a full rebuild in events per second.
Target: under 200 ms for the chronology of a child with 5,000 events.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.readmodels.chronology import ChronologyStore
from adapters.store import EventStore
from domain.parsing import parse_event
from projections.chronology import ChronologyQuery

KINDS: list[tuple[str, dict[str, Any]]] = [
    ("child_visited", {"seen": True, "location": "home"}),
    ("case_note_recorded", {"note": "Phoned school; attendance 92%."}),
    ("core_group_held", {"attendees": ["school", "health visitor"]}),
    (
        "management_decision_recorded",
        {"decision": "Continue plan.", "rationale": "Progress.", "manager_id": "tm-1"},
    ),
    ("supervision_held", {"supervisor_id": "tm-1", "worker_id": "sw-1"}),
]


def _event(kind: str, child: str, day: datetime, n: int, **extra: object) -> dict[str, object]:
    return {
        "kind": kind,
        "child_id": child,
        "occurred_at": day.date().isoformat(),
        "recorded_by": {"user_id": "sw-1", "role": "social_worker"},
        "summary": f"Synthetic entry {n}: CP plan progress discussed with the family.",
        "source": f"CN-{n:05d}",
        **extra,
    }


def write(store: EventStore, clock: list[datetime], events: int) -> None:
    start = datetime(2012, 1, 2, 9, tzinfo=UTC)
    clock[0] = start
    store.record(
        [
            parse_event(
                _event(
                    "child_registered",
                    child,
                    start,
                    0,
                    first_name="Bench",
                    last_name=child,
                    sex="F",
                    date_of_birth="2011-06-01",
                    family_id="FAM-BENCH",
                )
            )
            for child in ("BENCH-1", "BENCH-2")
        ]
    )
    batch = []
    written = 1
    ids: list[str] = []
    for n in range(1, events):
        day = start + timedelta(hours=20 * n)
        kind, fields = KINDS[n % len(KINDS)]
        batch.append(parse_event(_event(kind, "BENCH-1", day, n, **fields)))
        if len(batch) == 250 or n == events - 1:
            clock[0] = day + timedelta(hours=2)
            recorded = store.record(batch)
            ids.extend(r.event_id for r in recorded[:2])
            written += len(batch)
            batch = []
    # a few corrections so the appendix is exercised
    for i, target in enumerate(ids[:20]):
        data = _event("entry_corrected", "BENCH-1", clock[0], events + i)
        data.update(target_event_id=target, changes={"summary": "Corrected."}, reason="Typo.")
        store.record_one(parse_event(data))


def timed(fn, repeat: int = 7) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=None, help="Store URL (default: a fresh SQLite file).")
    parser.add_argument("--events", type=int, default=5000)
    args = parser.parse_args()
    url = args.db or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    clock = [datetime(2012, 1, 2, tzinfo=UTC)]
    store = EventStore(url, clock=lambda: clock[0])
    t0 = time.perf_counter()
    write(store, clock, args.events)
    print(f"wrote {store.max_position()} events in {time.perf_counter() - t0:.1f} s")

    chronologies = ChronologyStore(store)
    t0 = time.perf_counter()
    chronologies.catch_up()
    print(f"catch-up (first build) {time.perf_counter() - t0:.2f} s")
    query = ChronologyQuery(children=("BENCH-1",))
    t_sig, sig = timed(lambda: chronologies.chronology(query))
    t_all, everything = timed(
        lambda: chronologies.chronology(replace(query, significant_only=False))
    )
    t_hash, _ = timed(lambda: everything.content_sha256())  # type: ignore[attr-defined]
    t0 = time.perf_counter()
    rebuilt = chronologies.rebuild()
    t_rebuild = time.perf_counter() - t0

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        f"store: {store.db.describe().split('?')[0]} ({'SQLite' if store.db.is_sqlite else 'PostgreSQL'})"
    )
    print(f"child BENCH-1: {args.events} events, 20 corrections")
    print(
        f"chronology from read model, significant only ({len(sig.entries)} entries): "  # type: ignore[attr-defined]
        f"{t_sig * 1000:.0f} ms (target < 200 ms)"
    )
    print(
        f"chronology from read model, --all ({len(everything.entries)} entries): "  # type: ignore[attr-defined]
        f"{t_all * 1000:.0f} ms; content hash {t_hash * 1000:.0f} ms"
    )
    print(
        f"full rebuild: {rebuilt} events in {t_rebuild:.2f} s = {rebuilt / t_rebuild:,.0f} events/s"
    )
    store.close()


if __name__ == "__main__":
    main()
