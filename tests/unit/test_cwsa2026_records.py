"""Children's Wellbeing and Schools Act 2026: the NHS number, the new events, the chronology.

Every NHS number here is synthetic, from the NHS's reserved 999 test range.
"""

from __future__ import annotations

import pytest

from domain.errors import InvalidEvent
from domain.nhs_number import (
    NhsNumber,
    nhs_check_digit,
    nhs_number_problem,
    synthetic_nhs_number,
)
from domain.parsing import parse_event
from projections.caseload import caseload
from tests.factories import example, example_data
from tests.unit.test_chronology import Log, at, registered

# -- the value object ---------------------------------------------------------------------


def test_check_digit_is_eleven_minus_the_weighted_sum_mod_eleven() -> None:
    # 9 9 9 0 0 0 0 0 1 x weights 10..2: 90+81+72+0+0+0+0+0+2 = 245; 245 mod 11 = 3; 11-3 = 8
    assert nhs_check_digit("999000001") == 8
    assert NhsNumber("9990000018").digits == "9990000018"


def test_a_remainder_of_zero_gives_check_digit_zero() -> None:
    # 999000005: 90+81+72+0+0+0+0+0+10 = 253 = 23*11, so 11 - 0 = 11, which is written 0
    assert nhs_check_digit("999000005") == 0
    assert str(NhsNumber("9990000050")) == "9990000050"


def test_a_check_value_of_ten_means_no_valid_number() -> None:
    # 999000000: 90+81+72 = 243 = 22*11 + 1, so 11 - 1 = 10: never issued, whatever the 10th
    assert nhs_check_digit("999000000") is None
    for last in "0123456789":
        problem = nhs_number_problem("999000000" + last)
        assert problem is not None and "check value 10" in problem


def test_wrong_check_digit_is_refused_naming_the_expected_digit() -> None:
    problem = nhs_number_problem("9990000019")
    assert problem is not None
    assert "expected 8" in problem and "modulus-11" in problem
    with pytest.raises(ValueError, match="expected 8"):
        NhsNumber("9990000019")


@pytest.mark.parametrize("text", ["999000001", "99900000188", "99900000a8", ""])
def test_anything_but_ten_digits_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not 10 digits"):
        NhsNumber.parse(text)


def test_spaced_and_hyphenated_forms_are_read_and_formatted_3_3_4() -> None:
    assert NhsNumber.parse("999 000 0018").digits == "9990000018"
    assert NhsNumber.parse("999-000-0018").formatted == "999 000 0018"


def test_synthetic_numbers_are_valid_distinct_and_in_the_test_range() -> None:
    numbers = [synthetic_nhs_number(i) for i in range(300)]
    assert len({n.digits for n in numbers}) == 300
    for number in numbers:
        assert number.is_test_number
        assert nhs_number_problem(number.digits) is None
    assert numbers[0].digits == "9990000018"


# -- the events ---------------------------------------------------------------------------


def test_consistent_identifier_event_stores_the_compact_digits() -> None:
    event = example("consistent_identifier_recorded", nhs_number="999 000 0026")
    assert event.nhs_number == "9990000026"
    assert event.payload()["nhs_number"] == "9990000026"
    assert event.payload()["scheme"] == "nhs_number"


def test_a_bad_nhs_number_is_refused_naming_the_field_and_the_rule() -> None:
    with pytest.raises(InvalidEvent) as caught:
        parse_event(example_data("consistent_identifier_recorded", nhs_number="9990000027"))
    error = caught.value
    assert error.field == "nhs_number"
    assert error.kind == "consistent_identifier_recorded"
    assert "expected 6" in error.rule and "modulus-11" in error.rule


def test_registration_checks_the_nhs_number_too() -> None:
    with pytest.raises(InvalidEvent) as caught:
        parse_event(example_data("child_registered", nhs_number="9990000000"))
    assert caught.value.field == "nhs_number"
    assert "check value 10" in caught.value.rule


