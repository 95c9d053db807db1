"""The replay's memoised schedule gives, step by step, what judging afresh at every step gives.

:class:`policies.engine.Schedule` judges the rules once for all events added since it was last
read, and hands back the previous step's answer while no due or cancellation time is passed;
the replay reuses breaches, decisions and their JSON while those answers are unchanged.
``Schedule.memo = False`` is the path before (rules judged after each event, every step judged
afresh). Both are run over the demo family and a synthetic family, and every field a step shows
(the CLI's ``--json`` with the full chronology, the text view's lines, every deadline and the
whole legal status) must be equal at every step.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.packs import load_packs
from adapters.store import EventStore
from adapters.synthetic.demo_family import write_demo
from adapters.synthetic.synth import load
from domain.envelope import RecordedEvent
from policies.engine import Schedule, evaluate
from policies.rules import PackSet
from projections.replay import Snapshot, _ChildFold, replay
from tests.blended_family import Ledger


@pytest.fixture(scope="module")
def packs() -> PackSet:
    return load_packs()


def _family(store: EventStore, family: str | None = None) -> tuple[list[str], list[RecordedEvent]]:
    members: dict[str, list[RecordedEvent]] = {}
    for child in store.children():
        stream = store.stream(child)
        registered = next((e for e in stream if e.kind == "child_registered"), None)
        fid = getattr(registered.event, "family_id", None) if registered else None
        if family is None or fid == family:
            members[child] = stream
    children = sorted(members)
    return children, [e for c in children for e in members[c]]


def _shown(snap: Snapshot) -> dict[str, Any]:
    """Every field of a step: the JSON the CLI writes, and what its text view prints."""
    text = snap.as_json_text()  # what ``replay --json`` writes: the reused texts ...
    assert text == json.dumps(snap.as_json(), default=str), f"step {snap.step}: text differs"
    data = snap.as_json(full_chronology=True)
    data["text"] = text  # ... and the same bytes on both paths
    data["deadlines"] = {c: [d.as_json() for d in s.deadlines] for c, s in snap.children.items()}
    data["open"] = {c: [d.key for d in s.open_deadlines] for c, s in snap.children.items()}
    data["status"] = {c: s.status.model_dump(mode="json") for c, s in snap.children.items()}
    data["breaches"] = {c: [repr(b) for b in s.breaches] for c, s in snap.children.items()}
    data["decisions"] = {c: [repr(d) for d in s.decisions] for c, s in snap.children.items()}
    data["new_events"] = [e.event_id for e in snap.new_events]
    return json.loads(json.dumps(data, default=str))


def _both(
    monkeypatch: pytest.MonkeyPatch,
    packs: PackSet,
    events: list[RecordedEvent],
    children: list[str],
    family: str,
    start: date,
    end: date,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[Snapshot]]:
    def run() -> tuple[list[dict[str, Any]], list[Snapshot]]:
        snaps = list(
            replay(
                events, packs, start=start, end=end, step="day", children=children, family_id=family
            )
        )
        return [_shown(s) for s in snaps], snaps

    fast, snaps = run()
    with monkeypatch.context() as patch:
        patch.setattr(Schedule, "memo", False)
        patch.setattr(_ChildFold, "status_memo", False)
        slow, _ = run()
    return fast, slow, snaps


def _compare(fast: list[dict[str, Any]], slow: list[dict[str, Any]]) -> None:
    assert len(fast) == len(slow)
    for mine, theirs in zip(fast, slow, strict=True):
        assert mine == theirs, f"step {theirs['step']} ({theirs['at']}) differs"


def test_demo_family_by_day_is_the_same_step_by_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, packs: PackSet
) -> None:
    result = write_demo(f"sqlite:///{tmp_path / 'demo.db'}")
    store = EventStore(result.url)
    children, events = _family(store)
    store.close()
    first = min(e.recorded_at for e in events).date()
    fast, slow, snaps = _both(
        monkeypatch, packs, events, children, "FAM-DEMO", first, first + timedelta(days=400)
    )
    _compare(fast, slow)
    # the steps do show something that changes: deadlines come due and are met over the year
    assert len({json.dumps(s["deadlines"], sort_keys=True) for s in slow}) > 20
    assert sum(len(c["breaches_known"]) for s in slow for c in s["children"].values()) > 0
    # and the memoised answer is what the engine judges from the events known at that moment
    for snap in snaps[::37]:
        known = [e for e in events if e.recorded_at <= snap.at]
        for child, state in snap.children.items():
            mine = [e for e in known if e.child_id == child]
            assert list(state.deadlines) == evaluate(mine, packs, snap.at)


def test_synthetic_family_by_day_over_a_year_is_the_same_step_by_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, packs: PackSet
) -> None:
    store = EventStore(f"sqlite:///{tmp_path / 'synth.db'}")
    load(store, 40, 7)
    sizes: Counter[str] = Counter()
    families: dict[str, str] = {}
    for child in store.children():
        stream = store.stream(child)
        registered = next(e for e in stream if e.kind == "child_registered")
        fid = registered.event.family_id  # type: ignore[attr-defined]
        families[child] = fid
        sizes[fid] += len(stream) * (2 if sizes[fid] else 1)  # favour families of siblings
    family = sizes.most_common(1)[0][0]
    children, events = _family(store, family)
    store.close()
    assert len(children) >= 2
    first = min(e.recorded_at for e in events).date()
    fast, slow, _ = _both(
        monkeypatch, packs, events, children, family, first, first + timedelta(days=365)
    )
    _compare(fast, slow)
    assert sum(len(s["recorded_in_step"]) for s in slow) > 50


def test_a_status_event_recorded_minutes_before_it_happens_shows_once_it_has(
    monkeypatch: pytest.MonkeyPatch, packs: PackSet
) -> None:
    """Step by event: a placement written down ten minutes before it starts (the allowance for
    the future is fifteen) is not in force at the step it was recorded, and is at the next."""
    ledger, child = Ledger(), "C-EARLY"
    ledger.add(
        "child_registered", child, "2021-01-04", first_name="Ola", last_name="Example",
        sex="M", date_of_birth="2012-06-01", upn=None, nhs_number=None,
    )  # fmt: skip
    ledger.add(
        "became_looked_after", child, "2021-01-04", legal_status="V2", legal_basis="s20",
        category_of_need="N4",
    )  # fmt: skip
    ledger.add(
        "placement_started", child, datetime(2021, 3, 1, 10, 10, tzinfo=UTC),
        recorded=datetime(2021, 3, 1, 10, 0, tzinfo=UTC), placement_id="a",
        placement_type="U4", provider="PR1", postcode="ZZ5 5ZZ",
    )  # fmt: skip
    ledger.add(
        "case_note_recorded", child, datetime(2021, 3, 1, 10, 20, tzinfo=UTC),
        recorded=datetime(2021, 3, 1, 10, 30, tzinfo=UTC),
    )  # fmt: skip
    events = ledger.stream(child)

    def run() -> tuple[list[dict[str, Any]], list[Snapshot]]:
        snaps = list(
            replay(events, packs, start=date(2021, 1, 4), end=date(2021, 3, 1), step="event")
        )
        return [_shown(s) for s in snaps], snaps

    fast, snaps = run()
    with monkeypatch.context() as patch:
        patch.setattr(Schedule, "memo", False)
        patch.setattr(_ChildFold, "status_memo", False)
        slow, _ = run()
    _compare(fast, slow)
    placed = [s.children[child].status.placement is not None for s in snaps]
    assert placed[-2:] == [False, True]
