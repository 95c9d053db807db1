"""Figures the resilience suite reports (``make resilience`` prints them as a table).

A test calls :func:`count` with what it proved (kills survived, events checked, inputs
fuzzed, tamper kinds detected, requests served under load); with
``CASELEDGER_RESILIENCE_FIGURES`` naming a file each count is appended to it as a JSON
line, which ``scripts/resilience_summary.py`` adds up. Without it, nothing is written.
"""

from __future__ import annotations

import json
import os


def count(figure: str, n: int = 1, engine: str = "-") -> None:
    path = os.environ.get("CASELEDGER_RESILIENCE_FIGURES")
    if not path or n <= 0:
        return
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps({"figure": figure, "n": n, "engine": engine}) + "\n")


def engine_of(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgres"
