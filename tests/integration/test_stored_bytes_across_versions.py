"""Rows written by an earlier version of the store still hash, link and verify; new rows match them.

``data/stored_rows_main_96c6bf5.jsonl`` holds the rows ``main`` at 96c6bf5 wrote for the
every-kind journey (``tests.journeys``), recorded with fixed event ids and a fixed clock.
Every stored hash is over the canonical JSON of those bytes, so the write path may get faster
but must keep writing them byte for byte, and must keep verifying what was written before.
(If the journey or an event kind changes on purpose, this file is regenerated from the code of
the commit before the change, never from the change itself.)
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eventsourcing.persistence import StoredEvent

from adapters.store import EventStore, stream_id
from domain.envelope import GENESIS_HASH, content_hash
from domain.writers import POLICY_WRITER
from tests.journeys import events_of, every_kind_journey

ROWS = Path(__file__).parent / "data" / "stored_rows_main_96c6bf5.jsonl"
CHILD = "C-EX-1"


def _rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in ROWS.read_text(encoding="utf-8").splitlines()]


def _ids() -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"00000000-0000-4000-8000-{next(counter):012d}"


def test_rows_written_before_hash_and_link_with_this_code() -> None:
    previous = GENESIS_HASH
    rows = _rows()
    assert len(rows) > 80
    for number, row in enumerate(rows, start=1):
        data = json.loads(row["state"])
        stored_hash = data.pop("hash")
        assert content_hash(data) == stored_hash
        assert data["prev_hash"] == previous and data["position"] == row["version"] == number
        previous = stored_hash


def test_the_same_events_written_now_are_the_same_bytes(
    store_url: str, make_store: Callable[..., EventStore]
) -> None:
    store = make_store(store_url, new_id=_ids())
    store.record(events_of(every_kind_journey(CHILD)), writer=POLICY_WRITER)
    written = store.recorder.select_notifications(start=0, limit=1000)
    expected = _rows()
    assert len(written) == len(expected)
    for row, before in zip(written, expected, strict=True):
        assert (row.topic, row.originator_version) == (before["topic"], before["version"])
        assert row.state == before["state"].encode()


def test_a_store_holding_rows_written_before_verifies(
    store_url: str, make_store: Callable[..., EventStore]
) -> None:
    store = make_store(store_url)
    store.recorder.insert_events(
        [
            StoredEvent(
                originator_id=stream_id(CHILD),
                originator_version=row["version"],
                topic=row["topic"],
                state=row["state"].encode(),
            )
            for row in _rows()
        ]
    )
    report = store.verify()
    assert report.ok and report.events == len(_rows())
    read = store.stream(CHILD)
    assert [item.event for item in read] == events_of(every_kind_journey(CHILD))
