"""``python -m scripts.bench [--size tiny|small|county] [--out DIR] [--engines sqlite,postgresql]``

Runs every measurement on each engine in turn, on fresh stores (a SQLite file under
``--out``, a new PostgreSQL schema dropped afterwards), and writes
``bench-<size>.json``, ``bench-<size>.md`` (the table) and ``bench-<size>.png``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from scripts.bench.report import HEADER, machine, markdown, plot, rows
from scripts.bench.run import SIZES, bench_engine, drop_postgres_schema, new_postgres_url
from scripts.bench.startup import measure_startup

PG_BASE = os.environ.get("CASELEDGER_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench", description=__doc__)
    parser.add_argument("--size", choices=list(SIZES), default="small")
    parser.add_argument("--out", default="bench-results", help="directory for the results")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--engines", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql"
    )
    parser.add_argument("--keep", action="store_true", help="keep the stores afterwards")
    args = parser.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(engines) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"--engines: unknown {', '.join(sorted(unknown))}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    console = Console(stderr=True)
    began = time.perf_counter()
    result = {
        "size": args.size,
        "children": SIZES[args.size]["children"],
        "seed": args.seed,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "command": "python -m scripts.bench " + " ".join(argv or sys.argv[1:]),
        "engines": [],
    }
    console.log("CLI start-up")
    result["startup"] = measure_startup()
    for engine in engines:
        if engine == "sqlite":
            path = out / f"bench-{args.size}.db"
            for leftover in out.glob(f"bench-{args.size}.db*"):
                leftover.unlink()
            url = f"sqlite:///{path}"
        else:
            url = new_postgres_url(PG_BASE, args.size)

        def say(message: str, engine: str = engine) -> None:
            console.log(f"[bold]{engine}[/]: {message}")

        measured: dict[str, object] = {"engine": engine}
        result["engines"].append(measured)
        try:
            bench_engine(url, args.size, args.seed, say, result=measured)
        except Exception as error:  # noqa: BLE001  (keep every figure measured so far)
            measured["error"] = f"{type(error).__name__}: {error}"
            console.log(f"[bold red]{engine}[/]: stopped: {measured['error']}")
        finally:
            if not args.keep:
                if engine == "sqlite":
                    for leftover in out.glob(f"bench-{args.size}.db*"):
                        leftover.unlink()
                else:
                    drop_postgres_schema(url)
    result["seconds"] = round(time.perf_counter() - began, 1)
    result["load_average_end"] = [round(v, 2) for v in os.getloadavg()]
    stem = out / f"bench-{args.size}"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    stem.with_suffix(".md").write_text(markdown(result))
    plot(result, stem.with_suffix(".png"))
    encryption = sorted({"on" if e.get("encrypted") else "off" for e in result["engines"]})
    table = Table(
        title=f"caseledger bench — {args.size} ({result['children']:,} children; "
        f"encryption {'/'.join(encryption)})"
    )
    for name in HEADER:
        table.add_column(name)
    for row in rows(result):
        table.add_row(*row)
    Console().print(table)
    console.print(
        f"wrote {stem}.json, {stem}.md and {stem}.png in {result['seconds']} s "
        f"({result['machine']['cores']} cores, {result['machine']['memory_gib']} GiB; "
        f"load average {result['machine']['load_average'][0]} at the start, "
        f"{result['load_average_end'][0]} at the end)"
    )
    return 1 if any("error" in e for e in result["engines"]) else 0


if __name__ == "__main__":
    raise SystemExit(main())
