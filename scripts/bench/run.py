"""The measurements: each product figure beside the raw database limit from the same run.

One engine at a time (:func:`bench_engine`), on a fresh store:

1. bulk import — the synthetic authority loaded through the store's import path
   (``EventStore.import_batch``: the product's checks, ~2,000 events a transaction, each
   keeping its write-up time; events/s of store time) vs executemany INSERT of the same
   rows at the same mean batch size;
2. single append — one ``record_one`` per event vs one INSERT + commit per row;
3. cost growth — the read models rebuilt up to 1/8, 1/4, 1/2 of the log, then the whole log
   (the full rebuild figure), each in a fresh process with its resident memory sampled,
   vs a plain paged SELECT of the same rows;
4. chronology latency — p50/p95 of composing a 5,000-event child's chronology vs a plain
   SELECT of that child's rows;
5. family replay — the largest family among the first children (by events), replayed by day
   over 3 years from its first entry, each step's JSON made as ``replay --json`` makes it,
   vs a plain SELECT of the family's rows;
6. deadline tick — the first tick over every child (all dirty after the import) and the next
   one a day later (only children due), vs a plain SELECT of the rows the tick reads.
"""

from __future__ import annotations

import multiprocessing
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import create_engine, text

from adapters.processes import die_with_parent
from adapters.readmodels.chronology import ChronologyReadModel, ChronologyStore
from adapters.readmodels.deadlines import DeadlineIndex
from adapters.readmodels.runner import ReadModel, ReadModelRunner
from adapters.store import EventStore, stream_id
from adapters.synthetic.synth import END, SimulatedClock, load, long_record
from domain.events.direct_work import ChildVisited
from projections.chronology import ChronologyQuery
from scripts.bench import raw
from scripts.bench.memory import RssSampler

log = structlog.get_logger("caseledger.bench")

READ_MODELS: list[Callable[[], ReadModel]] = [
    ChronologyReadModel,  # chronology entries and amendments
    DeadlineIndex,  # which children the deadline tick must check
]
"""Every SQL read model the rebuild replays into; adding one is one line here."""

SIZES: dict[str, dict[str, int]] = {
    "tiny": {
        "children": 20,
        "long_events": 200,
        "appends": 50,
        "latency_runs": 5,
        "tick_timeout": 240,
    },
    "small": {
        "children": 500,
        "long_events": 5000,
        "appends": 1000,
        "latency_runs": 30,
        "tick_timeout": 150,
    },
    # county: every phase runs whole, as at small size: the growth curve replays 1/8 to all
    # of ~2.3 million events, and the first tick evaluates all 50,000 children (minutes),
    # so that the next day's tick is the steady-state tick over all open children.
    # ("no_growth" and "tick_sample" remain for a quicker look on a slow machine.)
    "county": {
        "children": 50_000,
        "long_events": 5000,
        "appends": 2000,
        "latency_runs": 30,
        "tick_timeout": 2400,
    },
}

MiB = 1024 * 1024


def _mib(value: float) -> float:
    return round(value / MiB, 1)


# -- rebuild in a fresh process (so its memory is its own) ---------------------------------


