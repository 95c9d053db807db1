"""The wrong store gives a clear error: no read creates a store, a plain path is a SQLite file,
and every command that touches a store takes --db."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from adapters.cli.main import app
from adapters.db import parse_database, resolve_url
from adapters.synthetic.demo_family import write_demo

runner = CliRunner()

READS = [
    ["history", "DEMO-JORDAN"],
    ["children"],
    ["verify"],
    ["checkpoint"],
    ["chronology", "DEMO-JORDAN"],
    ["genogram", "DEMO-JORDAN"],
    ["deadlines", "DEMO-JORDAN"],
    ["overdue"],
    ["tick"],
    ["status", "DEMO-JORDAN"],
    ["feed"],
    ["replay", "DEMO-JORDAN", "--from", "2021-03-01", "--to", "2021-04-01"],
    ["review-report", "DEMO-JORDAN", "--from", "2021-03-01", "--to", "2021-04-01"],
    ["export", "cin-census", "--year", "2022"],
    ["export", "ssda903", "--year", "2022"],
    ["export", "dfe-api", "--since", "2024-01-01", "--out", "api-out"],
    ["export", "annex-a", "--from", "2024-01-01", "--to", "2024-03-31", "--out", "a.xlsx"],
    ["publish", "--once"],
    ["access-log", "DEMO-JORDAN"],
    ["restrict", "DEMO-JORDAN", "--reason", "Adoption"],
    ["break-glass", "DEMO-JORDAN", "--reason", "Out of hours call, child missing"],
    ["users", "list"],
    ["users", "disable", "sw-014"],
    ["users", "passwd", "sw-014"],
    ["users", "grant", "sw-014", "DEMO-JORDAN", "--days", "1", "--reason", "Review"],
    ["users", "revoke", "sw-014", "DEMO-JORDAN"],
    ["users", "grants"],
    ["sar", "draft", "p-mother", "--out", "a.pdf"],
    ["sar", "request", "p-mother", "--received", "2026-01-31", "--channel", "email"],
    ["sar", "extend", "p-mother", "--request", "SAR-1", "--reason", "Complex"],
    ["sar", "approve", "p-mother", "--request", "SAR-1"],
    ["sar", "release", "p-mother", "--request", "SAR-1", "--out", "a.pdf"],
    ["sar", "requests"],
    ["retention", "due"],
    ["retention", "verify-log"],
    ["retention", "hold", "DEMO-JORDAN", "--reason-kind", "inquiry", "--reason", "Inquiry"],
    ["retention", "lift", "DEMO-JORDAN", "--reason", "Inquiry over"],
]
NO_STORE = {"events", "packs", "serve", "demo", "consume"}
"""Commands that touch no event store (events, packs; consume reads the broker into
--into) or set one up themselves (demo, serve)."""


@pytest.mark.parametrize("command", READS, ids=lambda c: " ".join(c[:2]))
def test_a_read_of_a_missing_sqlite_file_is_refused_naming_the_path(
    command: list[str], tmp_path: Path
) -> None:
    missing = tmp_path / "typo.db"
    command = [str(tmp_path / c) if c in ("api-out", "a.xlsx", "a.pdf") else c for c in command]
    result = runner.invoke(app, [*command, "--db", str(missing)])
    assert result.exit_code != 0
    assert f"no store at {missing} (sqlite:///{missing}): the file does not exist" in (
        result.stderr
    )
    assert not missing.exists()
    assert list(tmp_path.iterdir()) == []


def test_chronology_verify_without_db_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's case: `chronology verify FILE` with no --db said DOES NOT MATCH and left an
    empty caseledger.db behind."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CASELEDGER_DB", raising=False)
    export = tmp_path / "c.json"
    export.write_text("{}")
    result = runner.invoke(app, ["chronology", "verify", str(export)])
    assert result.exit_code != 0
    assert "no store at" in result.stderr and "caseledger.db" in result.stderr
    assert "DOES NOT MATCH" not in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.json"]


def test_a_plain_path_means_a_sqlite_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_url("demo.db") == "sqlite:///demo.db"
    assert resolve_url("/srv/case.db") == "sqlite:////srv/case.db"
    assert resolve_url("sqlite:///x.db") == "sqlite:///x.db"
    assert resolve_url("postgresql://u@h/db") == "postgresql://u@h/db"
    assert parse_database("demo.db").describe() == "sqlite:///demo.db"
    write_demo(f"sqlite:///{tmp_path / 'demo.db'}")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["children", "--db", "demo.db", "--json"])
    assert result.exit_code == 0, result.stderr
    assert "DEMO-JORDAN" in result.stdout


def test_writing_commands_still_create_a_new_store(tmp_path: Path) -> None:
    new = tmp_path / "new.db"
    result = runner.invoke(app, ["migrate", "--db", str(new)])
    assert result.exit_code == 0, result.stderr
    assert new.exists()


def _commands(group: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Every leaf command of a (Typer's own) click group, named as typed."""
    found = []
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            found += _commands(command, f"{prefix}{name} ")
        else:
            found.append((prefix + name, command))
    return found


def test_every_command_that_touches_a_store_takes_db() -> None:
    root = typer.main.get_command(app)
    lacking = [
        name
        for name, command in _commands(root)
        if name.split(" ")[0] not in NO_STORE and not any("--db" in p.opts for p in command.params)
    ]
    assert lacking == []
    # and the read list above covers each of them but the writers
    covered = {
        " ".join(c[:2]) if c[0] in ("export", "users", "retention", "sar") else c[0] for c in READS
    }
    writers = {
        "record",
        "import",
        "migrate",
        "synth",
        "scheduler",
        "export tables",
        "users add",
        "retention destroy",
    }
    every = {name for name, _ in _commands(root) if name.split(" ")[0] not in NO_STORE}
    assert every - covered - writers == set()
