"""Court proceedings: the Public Law Outline steps and the orders made."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field

from domain.codes import OrderKind
from domain.events.base import CaseEvent, Category


class LegalPlanningMeetingHeld(CaseEvent):
    category = Category.PROCEEDINGS
    significant_by_default = True

    data_protection = {
        "decision": "child:free_text",
        "threshold_met": "-",
    }

    decision: str = Field(min_length=1, max_length=2000)
    threshold_met: bool | None = None


class LetterBeforeProceedingsSent(CaseEvent):
    category = Category.PROCEEDINGS
    significant_by_default = True


class PreProceedingsMeetingHeld(CaseEvent):
    title = "Pre-proceedings meeting held"
    category = Category.PROCEEDINGS
    significant_by_default = True


class PreProceedingsReviewHeld(CaseEvent):
    title = "Pre-proceedings review held"
    category = Category.PROCEEDINGS
    significant_by_default = True

    data_protection = {
        "outcome": "child:free_text",
    }

    outcome: str = Field(min_length=1, max_length=2000)


class ApplicationIssued(CaseEvent):
    """Care (or other) proceedings are issued; the s32 26-week clock starts."""

    category = Category.PROCEEDINGS
    significant_by_default = True

    data_protection = {
        "court": "-",
        "court_number": "child:identifier",
        "order_sought": "-",
    }

    court: str = Field(min_length=1, max_length=200)
    court_number: str | None = Field(default=None, max_length=40)
    order_sought: OrderKind


class HearingType(StrEnum):
    FIRST = "first"
    CASE_MANAGEMENT = "case_management"
    FURTHER_CASE_MANAGEMENT = "further_case_management"
    ISSUES_RESOLUTION = "issues_resolution"
    FINAL = "final"
    INTERIM = "interim"
    CELEBRATION = "celebration"  # adoption celebration hearing (later-life letter clock)


class HearingHeld(CaseEvent):
    category = Category.PROCEEDINGS
    significant_by_default = True

    data_protection = {
        "hearing": "-",
        "court": "-",
        "outcome": "child:free_text",
        "next_hearing_on": "-",
    }

    hearing: HearingType
    court: str | None = Field(default=None, max_length=200)
    outcome: str | None = Field(default=None, max_length=2000)
    next_hearing_on: date | None = None


class OrderMade(CaseEvent):
    """A court order (or police protection) is made about the child."""

    category = Category.PROCEEDINGS
    significant_by_default = True

    data_protection = {
        "order": "-",
        "court": "-",
        "expires_on": "-",
        "parental_responsibility_granted_to": "-",
        "parental_responsibility_ended_for": "-",
    }

    order: OrderKind
    court: str | None = Field(default=None, max_length=200)
    expires_on: date | None = None
    parental_responsibility_granted_to: list[str] = Field(default_factory=list)
    parental_responsibility_ended_for: list[str] = Field(default_factory=list)

    def people(self) -> list[str]:
        return [*self.parental_responsibility_granted_to, *self.parental_responsibility_ended_for]
