"""``python -m scripts.bench_packs [--repeat N]``: what loading the rule packs costs.

Four figures, each the median of ``--repeat`` runs, with the machine:

- **before**: every call parsed every pack and inventory file with PyYAML's pure-Python
  loader (what ``load_packs`` did until the cache);
- **first call**: a fresh process's first ``load_packs()`` (libyaml's loader, then cached);
- **cached call**: every later call in the process (the files hashed, nothing parsed);
- **deadlines command**: a whole ``caseledger deadlines CHILD --json`` process on the demo,
  start to exit (Python start-up and imports included).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import yaml

import adapters.packs as packs_module
from adapters.packs import load_packs


def _median(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def _before() -> object:
    """The loading as it was: the pure-Python loader, nothing kept."""
    with mock.patch.object(packs_module, "_Loader", yaml.SafeLoader):
        packs_module._COMPILED.clear()
        return load_packs()


def _first() -> object:
    packs_module._COMPILED.clear()
    return load_packs()


def _deadlines_command(url: str) -> None:
    command = [str(Path(sys.executable).parent / "caseledger"), "deadlines", "DEMO-JORDAN"]
    done = subprocess.run([*command, "--json", "--db", url], check=True, capture_output=True)
    assert done.stdout.startswith(b"["), done.stdout[:200]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from adapters.synthetic.demo_family import write_demo

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    print(f"before (pure-Python YAML, no cache): {_median(_before, args.repeat):.3f} s per call")
    print(f"first call (libyaml):                {_median(_first, args.repeat):.3f} s")
    load_packs()
    print(f"cached call:                         {_median(load_packs, args.repeat):.4f} s")
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'demo.db'}"
        write_demo(url)
        seconds = _median(lambda: _deadlines_command(url), args.repeat)
    print(f"deadlines command, whole process:    {seconds:.2f} s")


if __name__ == "__main__":
    main()
