"""``python -m scripts.bench_sar [--children 500] [--seed 7] [--people 6]``: a SAR's cost.

A synthetic authority written into a fresh SQLite store, then the subject access response
(:func:`projections.subject_access.plan`) drawn for a few children and a few adults: the
time to read every record (what ``caseledger sar`` does first) and to draw each response,
with the entries and redactions found. Prints JSON with the machine and the data size.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from adapters.store import EventStore
from adapters.synthetic.synth import load
from projections.subject_access import directory, plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--people", type=int, default=6, help="Responses drawn (half adults).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'sar.db'}"
        with EventStore(url) as store:
            loaded = load(store, args.children, args.seed)
        with EventStore(url) as store:
            began = time.perf_counter()
            streams = {child: store.stream(child) for child in store.children()}
            read_seconds = time.perf_counter() - began
        people = directory(streams)
        half = max(1, args.people // 2)
        chosen = [p for p in people.values() if p.is_child][:half]
        chosen += [p for p in people.values() if not p.is_child][:half]
        now = datetime.now(UTC)
        timings: list[dict[str, object]] = []
        seconds: list[float] = []
        for person in chosen:
            began = time.perf_counter()
            result = plan(streams, person.id, as_known_at=now)
            seconds.append(round(time.perf_counter() - began, 3))
            timings.append(
                {
                    "person": "child" if person.is_child else "adult",
                    "entries": len(result.entries),
                    "redactions": result.redactions,
                    "seconds": seconds[-1],
                }
            )
    print(
        json.dumps(
            {
                "machine": platform.processor() or platform.machine(),
                "cores": os.cpu_count(),
                "python": platform.python_version(),
                "children": args.children,
                "events": loaded.events,
                "people": len(people),
                "read_all_records_seconds": round(read_seconds, 2),
                "median_response_seconds": statistics.median(seconds),
                "responses": timings,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