def test_fgdm_offer_needs_someone_it_was_made_to() -> None:
    with pytest.raises(InvalidEvent) as caught:
        parse_event(example_data("family_group_decision_making_offered", offered_to=[]))
    assert caught.value.field == "offered_to"


def test_not_sharing_needs_its_reason() -> None:
    data = example_data(
        "information_sharing_decision_recorded", decision="not_shared_more_detrimental"
    )
    del data["reason"]
    with pytest.raises(InvalidEvent) as caught:
        parse_event(data)
    assert (caught.value.field, caught.value.rule) == ("reason", "is required")


def test_sharing_decision_is_one_of_the_two_the_act_allows() -> None:
    with pytest.raises(InvalidEvent) as caught:
        parse_event(example_data("information_sharing_decision_recorded", decision="maybe"))
    assert caught.value.field == "decision"


# -- where they show ----------------------------------------------------------------------


def test_caseload_shows_the_latest_nhs_number() -> None:
    log = Log()
    registered(log, nhs_number="9990000034")
    assert [row.nhs_number for row in caseload(log.events)] == ["9990000034"]
    log.add(
        "consistent_identifier_recorded", "C1", "2024-02-01", at("2024-02-01"),
        nhs_number="9990000042",
    )  # fmt: skip
    assert [row.nhs_number for row in caseload(log.events)] == ["9990000042"]


def test_information_sharing_decisions_are_in_the_chronology_with_whom_and_why() -> None:
    log = Log()
    registered(log)
    log.add(
        "information_sharing_decision_recorded",
        "C1",
        "2024-03-04",
        at("2024-03-04"),
        summary="Shared the police call-out with the school.",
        decision="shared",
        recipients=["School DSL", "Health visitor"],
        reason="Both see the child daily and can report distress.",
    )
    log.add(
        "information_sharing_decision_recorded",
        "C1",
        "2024-03-05",
        at("2024-03-05"),
        summary="Did not share the new address with the father's probation officer.",
        decision="not_shared_more_detrimental",
        recipients=["Probation officer"],
        information="Mother's refuge address.",
        reason="Disclosure could reach the father and put mother and child at risk.",
    )
    log.add(
        "consistent_identifier_recorded", "C1", "2024-03-06", at("2024-03-06"),
    )  # fmt: skip
    chron = log.chronology()
    assert [e.kind for e in chron.entries] == [
        "child_registered",
        "information_sharing_decision_recorded",
        "information_sharing_decision_recorded",
    ]
    shared, withheld = chron.entries[1], chron.entries[2]
    assert shared.category == withheld.category == "safeguarding"
    assert shared.outcome == (
        "Decision: Shared. Recipients: School DSL, Health visitor. "
        "Reason: Both see the child daily and can report distress."
    )
    assert withheld.outcome.startswith(
        "Decision: Not shared: sharing would be more detrimental to the child than not sharing. "
        "Recipients: Probation officer. Reason: "
        "Disclosure could reach the father"
    )
    assert withheld.detail.startswith("Information-sharing decision. Did not share")


def test_a_routine_share_can_be_left_out_of_the_chronology() -> None:
    log = Log()
    registered(log)
    log.add(
        "information_sharing_decision_recorded", "C1", "2024-03-04", at("2024-03-04"),
        significant=False,
    )  # fmt: skip
    assert [e.kind for e in log.chronology().entries] == ["child_registered"]
    assert "information_sharing_decision_recorded" in [
        e.kind for e in log.chronology(significant_only=False).entries
    ]


def test_fgdm_steps_are_in_the_chronology_as_proceedings() -> None:
    log = Log()
    registered(log)
    for kind, day in (
        ("family_group_decision_making_offered", "2024-04-01"),
        ("family_group_decision_making_held", "2024-04-15"),
    ):
        log.add(kind, "C1", day, at(day))
    entries = log.chronology().entries
    assert [(e.kind, e.category) for e in entries[1:]] == [
        ("family_group_decision_making_offered", "proceedings"),
        ("family_group_decision_making_held", "proceedings"),
    ]
    assert "Outcome: Maternal grandmother offers" in entries[2].outcome
