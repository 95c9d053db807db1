"""Benchmark: one policy tick over 50,000 open children, reached through the due-date index.

Seeds a store with N children (registration, York as authority, allocation and an open
assessment for each — real streams, written in batches with a simulated clock; the children not
due were also seen and had a manager's review on the day, so their next deadline is weeks away) and runs the index catch-up once;
then times the tick that matters day to day: a tick at a moment when D of the N children have a
deadline coming due (the rest are open but not due). Prints figures, data size and machine.

    .venv/bin/python scripts/bench_tick.py [--children 50000] [--due 500] [--db sqlite:///...]

``--synthetic N`` times instead the first tick over a synthetic authority of N children
(``adapters/synthetic/synth.py``: six years of real journeys, every child dirty after the
import), in one process and then with ``--workers`` (each on its own copy of the same SQLite
file), with CPU time beside wall time and the load average; ``--template FILE`` keeps the
generated store to reuse:

    .venv/bin/python scripts/bench_tick.py --synthetic 1500 --seed 7 --template /tmp/s1500.db
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
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


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the tick's workers)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def first_tick_of_synthetic(children: int, seed: int, template: str | None, workers: int) -> None:
    from adapters.synthetic.synth import END, load

    folder = tempfile.mkdtemp()
    source = template or f"{folder}/synth.db"
    if not os.path.exists(source):
        store = EventStore(f"sqlite:///{source}")
        began = time.perf_counter()
        load(store, children, seed)
        print(f"synthetic authority: {children} children in {time.perf_counter() - began:.1f} s")
        store.close()
    at = datetime.combine(END + timedelta(days=3), datetime.min.time(), tzinfo=UTC)
    print(f"machine: {machine()}")
    for processes in dict.fromkeys((1, workers)):
        copy = f"{folder}/tick-{processes}.db"
        shutil.copy(source, copy)
        store = EventStore(f"sqlite:///{copy}", clock=lambda: at)
        handler = PolicyHandler(store, workers=processes)
        handler.catch_up()  # the index digests the import first (as a day's events would)
        load_before = os.getloadavg()[0]
        cpu, wall = _cpu(), time.perf_counter()
        report = handler.tick(at)
        wall, cpu = time.perf_counter() - wall, _cpu() - cpu
        events = store.max_position()
        store.close()
        print(
            f"first tick, {processes} process(es): wall {wall:.1f} s, CPU {cpu:.1f} s, "
            f"{report.children_checked} children, {events} events after, "
            f"{report.written} written ({report.breaches} breaches, {report.met_late} met late, "
            f"{report.due_soon} due soon); load {load_before:.1f} -> {os.getloadavg()[0]:.1f}"
        )
        os.remove(copy)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=50_000)
    parser.add_argument("--due", type=int, default=500, help="children with a deadline due")
    parser.add_argument("--db", default=None)
    parser.add_argument("--synthetic", type=int, default=None, help="first tick over N children")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--template", default=None, help="synthetic store file (kept, reused)")
    parser.add_argument("--workers", type=int, default=2, help="processes for --synthetic")
    args = parser.parse_args()
    if args.synthetic:
        first_tick_of_synthetic(args.synthetic, args.seed, args.template, args.workers)
        return
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
