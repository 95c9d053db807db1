"""Issue 14 §3: the event the standard times exists, with who received what.

Minutes *circulated* (not the meeting's own write-up), a report shared *with the parents/carers
and the chair* (not with the team manager), professionals *informed of the legal status*: each
rule is met by the event the standard names (minutes_circulated, report_shared with recipients,
information_given), and each example quotes the seed sentence it reads.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from adapters.packs import load_pack, load_packs
from domain.errors import InvalidEvent
from domain.events.safeguarding import ReportShared
from domain.parsing import parse_event
from domain.recipients import Recipient
from policies.engine import Deadline, Status, evaluate
from policies.rules import PackError
from projections.chronology import render
from tests.factories import example, example_data
from tests.unit.deadline_helpers import ChildStream, london

PACKS = load_packs()


def only(deadlines: list[Deadline], rule_id: str) -> list[Deadline]:
    return [d for d in deadlines if d.rule_id == rule_id]


def one(child: ChildStream, rule_id: str, at: str) -> Deadline:
    (d,) = only(evaluate(child.events, PACKS, london(at)), rule_id)
    return d


def booked(child: ChildStream, meeting_type: str, day: str) -> None:
    child.add("meeting_scheduled", "2026-03-02", meeting_type=meeting_type, scheduled_for=day)


def report(child: ChildStream, meeting_type: str, meeting: str, on: str, *to: str) -> str:
    item = child.add(
        "report_shared",
        on,
        meeting_type=meeting_type,
        meeting_date=meeting,
        recipients=list(to),
    )
    return item.event_id


def minutes(
    child: ChildStream, meeting_type: str, meeting: str, on: str, *to: str, **kw: str
) -> str:
    item = child.add(
        "minutes_circulated",
        on,
        meeting_type=meeting_type,
        meeting_date=meeting,
        recipients=list(to),
        **kw,
    )
    return item.event_id


# -- reports shared with the people the standard names ------------------------------------------


SHROPSHIRE_10_2 = (
    "000_397ef79c2e214697.txt §10.2: 'The Social Work report is shared with the child/young "
    "person (where appropriate), parents/carers and the Independent Chair, 3 days prior to a "
    "Conference'"
)


def test_shropshire_icpc_report_shared_with_the_team_manager_does_not_meet_the_family_duty() -> (
    None
):
    assert "parents/carers and the Independent Chair" in SHROPSHIRE_10_2
    child = ChildStream(authority="shropshire")
    booked(child, "initial_conference", "2026-04-16")
    report(child, "initial_conference", "2026-04-16", "2026-04-06", "team_manager")
    d = one(child, "icpc_report_shared", "2026-04-20")
    assert d.due == london("2026-04-13")  # 3 calendar days before Thursday 16 April
    assert d.status is Status.BREACHED
    # the team manager's own deadline (5 days prior, §10.2) is met by that share
    assert one(child, "icpc_report_to_team_manager", "2026-04-20").status is Status.MET


def test_shropshire_icpc_report_is_met_when_it_has_reached_the_parents_and_the_chair() -> None:
    child = ChildStream(authority="shropshire")
    booked(child, "initial_conference", "2026-04-16")
    report(child, "initial_conference", "2026-04-16", "2026-04-09", "parents")
    d = one(child, "icpc_report_shared", "2026-04-11")
    assert (d.due, d.status) == (london("2026-04-13"), Status.PENDING)  # the chair has not got it
    to_chair = report(child, "initial_conference", "2026-04-16", "2026-04-13", "chair")
    d = one(child, "icpc_report_shared", "2026-04-20")
    assert (d.status, d.satisfied_by_event_id) == (Status.MET, to_chair)
    # late to the chair: met late on the day the last of them received it
    late = ChildStream(authority="shropshire")
    booked(late, "initial_conference", "2026-04-16")
    report(late, "initial_conference", "2026-04-16", "2026-04-09", "carers")
    report(late, "initial_conference", "2026-04-16", "2026-04-15", "chair", "team_manager")
    assert one(late, "icpc_report_shared", "2026-04-20").status is Status.MET_LATE


def test_knowsley_icpc_report_with_the_family_not_the_safeguarding_unit() -> None:
    # 004 §3: "I have shared my ICPC report with the family not less than 24 hours in advance of
    # the conference"; "The report has been sent to the Safeguarding and Quality Assurance 3
    # working days before the conference."
    child = ChildStream(authority="knowsley")
    booked(child, "initial_conference", "2026-04-16")
    sent = report(child, "initial_conference", "2026-04-16", "2026-04-10", "safeguarding_unit")
    assert one(child, "icpc_report_shared", "2026-04-20").status is Status.BREACHED
    sqa = one(child, "icpc_report_to_sqa", "2026-04-20")
    # Thursday 16 April back 3 working days: Wed 15, Tue 14, Mon 13
    assert (sqa.due, sqa.status, sqa.satisfied_by_event_id) == (
        london("2026-04-13"),
        Status.MET,
        sent,
    )


def test_knowsley_rcpc_report_reaches_parents_and_child() -> None:
    # 004 §4: "Reports for Review CP Conferences are prepared at least 5 days before a conference
    # and shared with parents, carers and children/young people in advance"
    child = ChildStream(authority="knowsley")
    booked(child, "review_conference", "2026-06-10")
    report(child, "review_conference", "2026-06-10", "2026-06-01", "parents")
    d = one(child, "rcpc_report_shared", "2026-06-03")
    assert (d.due, d.status) == (london("2026-06-05"), Status.PENDING)
    child_copy = report(child, "review_conference", "2026-06-10", "2026-06-04", "child")
    d = one(child, "rcpc_report_shared", "2026-06-12")
    assert (d.status, d.satisfied_by_event_id) == (Status.MET, child_copy)


def test_york_lac_review_report_shared_with_parents_and_the_child_two_working_days_before() -> None:
    # 003 Standard 4 (Children in Care): "Reports for Reviews must be shared with parents and the
    # child at least 2 working days before the Review"; "The report will be with the IRO at
    # least 3 working days before the Review"
    child = ChildStream(authority="york")
    booked(child, "looked_after_review", "2026-05-14")
    report(child, "looked_after_review", "2026-05-14", "2026-05-08", "parents", "child")
    report(child, "looked_after_review", "2026-05-14", "2026-05-08", "team_manager")
    result = evaluate(child.events, PACKS, london("2026-05-20"))
    (family,) = only(result, "lac_review_report_shared")
    assert (family.due, family.status) == (london("2026-05-12"), Status.MET)
    (iro,) = only(result, "lac_review_report_to_iro")
    assert (iro.due, iro.status) == (london("2026-05-11"), Status.BREACHED)  # never to the IRO


# -- minutes circulated, not the meeting's own write-up --------------------------------------


def test_knowsley_strategy_minutes_distributed_within_1_working_day() -> None:
    # 004 §2: "The minutes of the Strategy Discussion will be distributed within 1 working day;"
    child = ChildStream(authority="knowsley")
    # written up at once on the child's file: that is not distributing the minutes
    child.add(
        "strategy_discussion_held",
        "2026-04-02T14:00",
        recorded=datetime(2026, 4, 2, 15, tzinfo=UTC),
    )
    d = one(child, "strategy_record_circulated", "2026-04-08")
    # Thursday 2 April + 1 working day: Good Friday and Easter Monday skipped, Tuesday 7 April
    assert (d.due, d.status) == (london("2026-04-07"), Status.BREACHED)
    sent = minutes(child, "strategy", "2026-04-02", "2026-04-07T11:00", "agencies")
    d = one(child, "strategy_record_circulated", "2026-04-08")
    assert (d.status, d.satisfied_by_event_id) == (Status.MET, sent)
    # minutes of another day's strategy discussion do not count
    other = ChildStream(authority="knowsley")
    other.add("strategy_discussion_held", "2026-04-02T14:00")
    minutes(other, "strategy", "2026-03-30", "2026-04-07", "agencies")
    assert one(other, "strategy_record_circulated", "2026-04-08").status is Status.BREACHED


def test_knowsley_core_group_minutes_go_to_all_agencies_within_5_days() -> None:
    # 004 §4: "Minutes from the Core Group are distributed to all agencies within 5 days;"
    child = ChildStream(authority="knowsley")
    child.add("core_group_held", "2026-03-02")
    minutes(child, "core_group", "2026-03-02", "2026-03-04", "parents")
    d = one(child, "core_group_recording", "2026-03-06")
    assert (d.due, d.status) == (london("2026-03-07"), Status.PENDING)  # parents only: not yet
    sent = minutes(child, "core_group", "2026-03-02", "2026-03-09", "agencies", "parents")
    d = one(child, "core_group_recording", "2026-03-10")
    assert (d.status, d.satisfied_by_event_id) == (Status.MET_LATE, sent)


def test_shropshire_conference_recommendations_in_1_working_day_and_full_minutes_in_20() -> None:
    # 000 §10.6: "The child protection recommendations should be recorded and circulated to
    # those invited to conference within 1 working day and the full minutes circulated within
    # 20 working days"
    child = ChildStream(authority="shropshire")
    child.add(
        "initial_child_protection_conference_held",
        "2026-04-02",
        decision="child_protection_plan",
        category_of_abuse="NEG",
    )
    minutes(
        child,
        "initial_conference",
        "2026-04-02",
        "2026-04-07",
        "agencies",
        "parents",
        record="recommendations",
    )
    result = evaluate(child.events, PACKS, london("2026-05-05"))
    (recs,) = only(result, "icpc_recorded")
    assert (recs.due, recs.status) == (london("2026-04-07"), Status.MET)
    (full,) = only(result, "icpc_minutes_circulated")
    # 20 working days from Thursday 2 April, Good Friday, Easter Monday and the early May bank
    # holiday (Monday 4 May) skipped: Tuesday 5 May
    assert (full.due, full.status) == (london("2026-05-05"), Status.PENDING)
    assert (
        only(evaluate(child.events, PACKS, london("2026-05-06")), "icpc_minutes_circulated")[
            0
        ].status
        is Status.BREACHED
    )


def test_shropshire_strategy_decisions_circulated_to_all_parties() -> None:
    # 000 §3.1: "All decisions reached ... circulated within 1 working day to all parties to the
    # discussion"
    child = ChildStream(authority="shropshire")
    child.add("strategy_discussion_held", "2026-03-05")
    minutes(child, "strategy", "2026-03-05", "2026-03-06", "team_manager")
    d = one(child, "strategy_record_circulated", "2026-03-09")
    assert (d.due, d.status) == (london("2026-03-06"), Status.BREACHED)


def test_wiltshire_strategy_decisions_circulated_within_one_working_day() -> None:
    # 001 Appendix 2, 10.7: "circulated within one working day to all parties to the discussion"
    child = ChildStream(authority="wiltshire")
    child.add("strategy_discussion_held", "2026-03-06")  # a Friday
    sent = minutes(child, "strategy", "2026-03-06", "2026-03-09", "agencies", record="decisions")
    d = one(child, "strategy_record_circulated", "2026-03-10")
    assert (d.due, d.status, d.satisfied_by_event_id) == (london("2026-03-09"), Status.MET, sent)


def test_shropshire_cin_plan_copy_to_the_child_parents_and_interested_parties() -> None:
    # 000 §8.3: "The child/young person, his/her parent/carer and all interested parties are
    # provided with a copy of the plan within 5 working days of the Core Group Meeting"
    child = ChildStream(authority="shropshire")
    child.add("child_in_need_meeting_held", "2026-03-02")
    minutes(child, "child_in_need_meeting", "2026-03-02", "2026-03-04", "agencies", record="plan")
    minutes(child, "child_in_need_meeting", "2026-03-02", "2026-03-05", "parents", record="plan")
    d = one(child, "cin_plan_distributed", "2026-03-06")
    assert (d.due, d.status) == (london("2026-03-09"), Status.PENDING)  # the child has no copy
    last = minutes(
        child, "child_in_need_meeting", "2026-03-02", "2026-03-09", "child", record="plan"
    )
    d = one(child, "cin_plan_distributed", "2026-03-10")
    assert (d.status, d.satisfied_by_event_id) == (Status.MET, last)


def test_york_cin_plan_copy_to_everyone_at_the_meeting_within_10_working_days() -> None:
    # 003 §6.2 row 7: "Everyone involved in the CIN meeting will receive a copy of the CIN plan
    # within 10 working days"
    child = ChildStream(authority="york")
    child.add("child_in_need_meeting_held", "2026-04-02")
    # the minutes are not the plan
    minutes(child, "child_in_need_meeting", "2026-04-02", "2026-04-08", "parents", "agencies")
    d = one(child, "cin_plan_distributed", "2026-04-21")
    # 10 working days from Thursday 2 April (Good Friday, Easter Monday skipped): Monday 20 April
    assert (d.due, d.status) == (london("2026-04-20"), Status.BREACHED)


def test_national_iro_review_record_circulated_within_20_working_days() -> None:
    # IRO Handbook ch. 3: the full written record of the review within 20 working days.
    child = ChildStream(authority=None)
    child.add("looked_after_review_held", "2026-03-02", participation="PN1")
    sent = minutes(child, "looked_after_review", "2026-03-02", "2026-03-27", "parents", "iro")
    d = one(child, "iro_review_record", "2026-04-01")
    assert (d.due, d.status, d.satisfied_by_event_id) == (london("2026-03-30"), Status.MET, sent)


# -- information given ------------------------------------------------------------------------


def test_knowsley_iro_notified_and_legal_status_given_to_professionals() -> None:
    # 004 §8: "I will make arrangements for the IRO service to be notified within 2 working days
    # (ideally within 1 working day). I will also ensure that all other professionals involved
    # in the child/young person's life are informed of the child's legal status within 5 working
    # days of the child becoming looked after"
    child = ChildStream(authority="knowsley")
    child.add("became_looked_after", "2026-04-02", legal_status="C2", legal_basis="s38")
    told_child = child.add(
        "information_given", "2026-04-07", subject="legal_status", recipients=["child"]
    )
    result = evaluate(child.events, PACKS, london("2026-04-14"))
    (iro,) = only(result, "iro_notified")
    assert (iro.due, iro.status) == (london("2026-04-08"), Status.BREACHED)
    (status,) = only(result, "legal_status_notified")
    # 5 working days from Thursday 2 April: Tue 7, Wed 8, Thu 9, Fri 10, Mon 13 April
    assert (status.due, status.status) == (london("2026-04-13"), Status.BREACHED)
    assert status.satisfied_by_event_id != told_child.event_id  # telling the child is not it
    professionals = child.add(
        "information_given", "2026-04-09", subject="legal_status", recipients=["agencies"]
    )
    child.add("information_given", "2026-04-03", subject="became_looked_after", recipients=["iro"])
    result = evaluate(child.events, PACKS, london("2026-04-14"))
    assert only(result, "iro_notified")[0].status is Status.MET
    (status,) = only(result, "legal_status_notified")
    assert (status.status, status.satisfied_by_event_id) == (Status.MET, professionals.event_id)


def test_york_professionals_told_the_legal_status_within_24_hours_of_a_change() -> None:
    # 003 §6.5 row 1: "All professionals involved with the child will be informed of the
    # child's legal status within 24 hours"
    child = ChildStream(authority="york")
    child.add("became_looked_after", "2026-04-02T15:00", legal_status="V2", legal_basis="s20")
    child.add(
        "information_given", "2026-04-03T10:00", subject="legal_status", recipients=["agencies"]
    )
    change = child.add("legal_status_changed", "2026-05-11T12:00", legal_status="C2")
    result = only(evaluate(child.events, PACKS, london("2026-05-13")), "legal_status_notified")
    assert [(d.trigger_event_id == change.event_id, d.due, d.status) for d in result] == [
        (False, london("2026-04-03T15:00"), Status.MET),
        (True, london("2026-05-12T12:00"), Status.BREACHED),
    ]


# -- the events: validation, versions, chronology --------------------------------------------


def test_minutes_circulated_before_the_meeting_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidEvent) as raised:
        parse_event(
            example_data("minutes_circulated", occurred_at="2026-04-01", meeting_date="2026-04-02")
        )
    assert raised.value.field == "meeting_date"
    assert "circulated after it" in str(raised.value)


def test_an_unknown_recipient_is_refused_naming_the_field_and_the_codes() -> None:
    with pytest.raises(InvalidEvent) as raised:
        parse_event(example_data("minutes_circulated", recipients=["the_neighbours"]))
    assert str(raised.value.field).startswith("recipients")
    assert "agencies" in str(raised.value)
    with pytest.raises(InvalidEvent) as raised:
        parse_event(example_data("information_given", recipients=[]))
    assert raised.value.field == "recipients"


def test_report_shared_names_its_recipients_from_older_free_text() -> None:
    old = {"meeting_type": "initial_conference", "meeting_date": "2026-04-16"}
    stored = example_data("report_shared", **old, shared_with=["Conference chair", "p-mother"])
    del stored["kind"]
    upcast = ReportShared.upcast(stored, 1)
    event = ReportShared.model_validate(upcast)
    assert event.recipients == [Recipient.CHAIR]
    assert event.shared_with == ["Conference chair", "p-mother"]  # kept as given
    given = example("report_shared", recipients=["iro"], shared_with=["chair"])
    assert given.recipients == [Recipient.IRO]  # explicit recipients win


def test_chronology_says_what_was_circulated_and_to_whom() -> None:
    event = example(
        "minutes_circulated",
        occurred_at="2026-03-04",
        meeting_type="core_group",
        meeting_date=date(2026, 3, 2).isoformat(),
        recipients=["agencies", "parents"],
    )
    content = render(event, datetime(2026, 3, 4, 12, tzinfo=UTC))
    assert content.title == "Meeting record circulated"
    assert "Record: Minutes" in content.outcome
    assert "Meeting type: Core group" in content.outcome
    assert "Meeting date: 02/03/2026" in content.outcome
    assert "Recipients: Agencies, Parents" in content.outcome
    told = render(
        example("information_given", subject="legal_status", recipients=["child"]),
        datetime(2026, 3, 4, 12, tzinfo=UTC),
    )
    assert told.title == "Information given"
    assert "Subject: Legal status" in told.outcome and "Recipients: Child" in told.outcome


def test_shropshire_referrer_told_in_writing_of_the_decision_within_48_hours() -> None:
    # 000 §2.6: "The SSW will acknowledge the referral and feedback to the referrer and other
    # professionals (if appropriate) within the 48 hours informing the referrer in writing of the
    # decisions made and action to be taken in response to the referral."
    child = ChildStream(authority="shropshire")
    child.add("referral_received", "2026-04-02T10:00")
    child.add(
        "information_given",
        "2026-04-03T09:00",
        subject="referral_outcome",
        recipients=["parents"],
    )
    d = one(child, "referrer_feedback", "2026-04-04T12:00")
    # 48 hours from 10:00 on Thursday 2 April: 10:00 on Saturday 4 April (hours are hours)
    assert (d.due, d.status) == (london("2026-04-04T10:00"), Status.BREACHED)
    told = child.add(
        "information_given",
        "2026-04-04T09:30",
        subject="referral_outcome",
        recipients=["referrer", "agencies"],
    )
    d = one(child, "referrer_feedback", "2026-04-04T12:00")
    assert (d.status, d.satisfied_by_event_id) == (Status.MET, told.event_id)


def test_shropshire_full_review_record_in_15_working_days_replaces_the_iro_handbook_20() -> None:
    # 000 §15.2: "The IRO should produce a written record of the recommendations of the LAC
    # review meeting within 5 working days and a full record of the LAC review within 15
    # working days."
    child = ChildStream(authority="shropshire")
    child.add("looked_after_review_held", "2026-03-02", participation="PN1")
    sent = minutes(child, "looked_after_review", "2026-03-02", "2026-03-25", "iro", "parents")
    result = evaluate(child.events, PACKS, london("2026-04-01"))
    assert only(result, "iro_review_record") == []  # judged once, by Shropshire's 15 days
    (full,) = only(result, "lac_review_full_record")
    # Monday 2 March + 15 working days: Monday 23 March
    assert (full.due, full.status, full.satisfied_by_event_id) == (
        london("2026-03-23"),
        Status.MET_LATE,
        sent,
    )


def test_free_text_names_read_as_recipient_codes() -> None:
    from domain.recipients import recipients_named

    assert recipients_named(
        ["Parents/Carers", "Independent Chair", "p-mother", "Team Manager", "SQA", "IRO"]
    ) == [
        Recipient.PARENTS,
        Recipient.CARERS,
        Recipient.CHAIR,
        Recipient.TEAM_MANAGER,
        Recipient.SAFEGUARDING_UNIT,
        Recipient.IRO,
    ]
    # a person id is not a recipient code: the demo's report to "p-mother" names no one
    assert recipients_named(["p-mother", "p-father-jordan"]) == []


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"satisfied_by": [{"kind": "report_shared", "covers": {"meeting_type": ["x"]}}]},
            "satisfied_by.0",
            "not a list of values",
        ),
        (
            {"satisfied_by": [{"kind": "report_shared", "covers": {"recipients": []}}]},
            "satisfied_by.0",
            "give the values",
        ),
        (
            {"trigger": {"kind": "core_group_held", "also": ["child_teleported"]}},
            "trigger.also",
            "unknown event kind",
        ),
        (
            {"trigger": {"kind": "core_group_held", "also": ["core_group_held"]}},
            "trigger",
            "already the trigger's kind",
        ),
    ],
)
def test_covers_and_also_are_validated_naming_the_rule_and_field(
    tmp_path: Path, change: dict[str, Any], field: str, message: str
) -> None:
    rule = {
        "id": "minutes",
        "title": "Minutes",
        "citation": "demo.txt §1",
        "trigger": {"kind": "core_group_held"},
        "clock": {"unit": "working_days", "length": 5},
        "satisfied_by": [{"kind": "minutes_circulated"}],
        **change,
    }
    pack = {
        "pack": "demo_pack",
        "title": "Demo",
        "source": "demo.txt",
        "version": "1",
        "effective_from": "2020-01-01",
        "rules": [rule],
    }
    (tmp_path / "demo.yaml").write_text(yaml.safe_dump(pack))
    with pytest.raises(PackError, match=message) as error:
        load_pack(tmp_path / "demo.yaml")
    assert error.value.rule == "minutes"
    assert str(error.value.field).startswith(field)
