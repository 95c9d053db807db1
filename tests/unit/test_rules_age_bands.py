"""Issue 14 §3: age-triggered rules, pending from the moment the date of birth is known.

Pathway plan, personal adviser, care-leaver contact, transitions at 15¾, 16, 17½, 18, 21, 25:
the deadline is on the schedule (pending) as soon as the child's date of birth is recorded, not
created on the birthday, and applies only inside the age band its standard gives.
"""

from __future__ import annotations

from adapters.packs import load_packs
from policies.engine import Deadline, Schedule, Status, evaluate
from tests.unit.deadline_helpers import ChildStream, london

PACKS = load_packs()


def only(deadlines: list[Deadline], rule_id: str) -> list[Deadline]:
    return [d for d in deadlines if d.rule_id == rule_id]


def born(dob: str, *, registered: str, authority: str | None = None) -> ChildStream:
    """A child registered on ``registered`` with date of birth ``dob``."""
    child = ChildStream()
    child.events.clear()
    child.add("child_registered", registered, date_of_birth=dob)
    if authority:
        child.add("authority_recorded", registered, authority=authority)
    return child


def looked_after(child: ChildStream, on: str) -> None:
    child.add(
        "became_looked_after",
        on,
        legal_status="C2",
        legal_basis="care_order",
        category_of_need="N1",
    )


def test_national_pathway_plan_is_pending_years_before_the_16th_birthday() -> None:
    # Care Leavers (England) Regulations 2010: pathway plan for an eligible child (Shropshire
    # 000 §17.2 words it: "There should be a Pathway Plan in place three months after their 16th
    # birthday"). Looked after at 13; 16 on 15 September 2026.
    child = born("2010-09-15", registered="2024-01-10")
    registered = child.events[0]
    looked_after(child, "2024-02-01")
    (d,) = only(evaluate(child.events, PACKS, london("2025-06-01")), "pathway_plan")
    assert (d.due, d.status) == (london("2026-12-15"), Status.PENDING)
    assert d.counted_from.isoformat() == "2026-09-15"
    assert d.trigger_event_id == registered.event_id
    # the incremental schedule shows it too, before the birthday
    schedule = Schedule(PACKS)
    for event in child.events:
        schedule.add(event)
    assert only(schedule.deadlines(london("2025-06-01")), "pathway_plan") == [d]


def test_a_child_never_looked_after_has_no_pathway_plan_deadline() -> None:
    child = born("2010-09-15", registered="2024-01-10")
    child.add("referral_received", "2024-01-10T10:00")
    assert only(evaluate(child.events, PACKS, london("2027-01-01")), "pathway_plan") == []


def test_national_pathway_plan_reviews_stop_at_21() -> None:
    # Pathway plan "reviewed at intervals of not more than 6 months"; Children Act 1989 s23C:
    # the duties to a former relevant child last until 21. The review due after the 21st
    # birthday (1 March 2026) is cancelled, not breached.
    child = born("2005-03-01", registered="2019-01-07")
    registered = child.events[0]
    looked_after(child, "2019-02-01")
    child.add("pathway_plan_agreed", "2021-05-01")
    child.add("ceased_to_be_looked_after", "2023-03-01", reason="E4A")
    child.add("pathway_plan_reviewed", "2025-10-01")
    plans = only(evaluate(child.events, PACKS, london("2026-05-01")), "pathway_plan")
    assert [(d.due, d.status) for d in plans] == [
        (london("2021-06-01"), Status.MET),
        (london("2021-11-01"), Status.MET_LATE),  # reviewed only in October 2025
        (london("2026-04-01"), Status.CANCELLED),
    ]
    assert plans[-1].cancelled_by_event_id == registered.event_id
    # leaving care outlives being looked after: ceasing at 18 did not stop the reviews
    assert plans[1].status is not Status.CANCELLED


def test_york_personal_adviser_at_17_and_a_half_is_pending_from_the_date_of_birth() -> None:
    # 003_8160ba9d01af632f.txt Standard 4: "A Personal Advisor (PA) will be allocated at age
    # 17.5 yrs." Born 31 January 2009: 17½ on 31 July 2026.
    child = born("2009-01-31", registered="2024-12-02", authority="york")
    looked_after(child, "2025-01-06")
    (d,) = only(evaluate(child.events, PACKS, london("2025-06-01")), "personal_adviser_allocation")
    assert (d.due, d.status) == (london("2026-07-31"), Status.PENDING)
    child.add("personal_adviser_allocated", "2026-07-20", adviser_id="pa-7")
    (d,) = only(evaluate(child.events, PACKS, london("2026-08-01")), "personal_adviser_allocation")
    assert d.status is Status.MET


