"""Events the policy handlers append when a practice standard falls due or is missed."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from domain.events.base import CaseEvent, Category


class _DeadlineEvent(CaseEvent):
    category = Category.STANDARDS

    data_protection = {
        "rule_id": "-",
        "pack": "-",
        "pack_version": "-",
        "citation": "-",
        "trigger_event_id": "-",
        "due": "-",
        "detected_at": "-",
    }

    rule_id: str = Field(min_length=1, max_length=120)
    pack: str = Field(min_length=1, max_length=60)
    pack_version: str = Field(min_length=1, max_length=40)
    citation: str = Field(min_length=1, max_length=400)
    trigger_event_id: str | None = Field(default=None, max_length=64)
    due: datetime
    detected_at: datetime


class DeadlineDueSoon(_DeadlineEvent):
    """A standard falls due soon and is not yet met."""


class DeadlineBreached(_DeadlineEvent):
    """A standard was missed: its due time passed without the event that satisfies it."""

    significant_by_default = True


class DeadlineMetLate(_DeadlineEvent):
    """A standard was met, but after it was due."""

    data_protection = {
        "met_by_event_id": "-",
        "met_at": "-",
    }

    met_by_event_id: str = Field(min_length=1, max_length=64)
    met_at: datetime
