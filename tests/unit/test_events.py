"""The event catalogue: every kind has an example, validates, and keeps its shape."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from domain.errors import InvalidEvent
from domain.events import EVENT_TYPES
from domain.events.base import LONDON
from domain.parsing import event_to_data, parse_event
from tests.factories import EXAMPLE_FIELDS, example, example_data


def test_every_kind_has_an_example() -> None:
    assert sorted(EVENT_TYPES) == sorted(EXAMPLE_FIELDS)


def test_catalogue_covers_the_journey() -> None:
    assert len(EVENT_TYPES) >= 75
    for kind in (
        "contact_received",
        "referral_received",
        "referral_decision",
        "strategy_discussion_held",
        "section_47_started",
        "section_47_concluded",
        "assessment_authorised",
        "assessment_extended",
        "initial_child_protection_conference_held",
        "child_protection_plan_started",
        "became_looked_after",
        "placement_started",
        "looked_after_review_held",
        "order_made",
        "placed_for_adoption",
        "pathway_plan_agreed",
        "entry_corrected",
        "entry_recorded_in_error",
        "child_visited",
        "case_closed",
    ):
        assert kind in EVENT_TYPES


@pytest.mark.parametrize("kind", sorted(EXAMPLE_FIELDS))
def test_every_kind_round_trips_through_json(kind: str) -> None:
    event = example(kind)
    again = parse_event(event_to_data(event))
    assert again == event
    assert again.kind == kind


def test_bare_date_stays_a_date_and_datetime_is_london() -> None:
    assert example("case_note_recorded", occurred_at="2026-03-29").occurred_at == date(2026, 3, 29)
    moment = example("case_note_recorded", occurred_at="2026-03-29T01:30:00+00:00").occurred_at
    assert isinstance(moment, datetime)
    assert moment.tzinfo is not None and moment.utcoffset().total_seconds() == 3600  # BST
    naive = example("case_note_recorded", occurred_at="2026-01-15T09:30").occurred_at
    assert naive == datetime(2026, 1, 15, 9, 30, tzinfo=LONDON)


def test_missing_field_is_named() -> None:
    data = example_data("child_visited")
    del data["seen"]
    with pytest.raises(InvalidEvent) as raised:
        parse_event(data)
    assert raised.value.field == "seen"
    assert raised.value.kind == "child_visited"
    assert "is required" in str(raised.value)


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(InvalidEvent) as raised:
        parse_event({**example_data("case_note_recorded"), "kind": "child_teleported"})
    assert raised.value.field == "kind"
    assert "unknown event kind 'child_teleported'" in str(raised.value)


def test_caller_cannot_set_recorded_at() -> None:
    with pytest.raises(InvalidEvent) as raised:
        parse_event({**example_data("case_note_recorded"), "recorded_at": "2026-01-01T00:00"})
    assert raised.value.field == "recorded_at"


def test_wrong_code_names_field_and_allowed_values() -> None:
    with pytest.raises(InvalidEvent) as raised:
        parse_event(example_data("child_protection_plan_started", category_of_abuse="XXX"))
    assert raised.value.field == "category_of_abuse"
    assert "'NEG'" in str(raised.value)


def test_same_day_strategy_discussion_needs_its_reason() -> None:
    with pytest.raises(InvalidEvent) as raised:
        parse_event(example_data("strategy_discussion_held", urgency="same_day"))
    assert "same_day_reason is required" in str(raised.value)


def test_significance_default_and_override() -> None:
    assert example("referral_received").is_significant is True
    assert example("case_note_recorded").is_significant is False
    assert example("case_note_recorded", significant=True).is_significant is True
    assert example("referral_received", significant=False).is_significant is False


def test_upn_check_letter_is_enforced() -> None:
    assert example("child_registered", upn="A123456789012").upn == "A123456789012"
    with pytest.raises(InvalidEvent) as raised:
        parse_event(example_data("child_registered", upn="B123456789012"))
    assert raised.value.field == "upn"
    assert "fails the DfE check letter" in str(raised.value)
    assert "123456789012" not in str(raised.value)  # a UPN is personal: never echoed
