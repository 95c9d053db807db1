"""Crash harness: ``import``, ``record`` and ``tick`` killed (SIGKILL) at random points.

After every kill, on both engines: ``verify`` passes (chains, head anchors, checkpoints);
every batch a writer reported committed is in the store whole, and no batch is there in
part; re-run, the import (``--resume``) stores exactly the missing entries, and ticks write
each breach exactly once.

The default run is CI-sized: ``KILLS`` kills per command per engine (3), each after a random
delay from a seeded generator. ``CASELEDGER_CRASH_KILLS=50`` runs a larger campaign; a kill
that lands after the process finished counts as a clean run (the figures say how many did).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from adapters.store import EventStore
from domain.parsing import event_to_data
from tests.factories import example
from tests.resilience import figures

KILLS = int(os.environ.get("CASELEDGER_CRASH_KILLS", "3"))
SEED = int(os.environ.get("CASELEDGER_CRASH_SEED", "15"))
CLI = "from adapters.cli.main import app; app()"
ENV = {**os.environ, "PYTHONPATH": os.getcwd()}


def _spawn(*args: str, stdout: Any = subprocess.DEVNULL) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, *args], stdout=stdout, stderr=subprocess.DEVNULL, text=True, env=ENV
    )


def _kill_after(proc: subprocess.Popen[str], delay: float) -> bool:
    """SIGKILL ``proc`` after ``delay`` seconds; False if it had already finished."""
    try:
        proc.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True


def _stored_count(url: str) -> int:
    store = EventStore(url)
    try:
        return store.max_position() and sum(1 for _ in store.iter_all())
    finally:
        store.close()


def _verified(url: str) -> EventStore:
    store = EventStore(url)
    report = store.verify()
    assert report.ok, [b.describe() for b in report.broken]
    figures.count("events checked", report.events, figures.engine_of(url))
    return store


# -- import -----------------------------------------------------------------------------------

IMPORT_CHILDREN, IMPORT_NOTES, IMPORT_BATCH = 40, 49, 100


def _import_file(path: Path) -> list[tuple[str, int]]:
    """Entries in file order (child, n): registrations, then notes child by child, by time."""
    order: list[tuple[str, int]] = []
    lines = []
    for c in range(IMPORT_CHILDREN):
        child = f"C-CH-{c}"
        for n in range(IMPORT_NOTES + 1):
            kind = "child_registered" if n == 0 else "case_note_recorded"
            event = event_to_data(example(kind, child, "2026-03-02", summary=f"Entry {n}."))
            moment = f"2026-03-02T{10 + n // 60:02d}:{n % 60:02d}:00+00:00"
            lines.append(json.dumps({"recorded_at": moment, "event": event}))
            order.append((child, n))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return order


def test_import_killed_at_random_points_resumes_whole_batches(
    store_url: str, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    path = tmp_path / "entries.jsonl"
    order = _import_file(path)
    total = len(order)
    killed = 0
    for _ in range(KILLS):
        before = _stored_count(store_url)
        proc = subprocess.Popen(
            [sys.executable, "-c", CLI, "--log-level", "INFO", "import", str(path),
             "--db", store_url, "--resume", "--batch-size", str(IMPORT_BATCH)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=ENV,
        )  # fmt: skip
        assert proc.stderr is not None
        wanted, reported = rng.randint(1, 8), 0
        for line in proc.stderr:
            if '"import_batch"' in line:
                reported = json.loads(line)["total"]  # entries this run reported committed
                wanted -= 1
                if wanted == 0:
                    break
        time.sleep(rng.uniform(0, 0.2))  # land the kill anywhere in the next batch
        killed += proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        store = _verified(store_url)
        stored = Counter(e.child_id for e in store.iter_all())
        store.close()
        count = sum(stored.values())
        assert count >= before + reported  # every batch reported committed is stored
        # a resumed run's batches hold only the missing entries, so what is stored is always
        # a prefix of the file made of whole batches of it
        assert count % IMPORT_BATCH == 0 or count == total, count
        prefix = Counter(child for child, _ in order[:count])
        assert stored == prefix
    done = subprocess.run(
        [sys.executable, "-c", CLI, "import", str(path), "--db", store_url, "--resume", "--json"],
        capture_output=True, text=True, env=ENV, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["already_stored"] + report["written"] == total
    assert _stored_count(store_url) == total  # (PostgreSQL's ids may skip a killed batch's)
    store = _verified(store_url)
    assert [e.event.summary for e in store.stream("C-CH-7")] == [
        f"Entry {n}." for n in range(IMPORT_NOTES + 1)
    ]
    store.close()
    print(f"import: {KILLS} runs, {killed} killed mid-run, {total} entries checked")
    figures.count("kills survived", killed, figures.engine_of(store_url))


# -- record -----------------------------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import sys
    from adapters.store import EventStore
    from tests.factories import example
    store = EventStore(sys.argv[1])
    run = sys.argv[2]
    for c in range(5):
        child = f"C-RK-{c}"
        if not store.children() or child not in store.children():
            store.record([example("child_registered", child)])
    i = 0
    while True:
        batch = [
            example("case_note_recorded", f"C-RK-{(i + j) % 5}", summary=f"{run} {i} {j}")
            for j in range(20)
        ]
        written = store.record(batch)
        print(json.dumps([run, i, [item.event_id for item in written]]), flush=True)
        i += 1
    """
).replace("import sys", "import json, sys", 1)


