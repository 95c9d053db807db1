"""``/find``: find a child by name, child id, date of birth or NHS number; and the possible
duplicates of a child about to be registered (``/find/duplicates``, JSON, and
:func:`duplicates_for` with the partial ``_possible_duplicates.html`` for the new-child form).

Only the children the account may see are shown: the caseload's rule (the store-wide
``caseload`` action, then ``summary`` on the child, decided by the :class:`Gate` on the
child's own record). The search runs over the log's identifying entries only (registrations,
births, NHS numbers and their amendments, selected by topic: the rest is not decoded); then
each match is decided, and those the account may not see are dropped before anything is
counted or shown, so a restricted child's name, and whether it matched, never show.
Each child shown is a read of its record, logged in its access log ("find a child",
"possible duplicates"). The matching is :mod:`projections.child_search`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from eventsourcing.utils import get_topic
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from adapters.auth.guard import Gate
from adapters.store import EventStore
from adapters.web.kit import Web
from domain.access import Action, ChildFacts, StoreAction
from domain.envelope import RecordedEvent
from domain.events.base import LONDON
from domain.events.corrections import EntryCorrected, EntryRecordedInError
from domain.events.cwsa2026 import ConsistentIdentifierRecorded
from domain.events.people import ChildBorn, ChildRegistered
from projections.child_search import (
    SearchError,
    SearchQuery,
    age_on,
    child_index,
    parse_date_of_birth,
    parse_nhs_number,
    possible_duplicates,
    search,
)
from projections.legal_status import status_at

MAX_RESULTS = 50
"""A search shows at most this many children (and says when there were more)."""
FIELDS = {"q": "Name or child id", "dob": "Date of birth", "nhs": "NHS number"}


@dataclass(frozen=True)
class FoundChild:
    """One row of the results: what a practitioner checks before opening the record."""

    child_id: str
    name: str | None
    """None when no name is held (or it was erased): the page shows the id alone."""
    date_of_birth: date | None
    expected_date_of_birth: date | None
    age: int | None
    nhs_number: str | None
    """Formatted 3-3-4."""
    workers: tuple[str, ...]
    teams: tuple[str, ...]
    restricted: bool
    legal_status: str
    """The status summary's lines joined (``none recorded`` when none)."""
    matched_on: tuple[str, ...]


@dataclass(frozen=True)
class Duplicate:
    """A child already on record who may be the child being registered."""

    child_id: str
    name: str | None
    date_of_birth: date | None
    nhs_number: str | None
    reasons: tuple[str, ...]
    notes: tuple[str, ...]
    strength: int
    """3 same NHS number, 2 same name and birth, 1 same birth and a like name, 0 same name."""

    def as_json(self) -> dict[str, Any]:
        return {
            "child_id": self.child_id,
            "name": self.name,
            "date_of_birth": self.date_of_birth.isoformat() if self.date_of_birth else None,
            "nhs_number": self.nhs_number,
            "reasons": list(self.reasons),
            "notes": list(self.notes),
            "strength": self.strength,
            "href": f"/child/{self.child_id}",
        }


IDENTIFYING_KINDS = (
    ChildRegistered,
    ChildBorn,
    ConsistentIdentifierRecorded,
    EntryCorrected,
    EntryRecordedInError,
)
"""The entries :func:`projections.child_search.child_index` reads: only these are decoded."""
BROAD = 200
"""Past this many matches, the account's children are decided in one pass over the log
(:meth:`Gate.visible`) rather than one record at a time."""


def identifying_events(store: EventStore, batch: int = 2000) -> Iterator[RecordedEvent]:
    """The log's registrations, births, NHS numbers and amendments, in global order (the
    store selects them by topic: the rest of the log is not decoded)."""
    topics = [get_topic(kind) for kind in IDENTIFYING_KINDS]
    position = 0
    while True:
        page = store.notifications(after=position, limit=batch, topics=topics)
        if not page:
            return
        yield from page
        position = page[-1].global_position or position


def permitted(gate: Gate, child_ids: Sequence[str]) -> dict[str, ChildFacts]:
    """Those of ``child_ids`` (in order) the account may see in the caseload, with their
    facts: each decided on its own record, or all in one pass when there are many. Raises
    AccessRefused for a role without the caseload."""
    gate.require_store(StoreAction.CASELOAD)
    if len(child_ids) > BROAD:
        visible = gate.visible(Action.SUMMARY)
        return {c: visible[c] for c in child_ids if c in visible}
    allowed: dict[str, ChildFacts] = {}
    for child in child_ids:
        facts = gate.facts(child)
        if gate.decide(child, Action.SUMMARY, facts=facts).allowed:
            allowed[child] = facts
    return allowed


def _seen(gate: Gate, matched: Sequence[str], what: str) -> tuple[dict[str, ChildFacts], int]:
    """The first :data:`MAX_RESULTS` of ``matched`` the account may see, each read logged as
    ``what``, and how many of ``matched`` it may see (never counting the others)."""
    allowed = permitted(gate, matched)
    shown = dict(list(allowed.items())[:MAX_RESULTS])
    if shown:
        gate.read_many(list(shown), Action.SUMMARY, what)  # checks each again, and logs it
    return shown, len(allowed)


