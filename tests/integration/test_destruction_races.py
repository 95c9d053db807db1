"""A record's destruction against what other writers do around it (adapters/record_destruction).

The checks run under the store's write lock, so a legal hold or a sibling's new parent written
a moment before is seen; the keys and the certificate go in one transaction, so a crash leaves
both or neither; a long-lived writer that still holds a destroyed key in memory cannot add to
the record; and a certificate removed from the log is seen by ``verify`` through the keys it
named.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Connection

from adapters import disposal_log, record_destruction
from adapters.db import sql_engine
from adapters.record_destruction import DestructionRefused, destroy_record
from adapters.retention_schedule import load_schedule
from adapters.store import EventStore
from domain.errors import InvalidEvent
from domain.parsing import parse_event
from tests.factories import example_data

CHILD, SIBLING = "C-DESTROY-1", "C-DESTROY-2"
PARENT = "p-destroy-parent"


@pytest.fixture
def encrypted(store_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CASELEDGER_ENCRYPT", "on")
    with EventStore(store_url) as store:
        store.record(
            [
                parse_event(example_data("child_registered", CHILD, "2025-01-06")),
                parse_event(example_data("child_registered", SIBLING, "2025-01-06")),
                parse_event(example_data("person_added", CHILD, "2025-01-07", person_id=PARENT)),
            ]
        )
    return store_url


def _destroy(store: EventStore, child: str = CHILD) -> record_destruction.Destruction:
    return destroy_record(
        store,
        child,
        authorised_by="Head of Service",
        reason="retention period ended",
        carried_out_by="dpo-001",
        schedule=load_schedule(),
    )


def _before_the_lock(monkeypatch: pytest.MonkeyPatch, write: Any) -> None:
    """Run ``write`` (another writer) just before the destruction takes the lock."""
    taking = record_destruction._write_locked

    @contextmanager
    def late(store: EventStore) -> Iterator[Connection]:
        write()
        with taking(store) as conn:
            yield conn

    monkeypatch.setattr(record_destruction, "_write_locked", late)


def test_a_hold_written_just_before_the_lock_stops_the_destruction(
    encrypted: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def place_hold() -> None:
        with EventStore(encrypted) as other:
            other.record(
                [
                    parse_event(
                        example_data(
                            "legal_hold_placed",
                            CHILD,
                            "2025-02-01",
                            reason_kind="litigation",
                            reason="Claim 2025/7",
                        )
                    )
                ]
            )

    with EventStore(encrypted) as store:
        store.stream(CHILD)  # what the command had read before
        _before_the_lock(monkeypatch, place_hold)
        with pytest.raises(DestructionRefused, match="a legal hold is in force"):
            _destroy(store)
        assert store.shredder is not None
        assert store.shredder.keys.destroyed_subjects() == []
    assert disposal_log.certificates(sql_engine(encrypted)) == []


def test_a_parent_added_to_a_sibling_just_before_the_lock_is_kept(
    encrypted: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def add_to_sibling() -> None:
        with EventStore(encrypted) as other:
            other.record(
                [parse_event(example_data("person_added", SIBLING, "2025-02-01", person_id=PARENT))]
            )

    with EventStore(encrypted) as store:
        _before_the_lock(monkeypatch, add_to_sibling)
        done = _destroy(store)
        assert done.plan.people_kept == {PARENT: (SIBLING,)}
        assert done.destroyed == [f"child:{CHILD}"]
        people = [e for e in store.stream(SIBLING) if e.kind == "person_added"]
        assert people[0].payload()["first_name"] != "[erased]"


def test_a_crash_writing_the_certificate_destroys_no_key(
    encrypted: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(conn: Connection, content: dict[str, Any]) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(disposal_log, "append_on", crash)
    with EventStore(encrypted) as store:
        with pytest.raises(OSError, match="disk full"):
            _destroy(store)
    monkeypatch.undo()
    with EventStore(encrypted) as store:
        assert store.shredder is not None
        assert store.shredder.keys.destroyed_subjects() == []
        named = [e for e in store.stream(CHILD) if e.kind == "person_added"][0]
        assert named.payload()["first_name"] != "[erased]"
        assert disposal_log.certificates(sql_engine(encrypted)) == []
        done = _destroy(store)  # and it can be done again, whole
        assert done.certificate.number == 1
        assert sorted(done.destroyed) == [f"child:{CHILD}", f"person:{PARENT}"]


def test_a_writer_holding_the_destroyed_key_in_memory_cannot_add_to_the_record(
    encrypted: str,
) -> None:
    with EventStore(encrypted) as server:  # a long-running `serve`, say
        server.record([parse_event(example_data("child_visited", CHILD, "2025-01-08"))])
        with EventStore(encrypted) as dpo:  # `retention destroy` in another process
            _destroy(dpo)
        with pytest.raises(InvalidEvent) as refused:
            server.record([parse_event(example_data("child_visited", CHILD, "2025-01-09"))])
        assert refused.value.field == "child_id"
        assert "destroyed at the end of its retention" in str(refused.value)
        assert [e.kind for e in server.stream(CHILD)][-1] == "child_visited"
        assert len(server.stream(CHILD)) == 3  # nothing was added
        # the sibling, whose keys are whole, still takes new entries
        server.record([parse_event(example_data("child_visited", SIBLING, "2025-01-09"))])


def test_verify_sees_a_certificate_removed_from_the_end_of_the_log(encrypted: str) -> None:
    engine = sql_engine(encrypted)
    with EventStore(encrypted) as store:
        _destroy(store)
        assert store.shredder is not None
        destroyed = store.shredder.keys.destroyed_subjects()
    assert disposal_log.verify(engine, destroyed) == []
    # the schema's owner drops the guard and removes the last (only) certificate: the chain
    # that is left is whole, but the keys it destroyed are named by no certificate now
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER caseledger_disposals_no_delete")
            conn.exec_driver_sql("DELETE FROM caseledger_disposals")
        else:
            conn.exec_driver_sql("ALTER TABLE caseledger_disposals DISABLE TRIGGER USER")
            conn.exec_driver_sql("DELETE FROM caseledger_disposals")
            conn.exec_driver_sql("ALTER TABLE caseledger_disposals ENABLE TRIGGER USER")
    problems = disposal_log.verify(engine, destroyed)
    assert len(problems) == 1
    assert problems[0].startswith("2 destroyed key(s) with no certificate")
    assert f"child:{CHILD}" in problems[0]


def test_each_destruction_takes_the_write_lock_before_it_reads(encrypted: str) -> None:
    """While the lock is held no event can be written (checked on the engine in use)."""
    import threading

    with EventStore(encrypted) as store:
        written = threading.Event()

        def writer() -> None:
            with EventStore(encrypted) as other:
                other.record([parse_event(example_data("child_visited", SIBLING, "2025-03-01"))])
            written.set()

        with record_destruction._write_locked(store):
            thread = threading.Thread(target=writer)
            thread.start()
            assert not written.wait(1.5)  # held back by the lock
        thread.join(30)
        assert written.is_set()
        assert [e.kind for e in store.stream(SIBLING)][-1] == "child_visited"


def test_a_long_running_reader_does_not_go_on_decrypting_a_destroyed_child(
    encrypted: str,
) -> None:
    with EventStore(encrypted) as server:
        server.record(
            [parse_event(example_data("child_visited", CHILD, "2025-01-08", summary="Seen Ada"))]
        )

        def summaries() -> list[str]:
            return [e.event.summary for e in server.iter_all() if e.kind == "child_visited"]

        assert summaries() == ["Seen Ada"]  # its key is in this process's memory now
        with EventStore(encrypted) as dpo:
            _destroy(dpo)
        assert summaries() == ["[erased]"]  # the feed's read, after the destruction
        page, unreadable, _ = server.readable_notifications(0, 100, server.max_position())
        assert not unreadable
        assert "Seen Ada" not in repr(page)
        assert "Seen Ada" not in repr(server.read_streams([CHILD]))
