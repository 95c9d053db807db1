"""Worked examples: family group decision-making before a care application (CA 1989 s31ZA).

s31ZA was inserted by the Children's Wellbeing and Schools Act 2026 s1 (Royal Assent 29 April
2026) and commences by regulations, so the rules are off until a commencement date is
configured. Each example quotes the subsection it tests.

    (1) "Before a local authority in England makes an application for an order under this Part
        in relation to a child, the authority must offer a family group decision-making
        meeting to the child's parents or any other person with parental responsibility"
    (2) "If the offer is accepted by at least one person to whom it is made, the local
        authority must arrange for the meeting to be held before the authority makes the
        application."
    (3) "The duty under subsection (1) or (2) does not apply where the local authority considers
        that it would not be in the best interests of the child ..."
    (6) "The local authority must include the offer under subsection (1) in the letter before
        proceedings sent in relation to the child."
"""

from __future__ import annotations

from datetime import date

import pytest

from adapters.commencement import commencement_dates, parse_commencements
from adapters.packs import load_packs
from policies.engine import Deadline, Schedule, Status, evaluate
from policies.handler import standards_events
from policies.rules import PackError, awaiting_commencement, commence, parse_pack
from tests.unit.deadline_helpers import ChildStream, london

COMMENCED_ON = date(2026, 9, 1)  # a supposed commencement date for the examples
NOT_COMMENCED = load_packs(commencements={})
COMMENCED = load_packs(commencements={"cwsa_2026_s1": COMMENCED_ON})
OFFER = "fgdm_offer_before_application"
MEETING = "fgdm_meeting_before_application"
LETTER = "fgdm_offer_in_letter_before_proceedings"
FGDM_RULES = {OFFER, MEETING, LETTER}


def only(deadlines: list[Deadline], rule_id: str) -> list[Deadline]:
    return [d for d in deadlines if d.rule_id == rule_id]


def fgdm(deadlines: list[Deadline]) -> dict[str, tuple[Status, str | None]]:
    """rule -> (status, the event that met or cancelled it)."""
    return {
        d.rule_id: (d.status, d.satisfied_by_event_id or d.cancelled_by_event_id)
        for d in deadlines
        if d.rule_id in FGDM_RULES
    }


# -- (1) the offer before the application ----------------------------------------------------


def test_not_commenced_the_rules_judge_nothing() -> None:
    child = ChildStream()
    child.add("application_issued", "2026-11-10", order_sought="care_order")
    result = evaluate(child.events, NOT_COMMENCED, london("2026-11-20"))
    assert fgdm(result) == {}
    assert only(result, "proceedings_26_weeks")  # the rest of the pack still judges it
    national = NOT_COMMENCED.latest("national")
    assert {r.id for _, r in awaiting_commencement([national], date(2026, 11, 20))} == FGDM_RULES


def test_commenced_an_application_with_no_offer_before_it_is_a_breach_at_issue() -> None:
    child = ChildStream()
    issued = child.add("application_issued", "2026-11-10T11:00", order_sought="care_order")
    result = evaluate(child.events, COMMENCED, london("2026-11-20"))
    (d,) = only(result, OFFER)
    assert d.status is Status.BREACHED
    assert d.trigger_event_id == issued.event_id
    assert d.due == london("2026-11-10T11:00")  # judged at the application itself
    assert d.pack == "national" and "s31ZA(1)" in d.citation
    assert "Children's Wellbeing and Schools Act 2026 s1" in d.citation
    assert only(result, MEETING) == []  # no offer, so no meeting duty: one breach, not two
    # the breach handler writes it as a breach event
    (breach,) = [
        e
        for e in standards_events([d], set(), london("2026-11-20"))
        if e.kind == "deadline_breached"
    ]
    assert breach.occurred_at == london("2026-11-10T11:00")


def test_commenced_offer_accepted_and_meeting_held_before_the_application_meets_both() -> None:
    child = ChildStream()
    offer = child.add("family_group_decision_making_offered", "2026-10-01", offered_to=["p-mother"])
    meeting = child.add("family_group_decision_making_held", "2026-10-20")
    child.add("application_issued", "2026-11-10", order_sought="interim_care_order")
    result = evaluate(child.events, COMMENCED, london("2026-11-20"))
    assert fgdm(result) == {
        OFFER: (Status.MET, offer.event_id),
        MEETING: (Status.MET, meeting.event_id),
    }


