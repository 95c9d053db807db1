"""Issue 14 §3: recurring and staged rules, each checked against the sentence of its seed.

"The second review within N months" counts from the previous review, not from the first
trigger; a standard with an early-stage limit and an overall limit is judged on both.
"""

from __future__ import annotations

import pytest

from adapters.packs import load_packs
from policies.engine import Deadline, Status, evaluate
from tests.unit.deadline_helpers import ChildStream, london

PACKS = load_packs()


def only(deadlines: list[Deadline], rule_id: str) -> list[Deadline]:
    return [d for d in deadlines if d.rule_id == rule_id]


def _looked_after(child: ChildStream, on: str) -> None:
    child.add(
        "became_looked_after", on, legal_status="V2", legal_basis="s20", category_of_need="N1"
    )


def test_shropshire_first_lac_review_within_20_days_then_a_further_3_months_then_6_monthly() -> (
    None
):
    # 000_397ef79c2e214697.txt §15.1: "The first LAC review is held within 20 days of the child
    # becoming looked after, the second within a further 3 months and subsequent LAC reviews are
    # held at intervals of not more than 6 monthly". The seed says 20 days (regulation 33 says
    # 20 working days): Monday 5 January 2026 + 20 days is Sunday 25 January.
    child = ChildStream(authority="shropshire")
    _looked_after(child, "2026-01-05")
    child.add("looked_after_review_held", "2026-01-20", participation="PN1")
    child.add("looked_after_review_held", "2026-04-15", participation="PN1")
    reviews = only(evaluate(child.events, PACKS, london("2026-06-01")), "lac_reviews")
    assert [(d.due, d.status) for d in reviews] == [
        (london("2026-01-25"), Status.MET),
        # "a further 3 months": from the first review (20 January), not from 5 January
        (london("2026-04-20"), Status.MET),
        (london("2026-10-15"), Status.PENDING),
    ]
    late = ChildStream(authority="shropshire")
    _looked_after(late, "2026-01-05")
    late.add("looked_after_review_held", "2026-01-28", participation="PN1")
    first = only(evaluate(late.events, PACKS, london("2026-02-01")), "lac_reviews")[0]
    assert first.status is Status.MET_LATE  # 20 working days (2 February) would have been met


def test_shropshire_adoption_reviews_4_weeks_then_4_months_from_the_first_review() -> None:
    # 000_397ef79c2e214697.txt §16.1: "An adoption review must take place within 4 weeks of the
    # date the child was placed for adoption; the second review must take place within 4 months
    # and thereafter at intervals of not more than 6 monthly until the adoption order is made".
    child = ChildStream(authority="shropshire")
    child.add("placed_for_adoption", "2026-03-02")
    child.add("adoption_review_held", "2026-03-27")
    child.add("adoption_review_held", "2026-07-20")
    reviews = only(evaluate(child.events, PACKS, london("2026-09-01")), "adoption_reviews")
    assert [(d.due, d.status) for d in reviews] == [
        (london("2026-03-30"), Status.MET),  # 4 weeks from Monday 2 March
        (london("2026-07-27"), Status.MET),  # 4 months from the first review, not 2 July
        (london("2027-01-20"), Status.PENDING),
    ]
    order = child.add("order_made", "2026-11-02", order="adoption_order")
    reviews = only(evaluate(child.events, PACKS, london("2027-03-01")), "adoption_reviews")
    assert (reviews[-1].status, reviews[-1].cancelled_by_event_id) == (
        Status.CANCELLED,
        order.event_id,
    )


def test_wiltshire_second_cin_review_6_weeks_after_the_first_then_every_3_months() -> None:
    # 001_93ba2dc2b9b16c50.txt Appendix 2, 4.1: "The second CIN review should take place 6 weeks
    # after the first CIN review and every 3 months as a minimum." The plan is agreed at the first
    # (the planning meeting) on Monday 2 February 2026.
    child = ChildStream(authority="wiltshire")
    child.add("child_in_need_plan_agreed", "2026-02-02")
    child.add("child_in_need_plan_reviewed", "2026-03-10")
    reviews = only(evaluate(child.events, PACKS, london("2026-04-01")), "cin_reviews")
    assert [(d.due, d.status) for d in reviews] == [
        (london("2026-03-16"), Status.MET),
        (london("2026-06-10"), Status.PENDING),  # 3 months from the review of 10 March
    ]


def test_york_core_groups_monthly_from_the_previous_core_group() -> None:
    # 003_8160ba9d01af632f.txt Standard 4: the Core Group's "1st meeting (held within 10 working
    # days of the conference)"; "The core group must meet monthly as a minimum."
    child = ChildStream(authority="york")
    child.add("initial_child_protection_conference_held", "2026-03-02")
    child.add("core_group_held", "2026-03-12")
    groups = only(evaluate(child.events, PACKS, london("2026-04-01")), "core_groups")
    assert [(d.due, d.status) for d in groups] == [
        (london("2026-03-16"), Status.MET),
        (london("2026-04-12"), Status.PENDING),  # a month from 12 March, not from 16 March
    ]


