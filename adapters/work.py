"""Open work: the overdue and due-this-week deadlines an account may see, for the CLI's
``overdue``, the web app's "My work" and the team dashboard alike.

One reading: the deadline index as it stands plus the log since, worked out in memory
(:func:`adapters.readmodels.deadline_view.index_view`, which writes nothing), judged at a
moment, up to the end of that moment's week (Sunday, London), filtered to the children the
account may read (:meth:`adapters.auth.guard.Gate.visible_ids`). Overdue is what fell due
before the moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from adapters.auth.guard import Gate
from adapters.db import sql_engine
from adapters.readmodels.deadline_view import IndexView, OpenDeadline, index_view
from adapters.store import EventStore
from domain.access import Action, StoreAction
from domain.events.base import LONDON
from policies.rules import PackSet
from policies.strands import OWN_CLOCK

__all__ = ["Work", "open_work", "week_end"]


def week_end(moment: datetime) -> tuple[date, datetime]:
    """The Sunday of ``moment``'s London week, and the last second of it."""
    day = moment.astimezone(LONDON).date()
    last = day + timedelta(days=6 - day.weekday())
    return last, datetime.combine(last, time(23, 59, 59), tzinfo=LONDON)


@dataclass(frozen=True)
class Work:
    at: datetime
    week_ends: date
    view: IndexView
    items: list[OpenDeadline]
    """The visible children's open and breached deadlines due by the week's end, oldest first."""

    def is_overdue(self, item: OpenDeadline) -> bool:
        return item.due < self.at.timestamp()

    @property
    def overdue(self) -> list[OpenDeadline]:
        return [d for d in self.items if self.is_overdue(d)]

    @property
    def due_this_week(self) -> list[OpenDeadline]:
        return [d for d in self.items if not self.is_overdue(d)]


def open_work(
    store: EventStore,
    gate: Gate,
    packs: PackSet,
    moment: datetime,
    *,
    team: str | None = None,
    worker: str | None = None,
    include_closed: bool = False,
) -> Work:
    """The work the gate's account may see (the caseload right, then each child's read right).

    Subject access deadlines are owed whether the case is open or closed, so they are listed
    for a closed case too; an account with the ``subject_access`` right (the data protection
    officer) sees every child's, without reading the child's record.
    """
    gate.require_store(StoreAction.CASELOAD)
    seen = gate.visible_ids(Action.READ)
    last, until = week_end(moment)
    regardless = own_clock_rules(packs)
    view = index_view(
        store,
        sql_engine(store.url),
        packs,
        moment,
        until,
        include_closed=include_closed,
        team=team,
        worker=worker,
        open_regardless=regardless,
    )
    answers_requests = gate.may_store(StoreAction.SUBJECT_ACCESS)
    items = [
        d
        for d in view.deadlines
        if seen is None or d.child_id in seen or (answers_requests and d.rule_id in regardless)
    ]
    return Work(at=moment, week_ends=last, view=view, items=items)


def own_clock_rules(packs: PackSet) -> frozenset[str]:
    """The rules whose deadlines no case closure stops (policies/strands.py, OWN_CLOCK)."""
    return frozenset(
        rule.id
        for versions in packs.versions.values()
        for pack in versions
        for rule in pack.rules
        if rule.strand_of() in OWN_CLOCK
    )
