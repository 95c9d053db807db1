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
from collections.abc import Mapping, Sequence
from dataclasses import fields, replace
from datetime import datetime
from typing import Any

from eventsourcing.utils import get_topic
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

from adapters.db import insert_tuples, key_conditions
from adapters.gc_tuning import replay_gc
from adapters.logging import get_logger
from adapters.readmodels.model import Progress
from adapters.readmodels.runner import ReadModelRunner
from adapters.store import EventStore, stream_id
from domain.envelope import RecordedEvent
from projections.chronology import (
    CORRECTION_KINDS,
    HEADER_KINDS,
    AmendmentRow,
    Chronology,
    ChronologyFolder,
    ChronologyQuery,
    EntryContent,
    EntryRow,
    TargetState,
    built,
    compose,
    parse_utc_text,
    utc_text,
)

log = get_logger("caseledger.chronology")

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


def _plain(result: Any) -> list[dict[str, Any]]:
    """A result's rows as plain dicts: an attribute of SQLAlchemy's Row costs a lookup each
    time (a 5,000-event chronology spent more on ~16,000 of them than on the SELECT)."""
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result]


def _content_from(row: Mapping[str, Any]) -> EntryContent | None:
    if row["kind"] is None:
        return None
    return built(EntryContent, {name: row[name] for name in _CONTENT})


def entry_from(row: Mapping[str, Any]) -> EntryRow:
    content = _content_from(row)
    assert content is not None
    return built(
        EntryRow,
        {
            "event_id": row["event_id"],
            "child_id": row["child_id"],
            "position": row["position"],
            "global_position": row["global_position"],
            "recorded_at": row["recorded_at"],
            "recorded_by": row["recorded_by"],
            "correlation_id": row["correlation_id"],
            "content": content,
        },
    )


