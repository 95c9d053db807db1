"""``python -m scripts.bench_hotpaths [--children N] [--seed S]``: the three hot paths, in process.

A focused timing (not the full bench): the synthetic authority of ``adapters.synthetic.synth`` loaded
into a fresh SQLite file through ``EventStore.record`` (events/s of store time), every event
decoded back from the log (``EventStore.iter_all``: ``from_stored``), and a rebuild of the
bench's read models (chronology + deadline_index). Prints the figures with the machine and
the data size; used for the before/after figures in docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

from adapters.readmodels.runner import ReadModelRunner
from adapters.store import EventStore
from adapters.synthetic.synth import generate, load
from scripts.bench.run import READ_MODELS


def batched_import(url: str, children: int, seed: int, per_call: int = 2000) -> tuple[int, float]:
    """The same authority written ``per_call`` events per ``record`` call: CPU, not commits."""
    events = [  # corrections left out: their targets are ids only the loader knows
        step.event
        for journey in generate(children, seed)
        for step in sorted(journey.steps, key=lambda s: s.recorded_at)
        if step.target_key is None
    ]
    store = EventStore(url)
    began = time.perf_counter()
    for at in range(0, len(events), per_call):
        store.record(events[at : at + per_call])
    seconds = time.perf_counter() - began
    store.close()
    return len(events), seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'hot.db'}"
        store = EventStore(url)
        loaded = load(store, args.children, args.seed)
        store.close()

        store = EventStore(url)
        began = time.perf_counter()
        decoded = sum(1 for _ in store.iter_all())
        decode_s = time.perf_counter() - began

        batched, batched_s = batched_import(
            f"sqlite:///{Path(folder) / 'batched.db'}", args.children, args.seed
        )

        runner = ReadModelRunner(store, [make() for make in READ_MODELS])
        began = time.perf_counter()
        rebuilt = runner.rebuild()
        rebuild_s = time.perf_counter() - began
        store.close()
    print(
        f"machine: {os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}, load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"data: {loaded.children} children, {loaded.events:,} events, {loaded.batches} record calls"
    )
    print(
        f"bulk import: {loaded.events_per_second:,.0f} events/s of store time "
        f"({loaded.store_seconds:.1f} s)"
    )
    print(
        f"bulk import, 2,000 events per record call: {batched / batched_s:,.0f} events/s "
        f"({batched:,} events, {batched_s:.1f} s)"
    )
    print(f"decode (iter_all/from_stored): {decoded / decode_s:,.0f} events/s ({decode_s:.2f} s)")
    print(
        f"rebuild chronology+deadline_index: {rebuilt / rebuild_s:,.0f} events/s ({rebuild_s:.1f} s)"
    )


if __name__ == "__main__":
    main()
