"""Issue 14 §2: a deadline stops when its case or its strand stops (policies/strands.py).

Case closed, ceased to be looked after, CP or CIN plan ended, the child's 18th birthday for a
child's plan: the deadlines still running are *cancelled* (by the stopping event), not breached.
One already breached before the stop stays breached. None of the rules below names these stops
in its own ``cancelled_by``: the strand does it, for every pack.
"""

from __future__ import annotations

import pytest

from adapters.packs import load_packs
from policies.engine import Deadline, Schedule, Status, evaluate
from policies.rules import PackError, Rule, parse_pack
from policies.strands import derive_strand
from tests.unit.deadline_helpers import ChildStream, london

PACKS = load_packs()


def only(deadlines: list[Deadline], rule_id: str) -> list[Deadline]:
    return [d for d in deadlines if d.rule_id == rule_id]


def _stopped_only_by_strand(pack: str, rule_id: str, kind: str) -> Rule:
    rule = PACKS.latest(pack).rule(rule_id)
    assert kind not in {m.kind for m in rule.cancelled_by}  # the strand, not the rule, stops it
    assert kind in rule.stop_kinds()
    return rule


# (pack, first CIN visit due for a plan agreed on Monday 5 January 2026, the seed's sentence)
CIN_VISITS = [
    (
        "knowsley",
        "2026-02-16",  # 6 weeks
        "004_b07548fa3c53f1e2.txt §5: 'The frequency of CIN visits have been determined in the "
        "planning meetings and have taken place at least every 6 weeks'",
    ),
    ("shropshire", "2026-02-16", "000_397ef79c2e214697.txt §E: 'Children in need . 6 weekly'"),
    ("wiltshire", "2026-02-02", "001_93ba2dc2b9b16c50.txt 8.1: 'Children in Need – Every 4 weeks'"),
    (
        "york",
        "2026-02-02",  # 20 working days: 6 January is working day 1
        "003_8160ba9d01af632f.txt Standard 4: 'A child subject to a CIN Plan should be visited a "
        "minimum of every 20 working days'",
    ),
]


@pytest.mark.parametrize(("pack", "due", "quote"), CIN_VISITS)
def test_case_closed_cancels_the_running_cin_visit_deadline(
    pack: str, due: str, quote: str
) -> None:
    assert quote
    _stopped_only_by_strand(pack, "cin_visits", "case_closed")
    child = ChildStream(authority=pack)
    child.add("child_in_need_plan_agreed", "2026-01-05")
    closed = child.add("case_closed", "2026-01-28", reason="RC7")
    (d,) = only(evaluate(child.events, PACKS, london("2026-06-01")), "cin_visits")
    assert (d.due, d.status) == (london(due), Status.CANCELLED)
    assert d.cancelled_by_event_id == closed.event_id
    assert d.as_json()["status"] == "cancelled"


@pytest.mark.parametrize(("pack", "due", "quote"), CIN_VISITS)
def test_a_visit_deadline_breached_before_the_case_closed_stays_breached(
    pack: str, due: str, quote: str
) -> None:
    assert quote
    child = ChildStream(authority=pack)
    child.add("child_in_need_plan_agreed", "2026-01-05")
    child.add("case_closed", "2026-03-02", reason="RC7")  # after the due date: history
    (d,) = only(evaluate(child.events, PACKS, london("2026-06-01")), "cin_visits")
    assert (d.due, d.status) == (london(due), Status.BREACHED)


def test_cin_plan_ended_cancels_the_series_after_the_visits_already_met() -> None:
    # 003_8160ba9d01af632f.txt Standard 4: "A child subject to a CIN Plan should be visited a
    # minimum of every 20 working days". Visited on 30 January; the plan ends on 20 February,
    # before the next visit falls due (20 working days from 30 January: Friday 27 February).
    child = ChildStream(authority="york")
    child.add("child_in_need_plan_agreed", "2026-01-05")
    child.add("child_visited", "2026-01-30", seen=True, location="home")
    ended = child.add("child_in_need_plan_ended", "2026-02-20")
    visits = only(evaluate(child.events, PACKS, london("2026-06-01")), "cin_visits")
    assert [(d.due, d.status) for d in visits] == [
        (london("2026-02-02"), Status.MET),
        (london("2026-02-27"), Status.CANCELLED),
    ]
    assert visits[1].cancelled_by_event_id == ended.event_id


# (pack, rule, due for a placement on Monday 5 January 2026, the seed's sentence)
PLACEMENT_PLANS = [
    (
        "national",
        "placement_plan",
        "2026-01-12",
        "Care Planning, Placement and Case Review (England) Regulations 2010 reg 9(2): placement "
        "plan prepared within 5 working days of the start of the placement",
    ),
    (
        "knowsley",
        "placement_planning_meeting",
        "2026-01-12",
        "004_b07548fa3c53f1e2.txt §8: 'a Placement Planning Meeting takes place within 5 working "
        "days that sets out how the placement will meet the needs of the child'",
    ),
    (
        "shropshire",
        "placement_plan",
        "2026-01-10",
        "000_397ef79c2e214697.txt §14.4: 'The Placement Information Record is completed prior to "
        "the placement (except in emergency placements when it should be completed within 5 days "
        "from the start of the placement)'",
    ),
    (
        "york",
        "placement_planning_meeting",
        "2026-01-12",
        "003_8160ba9d01af632f.txt Standard 4: 'The Meeting will take place within 5 days of the "
        "placement starting'",
    ),
]


