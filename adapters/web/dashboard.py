"""``/team``: the team manager's dashboard, and ``/team/children``: the children behind a figure.

Figures, each a link to its list (one selection for both, :func:`select`):
- by worker: overdue items and breached standards, and what falls due this week;
- unallocated children (no allocated worker);
- children not seen within their visiting standard (an overdue deadline of a rule a
  ``child_visited`` entry meets);
- supervision due (deadlines of rules a ``supervision_held`` entry meets, overdue or due
  this week), where the authority's pack has them.

The work is :func:`adapters.work.open_work` (the CLI's ``overdue``), the visit and supervision
rules :func:`projections.review_report.rules_met_by`; both read only what the account may see.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.responses import Response

from adapters.packs import load_packs
from adapters.readmodels.deadline_view import OpenDeadline
from adapters.web.kit import Web
from adapters.web.work_rows import moment_of, names, work_rows
from adapters.work import Work, open_work
from domain.access import Action, ChildFacts
from policies.engine import Status
from policies.rules import PackSet
from projections.review_report import rules_met_by

FIGURES = {
    "overdue": "Overdue",
    "breached": "Breached standards",
    "due": "Due this week",
    "unallocated": "Unallocated children",
    "not_seen": "Not seen within their visiting standard",
    "supervision": "Supervision due",
}
UNALLOCATED = "-"
"""The worker parameter standing for "no allocated worker"."""


@dataclass(frozen=True)
class Selection:
    """The children behind one figure, and the deadlines that put them there."""

    figure: str
    worker: str | None
    children: list[str]
    items: list[OpenDeadline]


def _rules(packs: PackSet, kind: str) -> set[tuple[str, str]]:
    return {(pack, rule) for pack, _, rule in rules_met_by(packs, kind)}


def select(
    figure: str,
    work: Work,
    facts: dict[str, ChildFacts],
    packs: PackSet,
    worker: str | None = None,
) -> Selection:
    """The children (sorted) and deadlines behind ``figure`` (one of :data:`FIGURES`), for
    one worker when given (:data:`UNALLOCATED` for work no worker holds)."""
    if figure == "unallocated":
        children = sorted(c for c, f in facts.items() if not f.workers)
        return Selection(figure, None, children, [])
    items = work.items
    if figure == "overdue":
        items = work.overdue
    elif figure == "breached":
        items = [d for d in work.items if d.status == Status.BREACHED.value]
    elif figure == "due":
        items = work.due_this_week
    elif figure == "not_seen":
        visits = _rules(packs, "child_visited")
        items = [d for d in work.overdue if (d.pack, d.rule_id) in visits]
    elif figure == "supervision":
        supervision = _rules(packs, "supervision_held")
        items = [d for d in work.items if (d.pack, d.rule_id) in supervision]
    else:
        raise KeyError(figure)
    if worker is not None:
        wanted = None if worker == UNALLOCATED else worker
        items = [d for d in items if d.worker_id == wanted]
    return Selection(figure, worker, sorted({d.child_id for d in items}), items)


@dataclass(frozen=True)
class WorkerLine:
    worker: str
    """The worker's id, or :data:`UNALLOCATED`."""
    overdue: Selection
    breached: Selection
    due: Selection


def by_worker(work: Work, facts: dict[str, ChildFacts], packs: PackSet) -> list[WorkerLine]:
    workers = {d.worker_id or UNALLOCATED for d in work.items}
    workers |= {w for f in facts.values() for w in f.workers}
    return [
        WorkerLine(
            worker=w,
            overdue=select("overdue", work, facts, packs, w),
            breached=select("breached", work, facts, packs, w),
            due=select("due", work, facts, packs, w),
        )
        for w in sorted(workers, key=lambda w: (w == UNALLOCATED, w))
    ]


def install(api: FastAPI, web: Web) -> None:
    @api.get("/team", include_in_schema=False)
    def team(request: Request) -> Response:
        principal = web.principal_of(request)
        moment, at_error = moment_of(request, web.now())
        packs = load_packs()
        with web.reading(principal, request) as (store, gate):
            work = open_work(store, gate, packs, moment)
            facts = gate.visible(Action.READ)
        figures = {f: select(f, work, facts, packs) for f in FIGURES}
        return web.page(
            request,
            "dashboard.html",
            principal,
            at=moment,
            at_value=request.query_params.get("at", ""),
            at_error=at_error,
            week_ends=work.week_ends,
            workers=by_worker(work, facts, packs),
            figures=figures,
            labels=FIGURES,
            unallocated=UNALLOCATED,
            has_supervision=bool(_rules(packs, "supervision_held")),
        )

    @api.get("/team/children", include_in_schema=False)
    def team_children(request: Request, figure: str, worker: str | None = None) -> Response:
        principal = web.principal_of(request)
        if figure not in FIGURES:
            return web.not_found(request, principal, "No such figure.")
        moment, at_error = moment_of(request, web.now())
        packs = load_packs()
        with web.reading(principal, request) as (store, gate):
            work = open_work(store, gate, packs, moment)
            facts = gate.visible(Action.READ)
            chosen = select(figure, work, facts, packs, worker)
            named = names(gate, chosen.children)
        return web.page(
            request,
            "team_children.html",
            principal,
            at=moment,
            at_value=request.query_params.get("at", ""),
            at_error=at_error,
            figure=figure,
            label=FIGURES[figure],
            worker=worker,
            unallocated=UNALLOCATED,
            children=[(c, named.get(c, c), facts.get(c)) for c in chosen.children],
            rows=work_rows(work, chosen.items, named),
        )
