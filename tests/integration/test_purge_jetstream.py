"""A destroyed record's purge: in the feed in order, on JetStream once, and erased by consume."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from adapters import disposal_log
from adapters.broker import positions
from adapters.broker import relay as relay_module
from adapters.broker.pseudonym import Pseudonymiser
from adapters.cli.main import app
from adapters.db import sql_engine
from adapters.feed import FeedConsumer, FilePositionStore, read_feed
from adapters.readmodels.reporting import TABLES, dump
from adapters.store import EventStore
from adapters.synthetic.synth import load
from domain.events.front_door import ConsentBasis, ReferralReceived
from domain.events.management import AuthorityRecorded
from tests.factories import example
from tests.integration.test_publish_jetstream import _pseudonymised
from tests.jetstream import Subscription, jetstream_fixture, read_stream  # noqa: F401

runner = CliRunner()
REASON = "Retention period ended for Ms Example"  # free text: must never leave the store
AUTHORISER = "Head of Service (A. Cole)"


@pytest.fixture(autouse=True)
def _encrypted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASELEDGER_ENCRYPT", "on")


def _cli(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _publish(url: str, sub: Subscription, *extra: str) -> str:
    return _cli(
        "publish", "--once", "--db", url, "--servers", sub.servers, "--stream", sub.stream,
        "--subject-prefix", sub.prefix, "--batch", "7", *extra,
    )  # fmt: skip


def _destroy(url: str, child: str) -> dict[str, Any]:
    out = _cli(
        "retention", "destroy", child, "--db", url, "--authorised-by", AUTHORISER,
        "--reason", REASON, "--json",
    )  # fmt: skip
    return dict(json.loads(out[out.index("{") :]))


def _destroyable(store: EventStore) -> list[str]:
    """Children whose erased record still builds (a best-interest referral's does not yet)."""
    unreadable = {
        e.child_id
        for e in store.iter_all()
        if isinstance(e.event, ReferralReceived)
        and e.event.consent is ConsentBasis.BEST_INTEREST_WITHOUT_CONSENT
    }
    return [c for c in store.children() if c not in unreadable]


def _without(
    tables: dict[str, list[tuple[Any, ...]]], children: set[str]
) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    for name, rows in tables.items():
        column = [c.name for c in TABLES[name].columns].index("person_id")
        out[name] = [r for r in rows if r[column] not in children]
    return out


def test_the_feed_carries_a_purge_after_the_events_before_it_once(
    store_url: str, make_store: Callable[..., EventStore], tmp_path: Path
) -> None:
    store = make_store(store_url)
    load(store, 6, seed=3)
    child = _destroyable(store)[1]
    before = store.max_position()
    consumer = FeedConsumer(store, FilePositionStore(tmp_path / "pos.json"))
    seen: list[dict[str, Any]] = []
    assert consumer.run(seen.append, limit=before - 3) == before - 3

    certificate = _destroy(store_url, child)
    assert certificate["feed_position"] == before
    later = store.record_one(example("case_note_recorded", store.children()[0], "2026-02-01"))

    # the consumer goes on: the events it lacked, the purge, then the event written after
    assert consumer.run(seen.append) == 3 + 1 + 1
    kinds = [(i["kind"], i["global_position"]) for i in seen[-5:]]
    assert kinds[3] == ("purge", before)
    assert [p for _, p in kinds[:3]] == [before - 2, before - 1, before]
    assert seen[-1]["event_id"] == later.event_id
    purge = seen[-2]
    [stored] = disposal_log.certificates(sql_engine(store_url))
    assert purge["certificate"] == 1 and purge["certificate_hash"] == stored.hash
    assert purge["certificate_id"] == f"disposal-1-{stored.hash}"
    assert purge["child_id"] == child
    assert [f"{s['type']}:{s['id']}" for s in purge["subjects"]] == stored.content[
        "subjects_destroyed"
    ]
    text = json.dumps(purge)
    assert REASON not in text and AUTHORISER not in text
    assert json.loads((tmp_path / "pos.json").read_text())["purge_position"] == 1
    assert consumer.run(seen.append) == 0  # nothing again

    # the pull feed by position: after the event before it, the purge; after it, not again
    at = [i["kind"] for i in read_feed(store, after=before - 1, limit=3)]
    assert at == [
        store.notifications(after=before - 1, limit=1)[0].kind,
        "purge",
        "case_note_recorded",
    ]
    assert [i["kind"] for i in read_feed(store, after=before, after_purge=1)] == [
        "case_note_recorded"
    ]
    assert [i["kind"] for i in read_feed(store, after=before + 1)] == []  # placed before it


def test_the_pseudonymised_feed_and_get_feed_carry_the_purge_with_ids_pseudonymised(
    sqlite_url: str, make_store: Callable[..., EventStore]
) -> None:
    store = make_store(sqlite_url)
    load(store, 4, seed=3)
    child = _destroyable(store)[0]
    certificate = _destroy(sqlite_url, child)
    pseudo = Pseudonymiser.for_store(store.db)
    from adapters.feed_pseudonymised import pseudonymise_item

    end = store.max_position()
    [item] = [i for i in read_feed(store, after=end, after_purge=0) if i["kind"] == "purge"]
    shown = pseudonymise_item(store, item)
    assert shown["child_id"] == pseudo(child)
    assert [s["id"] for s in shown["subjects"]] == [
        pseudo(s.split(":", 1)[1]) for s in certificate["subjects_destroyed"]
    ]
    raw = json.dumps(shown)
    assert child not in raw and REASON not in raw

    from tests.accounts import operator_client

    client = operator_client(sqlite_url)
    # a whole read from the start shows the record destroyed a moment ago, last
    whole = [(i["kind"], i["global_position"]) for i in read_feed(store)]
    assert whole[-1] == ("purge", end) and whole.count(("purge", end)) == 1
    assert [i["kind"] for i in client.get("/feed", params={"limit": 5000}).json()][-1] == "purge"
    got = client.get("/feed", params={"after": end, "after_purge": 0})
    assert got.status_code == 200, got.text
    assert [(i["kind"], i["purge_position"]) for i in got.json()] == [("purge", 1)]
    assert client.get("/feed", params={"after": end, "after_purge": 1}).json() == []
    # a reader that keeps only positions is given the purge with the next event, once
    assert client.get("/feed", params={"after": end}).json() == []
    added = store.record_one(example("case_note_recorded", store.children()[-1], "2026-02-01"))
    page = client.get("/feed", params={"after": end, "limit": 1}).json()
    assert [i["kind"] for i in page] == ["purge", "case_note_recorded"]
    assert page[1]["event_id"] == added.event_id
    assert client.get("/feed", params={"after": page[-1]["global_position"]}).json() == []
    bad = client.get("/feed", params={"after_purge": -1})
    assert bad.status_code == 422 and "after_purge" in bad.text


def _la(store: EventStore) -> dict[str, str]:
    found: dict[str, str] = {}
    for e in store.iter_all():
        if isinstance(e.event, AuthorityRecorded):
            found[e.child_id] = e.event.la_code or "none"
    return found


@pytest.mark.parametrize("content", ["identifiable", "analyst"])
def test_publish_carries_the_purge_once_and_consume_erases_the_child(
    store_url: str,
    jetstream: Subscription,
    make_store: Callable[..., EventStore],
    tmp_path: Path,
    content: str,
) -> None:
    store = make_store(store_url)
    load(store, 30, seed=9)
    identifiable = ["--identifiable"] if content == "identifiable" else []
    _publish(store_url, jetstream, *identifiable)  # the record as it was, on the stream
    first, second = _destroyable(store)[2:4]
    heads = [_destroy(store_url, first)["feed_position"]]
    added = store.record_one(example("case_note_recorded", store.children()[0], "2026-02-01"))
    heads.append(_destroy(store_url, second)["feed_position"])
    out = _publish(store_url, jetstream, *identifiable)
    assert "published 3 events, 2 of them purges" in out
    assert "published 0 events" in _publish(store_url, jetstream, *identifiable)

    fresh = make_store(store_url)
    log = list(fresh.iter_all())
    got = read_stream(jetstream.stream)
    assert len(got) == len(log) + 2
    certificates = disposal_log.certificates(sql_engine(store_url))
    kinds = [m.headers["Caseledger-Kind"] for m in got[-3:]]
    assert kinds == ["purge", "case_note_recorded", "purge"]
    assert got[-2].headers["Nats-Msg-Id"] == added.event_id
    pseudo: Any = Pseudonymiser.for_store(fresh.db) if content == "analyst" else str
    la = _la(fresh)
    for message, certificate, child, head in zip(
        (got[-3], got[-1]), certificates, (first, second), heads, strict=True
    ):
        assert message.subject == f"{jetstream.prefix}.{la[child]}.{pseudo(child)}.purge"
        assert message.headers["Nats-Msg-Id"] == f"disposal-{certificate.number}-{certificate.hash}"
        assert message.headers["Caseledger-Certificate"] == str(certificate.number)
        assert message.headers["Caseledger-Certificate-Hash"] == certificate.hash
        assert message.headers["Caseledger-Purge"] == str(certificate.number)
        assert message.headers["Caseledger-Position"] == str(head)
        assert message.body["child_id"] == pseudo(child)
        assert message.body["subjects"] == [
            {"type": s.split(":")[0], "id": pseudo(s.split(":", 1)[1])}
            for s in certificate.content["subjects_destroyed"]
        ]
        for secret in (REASON.encode(), AUTHORISER.encode()):
            assert secret not in message.raw
        if content == "analyst":
            assert child.encode() not in message.raw
    assert got[-2].headers["Caseledger-Purge"] == "1"  # the event after the first purge
    assert positions.load(store_url, f"{jetstream.stream}:{jetstream.prefix}#purge")[0] == 2

    from_stream = f"sqlite:///{tmp_path / 'from-stream.db'}"
    from_store = f"sqlite:///{tmp_path / 'from-store.db'}"
    _cli("consume", "--into", from_stream, "--stream", jetstream.stream,
         "--servers", jetstream.servers)  # fmt: skip
    _cli("export", "tables", "--db", store_url, "--url", from_store)
    consumed, exported = dump(from_stream), dump(from_store)
    gone = {first, second}
    remaining = _without(exported, gone)
    assert sum(map(len, exported.values())) > sum(map(len, remaining.values())) > 200
    if content == "identifiable":
        assert consumed == remaining
        assert not any(gone & {str(v) for row in rows for v in row} for rows in consumed.values())
        return
    ordered = {n: sorted(r, key=lambda r: tuple(str(v) for v in r)) for n, r in consumed.items()}
    assert ordered == _pseudonymised(remaining, pseudo)
    assert {pseudo(c) for c in gone}.isdisjoint({row[0] for row in consumed["person"]})


def test_a_relay_killed_after_publishing_a_purge_does_not_publish_it_again(
    store_url: str,
    jetstream: Subscription,
    make_store: Callable[..., EventStore],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The server stored the purge, the position was never saved: the stream's tail says so."""
    store = make_store(store_url)
    load(store, 5, seed=3)
    _publish(store_url, jetstream)
    destroyed = _destroyable(store)[0]
    _destroy(store_url, destroyed)
    alive = next(c for c in store.children() if c != destroyed)  # a destroyed record takes none
    store.record_one(example("case_note_recorded", alive, "2026-02-01"))

    real = positions.save

    def killed(
        url: str, relay: str, position: int, sequence: int, purge: int | None = None
    ) -> None:
        if purge:  # dies after the acknowledgement, before the position is written
            raise KeyboardInterrupt("killed")
        real(url, relay, position, sequence, purge)

    monkeypatch.setattr(relay_module.positions, "save", killed)
    result = runner.invoke(
        app,
        ["publish", "--once", "--db", store_url, "--servers", jetstream.servers, "--stream",
         jetstream.stream, "--subject-prefix", jetstream.prefix, "--batch", "1"],
    )  # fmt: skip
    assert result.exit_code != 0
    monkeypatch.setattr(relay_module.positions, "save", real)
    name = f"{jetstream.stream}:{jetstream.prefix}"
    assert positions.load(store_url, positions.purge_row(name))[0] == 0  # never saved
    stored = [m.headers["Caseledger-Kind"] for m in read_stream(jetstream.stream)]
    assert stored[-2:] == ["purge", "case_note_recorded"]  # the server has both

    assert "published 0 events" in _publish(store_url, jetstream)  # the tail says so
    got = read_stream(jetstream.stream)
    ids = [m.headers["Nats-Msg-Id"] for m in got]
    assert len(ids) == len(set(ids)) == store.max_position() + 1
    assert [m.headers["Caseledger-Kind"] for m in got[-2:]] == ["purge", "case_note_recorded"]
    assert positions.load(store_url, positions.purge_row(name))[0] == 1


def test_kill_9_during_a_relay_with_purges_loses_and_repeats_nothing(
    store_url: str, jetstream: Subscription, make_store: Callable[..., EventStore]
) -> None:
    """SIGKILL four times while purges sit between pages: each message once, in feed order."""
    import os
    import signal
    import time

    from scripts.publish_kill import _publish as start_relay
    from scripts.publish_kill import stream_count

    store = make_store(store_url)
    load(store, 4, seed=3)
    _destroy(store_url, _destroyable(store)[0])
    load(store, 4, seed=5)
    _destroy(store_url, [c for c in _destroyable(store) if c.startswith("SYN-5-")][0])
    load(store, 3, seed=7)
    fresh = make_store(store_url)
    expected = list(read_feed(fresh))
    assert [i["kind"] for i in expected].count("purge") == 2
    assert expected[-1]["kind"] != "purge"  # a purge in the middle of the log

    os.environ.setdefault("CASELEDGER_NATS", jetstream.servers)
    marks = [len(expected) * k // 5 for k in (1, 2, 3, 4)]
    for mark in marks:
        proc = start_relay(store_url, jetstream.stream, jetstream.prefix, 3, once=False)
        deadline = time.monotonic() + 60
        while asyncio_count(stream_count, jetstream.stream) < mark:
            assert time.monotonic() < deadline, f"the relay did not reach {mark}"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    _publish(store_url, jetstream)

    got = read_stream(jetstream.stream)
    ids = [m.headers["Nats-Msg-Id"] for m in got]
    want = [i.get("certificate_id") or i["event_id"] for i in expected]
    assert ids == want  # every message once, purges where the feed puts them


def asyncio_count(count: Callable[[str], Any], stream: str) -> int:
    import asyncio

    return int(asyncio.run(count(stream)))