def duplicates_for(
    store: EventStore,
    gate: Gate,
    given: str | None,
    family: str | None,
    dob: date | str | None,
    nhs: str | None,
) -> list[Duplicate]:
    """The children the account may see who may be the child about to be registered
    (strongest first), each read logged as "possible duplicates".

    ``dob`` is a date or text as typed (``YYYY-MM-DD`` or ``DD/MM/YYYY``), ``nhs`` text with or
    without spaces; empty text counts as not given. Raises :class:`SearchError` (its
    ``field`` is ``dob`` or ``nhs``, its message names the rule) for one that cannot be read,
    and AccessRefused for a role without the caseload; nothing is written but the log.
    """
    born = dob if isinstance(dob, date) else parse_date_of_birth(dob) if dob else None
    number = parse_nhs_number(nhs) if nhs and nhs.strip() else None
    gate.require_store(StoreAction.CASELOAD)
    found = possible_duplicates(child_index(identifying_events(store)), given, family, born, number)
    shown, _ = _seen(gate, [d.child.child_id for d in found], "possible duplicates")
    return [
        Duplicate(
            child_id=d.child.child_id,
            name=d.child.name,
            date_of_birth=d.child.date_of_birth,
            nhs_number=d.child.nhs_formatted,
            reasons=d.reasons,
            notes=d.notes,
            strength=d.strength,
        )
        for d in found
        if d.child.child_id in shown
    ]


def find_children(
    store: EventStore, gate: Gate, query: SearchQuery, moment: datetime
) -> tuple[list[FoundChild], int]:
    """The children the account may see matching ``query`` (at most :data:`MAX_RESULTS`,
    each read logged as "find a child"), and how many it may see match."""
    gate.require_store(StoreAction.CASELOAD)
    matches = search(child_index(identifying_events(store)), query)
    shown, total = _seen(gate, [m.child.child_id for m in matches], "find a child")
    today = moment.astimezone(LONDON).date()
    rows = []
    for match in matches:
        child = match.child
        f = shown.get(child.child_id)
        if f is None:
            continue
        status = status_at(gate.stream(child.child_id), moment)
        rows.append(
            FoundChild(
                child_id=child.child_id,
                name=child.name,
                date_of_birth=child.date_of_birth,
                expected_date_of_birth=child.expected_date_of_birth,
                age=age_on(child.date_of_birth, today) if child.date_of_birth else None,
                nhs_number=child.nhs_formatted,
                workers=tuple(sorted(f.workers)),
                teams=tuple(sorted(f.teams)),
                restricted=f.restricted,
                legal_status="; ".join(status.summary) or "none recorded",
                matched_on=match.matched_on,
            )
        )
    return rows, total


def install(api: FastAPI, web: Web) -> None:
    @api.get("/find", include_in_schema=False)
    def find_page(
        request: Request, q: str | None = None, dob: str | None = None, nhs: str | None = None
    ) -> Response:
        principal = web.principal_of(request)
        query, errors = SearchQuery.parse(q, dob, nhs)
        searched = any(v and v.strip() for v in (q, dob, nhs))
        moment = web.now()
        rows: list[FoundChild] = []
        total = 0
        if searched and not errors:
            with web.reading(principal, request) as (store, gate):
                rows, total = find_children(store, gate, query, moment)
        return web.page(
            request,
            "find_child.html",
            principal,
            status=422 if errors else 200,
            values={"q": q or "", "dob": dob or "", "nhs": nhs or ""},
            errors={e.field: str(e) for e in errors},
            labels=FIELDS,
            searched=searched and not errors,
            rows=rows,
            total=total,
            limit=MAX_RESULTS,
        )

    @api.get("/find/duplicates", include_in_schema=False)
    def find_duplicates(
        request: Request,
        given: str | None = None,
        family: str | None = None,
        dob: str | None = None,
        nhs: str | None = None,
    ) -> Response:
        principal = web.principal_of(request)
        problems: list[SearchError] = []
        for value, parse in ((dob, parse_date_of_birth), (nhs, parse_nhs_number)):
            if value and value.strip():
                try:
                    parse(value)
                except SearchError as error:
                    problems.append(error)
        if problems:
            return JSONResponse(
                {"errors": [{"field": e.field, "message": str(e)} for e in problems]},
                status_code=422,
                headers={"Cache-Control": "no-store"},
            )
        with web.reading(principal, request) as (store, gate):
            if not gate.may_store(StoreAction.CASELOAD):
                return JSONResponse(
                    {"errors": [{"field": None, "message": "your role may not list children"}]},
                    status_code=403,
                )
            found = duplicates_for(store, gate, given, family, dob, nhs)
        return JSONResponse(
            {"duplicates": [d.as_json() for d in found]}, headers={"Cache-Control": "no-store"}
        )
