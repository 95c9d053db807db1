"""The synthetic authority: deterministic, valid under the record's rules, and realistic."""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from datetime import timedelta

import pytest

from adapters.synthetic.synth import AUTHORITIES, Journey, generate, long_record, snap_to_slot
from domain.child_record import ChildRecord
from domain.events.adoption import PlacedForAdoption
from domain.events.corrections import EntryCorrected, EntryRecordedInError
from domain.events.leaving_care import CareLeaverContact
from domain.events.looked_after import BecameLookedAfter, LegalStatusChanged, PlacementStarted
from domain.events.management import AuthorityRecorded
from domain.events.people import ChildBorn, ChildRegistered
from domain.events.safeguarding import StrategyDiscussionHeld

CHILDREN = 300


@pytest.fixture(scope="module")
def journeys() -> list[Journey]:
    return list(generate(CHILDREN, seed=11))


def _replay(journey: Journey) -> ChildRecord:
    """Write a journey into a bare aggregate at its planned write-up times (no database)."""
    record = ChildRecord(journey.child_id)
    ids: dict[str, str] = {}
    counter = itertools.count(1)
    for step in journey.steps:
        event = step.event
        if step.target_key is not None:
            event = event.model_copy(update={"target_event_id": ids[step.target_key]})
        decision = record.record(
            [event], recorded_at=step.recorded_at, new_id=lambda: f"e{next(counter)}"
        )
        record.commit(decision)
        ids[step.key] = decision.new[0].event_id
    return record


def test_the_same_seed_gives_the_same_authority_event_for_event() -> None:
    first = [(j.child_id, [(s.recorded_at, s.event) for s in j.steps]) for j in generate(40, 5)]
    again = [(j.child_id, [(s.recorded_at, s.event) for s in j.steps]) for j in generate(40, 5)]
    other = [(j.child_id, [(s.recorded_at, s.event) for s in j.steps]) for j in generate(40, 6)]
    assert first == again
    assert [c for c, _ in first] == sorted(c for c, _ in first) or len(first) == 40
    assert [e for _, e in first] != [e for _, e in other]


def test_asks_for_exactly_the_number_of_children(journeys: list[Journey]) -> None:
    ids = [j.child_id for j in journeys]
    assert len(ids) == CHILDREN
    assert len(set(ids)) == CHILDREN
    assert all(re.fullmatch(r"SYN-11-\d{6}", i) for i in ids)
    with pytest.raises(ValueError, match="children must be 0 or more"):
        list(generate(-1, 1))


def test_every_journey_keeps_the_records_rules(journeys: list[Journey]) -> None:
    # InvalidEvent from any step fails the test with the rule it broke
    for journey in journeys:
        record = _replay(journey)
        assert record.version == len(journey.steps)


def test_registration_first_and_nothing_recorded_before_it_happened(
    journeys: list[Journey],
) -> None:
    for journey in journeys:
        assert isinstance(journey.steps[0].event, ChildRegistered)
        times = [s.recorded_at for s in journey.steps]
        assert times == sorted(times)
        for step in journey.steps:
            assert step.recorded_at >= step.event.occurred_instant
            assert step.recorded_at == snap_to_slot(step.recorded_at)  # a write-up slot


def test_some_entries_are_written_up_days_late_but_most_the_same_day(
    journeys: list[Journey],
) -> None:
    delays = [s.recorded_at - s.event.occurred_instant for j in journeys for s in j.steps]
    late = sum(d > timedelta(days=2) for d in delays)
    same_week = sum(d <= timedelta(days=3) for d in delays)
    assert 0.02 < late / len(delays) < 0.2
    assert same_week / len(delays) > 0.8


def test_all_paths_and_all_five_authorities_with_their_la_codes(journeys: list[Journey]) -> None:
    paths = Counter(j.path for j in journeys)
    assert set(paths) == {"nfa", "assessment", "cin", "cp", "lac"}
    assert min(paths.values()) >= 20
    codes = {
        (s.event.authority, s.event.la_code)
        for j in journeys
        for s in j.steps
        if isinstance(s.event, AuthorityRecorded)
    }
    assert codes == set(AUTHORITIES)


