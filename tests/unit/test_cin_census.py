"""CIN census: derivation from events, XML shape, and the DfE validator on good and broken histories."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from typing import Any

import pytest
from lxml import etree

from adapters.exporters.cin_census import cin_census_from_events
from adapters.exporters.dfe_validators import validate_cin
from domain.child_record import ChildRecord
from domain.envelope import RecordedEvent
from projections.returns_cin import cin_child, la_child_id
from tests.factories import example

UPN = "K816200000011"  # York's LA code 816, correct check letter (rules 1510, 1530)
RECORDED = datetime(2026, 5, 20, 9, 0, tzinfo=UTC)
_ids = itertools.count(1)


def recorded(child_id: str, steps: list[tuple[str, date, dict[str, Any]]]) -> list[RecordedEvent]:
    """Seal a child's history through the aggregate (so the record's own rules apply)."""
    record = ChildRecord(child_id)
    events = [example(kind, child_id, day.isoformat(), **fields) for kind, day, fields in steps]
    decision = record.record(events, recorded_at=RECORDED, new_id=lambda: f"e{next(_ids)}")
    record.commit(decision)
    return decision.new


def cp_journey(child_id: str = "C-CIN-1", icpc: date = date(2025, 6, 2)) -> list[RecordedEvent]:
    """Referral, s47 and assessment, ICPC, CP plan with a review, plan ended, CIN plan, closure."""
    return recorded(
        child_id,
        [
            ("child_registered", date(2025, 5, 1), {"date_of_birth": "2019-03-14", "upn": UPN}),
            ("referral_received", date(2025, 5, 6), {"referral_source": "6", "primary_need": "N1"}),
            ("section_47_started", date(2025, 5, 8), {}),
            ("assessment_started", date(2025, 5, 8), {}),
            ("section_47_concluded", date(2025, 5, 20), {"outcome": "icpc"}),
            ("initial_child_protection_conference_held", icpc, {"category_of_abuse": "NEG"}),
            ("child_protection_plan_started", icpc, {"category_of_abuse": "NEG"}),
            ("assessment_completed", date(2025, 6, 10), {"factors": ["3B", "16A", "3B"]}),
            ("assessment_authorised", date(2025, 6, 12), {}),
            ("child_protection_category_changed", date(2025, 8, 1), {"category_of_abuse": "MUL"}),
            (
                "review_child_protection_conference_held",
                date(2025, 8, 27),
                {"decision": "continue_plan"},
            ),
            ("child_protection_plan_ended", date(2026, 1, 14), {}),
            ("child_in_need_plan_agreed", date(2026, 1, 14), {}),
            ("child_in_need_plan_ended", date(2026, 3, 2), {}),
            ("case_closed", date(2026, 3, 3), {"reason": "RC7"}),
        ],
    )


def test_episode_is_derived_from_events() -> None:
    child = cin_child(cp_journey(), 2026)
    assert child is not None
    assert child.la_child_id == "CCIN1"
    assert (child.birth_date, child.sex, child.ethnicity) == (date(2019, 3, 14), "F", "WBRI")
    [episode] = child.episodes
    assert (episode.referral_date, episode.referral_source, episode.primary_need) == (
        date(2025, 5, 6),
        "6",
        "N1",
    )
    assert (episode.closure_date, episode.closure_reason, episode.referral_nfa) == (
        date(2026, 3, 3),
        "RC7",
        False,
    )
    [s47] = episode.section47s
    # 15 working days after Thursday 8 May 2025, skipping the 26 May bank holiday: Friday 30 May
    assert (s47.start, s47.target, s47.icpc, s47.icpc_not_required) == (
        date(2025, 5, 8),
        date(2025, 5, 30),
        date(2025, 6, 2),
        False,
    )
    assert episode.initial_cpc is None  # reported on the s47, not twice (rule 2884)
    [assessment] = episode.assessments
    assert assessment.authorised == date(2025, 6, 12)
    assert assessment.factors == ["3B", "16A"]  # duplicates dropped (rule 8898)
    [plan] = episode.protection_plans
    assert (plan.initial_category, plan.latest_category, plan.previous_plans) == ("NEG", "MUL", 0)
    assert plan.reviews == [date(2025, 8, 27)] and plan.end == date(2026, 1, 14)
    assert [(p.start, p.end) for p in episode.plans] == [(date(2026, 1, 14), date(2026, 3, 2))]


def test_year_boundaries_and_nfa() -> None:
    events = cp_journey()
    assert cin_child(events, 2025) is None  # referred after 31 March 2025
    assert cin_child(events, 2027) is None  # closed before 1 April 2026
    nfa = recorded(
        "C-NFA",
        [
            ("child_registered", date(2025, 1, 1), {"date_of_birth": "2012-02-02", "upn": None}),
            (
                "referral_received",
                date(2025, 9, 1),
                {"referral_source": "1A", "primary_need": "N9"},
            ),
            ("referral_decision", date(2025, 9, 2), {"outcome": "no_further_action"}),
        ],
    )
    child = cin_child(nfa, 2026)
    assert child is not None and child.upn_unknown == "UN7"
    [episode] = child.episodes
    assert (episode.referral_nfa, episode.closure_date, episode.closure_reason) == (
        True,
        date(2025, 9, 2),
        "RC7",
    )


def test_corrections_and_entries_in_error_are_honoured() -> None:
    events = cp_journey()
    referral = next(e for e in events if e.kind == "referral_received")
    plan = next(e for e in events if e.kind == "child_in_need_plan_agreed")
    record = ChildRecord.rebuild("C-CIN-1", events)
    fixes = [
        example(
            "entry_corrected",
            "C-CIN-1",
            "2026-05-01",
            target_event_id=referral.event_id,
            changes={"referral_source": "2A"},
        ),
    ]
    decision = record.record(fixes, recorded_at=RECORDED, new_id=lambda: f"e{next(_ids)}")
    child = cin_child([*events, *decision.new], 2026)
    assert child is not None and child.episodes[0].referral_source == "2A"
    assert plan.event_id  # the plan is present before it is struck out
    record.commit(decision)
    struck = record.record(
        [
            example(
                "entry_recorded_in_error", "C-CIN-1", "2026-05-01", target_event_id=plan.event_id
            )
        ],
        recorded_at=RECORDED,
        new_id=lambda: f"e{next(_ids)}",
    )
    child = cin_child([*events, *decision.new, *struck.new], 2026)
    assert child is not None and child.episodes[0].plans == []


def test_xml_follows_dfe_element_order() -> None:
    xml, _ = cin_census_from_events(cp_journey(), 2026, "816", datetime(2026, 5, 1, tzinfo=UTC))
    root = etree.fromstring(xml)
    assert [e.tag for e in root] == ["Header", "Children"]
    assert root.findtext("Header/CollectionDetails/ReferenceDate") == "2026-03-31"
    assert root.findtext("Header/Source/LEA") == "816"
    child = root.find("Children/Child")
    assert [e.tag for e in child] == ["ChildIdentifiers", "ChildCharacteristics", "CINdetails"]
    assert [e.tag for e in child.find("ChildIdentifiers")] == [
        "LAchildID",
        "UPN",
        "PersonBirthDate",
        "Sex",
    ]
    details = child.find("CINdetails")
    assert [e.tag for e in details] == [
        "CINreferralDate",
        "ReferralSource",
        "PrimaryNeedCode",
        "CINclosureDate",
        "ReasonForClosure",
        "ReferralNFA",
        "Assessments",
        "CINPlanDates",
        "Section47",
        "ChildProtectionPlans",
    ]
    assert [e.tag for e in details.find("Section47")] == [
        "S47ActualStartDate",
        "InitialCPCtarget",
        "DateOfInitialCPC",
        "ICPCnotRequired",
    ]
    assert [e.tag for e in details.find("ChildProtectionPlans")] == [
        "CPPstartDate",
        "CPPendDate",
        "InitialCategoryOfAbuse",
        "LatestCategoryOfAbuse",
        "NumberOfPreviousCPP",
        "Reviews",
    ]
    assert details.findtext("Assessments/FactorsIdentifiedAtAssessment/AssessmentFactors") == "3B"


def test_good_history_passes_the_dfe_rules() -> None:
    xml, _ = cin_census_from_events(cp_journey(), 2026, "816")
    result = validate_cin(xml)
    assert result.crashed_rules == []
    assert result.child_issues == [], result.summary()


@pytest.mark.parametrize(
    ("name", "icpc", "expected"),
    [
        # ICPC on a Saturday: rule 8875 (and the plan starts that Saturday too)
        ("weekend_conference", date(2025, 6, 7), "8875"),
    ],
)
def test_broken_history_fails_the_expected_rule(name: str, icpc: date, expected: str) -> None:
    xml, _ = cin_census_from_events(cp_journey(icpc=icpc), 2026, "816")
    assert expected in validate_cin(xml).codes()


def test_plan_without_conference_fails_2885() -> None:
    events = recorded(
        "C-BROKEN",
        [
            ("child_registered", date(2025, 5, 1), {"date_of_birth": "2019-03-14", "upn": UPN}),
            ("referral_received", date(2025, 5, 6), {"referral_source": "6", "primary_need": "N1"}),
            ("child_protection_plan_started", date(2025, 6, 2), {"category_of_abuse": "NEG"}),
        ],
    )
    codes = validate_cin(cin_census_from_events(events, 2026, "816")[0]).codes()
    assert "2885" in codes


def test_cin_plan_left_open_under_cp_plan_fails_4001() -> None:
    events = recorded(
        "C-BROKEN2",
        [
            ("child_registered", date(2025, 5, 1), {"date_of_birth": "2019-03-14", "upn": UPN}),
            ("referral_received", date(2025, 5, 6), {"referral_source": "6", "primary_need": "N1"}),
            ("child_in_need_plan_agreed", date(2025, 5, 20), {}),
            (
                "initial_child_protection_conference_held",
                date(2025, 6, 2),
                {"category_of_abuse": "NEG"},
            ),
            ("child_protection_plan_started", date(2025, 6, 2), {"category_of_abuse": "NEG"}),
        ],
    )
    assert "4001" in validate_cin(cin_census_from_events(events, 2026, "816")[0]).codes()


def test_la_child_id_rules() -> None:
    assert la_child_id("LA370-000_123") == "LA370000123"
    with pytest.raises(ValueError, match="1570 and 1580"):
        la_child_id("A" * 25)


def test_work_earlier_on_the_referral_day_counts_in_the_return() -> None:
    """The census works by dates: an assessment started at 09:30 on a referral taken at 10:00
    (written up first) is in the episode, not dropped (the DfE validator's 8825Q)."""
    child = "C-CIN-CLOCK"
    record = ChildRecord(child)
    steps = [
        ("child_registered", "2025-05-06", {"date_of_birth": "2019-03-14", "upn": UPN}),
        ("assessment_started", "2025-05-06T09:30", {}),
        ("referral_received", "2025-05-06T10:00", {"referral_source": "6", "primary_need": "N1"}),
        ("assessment_completed", "2025-05-20", {"factors": ["3B"]}),
        ("assessment_authorised", "2025-05-21", {}),
        ("case_closed", "2025-06-02", {"reason": "RC8"}),
    ]
    events = [example(kind, child, when, **fields) for kind, when, fields in steps]
    decision = record.record(events, recorded_at=RECORDED, new_id=lambda: f"e{next(_ids)}")
    record.commit(decision)
    found = cin_child(decision.new, 2026)
    assert found is not None
    [episode] = found.episodes
    assert episode.referral_date == date(2025, 5, 6)
    assert [(a.start, a.authorised, a.factors) for a in episode.assessments] == [
        (date(2025, 5, 6), date(2025, 5, 21), ["3B"])
    ]
    assert (episode.closure_date, episode.closure_reason) == (date(2025, 6, 2), "RC8")
