"""What was sent to whom: minutes and plans circulated after a meeting, information given.

The standards time the circulation, not the meeting's own write-up: strategy minutes
"distributed within 1 working day" (Knowsley §2), core group minutes "distributed to all
agencies within 5 days" (Knowsley §4), conference recommendations "circulated to those invited
to conference within 1 working day and the full minutes circulated within 20 working days"
(Shropshire 10.6), "a copy of the CIN plan within 10 working days" (York 6.2 row 7); and what
a person was told: professionals "informed of the child's legal status" (York 6.5, Knowsley
§8), the IRO service notified (Knowsley §8), the referrer told in writing of the decision
(Shropshire 2.6).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import Field, ValidationInfo, field_validator

from domain.events.base import LONDON, CaseEvent, Category
from domain.events.safeguarding import MeetingType
from domain.recipients import Recipient

__all__ = ["InformationGiven", "InformationSubject", "MeetingRecord", "MinutesCirculated"]


class MeetingRecord(StrEnum):
    """Which record of a meeting was circulated."""

    MINUTES = "minutes"
    """The full minutes."""
    DECISIONS = "decisions"
    """The record of decisions (a strategy discussion's outcome and reasons)."""
    RECOMMENDATIONS = "recommendations"
    """A conference's or review's recommendations."""
    PLAN = "plan"
    """The plan the meeting made (a copy of the child in need or child protection plan)."""


class MinutesCirculated(CaseEvent):
    """A record of a meeting (minutes, decisions, recommendations or the plan) is sent out."""

    category = Category.MANAGEMENT
    title = "Meeting record circulated"

    data_protection = {
        "meeting_type": "-",
        "meeting_date": "-",
        "record": "-",
        "recipients": "-",
    }

    meeting_type: MeetingType = Field(description="The meeting the record belongs to.")
    meeting_date: date = Field(description="The day that meeting took place.")
    record: MeetingRecord = Field(
        default=MeetingRecord.MINUTES, description="Which record was circulated."
    )
    recipients: list[Recipient] = Field(
        min_length=1, description="Who it was sent to (recipient codes, domain/recipients.py)."
    )

    @field_validator("meeting_date")
    @classmethod
    def _after_the_meeting(cls, value: date, info: ValidationInfo) -> date:
        occurred = info.data.get("occurred_at")
        day = occurred.astimezone(LONDON).date() if isinstance(occurred, datetime) else occurred
        if isinstance(day, date) and value > day:
            raise ValueError(
                f"a meeting's record is circulated after it: the meeting on "
                f"{value.isoformat()} is after occurred_at {day.isoformat()}"
            )
        return value


class InformationSubject(StrEnum):
    """What a person was told."""

    LEGAL_STATUS = "legal_status"
    """The child's legal status (the order or section they are looked after under)."""
    BECAME_LOOKED_AFTER = "became_looked_after"
    """That the child has become looked after (the IRO service notified)."""
    RIGHTS = "rights"
    """The child's rights (to complain, to see their records, to an advocate)."""
    COMPLAINTS = "complaints"
    """How to complain."""
    ADVOCACY = "advocacy"
    """Advocacy and independent visitor services."""
    PLACEMENT = "placement"
    """Information about the placement."""
    REFERRAL_OUTCOME = "referral_outcome"
    """The decision on a referral and the action to be taken (feedback to the referrer)."""


class InformationGiven(CaseEvent):
    """Someone is told something the standards time: the child's legal status, their rights."""

    category = Category.MANAGEMENT
    title = "Information given"

    data_protection = {
        "subject": "-",
        "recipients": "-",
    }

    subject: InformationSubject = Field(description="What they were told.")
    recipients: list[Recipient] = Field(
        min_length=1, description="Who was told (recipient codes, domain/recipients.py)."
    )