def test_record_killed_at_random_points_keeps_every_acknowledged_batch_whole(
    store_url: str,
) -> None:
    rng = random.Random(SEED + 1)
    acknowledged: dict[tuple[str, int], list[str]] = {}
    for run in range(KILLS):
        proc = _spawn("-c", WRITER, store_url, f"run{run}", stdout=subprocess.PIPE)
        assert proc.stdout is not None
        wanted = rng.randint(1, 40)
        for line in proc.stdout:
            name, batch, ids = json.loads(line)
            acknowledged[(name, batch)] = ids
            if sum(1 for key in acknowledged if key[0] == name) >= wanted:
                break
        time.sleep(rng.uniform(0, 0.05))  # land the kill anywhere in the next batch
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        store = _verified(store_url)
        notes = [e for e in store.iter_all() if e.kind == "case_note_recorded"]
        store.close()
        ids = {e.event_id for e in notes}
        for key, batch_ids in acknowledged.items():
            assert set(batch_ids) <= ids, key  # every acknowledged batch, whole
        by_batch = Counter(tuple(e.event.summary.split()[:2]) for e in notes)
        assert set(by_batch.values()) == {20}, by_batch  # no batch in part
    print(f"record: {KILLS} kills, {len(acknowledged)} acknowledged batches checked")
    figures.count("kills survived", KILLS, figures.engine_of(store_url))


# -- tick -------------------------------------------------------------------------------------

TICK_CHILDREN = 450
"""More than two of the handler's write batches (200 children each)."""
TICKER = textwrap.dedent(
    """
    import sys
    from datetime import datetime
    from adapters.scheduler import PolicyHandler
    from adapters.store import EventStore
    from domain.events.base import LONDON
    at = datetime(2026, 4, 20, 9, tzinfo=LONDON)
    store = EventStore(sys.argv[1], clock=lambda: at)
    PolicyHandler(store).tick(at, progress=lambda done, _: print(done, flush=True))
    """
)


def test_tick_killed_at_random_points_writes_each_breach_once(
    store_url: str, tmp_path: Path
) -> None:
    rng = random.Random(SEED + 2)
    store = EventStore(store_url)
    for start in range(0, TICK_CHILDREN, 50):
        batch = []
        for c in range(start, start + 50):
            child = f"C-TK-{c}"
            batch += [
                example("child_registered", child, "2019-04-01"),
                example("authority_recorded", child, "2019-04-01", authority="york"),
                example("referral_received", child, "2026-04-02"),
            ]
        store.record(batch)
    store.close()
    killed = 0
    for _ in range(KILLS):
        proc = _spawn("-c", TICKER, store_url, stdout=subprocess.PIPE)
        assert proc.stdout is not None
        wanted = rng.randint(1, TICK_CHILDREN)
        for line in proc.stdout:
            if int(line) >= wanted:
                break
        time.sleep(rng.uniform(0, 0.05))
        killed += proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        _verified(store_url).close()
    done = subprocess.run(
        [sys.executable, "-c", CLI, "tick", "--at", "2026-04-20T09:00", "--db", store_url],
        capture_output=True, text=True, env=ENV, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    again = subprocess.run(
        [sys.executable, "-c", CLI, "tick", "--at", "2026-04-20T10:00", "--db", store_url],
        capture_output=True, text=True, env=ENV, check=False,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    store = _verified(store_url)
    breaches = Counter(
        (e.child_id, e.event.idempotency_key)
        for e in store.iter_all()
        if e.kind == "deadline_breached"
    )
    per_child = Counter(child for child, _ in breaches)
    store.close()
    assert set(breaches.values()) == {1}  # each breach exactly once
    assert len(per_child) == TICK_CHILDREN  # every child's missed standards were written
    assert len(set(per_child.values())) == 1  # the same standards missed by each child
    print(f"tick: {KILLS} runs, {killed} killed mid-run, {sum(breaches.values())} breaches")
    figures.count("kills survived", killed, figures.engine_of(store_url))


@pytest.fixture(autouse=True)
def _keys_shared_with_the_children(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The killed processes and the checks share one checkpoint key folder."""
    monkeypatch.setitem(ENV, "CASELEDGER_KEY_DIR", os.environ["CASELEDGER_KEY_DIR"])