@pytest.mark.parametrize(
    ("pack", "quote"),
    [
        (
            "wiltshire",
            "001_93ba2dc2b9b16c50.txt Appendix 2, 8.1: 'Children Looked After – Within 5 working "
            "days of placement and weekly until the first review, thereafter minimum of 6 weekly "
            "for the first year'",
        ),
        (
            "shropshire",
            "000_397ef79c2e214697.txt §E: 'Child Looked After . within 5 working days of placement "
            "and weekly until the first review, thereafter minimum of 6 weekly for the first year'",
        ),
    ],
)
def test_looked_after_visits_weekly_until_the_first_review_then_6_weekly(
    pack: str, quote: str
) -> None:
    assert "weekly until the first review" in quote
    child = ChildStream(authority=pack)
    _looked_after(child, "2026-01-05")
    child.add("placement_started", "2026-01-05", placement_id="pl-1")
    for day in ("2026-01-09", "2026-01-16", "2026-01-22"):
        child.add("child_visited", day, seen=True, location="placement")
    review = child.add("looked_after_review_held", "2026-01-28", participation="PN1")
    child.add("child_visited", "2026-03-05", seen=True, location="placement")
    result = evaluate(child.events, PACKS, london("2026-04-01"))
    weekly = only(result, "lac_visits")
    assert [(d.due, d.status) for d in weekly] == [
        (london("2026-01-12"), Status.MET),
        (london("2026-01-16"), Status.MET),
        (london("2026-01-23"), Status.MET),
        (london("2026-01-29"), Status.CANCELLED),  # the first review came first
    ]
    assert weekly[-1].cancelled_by_event_id == review.event_id
    six_weekly = only(result, "lac_visits_after_first_review")
    assert [(d.due, d.status) for d in six_weekly] == [
        (london("2026-03-11"), Status.MET),  # 6 weeks from the review of 28 January
        (london("2026-04-16"), Status.PENDING),
    ]
    # and the early "within 5 working days of placement" limit is judged alongside
    (first,) = only(result, "placement_visit")
    assert (first.due, first.status) == (london("2026-01-12"), Status.MET)


def test_looked_after_visits_a_week_missed_before_the_review_stays_breached() -> None:
    child = ChildStream(authority="wiltshire")
    _looked_after(child, "2026-01-05")
    child.add("child_visited", "2026-01-09", seen=True, location="placement")
    child.add("looked_after_review_held", "2026-01-28", participation="PN1")
    weekly = only(evaluate(child.events, PACKS, london("2026-04-01")), "lac_visits")
    assert [(d.due, d.status) for d in weekly] == [
        (london("2026-01-12"), Status.MET),
        (london("2026-01-16"), Status.BREACHED),  # due before the review: history
    ]


def test_sussex_initial_assessment_within_10_working_days_and_core_assessment_within_35() -> None:
    # 002_aa2acc05bf62cfcc.txt §9 (Initial Assessment Record): "The document should be completed
    # within a maximum of 10 working days from the date of the referral"; (Core Assessment
    # Record) "The document should be completed within 35 working days of its commencement".
    # Both apply: finishing on 1 May is late for the first and on time for the second.
    child = ChildStream(authority="sussex")
    child.add("referral_received", "2026-04-02T10:00")
    child.add("assessment_started", "2026-04-02")
    child.add("assessment_completed", "2026-05-01")
    result = evaluate(child.events, PACKS, london("2026-06-01"))
    (early,) = only(result, "initial_assessment")
    (overall,) = only(result, "assessment_completion")
    assert (early.due, early.status) == (london("2026-04-20"), Status.MET_LATE)
    assert (overall.due, overall.status) == (london("2026-05-27"), Status.MET)


def test_york_section_47_day_5_and_15_working_days_both_judged() -> None:
    # 003_8160ba9d01af632f.txt 6.3: "By day 5 S47 enquiry to be completed by the social worker
    # and signed off by the social worker manager"; Standard 4: concluded within 15 working days.
    child = ChildStream(authority="york")
    child.add("section_47_started", "2026-03-02")
    result = evaluate(child.events, PACKS, london("2026-03-12"))
    (day5,) = only(result, "s47_completion_day5")
    (day15,) = only(result, "s47_completion")
    assert (day5.due, day5.status) == (london("2026-03-09"), Status.BREACHED)
    assert (day15.due, day15.status) == (london("2026-03-23"), Status.PENDING)
