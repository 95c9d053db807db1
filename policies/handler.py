"""The breach handler's decisions, pure: which standards events a child's schedule calls for.

Given the deadlines the engine computed at ``at`` and the idempotency keys of the standards
events already on the child's record, :func:`standards_events` returns the events to append:

- ``deadline_breached`` for every deadline whose due time passed without the event that meets it
  (status ``breached``, or ``met_late``: it was breached before it was met). Its occurred-at is
  the due time (when the breach happened) and ``detected_at`` is ``at`` (when it was noticed), so
  a breach revealed by a late-recorded event carries both dates.
- ``deadline_met_late`` for every deadline met after it was due.
- ``deadline_due_soon`` for an open deadline within ``due_soon_working_days`` working days of its
  due time (default 2).

Each event carries a deterministic idempotency key built from the rule, the trigger event and
the due time, so the same deadline never produces two breaches however often, in whatever
order or after whatever crash the handler runs: the record returns the existing event for a
repeated key and writes nothing. :func:`next_check` says when the schedule next needs looking
at if no new event arrives (the due-date index stores it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.events.base import CaseEvent, RecordedBy
from domain.events.standards import DeadlineBreached, DeadlineDueSoon, DeadlineMetLate
from policies.calendar import LONDON, Unit, WorkingDayCalendar
from policies.engine import Deadline, Status

__all__ = [
    "POLICY_USER",
    "HandlerConfig",
    "breach_key",
    "due_soon_from",
    "due_soon_key",
    "met_late_key",
    "next_check",
    "standards_events",
]

POLICY_USER = RecordedBy(user_id="caseledger-policy", role="system")
CALENDAR = WorkingDayCalendar()


@dataclass(frozen=True)
class HandlerConfig:
    due_soon_working_days: int = 2


def _suffix(deadline: Deadline) -> str:
    return f"{deadline.pack}:{deadline.rule_id}:{deadline.trigger_event_id}:{deadline.effective_due.isoformat()}"


def breach_key(deadline: Deadline) -> str:
    return f"breach:{_suffix(deadline)}"


def met_late_key(deadline: Deadline) -> str:
    return f"metlate:{_suffix(deadline)}"


def due_soon_key(deadline: Deadline) -> str:
    return f"duesoon:{_suffix(deadline)}"


def due_soon_from(deadline: Deadline, working_days: int) -> datetime:
    """When the due-soon warning starts: the start of the day ``working_days`` before the due."""
    due_day = deadline.effective_due.astimezone(LONDON).date()
    start = CALENDAR.due_day(due_day, Unit.WORKING_DAYS, -working_days)
    return datetime(start.year, start.month, start.day, tzinfo=LONDON)


def _common(deadline: Deadline, at: datetime) -> dict[str, object]:
    return {
        "child_id": deadline.child_id,
        "recorded_by": POLICY_USER,
        "rule_id": deadline.rule_id,
        "pack": deadline.pack,
        "pack_version": deadline.pack_version,
        "citation": deadline.citation,
        "trigger_event_id": deadline.trigger_event_id,
        "due": deadline.effective_due,
        "detected_at": at,
        "source": f"rule {deadline.pack}:{deadline.rule_id}",
    }


def _when(moment: datetime) -> str:
    return moment.astimezone(LONDON).strftime("%d %b %Y %H:%M")


def standards_events(
    deadlines: Iterable[Deadline],
    existing_keys: set[str],
    at: datetime,
    config: HandlerConfig = HandlerConfig(),
) -> list[CaseEvent]:
    """The standards events these deadlines call for that are not on the record yet."""
    out: list[CaseEvent] = []
    keys = set(existing_keys)

    def want(key: str) -> bool:
        if key in keys:
            return False
        keys.add(key)
        return True

    for d in deadlines:
        due = d.effective_due
        if d.status in (Status.BREACHED, Status.MET_LATE) and at > due and want(breach_key(d)):
            out.append(
                DeadlineBreached(
                    occurred_at=due,
                    summary=f"{d.title}: due {_when(due)}, missed (detected {_when(at)}).",
                    idempotency_key=breach_key(d),
                    **_common(d, at),
                )
            )
        if (
            d.status is Status.MET_LATE
            and d.satisfied_by_event_id
            and d.satisfied_at
            and want(met_late_key(d))
        ):
            out.append(
                DeadlineMetLate(
                    occurred_at=d.satisfied_at,
                    summary=f"{d.title}: met late on {_when(d.satisfied_at)} (due {_when(due)}).",
                    idempotency_key=met_late_key(d),
                    met_by_event_id=d.satisfied_by_event_id,
                    met_at=d.satisfied_at,
                    **_common(d, at),
                )
            )
        if (
            d.is_open
            and due_soon_from(d, config.due_soon_working_days) <= at <= due
            and want(due_soon_key(d))
        ):
            out.append(
                DeadlineDueSoon(
                    occurred_at=at,
                    summary=f"{d.title}: due {_when(due)}.",
                    idempotency_key=due_soon_key(d),
                    **_common(d, at),
                )
            )
    return out


def next_check(
    deadlines: Sequence[Deadline],
    existing_keys: set[str],
    at: datetime,
    config: HandlerConfig = HandlerConfig(),
) -> datetime | None:
    """The earliest moment after ``at`` at which an open deadline needs a warning or a breach."""
    moments: list[datetime] = []
    for d in deadlines:
        if not d.is_open:
            continue
        warn = due_soon_from(d, config.due_soon_working_days)
        if warn > at and due_soon_key(d) not in existing_keys:
            moments.append(warn)
        else:
            moments.append(d.effective_due)
    return min(moments) if moments else None
