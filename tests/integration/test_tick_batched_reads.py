"""A tick that reads each batch's streams in one query writes what reading them child by child
wrote: the same standards events, on the same records, and the same due-date index rows.

Two copies of one synthetic authority (``adapters/synthetic/synth.py``, 60 children: visits,
plans, late write-ups, corrections) are ticked at the same moment, one with
``EventStore.read_streams`` answering nothing (so the tick falls back to ``stream`` per child, the
path before), one as shipped. A second tick a month later must agree too. And
``EventStore.read_streams`` itself gives each child's stream as ``stream`` does, on both engines.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.readmodels.deadlines import deadline_children, deadline_open
from adapters.scheduler import PolicyHandler
from adapters.store import EventStore
from adapters.synthetic.synth import END, load
from tests.factories import example


def _tick(url: str, moments: list[datetime], batched: bool) -> dict[str, Any]:
    clock = {"now": moments[0]}
    store = EventStore(url, clock=lambda: clock["now"])
    if not batched:
        store.read_streams = lambda child_ids: {}  # type: ignore[method-assign]
    handler = PolicyHandler(store)
    reports = []
    for moment in moments:
        clock["now"] = moment
        reports.append(handler.tick(moment).as_json())
    written = {
        child: [
            (e.position, e.kind, e.event.idempotency_key, e.event.model_dump(mode="json"))
            for e in store.stream(child)
            if e.recorded_at >= moments[0]
        ]
        for child in store.children()
    }
    with handler.engine.connect() as conn:
        index = [
            tuple(r)
            for r in conn.execute(deadline_children.select().order_by(deadline_children.c.child_id))
        ]
        open_rows = sorted(tuple(str(v) for v in r) for r in conn.execute(deadline_open.select()))
    store.close()
    return {"reports": reports, "written": written, "index": index, "open": open_rows}


@pytest.mark.slow
def test_batched_stream_reads_write_what_reads_child_by_child_wrote(tmp_path: Path) -> None:
    base = tmp_path / "synth.db"
    store = EventStore(f"sqlite:///{base}")
    load(store, 60, 11)
    PolicyHandler(store).catch_up()
    store.close()
    for name in ("one.db", "batched.db"):
        shutil.copy(base, tmp_path / name)
    first = datetime.combine(END + timedelta(days=3), datetime.min.time(), tzinfo=UTC)
    moments = [first, first + timedelta(days=30)]
    before = _tick(f"sqlite:///{tmp_path / 'one.db'}", moments, batched=False)
    after = _tick(f"sqlite:///{tmp_path / 'batched.db'}", moments, batched=True)
    assert before["reports"][0]["children_checked"] == 60
    assert before["reports"][0]["breaches"] > 50 and before["reports"][0]["met_late"] > 0
    assert sum(len(w) for w in before["written"].values()) == sum(
        r["written"] for r in before["reports"]
    )
    assert after == before


def test_streams_reads_each_childs_whole_stream_as_stream_does(
    store_url: str, make_store: Callable[..., EventStore]
) -> None:
    """Both engines; more children than one SQLite key list holds (500), an unknown child,
    a repeated one, and streams of different lengths."""
    store = make_store(store_url)
    children = [f"C-MANY-{n:03d}" for n in range(520)]
    store.record([example("child_registered", c) for c in children])
    store.record([example("case_note_recorded", c) for c in children[::7]])
    store.record([example("case_note_recorded", c) for c in children[::13]])
    asked = [*reversed(children), "C-NOBODY", children[3]]
    found = store.read_streams(asked)
    assert list(found) == list(reversed(children))  # in the order asked, unknown left out
    for child in children:
        assert found[child] == store.stream(child)
    assert [e.position for e in found[children[0]]] == [1, 2, 3]
    assert store.read_streams([]) == {}
