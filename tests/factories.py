"""Synthetic example events: one valid instance of every kind, for round-trip and fixture use.

``EXAMPLE_FIELDS`` must name every kind in the catalogue (a test checks it), so a new
event kind cannot be added without an example that proves it round-trips.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from domain.events import EVENT_TYPES, CaseEvent
from domain.parsing import parse_event

WORKER = {"user_id": "sw-001", "role": "social_worker"}
MANAGER = {"user_id": "tm-001", "role": "team_manager"}

EXAMPLE_FIELDS: dict[str, dict[str, Any]] = {
    "child_registered": {
        "first_name": "Robin",
        "last_name": "Testchild",
        "sex": "F",
        "date_of_birth": "2019-03-14",
        "ethnicity": "WBRI",
        "upn": "A123456789012",
        "nhs_number": "9990001111",
        "case_number": "LA-000001",
    },
    "child_born": {"date_of_birth": "2024-02-01", "sex": "M", "first_name": "Baby"},
    "person_added": {
        "person_id": "p-mother",
        "role": "mother",
        "first_name": "Alex",
        "last_name": "Testchild",
        "sex": "F",
        "date_of_birth": "1990-01-01",
    },
    "person_died": {"person_id": "p-grandfather", "date_of_death": "2021-05-05"},
    "relationship_recorded": {
        "relationship_id": "r-1",
        "relationship": "birth_parent",
        "from_person": "p-mother",
        "to_person": "C-EX-1",
        "started_on": "2019-03-14",
    },
    "relationship_ended": {"relationship_id": "r-1", "ended_on": "2023-01-01", "reason": "order"},
    "contact_received": {"source_type": "2A", "concern": "Bruising noticed by teacher."},
    "referral_received": {
        "referral_source": "2A",
        "reason": "Bruising to arm.",
        "primary_need": "N1",
        "consent": "consent_given",
    },
    "referral_decision": {
        "outcome": "strategy_discussion",
        "rationale": "Possible physical abuse.",
        "decided_by": "tm-001",
    },
    "strategy_discussion_held": {
        "agencies_present": ["police", "health", "social_care"],
        "decision": "section_47",
    },
    "section_47_started": {},
    "section_47_concluded": {"outcome": "icpc"},
    "assessment_started": {},
    "assessment_completed": {
        "factors": ["3B", "16A"],
        "primary_need": "N1",
        "recommendation": "ICPC",
    },
    "assessment_authorised": {"authorised_by": "tm-001"},
    "assessment_extended": {
        "agreed_new_date": "2026-06-30",
        "agreed_by": "tm-001",
        "reason": "Father unavailable.",
    },
    "initial_child_protection_conference_held": {
        "decision": "child_protection_plan",
        "category_of_abuse": "PHY",
    },
    "review_child_protection_conference_held": {"decision": "continue_plan"},
    "child_protection_plan_started": {"category_of_abuse": "PHY"},
    "child_protection_category_changed": {"category_of_abuse": "MUL"},
    "child_protection_plan_ended": {"reason": "Risk reduced."},
    "core_group_held": {"attendees": ["school", "health visitor"]},
    "meeting_scheduled": {"meeting_type": "review_conference", "scheduled_for": "2026-07-01"},
    "report_shared": {"meeting_type": "review_conference", "meeting_date": "2026-07-01"},
    "minutes_circulated": {
        "meeting_type": "core_group",
        "meeting_date": "2000-01-04",  # before any example occurred_at (it must precede it)
        "recipients": ["agencies", "parents"],
    },
    "information_given": {"subject": "legal_status", "recipients": ["agencies"]},
    "child_in_need_plan_agreed": {},
    "child_in_need_meeting_held": {"attendees": ["school"]},
    "child_in_need_plan_reviewed": {"outcome": "Continue plan."},
    "child_in_need_plan_ended": {"reason": "Needs met."},
    "stepped_up": {"direction": "cin_to_cp", "rationale": "Escalating concerns."},
    "stepped_down": {"direction": "cp_to_cin", "rationale": "Plan goals met."},
    "child_visited": {
        "seen": True,
        "seen_alone": True,
        "location": "home",
        "statutory": True,
        "announced": False,
        "bedroom_seen": True,
        "home_conditions": "Clean and warm.",
    },
    "wishes_and_feelings_recorded": {"in_childs_words": "I like my school.", "method": "drawing"},
    "became_looked_after": {
        "legal_status": "V2",
        "legal_basis": "Children Act 1989 s20",
        "category_of_need": "N1",
    },
    "legal_status_changed": {"legal_status": "V2"},
    "placement_started": {
        "placement_id": "pl-1",
        "placement_type": "U6",
        "provider": "PR1",
        "carer": "Foster carer FC-17",
        "postcode": "ZZ1 1ZZ",
    },
    "placement_ended": {"placement_id": "pl-1", "reason": "CARPL"},
    "placement_plan_completed": {"placement_id": "pl-1"},
    "care_plan_agreed": {"permanence_option": "Return home"},
    "looked_after_review_held": {"participation": "PN1", "iro_id": "iro-1"},
    "iro_contact": {"iro_id": "iro-1"},
    "health_assessment_requested": {"assessment": "initial"},
    "health_assessment_completed": {
        "assessment": "initial",
        "immunisations_up_to_date": True,
        "teeth_checked": True,
    },
    "pep_meeting_held": {},
    "permanence_plan_agreed": {"plan": "Long-term foster care"},
    "missing_episode_started": {"episode_id": "m-1"},
    "missing_episode_ended": {"episode_id": "m-1"},
    "return_interview_offered": {"episode_id": "m-1"},
    "return_interview_held": {"episode_id": "m-1", "accepted": True},
    "ceased_to_be_looked_after": {"reason": "E4A"},
    "legal_planning_meeting_held": {"decision": "Enter pre-proceedings.", "threshold_met": True},
    "letter_before_proceedings_sent": {},
    "pre_proceedings_meeting_held": {},
    "pre_proceedings_review_held": {"outcome": "Issue proceedings."},
    "application_issued": {
        "court": "Family Court at Testbury",
        "court_number": "ZZ26C00001",
        "order_sought": "care_order",
    },
    "hearing_held": {"hearing": "case_management", "outcome": "Directions given."},
    "order_made": {"order": "interim_care_order", "court": "Family Court at Testbury"},
    "adoption_decision_made": {},
    "placed_for_adoption": {
        "placement_id": "pl-adopt",
        "adopters_sex": "MF",
        "adopters_legal_status": "L0",
        "number_of_adopters": 2,
    },
    "adoption_placement_ceased": {"reason_code": "E11"},
    "adoption_review_held": {},
    "later_life_letter_given": {},
    "pathway_plan_agreed": {},
    "pathway_plan_reviewed": {},
    "personal_adviser_allocated": {"adviser_id": "pa-1"},
    "care_leaver_contact": {"in_touch": "YES", "activity": "F1", "accommodation": "B"},
    "allocated_to_worker": {"worker_id": "sw-001", "team": "Assessment Team A"},
    "allocated_to_team": {"team": "Assessment Team A"},
    "subject_access_request_received": {
        "request_id": "SAR-1",
        "requester_person_id": "C1",
        "channel": "email",
    },
    "subject_access_request_extended": {
        "request_id": "SAR-1",
        "reason": "Twelve years of records across three children's files.",
    },
    "subject_access_redactions_approved": {
        "request_id": "SAR-1",
        "as_known_at": "2026-05-01T12:00:00+00:00",
        "redaction_digest": "0" * 64,
        "entries": 3,
        "redactions": 2,
    },
    "subject_access_response_released": {
        "request_id": "SAR-1",
        "released_at": "2026-05-02T12:00:00+00:00",
        "document_sha256": "a" * 64,
        "document_format": "pdf",
        "approval_event_id": "e-1",
    },
    "legal_hold_placed": {
        "reason_kind": "litigation",
        "reason": "Claim notified by the family's solicitors; legal asks that it is kept.",
    },
    "legal_hold_lifted": {"reason": "Claim settled; legal confirms the hold can end."},
    "record_restricted": {"reason": "Adoption: the record is restricted to named staff."},
    "record_restriction_lifted": {"reason": "Restriction reviewed and no longer needed."},
    "restricted_record_opened": {
        "opened_by": "tm-001",
        "reason": "Urgent safeguarding call out of hours; grant holder unavailable.",
    },
    "management_decision_recorded": {
        "decision": "Proceed to ICPC.",
        "rationale": "Section 47 substantiated.",
        "manager_id": "tm-001",
    },
    "supervision_held": {"supervisor_id": "tm-001", "worker_id": "sw-001"},
    "case_note_recorded": {"note": "Phoned school; attendance 92%."},
    "case_closed": {"reason": "RC8"},
    "authority_recorded": {"authority": "york", "la_code": "816"},
    # Children's Wellbeing and Schools Act 2026 (domain/events/cwsa2026.py)
    "family_group_decision_making_offered": {
        "offered_to": ["p-mother", "p-father"],
        "in_letter_before_proceedings": True,
    },
    "family_group_decision_making_declined": {"declined_by": ["p-mother", "p-father"]},
    "family_group_decision_making_held": {
        "attendees": ["p-mother", "p-grandmother"],
        "outcome": "Maternal grandmother offers to care for the child on weekdays.",
    },
    "family_group_decision_making_dispensed_with": {
        "step": "offer",
        "reason": "Offering a meeting would alert the alleged perpetrator.",
    },
    "information_sharing_decision_recorded": {
        "decision": "shared",
        "recipients": ["School DSL"],
        "information": "Police call-out to the home on 30 April.",
        "reason": "The school can watch for signs of distress and tell us.",
    },
    "consistent_identifier_recorded": {"nhs_number": "9990000018", "verified_with": "PDS"},
    "entry_corrected": {
        "target_event_id": "00000000-0000-0000-0000-000000000000",
        "changes": {"summary": "Corrected summary."},
        "reason": "Typo.",
    },
    "entry_recorded_in_error": {
        "target_event_id": "00000000-0000-0000-0000-000000000000",
        "reason": "Wrong child.",
    },
    "deadline_due_soon": {
        "rule_id": "national.assessment",
        "pack": "national",
        "pack_version": "2023.1",
        "citation": "Working Together 2023, chapter 2",
        "due": "2026-07-01T23:59:59+01:00",
        "detected_at": "2026-06-29T06:00:00+01:00",
    },
    "deadline_breached": {
        "rule_id": "national.assessment",
        "pack": "national",
        "pack_version": "2023.1",
        "citation": "Working Together 2023, chapter 2",
        "due": "2026-07-01T23:59:59+01:00",
        "detected_at": "2026-07-02T06:00:00+01:00",
    },
    "deadline_met_late": {
        "rule_id": "national.assessment",
        "pack": "national",
        "pack_version": "2023.1",
        "citation": "Working Together 2023, chapter 2",
        "due": "2026-07-01T23:59:59+01:00",
        "detected_at": "2026-07-03T06:00:00+01:00",
        "met_by_event_id": "e-1",
        "met_at": "2026-07-03T10:00:00+01:00",
    },
}


def example_data(
    kind: str,
    child_id: str = "C-EX-1",
    occurred_at: str | date | datetime = "2026-05-01",
    **overrides: Any,
) -> dict[str, Any]:
    """A JSON-ready example of ``kind``; ``overrides`` replace or add fields."""
    when = occurred_at.isoformat() if isinstance(occurred_at, date | datetime) else occurred_at
    data: dict[str, Any] = {
        "kind": kind,
        "child_id": child_id,
        "occurred_at": when,
        "recorded_by": dict(WORKER),
        "summary": f"Example {kind.replace('_', ' ')}.",
        "source": "CN-0001",
    }
    data.update(EXAMPLE_FIELDS[kind])
    data.update(overrides)
    return data


def example(
    kind: str, child_id: str = "C-EX-1", occurred_at: Any = "2026-05-01", **overrides: Any
) -> CaseEvent:
    return parse_event(example_data(kind, child_id, occurred_at, **overrides))


def all_kinds() -> list[str]:
    return sorted(EVENT_TYPES)
