"""The authoritative chronology: significant events in occurred order, per child or per family.

Two steps, both pure:

1. **Fold** (:class:`ChronologyFolder`, :func:`fold`): each recorded event becomes one row.
   An ordinary event becomes an :class:`EntryRow` holding its rendered content (date shown with
   its precision, plain-English detail, outcome, impact, source, late flag). A correction
   (``entry_corrected``) or an ``entry_recorded_in_error`` becomes an :class:`AmendmentRow`
   pointing at its target; a correction carries the target's content *after* it (corrections
   accumulate in recorded order). Rows keep ``global_position`` and ``recorded_at`` so that a
   chronology can be composed as the store stood at any position, or as known at any moment.
   The SQL read model (``adapters/readmodels/chronology.py``) stores exactly these rows.

2. **Compose** (:func:`compose`): from the rows visible under a :class:`ChronologyQuery`
   (position, ``as_known_at``, dates, categories, significance) build the
   :class:`Chronology` document: entries numbered 1..n in occurred order, a shared event (one
   correlation id and kind on several children's records) merged into one entry naming every
   child, corrected entries showing corrected content, entries recorded in error left out,
   and an audit appendix listing every correction (original text and reason) and every entry
   recorded in error. Acronyms are expanded the first time they appear in the document.

Replaying "what was known at moment T" is ``compose(*fold(events), query)`` with
``as_known_at=T`` (or with only the events recorded up to T: the result is the same).
"""

from __future__ import annotations

import calendar as _calendar
import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import orjson

from domain.envelope import RecordedEvent
from domain.events import EVENT_TYPES, CaseEvent
from domain.events.base import LONDON, DatePrecision
from domain.events.corrections import EntryCorrected, EntryRecordedInError
from domain.ordering import LINK_SUFFIX, Occurrence, ordered, payload_links
from policies.calendar import WorkingDayCalendar
from projections.chronology_wording import (
    detail_text,
    field_label,
    join_sentences,
    value_words,
)

LATE_AFTER_WORKING_DAYS = 2
"""An entry is *late* when it was recorded after the end of the 2nd working day after the day it
happened (for a month- or year-precision date: after the last day of that month or year).
A visit on Friday written up on the following Tuesday is on time; on Wednesday it is late."""

CORRECTION_KINDS = frozenset({EntryCorrected.kind, EntryRecordedInError.kind})
HEADER_KINDS = frozenset(
    {"child_registered", "child_born", "application_issued", "authority_recorded"}
)

ACRONYMS: dict[str, str] = {
    "ICPC": "initial child protection conference",
    "RCPC": "review child protection conference",
    "CP": "child protection",
    "CIN": "child in need",
    "CLA": "child looked after",
    "LAC": "looked-after child",
    "IRO": "independent reviewing officer",
    "PEP": "personal education plan",
    "PLO": "Public Law Outline",
    "ICO": "interim care order",
    "ISO": "interim supervision order",
    "EPO": "emergency protection order",
    "SGO": "special guardianship order",
    "CAO": "child arrangements order",
    "MASH": "multi-agency safeguarding hub",
    "CAMHS": "child and adolescent mental health services",
    "GP": "general practitioner",
    "DA": "domestic abuse",
    "DV": "domestic violence",
    "SW": "social worker",
    "TM": "team manager",
    "LA": "local authority",
    "LADO": "local authority designated officer",
    "NFA": "no further action",
    "UASC": "unaccompanied asylum-seeking child",
    "EHCP": "education, health and care plan",
    "s47": "section 47 of the Children Act 1989",
    "s20": "section 20 of the Children Act 1989",
    "s31": "section 31 of the Children Act 1989",
}
"""Acronyms expanded on first use in a chronology: ``ICPC`` becomes
``initial child protection conference (ICPC)`` the first time, ``ICPC`` after."""

_ACRONYM_RE = re.compile(
    r"(?<![\w(])(" + "|".join(sorted(ACRONYMS, key=len, reverse=True)) + r")(?![\w)])"
)

