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
from datetime import datetime
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from adapters.db import resolve_url
from adapters.feed import read_feed
from adapters.http_errors import Problem
from adapters.http_errors import install as install_problem_details
from adapters.http_limits import BodyLimit
from adapters.identifiers import shared_upn_warnings
from adapters.packs import load_packs
from adapters.readmodels.chronology import ChronologyStore
from adapters.schedule import child_schedule
from adapters.store import EventStore
from adapters.views import history_entry
from domain import limits
from domain.errors import ConcurrencyConflict, IdempotencyConflict, InvalidEvent, UnknownChild
from domain.events import CaseEvent
from domain.events.base import LONDON
from domain.parsing import decode_json, parse_event, parse_moment
from projections.caseload import caseload
from projections.chronology import ChronologyQuery
from projections.legal_status import legal_status


def _moment(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_moment(value, name)
    except InvalidEvent as error:
        raise Problem(422, str(error), errors=[{"field": name, "rule": error.rule}]) from None


def _invalid(error: InvalidEvent) -> Problem:
    """A refused event as a 422 naming the event, the field and the rule (never the value)."""
    item: dict[str, Any] = {"field": error.field or "event", "rule": error.rule}
    if error.index is not None:
        item["event"] = error.index
    return Problem(422, str(error), errors=[item])


def _events(raw: bytes) -> list[CaseEvent]:
    """The request's events, strictly parsed and bounded (InvalidEvent/Problem otherwise)."""
    data = decode_json(raw, what="body")
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise InvalidEvent("expected a JSON list of events (or one event object)", field="body")
    if len(data) > limits.MAX_BATCH_EVENTS:
        raise InvalidEvent(
            f"more than {limits.MAX_BATCH_EVENTS:,} events in one request", field="body"
        )
    parsed = []
    for index, item in enumerate(data):
        try:
            parsed.append(parse_event(item))
        except InvalidEvent as error:
            raise error.at(index) from None
    if not parsed:
        raise InvalidEvent("no events to record", field="body")
    return parsed


def create_app(url: str | None = None) -> FastAPI:
    """An app bound to one store URL (default: $CASELEDGER_DB or the default SQLite file)."""
    store_url = resolve_url(url)
    api = FastAPI(
        title="caseledger",
        version="0.1.0",
        description=__doc__,
    )
    install_problem_details(api)
    api.add_middleware(BodyLimit, limit=limits.MAX_BODY_BYTES)  # 413 while reading

    @contextmanager
    def opened() -> Iterator[EventStore]:
        store = EventStore(store_url)
        try:
            yield store
        except UnknownChild as error:
            raise Problem(404, str(error)) from None
        finally:
            store.close()

    @api.get("/health")
    def health() -> dict[str, Any]:
        with opened() as store:
            return {"ok": True, "position": store.max_position()}

    @api.post(
        "/events",
        status_code=201,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"type": "array"}}},
                "description": "Events as `caseledger record` takes them (see `caseledger "
                f"events`); at most {limits.MAX_BODY_BYTES:,} bytes.",
            }
        },
    )
    async def record(request: Request) -> list[dict[str, Any]]:
        raw = await request.body()  # bounded by max_body_size as it is read
        return await run_in_threadpool(_record, raw)

    def _record(raw: bytes) -> list[dict[str, Any]]:
        try:
            parsed = _events(raw)
        except InvalidEvent as error:
            raise _invalid(error) from None
        with opened() as store:
            warnings = shared_upn_warnings(store, parsed)
            try:
                recorded = store.record(parsed)
            except InvalidEvent as error:
                raise _invalid(error) from None
            except IdempotencyConflict as error:
                raise Problem(409, str(error), title="Idempotency key conflict") from None
            except ConcurrencyConflict as error:
                raise Problem(
                    409, str(error), title="Concurrent write", headers={"Retry-After": "1"}
                ) from None
        entries = [history_entry(item) for item in recorded]
        for index, warning in warnings.items():  # accepted, with a warning beside the entry
            entries[index] = {**entries[index], "warnings": [warning]}
        return entries

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
            chronologies = ChronologyStore(store)  # a read: the tail is folded in memory
            if not chronologies.is_child(child_id):
                raise Problem(404, f"no record for child {child_id!r}")
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
            raise Problem(
                422,
                f"field 'pack': no such pack; known: {', '.join(packs.ids())}",
                errors=[{"field": "pack", "rule": "is not a known pack"}],
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
