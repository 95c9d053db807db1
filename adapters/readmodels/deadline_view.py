"""Every child's open deadlines at a moment, as the tick would leave the index, written nowhere.

The overdue list reads the due-date index (:mod:`adapters.readmodels.deadlines`), but the
index is only as fresh as the last tick. Rather than bring it up to date (which would save
children as evaluated, and so stop the tick writing their breaches), this module reads it
as it stands and works out the rest in memory:

1. the stored rows: each child's allocation, case state and open deadlines, and the log
   position the index has followed to;
2. the log after that position: which children it touches and the allocations it sets
   (:func:`~adapters.readmodels.deadlines.touched_children`, the index's own rule);
3. the children the tick would evaluate (dirty, touched since, or due by the moment), and any
   whose stored evaluation cannot stand for the moment (made later than it, or before case
   state was kept), are evaluated here from their streams;
4. the other children's stored open rows are used as they are.

Nothing is written, not even the index's tables: on a store no tick has run on, every
child is evaluated here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, and_, inspect, or_, select

from adapters.readmodels.deadlines import (
    REPORTED,
    DeadlineIndex,
    deadline_children,
    deadline_open,
    epoch,
    missing_columns,
    open_row,
    touched_children,
)
from adapters.readmodels.runner import readmodel_positions
from adapters.store import EventStore
from policies.engine import evaluate
from policies.rules import PackSet
from projections.case_state import case_state

__all__ = ["ChildIndexRow", "IndexView", "OpenDeadline", "by_team_and_worker", "index_view"]


@dataclass
class ChildIndexRow:
    """One child in the index as the tick would leave it."""

    child_id: str
    worker_id: str | None = None
    team: str | None = None
    case_open: bool | None = None
    closed_at: float | None = None
    dirty: bool = True
    next_check: float | None = None
    evaluated_at: float | None = None

    def covers(self, due: float) -> bool:
        """Whether work due at ``due`` (epoch) belongs to the child's open case."""
        return bool(self.case_open) and (self.closed_at is None or due > self.closed_at)


@dataclass(frozen=True)
class OpenDeadline:
    """An open or breached deadline of one child, with the child's allocation and case."""

    child_id: str
    worker_id: str | None
    team: str | None
    rule_id: str
    pack: str
    title: str
    citation: str
    severity: str
    status: str
    due: float
    due_iso: str
    trigger_event_id: str
    case_open: bool
    """False when the child's case is closed or the work belongs to an episode that closed."""


@dataclass(frozen=True)
class IndexView:
    at: datetime
    children: dict[str, ChildIndexRow]
    deadlines: list[OpenDeadline]
    evaluated: int
    """Children evaluated here from their streams (the rest came from the index as stored)."""

    def teams(self) -> list[str]:
        return sorted({c.team for c in self.children.values() if c.team})

    def workers(self) -> list[str]:
        return sorted({c.worker_id for c in self.children.values() if c.worker_id})


def index_view(
    store: EventStore,
    engine: Engine,
    packs: PackSet,
    at: datetime,
    until: datetime,
    *,
    include_closed: bool = True,
    team: str | None = None,
    worker: str | None = None,
    open_regardless: frozenset[str] = frozenset(),
) -> IndexView:
    """Open and breached deadlines due by ``until``, judged at ``at`` (see the module doc).

    Only the open cases' work unless ``include_closed``; only ``team``'s or ``worker``'s if
    given (the children's rows still all come back: the known teams and workers). The
    rules in ``open_regardless`` are owed whether the case is open or not (a subject
    access request): their deadlines come back for a closed case too.
    """
    wanted = _Filter(include_closed, team, worker, open_regardless)
    with engine.connect() as conn:
        children, position = _stored_children(conn)
        tail = touched_children(store.iter_all(after=position))
        for child_id, values in tail.items():
            row = children.setdefault(child_id, ChildIndexRow(child_id))
            row.dirty = True
            if "worker_id" in values:
                row.worker_id = _text(values["worker_id"])
            if "team" in values:
                row.team = _text(values["team"])
        now = epoch(at)
        again = sorted(c for c, row in children.items() if _stale(row, now))
        stored = list(_stored_open(conn, set(again), epoch(until), wanted))
    found: list[OpenDeadline] = []
    for row_values in stored:
        row = children[str(row_values["child_id"])]
        found.append(_open(row, row_values))
    for child_id in again:
        events = store.stream(child_id)
        case = case_state(events, at)
        row = children[child_id]
        row.case_open = case.open
        row.closed_at = epoch(case.closed_at) if case.closed_at else None
        if not wanted.allocation(row.team, row.worker_id):
            continue
        for deadline in evaluate(events, packs, at):
            due = epoch(deadline.effective_due)
            if deadline.status not in REPORTED or due > epoch(until):
                continue
            if wanted.include_closed or row.covers(due) or deadline.rule_id in open_regardless:
                found.append(_open(row, open_row(child_id, deadline)))
    found.sort(key=lambda d: (d.due, d.child_id, d.rule_id, d.trigger_event_id))
    return IndexView(at=at, children=children, deadlines=found, evaluated=len(again))


