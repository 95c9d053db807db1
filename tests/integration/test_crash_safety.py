"""A writer killed mid-stream loses nothing it acknowledged and leaves no half-event; old shapes upcast."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from typing import Any, ClassVar

from adapters.decoding import from_stored
from adapters.store import EventStore, stream_id, to_stored
from domain.envelope import seal
from domain.events.base import CaseEvent, Category
from tests.factories import example

WRITER = textwrap.dedent(
    """
    import sys
    from adapters.store import EventStore
    from tests.factories import example
    store = EventStore(sys.argv[1])
    store.record([example("child_registered", "C-CRASH")])
    i = 0
    while True:
        batch = [example("case_note_recorded", "C-CRASH", summary=f"note {i}-{j}") for j in range(50)]
        for item in store.record(batch):
            print(item.event_id, flush=True)
        i += 1
    """
)


def test_killed_writer_loses_nothing_acknowledged(store_url: str) -> None:
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, store_url], stdout=subprocess.PIPE, text=True, env=env
    )
    acknowledged = []
    assert proc.stdout is not None
    for line in proc.stdout:
        acknowledged.append(line.strip())
        if len(acknowledged) >= 730:  # mid-way through a batch of 50
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    store = EventStore(store_url)
    try:
        stream = store.stream("C-CRASH")
        ids = {e.event_id for e in stream}
        assert set(acknowledged) <= ids
        assert (len(stream) - 1) % 50 == 0  # whole batches only: no half-written batch
        assert [e.position for e in stream] == list(range(1, len(stream) + 1))
        assert store.verify().ok
        store.record_one(example("case_note_recorded", "C-CRASH", summary="after restart"))
    finally:
        store.close()


class ShapeChanged(CaseEvent, register=False):
    """A test-only event whose shape changed: v1 had 'worker', v2 has 'worker_id' and 'team'."""

    category: ClassVar[Category] = Category.MANAGEMENT
    class_version: ClassVar[int] = 2
    worker_id: str
    team: str

    @staticmethod
    def upcast_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
        data["worker_id"] = data.pop("worker")
        data.setdefault("team", "unknown")
        return data


def test_old_event_shapes_are_upcast_on_read_and_still_verify() -> None:
    current = ShapeChanged.model_validate(
        {
            **example("case_note_recorded").model_dump(exclude={"note"}),
            "worker_id": "sw-1",
            "team": "A",
        }
    )
    sealed = seal(
        event_id="e-1",
        position=1,
        recorded_at=example("child_registered").occurred_instant,
        event=current,
        prev_hash="0" * 64,
    )
    stored = to_stored(sealed)
    state = json.loads(stored.state)
    # Rewrite it as version 1 would have stored it.
    state["version"] = 1
    state["payload"]["worker"] = state["payload"].pop("worker_id")
    del state["payload"]["team"]
    old = type(stored)(
        stored.originator_id, stored.originator_version, stored.topic, json.dumps(state).encode()
    )
    read = from_stored(old)
    assert isinstance(read.event, ShapeChanged)
    assert read.event.worker_id == "sw-1"
    assert read.event.team == "unknown"
    assert read.stored_version == 1
    assert stored.originator_id == stream_id("C-EX-1")
