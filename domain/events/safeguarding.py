"""Safeguarding: strategy discussions, section 47 enquiries, assessments, conferences, CP plans."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import Field, field_validator, model_validator

from domain.codes import AssessmentFactor, ChildProtectionCategory, PrimaryNeed, Section47Outcome
from domain.events.base import LONDON, CaseEvent, Category
from domain.recipients import Recipient, recipients_named


class StrategyUrgency(StrEnum):
    SAME_DAY = "same_day"
    URGENT = "urgent"
    ROUTINE = "routine"


class StrategyDecision(StrEnum):
    SECTION_47 = "section_47"
    SINGLE_ASSESSMENT = "single_assessment"
    NO_FURTHER_ACTION = "no_further_action"
    FURTHER_STRATEGY = "further_strategy"


class StrategyDiscussionHeld(CaseEvent):
    """Police, health and social care share information and decide on a section 47 enquiry."""

    category = Category.SAFEGUARDING
    significant_by_default = True

    data_protection = {
        "agencies_present": "-",
        "urgency": "-",
        "same_day_reason": "child:free_text",
        "decision": "-",
        "rationale": "child:free_text",
    }

    agencies_present: list[str] = Field(min_length=1)
    urgency: StrategyUrgency = StrategyUrgency.ROUTINE
    same_day_reason: str | None = Field(default=None, max_length=2000)
    decision: StrategyDecision
    rationale: str | None = Field(default=None, max_length=4000)

    @model_validator(mode="after")
    def _same_day_reason(self) -> StrategyDiscussionHeld:
        if self.urgency is StrategyUrgency.SAME_DAY and not self.same_day_reason:
            raise ValueError("same_day_reason is required for a same-day strategy discussion")
        return self


class Section47Started(CaseEvent):
    """A section 47 enquiry (Children Act 1989) begins."""

    kind = "section_47_started"
    title = "Section 47 enquiry started"

    category = Category.SAFEGUARDING
    significant_by_default = True


class Section47Concluded(CaseEvent):
    """A section 47 enquiry ends with an outcome."""

    kind = "section_47_concluded"
    title = "Section 47 enquiry concluded"

    category = Category.SAFEGUARDING
    significant_by_default = True

    data_protection = {
        "outcome": "-",
        "rationale": "child:free_text",
    }

    outcome: Section47Outcome
    rationale: str | None = Field(default=None, max_length=4000)


class AssessmentStarted(CaseEvent):
    """A single (child and family) assessment begins."""

    category = Category.SAFEGUARDING
    significant_by_default = True


class AssessmentCompleted(CaseEvent):
    """The assessment is written up, with the factors identified and the need found."""

    category = Category.SAFEGUARDING
    significant_by_default = True

    data_protection = {
        "factors": "-",
        "primary_need": "-",
        "recommendation": "child:free_text",
    }

    factors: list[AssessmentFactor] = Field(default_factory=list)
    primary_need: PrimaryNeed | None = None
    recommendation: str = Field(min_length=1, max_length=4000)


class AssessmentAuthorised(CaseEvent):
    """A manager signs off the completed assessment."""

    category = Category.SAFEGUARDING
    significant_by_default = True

    data_protection = {
        "authorised_by": "professional:identifier",
    }

    authorised_by: str = Field(min_length=1, max_length=64)


class AssessmentExtended(CaseEvent):
    """A manager agrees an assessment may run past its timescale, to a new date."""

    category = Category.SAFEGUARDING
    significant_by_default = True

    data_protection = {
        "agreed_new_date": "-",
        "agreed_by": "professional:identifier",
        "reason": "child:free_text",
    }

    agreed_new_date: date
    agreed_by: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=2000)


class ConferenceDecision(StrEnum):
    CHILD_PROTECTION_PLAN = "child_protection_plan"
    CONTINUE_PLAN = "continue_plan"
    END_PLAN = "end_plan"
    CHILD_IN_NEED_PLAN = "child_in_need_plan"
    NO_FURTHER_ACTION = "no_further_action"


class InitialChildProtectionConferenceHeld(CaseEvent):
    """The initial child protection conference (ICPC)."""

    category = Category.SAFEGUARDING
    significant_by_default = True
    title = "Initial child protection conference held"

    data_protection = {
        "decision": "-",
        "category_of_abuse": "-",
        "chair": "professional:identifier",
    }

    decision: ConferenceDecision
    category_of_abuse: ChildProtectionCategory | None = None
    chair: str | None = Field(default=None, max_length=100)

    @model_validator(mode="after")
    def _category(self) -> InitialChildProtectionConferenceHeld:
        if self.decision is ConferenceDecision.CHILD_PROTECTION_PLAN and not self.category_of_abuse:
            raise ValueError("category_of_abuse is required when the decision is a CP plan")
        return self


class ReviewChildProtectionConferenceHeld(CaseEvent):
    """A review child protection conference (RCPC)."""

    category = Category.SAFEGUARDING
    significant_by_default = True
    title = "Review child protection conference held"

    data_protection = {
        "decision": "-",
        "category_of_abuse": "-",
        "chair": "professional:identifier",
    }

    decision: ConferenceDecision
    category_of_abuse: ChildProtectionCategory | None = None
    chair: str | None = Field(default=None, max_length=100)


class ChildProtectionPlanStarted(CaseEvent):
    """The child becomes subject of a child protection plan."""

    category = Category.SAFEGUARDING
    significant_by_default = True
    title = "Child protection plan started"

    data_protection = {
        "category_of_abuse": "-",
    }

    category_of_abuse: ChildProtectionCategory


class ChildProtectionCategoryChanged(CaseEvent):
    """The plan's category of abuse changes."""

    category = Category.SAFEGUARDING
    significant_by_default = True
    title = "Child protection category changed"

    data_protection = {
        "category_of_abuse": "-",
    }

    category_of_abuse: ChildProtectionCategory


