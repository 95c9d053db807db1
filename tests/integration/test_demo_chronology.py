"""The demo family's chronology as a court would read it: shared events once, analysis, order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.store import EventStore
from adapters.synthetic.demo_family import CHILDREN, JORDAN, MIA, DemoResult, write_demo
from projections.chronology import Chronology, ChronologyQuery, compose, fold


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DemoResult, EventStore]]:
    path: Path = tmp_path_factory.mktemp("demo-chronology") / "demo.db"
    result = write_demo(f"sqlite:///{path}")
    store = EventStore(result.url)
    yield result, store
    store.close()


def _chronology(store: EventStore, *children: str, family: bool = False) -> Chronology:
    events = [e for c in children for e in store.stream(c)]
    events.sort(key=lambda e: e.global_position or 0)
    entries, amendments = fold(events)
    query = ChronologyQuery(children=children, family_id="FAM-DEMO" if family else None)
    return compose(entries, amendments, query)


def test_the_family_chronology_shows_a_shared_event_once_naming_the_children(
    demo: tuple[DemoResult, EventStore],
) -> None:
    _, store = demo
    chron = _chronology(store, *CHILDREN, family=True)
    shared = [(e.date, e.kind, e.child_names) for e in chron.entries if len(e.children) > 1]
    both = ("Jordan Fairholm", "Mia Brantwood")
    assert shared[:6] == [
        ("09/03/2021 09:15", "referral_received", both),
        ("09/03/2021 11:40", "referral_decision", both),
        ("10/03/2021 10:00", "strategy_discussion_held", both),
        ("10/03/2021", "section_47_started", both),
        ("10/03/2021", "assessment_started", both),
        ("20/04/2021", "assessment_completed", both),
    ]
    # no event written by one action appears twice (each twin's registration is its own)
    keys = [(e.date, e.kind, e.detail) for e in chron.entries if e.kind != "child_registered"]
    assert len(keys) == len(set(keys))
    # each child's own chronology still has its copy
    own = _chronology(store, MIA)
    assert [e.kind for e in own.entries if e.date == "10/03/2021 10:00"] == [
        "strategy_discussion_held"
    ]
    assert _chronology(store, JORDAN).entries[1].children == (JORDAN,)


def test_most_significant_demo_entries_carry_the_impact_on_the_child(
    demo: tuple[DemoResult, EventStore],
) -> None:
    _, store = demo
    chron = _chronology(store, JORDAN)
    with_impact = [e for e in chron.entries if e.impact]
    assert (len(with_impact), len(chron.entries)) == (42, 51)
    plan = next(e for e in chron.entries if e.kind == "child_protection_plan_started")
    assert plan.impact.startswith("Jordan is seen at least every 20 working days, alone")
    assert chron.quality.lines()[1].startswith(
        "Impact on the child recorded for 42 of 51 entries; not recorded for No. 2, 14,"
    )
