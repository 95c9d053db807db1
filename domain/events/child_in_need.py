"""Child in need (section 17): plans, meetings, reviews, stepping up and down."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from domain.events.base import CaseEvent, Category


class ChildInNeedPlanAgreed(CaseEvent):
    """A child in need plan is agreed."""

    category = Category.CHILD_IN_NEED
    significant_by_default = True
    title = "Child in need plan agreed"


class ChildInNeedMeetingHeld(CaseEvent):
    """The child in need network meets."""

    category = Category.CHILD_IN_NEED
    title = "Child in need meeting held"

    data_protection = {
        "attendees": "others:name",
    }

    attendees: list[str] = Field(default_factory=list)


class ChildInNeedPlanReviewed(CaseEvent):
    """The child in need plan is reviewed."""

    category = Category.CHILD_IN_NEED
    significant_by_default = True
    title = "Child in need plan reviewed"

    data_protection = {
        "outcome": "child:free_text",
    }

    outcome: str = Field(min_length=1, max_length=2000)


class ChildInNeedPlanEnded(CaseEvent):
    """The child in need plan ends."""

    category = Category.CHILD_IN_NEED
    significant_by_default = True
    title = "Child in need plan ended"

    data_protection = {
        "reason": "child:free_text",
    }

    reason: str = Field(min_length=1, max_length=2000)


class StepDirection(StrEnum):
    EARLY_HELP_TO_SOCIAL_CARE = "early_help_to_social_care"
    CIN_TO_CP = "cin_to_cp"
    SOCIAL_CARE_TO_EARLY_HELP = "social_care_to_early_help"
    CP_TO_CIN = "cp_to_cin"


class SteppedUp(CaseEvent):
    """The case moves to a more intensive level of intervention."""

    category = Category.CHILD_IN_NEED
    significant_by_default = True

    data_protection = {
        "direction": "-",
        "rationale": "child:free_text",
    }

    direction: StepDirection
    rationale: str = Field(min_length=1, max_length=2000)


class SteppedDown(CaseEvent):
    """The case moves to a less intensive level of intervention."""

    category = Category.CHILD_IN_NEED
    significant_by_default = True

    data_protection = {
        "direction": "-",
        "rationale": "child:free_text",
    }

    direction: StepDirection
    rationale: str = Field(min_length=1, max_length=2000)