def test_looked_after_children_have_orders_before_order_statuses(
    journeys: list[Journey],
) -> None:
    kinds = Counter(s.event.kind for j in journeys for s in j.steps)
    for kind in (
        "became_looked_after",
        "placement_started",
        "placement_ended",
        "order_made",
        "legal_status_changed",
        "placed_for_adoption",
        "ceased_to_be_looked_after",
        "care_leaver_contact",
        "child_protection_plan_started",
        "strategy_discussion_held",
        "entry_corrected",
        "entry_recorded_in_error",
        "child_born",
    ):
        assert kinds[kind] > 0, kind
    statuses = {
        s.event.legal_status.value
        for j in journeys
        for s in j.steps
        if isinstance(s.event, BecameLookedAfter | LegalStatusChanged)
    }
    assert {"V2", "C1", "C2", "E1"} <= statuses


def test_ages_fit_the_journey(journeys: list[Journey]) -> None:
    for journey in journeys:
        events = [s.event for s in journey.steps]
        reg = events[0]
        assert isinstance(reg, ChildRegistered)
        born = next((e for e in events if isinstance(e, ChildBorn)), None)
        dob = born.date_of_birth if born else reg.date_of_birth or reg.expected_date_of_birth
        assert dob is not None
        for event in events:
            age = (event.occurred_date - dob).days / 365.25
            if isinstance(event, CareLeaverContact):
                assert age >= 18, journey.child_id
            if isinstance(event, PlacedForAdoption):
                assert age < 7, journey.child_id
            if isinstance(event, PlacementStarted):
                assert age < 18, journey.child_id


def test_siblings_share_a_family_and_one_strategy_discussion(journeys: list[Journey]) -> None:
    families: dict[str, list[Journey]] = defaultdict(list)
    for journey in journeys:
        families[journey.family_id].append(journey)
    groups = [f for f in families.values() if len(f) > 1]
    assert len(groups) >= 20
    shared = 0
    for family in groups:
        meetings = [
            [s.event for s in j.steps if isinstance(s.event, StrategyDiscussionHeld)]
            for j in family
        ]
        if all(meetings):
            assert len({m[0].correlation_id for m in meetings}) == 1
            assert len({m[0].occurred_at for m in meetings}) == 1
            shared += 1
    assert shared >= 3


def test_corrections_target_an_earlier_entry_of_the_same_child(journeys: list[Journey]) -> None:
    seen = 0
    for journey in journeys:
        by_key = {s.key: (n, s) for n, s in enumerate(journey.steps)}
        for n, step in enumerate(journey.steps):
            if isinstance(step.event, EntryCorrected | EntryRecordedInError):
                assert step.target_key is not None
                target_index, target = by_key[step.target_key]
                assert target_index < n
                assert target.recorded_at < step.recorded_at
                assert step.event.target_event_id == f"@{step.target_key}"
                seen += 1
    assert seen > 10


def test_identifiers_are_fictional_but_well_formed(journeys: list[Journey]) -> None:
    letters = "ABCDEFGHJKLMNPQRTUVWXYZ"
    regs = [j.steps[0].event for j in journeys]
    for reg in regs:
        assert isinstance(reg, ChildRegistered)
        if reg.nhs_number:
            digits = [int(d) for d in reg.nhs_number]
            total = sum(d * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
            assert reg.nhs_number.startswith("999")  # the NHS test range
            assert (11 - total % 11) % 11 == digits[9]
        if reg.upn:
            total = sum(int(c) * w for c, w in zip(reg.upn[1:], range(2, 14), strict=True))
            assert reg.upn[0] == letters[total % 23]
    assert sum(1 for r in regs if r.upn) > 50


def test_the_long_record_has_the_asked_number_of_entries() -> None:
    journey = long_record("LONG-1", 600)
    assert len(journey.steps) == 600
    assert _replay(journey).version == 600


def test_synthetic_significant_entries_mostly_carry_an_impact_note() -> None:
    from adapters.synthetic.synth import generate

    journeys = generate(children=40, seed=7)
    significant = [
        s.event for j in journeys for s in j.steps if type(s.event).significant_by_default
    ]
    noted = [e for e in significant if e.impact_on_child]
    assert len(significant) > 200
    assert 0.75 < len(noted) / len(significant) < 0.95
