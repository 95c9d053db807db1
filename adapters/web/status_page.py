"""``/child/{id}/status``: legal status and placements over time, as ``caseledger status``.

The view is :func:`projections.legal_status.legal_status` at ``?at=`` (a date is the end of
that London day; default now), from what had been recorded by ``?as_known_at=`` (default:
everything). The read is logged ("status").
"""

from __future__ import annotations

from datetime import datetime

from fastapi import FastAPI, Request
from fastapi.responses import Response

from adapters.web.kit import Web, status_of
from adapters.web.work_rows import moment_of, name_of
from domain.access import Action
from domain.errors import InvalidEvent
from domain.parsing import parse_moment


def install(api: FastAPI, web: Web) -> None:
    @api.get("/child/{child_id}/status", include_in_schema=False)
    def status_page(request: Request, child_id: str, as_known_at: str | None = None) -> Response:
        principal = web.principal_of(request)
        moment, at_error = moment_of(request, web.now())
        known: datetime | None = None
        known_error = None
        if as_known_at:
            try:
                known = parse_moment(as_known_at, "as_known_at")
            except InvalidEvent as error:
                known_error = str(error)
        with web.reading(principal, request) as (store, gate):
            gate.read(child_id, Action.READ, "status")
            events = gate.stream(child_id)
            view = status_of(store, child_id, events, moment, known)
        name = name_of(events, child_id)
        return web.page(
            request,
            "status.html",
            principal,
            child_id=child_id,
            name=name,
            view=view,
            at=moment,
            at_value=request.query_params.get("at", ""),
            at_error=at_error,
            as_known_at=as_known_at or "",
            known_error=known_error,
            known=known,
        )
