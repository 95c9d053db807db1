"""The demo family's genograms: labels on their own symbols, households over time,
half-siblings in the index child's genogram."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from adapters.exporters.genogram_graphviz import render
from adapters.store import EventStore
from adapters.synthetic.demo_family import (
    CHILDREN,
    HOME,
    JORDAN,
    MIA,
    TWIN_A,
    TWIN_B,
    UNBORN,
    write_demo,
)
from projections.genogram import Genogram, genogram
from tests.unit.test_genogram_svg import _groups, _texts, labels_outside_their_symbol

TODAY = date(2026, 12, 1)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EventStore]:
    path: Path = tmp_path_factory.mktemp("demo-genogram") / "demo.db"
    result = write_demo(f"sqlite:///{path}")
    with EventStore(result.url) as opened:
        yield opened


def _model(store: EventStore, scope: str) -> Genogram:
    events = [e for c in CHILDREN for e in store.stream(c)]
    return genogram(events, index_child=JORDAN, scope=scope)  # type: ignore[arg-type]


@pytest.mark.parametrize("scope", ["child", "family"])
def test_every_label_lies_within_its_own_symbol(store: EventStore, scope: str) -> None:
    root = ET.fromstring(render(_model(store, scope), "svg", today=TODAY))
    assert labels_outside_their_symbol(root) == []
    people = _groups(root, "person")
    assert _texts(people[MIA]) == ["Mia Brantwood", "b. 2019, aged 7"]
    assert _texts(people[UNBORN]) == ["Baby Ellison", "due 10/02/2027"]
    assert _texts(people["p-mother"])[0] == "Kerry Ashdown"


def test_an_adopted_child_has_left_the_birth_household(store: EventStore) -> None:
    family = _model(store, "family")
    [home] = family.households
    assert (home.household_id, home.label, home.name) == ("hh-ashdown", HOME, HOME)
    jordan = next(m for m in home.members if m.person_id == JORDAN)
    assert (jordan.started_on, jordan.ended_on, jordan.end_reason) == (
        date(2016, 4, 12),
        date(2022, 5, 20),
        "became looked after",
    )
    now = [m.person_id for m in home.members_on(None)]
    assert now == ["p-stepfather", "p-mother", MIA, TWIN_A, TWIN_B]
    assert JORDAN in [m.person_id for m in home.members_on(date(2021, 3, 9))]
    # the picture: Jordan outside the boundary, which is named by its address label
    root = ET.fromstring(render(family, "svg", today=TODAY))
    cluster = _groups(root, "cluster")["household:hh-ashdown"]
    assert _texts(cluster) == [f"Living together now: {HOME}"]


def test_half_siblings_are_in_the_index_childs_own_genogram(store: EventStore) -> None:
    own = _model(store, "child")
    people = {p.person_id for p in own.people}
    assert {MIA, TWIN_A, TWIN_B, UNBORN} <= people
    assert "p-father-mia" not in people  # Mia's father is on her record, not Jordan's
    births = {(t.from_person, t.to_person) for t in own.kinship if t.kind.value == "birth_parent"}
    assert ("p-mother", MIA) in births and ("p-stepfather", TWIN_A) in births
    # his record alone still draws him without them
    alone = genogram(store.stream(JORDAN), index_child=JORDAN)
    assert MIA not in {p.person_id for p in alone.people}
