"""``/my-work``: a social worker's day — the children allocated to them, what is overdue and
due this week with the standard quoted, and the breaches recorded on their children lately.

The work is :func:`adapters.work.open_work` (the CLI's ``overdue --worker``); the breaches are
the ``deadline_breached`` entries the breach handler wrote on the children's records.
Reading those records is logged in each child's access log ("my work").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import FastAPI, Request
from fastapi.responses import Response

from adapters.drafts import drafts_of
from adapters.packs import load_packs
from adapters.web.kit import Web
from adapters.web.record_pages import draft_rows
from adapters.web.work_rows import moment_of, names, work_rows
from adapters.work import open_work
from domain.access import Action
from domain.events.base import LONDON
from domain.events.standards import DeadlineBreached
from policies.sources import cite

BREACH_WINDOW = timedelta(days=28)


@dataclass(frozen=True)
class BreachRow:
    child_id: str
    name: str
    rule_id: str
    citation: str
    citation_text: str
    due: datetime
    recorded_at: datetime


def install(api: FastAPI, web: Web) -> None:
    @api.get("/my-work", include_in_schema=False)
    def my_work(request: Request) -> Response:
        principal = web.principal_of(request)
        moment, at_error = moment_of(request, web.now())
        me = principal.user_id
        with web.reading(principal, request) as (store, gate):
            work = open_work(store, gate, load_packs(), moment, worker=me)
            facts = gate.visible(Action.READ)
            mine = sorted(c for c, f in facts.items() if me in f.workers)
            gate.read_many(mine, Action.READ, "my work")
            streams = {c: gate.stream(c) for c in mine}
            my_drafts = drafts_of(store).for_user(me)
            named = names(
                gate,
                {*mine, *(d.child_id for d in work.items), *(d.child_id for d in my_drafts)},
            )
            drafts = draft_rows(my_drafts, named)
        since = moment - BREACH_WINDOW
        breaches = sorted(
            (
                BreachRow(
                    child_id=child,
                    name=named.get(child, child),
                    rule_id=item.event.rule_id,
                    citation=item.event.citation,
                    citation_text=cite(item.event.citation).text,
                    due=item.event.due.astimezone(LONDON),
                    recorded_at=item.recorded_at.astimezone(LONDON),
                )
                for child, events in streams.items()
                for item in events
                if isinstance(item.event, DeadlineBreached) and since <= item.recorded_at <= moment
            ),
            key=lambda b: (b.recorded_at, b.child_id),
            reverse=True,
        )
        return web.page(
            request,
            "my_work.html",
            principal,
            at=moment,
            at_value=request.query_params.get("at", ""),
            at_error=at_error,
            week_ends=work.week_ends,
            children=[(c, named.get(c, c), facts[c]) for c in mine],
            overdue=work_rows(work, work.overdue, named),
            due=work_rows(work, work.due_this_week, named),
            breaches=breaches,
            window_days=BREACH_WINDOW.days,
            drafts=drafts,
        )
