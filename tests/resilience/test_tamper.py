"""Tamper evidence beyond an edited row: each change made behind the store's back is named.

Three children's records are written and a checkpoint signed; then someone with the
database's own rights (triggers off) changes the rows. ``caseledger verify`` must exit 2
and name the child and what was done, for every kind of tampering below, on both engines.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Connection
from typer.testing import CliRunner

from adapters import anchors
from adapters.cli import exit_codes
from adapters.cli.main import app
from adapters.db import sql_engine
from adapters.store import EventStore
from tests.factories import example
from tests.resilience import figures
from tests.resilience.tamper import Tamperer

CHILDREN = ("C-TA-1", "C-TA-2", "C-TA-3")


def _written(store: EventStore) -> None:
    for child in CHILDREN:
        store.record([example("child_registered", child, "2026-03-02")])
        store.record(
            [
                example("case_note_recorded", child, f"2026-03-0{day}", summary=f"Note {day}.")
                for day in range(3, 8)
            ]
        )
    assert store.checkpoint() is not None


def _verify(url: str) -> tuple[int, dict[str, Any]]:
    done = CliRunner().invoke(app, ["verify", "--db", url, "--json"])
    return done.exit_code, json.loads(done.stdout)


def _edited_row(t: Tamperer, conn: Connection) -> None:
    position, _, state = t.rows(conn, "C-TA-1")[2]
    t.set_state(conn, "C-TA-1", position, state.replace(b"Note 4.", b"Note X."))


def _deleted_in_the_middle(t: Tamperer, conn: Connection) -> None:
    t.delete(conn, "C-TA-1", [3])


def _tail_removed(t: Tamperer, conn: Connection) -> None:
    t.delete(conn, "C-TA-1", [5, 6])


def _stream_removed(t: Tamperer, conn: Connection) -> None:
    t.delete(conn, "C-TA-2", None)


def _stream_removed_with_its_anchor(t: Tamperer, conn: Connection) -> None:
    t.delete(conn, "C-TA-2", None)
    t.drop_head(conn, "C-TA-2")


def _streams_swapped(t: Tamperer, conn: Connection) -> None:
    t.set_stream(conn, "C-TA-1", "C-SWAP")
    t.set_stream(conn, "C-TA-2", "C-TA-1")
    t.set_stream(conn, "C-SWAP", "C-TA-2")


def _row_copied_to_another_child(t: Tamperer, conn: Connection) -> None:
    _, topic, state = t.rows(conn, "C-TA-1")[3]
    t.insert(conn, "C-TA-3", 7, topic, state)


def _reordered(t: Tamperer, conn: Connection) -> None:
    t.set_version(conn, "C-TA-1", 3, 100)
    t.set_version(conn, "C-TA-1", 4, 3)
    t.set_version(conn, "C-TA-1", 100, 4)


def _topic_relabelled(t: Tamperer, conn: Connection) -> None:
    t.set_topic(conn, "C-TA-1", 2, "domain.events.safeguarding:Section47Started")


def _rewritten_and_rehashed(t: Tamperer, conn: Connection) -> None:
    # the whole chain from the edit on is recomputed, and the head anchor set to match:
    # only the signed checkpoint still knows what the record said
    t.rehash_from(conn, "C-TA-1", {"position": 3, "payload": {"summary": "Rewritten."}})


CASES: dict[str, tuple[Callable[[Tamperer, Connection], None], str, str]] = {
    "edited row": (_edited_row, "C-TA-1", "content does not match its hash"),
    "deleted event in the middle": (_deleted_in_the_middle, "C-TA-1", "previous-hash link"),
    "last events removed": (_tail_removed, "C-TA-1", "tail truncated"),
    "whole stream removed": (_stream_removed, "C-TA-2", "stream removed"),
    "stream and anchor removed": (
        _stream_removed_with_its_anchor,
        "C-TA-2",
        "removed: the signed checkpoint holds 6 events",
    ),
    "two streams swapped": (_streams_swapped, "C-TA-1", "copied or moved into another stream"),
    "row copied to another child": (
        _row_copied_to_another_child,
        "C-TA-3",
        "belongs to child 'C-TA-1'",
    ),
    "event re-ordered": (_reordered, "C-TA-1", "re-ordered"),
    "topic relabelled": (_topic_relabelled, "C-TA-1", "relabelled"),
    "rewritten with hashes recomputed": (
        _rewritten_and_rehashed,
        "C-TA-1",
        "differs from the signed checkpoint",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_verify_names_each_kind_of_tampering(case: str, store_url: str) -> None:
    tamper, child, reason = CASES[case]
    store = EventStore(store_url)
    _written(store)
    assert _verify(store_url) == (0, _verify(store_url)[1])
    tamperer = Tamperer(store)
    with tamperer.unguarded() as conn:
        tamper(tamperer, conn)
    code, report = _verify(store_url)
    store.close()
    assert code == exit_codes.TAMPERED, report
    named = [b for b in report["broken"] if b["child_id"] == child]
    assert named, report
    assert reason in named[0]["reason"], named[0]
    untouched = set(CHILDREN) - {child, "C-TA-2" if case == "two streams swapped" else ""}
    assert not [b for b in report["broken"] if b["child_id"] in untouched], report
    figures.count("tamper kinds detected", 1, figures.engine_of(store_url))


def test_an_untouched_store_verifies_with_its_checkpoints(store_url: str) -> None:
    store = EventStore(store_url)
    _written(store)
    store.record([example("case_note_recorded", "C-TA-1", "2026-03-08")])
    assert store.checkpoint() is not None
    assert store.checkpoint() is None  # nothing written since
    with sql_engine(store_url).connect() as conn:
        latest = anchors.latest_checkpoint(conn, store.db.schema)
    assert latest is not None  # the second signs only the stream written since the first
    assert [h.child_id for h in latest.head_map().values()] == ["C-TA-1"]
    assert (latest.streams, latest.events) == (1, 7)
    code, report = _verify(store_url)
    store.close()
    assert code == 0, report
    assert (report["streams"], report["events"]) == (3, 19)
    assert "2 checkpoint(s), signatures valid" in report["notes"][0]


def test_a_forged_checkpoint_is_named(store_url: str) -> None:
    store = EventStore(store_url)
    _written(store)
    tamperer = Tamperer(store)
    with tamperer.unguarded() as conn:
        checkpoints = "caseledger_checkpoints"
        if not store.db.is_sqlite:
            checkpoints = f'"{store.db.schema}".{checkpoints}'
            from sqlalchemy import text

            conn.execute(text(f"ALTER TABLE {checkpoints} DISABLE TRIGGER ALL"))
        from sqlalchemy import text

        conn.execute(text(f"UPDATE {checkpoints} SET events = events - 1"))
    code, report = _verify(store_url)
    store.close()
    assert code == exit_codes.TAMPERED
    assert "signature does not match" in report["broken"][0]["reason"]


def test_verify_without_the_key_cannot_vouch_for_the_checkpoints(
    store_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    store = EventStore(store_url)
    _written(store)
    store.close()
    monkeypatch.setenv("CASELEDGER_KEY_FILE", str(tmp_path / "elsewhere.key"))
    code, report = _verify(store_url)
    assert code == exit_codes.TAMPERED
    assert "no checkpoint key" in report["broken"][0]["reason"]


def test_a_relabelled_topic_does_not_change_what_history_shows(store_url: str) -> None:
    store = EventStore(store_url)
    _written(store)
    tamperer = Tamperer(store)
    with tamperer.unguarded() as conn:
        _topic_relabelled(tamperer, conn)
    store.close()
    store = EventStore(store_url)
    assert store.stream("C-TA-1")[1].kind == "case_note_recorded"  # the hashed kind, not the topic
    store.close()


def test_a_store_from_before_anchors_gets_its_heads_and_then_shows_truncation(
    store_url: str,
) -> None:
    store = EventStore(store_url)
    _written(store)
    tamperer = Tamperer(store)
    with tamperer.unguarded() as conn:  # as the store was before heads and checkpoints
        from sqlalchemy import text

        prefix = "" if store.db.is_sqlite else f'"{store.db.schema}".'
        for table in ("caseledger_heads", "caseledger_checkpoints"):
            conn.execute(text(f"DROP TABLE {prefix}{table}"))
        if not store.db.is_sqlite:
            conn.execute(
                text(f"DROP TRIGGER {store.events_table}_head_anchor ON {store.qualified_table}")
            )
    store.close()
    upgraded = EventStore(store_url)  # fills the heads from the events already stored
    assert upgraded.verify().ok
    with Tamperer(upgraded).unguarded() as conn:
        _tail_removed(Tamperer(upgraded), conn)
    code, report = _verify(store_url)
    upgraded.close()
    assert code == exit_codes.TAMPERED
    assert (
        "tail truncated: 4 events stored, but its head anchor says 6"
        in report["broken"][0]["reason"]
    )
