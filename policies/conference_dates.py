"""A warning, not a refusal: a child protection conference recorded on a non-working day.

A conference is not held on a Saturday, a Sunday or a bank holiday (England and Wales); such a
date is most likely a slip (the DfE's CIN census queries it: 8875). It is still recorded:
an emergency conference can happen, and the record keeps what the worker wrote.
"""

from __future__ import annotations

from collections.abc import Iterable

from domain.events import CaseEvent
from domain.events.safeguarding import (
    InitialChildProtectionConferenceHeld,
    ReviewChildProtectionConferenceHeld,
)
from policies.calendar import WorkingDayCalendar

CONFERENCES = (InitialChildProtectionConferenceHeld, ReviewChildProtectionConferenceHeld)

_CALENDAR = WorkingDayCalendar()


def conference_date_warnings(events: Iterable[CaseEvent]) -> list[str]:
    """One line for each conference dated on a weekend or bank holiday."""
    warnings = []
    for index, event in enumerate(events):
        if not isinstance(event, CONFERENCES):
            continue
        day = event.occurred_date
        if _CALENDAR.is_working_day(day):
            continue
        what = "a bank holiday" if day.weekday() < 5 else day.strftime("%A")
        warnings.append(
            f"event {index} ({event.kind}) for {event.child_id}: occurred_at "
            f"{day.strftime('%d/%m/%Y')} is {what}; a conference is held on a working day "
            "- check the date (recorded as given)"
        )
    return warnings
