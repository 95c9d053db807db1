"""The feed: global order, resumable consumers that miss nothing and repeat nothing acknowledged."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli.main import app
from adapters.feed import FeedConsumer, FilePositionStore, SqlPositionStore, read_feed
from adapters.store import EventStore
from tests.conftest import Clock
from tests.factories import example


def _fill(store: EventStore, clock: Clock, children: int = 4, notes: int = 6) -> list[str]:
    """Interleaved writes for several children; returns the event ids in write order."""
    ids: list[str] = []
    for c in range(children):
        ids += [
            r.event_id for r in store.record([example("child_registered", f"C-F{c}", "2026-01-05")])
        ]
    for n in range(notes):
        for c in range(children):
            clock.advance(minutes=5)
            event = example("case_note_recorded", f"C-F{c}", "2026-02-01", summary=f"note {n}")
            ids.append(store.record_one(event).event_id)
    return ids


def test_feed_gives_every_event_once_in_global_order(store: EventStore, clock: Clock) -> None:
    ids = _fill(store, clock)
    items = list(read_feed(store))
    assert [i["event_id"] for i in items] == ids
    positions = [i["global_position"] for i in items]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    first = items[0]
    assert first["child_id"] == "C-F0"
    assert first["kind"] == "child_registered"
    assert first["occurred_at"].startswith("2026-01-05")
    assert first["recorded_at"] == "2026-06-01T09:00:00+00:00"
    assert first["payload"]["first_name"] == "Robin"
    # paging: after + limit gives the next slice exactly
    middle = list(read_feed(store, after=positions[4], limit=3))
    assert [i["global_position"] for i in middle] == positions[5:8]
    assert list(read_feed(store, after=positions[-1])) == []


def test_consumer_that_fails_resumes_without_gap_or_repeat(
    store: EventStore, clock: Clock, tmp_path: Path
) -> None:
    ids = _fill(store, clock)
    positions = FilePositionStore(tmp_path / "pos.json")
    seen: list[str] = []

    def flaky(item: dict) -> None:
        if len(seen) == 9:
            raise RuntimeError("downstream down")
        seen.append(item["event_id"])

    with pytest.raises(RuntimeError):
        FeedConsumer(store, positions).run(flaky)
    assert len(seen) == 9
    acknowledged = positions.load()
    assert acknowledged == list(read_feed(store))[8]["global_position"]
    # more events arrive while it is down
    clock.advance(hours=1)
    ids.append(store.record_one(example("case_note_recorded", "C-F1", "2026-03-01")).event_id)
    FeedConsumer(store, positions).run(lambda item: seen.append(item["event_id"]))
    assert seen == ids  # nothing missed, nothing repeated
    assert FeedConsumer(store, positions).run(lambda item: seen.append("again")) == 0


_CONSUMER = textwrap.dedent(
    """
    import json, os, signal, sys
    from adapters.feed import FeedConsumer, FilePositionStore
    from adapters.store import EventStore

    url, pos_file, out_file, kill_at = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    store = EventStore(url)
    handled = 0

    def handle(item):
        global handled
        with open(out_file, "a") as out:
            out.write(json.dumps(item["global_position"]) + "\\n")
            out.flush()
            os.fsync(out.fileno())
        handled += 1
        if handled == kill_at:  # handled but not yet acknowledged: the worst moment to die
            os.kill(os.getpid(), signal.SIGKILL)

    FeedConsumer(store, FilePositionStore(pos_file), batch=7).run(handle)
    """
)


def test_killed_consumer_process_resumes_after_last_acknowledged(
    store_url: str, make_store: Callable[..., EventStore], clock: Clock, tmp_path: Path
) -> None:
    store = make_store(store_url)
    _fill(store, clock, children=5, notes=8)  # 45 events
    expected = [i["global_position"] for i in read_feed(store)]
    pos_file, out_file = tmp_path / "pos.json", tmp_path / "out.txt"

    def run(kill_at: int) -> int:
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                _CONSUMER,
                store_url,
                str(pos_file),
                str(out_file),
                str(kill_at),
            ],
            capture_output=True,
            timeout=120,
        )
        return done.returncode

    assert run(kill_at=13) == -9  # SIGKILL mid-stream
    acked_before_kill = json.loads(pos_file.read_text())["position"]
    assert acked_before_kill == expected[11]  # the 13th was handled, not acknowledged
    assert run(kill_at=10_000) == 0
    seen = [int(line) for line in out_file.read_text().split()]
    assert sorted(set(seen)) == expected  # nothing missed
    repeats = [p for p in set(seen) if seen.count(p) > 1]
    assert repeats == [expected[12]]  # only the unacknowledged item came again
    assert all(seen.count(p) == 1 for p in expected if p <= acked_before_kill)
    assert json.loads(pos_file.read_text())["position"] == expected[-1]


def test_sql_position_store_keeps_consumers_apart(store: EventStore, clock: Clock) -> None:
    _fill(store, clock, children=2, notes=2)
    a = SqlPositionStore(store.url, "bi-warehouse")
    b = SqlPositionStore(store.url, "audit-copy")
    assert FeedConsumer(store, a).run(lambda item: None, limit=3) == 3
    assert a.load() == list(read_feed(store))[2]["global_position"]
    assert b.load() == 0
    assert FeedConsumer(store, a).run(lambda item: None) == 3


def test_cli_feed_json_lines_and_position_file(
    sqlite_url: str, make_store: Callable[..., EventStore], clock: Clock, tmp_path: Path
) -> None:
    store = make_store(sqlite_url)
    _fill(store, clock, children=2, notes=2)
    runner = CliRunner()
    result = runner.invoke(app, ["feed", "--db", sqlite_url, "--after", "2", "--limit", "2"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["global_position"] for line in lines] == [3, 4]
    assert set(lines[0]) >= {
        "global_position",
        "child_id",
        "kind",
        "occurred_at",
        "recorded_at",
        "payload",
    }
    pos = tmp_path / "cli-pos.json"
    first = runner.invoke(
        app, ["feed", "--db", sqlite_url, "--position-file", str(pos), "--limit", "4"]
    )
    second = runner.invoke(app, ["feed", "--db", sqlite_url, "--position-file", str(pos)])
    got = [json.loads(x)["global_position"] for x in (first.stdout + second.stdout).splitlines()]
    assert got == [1, 2, 3, 4, 5, 6]
    bad = runner.invoke(app, ["feed", "--db", sqlite_url, "--after", "-1"])
    assert bad.exit_code == 1 and "--after -1" in bad.output
