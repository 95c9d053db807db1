"""The reviewer's screens: ``/child/{id}/replay`` (the record as known at each step between
two dates: what was known, what was open and overdue, what was breached, the decisions), the
what-if against another rule pack, and ``/child/{id}/review-report`` (the report download).

The same code as ``caseledger replay`` and ``review-report``: :func:`projections.replay.replay`
for the steps, :func:`projections.review_report.build_report` for the report and its what-if
(the CLI's ``--pack``), rendered by :mod:`adapters.exporters.review_report`. Both need the
replay right on the child and are logged ("replay", "review report").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fastapi import FastAPI, Request
from fastapi.responses import Response

from adapters.auth.guard import Gate
from adapters.chronology_document import readable_family
from adapters.exporters.review_report import FORMATS, build_report, render
from adapters.genogram_view import registrations
from adapters.packs import load_packs
from adapters.store import EventStore
from adapters.web.kit import Web
from adapters.web.work_rows import name_of
from domain.access import Action
from domain.envelope import RecordedEvent
from domain.events.base import LONDON
from projections.genogram import family_children
from projections.replay import STEPS, Snapshot, replay

MEDIA = {
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass(frozen=True)
class Period:
    start: date | None
    end: date | None
    step: str
    pack: str | None
    errors: dict[str, str]

    @property
    def ready(self) -> bool:
        return self.start is not None and self.end is not None and not self.errors


def _day(value: str | None, field: str, errors: dict[str, str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[field] = f"field '{field}': expected an ISO date, e.g. 2026-04-07"
        return None


def period(request: Request, known_packs: list[str], default_step: str) -> Period:
    """The period, step and what-if pack asked for, each refusal named at its field."""
    q = request.query_params
    errors: dict[str, str] = {}
    start = _day(q.get("from"), "from", errors)
    end = _day(q.get("to"), "to", errors)
    if start and end and end < start:
        errors["to"] = f"field 'to': {end} is before the period's first day {start}"
    step = q.get("step") or default_step
    if step not in STEPS:
        errors["step"] = f"field 'step': choose one of {', '.join(STEPS)}"
    pack = q.get("pack") or None
    if pack is not None and pack not in known_packs:
        errors["pack"] = f"field 'pack': no such rule pack; known: {', '.join(known_packs)}"
    return Period(start, end, step, pack, errors)


def _records(
    store: EventStore, gate: Gate, child_id: str, whole_family: bool, what: str
) -> tuple[tuple[str, ...], bool, list[RecordedEvent]]:
    """The children replayed (the child; with ``whole_family``, also the brothers and sisters
    sharing its family id that the account may replay, each logged), whether any were left
    out, and their entries: the CLI's ``--family`` from one child's page."""
    gate.read(child_id, Action.REPLAY, what)
    members = family_children(registrations(store), child_id) if whole_family else [child_id]
    children, left_out = readable_family(gate, child_id, members, Action.REPLAY, what)
    events = [e for c in children for e in gate.stream(c)]
    return children, left_out, events


def install(api: FastAPI, web: Web) -> None:
    @api.get("/child/{child_id}/replay", include_in_schema=False)
    def replay_page(request: Request, child_id: str) -> Response:
        principal = web.principal_of(request)
        packs = load_packs()
        asked = period(request, packs.ids(), "event")
        snapshots: list[Snapshot] = []
        what_if = []
        whole_family = request.query_params.get("family") == "true"
        with web.reading(principal, request) as (store, gate):
            children, left_out, events = _records(store, gate, child_id, whole_family, "replay")
            names = {c: name_of(gate.stream(c), c) for c in children}
        name = names[child_id]
        if asked.ready:
            assert asked.start is not None and asked.end is not None
            snapshots = list(
                replay(
                    events,
                    packs,
                    start=asked.start,
                    end=asked.end,
                    step=asked.step,
                    children=list(children),
                )
            )
            if asked.pack:
                report = build_report(
                    events,
                    packs,
                    start=asked.start,
                    end=asked.end,
                    children=list(children),
                    other_pack=asked.pack,
                    prepared_on=web.now().astimezone(LONDON).date(),
                )
                what_if = report.what_if
        first = min((e.recorded_at for e in events), default=None)
        return web.page(
            request,
            "replay.html",
            principal,
            child_id=child_id,
            name=name,
            asked=asked,
            values=dict(request.query_params),
            steps=STEPS,
            packs=packs.ids(),
            snapshots=snapshots,
            differences=[d for w in what_if for d in w.differences],
            formats=FORMATS,
            london=LONDON,
            first_recorded=first.astimezone(LONDON).date() if first else None,
            whole_family=whole_family,
            names=names,
            left_out=left_out,
        )

    @api.get("/child/{child_id}/review-report", include_in_schema=False)
    def review_report(request: Request, child_id: str) -> Response:
        principal = web.principal_of(request)
        packs = load_packs()
        asked = period(request, packs.ids(), "day")
        fmt = request.query_params.get("format", "html")
        if fmt not in FORMATS:
            asked.errors["format"] = f"field 'format': choose one of {', '.join(FORMATS)}"
        if not asked.ready:
            return web.page(
                request,
                "refused.html",
                principal,
                status=422,
                message="; ".join(asked.errors.values()) or "Give the period: from and to.",
            )
        assert asked.start is not None and asked.end is not None
        whole_family = request.query_params.get("family") == "true"
        with web.reading(principal, request) as (store, gate):
            children, _, events = _records(store, gate, child_id, whole_family, "review report")
            named = {c: name_of(gate.stream(c), c) for c in children}
        report = build_report(
            events,
            packs,
            start=asked.start,
            end=asked.end,
            children=list(children),
            other_pack=asked.pack,
            prepared_on=web.now().astimezone(LONDON).date(),
            names=named,
        )
        filename = f"review-{child_id}-{asked.start}-{asked.end}.{fmt}"
        return Response(
            render(report, fmt),
            media_type=MEDIA[fmt],
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "no-store",
            },
        )
