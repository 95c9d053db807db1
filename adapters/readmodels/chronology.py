"""The chronology read model: the rows of ``projections.chronology`` kept in SQL.

Every recorded event becomes one row, in ``chronology_entries`` (ordinary events, as first
recorded) or ``chronology_amendments`` (corrections and entries recorded in error, a
correction carrying its target's content after it). Each row keeps its global position and
recorded-at time, so one table serves the chronology as it stands now, as the store stood at
any earlier position (what ``chronology verify`` regenerates) and as known at any moment.
``chronology_children`` maps children to families (from ``child_registered.family_id``).

The rows are exactly those of the pure fold (:func:`projections.chronology.fold`); a full
rebuild produces identical rows (a test compares them).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import fields, replace
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    inspect,
    or_,
    select,
)

from adapters.db import insert_many, sql_engine
from adapters.readmodels.runner import Progress, ReadModelRunner
from adapters.store import EventStore
from domain.envelope import RecordedEvent
from projections.chronology import (
    HEADER_KINDS,
    AmendmentRow,
    Chronology,
    ChronologyFolder,
    ChronologyQuery,
    EntryContent,
    EntryRow,
    TargetState,
    compose,
    parse_utc_text,
    utc_text,
)

log = structlog.get_logger("caseledger.chronology")

metadata = MetaData()

_CONTENT = [f.name for f in fields(EntryContent)]


def _content_columns(nullable: bool) -> list[Column[Any]]:
    text_like = {"detail", "outcome", "impact", "source", "payload"}
    columns: list[Column[Any]] = []
    for name in _CONTENT:
        if name in ("significant", "late"):
            columns.append(Column(name, Boolean, nullable=nullable))
        elif name in text_like:
            columns.append(Column(name, Text, nullable=nullable))
        else:
            columns.append(Column(name, String(200), nullable=nullable))
    return columns


entries_table = Table(
    "chronology_entries",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("child_id", String(64), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("global_position", Integer, nullable=True, index=True),
    Column("recorded_at", String(40), nullable=False),
    Column("recorded_by", String(200), nullable=False),
    Column("correlation_id", String(100), nullable=True),
    *_content_columns(nullable=False),
)

amendments_table = Table(
    "chronology_amendments",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("target_event_id", String(64), nullable=False, index=True),
    Column("child_id", String(64), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("global_position", Integer, nullable=True, index=True),
    Column("recorded_at", String(40), nullable=False),
    Column("recorded_by", String(200), nullable=False),
    Column("action", String(40), nullable=False),
    Column("reason", Text, nullable=False),
    Column("changes", Text, nullable=False),
    *_content_columns(nullable=True),
)

children_table = Table(
    "chronology_children",
    metadata,
    Column("child_id", String(64), primary_key=True),
    Column("family_id", String(64), nullable=True, index=True),
    Column("registered_event_id", String(64), nullable=False),
)

rendering_table = Table(
    "chronology_rendering",
    metadata,
    Column("version", Integer, primary_key=True),
)
"""The :data:`RENDERING_VERSION` that wrote the rows, once a rebuild for it has run (empty:
the rows were written by this version from the start)."""


def _content_dict(content: EntryContent | None) -> dict[str, Any]:
    if content is None:
        return dict.fromkeys(_CONTENT)
    # a dataclass instance's __dict__ holds exactly its fields: a C-level copy, not a
    # getattr per column (this runs for every event a rebuild replays)
    return dict(content.__dict__)


def _content_from(row: Any) -> EntryContent | None:
    if row.kind is None:
        return None
    return EntryContent(**{name: getattr(row, name) for name in _CONTENT})


def entry_from(row: Any) -> EntryRow:
    content = _content_from(row)
    assert content is not None
    return EntryRow(
        event_id=row.event_id,
        child_id=row.child_id,
        position=row.position,
        global_position=row.global_position,
        recorded_at=row.recorded_at,
        recorded_by=row.recorded_by,
        correlation_id=row.correlation_id,
        content=content,
    )


def amendment_from(row: Any) -> AmendmentRow:
    return AmendmentRow(
        event_id=row.event_id,
        target_event_id=row.target_event_id,
        child_id=row.child_id,
        position=row.position,
        global_position=row.global_position,
        recorded_at=row.recorded_at,
        recorded_by=row.recorded_by,
        action=row.action,
        reason=row.reason,
        changes=row.changes,
        content=_content_from(row),
    )


class ChronologyReadModel:
    """The read model the runner keeps caught up (name ``chronology``)."""

    name = "chronology"
    metadata = metadata
    # apply() finds a correction's target by event id (the primary keys) and its earlier
    # corrections by target: the only index a partitioned rebuild needs while staging
    replay_indexes = frozenset({"ix_chronology_amendments_target_event_id"})

    def apply(self, conn: Connection, events: Sequence[RecordedEvent]) -> None:
        folder = ChronologyFolder(load=lambda event_id: _load_target(conn, event_id))
        entries: list[dict[str, Any]] = []
        amendments: list[dict[str, Any]] = []
        families: list[dict[str, Any]] = []
        family_updates: dict[str, str | None] = {}
        for item in events:
            row = folder.apply(item)
            if isinstance(row, EntryRow):
                entries.append(
                    {
                        "event_id": row.event_id,
                        "child_id": row.child_id,
                        "position": row.position,
                        "global_position": row.global_position,
                        "recorded_at": row.recorded_at,
                        "recorded_by": row.recorded_by,
                        "correlation_id": row.correlation_id,
                        **_content_dict(row.content),
                    }
                )
                if row.content.kind == "child_registered":
                    families.append(
                        {
                            "child_id": row.child_id,
                            "family_id": json.loads(row.content.payload).get("family_id"),
                            "registered_event_id": row.event_id,
                        }
                    )
            else:
                amendments.append(
                    {
                        "event_id": row.event_id,
                        "target_event_id": row.target_event_id,
                        "child_id": row.child_id,
                        "position": row.position,
                        "global_position": row.global_position,
                        "recorded_at": row.recorded_at,
                        "recorded_by": row.recorded_by,
                        "action": row.action,
                        "reason": row.reason,
                        "changes": row.changes,
                        **_content_dict(row.content),
                    }
                )
                if row.content is not None and row.content.kind == "child_registered":
                    family_updates[row.child_id] = json.loads(row.content.payload).get("family_id")
        insert_many(conn, entries_table, entries)
        insert_many(conn, amendments_table, amendments)
        insert_many(conn, children_table, families)
        for child_id, family_id in family_updates.items():
            conn.execute(
                children_table.update()
                .where(children_table.c.child_id == child_id)
                .values(family_id=family_id)
            )


def _load_target(conn: Connection, event_id: str) -> TargetState | None:
    row = conn.execute(
        select(entries_table.c.kind, entries_table.c.payload, entries_table.c.recorded_at).where(
            entries_table.c.event_id == event_id
        )
    ).first()
    if row is None:
        return None
    changes = conn.execute(
        select(amendments_table.c.changes)
        .where(amendments_table.c.target_event_id == event_id)
        .where(amendments_table.c.action == "corrected")
        .order_by(amendments_table.c.recorded_at, amendments_table.c.position)
    ).scalars()
    return TargetState(
        kind=row.kind,
        payload=json.loads(row.payload),
        recorded_at=parse_utc_text(row.recorded_at),
        changes=[json.loads(c) for c in changes],
    )


RENDERING_VERSION = 2
"""Bumped whenever the text a row holds is rendered differently (2: plain wording, the
corrections appendix's field changes): a read model written by an earlier version is rebuilt
on its next catch-up, so no document mixes two wordings."""


class ChronologyStore:
    """Chronologies served from the read model (caught up with the store before each read)."""

    def __init__(self, store: EventStore, batch: int = 2000) -> None:
        self.store = store
        self.model = ChronologyReadModel()
        # rows written before the rendering table existed hold the old wording
        found = inspect(sql_engine(store.url))
        legacy = found.has_table(entries_table.name) and not found.has_table(rendering_table.name)
        self.runner = ReadModelRunner(store, [self.model], batch=batch)
        self.engine: Engine = self.runner.engine
        self.stale_rendering = self._rendered_by_older_version(legacy)
        """The rows hold text rendered by an earlier :data:`RENDERING_VERSION`: the next
        catch-up rebuilds them."""

    def catch_up(self, progress: Progress | None = None) -> int:
        """Apply the new events; rebuild first if the rows were rendered by older wording."""
        if self.stale_rendering:
            return self.rebuild(progress)
        return self.runner.catch_up(progress)

    def rebuild(self, progress: Progress | None = None) -> int:
        count = self.runner.rebuild(progress)
        with self.engine.begin() as conn:
            conn.execute(rendering_table.delete())
            conn.execute(rendering_table.insert().values(version=RENDERING_VERSION))
        self.stale_rendering = False
        return count

    def _rendered_by_older_version(self, legacy: bool) -> bool:
        if legacy:
            return True
        with self.engine.connect() as conn:
            version = conn.execute(select(rendering_table.c.version)).scalar()
        return version is not None and version != RENDERING_VERSION

    @property
    def position(self) -> int:
        return self.runner.position(self.model.name)

    def family_of(self, child_id: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(
                select(children_table.c.family_id).where(children_table.c.child_id == child_id)
            ).scalar()

    def is_child(self, child_id: str) -> bool:
        with self.engine.connect() as conn:
            found = conn.execute(
                select(children_table.c.child_id).where(children_table.c.child_id == child_id)
            ).first()
        return found is not None

    def family_members(self, family_id: str) -> list[str]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(children_table.c.child_id)
                .where(children_table.c.family_id == family_id)
                .order_by(children_table.c.child_id)
            ).scalars()
            return list(rows)

    def rows(
        self,
        children: Sequence[str],
        position: int | None = None,
        as_known_at: datetime | None = None,
        significant_only: bool = False,
    ) -> tuple[list[EntryRow], list[AmendmentRow]]:
        """The rows of these children visible at ``position`` and ``as_known_at``."""
        with self.engine.connect() as conn:
            found: list[list[Any]] = []
            for table in (entries_table, amendments_table):
                query = select(table).where(table.c.child_id.in_(list(children)))
                if position is not None:
                    query = query.where(table.c.global_position <= position)
                if as_known_at is not None:
                    query = query.where(table.c.recorded_at <= utc_text(as_known_at))
                if significant_only and table is entries_table:
                    # what compose could still need: significant entries, the header's
                    # events, and entries a correction may have made significant
                    corrected = select(amendments_table.c.target_event_id).where(
                        amendments_table.c.child_id.in_(list(children))
                    )
                    query = query.where(
                        or_(
                            table.c.significant.is_(True),
                            table.c.kind.in_(sorted(HEADER_KINDS)),
                            table.c.event_id.in_(corrected),
                        )
                    )
                found.append(list(conn.execute(query)))
        return [entry_from(r) for r in found[0]], [amendment_from(r) for r in found[1]]

    def position_time(self, position: int) -> str | None:
        """The recorded-at time of the store's event at ``position`` (UTC text)."""
        with self.engine.connect() as conn:
            for table in (entries_table, amendments_table):
                value = conn.execute(
                    select(table.c.recorded_at).where(table.c.global_position == position)
                ).scalar()
                if value is not None:
                    return str(value)
        return None

    def chronology(self, query: ChronologyQuery) -> Chronology:
        """Compose the chronology; a query without a position is served at the current one."""
        if query.position is None:
            query = replace(query, position=self.position)
        entries, amendments = self.rows(
            query.children, query.position, query.as_known_at, query.significant_only
        )
        return compose(entries, amendments, query)

    def all_rows(self) -> tuple[list[EntryRow], list[AmendmentRow]]:
        """Every row, sorted by event id (for comparing a rebuild with the pure fold)."""
        with self.engine.connect() as conn:
            entries = [
                entry_from(r)
                for r in conn.execute(select(entries_table).order_by(entries_table.c.event_id))
            ]
            amendments = [
                amendment_from(r)
                for r in conn.execute(
                    select(amendments_table).order_by(amendments_table.c.event_id)
                )
            ]
        return entries, amendments

    def count(self) -> int:
        with self.engine.connect() as conn:
            a = conn.execute(select(func.count()).select_from(entries_table)).scalar() or 0
            b = conn.execute(select(func.count()).select_from(amendments_table)).scalar() or 0
        return int(a) + int(b)
