"""`caseledger publish` onto a real NATS JetStream, and `consume` back into reporting tables."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect
from typer.testing import CliRunner

from adapters.broker import positions
from adapters.broker.pseudonym import Pseudonymiser
from adapters.broker.redaction import WITHHELD_TEXT
from adapters.cli.main import app
from adapters.db import sql_engine
from adapters.readmodels.reporting import TABLES, dump
from adapters.store import EventStore
from adapters.synthetic.synth import load
from domain.events.management import AuthorityRecorded
from scripts.publish_kill import stream_count
from tests.factories import example
from tests.jetstream import Subscription, jetstream_fixture, read_stream  # noqa: F401

runner = CliRunner()


def _publish(url: str, sub: Subscription, *extra: str) -> Any:
    result = runner.invoke(
        app,
        ["publish", "--once", "--db", url, "--servers", sub.servers, "--stream", sub.stream]
        + ["--subject-prefix", sub.prefix, *extra],
    )
    assert result.exit_code == 0, result.output
    return result


def _authority(events: list[Any]) -> dict[str, str]:
    return {e.child_id: e.event.la_code for e in events if isinstance(e.event, AuthorityRecorded)}


def test_each_event_once_in_log_order_pseudonymised_and_without_free_text(
    store_url: str, jetstream: Subscription, make_store: Callable[..., EventStore]
) -> None:
    store = make_store(store_url)
    load(store, 12, seed=4)
    log = list(store.iter_all())
    _publish(store_url, jetstream)
    got = read_stream(jetstream.stream)

    assert [m.headers["Nats-Msg-Id"] for m in got] == [e.event_id for e in log]
    pseudo = Pseudonymiser.for_store(store.db)
    la = _authority(log)
    for message, event in zip(got, log, strict=True):
        child = pseudo(event.child_id)
        assert message.subject == f"{jetstream.prefix}.{la[event.child_id]}.{child}.{event.kind}"
        assert message.headers["Caseledger-Position"] == str(event.global_position)
        assert message.headers["Caseledger-Kind"] == event.kind
        assert message.headers["Caseledger-Version"] == str(event.stored_version)
        assert message.headers["Caseledger-Hash"] == event.hash
        assert message.headers["Caseledger-Content"] == "analyst"
        assert message.body["child_id"] == child
        assert event.child_id.encode() not in message.raw
        assert event.event.summary.encode() not in message.raw
        assert "summary" in message.body["withheld"]
    names = {e.event.first_name for e in log if hasattr(e.event, "first_name")} - {None}
    assert names and not any(n.encode() in m.raw for m in got for n in names)
    assert positions.load(store_url, f"{jetstream.stream}:{jetstream.prefix}") == (
        len(log),
        len(log),
    )

    # again: nothing new, nothing sent; one more event: exactly that one
    assert "published 0 events" in _publish(store_url, jetstream).output
    added = store.record_one(example("case_note_recorded", log[0].child_id, "2026-02-01"))
    assert "published 1 events" in _publish(store_url, jetstream).output
    again = read_stream(jetstream.stream)
    assert len(again) == len(log) + 1
    assert again[-1].headers["Nats-Msg-Id"] == added.event_id


def _pseudonymised(
    tables: dict[str, list[tuple[Any, ...]]], pseudo: Pseudonymiser
) -> dict[str, list[tuple[Any, ...]]]:
    """The export's rows as an analyst's subscription can rebuild them.

    Optional fields withheld come back empty, the required provider as "[withheld]".
    """
    withheld: dict[tuple[str, str], str | None] = {
        ("person", "upn"): None,
        ("person", "nhs_number"): None,
        ("cla_placements", "urn"): None,
        ("cla_placements", "postcode"): None,
        ("cla_placements", "provider"): WITHHELD_TEXT,
        ("cla_episodes", "placement_provider"): WITHHELD_TEXT,
    }
    out: dict[str, list[tuple[Any, ...]]] = {}
    for name, rows in tables.items():
        columns = [c.name for c in TABLES[name].columns]
        changed = []
        for row in rows:
            values = dict(zip(columns, row, strict=True))
            for column in columns:
                if (name, column) in withheld and values[column] is not None:
                    values[column] = withheld[(name, column)]
            for column in ("person_id", "family_id"):
                if values.get(column):
                    values[column] = pseudo(values[column])
            if name == "cla_episodes":
                child, number = values["cla_episode_id"].rsplit(":", 1)
                values["cla_episode_id"] = f"{pseudo(child)}:{number}"
            changed.append(tuple(values[c] for c in columns))
        out[name] = sorted(changed, key=lambda r: tuple(str(v) for v in r))
    return out


@pytest.mark.parametrize("content", ["identifiable", "analyst"])
def test_consume_builds_the_tables_export_tables_builds(
    store_url: str,
    jetstream: Subscription,
    make_store: Callable[..., EventStore],
    tmp_path: Path,
    content: str,
) -> None:
    store = make_store(store_url)
    load(store, 40, seed=9)
    kinds = {e.kind for e in store.iter_all()}
    assert {"entry_corrected", "entry_recorded_in_error"} <= kinds  # the effective record
    _publish(store_url, jetstream, *(["--identifiable"] if content == "identifiable" else []))

    from_stream = f"sqlite:///{tmp_path / 'from-stream.db'}"
    from_store = f"sqlite:///{tmp_path / 'from-store.db'}"
    consumed = runner.invoke(
        app,
        ["consume", "--into", from_stream, "--stream", jetstream.stream]
        + ["--servers", jetstream.servers],
    )
    assert consumed.exit_code == 0, consumed.output
    exported = runner.invoke(app, ["export", "tables", "--db", store_url, "--url", from_store])
    assert exported.exit_code == 0, exported.output

    got, want = dump(from_stream), dump(from_store)
    assert sum(len(rows) for rows in want.values()) > 200
    if content == "identifiable":
        assert got == want
        return
    pseudo = Pseudonymiser.for_store(store.db)
    ordered = {n: sorted(rows, key=lambda r: tuple(str(v) for v in r)) for n, rows in got.items()}
    assert ordered == _pseudonymised(want, pseudo)
    children = {row[0] for row in got["person"]}
    assert len(children) == 40 and not children & set(store.children())


def test_publish_follows_new_events_until_stopped(
    sqlite_url: str, jetstream: Subscription, make_store: Callable[..., EventStore]
) -> None:
    store = make_store(sqlite_url)
    store.record([example("child_registered", "C-FOLLOW", "2026-01-05")])
    proc = subprocess.Popen(
        [sys.executable, "-c", "from adapters.cli.main import app; app()", "publish"]
        + ["--db", sqlite_url, "--stream", jetstream.stream, "--subject-prefix", jetstream.prefix]
        + ["--servers", jetstream.servers, "--poll", "0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert _wait_for(jetstream.stream, 1)
        store.record_one(example("case_note_recorded", "C-FOLLOW", "2026-02-01"))
        store.record_one(example("case_note_recorded", "C-FOLLOW", "2026-02-02"))
        assert _wait_for(jetstream.stream, 3)
        assert proc.poll() is None  # still following
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
    kinds = [m.headers["Caseledger-Kind"] for m in read_stream(jetstream.stream)]
    assert kinds == ["child_registered", "case_note_recorded", "case_note_recorded"]


def _wait_for(stream: str, count: int, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if asyncio.run(stream_count(stream)) >= count:
            return True
        time.sleep(0.1)
    return False


def test_migrate_creates_the_published_position_table(store_url: str) -> None:
    result = runner.invoke(app, ["migrate", "--db", store_url])
    assert result.exit_code == 0, result.output
    assert "publish_positions" in inspect(sql_engine(store_url)).get_table_names()
    assert positions.load(store_url, "CASELEDGER:caseledger") == (0, 0)


def test_bad_subject_prefix_is_refused_naming_the_option(
    sqlite_url: str, make_store: Callable[..., EventStore]
) -> None:
    make_store(sqlite_url)  # a store that exists: a read of a missing one is refused first
    result = runner.invoke(
        app, ["publish", "--once", "--db", sqlite_url, "--subject-prefix", "a b"]
    )
    assert result.exit_code == 1
    assert "--subject-prefix 'a b'" in result.output


def test_a_message_from_another_writer_neither_repeats_nor_loses_an_event(
    sqlite_url: str, jetstream: Subscription, make_store: Callable[..., EventStore]
) -> None:
    import nats

    store = make_store(sqlite_url)
    store.record([example("child_registered", "C-STRAY", "2026-01-05")])
    _publish(sqlite_url, jetstream)

    async def stray() -> None:
        nc = await nats.connect(jetstream.servers)
        try:
            await nc.jetstream().publish(f"{jetstream.prefix}.none.x.y", b"{}")
        finally:
            await nc.close()

    asyncio.run(stray())  # the relay's expected sequence is now wrong
    added = store.record_one(example("case_note_recorded", "C-STRAY", "2026-02-01"))
    assert "published 1 events" in _publish(sqlite_url, jetstream).output
    ids = [m.headers.get("Nats-Msg-Id") for m in read_stream(jetstream.stream)]
    assert ids == [store.stream("C-STRAY")[0].event_id, None, added.event_id]
