"""Restricted records on the record itself: marked, lifted, and opened by breaking the glass.

A restriction is an event on the child's record, so "is this record restricted" is a fold of
the record like everything else, and the history shows who restricted it and why. Opening a
restricted record by breaking the glass appends :class:`RestrictedRecordOpened`: the alert
the record's manager sees in its history and chronology.
"""

from __future__ import annotations

from pydantic import Field

from domain.events.base import CaseEvent, Category


class RecordRestricted(CaseEvent):
    """Only explicit grants may read this record from now on (adoption, staff relative...)."""

    category = Category.MANAGEMENT
    significant_by_default = True

    data_protection = {
        "reason": "child:free_text",
    }

    reason: str = Field(min_length=1, max_length=2000)


class RecordRestrictionLifted(CaseEvent):
    category = Category.MANAGEMENT

    data_protection = {
        "reason": "child:free_text",
    }

    reason: str = Field(min_length=1, max_length=2000)


class RestrictedRecordOpened(CaseEvent):
    """Break glass: someone without a grant opened the restricted record, giving a reason."""

    category = Category.MANAGEMENT
    significant_by_default = True

    data_protection = {
        "opened_by": "professional:identifier",
        "reason": "child:free_text",
    }

    opened_by: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=10, max_length=2000)