@pytest.mark.parametrize(("pack", "rule_id", "due", "quote"), PLACEMENT_PLANS)
def test_ceasing_to_be_looked_after_cancels_the_placement_plan_deadline(
    pack: str, rule_id: str, due: str, quote: str
) -> None:
    assert quote
    _stopped_only_by_strand(pack, rule_id, "ceased_to_be_looked_after")
    child = ChildStream(authority=None if pack == "national" else pack)
    child.add(
        "became_looked_after",
        "2026-01-05",
        legal_status="V2",
        legal_basis="s20",
        category_of_need="N1",
    )
    child.add("placement_started", "2026-01-05", placement_id="pl-1")
    ceased = child.add("ceased_to_be_looked_after", "2026-01-07", reason="E4A")
    (d,) = only(evaluate(child.events, PACKS, london("2026-03-01")), rule_id)
    assert d.pack == pack
    assert (d.due, d.status) == (london(due), Status.CANCELLED)
    assert d.cancelled_by_event_id == ceased.event_id


def test_cp_plan_ended_cancels_the_review_conference_report_deadline() -> None:
    # 004_b07548fa3c53f1e2.txt §4: "Reports for Review CP Conferences are prepared at least 5 days
    # before a conference". The plan ends before the conference booked for Friday 17 April 2026:
    # the report due by Sunday 12 April is no longer owed.
    _stopped_only_by_strand("knowsley", "rcpc_report_shared", "child_protection_plan_ended")
    child = ChildStream(authority="knowsley")
    child.add("child_protection_plan_started", "2026-01-05", category_of_abuse="NEG")
    child.add(
        "meeting_scheduled",
        "2026-03-02",
        meeting_type="review_conference",
        scheduled_for="2026-04-17",
    )
    ended = child.add("child_protection_plan_ended", "2026-03-20")
    (d,) = only(evaluate(child.events, PACKS, london("2026-05-01")), "rcpc_report_shared")
    assert (d.due, d.status) == (london("2026-04-12"), Status.CANCELLED)
    assert d.cancelled_by_event_id == ended.event_id


def test_the_looked_after_strand_ends_at_the_18th_birthday() -> None:
    # Care Planning, Placement and Case Review (England) Regulations 2010 reg 28: "visit within
    # 1 week of placement, then at intervals of not more than 6 weeks"; Children Act 1989
    # s105(1): a child is a person under 18. No ceased_to_be_looked_after is recorded, but the
    # visit due on 3 April 2026 falls after the 18th birthday (1 April 2026): cancelled.
    child = ChildStream()
    child.events.clear()
    registered = child.add("child_registered", "2020-01-10", date_of_birth="2008-04-01")
    child.add(
        "became_looked_after",
        "2026-01-05",
        legal_status="C2",
        legal_basis="care_order",
        category_of_need="N1",
    )
    child.add("child_visited", "2026-01-09", seen=True, location="placement")
    child.add("child_visited", "2026-02-20", seen=True, location="placement")
    visits = only(evaluate(child.events, PACKS, london("2026-06-01")), "lac_visits")
    assert [(d.due, d.status) for d in visits] == [
        (london("2026-01-12"), Status.MET),
        (london("2026-02-20"), Status.MET),
        (london("2026-04-03"), Status.CANCELLED),
    ]
    assert visits[-1].cancelled_by_event_id == registered.event_id
    # the day before the birthday the visit is still owed
    before = only(evaluate(child.events, PACKS, london("2026-03-31")), "lac_visits")
    assert before[-1].status is Status.PENDING


def test_a_new_episode_after_the_stop_starts_its_own_deadlines() -> None:
    # The stop belongs to the work it stopped: a CIN plan agreed after the case reopened is
    # judged afresh (Wiltshire 8.1, "Children in Need – Every 4 weeks").
    child = ChildStream(authority="wiltshire")
    child.add("child_in_need_plan_agreed", "2026-01-05")
    child.add("case_closed", "2026-01-20", reason="RC7")
    child.add("referral_received", "2026-03-02T10:00")
    second = child.add("child_in_need_plan_agreed", "2026-03-16")
    visits = only(evaluate(child.events, PACKS, london("2026-04-01")), "cin_visits")
    assert [(d.trigger_event_id == second.event_id, d.due, d.status) for d in visits] == [
        (False, london("2026-02-02"), Status.CANCELLED),
        (True, london("2026-04-13"), Status.PENDING),
    ]


