"""One child's chronology as a view or an export document, for the HTTP API and the web app.

The gate is asked first: reading the chronology needs the right to read the child; an
export (``format``: json, csv, html, pdf, docx) needs the right to export chronologies.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from adapters.auth.guard import Gate
from adapters.readmodels.chronology import ChronologyStore
from adapters.store import EventStore
from domain.access import Action
from domain.errors import UnknownChild
from projections.chronology import Chronology, ChronologyQuery

MEDIA = {
    "json": "application/json",
    "csv": "text/csv",
    "html": "text/html",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def readable_family(
    gate: Gate, child_id: str, members: Sequence[str], action: Action, what: str
) -> tuple[tuple[str, ...], bool]:
    """Of a family's children, the index child and those the account may ``action`` (each
    logged as ``what (family)``); and whether any were left out."""
    others = gate.readable([c for c in members if c != child_id], action)
    gate.read_many(others, action, what + " (family)")
    kept = tuple(c for c in members if c == child_id or c in others)
    return kept, len(others) < len([c for c in members if c != child_id])


def child_chronology(
    store: EventStore,
    gate: Gate,
    child_id: str,
    *,
    as_known_at: datetime | None,
    significant_only: bool,
    what: str = "chronology",
    action: Action = Action.READ,
    family: bool = False,
    date_from: date | None = None,
    date_to: date | None = None,
) -> tuple[ChronologyStore, Chronology]:
    """The child's chronology (with ``family``, the family's, of the records the account may
    read: a child without a family id has its own only), entries dated ``date_from`` to
    ``date_to`` (inclusive)."""
    gate.read(child_id, action, what)
    chronologies = ChronologyStore(store)  # a read: the tail is folded in memory
    if not family and date_from is None and date_to is None and as_known_at is None:
        # the child's own chronology as the log now stands: on a server, composed once per
        # stream version, log position and read-model position (adapters/stream_cache.py)
        position = chronologies.current
        query = ChronologyQuery(
            children=(child_id,), position=position, significant_only=significant_only
        )
        return chronologies, store.derived(
            child_id,
            gate.stream(child_id),
            ("chronology", significant_only, position, chronologies.position),
            lambda: _own(chronologies, child_id, query),
        )
    if not chronologies.is_child(child_id):
        raise UnknownChild(f"no record for child {child_id!r}")
    children: tuple[str, ...] = (child_id,)
    family_id = chronologies.family_of(child_id) if family else None
    if family_id is not None:
        members = chronologies.family_members(family_id)
        children, _ = readable_family(gate, child_id, members, action, what)
    result = chronologies.chronology(
        ChronologyQuery(
            children=children,
            family_id=family_id,
            date_from=date_from,
            date_to=date_to,
            as_known_at=as_known_at,
            significant_only=significant_only,
        )
    )
    return chronologies, result


def _own(chronologies: ChronologyStore, child_id: str, query: ChronologyQuery) -> Chronology:
    if not chronologies.is_child(child_id):
        raise UnknownChild(f"no record for child {child_id!r}")
    return chronologies.chronology(query)


def chronology_document(
    store: EventStore,
    gate: Gate,
    child_id: str,
    *,
    format: str | None,
    as_known_at: datetime | None,
    significant_only: bool,
    today: date,
) -> tuple[bytes, str]:
    """The document's bytes and media type (``format`` None: the JSON view)."""
    from adapters.exporters.chronology import export

    if format is None:
        action, what = Action.READ, "chronology"
    else:
        action, what = Action.EXPORT_CHRONOLOGY, f"chronology export {format}"
    chronologies, result = child_chronology(
        store,
        gate,
        child_id,
        as_known_at=as_known_at,
        significant_only=significant_only,
        what=what,
        action=action,
    )
    assert result.position is not None
    data, _ = export(
        result,
        format or "json",
        store_time=chronologies.position_time(result.position),
        prepared_on=None if format in (None, "json", "csv") else today,
    )
    return data, MEDIA[format or "json"]
