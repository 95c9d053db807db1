"""Work items as the web pages show them: each open deadline with the child's name and the
standard quoted (the pack's citation and the authority's words, :func:`policies.sources.cite`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from fastapi import Request

from adapters.auth.guard import Gate
from adapters.readmodels.deadline_view import OpenDeadline
from adapters.work import Work
from domain.envelope import RecordedEvent
from domain.errors import InvalidEvent
from domain.events.base import LONDON
from domain.parsing import parse_moment
from policies.sources import cite
from projections.caseload import caseload


@dataclass(frozen=True)
class WorkRow:
    child_id: str
    name: str
    worker_id: str | None
    team: str | None
    title: str
    rule_id: str
    pack: str
    citation: str
    citation_text: str
    due: datetime
    status: str
    overdue: bool
    case_open: bool


def names(gate: Gate, children: Iterable[str]) -> dict[str, str]:
    """Each child's name as the caseload gives it (corrections applied); the streams are
    read through the gate (once per request), or from the log when there are many."""
    wanted = set(children)
    if not wanted:
        return {}
    if len(wanted) <= 50:
        rows = caseload(e for c in sorted(wanted) for e in gate.stream(c))
    else:
        rows = caseload(e for e in gate.store.iter_all() if e.child_id in wanted)
    return {r.child_id: r.name or r.child_id for r in rows}


def name_of(events: Iterable[RecordedEvent], child_id: str) -> str:
    """The child's name from its stream already read (as :func:`names` gives it)."""
    rows = caseload(events)
    return (rows[0].name if rows else "") or child_id


def work_rows(work: Work, items: Iterable[OpenDeadline], named: dict[str, str]) -> list[WorkRow]:
    return [
        WorkRow(
            child_id=d.child_id,
            name=named.get(d.child_id, d.child_id),
            worker_id=d.worker_id,
            team=d.team,
            title=d.title,
            rule_id=d.rule_id,
            pack=d.pack,
            citation=d.citation,
            citation_text=cite(d.citation).text,
            due=datetime.fromisoformat(d.due_iso).astimezone(LONDON),
            status=d.status,
            overdue=work.is_overdue(d),
            case_open=d.case_open,
        )
        for d in items
    ]


def moment_of(request: Request, now: datetime) -> tuple[datetime, str | None]:
    """The moment a page judges at: ``?at=`` (ISO date = end of that London day, or a
    datetime), else now; and the error to show beside the control when ``at`` is not one."""
    value = request.query_params.get("at")
    if not value:
        return now.astimezone(LONDON), None
    try:
        return parse_moment(value, "at").astimezone(LONDON), None
    except InvalidEvent as error:
        return now.astimezone(LONDON), str(error)
