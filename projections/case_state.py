"""Whether a child's case is open at a moment: the fold the overdue list filters by (pure).

A case is closed by a ``case_closed`` entry and opened again by new work at the front door
(a ``contact_received`` or ``referral_received`` that occurred after the closure). The record
as it stands counts: a closure recorded in error never closed the case, a corrected one
counts at its corrected date. Entries that occurred after ``at`` have not happened yet.

``closed_at`` is the latest closure even when the case has been opened again since: work due
before it belongs to the episode that closed, not to the open one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from domain.effective import effective_events
from domain.envelope import RecordedEvent
from domain.events.base import LONDON

__all__ = ["REOPENING_KINDS", "CaseState", "case_state"]

REOPENING_KINDS = frozenset({"contact_received", "referral_received"})
"""New work that opens a closed case again."""


@dataclass(frozen=True)
class CaseState:
    open: bool
    closed_at: datetime | None = None
    """When the latest closure took effect (None: the case was never closed)."""

    def covers(self, due: datetime) -> bool:
        """Whether work due at ``due`` belongs to the open case (not to a closed episode)."""
        return self.open and (self.closed_at is None or due > self.closed_at)


def case_state(events: Iterable[RecordedEvent], at: datetime | None = None) -> CaseState:
    """The child's case at ``at`` (default: as the record now stands)."""
    closed_at: datetime | None = None
    reopened = False
    happened = [
        (item.event.occurred_instant, item.position, item.event.kind, item.event.occurred_at)
        for item in effective_events(events)
        if at is None or item.event.occurred_instant <= at
    ]
    for instant, _, kind, occurred in sorted(happened, key=lambda h: (h[0], h[1])):
        if kind == "case_closed":
            closed_at, reopened = _effect(occurred, instant), False
        elif kind in REOPENING_KINDS and closed_at is not None and instant > closed_at:
            reopened = True
    return CaseState(open=closed_at is None or reopened, closed_at=closed_at)


def _effect(occurred: date | datetime, instant: datetime) -> datetime:
    """A closure dated without a time closes the whole of its day."""
    if isinstance(occurred, datetime):
        return instant
    return datetime.combine(occurred, time.max, tzinfo=LONDON)
