"""The database gone mid-run, the disk full: a clear failure (exit 5), nothing acknowledged
lost, and recovery without manual repair (issue 15, "disk full and database gone").

PostgreSQL is not stopped (the server is shared): the store is reached through a TCP proxy
that the test cuts and restores, which the client sees exactly as a stopped server.
SQLite fills a small tmpfs mounted for the test (root only; skipped otherwise, a failure
under CI=true).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from adapters.cli import exit_codes
from adapters.cli.main import app
from adapters.db import release_engine
from adapters.store import EventStore
from tests.conftest import PG_URL, require_postgres
from tests.factories import example_data
from tests.resilience.outage import CuttableProxy

runner = CliRunner()


def _events(tmp_path: Path, child: str, notes: int, name: str) -> str:
    data = [example_data("child_registered", child_id=child, upn=None)] if notes < 0 else []
    data += [
        example_data("case_note_recorded", child_id=child, occurred_at="2026-01-05")
        for _ in range(abs(notes))
    ]
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return str(path)


@pytest.fixture
def proxied() -> Iterator[tuple[str, CuttableProxy]]:
    require_postgres()
    target = urlparse(PG_URL)
    proxy = CuttableProxy((target.hostname or "127.0.0.1", target.port or 5432))
    schema = f"t_{uuid.uuid4().hex[:12]}"
    url = f"postgresql://{target.username}@127.0.0.1:{proxy.port}{target.path}?schema={schema}"
    yield url, proxy
    proxy.cut()
    release_engine(url)
    engine = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


@pytest.mark.postgres
def test_postgres_gone_mid_run_fails_clearly_and_recovers(
    proxied: tuple[str, CuttableProxy], tmp_path: Path
) -> None:
    url, proxy = proxied
    first = runner.invoke(app, ["record", _events(tmp_path, "C-OUT-1", -3, "a.json"), "--db", url])
    assert first.exit_code == 0, first.stderr
    proxy.cut()  # the server "stops"
    release_engine(url)
    for args in (
        ["record", _events(tmp_path, "C-OUT-1", 2, "b.json"), "--db", url],
        ["history", "C-OUT-1", "--db", url],
    ):
        down = runner.invoke(app, args)
        assert down.exit_code == exit_codes.UNAVAILABLE, (args, down.stderr, down.exception)
        assert "Traceback" not in down.stderr
        assert str(proxy.port) not in down.stderr  # the store's location is not shown
    proxy.restore()  # the server is back: no repair, the same commands work
    again = runner.invoke(app, ["record", _events(tmp_path, "C-OUT-1", 2, "b.json"), "--db", url])
    assert again.exit_code == 0, again.stderr
    with EventStore(url) as store:
        assert store.max_position() == 6  # 4 acknowledged + 2 after the outage, none lost
        assert store.verify().ok


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "small-disk"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        _skip_or_fail("mounting a small tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        _skip_or_fail(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        release_engine()
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true" and os.environ.get("CASELEDGER_NO_MOUNT") != "1":
        pytest.fail(f"{reason} (CI=true: set CASELEDGER_NO_MOUNT=1 where it cannot be done)")
    pytest.skip(reason)


def test_sqlite_on_a_full_disk_fails_clearly_and_keeps_every_acknowledged_event(
    small_disk: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{small_disk / 'store.db'}"
    ok = runner.invoke(app, ["record", _events(tmp_path, "C-FULL-1", -5, "a.json"), "--db", url])
    assert ok.exit_code == 0, ok.stderr
    filler = small_disk / "filler"
    with filler.open("wb", buffering=0) as handle:  # take every byte that is left
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError:
            pass
    big = _events(tmp_path, "C-FULL-1", 300, "big.json")
    full = runner.invoke(app, ["record", big, "--db", url])
    assert full.exit_code == exit_codes.UNAVAILABLE, (full.stderr, full.exception)
    assert "disk holding the store is full" in full.stderr, full.stderr
    assert "Traceback" not in full.stderr
    filler.unlink()  # space again: the same command works, no repair
    release_engine()
    again = runner.invoke(app, ["record", _events(tmp_path, "C-FULL-1", 3, "c.json"), "--db", url])
    assert again.exit_code == 0, again.stderr
    with EventStore(url) as store:
        assert store.max_position() == 9  # 6 before, 3 after; the refused batch not in part
        assert store.verify().ok
