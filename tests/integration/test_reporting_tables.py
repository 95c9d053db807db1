"""Reporting tables: rebuilt from events into SQLite or PostgreSQL, identical on every rebuild."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from adapters.cli.main import app
from adapters.readmodels.reporting import TABLES, dump, rebuild_reporting_tables
from adapters.store import EventStore
from adapters.synthetic.demo_family import write_demo


def test_demo_tables_rebuilt_twice_are_identical(
    store_url: str, make_store: Callable[..., EventStore], tmp_path: Path
) -> None:
    """The demo's tables, built into the store's own database (SQLite, then PostgreSQL)."""
    write_demo(store_url)
    store = make_store(store_url)
    first_counts = rebuild_reporting_tables(store, store_url)
    first = dump(store_url)
    second_counts = rebuild_reporting_tables(store, store_url)
    assert dump(store_url) == first
    assert first_counts == second_counts
    assert set(first) == set(TABLES)
    people = {row[0]: row for row in first["person"]}
    assert set(people) == {"DEMO-JORDAN", "DEMO-MIA", "DEMO-TWIN-A", "DEMO-TWIN-B", "DEMO-UNBORN"}
    # Jordan: s20, ICO, care order, placement order, placed for adoption, adopted (E11)
    names = [c.name for c in TABLES["cla_episodes"].columns]
    jordan = [
        dict(zip(names, r, strict=True)) for r in first["cla_episodes"] if r[1] == "DEMO-JORDAN"
    ]
    assert (jordan[0]["start_reason"], jordan[0]["legal_status"]) == ("S", "V2")
    statuses = list(dict.fromkeys(r["legal_status"] for r in jordan))
    assert statuses == ["V2", "C1", "C2", "E1"]
    assert jordan[-1]["end_reason"] == "E11" and jordan[-1]["placement_type"] == "A4"
    assert any(r[1] == "DEMO-JORDAN" for r in first["cp_plans"])
    assert first_counts["visits"] > 0 and first_counts["cin_episodes"] >= 3
    # no names or case text in BI tables
    flat = repr(first)
    assert "Jordan" not in flat and "Kerry" not in flat


def test_cli_builds_tables_into_another_database(
    sqlite_url: str, pg_url: str, tmp_path: Path
) -> None:
    write_demo(sqlite_url)
    runner = CliRunner()
    for target in (f"sqlite:///{tmp_path / 'bi.db'}", pg_url):
        done = runner.invoke(app, ["export", "tables", "--url", target, "--db", sqlite_url])
        assert done.exit_code == 0, done.output
        assert "cla_episodes" in done.output
        once = dump(target)
        again = runner.invoke(app, ["export", "tables", "--url", target, "--db", sqlite_url])
        assert again.exit_code == 0 and dump(target) == once
    assert dump(f"sqlite:///{tmp_path / 'bi.db'}") == dump(pg_url)  # same rows on both engines
    bad = runner.invoke(app, ["export", "tables", "--url", "mysql://x", "--db", sqlite_url])
    assert bad.exit_code == 1 and "--url" in bad.output