def test_commenced_offer_accepted_but_no_meeting_before_the_application_breaches_s31za_2() -> None:
    child = ChildStream()
    offer = child.add("family_group_decision_making_offered", "2026-10-01", offered_to=["p-mother"])
    child.add("application_issued", "2026-11-10", order_sought="supervision_order")
    child.add("family_group_decision_making_held", "2026-11-12")  # too late: after the application
    result = evaluate(child.events, COMMENCED, london("2026-11-20"))
    assert fgdm(result) == {OFFER: (Status.MET, offer.event_id), MEETING: (Status.BREACHED, None)}


def test_commenced_offer_declined_by_everyone_cancels_the_meeting_duty() -> None:
    child = ChildStream()
    offer = child.add("family_group_decision_making_offered", "2026-10-01", offered_to=["p-mother"])
    declined = child.add("family_group_decision_making_declined", "2026-10-08")
    child.add("application_issued", "2026-11-10", order_sought="care_order")
    result = evaluate(child.events, COMMENCED, london("2026-11-20"))
    assert fgdm(result) == {
        OFFER: (Status.MET, offer.event_id),
        MEETING: (Status.CANCELLED, declined.event_id),
    }


def test_commenced_an_offer_made_after_the_application_does_not_meet_it() -> None:
    child = ChildStream()
    child.add("application_issued", "2026-11-10", order_sought="care_order")
    child.add("family_group_decision_making_offered", "2026-11-11", offered_to=["p-mother"])
    result = evaluate(child.events, COMMENCED, london("2026-11-20"))
    assert fgdm(result) == {OFFER: (Status.BREACHED, None)}


def test_same_day_offer_with_times_is_judged_by_the_clock() -> None:
    child = ChildStream()
    child.add("family_group_decision_making_offered", "2026-11-10T14:00", offered_to=["p-mother"])
    child.add("application_issued", "2026-11-10T10:00", order_sought="care_order")
    assert (
        fgdm(evaluate(child.events, COMMENCED, london("2026-11-20")))[OFFER][0] is Status.BREACHED
    )
    dated = ChildStream()
    offer = dated.add("family_group_decision_making_offered", "2026-11-10", offered_to=["p-mother"])
    dated.add("application_issued", "2026-11-10T10:00", order_sought="care_order")
    # a date with no time on the day of the application counts as before it
    assert fgdm(evaluate(dated.events, COMMENCED, london("2026-11-20")))[OFFER] == (
        Status.MET,
        offer.event_id,
    )


def test_commenced_best_interests_decision_cancels_the_offer_duty() -> None:
    child = ChildStream()
    dispensed = child.add("family_group_decision_making_dispensed_with", "2026-10-01", step="offer")
    child.add("application_issued", "2026-11-10", order_sought="care_order")
    result = evaluate(child.events, COMMENCED, london("2026-11-20"))
    assert fgdm(result) == {OFFER: (Status.CANCELLED, dispensed.event_id)}


def test_an_application_before_the_commencement_date_is_not_judged() -> None:
    child = ChildStream()
    child.add("application_issued", "2026-08-31", order_sought="care_order")
    assert fgdm(evaluate(child.events, COMMENCED, london("2026-11-20"))) == {}
    later = ChildStream()
    later.add("application_issued", "2026-09-01", order_sought="care_order")  # commencement day
    assert (
        fgdm(evaluate(later.events, COMMENCED, london("2026-11-20")))[OFFER][0] is Status.BREACHED
    )


@pytest.mark.parametrize("order", ["emergency_protection_order", "placement_order"])
def test_only_care_and_supervision_applications_are_judged(order: str) -> None:
    child = ChildStream()
    child.add("application_issued", "2026-11-10", order_sought=order)
    assert fgdm(evaluate(child.events, COMMENCED, london("2026-11-20"))) == {}


def test_an_authority_child_is_judged_by_the_national_rule() -> None:
    child = ChildStream(authority="york")
    child.add("application_issued", "2026-11-10", order_sought="care_order")
    (d,) = only(evaluate(child.events, COMMENCED, london("2026-11-20")), OFFER)
    assert (d.pack, d.status) == ("national", Status.BREACHED)


# -- (6) the offer in the letter before proceedings ------------------------------------------


