"""An encrypted import: a batch's subject keys read in one query, new ones saved with its events.

The keys a batch needs are read before it is sealed, and keys made for new subjects are saved
in one transaction just before the events: a refused batch therefore leaves no key behind, a
destroyed subject still takes nothing new, and what was written decrypts and verifies.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from adapters.shredding.subject_keys import subject_keys
from adapters.store import EventStore
from domain.errors import InvalidEvent
from domain.events import CaseEvent
from tests.factories import example

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # the clock fixture's "now" is 2026-06-01


def _family(child_id: str) -> list[CaseEvent]:
    return [
        example("child_registered", child_id, "2026-03-02"),
        example("person_added", child_id, "2026-03-02", person_id=f"p-mother-{child_id}"),
        example("child_visited", child_id, "2026-03-04"),
    ]


def _times(events: list[CaseEvent]) -> list[datetime]:
    return [T0 + timedelta(days=3, hours=n) for n in range(len(events))]


def _subjects(store: EventStore) -> set[str]:
    assert store.shredder is not None
    engine = store.shredder.keys.engine
    with engine.connect() as conn:
        if not engine.dialect.has_table(conn, subject_keys.name):
            return set()
        return {row[0] for row in conn.execute(select(subject_keys.c.subject_id))}


@pytest.fixture
def encrypted(
    store_url: str, make_store: Callable[..., EventStore], monkeypatch: pytest.MonkeyPatch
) -> EventStore:
    monkeypatch.setenv("CASELEDGER_ENCRYPT", "on")
    store = make_store(store_url)
    assert store.shredder is not None
    return store


def test_a_batch_saves_the_keys_of_its_new_subjects_and_reads_back(
    encrypted: EventStore, store_url: str, make_store: Callable[..., EventStore]
) -> None:
    events = _family("C-K-1") + _family("C-K-2")
    encrypted.import_batch(events, _times(events))
    assert _subjects(encrypted) == {
        "child:C-K-1",
        "child:C-K-2",
        "person:p-mother-C-K-1",
        "person:p-mother-C-K-2",
    }
    fresh = make_store(store_url)  # keys from the table, not this process's memory
    stream = fresh.stream("C-K-2")
    assert stream[0].event == events[3] and stream[1].event == events[4]
    assert fresh.verify().ok


def test_a_refused_batch_leaves_no_key_behind(encrypted: EventStore) -> None:
    events = _family("C-K-3")
    events.append(example("child_visited", "C-K-4", "2026-03-04"))  # C-K-4 is not registered
    with pytest.raises(InvalidEvent) as refused:
        encrypted.import_batch(events, _times(events))
    assert refused.value.index == 3 and refused.value.field == "child_id"
    assert _subjects(encrypted) == set()
    assert encrypted.max_position() == 0
    encrypted.import_batch(events[:3], _times(events[:3]))  # the same keys are made again
    assert _subjects(encrypted) == {"child:C-K-3", "person:p-mother-C-K-3"}
    assert [e.event for e in encrypted.stream("C-K-3")] == events[:3]


def test_a_destroyed_child_takes_nothing_new_in_a_later_process(
    encrypted: EventStore, store_url: str, make_store: Callable[..., EventStore]
) -> None:
    events = _family("C-K-5")
    encrypted.import_batch(events, _times(events))
    assert encrypted.shredder is not None
    encrypted.shredder.keys.destroy(["child:C-K-5"], by="test")
    later = make_store(store_url)
    note = example("case_note_recorded", "C-K-5", "2026-03-05")
    with pytest.raises(InvalidEvent) as refused:
        later.import_batch([note], [T0 + timedelta(days=5)])
    assert refused.value.field == "child_id" and "destroyed" in refused.value.rule
    assert later.max_position() == 3


def test_a_lone_surrogate_in_an_encrypted_field_is_refused_by_name(encrypted: EventStore) -> None:
    events = _family("C-K-6")
    events[2] = events[2].model_copy(update={"summary": "a\ud800b"})
    with pytest.raises(InvalidEvent) as refused:
        encrypted.import_batch(events, _times(events))
    assert refused.value.field == "summary" and "lone surrogate" in refused.value.rule
    assert refused.value.index == 2
    assert encrypted.max_position() == 0 and _subjects(encrypted) == set()


def test_a_key_made_elsewhere_meanwhile_refuses_the_batch_and_the_retry_uses_it(
    encrypted: EventStore,
    store_url: str,
    make_store: Callable[..., EventStore],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other = make_store(store_url)
    keys = encrypted.shredder.keys if encrypted.shredder is not None else None
    assert other.shredder is not None and keys is not None
    first = _family("C-K-7")[:1]
    encrypted.import_batch(first, _times(first))  # the table exists; C-K-8 has no key yet
    prepare = keys.prepare
    calls: list[int] = []

    def prepare_then_race(subjects: object) -> None:
        prepare(subjects)  # type: ignore[arg-type]
        calls.append(1)
        if len(calls) == 1:  # another process makes the key after this one looked
            assert other.shredder is not None
            other.shredder.keys.key_for_writing("child:C-K-8")

    monkeypatch.setattr(keys, "prepare", prepare_then_race)
    events = _family("C-K-8")
    encrypted.import_batch(events, _times(events))  # refused once by the key, then retried
    assert len(calls) == 2
    with keys.engine.connect() as conn:
        count = conn.execute(
            select(func.count())
            .select_from(subject_keys)
            .where(subject_keys.c.subject_id == "child:C-K-8")
        ).scalar()
    assert count == 1
    fresh = make_store(store_url)
    assert [e.event for e in fresh.stream("C-K-8")] == events
    assert fresh.verify().ok