def test_the_incremental_schedule_cancels_as_the_full_evaluation_does() -> None:
    child = ChildStream(authority="knowsley")
    child.add("child_in_need_plan_agreed", "2026-01-05")
    child.add("child_visited", "2026-02-10", seen=True, location="home")
    child.add("case_closed", "2026-03-10", reason="RC7")
    schedule = Schedule(PACKS)
    for event in child.events:
        schedule.add(event)
    at = london("2026-06-01")
    assert schedule.deadlines(at) == evaluate(child.events, PACKS, at)
    visits = only(schedule.deadlines(at), "cin_visits")
    assert [(d.due, d.status) for d in visits] == [
        (london("2026-02-16"), Status.MET),
        (london("2026-03-24"), Status.CANCELLED),
    ]


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"strand": "fostering"}, "strand", "Input should be"),
        ({"from_birthday": 25, "until_birthday": 18}, None, "from_birthday must be below"),
    ],
)
def test_bad_strand_or_age_band_names_the_rule_and_field(
    extra: dict[str, object], field: str | None, message: str
) -> None:
    rule = {
        "id": "cin_visits",
        "title": "CIN visits",
        "citation": "seed",
        "trigger": {"kind": "child_in_need_plan_agreed"},
        "clock": {"unit": "weeks", "length": 6},
        "satisfied_by": [{"kind": "child_visited"}],
        **extra,
    }
    raw = {
        "pack": "testpack",
        "title": "t",
        "source": "s",
        "version": "1",
        "effective_from": "2020-01-01",
        "rules": [rule],
    }
    with pytest.raises(PackError) as caught:
        parse_pack(raw, "testpack.yaml")
    assert caught.value.rule == "cin_visits"
    assert caught.value.field == field
    assert message in caught.value.message


def test_every_rule_of_every_pack_has_a_strand_and_recording_rules_never_stop() -> None:
    for versions in PACKS.versions.values():
        for pack in versions:
            for rule in pack.rules:
                assert rule.strand_of() in (
                    "looked_after",
                    "cp_plan",
                    "cin_plan",
                    "leaving_care",
                    "subject_access",
                    "none",
                )
                if rule.measures.value == "recording_delay":
                    assert rule.stop_kinds() == () and rule.age_end() is None
                elif rule.strand_of() == "subject_access":  # owed whether the case is open or not
                    assert rule.stop_kinds() == () and rule.age_end() is None
                else:
                    assert "case_closed" in rule.stop_kinds()
    national = PACKS.latest("national")
    assert national.rule("lac_reviews").strand_of() == "looked_after"
    assert national.rule("review_conferences").strand_of() == "cp_plan"
    assert national.rule("pathway_plan").strand_of() == "leaving_care"
    assert national.rule("referral_decision").strand_of() == "none"
    assert national.rule("subject_access_response").strand_of() == "subject_access"
    assert PACKS.latest("york").rule("cin_reviews").strand_of() == "cin_plan"


def test_a_plan_end_that_meets_the_rule_is_not_its_cancellation() -> None:
    # 001_93ba2dc2b9b16c50.txt Appendix 2, 3.7: "the maximum 'life' of a plan is 9 months". The
    # plan's end is what the rule asks for: ending it on time meets it, it does not cancel it.
    child = ChildStream(authority="wiltshire")
    child.add("child_in_need_plan_agreed", "2026-01-05")
    ended = child.add("child_in_need_plan_ended", "2026-08-03")
    (d,) = only(evaluate(child.events, PACKS, london("2026-12-01")), "cin_plan_max_life")
    assert (d.due, d.status, d.satisfied_by_event_id) == (
        london("2026-10-05"),
        Status.MET,
        ended.event_id,
    )


@pytest.mark.parametrize(
    ("kind", "where", "while_status", "birthday", "strand"),
    [
        ("became_looked_after", {}, [], None, "looked_after"),
        ("placement_started", {"placement_type": "P1"}, [], None, "looked_after"),
        ("child_protection_plan_started", {}, [], None, "cp_plan"),
        (
            "initial_child_protection_conference_held",
            {"decision": "child_protection_plan"},
            [],
            None,
            "cp_plan",
        ),
        (
            "initial_child_protection_conference_held",
            {"decision": "child_in_need_plan"},
            [],
            None,
            "none",
        ),
        ("meeting_scheduled", {"meeting_type": "review_conference"}, [], None, "cp_plan"),
        ("meeting_scheduled", {"meeting_type": "initial_conference"}, [], None, "none"),
        ("meeting_scheduled", {"meeting_type": "child_in_need_review"}, [], None, "cin_plan"),
        ("assessment_completed", {}, ["cin_plan"], None, "cin_plan"),
        ("health_assessment_completed", {}, ["looked_after"], None, "looked_after"),
        (None, {}, ["looked_after"], 16, "leaving_care"),  # outlives being looked after
        ("personal_adviser_allocated", {}, [], None, "leaving_care"),
        ("referral_received", {}, [], None, "none"),
    ],
)
def test_the_strand_a_trigger_starts(
    kind: str | None,
    where: dict[str, object],
    while_status: list[str],
    birthday: int | None,
    strand: str,
) -> None:
    assert derive_strand(kind, where, while_status, birthday) == strand