def _stale(row: ChildIndexRow, now: float) -> bool:
    """Whether the tick would evaluate the child at ``now``, or its stored rows do not fit it."""
    return (
        row.dirty
        or (row.next_check is not None and row.next_check <= now)
        or row.case_open is None
        or row.evaluated_at is None
        or row.evaluated_at > now
    )


def _stored_children(conn: Connection) -> tuple[dict[str, ChildIndexRow], int]:
    """The index's child rows and the log position it has followed to (none: nothing, 0)."""
    inspector = inspect(conn)
    if not inspector.has_table(deadline_children.name):
        return {}, 0
    position = 0
    if inspector.has_table(readmodel_positions.name):
        value = conn.execute(
            select(readmodel_positions.c.position).where(
                readmodel_positions.c.name == DeadlineIndex.name
            )
        ).scalar()
        position = int(value or 0)
    absent = set(missing_columns(conn))
    wanted = [
        c
        for c in (
            "child_id",
            "worker_id",
            "team",
            "case_open",
            "closed_at",
            "dirty",
            "next_check",
            "evaluated_at",
        )
        if c not in absent
    ]
    rows = conn.execute(select(*(deadline_children.c[name] for name in wanted)))
    children = {row.child_id: ChildIndexRow(**row._asdict()) for row in rows}
    return children, position


@dataclass(frozen=True)
class _Filter:
    include_closed: bool
    team: str | None
    worker: str | None
    open_regardless: frozenset[str] = frozenset()

    def allocation(self, team: str | None, worker: str | None) -> bool:
        return (self.team is None or team == self.team) and (
            self.worker is None or worker == self.worker
        )


def _stored_open(
    conn: Connection, skip: set[str], until: float, wanted: _Filter
) -> Iterator[dict[str, object]]:
    """The stored open rows due by ``until`` of the children not evaluated again.

    Filtered in SQL: a child not evaluated again has its allocation and case state as stored
    (the log since the index's position does not touch it).
    """
    inspector = inspect(conn)
    if not inspector.has_table(deadline_open.name):
        return
    query = select(deadline_open).where(deadline_open.c.due <= until)
    if not wanted.include_closed or wanted.team is not None or wanted.worker is not None:
        children = deadline_children.c
        query = query.join(deadline_children, children.child_id == deadline_open.c.child_id)
        if wanted.team is not None:
            query = query.where(children.team == wanted.team)
        if wanted.worker is not None:
            query = query.where(children.worker_id == wanted.worker)
        if not wanted.include_closed:
            if missing_columns(conn):
                return  # no case state kept yet: every child was evaluated again
            in_open_case = and_(
                children.case_open.is_(True),
                or_(children.closed_at.is_(None), deadline_open.c.due > children.closed_at),
            )
            if wanted.open_regardless:
                query = query.where(
                    or_(in_open_case, deadline_open.c.rule_id.in_(sorted(wanted.open_regardless)))
                )
            else:
                query = query.where(in_open_case)
    for row in conn.execute(query):
        if row.child_id not in skip:
            yield dict(row._mapping)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _open(row: ChildIndexRow, values: dict[str, object]) -> OpenDeadline:
    due = float(str(values["due"]))
    return OpenDeadline(
        child_id=row.child_id,
        worker_id=row.worker_id,
        team=row.team,
        rule_id=str(values["rule_id"]),
        pack=str(values["pack"]),
        title=str(values["title"]),
        citation=str(values["citation"]),
        severity=str(values["severity"]),
        status=str(values["status"]),
        due=due,
        due_iso=str(values["due_iso"]),
        trigger_event_id=str(values["trigger_event_id"]),
        case_open=row.covers(due),
    )


def by_team_and_worker(
    deadlines: Sequence[OpenDeadline],
) -> dict[str | None, dict[str | None, list[OpenDeadline]]]:
    """Grouped by team, then worker (unallocated last in each), each list oldest first."""
    grouped: dict[str | None, dict[str | None, list[OpenDeadline]]] = {}
    for d in deadlines:
        grouped.setdefault(d.team, {}).setdefault(d.worker_id, []).append(d)
    ordered: dict[str | None, dict[str | None, list[OpenDeadline]]] = {}
    for team in sorted(grouped, key=lambda t: (t is None, t or "")):
        workers = grouped[team]
        ordered[team] = {
            w: sorted(workers[w], key=lambda d: (d.due, d.child_id, d.rule_id))
            for w in sorted(workers, key=lambda w: (w is None, w or ""))
        }
    return ordered
