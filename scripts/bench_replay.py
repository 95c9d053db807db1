"""Benchmark: replay one child with 5,000 events, stepping by day over 5 years.

    .venv/bin/python -m scripts.bench_replay [--events 5000] [--years 5] [--naive-samples 20]
        [--json]

Builds a synthetic child (authority york; CP plan, child in need, looked after, visits, core
groups, supervision, case notes, decisions, allocations, late entries and corrections) in
memory, then:

1. replays it incrementally (:func:`projections.replay.replay`, step=day) and reports the total
   time, time per step, and the work counters (events fed, legal-status recomputes, rules
   evaluated by the deadline Schedule); with ``--json``, each step's text is made as
   ``replay --json`` writes it (``Snapshot.as_json_text``), inside the timed loop, with the
   CPU time beside the wall time;
2. times a *naive* replay — a full re-fold at a sample of steps (every event recorded by then
   through ``evaluate``, ``legal_status`` and the chronology fold) — and extrapolates it to
   every step, to show the difference incrementality makes.

Reports the machine (CPU count, memory) and the data size. No assertion on time: figures only.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import time as _time
from datetime import UTC, date, datetime, time, timedelta

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from adapters.packs import load_packs
from domain.envelope import RecordedEvent, seal
from domain.events.base import LONDON
from domain.parsing import parse_event
from policies.engine import evaluate
from projections.chronology import fold
from projections.legal_status import legal_status
from projections.replay import Replay, moments, replay

CHILD = "BENCH-0001"
WORKER = {"user_id": "sw-900", "role": "social_worker"}


def _memory_gib() -> float:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return float("nan")


def synthetic_child(n: int, years: int, seed: int = 7) -> list[RecordedEvent]:
    """One child's record of about ``n`` events over ``years`` years, recorded-at realistic."""
    rng = random.Random(seed)
    start = date(2020, 1, 6)
    days = years * 365
    items: list[RecordedEvent] = []
    visits: list[str] = []

    def add(kind: str, day: date, hour: int = 10, delay_h: float = 3, **fields: object) -> str:
        occurred = datetime.combine(day, time(hour), tzinfo=LONDON)
        recorded = (occurred + timedelta(hours=delay_h)).astimezone(UTC)
        if items and recorded < items[-1].recorded_at:
            recorded = items[-1].recorded_at + timedelta(seconds=1)
        data = {
            "kind": kind,
            "child_id": CHILD,
            "occurred_at": occurred.isoformat(),
            "recorded_by": WORKER,
            "summary": f"{kind.replace('_', ' ')}",
            **fields,
        }
        event = parse_event(data)
        item = seal(
            event_id=f"ev-{len(items) + 1:06d}",
            position=len(items) + 1,
            recorded_at=recorded,
            event=event,
            prev_hash="0" * 64,
        )
        items.append(item)
        return item.event_id

    add(
        "child_registered", start, first_name="Bench", last_name="Child", sex="F",
        date_of_birth="2012-04-02", family_id="FAM-BENCH", case_number="B-1",
    )  # fmt: skip
    add("authority_recorded", start, authority="york")
    add("allocated_to_worker", start, worker_id="sw-900", team="Team A")
    # the status arc: CP plan (year 1), CIN (year 2), looked after (years 3-5)
    plan_start = start + timedelta(days=30)
    add("child_protection_plan_started", plan_start, category_of_abuse="NEG")
    add(
        "initial_child_protection_conference_held", plan_start, decision="child_protection_plan",
        category_of_abuse="NEG",
    )  # fmt: skip
    plan_end = start + timedelta(days=400)
    cin_end = start + timedelta(days=760)
    lac = cin_end + timedelta(days=10)
    per_day = n / days
    for offset in range(1, days):
        day = start + timedelta(days=offset)
        if day == plan_end:
            add("child_protection_plan_ended", day, reason="Risk reduced.")
            add("child_in_need_plan_agreed", day)
        if day == cin_end:
            add("child_in_need_plan_ended", day, reason="Stepped up.")
        if day == lac:
            add(
                "became_looked_after", day, legal_status="V2", legal_basis="s20",
                category_of_need="N1",
            )  # fmt: skip
            add(
                "placement_started", day, placement_id="PL-1", placement_type="U1",
                provider="PR1", postcode="YO1 7HH",
            )  # fmt: skip
        if day.weekday() >= 5:
            continue
        count = int(per_day * 7 / 5) + (1 if rng.random() < (per_day * 7 / 5) % 1 else 0)
        for _ in range(count):
            roll = rng.random()
            if roll < 0.25:
                late = rng.random() < 0.05
                visits.append(
                    add(
                        "child_visited",
                        day,
                        hour=rng.randint(9, 17),
                        delay_h=rng.uniform(24 * 5, 24 * 20) if late else rng.uniform(1, 30),
                        seen=True,
                        seen_alone=rng.random() < 0.6,
                        location="home",
                    )  # fmt: skip
                )
            elif roll < 0.30:
                add("supervision_held", day, supervisor_id="tm-9", worker_id="sw-900")
            elif roll < 0.33:
                add(
                    "management_decision_recorded", day, decision="Continue the plan.",
                    rationale="Progress noted.", manager_id="tm-9",
                )  # fmt: skip
            elif roll < 0.36 and day < plan_end:
                add("core_group_held", day, attendees=["school"])
            elif roll < 0.37 and visits:
                add(
                    "entry_corrected", day, target_event_id=rng.choice(visits[-20:]),
                    changes={"seen_alone": False}, reason="Parent present.",
                )  # fmt: skip
            else:
                add("case_note_recorded", day, note="Phone call with school.")
            if len(items) >= n:
                return items
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--naive-samples", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="encode each step as --json does")
    args = parser.parse_args()
    console = Console(stderr=True)

    items = synthetic_child(args.events, args.years)
    packs = load_packs()
    first = items[0].event.occurred_date
    last = first + timedelta(days=args.years * 365 - 1)
    steps = moments(first, last, "day")
    console.print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"{_memory_gib():.1f} GiB; Python {platform.python_version()}"
    )
    console.print(
        f"data: 1 child, {len(items)} events, recorded {items[0].recorded_at.date()} to "
        f"{items[-1].recorded_at.date()}; {len(steps)} daily steps"
    )

    state = Replay(items, packs)
    started, cpu = _time.perf_counter(), _time.process_time()
    open_total = 0
    text_bytes = 0
    with Progress(
        TextColumn("replay by day"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=console, transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task("replay", total=len(steps))
        for snap in replay(items, packs, start=first, end=last, step="day", state=state):
            open_total += len(snap.children[CHILD].open_deadlines)
            if args.json:
                text_bytes += len(snap.as_json_text())
            bar.advance(task)
    incremental = _time.perf_counter() - started
    cpu_seconds = _time.process_time() - cpu
    stats = state.stats
    console.print(
        f"incremental replay{' with each step as JSON' if args.json else ''}: "
        f"{incremental:.2f} s (CPU {cpu_seconds:.2f} s, load {os.getloadavg()[0]:.1f}) for "
        f"{stats.snapshots} steps "
        f"({1000 * incremental / max(stats.snapshots, 1):.2f} ms/step); "
        f"events fed {stats.events_fed} (each once); legal-status recomputes "
        f"{stats.status_recomputes}; rules evaluated by the schedule "
        f"{stats.schedule_rules_evaluated}; open deadlines summed over steps {open_total}"
        + (f"; JSON {text_bytes / 1e6:.1f} MB" if args.json else "")
    )

    sample = steps[:: max(1, len(steps) // args.naive_samples)][: args.naive_samples]
    started = _time.perf_counter()
    for moment in sample:
        known = [e for e in items if e.recorded_at <= moment]
        evaluate(known, packs, moment)
        legal_status(known, at=moment, as_known_at=moment)
        fold(known)
    naive = (_time.perf_counter() - started) / len(sample)
    console.print(
        f"naive full re-fold: {1000 * naive:.1f} ms/step on average over {len(sample)} sampled "
        f"steps; extrapolated to {len(steps)} steps: {naive * len(steps):.1f} s "
        f"({naive * len(steps) / incremental:.1f}x the incremental replay)"
    )


if __name__ == "__main__":
    main()
