"""CLI start-up: ``caseledger --help`` and two light commands on the demo store, each a new
process (wall time, median of ``runs``), beside the raw limit of the same run: the same
interpreter starting and exiting (``python -c pass``) with the same environment.

Targets (issue 21): ``--help`` under 0.3 s, a light command (``children``, ``verify`` on the
demo) under 0.5 s.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CLI = "from adapters.cli.main import app; app()"
TARGETS = {"--help": 0.3, "children": 0.5, "verify": 0.5}


def _wall(argv: list[str], env: dict[str, str], runs: int) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run(argv, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def measure_startup(runs: int = 5) -> dict[str, Any]:
    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": root, "CASELEDGER_LOG_LEVEL": "WARNING"}
    env.pop("CASELEDGER_USER", None)
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
        raw = _wall([sys.executable, "-c", "pass"], env, runs)
        seconds = {
            name: round(_wall([sys.executable, "-c", CLI, *args], env, runs), 3)
            for name, args in commands.items()
        }
    return {"runs": runs, "raw_python_s": round(raw, 3), "seconds": seconds, "targets": TARGETS}
