"""Reads logged at the same time in one process are written together (GroupCommit in
adapters/auth/access_log.py): every caller gets back its own rows, committed, the chain
verifies, and a transaction that fails fails every caller in it (no read is answered
unlogged). Both engines."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest

from adapters.auth.access_log import Access, AccessLog, AccessRow, _group
from adapters.store import EventStore


def _log(url: str) -> AccessLog:
    with EventStore(url):  # the store (on PostgreSQL, its schema) exists, as on a server
        pass
    return AccessLog(url)


def _read(user: str, child: str) -> Access:
    return Access(
        user_id=user,
        role="social_worker",
        action="read",
        what="deadlines",
        child_id=child,
        channel="http",
        address="127.0.0.1",
        purpose=None,
        via="allocated",
    )


def test_concurrent_reads_are_each_logged_once_and_the_chain_holds(store_url: str) -> None:
    log = _log(store_url)
    log.append([_read("setup", "C-0")])  # the tables exist before the race
    callers, each = 24, 10
    start = threading.Barrier(callers)
    got: dict[int, list[list[AccessRow]]] = {n: [] for n in range(callers)}
    failures: list[BaseException] = []

    def reader(n: int) -> None:
        start.wait()
        try:
            for i in range(each):
                rows = log.append([_read(f"u-{n}", f"C-{n}-{i}"), _read(f"u-{n}", "C-shared")])
                got[n].append(rows)
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    for n, calls in got.items():
        assert [[r.child_id for r in rows] for rows in calls] == [
            [f"C-{n}-{i}", "C-shared"] for i in range(each)
        ]
        assert all(r.user_id == f"u-{n}" for rows in calls for r in rows)
        for rows in calls:  # a caller's rows stay together, in its order
            assert rows[1].seq == rows[0].seq + 1
    stored = log.rows()
    assert len(stored) == 1 + callers * each * 2
    assert sorted(r.seq for rows in got.values() for call in rows for r in call) == list(
        range(2, len(stored) + 1)
    )
    assert log.verify() == (len(stored), [])


def test_a_failed_transaction_fails_every_caller_in_it(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = _log(store_url)
    log.append([_read("setup", "C-0")])
    group = _group(store_url)
    entered, release = threading.Event(), threading.Event()
    real = AccessLog._append_with_retries
    batches: list[int] = []

    def slow_then_failing(
        self: AccessLog, batch: Sequence[tuple[str, Sequence[Access]]]
    ) -> list[AccessRow]:
        batches.append(len(batch))
        if len(batches) == 1:  # the first writer holds the pen while the others queue
            entered.set()
            release.wait(10)
            return real(self, batch)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(AccessLog, "_append_with_retries", slow_then_failing)
    outcomes: dict[str, object] = {}

    def reader(name: str) -> None:
        try:
            outcomes[name] = log.append([_read(name, "C-1")])
        except RuntimeError as error:
            outcomes[name] = error

    first = threading.Thread(target=reader, args=("first",))
    first.start()
    assert entered.wait(10)
    others = [threading.Thread(target=reader, args=(f"later-{n}",)) for n in range(3)]
    for thread in others:
        thread.start()
    while True:  # all three queued behind the first writer
        with group._lock:
            if len(group._queue) == 3:
                break
    release.set()
    for thread in [first, *others]:
        thread.join(10)
    assert batches == [1, 3]  # the three queued were written together, and failed together
    assert isinstance(outcomes["first"], list)
    assert all(isinstance(outcomes[f"later-{n}"], RuntimeError) for n in range(3))
    assert [r.user_id for r in log.rows()] == ["setup", "first"]  # nothing half-written
    monkeypatch.undo()
    assert [r.user_id for r in log.append([_read("after", "C-1")])] == ["after"]  # usable again