def test_commenced_the_letter_before_proceedings_must_carry_the_offer() -> None:
    child = ChildStream()
    child.add("letter_before_proceedings_sent", "2026-10-01")
    offer = child.add(
        "family_group_decision_making_offered",
        "2026-10-01",
        offered_to=["p-mother"],
        in_letter_before_proceedings=True,
    )
    assert fgdm(evaluate(child.events, COMMENCED, london("2026-10-05"))) == {
        LETTER: (Status.MET, offer.event_id)
    }
    separate = ChildStream()
    separate.add(
        "family_group_decision_making_offered",
        "2026-09-20",
        offered_to=["p-mother"],
        in_letter_before_proceedings=False,
    )
    separate.add("letter_before_proceedings_sent", "2026-10-01")
    assert fgdm(evaluate(separate.events, COMMENCED, london("2026-10-05"))) == {
        LETTER: (Status.BREACHED, None)
    }


# -- the schedule kept event by event agrees -------------------------------------------------


def test_incremental_schedule_matches_evaluate() -> None:
    child = ChildStream()
    child.add("family_group_decision_making_offered", "2026-10-01", offered_to=["p-mother"])
    child.add("application_issued", "2026-11-10", order_sought="care_order")
    child.add("family_group_decision_making_held", "2026-10-20")  # recorded late, happened before
    schedule = Schedule(COMMENCED)
    for item in child.events:
        schedule.add(item)
    at = london("2026-11-20")
    assert fgdm(schedule.deadlines(at)) == fgdm(evaluate(child.events, COMMENCED, at))
    assert fgdm(schedule.deadlines(at))[MEETING][0] is Status.MET


# -- commencement as configuration -----------------------------------------------------------


def test_commencement_dates_come_from_the_environment_variable() -> None:
    assert commencement_dates({}) == {}
    assert commencement_dates({"CASELEDGER_COMMENCEMENTS": "cwsa_2026_s1=2026-11-02"}) == {
        "cwsa_2026_s1": date(2026, 11, 2)
    }
    assert parse_commencements(" a_b=2026-01-01 , c_d=2027-04-01 ") == {
        "a_b": date(2026, 1, 1),
        "c_d": date(2027, 4, 1),
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("cwsa_2026_s1", "expected comma-separated provision=YYYY-MM-DD"),
        ("cwsa_2026_s1=soon", "'soon' is not a date"),
    ],
)
def test_a_malformed_commencement_names_the_variable(text: str, message: str) -> None:
    with pytest.raises(PackError, match=message) as caught:
        parse_commencements(text)
    assert str(caught.value).startswith("CASELEDGER_COMMENCEMENTS")


def test_a_key_no_rule_waits_for_is_refused() -> None:
    with pytest.raises(PackError, match="no rule waits for the commencement of 'cwsa_2026_s99'"):
        commence(NOT_COMMENCED, {"cwsa_2026_s99": COMMENCED_ON})


def test_load_packs_reads_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASELEDGER_COMMENCEMENTS", "cwsa_2026_s1=2026-09-01")
    rule = load_packs().latest("national").rule(OFFER)
    assert (rule.commenced_on, rule.in_force_on(date(2026, 9, 1))) == (COMMENCED_ON, True)
    monkeypatch.delenv("CASELEDGER_COMMENCEMENTS")
    rule = load_packs().latest("national").rule(OFFER)
    assert (rule.commenced_on, rule.in_force_on(date(2030, 1, 1))) == (None, False)


def test_a_precedes_rule_is_judged_at_its_trigger() -> None:
    raw = {
        "pack": "testpack",
        "title": "T",
        "source": "statute",
        "version": "1",
        "effective_from": "2026-01-01",
        "rules": [
            {
                "id": "offer_first",
                "title": "Offer first",
                "citation": "s31ZA(1)",
                "measures": "precedes",
                "trigger": {"kind": "application_issued"},
                "clock": {"unit": "working_days", "length": 5},
                "satisfied_by": [{"kind": "family_group_decision_making_offered"}],
            }
        ],
    }
    with pytest.raises(PackError) as caught:
        parse_pack(raw, "testpack.yaml")
    assert "rule 'offer_first'" in str(caught.value)
    assert "a precedes rule is judged at its trigger: give clock length 0" in str(caught.value)
