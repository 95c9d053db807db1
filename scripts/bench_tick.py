"""Benchmark: one policy tick over 50,000 open children, reached through the due-date index.

Seeds a store with N children (registration, York as authority, allocation and an open
assessment for each — real streams, written in batches with a simulated clock; the children not
due were also seen and had a manager's review on the day, so their next deadline is weeks away) and runs the index catch-up once;
then times the tick that matters day to day: a tick at a moment when D of the N children have a
deadline coming due (the rest are open but not due). Prints figures, data size and machine.

    .venv/bin/python scripts/bench_tick.py [--children 50000] [--due 500] [--db sqlite:///...]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from rich.progress import Progress

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from adapters.scheduler import PolicyHandler  # noqa: E402
from adapters.store import EventStore  # noqa: E402
from domain.events.base import LONDON  # noqa: E402
from tests.factories import example  # noqa: E402  (synthetic example events)


def machine() -> str:
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except OSError:
        pass
    return f"{platform.machine()} {os.cpu_count()} cores{mem}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=50_000)
    parser.add_argument("--due", type=int, default=500, help="children with a deadline due")
    parser.add_argument("--db", default=None)
    args = parser.parse_args()
    url = args.db or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    store = EventStore(url, clock=lambda: now)
    start = date(2026, 1, 5)
    t0 = time.perf_counter()
    batch: list[Any] = []
    with Progress() as progress:
        task = progress.add_task("seeding children", total=args.children)
        for n in range(args.children):
            child = f"B-{n:06d}"
            # the first --due children started an assessment long ago (due soon); others recently
            started = start if n < args.due else date(2026, 2, 27)
            batch += [
                example("child_registered", child, "2019-04-01"),
                example("authority_recorded", child, "2019-04-01", authority="york"),
                example("allocated_to_worker", child, "2019-04-01", worker_id=f"sw-{n % 40}"),
                example("assessment_started", child, started),
            ]
            if n >= args.due:
                # Seen alone and reviewed by a manager on the day: York's 24-hour and day-5
                # standards are met, so the next deadline (assessment completion) is weeks away.
                batch += [
                    example("child_visited", child, started),
                    example("management_decision_recorded", child, started),
                ]
            if len(batch) >= 2000:
                store.record(batch)
                batch = []
                store._records.clear()  # keep memory flat while seeding
            progress.advance(task)
        if batch:
            store.record(batch)
    seeded = time.perf_counter() - t0
    events = store.max_position()
    handler = PolicyHandler(store)
    t1 = time.perf_counter()
    first = handler.tick(datetime(2026, 3, 2, 9, tzinfo=LONDON))  # evaluates every child once
    first_s = time.perf_counter() - t1
    # a day later: nothing new recorded; only the children whose deadline is near are due
    at = datetime(2026, 3, 6, 7, tzinfo=LONDON)
    now = at.astimezone(UTC)
    store.clock = lambda: now
    # The index first digests what the first tick wrote (its warnings and breaches); during a
    # real day that happens as events arrive, so it is timed apart from the tick itself.
    tc = time.perf_counter()
    digested = handler.catch_up()
    catch_up_s = time.perf_counter() - tc
    t2 = time.perf_counter()
    report = handler.tick(at)
    tick_s = time.perf_counter() - t2
    t3 = time.perf_counter()
    idle = handler.tick(at + timedelta(minutes=5))
    idle_s = time.perf_counter() - t3
    print(f"machine: {machine()}")
    print(f"store: {store.db.describe()}")
    print(f"data: {args.children} open children, {events} events; {args.due} with a deadline near")
    print(f"seeding: {seeded:.1f} s")
    print(
        f"first tick (index built, every child evaluated once): {first_s:.1f} s, {first.children_checked} children"
    )
    print(f"index catch-up of the first tick's {digested} events: {catch_up_s:.1f} s")
    print(
        f"daily tick over {args.children} open children: {tick_s:.2f} s — "
        f"{report.children_checked} children evaluated, {report.due_soon} due-soon, {report.breaches} breaches"
    )
    print(
        f"repeat tick (nothing new, nothing due): {idle_s:.3f} s, {idle.children_checked} children evaluated"
    )
    store.close()


if __name__ == "__main__":
    main()
