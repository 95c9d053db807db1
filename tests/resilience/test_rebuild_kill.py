"""A chronology rebuild killed (SIGKILL) mid-way: workers die with it, the old tables keep
serving, the next rebuild cleans its staging, and two rebuilds at once do not collide
(issue 15, item 8). Both engines.
"""

from __future__ import annotations

import glob
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select, text

from adapters.db import sql_engine
from adapters.readmodels.chronology import ChronologyStore
from adapters.readmodels.rebuild_lock import staging_prefix
from adapters.readmodels.runner import readmodel_positions
from adapters.store import EventStore
from adapters.synthetic.synth import load
from tests.resilience import figures

CLI = "from adapters.cli.main import app; app()"
KILLS = int(os.environ.get("CASELEDGER_REBUILD_KILLS", "2"))


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.getcwd(), "CASELEDGER_REBUILD_WORKERS": "2"}


def _rebuild(url: str, stderr: int | None = subprocess.DEVNULL) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CLI, "chronology", "rebuild", "--db", url],
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        text=True,
    )


def _workers_of(parent: int) -> list[int]:
    """The multiprocessing workers ``parent`` has spawned (not its resource tracker)."""
    found = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
            cmdline = Path(stat).with_name("cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == parent and b"spawn_main" in cmdline:
            found.append(int(stat.split("/")[2]))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _chronology(url: str) -> tuple[int, list[tuple[object, ...]]]:
    engine = sql_engine(url)
    with engine.connect() as conn:
        rows = sorted(
            tuple(r)
            for r in conn.execute(text("SELECT event_id, child_id FROM chronology_entries"))
        )
        position = conn.execute(
            select(readmodel_positions.c.position).where(readmodel_positions.c.name == "chronology")
        ).scalar()
    return int(position or 0), rows


def _staging_left(store: EventStore) -> list[str]:
    prefix = staging_prefix(store.db)
    if store.db.is_sqlite:
        return glob.glob(glob.escape(prefix) + "*")
    with sql_engine(store.url).connect() as conn:
        return [
            r[0]
            for r in conn.execute(
                text("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, :p)"),
                {"p": prefix},
            )
        ]


@pytest.fixture
def built(store_url: str) -> str:
    with EventStore(store_url) as store:
        load(store, 30, seed=15)
        ChronologyStore(store).rebuild()
    return store_url


@pytest.mark.slow
def test_a_killed_rebuild_leaves_the_old_tables_and_no_orphans(built: str) -> None:
    before = _chronology(built)
    assert before[0] > 0 and len(before[1]) > 100
    killed = 0
    for _ in range(KILLS):
        proc = _rebuild(built)
        workers: list[int] = []
        deadline = time.monotonic() + 60
        while len(workers) < 2 and proc.poll() is None and time.monotonic() < deadline:
            workers = _workers_of(proc.pid)
            time.sleep(0.02)
        if proc.poll() is not None:
            continue  # finished before its workers were seen: nothing to kill this round
        time.sleep(0.5)  # let them start replaying into their staging areas
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        killed += 1
        stop = time.monotonic() + 15
        while any(_alive(w) for w in workers) and time.monotonic() < stop:
            time.sleep(0.05)
        assert not [w for w in workers if _alive(w)], "rebuild workers outlived their parent"
        assert _chronology(built) == before  # the old tables still serve, whole
    assert killed > 0
    figures.count("kills survived", killed, figures.engine_of(built))
    with EventStore(built) as store:
        if store.db.is_sqlite:  # a leftover as a killed rebuild leaves it, whatever the timing
            Path(f"{staging_prefix(store.db)}999_0").write_bytes(b"x" * 1024)
        done = subprocess.run(
            [sys.executable, "-c", CLI, "chronology", "rebuild", "--db", built],
            env=_env(),
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        assert _staging_left(store) == []
    assert _chronology(built) == before


@pytest.mark.slow
def test_two_rebuilds_at_once_do_not_collide(built: str) -> None:
    before = _chronology(built)
    first, second = _rebuild(built, subprocess.PIPE), _rebuild(built, subprocess.PIPE)
    results = [(p.wait(), p.stderr.read() if p.stderr else "") for p in (first, second)]
    codes = sorted(code for code, _ in results)
    assert codes in ([0, 0], [0, 4]), results
    for code, err in results:
        if code == 4:
            assert "another rebuild of this store is running" in err
        assert "Traceback" not in err
    assert _chronology(built) == before
    with EventStore(built) as store:
        assert _staging_left(store) == []
