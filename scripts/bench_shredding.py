"""``python -m scripts.bench_shredding [--size tiny|small] [--engines sqlite,postgresql] [--out DIR]``.

What encryption costs: the synthetic authority of ``scripts.bench``'s size imported into two
fresh stores on each engine, one plain and one with crypto-shredding on
(``CASELEDGER_ENCRYPT=on``), then the read models rebuilt from each (in a fresh process, as
``scripts.bench`` does), plus a decode of the whole log. Prints both figures side by side,
with the machine, the data size and the load average; the import's CPU time (this process's,
inside ``import_batch``) stands beside its wall time, because on a shared machine the wall
time follows the load.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

from adapters.store import EventStore
from adapters.synthetic.synth import load
from scripts.bench.__main__ import PG_BASE
from scripts.bench.run import SIZES, drop_postgres_schema, new_postgres_url, rebuild_in_process


def measure(url: str, children: int, seed: int) -> dict[str, Any]:
    store = EventStore(url)
    load_before = os.getloadavg()[0]
    loaded = load(store, children, seed)
    encrypted = store.shredder is not None
    store.close()
    store = EventStore(url)
    began = time.perf_counter()
    decoded = sum(1 for _ in store.iter_all())
    decode_seconds = time.perf_counter() - began
    store.close()
    rebuild = rebuild_in_process(url, None)
    return {
        "encrypted": encrypted,
        "import_events": loaded.events,
        "import_events_per_second": round(loaded.events_per_second, 1),
        "import_cpu_events_per_second": round(loaded.cpu_events_per_second, 1),
        "import_load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "decode_events_per_second": round(decoded / decode_seconds, 1),
        "rebuild_events_per_second": round(rebuild["events_per_second"], 1),
        "rebuild_seconds": round(rebuild["seconds"], 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench_shredding")
    parser.add_argument("--size", choices=list(SIZES), default="small")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--engines", default="sqlite", help="comma-separated: sqlite,postgresql")
    parser.add_argument("--out", default=None, help="directory for bench-shredding.json")
    args = parser.parse_args(argv)
    children = SIZES[args.size]["children"]
    results: dict[str, Any] = {
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}",
        "size": args.size,
        "children": children,
    }
    with tempfile.TemporaryDirectory() as folder:
        for engine in args.engines.split(","):
            for name, on in (("off", False), ("on", True)):
                if on:
                    os.environ["CASELEDGER_ENCRYPT"] = "on"
                else:
                    os.environ.pop("CASELEDGER_ENCRYPT", None)
                if engine == "sqlite":
                    url = f"sqlite:///{Path(folder) / f'{name}.db'}"
                else:
                    url = new_postgres_url(PG_BASE, f"shred_{name}")
                try:
                    results.setdefault(engine, {})[f"encryption_{name}"] = measure(
                        url, children, args.seed
                    )
                finally:
                    if engine != "sqlite":
                        drop_postgres_schema(url)
    os.environ.pop("CASELEDGER_ENCRYPT", None)
    text = json.dumps(results, indent=2)
    print(text)
    if args.out:
        Path(args.out).mkdir(parents=True, exist_ok=True)
        (Path(args.out) / "bench-shredding.json").write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
