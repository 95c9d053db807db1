"""Bounded loopback load test of ``caseledger serve``: throughput, latency percentiles, errors.

Writes a synthetic store (``--children`` children from adapters/synthetic/synth.py), starts ``caseledger
serve`` on a free loopback port in a process of its own, and sends a fixed number of
requests (``--requests``, stopping early at ``--seconds``) from ``--clients`` concurrent
clients, mixing chronology and deadline reads with appends (a case note each). Reports
requests/s, p50/p95/p99 latency per kind, the errors (any status other than the expected
200/201 counts, after retrying a 409 "Concurrent write" as its Retry-After says) and the server's resident memory before and after (flat, or it leaks).
Loopback only; nothing here is a test assertion (figures go into docs/performance.md).

    .venv/bin/python scripts/bench_serve.py [--children 40] [--requests 2000] [--clients 8]
        [--db sqlite:///...] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from typing import Any

import httpx

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from adapters.auth.accounts import Accounts  # noqa: E402
from adapters.readmodels.chronology import ChronologyStore  # noqa: E402
from adapters.store import EventStore  # noqa: E402
from adapters.synthetic.synth import load  # noqa: E402
from domain.parsing import parse_event  # noqa: E402
from scripts.bench_tick import machine  # noqa: E402
from scripts.serve_process import serving

MIX = (("chronology", 0.5), ("deadlines", 0.3), ("append", 0.2))
HEALTH_EVERY = 0.05  # seconds between the /health probe's requests (beside the clients)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _rss_kib(pid: int) -> int:
    """Resident memory of ``pid`` and its child processes (a server's workers), KiB."""
    total = 0
    for found in _tree(pid):
        try:
            with open(f"/proc/{found}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def _tree(pid: int) -> list[int]:
    """``pid`` and every live process descended from it."""
    parents: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as stat:
                parents[int(name)] = int(stat.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
    found = []
    for candidate in parents:
        walk = candidate
        while walk > 1 and walk != pid:
            walk = parents.get(walk, 0)
        if walk == pid:
            found.append(candidate)
    return found


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of ``pid`` and its child processes, from /proc."""
    ticks = 0
    for found in _tree(pid):
        try:
            with open(f"/proc/{found}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _note(child: str, n: int) -> list[dict[str, Any]]:
    return [
        {
            "kind": "case_note_recorded",
            "child_id": child,
            "occurred_at": "2026-01-05T10:00:00+00:00",
            "summary": f"Bench note {n}.",
            "note": "Synthetic note written by the serve benchmark.",
        }
    ]


BENCH_TEAM = "bench-team"
BENCH_MANAGER = "tm-bench"
BENCH_PASSWORD = "bench-password-not-secret"


def _allocate(store: EventStore, ids: list[str]) -> None:
    """Move every child to the bench team (synth spreads them over the five authorities'
    teams), once, so its manager may read and write them all: one team's load on the server."""
    latest: dict[str, str] = {}
    for item in store.iter_all():
        if item.event.kind == "allocated_to_team":
            latest[item.child_id] = str(getattr(item.event, "team", ""))
    already = {child for child, team in latest.items() if team == BENCH_TEAM}
    events = [
        parse_event(
            {
                "kind": "allocated_to_team",
                "child_id": child,
                "occurred_at": "2026-01-02T09:00:00+00:00",
                "recorded_by": {"user_id": "bench-setup", "role": "team_manager"},
                "summary": "Allocated to the bench team.",
                "team": BENCH_TEAM,
            }
        )
        for child in ids
        if child not in already
    ]
    for start in range(0, len(events), 500):
        store.record(events[start : start + 500])


def _bench_account(url: str) -> str:
    """The team manager every client signs in as (a local account with a password)."""
    accounts = Accounts(url)
    if accounts.get(BENCH_MANAGER) is None:
        accounts.add(
            BENCH_MANAGER,
            "team_manager",
            team=BENCH_TEAM,
            password=BENCH_PASSWORD,
            created_by="bench_serve",
        )
    return BENCH_MANAGER


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run(
    url: str,
    children: int,
    requests: int,
    clients: int,
    seconds: float,
    seed: int,
    only: str | None = None,
    workers: int = 1,
) -> dict[str, Any]:
    with EventStore(url) as store:
        if store.max_position() == 0:
            load(store, children, seed=seed)
        # reads never catch the chronology up: a deployment's tick does; here, once, before
        ids = store.children()
        _allocate(store, ids)
        ChronologyStore(store).catch_up()
        events = store.max_position()
    token_for = _bench_account(url)
    server_log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - read after the server stops
        "w+", prefix="bench-serve-", suffix=".log", delete=False
    )
    try:
        with serving(url, workers=workers, stderr=server_log) as server:
            base = server.base
            signed_in = httpx.post(
                f"{base}/auth/token",
                data={"username": token_for, "password": BENCH_PASSWORD},
                timeout=30,
            )
            signed_in.raise_for_status()
            auth = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
            warm = httpx.Client(base_url=base, timeout=30, headers=auth)
            for child in ids[:3]:  # first requests import the exporters: not part of the figures
                warm.get(f"/children/{child}/chronology")
            rss_before = _rss_kib(server.pid)
            rss_every: dict[int, float] = {}  # requests done -> server RSS (MiB): flat, or it leaks
            latencies: dict[str, list[float]] = defaultdict(list)
            errors: dict[str, int] = defaultdict(int)
            statuses: dict[int, int] = defaultdict(int)
            retried = [0]
            samples: list[str] = []  # the first few unexpected answers, status and problem title
            budget = iter(range(requests))
            lock = threading.Lock()
            stop_at = time.monotonic() + seconds
            rng = random.Random(seed)
            mix = [(k, w) for k, w in MIX if only in (None, k)]
            plan = [
                (rng.choices([k for k, _ in mix], [w for _, w in mix])[0], rng.choice(ids))
                for _ in range(requests)
            ]
            finished = threading.Event()

            def probe() -> None:
                """/health every HEALTH_EVERY s while the clients run: is it slowed by them?"""
                with httpx.Client(base_url=base, timeout=30) as http:
                    while not finished.is_set():
                        began = time.perf_counter()
                        try:
                            ok = http.get("/health").status_code == 200
                        except httpx.HTTPError:
                            ok = False
                        with lock:
                            health.append(time.perf_counter() - began)
                            if not ok:
                                errors["health"] += 1
                        finished.wait(HEALTH_EVERY)

            health: list[float] = []
            idle: list[float] = []  # /health alone, before the clients start: the baseline
            with httpx.Client(base_url=base, timeout=30) as alone:
                for _ in range(40):
                    began = time.perf_counter()
                    alone.get("/health")
                    idle.append(time.perf_counter() - began)
                    time.sleep(HEALTH_EVERY)

            def client() -> None:
                with httpx.Client(base_url=base, timeout=30, headers=auth) as http:
                    while time.monotonic() < stop_at:
                        with lock:
                            n = next(budget, None)
                        if n is None:
                            return
                        if n and n % 500 == 0:
                            rss_every[n] = round(_rss_kib(server.pid) / 1024, 1)
                        kind, child = plan[n]
                        began = time.perf_counter()
                        try:
                            if kind == "chronology":
                                response = http.get(f"/children/{child}/chronology")
                            elif kind == "deadlines":
                                response = http.get(f"/children/{child}/deadlines")
                            else:
                                response = http.post("/events", json=_note(child, n))
                                for _ in range(3):  # a concurrent writer won: retry, as told
                                    if response.status_code != 409 or "Retry-After" not in (
                                        response.headers
                                    ):
                                        break
                                    with lock:
                                        retried[0] += 1
                                    response = http.post("/events", json=_note(child, n))
                            ok = response.status_code == (201 if kind == "append" else 200)
                            status = response.status_code
                            answer = f"{kind} {status} {response.text[:160]}"
                        except httpx.HTTPError as error:
                            ok, status, answer = False, 0, f"{kind} {type(error).__name__}"
                        elapsed = time.perf_counter() - began
                        with lock:
                            latencies[kind].append(elapsed)
                            statuses[status] += 1
                            if not ok:
                                errors[kind] += 1
                                if len(samples) < 5:
                                    samples.append(answer)

            cpu_before = _cpu_seconds(server.pid)
            clients_before = resource.getrusage(resource.RUSAGE_SELF)
            began = time.perf_counter()
            threads = [threading.Thread(target=client) for _ in range(clients)]
            prober = threading.Thread(target=probe)
            prober.start()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - began
            finished.set()
            prober.join()
            rss_after = _rss_kib(server.pid)
            server_cpu = _cpu_seconds(server.pid) - cpu_before
            clients_after = resource.getrusage(resource.RUSAGE_SELF)
            clients_cpu = (clients_after.ru_utime - clients_before.ru_utime) + (
                clients_after.ru_stime - clients_before.ru_stime
            )
    finally:
        server_log.seek(0)
        server_errors = [  # the server's own error lines (tracebacks end in the exception)
            line.rstrip() for line in server_log if "Error" in line or '"error"' in line
        ][-20:]
        server_log.close()
        os.unlink(server_log.name)
    done = sum(len(v) for v in latencies.values())
    every = [x for v in latencies.values() for x in v]
    return {
        "store": url.split(":", 1)[0],
        "children": len(ids),
        "events_at_start": events,
        "clients": clients,
        "workers": workers,
        "mix": only or "mixed",
        "requests": done,
        "seconds": round(wall, 2),
        "requests_per_second": round(done / wall, 1) if wall else 0.0,
        "errors": sum(errors.values()),
        "conflicts_retried": retried[0],
        "statuses": dict(sorted(statuses.items())),
        "error_samples": samples,
        "server_errors": server_errors if errors else [],
        "ms": {
            kind: {
                "n": len(values),
                "p50": round(percentile(values, 50) * 1000, 1),
                "p95": round(percentile(values, 95) * 1000, 1),
                "p99": round(percentile(values, 99) * 1000, 1),
                "mean": round(statistics.fmean(values) * 1000, 1) if values else 0.0,
            }
            for kind, values in [
                *sorted(latencies.items()),
                ("all", every),
                ("health", health),
                ("health_idle", idle),
            ]
        },
        "server_cpu_seconds": round(server_cpu, 2),
        "server_cpu_ms_per_request": round(server_cpu * 1000 / done, 2) if done else 0.0,
        "clients_cpu_seconds": round(clients_cpu, 2),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "server_rss_mib": [round(rss_before / 1024, 1), round(rss_after / 1024, 1)],
        "server_rss_mib_every_500": dict(sorted(rss_every.items())),
        "machine": machine(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="store URL (default: a fresh SQLite file)")
    parser.add_argument("--children", type=int, default=40)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument(
        "--only", choices=[k for k, _ in MIX], help="send only this kind (default: the mix)"
    )
    parser.add_argument("--workers", type=int, default=1, help="server processes (serve --workers)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{folder}/serve-bench.db"
        result = run(
            url,
            args.children,
            args.requests,
            args.clients,
            args.seconds,
            args.seed,
            args.only,
            args.workers,
        )
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"serve on {result['store']}: {result['children']} children, "
        f"{result['events_at_start']:,} events, {result['clients']} clients, "
        f"{result['workers']} server process(es); "
        f"{result['requests']:,} requests in {result['seconds']} s = "
        f"{result['requests_per_second']} req/s, {result['errors']} errors "
        f"({result['conflicts_retried']} concurrent-write 409s retried)"
    )
    for kind, ms in result["ms"].items():
        print(
            f"  {kind:<11} n={ms['n']:>5}  p50 {ms['p50']:>7} ms  p95 {ms['p95']:>7} ms  "
            f"p99 {ms['p99']:>7} ms"
        )
    print(
        f"  server CPU {result['server_cpu_seconds']} s "
        f"({result['server_cpu_ms_per_request']} ms a request), the clients' "
        f"{result['clients_cpu_seconds']} s; "
        f"load average {result['load_average']}"
    )
    print(
        f"  server RSS {result['server_rss_mib'][0]} -> {result['server_rss_mib'][1]} MiB; "
        f"{result['machine']}"
    )


if __name__ == "__main__":
    main()
