"""Corrections never rewrite history: they are new events that point at the old one."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from domain.events.base import CaseEvent, Category


class EntryCorrected(CaseEvent):
    """An earlier entry's fields are corrected; the original stays in the stream."""

    category = Category.CORRECTIONS

    data_protection = {
        "target_event_id": "-",
        "changes": "child:free_text",
        "reason": "child:free_text",
    }

    target_event_id: str = Field(min_length=1, max_length=64)
    changes: dict[str, Any] = Field(min_length=1)
    reason: str = Field(min_length=1, max_length=2000)


class EntryRecordedInError(CaseEvent):
    """An earlier entry should never have been recorded on this child's record."""

    category = Category.CORRECTIONS

    data_protection = {
        "target_event_id": "-",
        "reason": "child:free_text",
    }

    target_event_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=2000)