def _rebuild_worker(url: str, stop: int | None, out: Any) -> None:
    die_with_parent()
    store = EventStore(url)
    models = [make() for make in READ_MODELS]
    runner = ReadModelRunner(store, models)
    # the whole process tree: a partitioned rebuild's workers hold the replay's memory
    with RssSampler(interval=0.1, children=True) as rss:
        began = time.perf_counter()
        events = runner.rebuild(stop=stop)
        seconds = time.perf_counter() - began
    workers = runner.last_workers
    store.close()
    step = max(1, len(rss.samples) // 200)
    out.put(
        {
            "events": events,
            "workers": workers,
            "seconds": seconds,
            "events_per_second": events / seconds if seconds else 0.0,
            "rss_start_mib": _mib(rss.start),
            "rss_peak_mib": _mib(rss.peak),
            "rss_samples": [(round(t, 2), _mib(v)) for t, v in rss.samples[::step]],
        }
    )


def rebuild_in_process(url: str, stop: int | None) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    worker = context.Process(target=_rebuild_worker, args=(url, stop, queue))
    worker.start()
    result: dict[str, Any] = queue.get()
    worker.join()
    return result


# -- the engine bench ----------------------------------------------------------------------


def bench_engine(
    url: str,
    size: str,
    seed: int,
    say: Callable[[str], None],
    progress: Callable[[str, int, int], None] | None = None,
    result: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Measure one engine; figures land in ``result`` as each phase ends (kept on failure)."""
    params = SIZES[size]
    store = EventStore(url)
    db = store.db
    table = store.qualified_table if not db.is_sqlite else store.events_table
    result = {} if result is None else result
    result["engine"] = "sqlite" if db.is_sqlite else "postgresql"
    # crypto-shredding (CASELEDGER_ENCRYPT=on): every figure below is with it on or off
    result["encrypted"] = store.shredder is not None

    # 1. bulk import
    say("bulk import (synthetic authority, ~2,000 events a transaction)")
    loaded = load(
        store,
        params["children"],
        seed,
        progress=(lambda c, e: progress("import", c, params["children"])) if progress else None,
    )
    total = store.max_position()
    mean_batch = max(1, round(loaded.events / max(loaded.batches, 1)))
    rows = raw.sample_rows(db, table, min(total, 200_000))
    bulk_raw = raw.bulk_insert(db, rows, mean_batch)
    result["bulk_import"] = {
        **loaded.as_json(),
        "mean_batch": mean_batch,
        "raw_insert_per_second": round(bulk_raw["per_second"], 1),
        "raw_rows": bulk_raw["rows"],
    }

    # 2. the long child for chronology latency (written in write-up order, 500 a call)
    say(f"long record ({params['long_events']} events)")
    child_id = f"BENCH-LONG-{seed}"
    journey = long_record(child_id, params["long_events"], seed)
    clock = SimulatedClock(journey.steps[0].recorded_at)
    store.clock = clock
    for start in range(0, len(journey.steps), 500):
        chunk = journey.steps[start : start + 500]
        clock.now = chunk[-1].recorded_at
        store.record([step.event for step in chunk])

    # 3. single appends: one record_one per event, across 200 children
    say(f"single appends ({params['appends']})")
    children = store.children()[:200]
    moment = datetime.combine(END + timedelta(days=2), datetime.min.time(), tzinfo=UTC)
    store.clock = lambda: moment
    store.forget()
    for child in children:  # warm the cache as a long-running service would have it
        store.child_record(child)
    began = time.perf_counter()
    for n in range(params["appends"]):
        store.record_one(
            ChildVisited(
                child_id=children[n % len(children)],
                occurred_at=moment - timedelta(hours=2),
                recorded_by={"user_id": "sw-bench", "role": "social_worker"},
                summary="Visit.",
                seen=True,
                location="home",
            )
        )
    append_seconds = time.perf_counter() - began
    single_raw = raw.single_insert(db, rows[: params["appends"]])
    result["single_append"] = {
        "events": params["appends"],
        "seconds": round(append_seconds, 3),
        "per_second": round(params["appends"] / append_seconds, 1),
        "raw_insert_per_second": round(single_raw["per_second"], 1),
    }
    raw.drop(db)
    store.close()

    # 4. cost growth and the full rebuild, each in a fresh process
    total = EventStore(url).max_position()
    growth = []
    for fraction in (1,) if params.get("no_growth") else (8, 4, 2, 1):
        stop = None if fraction == 1 else total // fraction
        say(f"rebuild read models up to {stop or total} events")
        measured = rebuild_in_process(url, stop)
        measured["raw_select_per_second"] = round(raw.scan(db, table, stop=stop)["per_second"], 1)
        growth.append({"log_events": stop or total, **measured})
    result["rebuild"] = {
        "models": [make().name for make in READ_MODELS],
        **{k: v for k, v in growth[-1].items() if k != "rss_samples"},
        "rss_samples": growth[-1]["rss_samples"],
    }
    result["growth"] = [{k: v for k, v in g.items() if k != "rss_samples"} for g in growth]

    # 5. chronology latency for the long child
    say("chronology latency")
    store = EventStore(url)
    chronologies = ChronologyStore(store)
    chronologies.catch_up()
    query = ChronologyQuery(children=(child_id,), significant_only=False)
    entries = len(chronologies.chronology(query).entries)
    times = []
    for _ in range(params["latency_runs"]):
        began = time.perf_counter()
        chronologies.chronology(query)
        times.append(time.perf_counter() - began)
    key = stream_id(child_id).hex if db.is_sqlite else str(stream_id(child_id))
    raw_times = raw.select_stream(db, table, key, params["latency_runs"])
    result["chronology"] = {
        "child_events": params["long_events"],
        "entries": entries,
        **_percentiles(times),
        **{f"raw_{k}": v for k, v in _percentiles(raw_times).items()},
    }
    store.close()

    # 6. a family replayed by day over 3 years (before the tick writes its standards events)
    say("family replay by day over 3 years")
    store = EventStore(url)
    result["replay"] = replay_family(store, db, table)
    store.close()

    # 7. deadline tick: first over every child, then the steady state a day later
    result["tick"] = _tick(
        url, db, table, say, params.get("tick_sample"), params.get("tick_timeout", 900)
    )
    return result


REPLAY_YEARS = 3
REPLAY_SCAN = 300
"""Children scanned for the family to replay (the largest family among them by events)."""


def replay_family(store: EventStore, db: Any, table: str) -> dict[str, Any]:
    """A family replayed by day over three years, as ``caseledger replay --family --json``.

    The family: of the first :data:`REPLAY_SCAN` children (by id), the family with the most
    events. Its streams are read once (as the command does), then every step's snapshot is
    made and turned into JSON. Same run: a plain SELECT of the family's rows.
    """
    from adapters.packs import load_packs
    from projections.replay import replay

    families: dict[str, list[str]] = {}
    streams: dict[str, list[Any]] = {}
    for child in store.children()[:REPLAY_SCAN]:
        stream = store.stream(child)
        registered = next((e for e in stream if e.kind == "child_registered"), None)
        family = getattr(registered.event, "family_id", None) if registered else None
        if family:
            families.setdefault(family, []).append(child)
            streams[child] = stream
    family, children = max(
        families.items(), key=lambda f: (sum(len(streams[c]) for c in f[1]), f[0])
    )
    children = sorted(children)
    packs = load_packs()
    began, cpu = time.perf_counter(), time.process_time()
    events = [e for c in children for e in store.stream(c)]
    first = min(e.recorded_at for e in events).date()
    last = first + timedelta(days=365 * REPLAY_YEARS)
    steps = 0
    for snap in replay(
        events, packs, start=first, end=last, step="day", children=children, family_id=family
    ):
        snap.as_json_text()
        steps += 1
    seconds, cpu_seconds = time.perf_counter() - began, time.process_time() - cpu
    raw_seconds = 0.0
    for child in children:
        key = stream_id(child).hex if db.is_sqlite else str(stream_id(child))
        raw_seconds += min(raw.select_stream(db, table, key, 3))
    return {
        "family": family,
        "children": len(children),
        "events": len(events),
        "steps": steps,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu_seconds, 3),
        "raw_select_seconds": round(raw_seconds, 4),
    }


def _percentiles(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    cuts = statistics.quantiles(ordered, n=20, method="inclusive") if len(ordered) > 1 else []
    p95 = cuts[18] if cuts else ordered[0]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 2), "p95_ms": round(p95 * 1000, 2)}


def _tick_worker(url: str, sample: int | None, out: Any) -> None:
    from adapters.readmodels.deadlines import children_to_check
    from adapters.scheduler import PolicyHandler

    die_with_parent()

    at = datetime.combine(END + timedelta(days=3), datetime.min.time(), tzinfo=UTC)
    steps = [("first", at)] if sample else [("first", at), ("next_day", at + timedelta(days=1))]
    for label, moment in steps:
        store = EventStore(url, clock=lambda m=moment: m)  # type: ignore[misc]
        handler = PolicyHandler(store)
        handler.catch_up()
        with handler.engine.connect() as conn:
            due = len(children_to_check(conn, moment))
        out.put(("started", label, None))
        began = time.perf_counter()
        report = handler.tick(moment, stop_after=sample if label == "first" else None)
        seconds = time.perf_counter() - began
        store.close()
        sampled = label == "first" and sample is not None and due > report.children_checked
        out.put(
            (
                "done",
                label,
                {
                    "seconds": round(seconds, 3),
                    "children_due": due,
                    "sampled": sampled,
                    "seconds_for_all_due": round(
                        seconds * due / max(report.children_checked, 1), 1
                    ),
                    "children_checked": report.children_checked,
                    "events_read": report.events_read,
                    "breaches_written": report.breaches,
                    "due_soon_written": report.due_soon,
                    "met_late_written": report.met_late,
                },
            )
        )


def _tick(
    url: str,
    db: Any,
    table: str,
    say: Callable[[str], None],
    sample: int | None,
    limit_seconds: int = 900,
) -> dict[str, Any]:
    """Ticks in a child process, so a tick that hangs is reported instead of stopping the run."""
    import queue as queues

    context = multiprocessing.get_context("spawn")
    channel = context.Queue()
    worker = context.Process(target=_tick_worker, args=(url, sample, channel))
    worker.start()
    out: dict[str, Any] = {}
    label = "first"
    limit = float(limit_seconds)
    while True:
        try:
            state, label, data = channel.get(timeout=limit)
        except queues.Empty:
            worker.terminate()
            out[label] = {"error": f"no result after {limit:.0f} s; the tick was stopped"}
            say(f"deadline tick ({label}) gave no result in {limit:.0f} s")
            break
        if state == "started":
            say(f"deadline tick ({label})")
            continue
        out[label] = data
        if label == "next_day" or sample:
            break
    worker.join(timeout=30)
    out["raw_scan_seconds"] = round(raw.scan(db, table)["seconds"], 3)
    return out


def new_postgres_url(base: str, size: str) -> str:
    return f"{base}?schema=bench_{size}_{uuid.uuid4().hex[:8]}"


def drop_postgres_schema(url: str) -> None:
    from adapters.db import parse_database

    db = parse_database(url)
    engine = create_engine(db.sqlalchemy_url())
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{db.schema}" CASCADE'))
    engine.dispose()
