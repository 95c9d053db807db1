"""Worked examples from every pack, each citing the section of the seed (or statute) it tests."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.packs import load_packs
from policies.engine import Deadline, Status, evaluate
from tests.unit.deadline_helpers import ChildStream, london

PACKS = load_packs()


def only(deadlines: list[Deadline], rule_id: str) -> list[Deadline]:
    return [d for d in deadlines if d.rule_id == rule_id]


def test_shropshire_strategy_discussion_skips_good_friday_and_easter_monday() -> None:
    # 000_397ef79c2e214697.txt §3.1: "within a maximum of 2 working days of referral".
    # Thursday 2 April 2026; Good Friday 3rd and Easter Monday 6th are not working days, so
    # working day 1 is Tuesday 7th and working day 2 is Wednesday 8 April.
    child = ChildStream(authority="shropshire")
    referral = child.add("referral_received", "2026-04-02T10:00")
    (d,) = only(evaluate(child.events, PACKS, london("2026-04-02T12:00")), "strategy_discussion")
    assert d.pack == "shropshire"
    assert d.trigger_event_id == referral.event_id
    assert d.due == london("2026-04-08")
    assert d.status is Status.PENDING
    assert "000_397ef79c2e214697.txt" in d.citation and "3.1" in d.citation
    # still pending at the end of Tuesday 7th, breached on Thursday 9th
    assert (
        only(evaluate(child.events, PACKS, london("2026-04-08T23:00")), "strategy_discussion")[
            0
        ].status
        is Status.PENDING
    )
    assert (
        only(evaluate(child.events, PACKS, london("2026-04-09T09:00")), "strategy_discussion")[
            0
        ].status
        is Status.BREACHED
    )


def test_york_strategy_discussion_is_one_working_day_so_due_tuesday_7_april() -> None:
    # 003_8160ba9d01af632f.txt Standard 4 (Planning): strategy discussion within 1 working day.
    child = ChildStream(authority="york")
    child.add("referral_received", "2026-04-02T10:00")
    child.add("strategy_discussion_held", "2026-04-07T16:00")
    (d,) = only(evaluate(child.events, PACKS, london("2026-04-10")), "strategy_discussion")
    assert d.due == london("2026-04-07")
    assert d.status is Status.MET
    assert "003_8160ba9d01af632f.txt" in d.citation


def test_shropshire_penetrative_sexual_abuse_needs_strategy_the_same_day() -> None:
    # 000_397ef79c2e214697.txt §3.1: same day "For allegations of penetrative sexual abuse".
    child = ChildStream(authority="shropshire")
    child.add("referral_received", "2026-04-02T10:00", alleged_penetrative_sexual_abuse=True)
    child.add("strategy_discussion_held", "2026-04-03T09:00")
    result = evaluate(child.events, PACKS, london("2026-04-10"))
    (same_day,) = only(result, "strategy_same_day_penetrative")
    assert same_day.due == london("2026-04-02")
    assert same_day.status is Status.MET_LATE
    assert only(result, "strategy_discussion") == []  # the 2-working-day rule does not apply


def test_strategy_deadline_cancelled_when_the_referral_goes_to_early_help() -> None:
    child = ChildStream(authority="wiltshire")
    child.add("referral_received", "2026-03-02T10:00")
    decision = child.add("referral_decision", "2026-03-02T15:00", outcome="early_help")
    (d,) = only(evaluate(child.events, PACKS, london("2026-04-01")), "strategy_discussion")
    assert d.status is Status.CANCELLED
    assert d.cancelled_by_event_id == decision.event_id
    # 001_93ba2dc2b9b16c50.txt Appendix 2, 10.1: 3 working days.
    assert d.due == london("2026-03-05")


def test_york_cp_visits_every_20_working_days() -> None:
    # 003_8160ba9d01af632f.txt Standard 4: first visit within 7 working days of the plan,
    # "thereafter at a minimum of 20 working days".
    child = ChildStream(authority="york")
    child.add("child_protection_plan_started", "2026-01-05", category_of_abuse="NEG")
    v1 = child.add("child_visited", "2026-01-13", seen=True, location="home")
    v2 = child.add("child_visited", "2026-02-12", seen=True, location="home")
    visits = only(evaluate(child.events, PACKS, london("2026-03-31")), "cp_visits")
    assert [(d.occurrence, d.due, d.status) for d in visits] == [
        (0, london("2026-01-14"), Status.MET),  # 7 working days from Mon 5 Jan
        (1, london("2026-02-10"), Status.MET_LATE),  # 20 working days from Tue 13 Jan
        (2, london("2026-03-12"), Status.BREACHED),  # 20 working days from Thu 12 Feb
    ]
    assert visits[1].trigger_event_id == v1.event_id
    assert visits[2].trigger_event_id == v2.event_id


@pytest.mark.parametrize("pack", ["sussex", "york", "national"])
def test_looked_after_reviews_at_20_working_days_3_months_6_months(pack: str) -> None:
    # Care Planning Regulations 2010 reg 33; 002 §9 (LAC review record); 003 Std 4 (Shropshire
    # says "within 20 days": tests/unit/test_rules_recurring.py).
    child = ChildStream(authority=None if pack == "national" else pack)
    child.add(
        "became_looked_after",
        "2026-01-05",
        legal_status="V2",
        legal_basis="s20",
        category_of_need="N1",
    )
    child.add("looked_after_review_held", "2026-02-02", participation="PN1")
    child.add("looked_after_review_held", "2026-05-01", participation="PN1")
    reviews = only(evaluate(child.events, PACKS, london("2026-06-01")), "lac_reviews")
    assert reviews[0].pack == pack
    assert [(d.due, d.status) for d in reviews] == [
        (london("2026-02-02"), Status.MET),  # 20 working days from 5 January
        (london("2026-05-02"), Status.MET),  # 3 months from the first review
        (london("2026-11-01"), Status.PENDING),  # 6 months from the second
    ]


def test_late_written_visit_breaches_recording_standard_but_not_visiting_standard() -> None:
    # 000_397ef79c2e214697.txt §A.1: "Case records are up to date within 48 hours or 2 working
    # days"; §E visiting: within 1 week of any placement.
    child = ChildStream(authority="shropshire")
    child.add(
        "became_looked_after",
        "2026-03-02",
        legal_status="V2",
        legal_basis="s20",
        category_of_need="N1",
    )
    child.add(
        "placement_started", "2026-03-02", placement_id="PL-1", placement_type="U6", provider="PR1"
    )
    visit = child.add(
        "child_visited",
        "2026-03-05T11:00",
        recorded=london("2026-03-16T10:00"),
        seen=True,
        location="placement",
    )
    result = evaluate(child.events, PACKS, london("2026-03-20"))
    (placement_visit,) = only(result, "placement_visit")
    assert placement_visit.status is Status.MET
    assert placement_visit.satisfied_by_event_id == visit.event_id
    (recording,) = only(result, "visit_recording")
    assert recording.status is Status.MET_LATE
    assert recording.due == london("2026-03-09")  # 2 working days after Thursday 5 March
    assert recording.satisfied_at == london("2026-03-16T10:00")


def test_assessment_extension_moves_the_due_date() -> None:
    # Working Together 2023 ch.4: 45 working days (national); extension by manager decision.
    child = ChildStream()
    child.add("assessment_started", "2026-01-05")
    ext = child.add("assessment_extended", "2026-03-01", agreed_new_date="2026-03-31")
    (d,) = only(evaluate(child.events, PACKS, london("2026-03-20")), "assessment_completion")
    assert d.due == london("2026-03-09")
    assert d.status is Status.EXTENDED
    assert d.extended_by_event_id == ext.event_id and d.extended_to == london("2026-03-31")
    child.add("assessment_completed", "2026-03-30")
    (d,) = only(evaluate(child.events, PACKS, london("2026-04-20")), "assessment_completion")
    assert d.status is Status.MET


def test_knowsley_cp_visits_every_4_weeks_and_return_interview_national_72_hours() -> None:
    # 004_b07548fa3c53f1e2.txt §4: CP visits at least every 4 weeks; return interviews come
    # from the national baseline (statutory guidance 2014: within 72 hours).
    child = ChildStream(authority="knowsley")
    child.add("child_protection_plan_started", "2026-01-05", category_of_abuse="NEG")
    child.add("missing_episode_started", "2026-01-10T20:00", episode_id="M1")
    child.add("missing_episode_ended", "2026-01-11T08:00", episode_id="M1")
    result = evaluate(child.events, PACKS, london("2026-01-20"))
    (visit,) = only(result, "cp_visits")
    assert visit.due == london("2026-02-02") and visit.pack == "knowsley"
    (ri,) = only(result, "return_interview")
    assert ri.pack == "national" and ri.status is Status.BREACHED
    assert ri.due == london("2026-01-14T08:00")


def test_report_shared_counts_back_from_the_conference() -> None:
    # 003_8160ba9d01af632f.txt §6.4 row 8: reports shared with parents at least two working days
    # before the ICPC.
    child = ChildStream(authority="york")
    child.add(
        "meeting_scheduled",
        "2026-04-01",
        meeting_type="initial_conference",
        scheduled_for="2026-04-10",
    )
    (d,) = only(evaluate(child.events, PACKS, london("2026-04-02")), "icpc_report_shared")
    assert d.due == london("2026-04-08")  # Fri 10 April: working days back Thu 9 (1), Wed 8 (2)
    child.add(
        "report_shared",
        "2026-04-08",
        meeting_type="initial_conference",
        meeting_date="2026-04-10",
        recipients=["parents"],
    )
    (d,) = only(evaluate(child.events, PACKS, london("2026-04-11")), "icpc_report_shared")
    assert d.status is Status.MET


def test_corrections_and_entries_in_error_are_honoured() -> None:
    child = ChildStream(authority="york")
    referral = child.add("referral_received", "2026-04-02T10:00")
    wrong = child.add("strategy_discussion_held", "2026-04-03T10:00")
    child.add(
        "entry_recorded_in_error",
        "2026-04-08",
        target_event_id=wrong.event_id,
        reason="wrong child",
    )
    (d,) = only(evaluate(child.events, PACKS, london("2026-04-10")), "strategy_discussion")
    assert d.status is Status.BREACHED
    child.add(
        "entry_corrected",
        "2026-04-10",
        target_event_id=referral.event_id,
        changes={"occurred_at": "2026-04-09T09:00:00+01:00"},
        reason="date typo",
    )
    (d,) = only(evaluate(child.events, PACKS, london("2026-04-10")), "strategy_discussion")
    assert d.due == london("2026-04-10") and d.status is Status.PENDING


def test_pack_override_for_what_if_and_national_without_authority() -> None:
    child = ChildStream()
    child.add("referral_received", "2026-04-02T10:00")
    result = evaluate(child.events, PACKS, london("2026-04-03"))
    assert {d.pack for d in result} == {"national"}
    (york,) = only(
        evaluate(child.events, PACKS, london("2026-04-03"), pack="york"), "strategy_discussion"
    )
    (shrop,) = only(
        evaluate(child.events, PACKS, london("2026-04-03"), pack=PACKS.latest("shropshire")),
        "strategy_discussion",
    )
    assert york.due == london("2026-04-07") and shrop.due == london("2026-04-08")
    assert date(2026, 4, 2) == york.counted_from
