"""`retention destroy` on PostgreSQL: no name or birth date of the child is left in any table.

The SQLite twin (tests/e2e/test_retention_destroy.py) scans the file's raw bytes; here every
value of every column of every table in the store's schema is read back (bytes as stored,
text as text) and, where ``pg_dump`` is installed, the schema's data as it dumps it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import MetaData, select
from typer.testing import CliRunner

from adapters.cli.demo import add_demo_accounts
from adapters.cli.main import app
from adapters.db import sql_engine
from adapters.synthetic.demo_family import JORDAN, MIA, write_demo

pytestmark = pytest.mark.postgres
runner = CliRunner()
JORDANS = (b"Fairholm", b"2016-04-12", b"Dean")  # his surname, his birth date, his father
MIAS = b"Brantwood"  # his sister's surname: her record stays


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def every_value(url: str) -> bytes:
    """Every value in every table of the store's schema, as bytes."""
    engine = sql_engine(url)
    tables = MetaData()
    tables.reflect(engine)
    chunks: list[bytes] = []
    with engine.connect() as conn:
        for table in tables.sorted_tables:
            for row in conn.execute(select(table)):
                for value in row:
                    if isinstance(value, bytes | bytearray | memoryview):
                        chunks.append(bytes(value))
                    elif value is not None:
                        chunks.append(str(value).encode())
    return b"\n".join(chunks)


def dump(url: str) -> bytes | None:
    """``pg_dump`` of the store's schema (None when pg_dump is not installed)."""
    if shutil.which("pg_dump") is None:
        return None
    parts = urlsplit(url)
    schema = parse_qs(parts.query)["schema"][0]
    plain = parts._replace(query="").geturl()
    done = subprocess.run(  # noqa: S603 - a fixed program and arguments
        ["pg_dump", "--schema", schema, "--data-only", plain],  # noqa: S607
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")[:500]
    return done.stdout


def test_no_trace_of_the_destroyed_child_in_postgresql(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASELEDGER_ENCRYPT", "on")
    monkeypatch.setenv("CASELEDGER_KEY_DIR", str(tmp_path / "keys"))
    write_demo(pg_url)
    add_demo_accounts(pg_url)
    # the read models a working store has: the chronology (tick) and the due-date index
    code, out = cli("tick", "--db", pg_url, "--as", "admin")
    assert code == 0, out
    before = every_value(pg_url)
    for value in (*JORDANS, MIAS):  # the scan sees them (the read models hold text as text)
        assert value in before, value
    code, out = cli(
        "retention", "destroy", JORDAN, "--db", pg_url, "--as", "dpo-001",
        "--authorised-by", "Head of Service (A. Cole)", "--reason", "retention period ended",
    )  # fmt: skip
    assert code == 0, out
    after = every_value(pg_url)
    for value in JORDANS:
        assert value not in after, value
    assert MIAS in after  # the sister's record is untouched
    dumped = dump(pg_url)
    if dumped is not None:
        assert MIAS in dumped
        for value in JORDANS:
            assert value not in dumped, value
    code, out = cli("verify", "--db", pg_url, "--as", "admin")
    assert code == 0 and "disposal log of 1 certificate(s), every link intact" in out, out
    code, out = cli("status", MIA, "--db", pg_url, "--as", "tm-003")
    assert code == 0, out
