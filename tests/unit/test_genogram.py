"""The genogram as data, on a synthetic blended family (see tests/blended_family.py)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from domain.codes import Sex
from domain.errors import InvalidEvent
from projections.genogram import Genogram, KinshipGroup, genogram, schema
from tests.blended_family import KAI, MIA, TWIN_A, TWIN_B, UNBORN, blended_family
from tests.factories import example

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "genogram.schema.json"


def _kai(**kw: object) -> Genogram:
    return genogram(blended_family().stream(KAI), index_child=KAI, **kw)  # type: ignore[arg-type]


def _ties(
    model: Genogram, group: KinshipGroup
) -> set[tuple[str, str, str, date | None, date | None]]:
    return {
        (t.kind.value, t.from_person, t.to_person, t.started_on, t.ended_on)
        for t in model.kinship
        if t.group is group
    }


def test_people_carry_sex_gender_birth_death_index_and_perpetrator_flags() -> None:
    model = _kai()
    assert [p.person_id for p in model.people if p.index_child] == [KAI]
    kai = model.person(KAI)
    assert (kai.first_name, kai.sex, kai.date_of_birth, kai.child_record) == (
        "Kai",
        Sex.MALE,
        date(2018, 5, 2),
        KAI,
    )
    jo = model.person("p-jo")
    assert (jo.sex, jo.gender_identity) == (Sex.UNKNOWN, "non-binary")
    gran = model.person("p-gran")
    assert (gran.deceased, gran.date_of_death) == (True, date(2023, 11, 2))
    unborn = model.person(UNBORN)
    assert (unborn.unborn, unborn.date_of_birth, unborn.expected_date_of_birth) == (
        True,
        None,
        date(2026, 9, 1),
    )
    assert model.person("p-dad").alleged_perpetrator is True
    assert model.person("p-mum").alleged_perpetrator is False
    assert model.person(MIA).child_record == MIA
    # Professionals are in the ecomap, never the tree.
    assert {e.person_id for e in model.ecomap} == {"prof-sw", "prof-hv"}
    assert [(e.name, e.organisation) for e in model.ecomap] == [
        ("Ash Brook", "Health Visiting Service"),
        ("Morgan Field", "Children's Social Care"),
    ]
    assert not {"prof-sw", "prof-hv"} & {p.person_id for p in model.people}
    assert len(model.people) == 14


def test_kinship_partners_siblings_and_parent_links_are_dated() -> None:
    model = _kai()
    assert _ties(model, KinshipGroup.PARTNERS) == {
        ("married", "p-gran", "p-grandad", date(1985, 6, 1), None),
        ("married", "p-dad", "p-mum", date(2012, 6, 16), date(2019, 1, 15)),
        ("separated", "p-dad", "p-mum", date(2019, 1, 15), date(2021, 4, 1)),
        ("divorced", "p-dad", "p-mum", date(2021, 4, 1), None),
        ("married", "p-mum", "p-sam", date(2022, 1, 20), None),
        ("cohabiting", "p-dad", "p-jo", date(2021, 11, 1), None),
        ("married", "p-adopt-1", "p-adopt-2", date(2015, 5, 5), None),
    }
    assert _ties(model, KinshipGroup.SIBLINGS) == {
        ("twin", TWIN_A, TWIN_B, date(2016, 3, 3), None),
        ("full_sibling", KAI, TWIN_A, None, None),
        ("full_sibling", KAI, TWIN_B, None, None),
        ("half_sibling", KAI, MIA, None, None),
        ("half_sibling", KAI, UNBORN, None, None),
    }
    parents = _ties(model, KinshipGroup.PARENT_CHILD)
    assert ("step_parent", "p-sam", KAI, date(2022, 1, 20), None) in parents
    assert ("foster_parent", "p-foster", KAI, date(2022, 3, 1), date(2023, 3, 1)) in parents
    assert ("adoptive_parent", "p-adopt-1", KAI, date(2023, 9, 1), None) in parents
    assert ("birth_parent", "p-gran", "p-mum", None, None) in parents
    births = {(f, t) for k, f, t, _, _ in parents if k == "birth_parent"}
    assert {f for f, t in births if t == MIA} == {"p-mum", "p-sam"}
    assert {f for f, t in births if t == KAI} == {"p-mum", "p-dad"}
    abuse = next(t for t in model.overlay if t.kind == "abuse")
    assert (abuse.from_person, abuse.to_person, abuse.directed, abuse.disputed) == (
        "p-dad",
        "p-mum",
        True,
        True,
    )
    assert {(t.kind, t.from_person, t.to_person) for t in model.overlay} == {
        ("close", KAI, "p-gran"),
        ("abuse", "p-dad", "p-mum"),
        ("conflict", "p-dad", "p-mum"),
        ("cut_off", "p-dad", "p-grandad"),
    }
    assert all(t.sources and t.sources[0].document == "CN-0001" for t in model.kinship)


def test_parental_responsibility_removed_by_the_adoption_order() -> None:
    model = _kai()
    order_id = blended_family().ids["ao"]
    got = {
        (p.person_id, p.started_on, p.ended_on, p.granted_by_order, p.ended_by_order)
        for p in model.parental_responsibility
    }
    assert got == {
        ("p-mum", None, date(2023, 9, 1), None, order_id),
        ("p-dad", None, date(2023, 9, 1), None, order_id),
        ("p-adopt-1", date(2023, 9, 1), None, order_id, None),
        ("p-adopt-2", date(2023, 9, 1), None, order_id, None),
    }
    ended = next(p for p in model.parental_responsibility if p.person_id == "p-dad")
    assert ended.end_reason == "adoption order made"


def test_households_are_time_bounded() -> None:
    model = _kai()
    homes = {
        h.household_id: {(m.person_id, m.started_on, m.ended_on) for m in h.members}
        for h in model.households
    }
    assert homes == {
        "hh-rowan": {
            ("p-mum", None, None),
            (KAI, None, date(2022, 3, 1)),
            (TWIN_A, None, None),
            (TWIN_B, None, None),
            ("p-sam", None, None),
        },
        "hh-penn": {(KAI, date(2023, 3, 1), None)},
    }


def test_as_known_at_ignores_relationships_recorded_later() -> None:
    then = datetime(2021, 12, 31, tzinfo=UTC)
    model = _kai(as_known_at=then)
    partners = _ties(model, KinshipGroup.PARTNERS)
    assert ("married", "p-mum", "p-sam", date(2022, 1, 20), None) not in partners
    assert ("divorced", "p-dad", "p-mum", date(2021, 4, 1), None) in partners
    ids = {p.person_id for p in model.people}
    assert "p-foster" not in ids and UNBORN not in ids and "p-adopt-1" not in ids
    assert {(p.person_id, p.ended_on) for p in model.parental_responsibility} == {
        ("p-mum", None),
        ("p-dad", None),
    }
    # Gran's death (2 Nov 2023) was only written down on 1 Dec 2023.
    assert _kai(as_known_at=datetime(2023, 11, 20, tzinfo=UTC)).person("p-gran").deceased is False
    assert _kai(as_known_at=datetime(2023, 12, 2, tzinfo=UTC)).person("p-gran").deceased is True
    assert model.as_known_at == then


def test_family_view_merges_records_without_duplicating_shared_ties() -> None:
    ledger = blended_family()
    model = genogram(ledger.all(), index_child=KAI, scope="family")
    assert model.scope == "family" and model.family_id == "FAM-BLEND"
    assert model.children == sorted([KAI, MIA, TWIN_A, TWIN_B, UNBORN])
    mia_births = [t for t in model.kinship if t.kind.value == "birth_parent" and t.to_person == MIA]
    assert len(mia_births) == 2  # written on Kai's and Mia's records, shown once each
    assert {s.child_id for t in mia_births for s in t.sources} == {KAI, MIA}
    assert {(p.person_id, p.child_id) for p in model.parental_responsibility} >= {
        ("p-mum", MIA),
        ("p-sam", MIA),
    }
    assert model.person(MIA).role == "half_sibling"
    assert model.warnings == []


def test_corrections_and_entries_in_error_change_the_genogram() -> None:
    ledger = blended_family()
    jo_added = next(
        e for e in ledger.stream(KAI) if e.kind == "person_added" and e.event.person_id == "p-jo"
    )
    cut = next(
        e
        for e in ledger.stream(KAI)
        if e.kind == "relationship_recorded" and e.event.relationship_id == "r-cut"
    )
    ledger.add(
        "entry_corrected",
        KAI,
        "2026-04-01",
        target_event_id=jo_added.event_id,
        changes={"first_name": "Joanne"},
        reason="Name spelt wrongly.",
    )
    ledger.add(
        "entry_recorded_in_error", KAI, "2026-04-01", target_event_id=cut.event_id, reason="Wrong."
    )
    model = genogram(ledger.stream(KAI), index_child=KAI)
    assert model.person("p-jo").first_name == "Joanne"
    assert all(t.kind != "cut_off" for t in model.overlay)


def test_schema_file_matches_the_model() -> None:
    on_disk = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert on_disk == schema()
    props = on_disk["properties"]
    for key in ("people", "kinship", "parental_responsibility", "households", "overlay", "ecomap"):
        assert key in props
    Genogram.model_validate_json(_kai().model_dump_json())


def _home_with_child(**looked_after: object) -> Genogram:
    from tests.blended_family import Ledger

    ledger = Ledger()
    ledger.add(
        "child_registered", "C-H", "2024-01-08", first_name="Robin", last_name="Hale",
        sex="F", date_of_birth="2019-03-14",
    )  # fmt: skip
    ledger.add(
        "person_added", "C-H", "2024-01-08", person_id="p-m", role="mother",
        first_name="Jess", last_name="Hale", sex="F", date_of_birth="1990-01-01",
    )  # fmt: skip
    for person in ("C-H", "p-m"):
        ledger.add(
            "relationship_recorded", "C-H", "2024-01-08", relationship_id=f"h-{person}",
            relationship="household_member", from_person=person, to_person="p-m" if person ==
            "C-H" else "C-H", started_on="2019-03-14", household_id="hh-1",
        )  # fmt: skip
    if looked_after:
        ledger.add("became_looked_after", "C-H", "2024-05-01", **looked_after)
    return genogram(ledger.all(), index_child="C-H")


def test_a_child_in_care_leaves_the_household_but_a_short_break_does_not() -> None:
    at_home = _home_with_child()
    [home] = at_home.households
    assert home.name == "Jess Hale and Robin Hale"  # no label: named by its members
    assert [m.person_id for m in home.members_on(None)] == ["p-m", "C-H"]
    [home] = _home_with_child(legal_status="V2").households
    assert [m.person_id for m in home.members_on(None)] == ["p-m"]
    left = next(m for m in home.members if m.person_id == "C-H")
    assert (left.ended_on, left.end_reason) == (date(2024, 5, 1), "became looked after")
    assert home.name == "Jess Hale"
    [home] = _home_with_child(legal_status="V3").households
    assert [m.person_id for m in home.members_on(None)] == ["p-m", "C-H"]


def test_a_household_label_belongs_to_a_household_membership() -> None:
    with pytest.raises(InvalidEvent, match="household_label is only for a household_member"):
        example("relationship_recorded", household_label="Family home")
