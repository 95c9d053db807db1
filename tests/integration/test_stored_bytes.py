"""The bytes the store writes are the canonical JSON of the recorded event, hash included.

``seal`` keeps the canonical bytes it hashed and ``to_stored`` writes them (with the hash
spliced in) instead of serialising the event again; these tests pin that the written row is
exactly what serialising from the fields gives, for every kind, so hashes and ``verify``
cannot drift.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

from adapters.store import EventStore, to_stored
from domain.envelope import GENESIS_HASH, canonical_json, content_hash, seal, with_hash
from domain.writers import POLICY_WRITER
from tests.factories import example
from tests.journeys import events_of, every_kind_journey


def _from_fields(item) -> bytes:  # type: ignore[no-untyped-def]
    # serialised again from the event's fields, not from any payload the record kept
    return canonical_json(
        {**item.stored_content(), "payload": item.event.payload(), "hash": item.hash}
    )


def test_written_rows_are_the_canonical_json_of_every_kind(store: EventStore) -> None:
    written = store.record(events_of(every_kind_journey("C-EX-1")), writer=POLICY_WRITER)
    assert all(item.sealed_bytes is not None for item in written)
    rows = store.recorder.select_notifications(start=0, limit=1000)
    assert len(rows) == len(written)
    for item, row in zip(written, rows, strict=True):
        assert row.state == _from_fields(item)
        data = json.loads(row.state)
        assert data.pop("hash") == item.hash == content_hash(data)
    assert store.verify().ok


def test_events_read_back_keep_the_stored_payload_which_is_their_payload(
    store: EventStore,
) -> None:
    """Projections reuse the decoded payload instead of serialising each event again."""
    written = store.record(events_of(every_kind_journey("C-EX-1")), writer=POLICY_WRITER)
    read = store.stream("C-EX-1")
    assert len(read) == len(written) > 50
    for before, after in zip(written, read, strict=True):
        assert after.stored_payload is not None
        assert after.stored_payload == after.event.payload() == before.event.payload()
        assert after.payload() is after.stored_payload
        assert before.payload() == before.event.payload()  # kept by seal
    moved = read[0].with_global_position(99)
    assert moved.stored_payload is None and moved.payload() == read[0].event.payload()


def test_hash_is_spliced_before_kind_even_when_text_looks_like_a_key() -> None:
    event = example("case_note_recorded", summary='a,"kind":"x" and ,"hash":"y" – ünïcode')
    sealed = seal(
        event_id="6f1c2a7e-0000-4000-8000-000000000001",
        position=1,
        recorded_at=datetime(2025, 3, 1, 9, 30, tzinfo=UTC),
        event=event,
        prev_hash=GENESIS_HASH,
    )
    assert sealed.sealed_bytes == canonical_json(sealed.stored_content())
    assert to_stored(sealed).state == _from_fields(sealed)
    assert with_hash(b'{"child_id":"C","event_id":"E","kind":"k"}', "ab") == (
        b'{"child_id":"C","event_id":"E","hash":"ab","kind":"k"}'
    )


def test_a_replaced_event_is_serialised_from_its_fields_not_stale_bytes() -> None:
    sealed = seal(
        event_id="6f1c2a7e-0000-4000-8000-000000000002",
        position=1,
        recorded_at=datetime(2025, 3, 1, 9, 30, tzinfo=UTC),
        event=example("case_note_recorded", summary="First."),
        prev_hash=GENESIS_HASH,
    )
    changed = replace(sealed, event=example("case_note_recorded", summary="Second."))
    assert changed.sealed_bytes is None
    assert changed == replace(sealed, event=changed.event)
    assert b"Second." in to_stored(changed).state
    assert sealed == replace(sealed)  # the kept bytes take no part in equality
