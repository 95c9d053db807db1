"""The practice review report as data: a child's (or family's) timeline judged against the standards.

:func:`build_report` gathers, from the children's recorded events as they stood at the end of
the period (nothing recorded later is read):

- every event with its occurred date, its recorded date and the delay between them;
- every standard that applied, judged by the pack version in force on the day its clock
  started, and whether it was met (met, met late, breached, still open, cancelled);
- the periods when the child was not seen: gaps between visits in which the child was seen,
  flagged when a visiting standard fell due inside the gap unmet, and listed anyway when
  longer than :data:`LIST_GAPS_OVER_DAYS` days;
- decisions and their rationale; the agencies involved; a summary of timeliness by standard;
- with ``other_pack``: the same history judged by another pack, and each rule whose outcome
  differs, side by side, with the reason (:func:`projections.replay.what_if`).

Pure: events and packs in, a :class:`ReviewReport` out. ``adapters.exporters.review_report``
renders it as HTML or DOCX.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from domain.envelope import RecordedEvent
from domain.events.base import LONDON, Category
from domain.events.corrections import EntryCorrected, EntryRecordedInError
from domain.ordering import in_occurred_order
from policies.calendar import WorkingDayCalendar
from policies.engine import Deadline, Status, effective_facts, evaluate
from policies.rules import PackSet
from projections.chronology import date_display, is_late
from projections.replay import Decision, RuleDifference, decision_of, status_counts, what_if

LIST_GAPS_OVER_DAYS = 28
"""A gap between sightings this long is listed even when no visiting standard fell due in it."""

_CALENDAR = WorkingDayCalendar()


@dataclass(frozen=True)
class TimelineRow:
    child_id: str
    event_id: str
    kind: str
    title: str
    category: str
    occurred: str
    occurred_day: date
    recorded_at: datetime
    delay_days: int
    delay_working_days: int
    late: bool
    summary: str
    agency: str
    note: str


@dataclass(frozen=True)
class StandardRow:
    child_id: str
    rule_id: str
    title: str
    citation: str
    pack: str
    pack_version: str
    effective_from: date | None
    trigger_kind: str
    counted_from: date
    due: datetime
    status: str
    met_at: datetime | None
    days_late: int | None


@dataclass(frozen=True)
class SummaryRow:
    rule_id: str
    title: str
    packs: str
    total: int
    met: int
    met_late: int
    breached: int
    open: int
    cancelled: int

    @property
    def on_time(self) -> str:
        judged = self.met + self.met_late + self.breached
        return f"{round(100 * self.met / judged)}%" if judged else "—"


@dataclass(frozen=True)
class Gap:
    child_id: str
    start: date | None
    end: date
    days: int
    ended_by_visit: bool
    exceeded: tuple[str, ...]


@dataclass(frozen=True)
class AgencyRow:
    agency: str
    entries: int
    first: date
    last: date


@dataclass(frozen=True)
class WhatIf:
    child_id: str
    base: str
    other: str
    differences: tuple[RuleDifference, ...]


@dataclass
class ReviewReport:
    title: str
    subjects: tuple[str, ...]
    family_id: str | None
    start: date
    end: date
    as_known_at: datetime
    prepared_on: date
    packs_used: list[tuple[str, str, date]] = field(default_factory=list)
    timeline: list[TimelineRow] = field(default_factory=list)
    standards: list[StandardRow] = field(default_factory=list)
    summary: list[SummaryRow] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    not_visited: list[str] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    agencies: list[AgencyRow] = field(default_factory=list)
    what_if: list[WhatIf] = field(default_factory=list)
    other_pack: str | None = None

    def as_json(self) -> dict[str, Any]:
        def day(d: date | None) -> str | None:
            return d.isoformat() if d else None

        return {
            "title": self.title,
            "subjects": list(self.subjects),
            "family_id": self.family_id,
            "from": day(self.start),
            "to": day(self.end),
            "as_known_at": self.as_known_at.isoformat(),
            "standards": [
                {
                    "child_id": s.child_id,
                    "rule_id": s.rule_id,
                    "pack": f"{s.pack} {s.pack_version}",
                    "counted_from": day(s.counted_from),
                    "due": s.due.isoformat(),
                    "status": s.status,
                }
                for s in self.standards
            ],
            "gaps": [
                {
                    "child_id": g.child_id,
                    "from": day(g.start),
                    "to": day(g.end),
                    "days": g.days,
                    "exceeded": list(g.exceeded),
                }
                for g in self.gaps
            ],
            "what_if": [
                {
                    "child_id": w.child_id,
                    "base": w.base,
                    "other": w.other,
                    "differences": [d.as_json() for d in w.differences],
                }
                for w in self.what_if
            ],
        }


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=LONDON)


def london_day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def rules_met_by(packs: PackSet, kind: str) -> set[tuple[str, str, str]]:
    """(pack, version, rule id) of every rule an event of ``kind`` meets: ``child_visited``
    for the visiting standards, ``supervision_held`` for supervision."""
    return {
        (p.pack, p.version, r.id)
        for versions in packs.versions.values()
        for p in versions
        for r in p.rules
        if any(m.kind == kind for m in r.satisfied_by)
    }


def _visit_rules(packs: PackSet) -> set[tuple[str, str, str]]:
    return rules_met_by(packs, "child_visited")


def build_report(
    events: Iterable[RecordedEvent],
    packs: PackSet,
    *,
    start: date,
    end: date,
    children: Sequence[str],
    family_id: str | None = None,
    other_pack: str | None = None,
    prepared_on: date,
    names: dict[str, str] | None = None,
) -> ReviewReport:
    """The review report for ``children`` over ``start``..``end`` as known at the end of ``end``."""
    if end < start:
        raise ValueError(f"--to {end} is before --from {start}")
    if other_pack is not None and other_pack not in packs.versions:
        raise KeyError(f"--pack {other_pack!r}: no such rule pack; known: {', '.join(packs.ids())}")
    cutoff = _end_of(end)
    known = [e for e in events if e.recorded_at <= cutoff and e.child_id in set(children)]
    by_child: dict[str, list[RecordedEvent]] = {c: [] for c in children}
    for item in known:
        by_child[item.child_id].append(item)
    subject = family_id or ", ".join((names or {}).get(c, c) for c in children)
    report = ReviewReport(
        title=f"Practice review timeline: {subject}",
        subjects=tuple(children),
        family_id=family_id,
        start=start,
        end=end,
        as_known_at=cutoff,
        prepared_on=prepared_on,
        other_pack=other_pack,
    )
    visit_rules = _visit_rules(packs)
    all_deadlines: list[Deadline] = []
    for child in children:
        items = by_child[child]
        report.timeline.extend(_timeline(items, start, end))
        deadlines = [
            d
            for d in evaluate(items, packs, cutoff)
            if start <= d.counted_from <= end or start <= london_day(d.effective_due) <= end
        ]
        all_deadlines.extend(deadlines)
        report.standards.extend(_standard_row(packs, d) for d in deadlines)
        gaps, none_seen = _gaps(child, items, deadlines, visit_rules, start, end)
        report.gaps.extend(gaps)
        if none_seen:
            report.not_visited.append(child)
        for fact in effective_facts(items):
            if start <= fact.day <= end:
                found = decision_of(fact.recorded, fact.event)
                if found is not None:
                    report.decisions.append(found)
        if other_pack is not None:
            _, _, diffs = what_if(items, packs, cutoff, other_pack, since=start)
            base = sorted({f"{d.pack} {d.pack_version}" for d in deadlines})
            report.what_if.append(
                WhatIf(child, " / ".join(base) or "authority pack", other_pack, tuple(diffs))
            )
    rank = {item.event_id: n for n, item in enumerate(in_occurred_order(known))}
    report.timeline.sort(key=lambda r: rank[r.event_id])
    report.standards.sort(key=lambda s: (s.due, s.rule_id, s.child_id))
    report.decisions.sort(key=lambda d: (d.occurred, d.recorded_at))
    report.summary = _summary(all_deadlines)
    report.agencies = _agencies(known, start, end)
    used = {(d.pack, d.pack_version) for d in all_deadlines}
    for pack_id, version in sorted(used):
        for p in packs.versions.get(pack_id, []):
            if p.version == version:
                report.packs_used.append((pack_id, version, p.effective_from))
    return report


def _timeline(items: Sequence[RecordedEvent], start: date, end: date) -> list[TimelineRow]:
    notes: dict[str, list[str]] = {}
    for item in items:
        event = item.event
        if isinstance(event, EntryCorrected | EntryRecordedInError):
            what = "Corrected" if isinstance(event, EntryCorrected) else "Recorded in error"
            when = item.recorded_at.astimezone(LONDON).strftime("%d/%m/%Y")
            notes.setdefault(event.target_event_id, []).append(f"{what} on {when}: {event.reason}")
    rows: list[TimelineRow] = []
    for item in items:
        event = item.event
        day = event.occurred_date
        recorded_day = london_day(item.recorded_at)
        if not (start <= day <= end or start <= recorded_day <= end):
            continue
        rows.append(
            TimelineRow(
                child_id=item.child_id,
                event_id=item.event_id,
                kind=event.kind,
                title=type(event).title,
                category=event.category.value,
                occurred=date_display(event),
                occurred_day=day,
                recorded_at=item.recorded_at,
                delay_days=(recorded_day - day).days,
                delay_working_days=_CALENDAR.working_days_between(day, recorded_day),
                late=event.category is not Category.STANDARDS and is_late(event, item.recorded_at),
                summary=event.summary.strip(),
                agency=event.agency or "",
                note="; ".join(notes.get(item.event_id, [])),
            )
        )
    return rows


def _standard_row(packs: PackSet, d: Deadline) -> StandardRow:
    effective = next(
        (p.effective_from for p in packs.versions.get(d.pack, []) if p.version == d.pack_version),
        None,
    )
    late: int | None = None
    if d.status is Status.MET_LATE and d.satisfied_at is not None:
        late = (london_day(d.satisfied_at) - london_day(d.effective_due)).days
    return StandardRow(
        child_id=d.child_id,
        rule_id=d.rule_id,
        title=d.title,
        citation=d.citation,
        pack=d.pack,
        pack_version=d.pack_version,
        effective_from=effective,
        trigger_kind=d.trigger_kind,
        counted_from=d.counted_from,
        due=d.effective_due,
        status=d.status.value,
        met_at=d.satisfied_at,
        days_late=late,
    )


def _gaps(
    child: str,
    items: Sequence[RecordedEvent],
    deadlines: Sequence[Deadline],
    visit_rules: set[tuple[str, str, str]],
    start: date,
    end: date,
) -> tuple[list[Gap], bool]:
    seen = sorted(
        {
            f.day
            for f in effective_facts(items)
            if f.kind == "child_visited" and getattr(f.event, "seen", False) and f.day <= end
        }
    )
    missed = [
        d
        for d in deadlines
        if (d.pack, d.pack_version, d.rule_id) in visit_rules
        and d.status in (Status.BREACHED, Status.MET_LATE)
    ]
    before = [d for d in seen if d < start]
    inside = [d for d in seen if start <= d <= end]
    if not inside and not missed:
        return [], not before
    points: list[date | None] = [before[-1] if before else None, *inside]
    gaps: list[Gap] = []
    for index, first in enumerate(points):
        last = points[index + 1] if index + 1 < len(points) else None
        until = last or end
        frm = first or start
        days = (until - frm).days
        exceeded = tuple(
            sorted(
                {
                    d.rule_id
                    for d in missed
                    if frm < london_day(d.effective_due) <= until
                    or (first is None and london_day(d.effective_due) <= until)
                }
            )
        )
        if exceeded or days > LIST_GAPS_OVER_DAYS:
            gaps.append(Gap(child, first, until, days, last is not None, exceeded))
    return gaps, False


def _summary(deadlines: Sequence[Deadline]) -> list[SummaryRow]:
    titles: dict[str, str] = {}
    packs: dict[str, set[str]] = {}
    for d in deadlines:
        titles.setdefault(d.rule_id, d.title)
        packs.setdefault(d.rule_id, set()).add(f"{d.pack} {d.pack_version}")
    rows = []
    for rule_id, counts in sorted(status_counts(deadlines).items()):
        rows.append(
            SummaryRow(
                rule_id=rule_id,
                title=titles[rule_id],
                packs=", ".join(sorted(packs[rule_id])),
                total=sum(counts.values()),
                met=counts["met"],
                met_late=counts["met_late"],
                breached=counts["breached"],
                open=counts["pending"] + counts["extended"],
                cancelled=counts["cancelled"],
            )
        )
    return rows


def _agencies(items: Sequence[RecordedEvent], start: date, end: date) -> list[AgencyRow]:
    count: Counter[str] = Counter()
    first: dict[str, date] = {}
    last: dict[str, date] = {}
    for fact in effective_facts(items):
        if not start <= fact.day <= end:
            continue
        names = set(getattr(fact.event, "agencies_present", None) or [])
        if fact.event.agency:
            names.add(fact.event.agency)
        for name in names:
            label = name.replace("_", " ")
            count[label] += 1
            first[label] = min(first.get(label, fact.day), fact.day)
            last[label] = max(last.get(label, fact.day), fact.day)
    return [AgencyRow(a, n, first[a], last[a]) for a, n in sorted(count.items())]


# -- rendering --------------------------------------------------------------------------------
