"""Measure append throughput of eventsourcing's built-in recorders against eventsourcing-sqlalchemy.

    python -m scripts.bench_recorders [--singles 1000] [--bulk 5000] [--json out.json]

For each engine (SQLite file, local PostgreSQL) and recorder (builtin, sqlalchemy):
single-event commands per second (one `record` call per event, each its own transaction,
with the aggregate's checks) and bulk events per second (one `record` call of N events).
Prints a table with the machine; writes JSON if asked. Not a test: figures, not assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import create_engine, text

from adapters.store import EventStore
from tests.factories import example

PG = os.environ.get("CASELEDGER_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _measure(url: str, recorder: str, singles: int, bulk: int) -> dict[str, Any]:
    store = EventStore(url, recorder=recorder)
    try:
        store.record([example("child_registered", "B-1")])
        started = time.perf_counter()
        for i in range(singles):
            store.record_one(example("case_note_recorded", "B-1", summary=f"note {i}"))
        single_rate = singles / (time.perf_counter() - started)
        store.record([example("child_registered", "B-2")])
        batch = [example("case_note_recorded", "B-2", summary=f"bulk {i}") for i in range(bulk)]
        started = time.perf_counter()
        store.record(batch)
        bulk_rate = bulk / (time.perf_counter() - started)
    finally:
        store.close()
    return {"single_per_s": round(single_rate), "bulk_per_s": round(bulk_rate)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--singles", type=int, default=1000)
    parser.add_argument("--bulk", type=int, default=5000)
    parser.add_argument("--json", dest="json_out")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for engine in ("sqlite", "postgresql"):
            for recorder in ("builtin", "sqlalchemy"):
                if engine == "sqlite":
                    url = f"sqlite:///{tmp}/{recorder}.db"
                    schema = None
                else:
                    schema = f"bench_{uuid.uuid4().hex[:8]}"
                    url = f"{PG}?schema={schema}"
                try:
                    figures = _measure(url, recorder, args.singles, args.bulk)
                finally:
                    if schema:
                        pg = create_engine(PG.replace("postgresql://", "postgresql+psycopg://"))
                        with pg.begin() as conn:
                            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                        pg.dispose()
                results.append({"engine": engine, "recorder": recorder, **figures})
    report = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "singles": args.singles,
        "bulk": args.bulk,
        "results": results,
    }
    print(f"{'engine':<11} {'recorder':<11} {'single/s':>9} {'bulk/s':>9}")
    for r in results:
        print(f"{r['engine']:<11} {r['recorder']:<11} {r['single_per_s']:>9} {r['bulk_per_s']:>9}")
    print(report["machine"], "|", report["measured_at"])
    if args.json_out:
        with open(args.json_out, "w") as handle:
            json.dump(report, handle, indent=2)


if __name__ == "__main__":
    main()
