"""A history that uses every event kind once, in an order the record's rules accept."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from domain.events import EVENT_TYPES, CaseEvent
from tests.factories import example_data

ORDER = [
    "child_registered",
    "authority_recorded",
    "allocated_to_team",
    "allocated_to_worker",
    "person_added",
    "person_died",
    "relationship_recorded",
    "relationship_ended",
    "contact_received",
    "referral_received",
    "referral_decision",
    "strategy_discussion_held",
    "section_47_started",
    "section_47_concluded",
    "assessment_started",
    "assessment_extended",
    "assessment_completed",
    "assessment_authorised",
    "meeting_scheduled",
    "report_shared",
    "initial_child_protection_conference_held",
    "child_protection_plan_started",
    "child_protection_category_changed",
    "core_group_held",
    "review_child_protection_conference_held",
    "child_protection_plan_ended",
    "stepped_down",
    "child_in_need_plan_agreed",
    "child_in_need_meeting_held",
    "child_in_need_plan_reviewed",
    "child_in_need_plan_ended",
    "stepped_up",
    "child_visited",
    "wishes_and_feelings_recorded",
    "management_decision_recorded",
    "supervision_held",
    "case_note_recorded",
    "legal_planning_meeting_held",
    "letter_before_proceedings_sent",
    "pre_proceedings_meeting_held",
    "pre_proceedings_review_held",
    "application_issued",
    "hearing_held",
    "order_made",
    "became_looked_after",
    "legal_status_changed",
    "placement_started",
    "placement_plan_completed",
    "care_plan_agreed",
    "looked_after_review_held",
    "iro_contact",
    "health_assessment_requested",
    "health_assessment_completed",
    "pep_meeting_held",
    "permanence_plan_agreed",
    "missing_episode_started",
    "missing_episode_ended",
    "return_interview_offered",
    "return_interview_held",
    "adoption_decision_made",
    "placed_for_adoption",
    "adoption_placement_ceased",
    "adoption_review_held",
    "later_life_letter_given",
    "placement_ended",
    "ceased_to_be_looked_after",
    "pathway_plan_agreed",
    "pathway_plan_reviewed",
    "personal_adviser_allocated",
    "care_leaver_contact",
    "deadline_due_soon",
    "deadline_breached",
    "deadline_met_late",
    "case_closed",
]
"""Kinds in an order the aggregate accepts; corrections and child_born are handled apart."""

LATE_KINDS = {"entry_corrected", "entry_recorded_in_error"}
UNBORN_KINDS = {"child_born"}


def every_kind_journey(
    child_id: str = "C-EX-1", start: date = date(2025, 1, 6)
) -> list[dict[str, Any]]:
    """JSON data for one child covering every kind except corrections and child_born.

    Kinds not named in ORDER (added to the catalogue later) go straight after the
    authority is recorded, where a kind with no preconditions is accepted.
    """
    known = set(ORDER) | LATE_KINDS | UNBORN_KINDS
    extra = sorted(k for k in EVENT_TYPES if k not in known)
    order = ORDER[:2] + extra + ORDER[2:]
    data = []
    for offset, kind in enumerate(order):
        data.append(example_data(kind, child_id, start + timedelta(days=offset)))
    return data


def unborn_journey(child_id: str = "C-EX-2") -> list[dict[str, Any]]:
    return [
        example_data(
            "child_registered",
            child_id,
            "2024-01-10",
            date_of_birth=None,
            expected_date_of_birth="2024-02-01",
            upn=None,
            nhs_number=None,
        ),
        example_data("referral_received", child_id, "2024-01-11", summary="Pre-birth referral."),
        example_data("child_born", child_id, "2024-02-01"),
    ]


def strip_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


def events_of(data: list[dict[str, Any]]) -> list[CaseEvent]:
    from domain.parsing import parse_event

    return [parse_event(strip_none(d)) for d in data]