OUTCOME_FIELDS: tuple[str, ...] = (
    "decision",
    "subject",
    "record",
    "meeting_type",
    "meeting_date",
    "recipients",
    "outcome",
    "recommendation",
    "order",
    "order_sought",
    "legal_status",
    "category_of_abuse",
    "plan",
    "permanence_option",
    "agreed_new_date",
    "next_hearing_on",
    "reason",
    "rationale",
    "actions",
)
"""Fields shown, in this order and where present, as the entry's outcome or action taken."""

_CALENDAR = WorkingDayCalendar()


# -- rows ------------------------------------------------------------------------------------


_Row = TypeVar("_Row")


def built(cls: type[_Row], values: dict[str, Any]) -> _Row:
    """A frozen row from ``values`` (every one of its fields, by name), as ``cls(**values)``.

    A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``: 4.5 us
    for the 15 of :class:`EntryContent` against 0.5 us here, paid for every event a rebuild
    renders and every row a chronology reads. Equality, hashing and ``repr`` read the same
    attributes either way (``tests/unit/test_chronology_rows_built.py`` compares the two).
    """
    row = object.__new__(cls)
    row.__dict__.update(values)
    return row


@dataclass(frozen=True)
class EntryContent:
    """One event rendered for the chronology (what a correction can change)."""

    kind: str
    title: str
    category: str
    occurred_at: str
    occurred_key: str
    occurred_end: str
    precision: str
    date_display: str
    detail: str
    outcome: str
    impact: str
    source: str
    significant: bool
    late: bool
    payload: str


@dataclass(frozen=True)
class EntryRow:
    """An ordinary recorded event, as first recorded."""

    event_id: str
    child_id: str
    position: int
    global_position: int | None
    recorded_at: str
    recorded_by: str
    correlation_id: str | None
    content: EntryContent


@dataclass(frozen=True)
class AmendmentRow:
    """A correction or recorded-in-error entry; ``content`` is the target after a correction."""

    event_id: str
    target_event_id: str
    child_id: str
    position: int
    global_position: int | None
    recorded_at: str
    recorded_by: str
    action: str  # "corrected" | "recorded_in_error"
    reason: str
    changes: str
    content: EntryContent | None


@dataclass
class TargetState:
    """What the fold needs to know about an earlier entry to apply a correction to it."""

    kind: str
    payload: dict[str, Any]
    recorded_at: datetime
    changes: list[dict[str, Any]] = field(default_factory=list)