def test_york_needs_assessment_at_15_and_three_quarters() -> None:
    # 003_8160ba9d01af632f.txt Standard 4: "A pathway/needs assessment will be started when a
    # young person is 15 ³/₄ years old". Born 30 November 2010: 15 years 9 months is 30 August
    # 2026 (the month-end clamp is not needed: August has 30 days).
    child = born("2010-11-30", registered="2023-05-02", authority="york")
    looked_after(child, "2023-06-01")
    (d,) = only(
        evaluate(child.events, PACKS, london("2024-01-01")), "pathway_needs_assessment_start"
    )
    assert (d.due, d.status) == (london("2026-08-30"), Status.PENDING)


def test_york_care_leaver_visits_every_8_weeks_only_from_18() -> None:
    # 003_8160ba9d01af632f.txt Standard 4: "For young people age 18-25, visiting will take place
    # every 8 weeks". The personal adviser is allocated at 17½ (10 April 2026); the 8 weeks
    # count from the 18th birthday (10 October 2026): due Saturday 5 December 2026.
    child = born("2008-10-10", registered="2020-03-02", authority="york")
    looked_after(child, "2020-04-01")
    child.add("personal_adviser_allocated", "2026-04-10", adviser_id="pa-3")
    (d,) = only(evaluate(child.events, PACKS, london("2026-06-01")), "care_leaver_visits")
    assert (d.due, d.status, d.counted_from.isoformat()) == (
        london("2026-12-05"),
        Status.PENDING,
        "2026-10-10",
    )
    child.add("care_leaver_contact", "2026-12-01", in_touch="YES", activity="F1", accommodation="B")
    visits = only(evaluate(child.events, PACKS, london("2026-12-10")), "care_leaver_visits")
    assert [(d.due, d.status) for d in visits] == [
        (london("2026-12-05"), Status.MET),
        (london("2027-01-26"), Status.PENDING),
    ]


def test_york_care_leaver_visits_end_at_25() -> None:
    # "age 18-25": the visit due after the 25th birthday (20 May 2026) is cancelled.
    child = born("2001-05-20", registered="2015-01-05", authority="york")
    child.add("personal_adviser_allocated", "2026-03-02", adviser_id="pa-3")
    child.add("care_leaver_contact", "2026-04-01", in_touch="YES", activity="F1", accommodation="B")
    visits = only(evaluate(child.events, PACKS, london("2026-06-01")), "care_leaver_visits")
    assert [(d.due, d.status) for d in visits] == [
        (london("2026-04-27"), Status.MET),  # 8 weeks from the allocation (already 24)
        (london("2026-05-27"), Status.CANCELLED),
    ]


def test_wiltshire_fortnightly_visits_under_one_stop_at_the_first_birthday() -> None:
    # 001_93ba2dc2b9b16c50.txt 8.1: "Minimum standard for visiting babies under 1yr old subject
    # to CIN Plans should be 2 weekly". Born 20 January 2025; 1 on 20 January 2026.
    child = born("2025-01-20", registered="2025-01-21", authority="wiltshire")
    child.add("child_in_need_plan_agreed", "2025-12-29")
    child.add("child_visited", "2026-01-09", seen=True, location="home")
    visits = only(evaluate(child.events, PACKS, london("2026-03-01")), "cin_visits_under_one")
    assert [(d.due, d.status) for d in visits] == [
        (london("2026-01-12"), Status.MET),
        (london("2026-01-23"), Status.CANCELLED),  # due after the first birthday
    ]


def test_sussex_needs_assessment_still_owed_after_leaving_care_at_16() -> None:
    # 002_aa2acc05bf62cfcc.txt §6 Pathway Plan: "The responsible authority must complete a needs
    # assessment within 3 months of a young person becoming an eligible or relevant child (see
    # end of this section for definitions) whether he or she does so on turning 16 or later."
    # Leaving care a month after the 16th birthday (relevant child) does not cancel it.
    child = born("2010-02-28", registered="2023-01-09", authority="sussex")
    looked_after(child, "2024-06-01")
    child.add("ceased_to_be_looked_after", "2026-03-30", reason="E4A")
    (d,) = only(evaluate(child.events, PACKS, london("2026-07-01")), "needs_assessment_care_leaver")
    assert (d.due, d.status) == (london("2026-05-28"), Status.BREACHED)
    # pending before the birthday, from the moment the date of birth was known
    (early,) = only(
        evaluate(child.events, PACKS, london("2025-01-01")), "needs_assessment_care_leaver"
    )
    assert (early.due, early.status) == (london("2026-05-28"), Status.PENDING)


def test_york_a_contact_before_18_is_not_one_of_the_18_to_25_visits() -> None:
    # "For young people age 18-25": a contact at 17¾ (1 July 2026) does not meet the visit due
    # 8 weeks after the 18th birthday (10 October 2026).
    child = born("2008-10-10", registered="2020-03-02", authority="york")
    child.add("personal_adviser_allocated", "2026-04-10", adviser_id="pa-3")
    child.add("care_leaver_contact", "2026-07-01", in_touch="YES", activity="F1", accommodation="B")
    (d,) = only(evaluate(child.events, PACKS, london("2026-12-10")), "care_leaver_visits")
    assert (d.due, d.status) == (london("2026-12-05"), Status.BREACHED)
