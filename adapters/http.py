"""The HTTP layer (FastAPI): the same record, feed, chronology, deadlines and status as the CLI.

    uvicorn adapters.http:app            # store from $CASELEDGER_DB
    caseledger serve [--db URL] [--port 8000]

Endpoints return the same JSON shapes as the CLI's ``--json`` output. Writing is
``POST /events`` (all or nothing, like ``caseledger record``): an invalid event is a 422
naming the event, the field and the rule; a concurrent writer's conflict is a 409.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from fastapi import Body, FastAPI, HTTPException, Query
from fastapi.responses import Response

from adapters.db import resolve_url
from adapters.feed import read_feed
from adapters.packs import load_packs
from adapters.readmodels.chronology import ChronologyStore
from adapters.schedule import child_schedule
from adapters.store import EventStore
from adapters.views import history_entry
from domain.errors import ConcurrencyConflict, IdempotencyConflict, InvalidEvent, UnknownChild
from domain.events.base import LONDON
from domain.parsing import parse_event
from projections.caseload import caseload
from projections.chronology import ChronologyQuery
from projections.legal_status import legal_status


def _moment(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime(day.year, day.month, day.day, 23, 59, 59, 999999, tzinfo=LONDON)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise HTTPException(422, f"{name} {value!r}: expected an ISO date or datetime") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=LONDON)


def create_app(url: str | None = None) -> FastAPI:
    """An app bound to one store URL (default: $CASELEDGER_DB or the default SQLite file)."""
    store_url = resolve_url(url)
    api = FastAPI(title="caseledger", version="0.1.0", description=__doc__)

    @contextmanager
    def opened() -> Iterator[EventStore]:
        store = EventStore(store_url)
        try:
            yield store
        except UnknownChild as error:
            raise HTTPException(404, str(error)) from None
        finally:
            store.close()

    @api.get("/health")
    def health() -> dict[str, Any]:
        with opened() as store:
            return {"ok": True, "position": store.max_position()}

    @api.post("/events", status_code=201)
    def record(events: list[dict[str, Any]] = Body(...)) -> list[dict[str, Any]]:
        parsed = []
        for index, data in enumerate(events):
            try:
                parsed.append(parse_event(data))
            except InvalidEvent as error:
                raise HTTPException(422, str(error.at(index))) from None
        with opened() as store:
            try:
                return [history_entry(item) for item in store.record(parsed)]
            except InvalidEvent as error:
                raise HTTPException(422, str(error)) from None
            except (ConcurrencyConflict, IdempotencyConflict) as error:
                raise HTTPException(409, str(error)) from None

    @api.get("/children")
    def children() -> list[dict[str, Any]]:
        with opened() as store:
            return [row.model_dump(mode="json") for row in caseload(store.iter_all())]

    @api.get("/children/{child_id}/history")
    def history(child_id: str, as_known_at: str | None = None) -> list[dict[str, Any]]:
        moment = _moment(as_known_at, "as_known_at")
        with opened() as store:
            return [history_entry(e) for e in store.history(child_id, as_known_at=moment)]

    @api.get("/children/{child_id}/chronology")
    def chronology(
        child_id: str,
        as_known_at: str | None = None,
        significant_only: bool = True,
    ) -> Response:
        from adapters.exporters.chronology import export

        with opened() as store:
            chronologies = ChronologyStore(store)
            chronologies.catch_up()
            if not chronologies.is_child(child_id):
                raise HTTPException(404, f"no record for child {child_id!r}")
            result = chronologies.chronology(
                ChronologyQuery(
                    children=(child_id,),
                    as_known_at=_moment(as_known_at, "as_known_at"),
                    significant_only=significant_only,
                )
            )
            assert result.position is not None
            data, _ = export(
                result,
                "json",
                store_time=chronologies.position_time(result.position),
                prepared_on=None,
            )
        return Response(content=data, media_type="application/json")

    @api.get("/children/{child_id}/deadlines")
    def deadlines(
        child_id: str,
        at: str | None = None,
        as_known_at: str | None = None,
        pack: str | None = None,
    ) -> list[dict[str, Any]]:
        """The child's deadlines at ``at`` (default: ``as_known_at``, else now), judged from
        what had been recorded by ``as_known_at`` (default: everything), as the CLI's
        ``deadlines --json``."""
        known = _moment(as_known_at, "as_known_at")
        moment = _moment(at, "at") or known or datetime.now(LONDON)
        packs = load_packs()
        if pack is not None and pack not in packs.versions:
            raise HTTPException(
                422, f"pack {pack!r}: no such pack; known: {', '.join(packs.ids())}"
            )
        with opened() as store:
            found = child_schedule(store, child_id, packs, moment, as_known_at=known, pack=pack)
        return found.as_json()

    @api.get("/children/{child_id}/status")
    def status(child_id: str, at: str | None = None) -> dict[str, Any]:
        moment = _moment(at, "at") or datetime.now(LONDON)
        with opened() as store:
            events = store.stream(child_id)
        return legal_status(events, at=moment).model_dump(mode="json")

    @api.get("/feed")
    def feed(
        after: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=5000)
    ) -> list[dict[str, Any]]:
        with opened() as store:
            return list(read_feed(store, after=after, limit=limit))

    return api


app = create_app()