def utc_text(moment: datetime) -> str:
    """A recorded-at time as fixed-width UTC text (sorts and compares as text).

    ``2026-04-02T09:30:00.000000Z``: isoformat with microseconds always shown is the same
    text as strftime("%Y-%m-%dT%H:%M:%S.%fZ"), at a fraction of the cost (it runs for every
    event a rebuild replays).
    """
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _day_text(day: date) -> str:
    """dd/mm/yyyy (as strftime("%d/%m/%Y") for any four-digit year)."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def parse_utc_text(value: str) -> datetime:
    return datetime.fromisoformat(value[:-1] + "+00:00")


# -- rendering one event ---------------------------------------------------------------------


def _date_display(event: CaseEvent, precision: DatePrecision, day: date) -> str:
    local = event.occurred_at
    if isinstance(local, datetime):
        local = local.astimezone(LONDON)
    return _shown_date(precision, day, local)


def _shown_date(precision: DatePrecision, day: date, local: date | datetime) -> str:
    """The date as shown, from the London day and (for a timed event) the London moment."""
    if precision is DatePrecision.YEAR:
        return f"?/?/{day.year}"
    if precision is DatePrecision.MONTH:
        return f"?/{day.month:02d}/{day.year}"
    if precision is DatePrecision.TIME and isinstance(local, datetime):
        return f"{_day_text(local)} {local.hour:02d}:{local.minute:02d}"
    return _day_text(day)


def date_display(event: CaseEvent) -> str:
    """dd/mm/yyyy, with the time where known; '?' for the unknown parts of the date."""
    return _date_display(event, event.precision, event.occurred_date)


def _period(precision: DatePrecision, day: date) -> tuple[date, date]:
    """The first and last day the occurred date can mean at its precision."""
    if precision is DatePrecision.YEAR:
        return date(day.year, 1, 1), date(day.year, 12, 31)
    if precision is DatePrecision.MONTH:
        last = _calendar.monthrange(day.year, day.month)[1]
        return date(day.year, day.month, 1), date(day.year, day.month, last)
    return day, day


def _is_late_after(period_end: date, recorded_at: datetime) -> bool:
    limit = _CALENDAR.add_working_days(period_end, LATE_AFTER_WORKING_DAYS)
    return recorded_at.astimezone(LONDON).date() > limit


def is_late(event: CaseEvent, recorded_at: datetime) -> bool:
    """Recorded after the end of the 2nd working day after it happened (see LATE_AFTER_...)."""
    return _is_late_after(_period(event.precision, event.occurred_date)[1], recorded_at)


@functools.lru_cache(maxsize=4096)
def recorded_by_text(user_id: str, role: str) -> str:
    """Who recorded an event, as the chronology names them: ``sw-1 (social worker)``."""
    return f"{user_id} ({role.replace('_', ' ')})"


def source_text(event: CaseEvent) -> str:
    by = event.recorded_by
    parts = [f"Recorded by {recorded_by_text(by.user_id, by.role)}"]
    if event.agency:
        parts.append(f"agency: {event.agency}")
    if event.source:
        parts.append(f"ref: {event.source}")
    return "; ".join(parts)


@functools.lru_cache(maxsize=512)
def _outcome_fields(cls: type[CaseEvent]) -> tuple[tuple[str, str], ...]:
    """(field, label) for the outcome fields a kind has, in OUTCOME_FIELDS order."""
    fields = cls.model_fields
    return tuple((name, field_label(name)) for name in OUTCOME_FIELDS if name in fields)


def outcome_text(event: CaseEvent) -> str:
    """The outcome or action taken, one labelled sentence a field ("Decision: ...")."""
    parts = []
    for name, label in _outcome_fields(type(event)):
        value = getattr(event, name)
        if value is None or value == [] or value == "":
            continue
        parts.append(f"{label}: {value_words(value)}")
    return join_sentences(parts)


def expand_all(text: str) -> str:
    """Every acronym spelled out (to compare texts, not to show)."""
    return _ACRONYM_RE.sub(lambda m: ACRONYMS[m.group(1)], text)


@dataclass(frozen=True)
class _KindText:
    """What every event of one kind renders alike, worked out once per kind."""

    kind: str
    title: str
    category: str


@functools.lru_cache(maxsize=512)
def _kind_text(cls: type[CaseEvent]) -> _KindText:
    return _KindText(kind=cls.kind, title=cls.title, category=cls.category.value)


def render(
    event: CaseEvent, recorded_at: datetime, payload: dict[str, Any] | None = None
) -> EntryContent:
    """One (effective) event as chronology content (``payload``: ``event.payload()`` if known)."""
    shared = _kind_text(type(event))
    precision = event.precision
    occurred_at = event.occurred_at
    local: date | datetime = occurred_at
    if isinstance(occurred_at, datetime):
        local = occurred_at.astimezone(LONDON)
        day = local.date()
    else:
        day = occurred_at
    start, end = _period(precision, day)
    instant = (
        occurred_at
        if isinstance(occurred_at, datetime)
        else datetime(start.year, start.month, start.day, tzinfo=LONDON)
    )
    return built(
        EntryContent,
        {
            "kind": shared.kind,
            "title": shared.title,
            "category": shared.category,
            "occurred_at": occurred_at.isoformat(),
            "occurred_key": utc_text(instant),
            "occurred_end": end.isoformat(),
            "precision": precision.value,
            "date_display": _shown_date(precision, day, local),
            "detail": detail_text(shared.title, event.summary, expand_all),
            "outcome": outcome_text(event),
            "impact": (event.impact_on_child or "").strip(),
            "source": source_text(event),
            "significant": event.is_significant,
            "late": _is_late_after(end, recorded_at),
            # orjson with sorted keys writes the same text as json.dumps(sort_keys=True,
            # separators=(",", ":"), ensure_ascii=False) for JSON-mode payloads, ~8x faster.
            "payload": orjson.dumps(
                event.payload() if payload is None else payload, option=orjson.OPT_SORT_KEYS
            ).decode(),
        },
    )


def _effective(target: TargetState) -> CaseEvent:
    data = dict(target.payload)
    for change in target.changes:
        data.update(change)
    return EVENT_TYPES[target.kind].model_validate(data)


# -- the fold --------------------------------------------------------------------------------


class ChronologyFolder:
    """Turns recorded events into chronology rows, one row per event, in recorded order.

    ``load`` finds an earlier entry that is not in this folder's memory (the SQL read model
    passes a database lookup so a correction in a later batch finds its target).
    """

    def __init__(self, load: Callable[[str], TargetState | None] | None = None) -> None:
        self.targets: dict[str, TargetState] = {}
        self.load = load

    def _target(self, event_id: str) -> TargetState | None:
        target = self.targets.get(event_id)
        if target is None and self.load is not None:
            target = self.load(event_id)
            if target is not None:
                self.targets[event_id] = target
        return target

    def apply(self, item: RecordedEvent) -> EntryRow | AmendmentRow:
        event = item.event
        recorded_at = utc_text(item.recorded_at)
        by = recorded_by_text(event.recorded_by.user_id, event.recorded_by.role)
        if isinstance(event, EntryCorrected | EntryRecordedInError):
            target = self._target(event.target_event_id)
            content = None
            changes: dict[str, Any] = {}
            if isinstance(event, EntryCorrected):
                changes = dict(event.changes)
                if target is not None:
                    target.changes.append(changes)
                    content = render(_effective(target), target.recorded_at)
            return built(
                AmendmentRow,
                {
                    "event_id": item.event_id,
                    "target_event_id": event.target_event_id,
                    "child_id": item.child_id,
                    "position": item.position,
                    "global_position": item.global_position,
                    "recorded_at": recorded_at,
                    "recorded_by": by,
                    "action": "corrected"
                    if isinstance(event, EntryCorrected)
                    else "recorded_in_error",
                    "reason": event.reason,
                    "changes": json.dumps(changes, sort_keys=True, ensure_ascii=False, default=str),
                    "content": content,
                },
            )
        payload = item.payload()
        self.targets[item.event_id] = TargetState(
            kind=event.kind, payload=payload, recorded_at=item.recorded_at
        )
        return built(
            EntryRow,
            {
                "event_id": item.event_id,
                "child_id": item.child_id,
                "position": item.position,
                "global_position": item.global_position,
                "recorded_at": recorded_at,
                "recorded_by": by,
                "correlation_id": event.correlation_id,
                "content": render(event, item.recorded_at, payload),
            },
        )


def fold(events: Iterable[RecordedEvent]) -> tuple[list[EntryRow], list[AmendmentRow]]:
    """Every event as a chronology row (events in recorded order per child)."""
    folder = ChronologyFolder()
    entries: list[EntryRow] = []
    amendments: list[AmendmentRow] = []
    for item in events:
        row = folder.apply(item)
        if isinstance(row, EntryRow):
            entries.append(row)
        else:
            amendments.append(row)
    return entries, amendments


# -- the document ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChronologyQuery:
    """What to include. ``children`` are the subject children (one, or a family's)."""

    children: tuple[str, ...]
    family_id: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    as_known_at: datetime | None = None
    position: int | None = None
    categories: tuple[str, ...] = ()
    significant_only: bool = True

    def describe(self) -> dict[str, Any]:
        return {
            "children": list(self.children),
            "family_id": self.family_id,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "as_known_at": self.as_known_at.astimezone(UTC).isoformat()
            if self.as_known_at
            else None,
            "categories": sorted(self.categories),
            "significant_only": self.significant_only,
        }

    def visible(self, global_position: int | None, recorded_at: str) -> bool:
        if (
            self.position is not None
            and global_position is not None
            and global_position > self.position
        ):
            return False
        return self.as_known_at is None or recorded_at <= utc_text(self.as_known_at)


@dataclass(frozen=True)
class ChildHeader:
    child_id: str
    name: str
    date_of_birth: str | None
    expected_date_of_birth: str | None
    case_number: str | None
    court_numbers: tuple[str, ...]
    authority: str | None
    family_id: str | None


@dataclass(frozen=True)
class ChronologyEntry:
    serial: int
    date: str
    occurred_at: str
    children: tuple[str, ...]
    child_names: tuple[str, ...]
    kind: str
    category: str
    detail: str
    outcome: str
    impact: str
    source: str
    recorded_at: str
    late: bool
    corrected: bool
    notes: tuple[str, ...]
    event_ids: tuple[str, ...]


@dataclass(frozen=True)
class AppendixItem:
    """One correction or entry recorded in error: what changed, who, when and why.

    ``changes`` holds (field, before, after) in words for a correction; ``original`` is the
    entry as it read before this item (struck through when recorded in error), ``corrected``
    as it read after (empty when recorded in error).
    """

    ref: str
    action: str
    entry_serial: int | None
    children: tuple[str, ...]
    entry_date: str
    original: str
    corrected: str
    changes: tuple[tuple[str, str, str], ...]
    reason: str
    recorded_by: str
    recorded_at: str
    event_id: str
    target_event_id: str


IMPACT_NOT_RECORDED = "Impact on the child not recorded."
"""What the impact column says where the worker recorded none."""


def impact_cell(entry: ChronologyEntry) -> str:
    return entry.impact or IMPACT_NOT_RECORDED


@dataclass(frozen=True)
class QualitySummary:
    """How complete the chronology is: what a reviewer checks before relying on it."""

    entries: int
    without_impact: tuple[int, ...]
    late: tuple[int, ...]
    corrections: tuple[str, ...]
    recorded_in_error: tuple[str, ...]

    def lines(self) -> list[str]:
        """The summary as sentences (the last section of every document)."""

        def serials(numbers: tuple[int, ...]) -> str:
            return ", ".join(str(n) for n in numbers)

        def refs(items: tuple[str, ...]) -> str:
            return ", ".join(items)

        recorded = self.entries - len(self.without_impact)
        lines = [
            f"Entries: {self.entries}.",
            f"Impact on the child recorded for {recorded} of {self.entries} entries"
            + (
                f"; not recorded for No. {serials(self.without_impact)}."
                if self.without_impact
                else "."
            ),
            (
                f"Recorded late (after the {LATE_AFTER_WORKING_DAYS}nd working day): "
                f"{len(self.late)}, No. {serials(self.late)}."
                if self.late
                else "Recorded late: none."
            ),
            (
                f"Corrections: {len(self.corrections)} (appendix {refs(self.corrections)})."
                if self.corrections
                else "Corrections: none."
            ),
            (
                f"Entries recorded in error: {len(self.recorded_in_error)} "
                f"(appendix {refs(self.recorded_in_error)})."
                if self.recorded_in_error
                else "Entries recorded in error: none."
            ),
        ]
        return lines


def quality_of(
    entries: Sequence[ChronologyEntry], appendix: Sequence[AppendixItem]
) -> QualitySummary:
    return QualitySummary(
        entries=len(entries),
        without_impact=tuple(e.serial for e in entries if not e.impact),
        late=tuple(e.serial for e in entries if e.late),
        corrections=tuple(a.ref for a in appendix if a.action == "Corrected"),
        recorded_in_error=tuple(a.ref for a in appendix if a.action != "Corrected"),
    )


@dataclass(frozen=True)
class Chronology:
    """The chronology document every export renders."""

    query: ChronologyQuery
    children: tuple[ChildHeader, ...]
    entries: tuple[ChronologyEntry, ...]
    appendix: tuple[AppendixItem, ...]
    position: int | None

    @property
    def quality(self) -> QualitySummary:
        return quality_of(self.entries, self.appendix)

    @property
    def title(self) -> str:
        people = [c.name for c in self.children] or list(self.query.children)
        names = people[0] if len(people) == 1 else ", ".join(people[:-1]) + " and " + people[-1]
        if self.query.family_id:
            return f"Family chronology of {names}"
        return f"Chronology of {names}"

    def content(self) -> dict[str, Any]:
        """Everything the document says, as JSON-ready data (what the content hash covers)."""
        return {
            "title": self.title,
            "query": self.query.describe(),
            "store_position": self.position,
            "children": [dict(vars(c)) for c in self.children],
            "entries": [dict(vars(e)) for e in self.entries],
            "appendix": [dict(vars(a)) for a in self.appendix],
            "quality": self.quality.lines(),
        }

    def content_sha256(self) -> str:
        data = json.dumps(self.content(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(data.encode()).hexdigest()


def _headers(entries: Sequence[EntryRow], current: dict[str, EntryContent]) -> list[ChildHeader]:
    info: dict[str, dict[str, Any]] = {}
    for row in entries:
        kind = row.content.kind
        if kind not in HEADER_KINDS or row.event_id not in current:
            continue
        data = json.loads(current[row.event_id].payload)
        child = info.setdefault(row.child_id, {"court_numbers": []})
        if kind == "child_registered":
            child["name"] = f"{data.get('first_name', '')} {data.get('last_name', '')}".strip()
            child["date_of_birth"] = data.get("date_of_birth")
            child["expected_date_of_birth"] = data.get("expected_date_of_birth")
            child["case_number"] = data.get("case_number")
            child["family_id"] = data.get("family_id")
        elif kind == "child_born":
            child["date_of_birth"] = data.get("date_of_birth")
            child["expected_date_of_birth"] = None
            if data.get("first_name") and "name" in child:
                child["name"] = f"{data['first_name']} {child['name'].split(' ')[-1]}"
        elif kind == "application_issued" and data.get("court_number"):
            if data["court_number"] not in child["court_numbers"]:
                child["court_numbers"].append(data["court_number"])
        elif kind == "authority_recorded":
            child["authority"] = data.get("authority")
    headers = []
    for child_id in sorted(info):
        d = info[child_id]
        headers.append(
            ChildHeader(
                child_id=child_id,
                name=d.get("name") or child_id,
                date_of_birth=d.get("date_of_birth"),
                expected_date_of_birth=d.get("expected_date_of_birth"),
                case_number=d.get("case_number"),
                court_numbers=tuple(d["court_numbers"]),
                authority=d.get("authority"),
                family_id=d.get("family_id"),
            )
        )
    return headers


def _expander() -> Callable[[str], str]:
    seen: set[str] = set()

    def expand(text: str) -> str:
        def one(match: re.Match[str]) -> str:
            word = match.group(1)
            if word in seen:
                return word
            seen.add(word)
            expansion = ACRONYMS[word]
            before = match.string[: match.start()].rstrip()
            if not before or before.endswith((".", ":", "!", "?")):
                expansion = expansion[:1].upper() + expansion[1:]
            return f"{expansion} ({word})"

        return _ACRONYM_RE.sub(one, text) if text else text

    return expand


def _fmt_recorded(value: str) -> str:
    """A recorded-at time as London's dd/mm/yyyy hh:mm (``strftime("%d/%m/%Y %H:%M")``)."""
    local = parse_utc_text(value).astimezone(LONDON)
    if local.year < 1000:  # strftime does not pad such a year: keep its text
        return local.strftime("%d/%m/%Y %H:%M")
    return f"{_day_text(local)} {local.hour:02d}:{local.minute:02d}"


def compose(
    entries: Iterable[EntryRow], amendments: Iterable[AmendmentRow], query: ChronologyQuery
) -> Chronology:
    """The chronology document for ``query`` from the rows of its children (see module doc)."""
    wanted = set(query.children)
    rows = [
        r
        for r in entries
        if r.child_id in wanted and query.visible(r.global_position, r.recorded_at)
    ]
    amends = sorted(
        (
            a
            for a in amendments
            if a.child_id in wanted and query.visible(a.global_position, a.recorded_at)
        ),
        key=lambda a: (a.recorded_at, a.child_id, a.position),
    )
    by_id = {r.event_id: r for r in rows}
    current: dict[str, EntryContent] = {r.event_id: r.content for r in rows}
    in_error: set[str] = set()
    history: dict[str, list[AmendmentRow]] = {}
    for a in amends:
        if a.target_event_id not in by_id:
            continue
        history.setdefault(a.target_event_id, []).append(a)
        if a.action == "recorded_in_error":
            in_error.add(a.target_event_id)
        elif a.content is not None:
            current[a.target_event_id] = a.content
    effective = {k: v for k, v in current.items() if k not in in_error}
    headers = _headers(rows, effective)
    names = {h.child_id: h.name for h in headers}

    # group shared events (one correlation id, one kind) into one entry
    groups: dict[tuple[str, ...], list[EntryRow]] = {}
    for r in sorted(rows, key=lambda r: (r.recorded_at, r.child_id, r.position)):
        if r.event_id in in_error:
            continue
        content = effective[r.event_id]
        key = ("c", r.correlation_id, content.kind) if r.correlation_id else ("e", r.event_id)
        groups.setdefault(key, []).append(r)

    selected: list[tuple[EntryRow, list[EntryRow], EntryContent]] = []
    for members in groups.values():
        first = members[0]
        content = effective[first.event_id]
        if query.significant_only and not content.significant:
            continue
        if query.categories and content.category not in query.categories:
            continue
        if query.date_from and content.occurred_end < query.date_from.isoformat():
            continue
        if query.date_to and _start_day(content) > query.date_to:
            continue
        selected.append((first, members, content))
    selected = ordered(selected, _occurrence)

    expand = _expander()
    serial_of: dict[str, int] = {}
    body: list[ChronologyEntry] = []
    pending_refs: dict[str, list[str]] = {}
    appendix: list[AppendixItem] = []
    for serial, (_, members, _) in enumerate(selected, start=1):
        for m in members:
            serial_of[m.event_id] = serial
    # the appendix: every correction and recorded-in-error entry, in recorded order
    ref_no = 0
    for target_id, items in sorted(
        history.items(), key=lambda kv: (kv[1][0].recorded_at, kv[1][0].child_id, kv[1][0].position)
    ):
        original = by_id[target_id]
        before = original.content
        data = json.loads(before.payload)
        for a in items:
            changed: tuple[tuple[str, str, str], ...] = ()
            if a.action == "corrected":
                changes = json.loads(a.changes)
                changed = _field_changes(before.kind, data, changes)
                data = {**data, **changes}
            ref_no += 1
            ref = f"A{ref_no}"
            after = a.content if a.action == "corrected" and a.content is not None else None
            appendix.append(
                AppendixItem(
                    ref=ref,
                    action="Corrected" if a.action == "corrected" else "Recorded in error",
                    entry_serial=serial_of.get(target_id),
                    children=(original.child_id,),
                    entry_date=before.date_display,
                    original=_entry_text(before),
                    corrected=_entry_text(after) if after else "",
                    changes=changed,
                    reason=a.reason,
                    recorded_by=a.recorded_by,
                    recorded_at=_fmt_recorded(a.recorded_at),
                    event_id=a.event_id,
                    target_event_id=target_id,
                )
            )
            pending_refs.setdefault(target_id, []).append(ref)
            if after is not None:
                before = after

    for serial, (first, members, content) in enumerate(selected, start=1):
        children = tuple(m.child_id for m in sorted(members, key=lambda m: m.child_id))
        notes: list[str] = []
        refs = [ref for m in members for ref in pending_refs.get(m.event_id, [])]
        corrected = any(history.get(m.event_id) for m in members)
        if refs:
            notes.append("Corrected: see appendix " + ", ".join(refs))
        recorded_at = _fmt_recorded(first.recorded_at)
        if content.late:
            notes.append(f"Recorded late: occurred {content.date_display}, recorded {recorded_at}")
        body.append(
            built(
                ChronologyEntry,
                {
                    "serial": serial,
                    "date": content.date_display,
                    "occurred_at": content.occurred_at,
                    "children": children,
                    "child_names": tuple(names.get(c, c) for c in children),
                    "kind": content.kind,
                    "category": content.category,
                    "detail": expand(content.detail),
                    "outcome": expand(content.outcome),
                    "impact": expand(content.impact),
                    "source": content.source,
                    "recorded_at": recorded_at,
                    "late": content.late,
                    "corrected": corrected,
                    "notes": tuple(notes),
                    "event_ids": tuple(
                        m.event_id for m in sorted(members, key=lambda m: m.child_id)
                    ),
                },
            )
        )
    position = query.position
    if position is None:
        seen = [r.global_position for r in rows if r.global_position is not None]
        seen += [a.global_position for a in amends if a.global_position is not None]
        position = max(seen) if seen else None
    return Chronology(
        query=query,
        children=tuple(headers),
        entries=tuple(body),
        appendix=tuple(appendix),
        position=position,
    )


@functools.lru_cache(maxsize=512)
def _link_fields(kind: str) -> tuple[str, ...]:
    cls = EVENT_TYPES.get(kind)
    return tuple(n for n in cls.model_fields if n.endswith(LINK_SUFFIX)) if cls else ()


def _occurrence(selection: tuple[EntryRow, list[EntryRow], EntryContent]) -> Occurrence:
    """An entry (a shared one: all its children's copies) as the one ordering sees it."""
    first, members, content = selection
    seconds = None
    at = content.occurred_at
    if content.precision == DatePrecision.TIME.value and len(at) >= 19 and at[10] == "T":
        # occurred_at is London time as rendered ("2024-03-05T10:00:00+00:00"): read the
        # clock straight from the text (this runs for every entry of every chronology)
        seconds = int(at[11:13]) * 3600 + int(at[14:16]) * 60 + int(at[17:19])
    fields = _link_fields(content.kind)
    links = payload_links(fields, json.loads(content.payload)) if fields else ()
    return Occurrence(
        ref=first.event_id,
        kind=content.kind,
        children=frozenset((first.child_id,))
        if len(members) == 1
        else frozenset(m.child_id for m in members),
        day=_start_day(content),
        seconds=seconds,
        correlation_id=first.correlation_id,
        links=links,
        record=(first.recorded_at, first.global_position or 0, first.child_id, first.position),
        aliases=tuple(m.event_id for m in members[1:]) if len(members) > 1 else (),
    )


NOT_RECORDED = "(not recorded)"


def _field_changes(
    kind: str, before: dict[str, Any], changes: dict[str, Any]
) -> tuple[tuple[str, str, str], ...]:
    """(field, value before, value after) in words for each field a correction changed."""
    cls = EVENT_TYPES.get(kind)
    after = {**before, **changes}
    try:
        old = cls.model_validate(before) if cls else None
        new = cls.model_validate(after) if cls else None
    except ValueError:
        old = new = None

    def words(event: CaseEvent | None, raw: dict[str, Any], name: str) -> str:
        value = getattr(event, name, None) if event is not None else raw.get(name)
        if value is None or value == [] or value == "":
            return NOT_RECORDED
        if isinstance(value, datetime | date) and name == "occurred_at" and event is not None:
            return date_display(event)
        return value_words(value)

    return tuple(
        (field_label(name), words(old, before, name), words(new, after, name))
        for name in sorted(changes)
    )


def _start_day(content: EntryContent) -> date:
    raw = content.occurred_at[:10]
    start = date.fromisoformat(raw)
    if content.precision == DatePrecision.YEAR.value:
        return date(start.year, 1, 1)
    if content.precision == DatePrecision.MONTH.value:
        return date(start.year, start.month, 1)
    return start


def _entry_text(content: EntryContent) -> str:
    text = f"{content.date_display}: {content.detail}"
    return f"{text} {content.outcome}" if content.outcome else text


def significance_table() -> list[dict[str, Any]]:
    """Every event kind with its category and whether the chronology includes it by default."""
    return [
        {
            "kind": kind,
            "title": cls.title,
            "category": cls.category.value,
            "significant_by_default": cls.significant_by_default,
        }
        for kind, cls in sorted(EVENT_TYPES.items(), key=lambda kv: (kv[1].category.value, kv[0]))
    ]
