"""Benchmark: the web app's pages of a 5,000-event child, served by a real ``caseledger serve``.

    .venv/bin/python -m scripts.bench_web [--db URL] [--events 5000] [--requests 40]

Writes one synthetic child of ``--events`` events (and a sibling, as
:mod:`scripts.bench_chronology` does), allocates it to a bench worker in a bench team, catches
the chronology read model up (a deployment's tick does), starts ``caseledger serve`` on a free
loopback port, signs in as the team's manager and asks for each page ``--requests`` times in
turn after two warm-up requests: the child's page (header, deadlines and the newest 200
timeline entries), the timeline of every entry (``?all=true``), the chronology (significant
entries, and all), the family page (genogram drawn by Graphviz) and legal status. Reports p50/p95/max per page. Target: p95 under 300 ms for the child
page, timeline and chronology. Nothing here is a test assertion (figures go in
docs/performance.md). Also measured in the same run: the raw SELECT of the child's rows, their
decoding by ``EventStore.stream``, and ``stream`` through the server's decoded-stream cache for
an unchanged child (:mod:`adapters.stream_cache`: the version check only).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import text

from adapters.auth.accounts import Accounts
from adapters.db import sql_engine
from adapters.readmodels.chronology import ChronologyStore
from adapters.store import EventStore, stream_id
from adapters.stream_cache import StreamCache
from adapters.web.session import SESSION_COOKIE
from domain.parsing import parse_event
from scripts.bench_chronology import write
from scripts.bench_serve import _rss_kib, percentile
from scripts.bench_tick import machine
from scripts.serve_process import serving

CHILD = "BENCH-1"
TEAM = "bench-team"
MANAGER = "tm-bench"
PASSWORD = "bench-password-not-secret"
PAGES = {
    "child page + timeline": f"/child/{CHILD}",
    "timeline (all entries)": f"/child/{CHILD}?all=true",
    "chronology (significant)": f"/child/{CHILD}/chronology",
    "chronology (all)": f"/child/{CHILD}/chronology?all=true",
    "family + genogram": f"/child/{CHILD}/family",
    "legal status": f"/child/{CHILD}/status",
}


def prepare(url: str, events: int) -> int:
    clock = [datetime(2012, 1, 2, tzinfo=UTC)]
    with EventStore(url, clock=lambda: clock[0]) as store:
        if store.max_position() == 0:
            write(store, clock, events)
            clock[0] = datetime.now(UTC)
            store.record(
                [
                    parse_event(
                        {
                            "kind": "allocated_to_worker",
                            "child_id": child,
                            "occurred_at": "2012-01-03",
                            "recorded_by": {"user_id": "bench-setup", "role": "team_manager"},
                            "summary": "Allocated.",
                            "worker_id": "sw-bench",
                            "team": TEAM,
                        }
                    )
                    for child in ("BENCH-1", "BENCH-2")
                ]
            )
        ChronologyStore(store).catch_up()
        count = len(store.stream(CHILD))
    accounts = Accounts(url)
    if accounts.get(MANAGER) is None:
        accounts.add(MANAGER, "team_manager", team=TEAM, password=PASSWORD, created_by="bench")
    return count


def _median_ms(fn: Any, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    return round(statistics.median(times), 1)


def limits(url: str) -> dict[str, float]:
    """In the same run: the raw SELECT of the child's stored rows (the database's limit),
    and the store's decoding of them into events (what each page pays at least once)."""
    with EventStore(url) as store:
        engine = sql_engine(url)
        key = stream_id(CHILD) if not store.db.is_sqlite else stream_id(CHILD).hex
        query = text(f"SELECT * FROM {store.qualified_table} WHERE originator_id = :id")

        def raw() -> None:
            with engine.connect() as conn:
                conn.execute(query, {"id": key}).fetchall()

        figures = {
            "raw_select_ms": _median_ms(raw),
            "store_stream_ms": _median_ms(lambda: store.stream(CHILD)),
        }
        store.streams = StreamCache()  # as serve reads: the version check and a kept stream
        store.stream(CHILD)
        figures["cached_stream_ms"] = _median_ms(lambda: store.stream(CHILD))
        return figures


def run(url: str, events: int, requests: int) -> dict[str, Any]:
    count = prepare(url, events)
    load_before = os.getloadavg()[0]
    floor = limits(url)
    with serving(url) as server:
        base = server.base
        token = httpx.post(
            f"{base}/auth/token", data={"username": MANAGER, "password": PASSWORD}, timeout=30
        ).json()["access_token"]
        # the session cookie is Secure; on plain loopback http it is sent by hand
        headers = {"Cookie": f"{SESSION_COOKIE}={token}"}
        figures: dict[str, dict[str, float]] = {}
        with httpx.Client(base_url=base, timeout=60, headers=headers) as http:
            for name, path in PAGES.items():
                for _ in range(2):  # the first requests import the renderers
                    warm = http.get(path)
                    warm.raise_for_status()
                times = []
                for _ in range(requests):
                    began = time.perf_counter()
                    response = http.get(path)
                    times.append((time.perf_counter() - began) * 1000)
                    response.raise_for_status()
                figures[name] = {
                    "p50_ms": round(percentile(times, 50), 1),
                    "p95_ms": round(percentile(times, 95), 1),
                    "max_ms": round(max(times), 1),
                    "bytes": len(response.content),
                }
        rss = _rss_kib(server.pid)
    return {
        "machine": machine(),
        "store": "SQLite" if url.startswith("sqlite") else "PostgreSQL",
        "child_events": count,
        "requests_per_page": requests,
        "server_rss_mib": round(rss / 1024),
        "target_p95_ms": 300,
        "pages": figures,
        **floor,
        "load_average_before": round(load_before, 1),
        "load_average": round(os.getloadavg()[0], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--db",
        default=None,
        help="Store URL (default: a fresh SQLite file; PostgreSQL: "
        "postgresql://user@host:5432/db?schema=NAME).",
    )
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    url = args.db or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    result = run(url, args.events, args.requests)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"machine: {result['machine']}; store: {result['store']}")
    print(f"child {CHILD}: {result['child_events']} events; {args.requests} requests per page")
    for name, f in result["pages"].items():
        print(
            f"  {name:<26} p50 {f['p50_ms']:>7.1f} ms  p95 {f['p95_ms']:>7.1f} ms  "
            f"max {f['max_ms']:>7.1f} ms  ({f['bytes']:,} bytes)"
        )
    print(
        f"raw SELECT of the child's rows {result['raw_select_ms']} ms; store.stream (decoded) "
        f"{result['store_stream_ms']} ms; through the server's cache (unchanged child) "
        f"{result['cached_stream_ms']} ms; load average {result['load_average_before']:.1f} "
        f"before, {result['load_average']:.1f} after"
    )
    print(f"target: p95 < {result['target_p95_ms']} ms; server RSS {result['server_rss_mib']} MiB")


if __name__ == "__main__":
    main()
