"""``make resilience``: the resilience suite on both engines at campaign size, then a table.

Runs tests/resilience (and the reads-never-write checks) with more kills and fuzzed inputs
than the default suite (``CASELEDGER_CRASH_KILLS``, ``CASELEDGER_REBUILD_KILLS``,
``CASELEDGER_FUZZ_EXAMPLES``; PostgreSQL required: ``CI=true``), collects the figures the
tests report (tests/resilience/figures.py), runs the bounded load test of ``serve`` on each
engine (scripts/bench_serve.py) and prints

    figure                  sqlite   postgres   total
    kills survived          ...
    events checked          ...
    inputs fuzzed           ...
    tamper kinds detected   ...
    load held (requests, 0 errors)

Exits non-zero if any test failed or the load test saw an error.

    .venv/bin/python -m scripts.resilience_summary [--kills 10] [--fuzz 200] [--requests 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

PG = os.environ.get("CASELEDGER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
FIGURES = ("kills survived", "events checked", "inputs fuzzed", "tamper kinds detected")


def _load(engine: str, requests: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        schema = f"t_serve_{uuid.uuid4().hex[:8]}"
        url = f"sqlite:///{folder}/serve.db" if engine == "sqlite" else f"{PG}?schema={schema}"
        try:
            done = subprocess.run(
                [
                    sys.executable,
                    "scripts/bench_serve.py",
                    "--db",
                    url,
                    "--json",
                    "--requests",
                    str(requests),
                    "--clients",
                    "8",
                    "--children",
                    "40",
                    "--seconds",
                    "120",
                ],
                capture_output=True,
                text=True,
                check=False,
            )
        finally:
            if engine == "postgres":
                from sqlalchemy import create_engine, text

                sql = create_engine(PG.replace("postgresql://", "postgresql+psycopg://", 1))
                with sql.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                sql.dispose()
    if done.returncode != 0:
        return {"requests": 0, "errors": 1, "note": done.stderr.strip()[-300:]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--rebuild-kills", type=int, default=4)
    parser.add_argument("--fuzz", type=int, default=200)
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        figures_file = Path(folder) / "figures.jsonl"
        env = {
            **os.environ,
            "CI": "true",
            "CASELEDGER_RESILIENCE_FIGURES": str(figures_file),
            "CASELEDGER_CRASH_KILLS": str(args.kills),
            "CASELEDGER_REBUILD_KILLS": str(args.rebuild_kills),
            "CASELEDGER_FUZZ_EXAMPLES": str(args.fuzz),
        }
        tests = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "tests/resilience",
                "tests/integration/test_reads_never_write.py",
                "-q",
                "-p",
                "no:randomly",
            ],
            env=env,
            check=False,
        )
        totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        if figures_file.exists():
            for line in figures_file.read_text().splitlines():
                item = json.loads(line)
                totals[item["figure"]][item["engine"]] += int(item["n"])
    loads = {engine: _load(engine, args.requests) for engine in ("sqlite", "postgres")}
    print()
    print(f"{'figure':<34}{'sqlite':>10}{'postgres':>10}{'total':>10}")
    for figure in FIGURES:
        row = totals.get(figure, {})
        sqlite, postgres = row.get("sqlite", 0), row.get("postgres", 0)
        other = row.get("-", 0)
        print(f"{figure:<34}{sqlite:>10,}{postgres:>10,}{sqlite + postgres + other:>10,}")
    held = {e: 0 if r.get("errors") else int(r.get("requests", 0)) for e, r in loads.items()}
    print(
        f"{'load held (requests, 0 errors)':<34}{held['sqlite']:>10,}{held['postgres']:>10,}"
        f"{sum(held.values()):>10,}"
    )
    for engine, result in loads.items():
        ms = result.get("ms", {}).get("all", {})
        print(
            f"  serve on {engine}: {result.get('requests_per_second', 0)} req/s, "
            f"p50/p95/p99 {ms.get('p50')}/{ms.get('p95')}/{ms.get('p99')} ms, "
            f"{result.get('errors')} errors, RSS {result.get('server_rss_mib')} MiB"
        )
    load_ok = all(not r.get("errors") and r.get("requests") for r in loads.values())
    return 0 if tests.returncode == 0 and load_ok else 1


if __name__ == "__main__":
    sys.exit(main())