class ChildProtectionPlanEnded(CaseEvent):
    """The child protection plan ends."""

    category = Category.SAFEGUARDING
    significant_by_default = True
    title = "Child protection plan ended"

    data_protection = {
        "reason": "child:free_text",
    }

    reason: str = Field(min_length=1, max_length=2000)


class CoreGroupHeld(CaseEvent):
    """The core group meets to develop and deliver the child protection plan."""

    category = Category.SAFEGUARDING

    data_protection = {
        "attendees": "others:name",
    }

    attendees: list[str] = Field(default_factory=list)


class MeetingType(StrEnum):
    INITIAL_CONFERENCE = "initial_conference"
    REVIEW_CONFERENCE = "review_conference"
    LOOKED_AFTER_REVIEW = "looked_after_review"
    CHILD_IN_NEED_REVIEW = "child_in_need_review"
    CORE_GROUP = "core_group"
    CHILD_IN_NEED_MEETING = "child_in_need_meeting"
    PRE_PROCEEDINGS = "pre_proceedings"
    HEARING = "hearing"
    STRATEGY = "strategy"


class MeetingScheduled(CaseEvent):
    """A meeting is booked; some standards count backwards from its date."""

    category = Category.MANAGEMENT

    data_protection = {
        "meeting_type": "-",
        "scheduled_for": "-",
    }

    meeting_type: MeetingType
    scheduled_for: date | datetime = Field(
        description="The meeting's date, or its date and time (naive means Europe/London): "
        "'24 hours in advance' of a 10:00 meeting is 10:00 the day before."
    )

    @field_validator("scheduled_for", mode="before")
    @classmethod
    def _scheduled_date_or_datetime(cls, value: Any) -> Any:
        """A bare ISO date stays a date; anything with a time is a datetime.

        (Named apart from CaseEvent's occurred_at validators, which a same-named method
        would replace.)
        """
        if isinstance(value, str):
            text = value.strip()
            try:
                return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
            except ValueError:
                return value
        return value

    @field_validator("scheduled_for", mode="after")
    @classmethod
    def _scheduled_in_london(cls, value: date | datetime) -> date | datetime:
        if isinstance(value, datetime):
            return (
                value.replace(tzinfo=LONDON) if value.tzinfo is None else value.astimezone(LONDON)
            )
        return value


class ReportShared(CaseEvent):
    """A report for a meeting is shared, before it takes place, with the recipients named.

    Version 2 adds ``recipients`` (the code list in domain/recipients.py): the standards time
    the sharing *with someone* (the family, the chair, the IRO), and a rule names who.
    """

    category = Category.MANAGEMENT
    class_version = 2

    data_protection = {
        "meeting_type": "-",
        "meeting_date": "-",
        "shared_with": "others:name",
        "recipients": "-",
    }

    meeting_type: MeetingType
    meeting_date: date
    shared_with: list[str] = Field(
        default_factory=list,
        description="Who it was shared with, as given (names, person ids or recipient codes).",
    )
    recipients: list[Recipient] = Field(
        default_factory=list,
        description="Who received it, as recipient codes (domain/recipients.py: child, parents, "
        "carers, chair, iro, agencies, ...); when not given, the codes named in shared_with.",
    )

    @model_validator(mode="before")
    @classmethod
    def _recipients_from_shared_with(cls, data: Any) -> Any:
        if isinstance(data, dict) and "recipients" not in data:
            named = recipients_named(str(w) for w in data.get("shared_with") or [])
            return {**data, "recipients": [r.value for r in named]}
        return data

    @staticmethod
    def upcast_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
        """Version 1 had only ``shared_with``: the recipients are the codes it names."""
        named = recipients_named(str(w) for w in data.get("shared_with") or [])
        return {**data, "recipients": [r.value for r in named]}
