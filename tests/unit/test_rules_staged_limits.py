"""Issue 14 §3: an early-stage limit and an overall limit both apply.

Where a seed gives a maximum ("within 40 working days" with 10/25/40 bands and a day-7 review;
"45 days as a maximum" with reviews at day 5, 10, 20, 30), a manager's decision to extend works
inside it: an assessment_extended does not move the maximum. Where the seed lets the maximum be
exceeded by agreement (Shropshire 4.2), the extension still moves it.
"""

from __future__ import annotations

from adapters.packs import load_packs
from policies.engine import Deadline, Status, evaluate
from tests.unit.deadline_helpers import ChildStream, london

PACKS = load_packs()


def only(deadlines: list[Deadline], rule_id: str) -> list[Deadline]:
    return [d for d in deadlines if d.rule_id == rule_id]


def extended(child: ChildStream, on: str, to: str) -> None:
    child.add(
        "assessment_extended", on, agreed_new_date=to, agreed_by="tm-1", reason="Complex case."
    )


def test_wiltshire_day_7_extension_does_not_move_the_40_working_day_maximum() -> None:
    # 001 Appendix 2, 1.18: "The Line Manager will review the progress of a single assessment
    # with the social worker at day 7 when a decision will be made as to whether the assessment
    # is complete or needs to be extended"; 2.1: "The assessment will be completed within 40
    # working days."
    child = ChildStream(authority="wiltshire")
    child.add("assessment_started", "2026-04-02")
    extended(child, "2026-04-14", "2026-07-01")
    child.add("assessment_completed", "2026-06-10", recommendation="CIN plan")
    result = evaluate(child.events, PACKS, london("2026-07-01"))
    (review,) = only(result, "assessment_day7_review")
    # 7 working days from Thursday 2 April (Good Friday, Easter Monday skipped): Wednesday 15th
    assert (review.due, review.status) == (london("2026-04-15"), Status.MET)
    (overall,) = only(result, "assessment_completion")
    # 40 working days, skipping Easter and the May bank holidays (4th, 25th): Wednesday 3 June
    assert (overall.due, overall.status, overall.extended_to) == (
        london("2026-06-03"),
        Status.MET_LATE,
        None,
    )


def test_york_extension_after_a_manager_review_stays_inside_the_45_day_maximum() -> None:
    # 003 Standards 2 and 3: "Assessments must be completed within 45 days as a maximum";
    # "The manager will review the progress ... at - day 5, day 10 20 day and 30 day when a
    # decision will be made as to whether the assessment is complete or needs to be extended".
    child = ChildStream(authority="york")
    child.add("assessment_started", "2026-03-02")
    extended(child, "2026-04-01", "2026-06-30")
    (d,) = only(evaluate(child.events, PACKS, london("2026-05-08")), "assessment_completion")
    # 45 working days from Monday 2 March: Easter and 4 May skipped, Thursday 7 May
    assert (d.due, d.status, d.extended_to) == (london("2026-05-07"), Status.BREACHED, None)


def test_sussex_initial_assessment_maximum_is_not_extended_but_the_core_assessment_is() -> None:
    # 002 §9 Initial Assessment Record: "The document should be completed within a maximum of 10
    # working days from the date of the referral"; Core Assessment Record: "within 35 working
    # days of its commencement".
    child = ChildStream(authority="sussex")
    child.add("referral_received", "2026-04-02T10:00")
    child.add("assessment_started", "2026-04-02")
    extended(child, "2026-04-10", "2026-06-30")
    child.add("assessment_completed", "2026-06-01", recommendation="CIN plan")
    result = evaluate(child.events, PACKS, london("2026-07-01"))
    (early,) = only(result, "initial_assessment")
    assert (early.due, early.status, early.extended_to) == (
        london("2026-04-20"),
        Status.MET_LATE,
        None,
    )
    (core,) = only(result, "assessment_completion")
    assert (core.due, core.extended_to, core.status) == (
        london("2026-05-27"),
        london("2026-06-30"),
        Status.MET,
    )


def test_shropshire_agreed_extension_still_moves_its_45_working_days() -> None:
    # 000 §4.2: "If a SWA is likely to exceed 45 days, this should be agreed prior to the end of
    # the 45 day period by the Team Manager" — the seed allows it, so the extension counts.
    child = ChildStream(authority="shropshire")
    child.add("assessment_started", "2026-03-02")
    extended(child, "2026-04-20", "2026-05-29")
    (d,) = only(evaluate(child.events, PACKS, london("2026-05-12")), "assessment_completion")
    assert (d.due, d.status, d.extended_to) == (
        london("2026-05-07"),
        Status.EXTENDED,
        london("2026-05-29"),
    )
