"""Benchmark: Find a child and the possible duplicates over a synthetic authority, in process.

    .venv/bin/python -m scripts.bench_find [--children 500] [--requests 20] [--db URL]

Loads ``--children`` synthetic children (``caseledger synth``'s generator, seed 1) into a fresh
SQLite store (or ``--db``), adds a data protection officer (who may see every child's summary:
the whole store is searched, the worst case) and asks, through FastAPI's TestClient after one
warm-up each, ``--requests`` times: a search by a family name that several children share,
by date of birth, by NHS number, and the possible duplicates of a name and date of birth.
Each search reads the log twice (the access facts, then the identifying entries), as the
caseload does. Reports p50/p95/max per request. Nothing here is a test assertion (figures go
in docs/performance.md).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import tempfile
import time
from collections import Counter

from fastapi.testclient import TestClient

from adapters.auth.accounts import Accounts
from adapters.http import create_app
from adapters.store import EventStore
from adapters.synthetic.synth import load
from projections.child_search import child_index
from scripts.bench_serve import percentile
from scripts.bench_tick import machine

OFFICER = "dpo-bench"
PASSWORD = "bench-password-not-secret"


def signed_in(url: str) -> TestClient:
    client = TestClient(create_app(url), base_url="https://testserver")
    form = client.get("/sign-in").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token
    answer = client.post(
        "/sign-in",
        data={"username": OFFICER, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=500)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--db")
    args = parser.parse_args()
    url = args.db or f"sqlite:///{tempfile.mkdtemp()}/find.db"
    with EventStore(url) as store:
        if store.max_position() == 0:
            load(store, args.children, 1)
        events = store.max_position()
        index = child_index(store.iter_all())
    if Accounts(url).get(OFFICER) is None:
        Accounts(url).add(
            OFFICER, "data_protection_officer", team=None, password=PASSWORD, created_by="bench"
        )
    named = [c for c in index if c.family and c.date_of_birth]
    family, _ = Counter(c.family for c in named).most_common(1)[0]
    someone = named[len(named) // 2]
    assert someone.date_of_birth is not None
    with_nhs = next(c for c in index if c.nhs_number)
    asks = {
        f"by family name ({family})": ("/find", {"q": family}),
        "by date of birth": ("/find", {"dob": someone.date_of_birth.strftime("%d/%m/%Y")}),
        "by NHS number": ("/find", {"nhs": with_nhs.nhs_number}),
        "possible duplicates": (
            "/find/duplicates",
            {"given": someone.given, "family": someone.family, "dob": str(someone.date_of_birth)},
        ),
    }
    client = signed_in(url)
    results = {}
    for label, (path, params) in asks.items():
        assert client.get(path, params=params).status_code == 200
        times = []
        for _ in range(args.requests):
            started = time.perf_counter()
            answer = client.get(path, params=params)
            times.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200
        results[label] = {
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(percentile(times, 95), 1),
            "max_ms": round(max(times), 1),
        }
    print(
        json.dumps(
            {
                "machine": machine(),
                "store": url.split(":", 1)[0],
                "children": len(index),
                "events": events,
                "requests": args.requests,
                "results": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
