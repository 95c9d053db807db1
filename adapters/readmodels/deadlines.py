"""The due-date index: which children a tick must look at, without replaying every stream.

Two tables, on SQLite and PostgreSQL alike:

- ``deadline_children``: one row per child. ``dirty`` is set whenever a (non-standards) event
  for the child arrives in the log, so the next tick re-evaluates that child; ``next_check`` is
  the epoch second at which the child's schedule next needs a warning or a breach if nothing
  new arrives (indexed). A tick reads only rows that are dirty or whose ``next_check`` has come.
  ``worker_id`` and ``team`` come from allocation events, for the team manager's overdue list;
  ``case_open`` and ``closed_at`` (:mod:`projections.case_state`) are saved by the tick with the
  schedule it evaluated (NULL: not evaluated since the columns arrived).
- ``deadline_open``: each child's open and breached deadlines as last evaluated (what
  ``caseledger overdue`` lists).

Only the tick writes these tables. A read (the overdue list) computes what the tick would
save without saving it (:mod:`adapters.readmodels.deadline_view`): a read that saved a child
as evaluated would stop the tick from writing that child's breaches.

The log-following part (:meth:`DeadlineIndex.apply`) is a read model for
:class:`adapters.readmodels.runner.ReadModelRunner`, so it sees every event exactly once. The
rest is written by the tick after it evaluates children (:func:`save_children`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import NamedTuple

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Engine,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    bindparam,
    insert,
    inspect,
    or_,
    select,
    update,
)

from adapters.db import delete_keys, key_conditions, keys_present
from domain.envelope import RecordedEvent
from domain.events.base import Category
from policies.engine import Deadline, Status
from projections.case_state import CaseState

metadata = MetaData()

deadline_children = Table(
    "deadline_children",
    metadata,
    Column("child_id", String(64), primary_key=True),
    Column("dirty", Boolean, nullable=False, default=True),
    Column("next_check", Float, nullable=True),
    Column("worker_id", String(64), nullable=True),
    Column("team", String(100), nullable=True),
    Column("authority", String(60), nullable=True),
    Column("open_count", Integer, nullable=False, default=0),
    Column("evaluated_at", Float, nullable=True),
    Column("case_open", Boolean, nullable=True),
    Column("closed_at", Float, nullable=True),
    Index("ix_deadline_children_next_check", "next_check"),
    Index("ix_deadline_children_dirty", "dirty"),
)

deadline_open = Table(
    "deadline_open",
    metadata,
    Column("child_id", String(64), primary_key=True),
    Column("key", String(240), primary_key=True),
    Column("rule_id", String(120), nullable=False),
    Column("pack", String(60), nullable=False),
    Column("title", String(200), nullable=False),
    Column("citation", String(400), nullable=False),
    Column("severity", String(10), nullable=False),
    Column("status", String(20), nullable=False),
    Column("due", Float, nullable=False),
    Column("due_iso", String(40), nullable=False),
    Column("trigger_event_id", String(64), nullable=False),
    Index("ix_deadline_open_due", "due"),
)


def epoch(moment: datetime) -> float:
    return moment.astimezone(UTC).timestamp()


class DeadlineIndex:
    """Read model: marks children dirty as their events arrive and keeps their allocation."""

    name = "deadline_index"
    metadata = metadata
    replay_indexes: frozenset[str] = frozenset()  # apply() reads children by primary key only

    def apply(self, conn: Connection, events: Sequence[RecordedEvent]) -> None:
        touched = touched_children(events)
        if not touched:
            return
        existing = _existing_children(conn, list(touched))
        # One executemany for the new children and one per shape of update (the values an
        # event set: allocation, team or authority), not a statement per child.
        fresh = [
            {"child_id": c, "dirty": True, "open_count": 0, **dict.fromkeys(_ALLOCATION), **v}
            for c, v in touched.items()
            if c not in existing
        ]
        if fresh:
            conn.execute(insert(deadline_children), fresh)
        shapes: dict[tuple[str, ...], list[dict[str, object]]] = {}
        only_dirty: list[str] = []
        for child_id, values in touched.items():
            if child_id not in existing:
                continue
            if not values:  # only "dirty" to set: one statement for all of them, below
                only_dirty.append(child_id)
                continue
            shape = tuple(sorted(values))
            shapes.setdefault(shape, []).append({"b_child_id": child_id, **values})
        # (a rebuild on PostgreSQL spent 5.7 s of 33 updating these one child at a time)
        for condition, params in key_conditions(conn, '"child_id"', only_dirty):
            conn.exec_driver_sql(
                f"UPDATE deadline_children SET dirty = true WHERE {condition} AND NOT dirty",
                params,
            )
        for shape, rows in shapes.items():
            conn.execute(
                update(deadline_children)
                .where(deadline_children.c.child_id == bindparam("b_child_id"))
                .values(dirty=True, **{name: bindparam(name) for name in shape}),
                rows,
            )


def touched_children(events: Iterable[RecordedEvent]) -> dict[str, dict[str, object]]:
    """The children these events make dirty, each with the allocation values they set.

    The handler's own standards events touch no one (they never re-trigger it).
    """
    touched: dict[str, dict[str, object]] = {}
    for item in events:
        event = item.event
        if event.category is Category.STANDARDS:
            continue
        row = touched.setdefault(item.child_id, {})
        if event.kind == "allocated_to_worker":
            row["worker_id"] = getattr(event, "worker_id", None)
            team = getattr(event, "team", None)
            if team:
                row["team"] = team
        elif event.kind == "allocated_to_team":
            row["team"] = getattr(event, "team", None)
        elif event.kind == "authority_recorded":
            row["authority"] = getattr(event, "authority", None)
    return touched


_ADDED_COLUMNS = {"case_open": "BOOLEAN", "closed_at": "FLOAT"}
"""Columns added to ``deadline_children`` after stores were made without them."""


def missing_columns(conn: Connection) -> list[str]:
    """The added columns an existing ``deadline_children`` table lacks (none if no table)."""
    inspector = inspect(conn)
    if not inspector.has_table("deadline_children"):
        return []
    have = {c["name"] for c in inspector.get_columns("deadline_children")}
    return [name for name in _ADDED_COLUMNS if name not in have]


def upgrade_index(engine: Engine) -> list[str]:
    """Add the columns a store made before them lacks; every child is then checked again.

    Run by the tick (the index's only writer) before it reads the index: the next tick
    evaluates every child and saves its case state.
    """
    with engine.begin() as conn:
        added = missing_columns(conn)
        for name in added:
            conn.exec_driver_sql(
                f"ALTER TABLE deadline_children ADD COLUMN {name} {_ADDED_COLUMNS[name]}"
            )
        if added:
            conn.execute(update(deadline_children).values(dirty=True))
    return added


def _existing_children(conn: Connection, child_ids: list[str]) -> set[str]:
    """Which of these children have a row (see :func:`adapters.db.keys_present`)."""
    return keys_present(conn, deadline_children, "child_id", child_ids)


_ALLOCATION = ("worker_id", "team", "authority")
"""The columns the log sets on a child's row (from allocation and authority events)."""


def children_to_check(conn: Connection, at: datetime, limit: int | None = None) -> list[str]:
    """Children that are dirty or whose next check time has come, by child id."""
    query = (
        select(deadline_children.c.child_id)
        .where(
            or_(
                deadline_children.c.dirty.is_(True),
                and_(
                    deadline_children.c.next_check.is_not(None),
                    deadline_children.c.next_check <= epoch(at),
                ),
            )
        )
        .order_by(deadline_children.c.child_id)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(conn.execute(query).scalars())


REPORTED = (Status.PENDING, Status.EXTENDED, Status.BREACHED)
"""The statuses the index keeps (cancelled, met and met-late deadlines are done)."""


class Evaluated(NamedTuple):
    """One child's schedule as the tick evaluated it, to be saved in the index."""

    child_id: str
    deadlines: Iterable[Deadline]
    next_check: datetime | None
    case: CaseState | None = None


def save_child(
    conn: Connection,
    child_id: str,
    deadlines: Iterable[Deadline],
    next_check: datetime | None,
    at: datetime,
    case: CaseState | None = None,
) -> None:
    """Store a child's evaluated schedule: open/breached deadlines, next check, not dirty."""
    save_children(conn, [Evaluated(child_id, deadlines, next_check, case)], at)


def save_children(
    conn: Connection,
    children: Sequence[Evaluated],
    at: datetime,
) -> None:
    """:func:`save_child` for many children at once. Only the tick calls it.

    A few statements for the whole batch (per 500 children), not three or four per child:
    each child's open rows are replaced and its row set to the next check, not dirty.
    """
    for start in range(0, len(children), _CHUNK):
        _save_chunk(conn, children[start : start + _CHUNK], epoch(at))


_CHUNK = 500
"""Children per statement (SQLite allows 32,766 bound parameters in one)."""


def _save_chunk(
    conn: Connection,
    children: Sequence[Evaluated],
    evaluated_at: float,
) -> None:
    saved: dict[str, tuple[list[dict[str, object]], dict[str, object]]] = {}
    for child_id, deadlines, next_check, case in children:  # given twice: the last counts
        mine = [open_row(child_id, d) for d in deadlines if d.status in REPORTED]
        saved[child_id] = (
            mine,
            {
                "dirty": False,
                "next_check": epoch(next_check) if next_check else None,
                "open_count": len(mine),
                "evaluated_at": evaluated_at,
                "case_open": None if case is None else case.open,
                "closed_at": epoch(case.closed_at) if case and case.closed_at else None,
            },
        )
    ids = list(saved)
    rows = [row for mine, _ in saved.values() for row in mine]
    values = {child_id: value for child_id, (_, value) in saved.items()}
    delete_keys(conn, deadline_open, "child_id", ids)
    if rows:
        conn.execute(insert(deadline_open), rows)
    existing = _existing_children(conn, ids)
    updates = [{"b_child_id": c, **values[c]} for c in ids if c in existing]
    if updates:
        conn.execute(
            update(deadline_children)
            .where(deadline_children.c.child_id == bindparam("b_child_id"))
            .values({name: bindparam(name) for name in _SAVED}),
            updates,
        )
    fresh = [{"child_id": c, **values[c]} for c in ids if c not in existing]
    if fresh:
        conn.execute(insert(deadline_children), fresh)


_SAVED = ("dirty", "next_check", "open_count", "evaluated_at", "case_open", "closed_at")
"""The columns a tick sets on a child's row."""


def open_row(child_id: str, d: Deadline) -> dict[str, object]:
    """A ``deadline_open`` row for one of a child's open or breached deadlines."""
    return {
        "child_id": child_id,
        "key": d.key,
        "rule_id": d.rule_id,
        "pack": d.pack,
        "title": d.title,
        "citation": d.citation,
        "severity": d.severity,
        "status": d.status.value,
        "due": epoch(d.effective_due),
        "due_iso": d.effective_due.isoformat(),
        "trigger_event_id": d.trigger_event_id,
    }