def amendment_from(row: Mapping[str, Any]) -> AmendmentRow:
    return built(
        AmendmentRow,
        {
            "event_id": row["event_id"],
            "target_event_id": row["target_event_id"],
            "child_id": row["child_id"],
            "position": row["position"],
            "global_position": row["global_position"],
            "recorded_at": row["recorded_at"],
            "recorded_by": row["recorded_by"],
            "action": row["action"],
            "reason": row["reason"],
            "changes": row["changes"],
            "content": _content_from(row),
        },
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
        folder.targets.update(_load_targets(conn, _earlier_targets(events)))
        entries: list[tuple[Any, ...]] = []
        amendments: list[tuple[Any, ...]] = []
        families: list[tuple[Any, ...]] = []
        family_updates: dict[str, str | None] = {}
        for item in events:
            row = folder.apply(item)
            if isinstance(row, EntryRow):
                content = row.content
                entries.append(
                    (
                        row.event_id,
                        row.child_id,
                        row.position,
                        row.global_position,
                        row.recorded_at,
                        row.recorded_by,
                        row.correlation_id,
                        *_content_values(content),
                    )
                )
                if content.kind == "child_registered":
                    family = json.loads(content.payload).get("family_id")
                    families.append((row.child_id, family, row.event_id))
            else:
                amendments.append(
                    (
                        row.event_id,
                        row.target_event_id,
                        row.child_id,
                        row.position,
                        row.global_position,
                        row.recorded_at,
                        row.recorded_by,
                        row.action,
                        row.reason,
                        row.changes,
                        *_content_values(row.content),
                    )
                )
                if row.content is not None and row.content.kind == "child_registered":
                    family_updates[row.child_id] = json.loads(row.content.payload).get("family_id")
        insert_tuples(conn, entries_table, _ENTRY_COLUMNS, entries)
        insert_tuples(conn, amendments_table, _AMENDMENT_COLUMNS, amendments)
        insert_tuples(conn, children_table, _CHILD_COLUMNS, families)
        for child_id, family_id in family_updates.items():
            conn.execute(
                children_table.update()
                .where(children_table.c.child_id == child_id)
                .values(family_id=family_id)
            )


_ENTRY_COLUMNS = (
    "event_id",
    "child_id",
    "position",
    "global_position",
    "recorded_at",
    "recorded_by",
    "correlation_id",
    *_CONTENT,
)
_AMENDMENT_COLUMNS = (
    "event_id",
    "target_event_id",
    "child_id",
    "position",
    "global_position",
    "recorded_at",
    "recorded_by",
    "action",
    "reason",
    "changes",
    *_CONTENT,
)
_CHILD_COLUMNS = ("child_id", "family_id", "registered_event_id")
"""The columns of the tuples :meth:`ChronologyReadModel.apply` writes, in their order."""

_NO_CONTENT = (None,) * len(_CONTENT)


def _content_values(content: EntryContent | None) -> tuple[Any, ...]:
    """The content columns' values, in ``_CONTENT`` order (NULLs for no content)."""
    if content is None:
        return _NO_CONTENT
    # a dataclass instance's __dict__ holds exactly its fields, in field order once built by
    # either constructor; read by name all the same (this runs for every event replayed)
    values = content.__dict__
    return tuple([values[name] for name in _CONTENT])


_UNSEEN = object()


def _tail_family(child_id: str, entries: list[EntryRow], amendments: list[AmendmentRow]) -> object:
    """The child's family id as the tail's registration (or its correction) sets it, else
    ``_UNSEEN`` (the read model's row stands)."""
    family: object = _UNSEEN
    for row in entries:
        if row.child_id == child_id and row.content.kind == "child_registered":
            family = json.loads(row.content.payload).get("family_id")
    for amendment in amendments:
        content = amendment.content
        if amendment.child_id == child_id and content and content.kind == "child_registered":
            family = json.loads(content.payload).get("family_id")
    return family


def _earlier_targets(events: Sequence[RecordedEvent]) -> list[str]:
    """The entries these events correct (or mark in error) that an earlier page wrote."""
    here = {item.event_id for item in events}
    wanted = {
        target
        for item in events
        if (target := getattr(item.event, "target_event_id", None)) is not None
        and item.kind in CORRECTION_KINDS
        and target not in here
    }
    return sorted(wanted)


def _load_targets(conn: Connection, event_ids: Sequence[str]) -> dict[str, TargetState]:
    """:func:`_load_target` for many entries, in one query of each table per 500 of them
    (not two per correction: a rebuild's corrections each waited on two round trips)."""
    found: dict[str, TargetState] = {}
    if not event_ids:
        return found
    for condition, params in key_conditions(conn, '"event_id"', event_ids):
        for event_id, kind, payload, recorded_at in conn.exec_driver_sql(
            "SELECT event_id, kind, payload, recorded_at FROM chronology_entries "
            f"WHERE {condition}",
            params,
        ):
            found[event_id] = TargetState(
                kind=kind, payload=json.loads(payload), recorded_at=parse_utc_text(recorded_at)
            )
    for condition, params in key_conditions(conn, '"target_event_id"', list(found)):
        for target, changes in conn.exec_driver_sql(
            "SELECT target_event_id, changes FROM chronology_amendments "
            f"WHERE {condition} AND action = 'corrected' "
            'ORDER BY target_event_id, recorded_at, "position"',
            params,
        ):
            found[target].changes.append(json.loads(changes))
    return found


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
    """Chronologies served from the read model plus the log's not-yet-projected tail.

    A read never writes: it neither catches the read model up nor creates its tables. The
    rows the read model holds (to its position) are read from SQL; the events after that
    position, for the children asked about, are folded in memory (the same fold), so every
    answer is as of the store's current position. Catching up is the writers' job: the
    tick (``caseledger tick``, the scheduler), ``chronology rebuild`` and :meth:`catch_up`.
    """

    def __init__(self, store: EventStore, batch: int = 2000) -> None:
        self.store = store
        self.model = ChronologyReadModel()
        self.runner = ReadModelRunner(store, [self.model], batch=batch, create=False)
        self.engine: Engine = self.runner.engine
        self._tails: dict[frozenset[str], tuple[int, list[EntryRow], list[AmendmentRow]]] = {}
        self._tables_seen = False
        # rows written before the rendering table existed hold the old wording
        found = inspect(self.engine)
        legacy = found.has_table(entries_table.name) and not found.has_table(rendering_table.name)
        self.stale_rendering = self._rendered_by_older_version(legacy)
        """The rows hold text rendered by an earlier :data:`RENDERING_VERSION`: the next
        catch-up rebuilds them (a read never does: reads never write)."""

    def catch_up(self, progress: Progress | None = None) -> int:
        """Project the log's tail into the read model (a write: writers and the tick call it);
        rebuild first if the rows were rendered by older wording."""
        if self.stale_rendering:
            return self.rebuild(progress)
        self.runner.create_tables()
        self._tails.clear()
        return self.runner.catch_up(progress)

    def rebuild(self, progress: Progress | None = None) -> int:
        self.runner.create_tables()
        self._tails.clear()
        count = self.runner.rebuild(progress)
        with self.engine.begin() as conn:
            conn.execute(rendering_table.delete())
            conn.execute(rendering_table.insert().values(version=RENDERING_VERSION))
        self.stale_rendering = False
        return count

    def _rendered_by_older_version(self, legacy: bool) -> bool:
        if legacy:
            return True
        if not inspect(self.engine).has_table(rendering_table.name):
            return False
        with self.engine.connect() as conn:
            version = conn.execute(select(rendering_table.c.version)).scalar()
        return version is not None and version != RENDERING_VERSION

    def _has_tables(self) -> bool:
        if not self._tables_seen:
            names = set(inspect(self.engine).get_table_names())
            wanted = {"readmodel_positions", "chronology_entries", "chronology_children"}
            self._tables_seen = wanted <= names
        return self._tables_seen

    @property
    def position(self) -> int:
        """How far the read model has projected the log (0 if it never has)."""
        return self.runner.position(self.model.name) if self._has_tables() else 0

    @property
    def current(self) -> int:
        """The store's position: what every answer here is as of."""
        return self.store.max_position()

    def _tail(self, children: Sequence[str]) -> tuple[list[EntryRow], list[AmendmentRow]]:
        """The rows of these children's events the read model has not projected yet."""
        key = frozenset(children)
        start = self.position
        cached = self._tails.get(key)
        if cached is not None and cached[0] == start:
            return cached[1], cached[2]
        streams = {stream_id(c) for c in key}
        has_tables = self._has_tables()
        entries: list[EntryRow] = []
        amendments: list[AmendmentRow] = []
        events: list[RecordedEvent] = []
        position = start
        while True:  # read first: no read-model connection held while the log is read
            page, last = self.store.notifications_where(position, 2000, streams.__contains__)
            if last == position:
                break
            events.extend(page)
            position = last
        if events:
            with self.engine.connect() as conn:
                folder = ChronologyFolder(
                    load=(lambda event_id: _load_target(conn, event_id)) if has_tables else None
                )
                for item in events:
                    row = folder.apply(item)
                    if isinstance(row, EntryRow):
                        entries.append(row)
                    else:
                        amendments.append(row)
        if position > start:
            log.info("chronology_tail_folded", after=start, to=position, rows=len(entries))
        self._tails[key] = (start, entries, amendments)
        return entries, amendments

    def family_of(self, child_id: str) -> str | None:
        entries, amendments = self._tail([child_id])
        family = _tail_family(child_id, entries, amendments)
        if family is not _UNSEEN or not self._has_tables():
            return None if family is _UNSEEN else family  # type: ignore[return-value]
        with self.engine.connect() as conn:
            return conn.execute(
                select(children_table.c.family_id).where(children_table.c.child_id == child_id)
            ).scalar()

    def is_child(self, child_id: str) -> bool:
        if self._has_tables():
            with self.engine.connect() as conn:
                found = conn.execute(
                    select(children_table.c.child_id).where(children_table.c.child_id == child_id)
                ).first()
            if found is not None:
                return True
        entries, _ = self._tail([child_id])
        return any(r.content.kind == "child_registered" for r in entries)

    def family_members(self, family_id: str) -> list[str]:
        members: set[str] = set()
        if self._has_tables():
            with self.engine.connect() as conn:
                members = set(
                    conn.execute(
                        select(children_table.c.child_id).where(
                            children_table.c.family_id == family_id
                        )
                    ).scalars()
                )
        for child_id, family in self._tail_families().items():
            if family == family_id:
                members.add(child_id)
            else:
                members.discard(child_id)
        return sorted(members)

    def _tail_families(self) -> dict[str, str | None]:
        """Each child whose family the tail sets or corrects: its family id as of now."""
        from domain.events.corrections import EntryCorrected
        from domain.events.people import ChildRegistered

        topics = [get_topic(ChildRegistered), get_topic(EntryCorrected)]
        families: dict[str, str | None] = {}
        position = self.position
        while True:
            page = self.store.notifications(after=position, limit=2000, topics=topics)
            if not page:
                return families
            for item in page:
                event = item.event
                if isinstance(event, ChildRegistered):
                    families[item.child_id] = event.family_id
                elif isinstance(event, EntryCorrected) and "family_id" in event.changes:
                    families[item.child_id] = event.changes["family_id"]
            position = page[-1].global_position or position

    def rows(
        self,
        children: Sequence[str],
        position: int | None = None,
        as_known_at: datetime | None = None,
        significant_only: bool = False,
    ) -> tuple[list[EntryRow], list[AmendmentRow]]:
        """The rows of these children visible at ``position`` and ``as_known_at``."""
        found: list[list[Any]] = [[], []]
        if self._has_tables():
            found = self._stored_rows(children, position, as_known_at, significant_only)
        entries = [entry_from(r) for r in found[0]]
        amendments = [amendment_from(r) for r in found[1]]
        tail_entries, tail_amendments = self._tail(children)
        return entries + tail_entries, amendments + tail_amendments

    def _stored_rows(
        self,
        children: Sequence[str],
        position: int | None,
        as_known_at: datetime | None,
        significant_only: bool,
    ) -> list[list[Any]]:
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
                found.append(_plain(conn.execute(query)))
        return found

    def position_time(self, position: int) -> str | None:
        """The recorded-at time of the store's event at ``position`` (UTC text)."""
        if self._has_tables() and position <= self.position:
            with self.engine.connect() as conn:
                for table in (entries_table, amendments_table):
                    value = conn.execute(
                        select(table.c.recorded_at).where(table.c.global_position == position)
                    ).scalar()
                    if value is not None:
                        return str(value)
        if position <= 0:
            return None
        found = self.store.notifications(after=position - 1, limit=1)
        if found and found[0].global_position == position:
            return utc_text(found[0].recorded_at)
        return None

    def chronology(self, query: ChronologyQuery) -> Chronology:
        """Compose the chronology; a query without a position is served at the current one."""
        if query.position is None:
            query = replace(query, position=self.current)
        # thousands of rows, each a few objects, all kept to the end: a collection every 700
        # allocations walked them again and again (~100 of 290 ms CPU for 5,000 entries)
        with replay_gc():
            entries, amendments = self.rows(
                query.children, query.position, query.as_known_at, query.significant_only
            )
            return compose(entries, amendments, query)

    def all_rows(self) -> tuple[list[EntryRow], list[AmendmentRow]]:
        """Every row the read model holds, sorted by event id (to compare a rebuild with the
        pure fold)."""
        with self.engine.connect() as conn:
            entries = [
                entry_from(r)
                for r in _plain(
                    conn.execute(select(entries_table).order_by(entries_table.c.event_id))
                )
            ]
            amendments = [
                amendment_from(r)
                for r in _plain(
                    conn.execute(select(amendments_table).order_by(amendments_table.c.event_id))
                )
            ]
        return entries, amendments

    def count(self) -> int:
        with self.engine.connect() as conn:
            a = conn.execute(select(func.count()).select_from(entries_table)).scalar() or 0
            b = conn.execute(select(func.count()).select_from(amendments_table)).scalar() or 0
        return int(a) + int(b)
