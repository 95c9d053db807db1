"""CLI start-up: ``caseledger --help`` and two light commands on the demo store, each a new
process (wall time, median of ``runs``), beside the raw limit of the same run: the same
interpreter starting and exiting (``python -c pass``) with the same environment. CPU time
(user + system, median) is kept beside the wall time: on a loaded machine the wall time is
mostly waiting for a core.

Targets (issue 21): ``--help`` under 0.3 s, a light command (``children``, ``verify`` on the
demo) under 0.5 s.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CLI = "from adapters.cli.main import app; app()"
TARGETS = {"--help": 0.3, "children": 0.5, "verify": 0.5}


def _timed(argv: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system) of ``runs`` new processes."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.perf_counter()
        subprocess.run(argv, env=env, check=True, capture_output=True)
        walls.append(time.perf_counter() - began)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def _wall(argv: list[str], env: dict[str, str], runs: int) -> float:
    return _timed(argv, env, runs)[0]


def measure_startup(runs: int = 5) -> dict[str, Any]:
    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": root, "CASELEDGER_LOG_LEVEL": "WARNING"}
    env.pop("CASELEDGER_USER", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a user's install keeps its compiled modules
    with tempfile.TemporaryDirectory() as folder:
        db = f"sqlite:///{folder}/demo.db"
        subprocess.run(
            [sys.executable, "-c", CLI, "demo", "--db", db],
            env=env,
            check=True,
            capture_output=True,
        )
        commands = {
            "--help": ["--help"],
            "children": ["children", "--db", db, "--as", "tm-003"],
            "verify": ["verify", "--db", db, "--as", "admin"],
        }
        # one run first, so each measured process finds the bytecode cached (as an installed
        # package has it) instead of compiling every module of the project each time
        for args in commands.values():
            subprocess.run([sys.executable, "-c", CLI, *args], env=env, capture_output=True)
        raw = _wall([sys.executable, "-c", "pass"], env, runs)
        timed = {
            name: _timed([sys.executable, "-c", CLI, *args], env, runs)
            for name, args in commands.items()
        }
    return {
        "runs": runs,
        "raw_python_s": round(raw, 3),
        "seconds": {name: round(wall, 3) for name, (wall, _) in timed.items()},
        "cpu_seconds": {name: round(cpu, 3) for name, (_, cpu) in timed.items()},
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "targets": TARGETS,
    }


if __name__ == "__main__":
    import json

    print(json.dumps(measure_startup(), indent=2))
