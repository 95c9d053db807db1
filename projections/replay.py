"""Replay for practice reviews: the record as it was known at each moment, without hindsight.

Two clocks: ``recorded_at`` is the reviewer's clock (what had been written down by then),
``occurred_at`` is the child's. :func:`replay` walks the reviewer's clock from ``start`` to ``end``
in steps (``event``: after each moment something was recorded; ``day``: the end of each London
day; ``week``: the end of every 7th day and of the last day) and yields a :class:`Snapshot` at
each: the chronology so far, each child's legal status, every deadline as the engine judged it
then (open ones with their due dates), the breaches known so far, decisions with their
rationale, who was allocated, and when the child was last seen and last seen alone.

Nothing recorded after a snapshot's moment is read for it, including corrections recorded
later: a correction shows from the moment it was recorded.

**Incremental.** Events are sorted by ``recorded_at`` once and each is fed once, as the clock
passes it, into folds that keep their state: the deadline :class:`~policies.engine.Schedule`
(``add``), the :class:`~projections.chronology.ChronologyFolder` (rows appended; a snapshot keeps
only how many rows it may see), and small per-child folds here (visits, allocations, decisions,
recorded breach events). Legal status is recomputed only from the status-relevant events
(:data:`STATUS_KINDS`), and only when one arrives or the day changes. :class:`ReplayStats`
counts the work done so the benchmark can show it (``scripts/bench_replay.py``).

:func:`what_if` judges the same history against two packs and lists each rule whose outcome
differs, and why.
"""

from __future__ import annotations

import bisect
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import Enum
from typing import Any

from domain.child_record import corrected
from domain.envelope import RecordedEvent
from domain.events import CaseEvent
from domain.events.base import LONDON
from domain.events.corrections import EntryCorrected, EntryRecordedInError
from domain.events.leaving_care import PersonalAdviserAllocated
from domain.events.management import AllocatedToTeam, AllocatedToWorker
from domain.events.standards import DeadlineBreached, DeadlineMetLate
from policies.engine import Deadline, Schedule, Status, authority_at, effective_facts, evaluate
from policies.rules import Pack, PackSet, Rule
from projections.chronology import (
    AmendmentRow,
    Chronology,
    ChronologyFolder,
    ChronologyQuery,
    EntryRow,
    compose,
)
from projections.legal_status import (
    CurrentStatus,
    StatusFold,
    current_status,
    effective_history,
    fold_status,
    legal_status,
)

__all__ = [
    "DECISION_KINDS",
    "STATUS_KINDS",
    "STEPS",
    "Allocation",
    "ChildSnapshot",
    "Decision",
    "KnownBreach",
    "Replay",
    "ReplayStats",
    "RuleDifference",
    "Sighting",
    "Snapshot",
    "decision_of",
    "moments",
    "replay",
    "what_if",
]

STEPS = ("event", "day", "week")

STATUS_KINDS = frozenset(
    {
        "child_registered",
        "child_born",
        "child_in_need_plan_agreed",
        "child_in_need_plan_ended",
        "child_protection_plan_started",
        "child_protection_category_changed",
        "child_protection_plan_ended",
        "became_looked_after",
        "legal_status_changed",
        "ceased_to_be_looked_after",
        "placement_started",
        "placement_ended",
        "placed_for_adoption",
        "adoption_placement_ceased",
        "letter_before_proceedings_sent",
        "pre_proceedings_meeting_held",
        "application_issued",
        "order_made",
    }
)
"""The event kinds :func:`projections.legal_status.legal_status` reads (a test checks that the
status from these alone equals the status from the whole record at every day of the demo)."""

DECISION_KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "referral_decision": (("outcome",), ("rationale",)),
    "strategy_discussion_held": (("decision",), ("rationale",)),
    "section_47_concluded": (("outcome",), ("rationale",)),
    "initial_child_protection_conference_held": (("decision", "category_of_abuse"), ()),
    "review_child_protection_conference_held": (("decision", "category_of_abuse"), ()),
    "assessment_completed": (("recommendation",), ()),
    "management_decision_recorded": (("decision",), ("rationale",)),
    "legal_planning_meeting_held": (("decision", "threshold_met"), ()),
    "child_in_need_plan_reviewed": (("outcome",), ()),
    "stepped_up": (("direction",), ("rationale",)),
    "stepped_down": (("direction",), ("rationale",)),
    "pre_proceedings_review_held": (("outcome",), ()),
    "looked_after_review_held": (("recommendations",), ()),
    "care_plan_agreed": (("permanence_option",), ()),
    "permanence_plan_agreed": (("plan",), ()),
    "adoption_decision_made": ((), ()),
    "hearing_held": (("outcome",), ()),
    "order_made": (("order",), ()),
    "child_protection_plan_ended": ((), ("reason",)),
    "child_in_need_plan_ended": ((), ("reason",)),
    "case_closed": ((), ("reason",)),
    "supervision_held": (("actions",), ()),
}
"""Decisions a review reads: kind -> (fields that say what was decided, fields giving why).
Where no field gives the rationale the entry's summary stands in for it."""

DECIDED_BY_FIELDS = ("decided_by", "manager_id", "chair", "supervisor_id", "authorised_by")
ALLOCATION_KINDS = frozenset(
    {"allocated_to_worker", "allocated_to_team", "personal_adviser_allocated"}
)
BREACH_KINDS = frozenset({"deadline_breached", "deadline_met_late"})
TIMELINESS_FAILURES = frozenset({Status.BREACHED, Status.MET_LATE})


def _text(value: Any) -> str:
    if isinstance(value, Enum):
        return str(value.value).replace("_", " ")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _london(moment: datetime) -> datetime:
    return moment.astimezone(LONDON)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else _london(moment).isoformat()


# -- what a snapshot holds --------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """A decision on the record, with what was decided and why, as it stood when asked."""

    child_id: str
    event_id: str
    kind: str
    occurred: date
    recorded_at: datetime
    decision: str
    rationale: str
    decided_by: str
    corrected: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "child_id": self.child_id,
            "event_id": self.event_id,
            "kind": self.kind,
            "occurred": self.occurred.isoformat(),
            "recorded_at": _iso(self.recorded_at),
            "decision": self.decision,
            "rationale": self.rationale,
            "decided_by": self.decided_by,
            "corrected": self.corrected,
        }


def decision_of(item: RecordedEvent, event: CaseEvent | None = None) -> Decision | None:
    """The decision an entry records (``event``: its corrected form), or None."""
    event = event or item.event
    spec = DECISION_KINDS.get(event.kind)
    if spec is None:
        return None
    what_fields, why_fields = spec
    what = [
        _text(getattr(event, name))
        for name in what_fields
        if getattr(event, name, None) not in (None, "", [])
    ]
    why = [
        _text(getattr(event, name))
        for name in why_fields
        if getattr(event, name, None) not in (None, "", [])
    ]
    by = next(
        (str(getattr(event, n)) for n in DECIDED_BY_FIELDS if getattr(event, n, None)),
        event.recorded_by.user_id,
    )
    return Decision(
        child_id=item.child_id,
        event_id=item.event_id,
        kind=event.kind,
        occurred=event.occurred_date,
        recorded_at=item.recorded_at,
        decision="; ".join(what) or type(event).title,
        rationale="; ".join(why) or event.summary.strip(),
        decided_by=by,
        corrected=event is not item.event,
    )


@dataclass(frozen=True)
class Sighting:
    """A visit in which the child was seen."""

    event_id: str
    occurred_at: datetime
    recorded_at: datetime
    alone: bool

    @property
    def day(self) -> date:
        return _london(self.occurred_at).date()

    def as_json(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "occurred_at": _iso(self.occurred_at),
            "recorded_at": _iso(self.recorded_at),
            "alone": self.alone,
        }


@dataclass(frozen=True)
class Allocation:
    """Who held the case: the worker and team, and the personal adviser for a care leaver."""

    worker_id: str | None
    team: str | None
    since: date | None
    adviser_id: str | None
    event_id: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "worker_id": self.worker_id,
            "team": self.team,
            "since": self.since.isoformat() if self.since else None,
            "personal_adviser": self.adviser_id,
            "event_id": self.event_id,
        }


@dataclass(frozen=True)
class KnownBreach:
    """A missed (or late-met) standard known at the moment.

    ``source`` is ``recorded`` for a breach event on the child's record (the breach handler
    ran and wrote it), ``computed`` for a deadline the engine judges breached or met late from
    what had been recorded by then, with no breach event recorded for it.
    """

    child_id: str
    rule_id: str
    pack: str
    pack_version: str
    citation: str
    due: datetime
    status: str
    trigger_event_id: str | None
    source: str
    event_id: str | None = None
    recorded_at: datetime | None = None
    met_at: datetime | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "child_id": self.child_id,
            "rule_id": self.rule_id,
            "pack": self.pack,
            "pack_version": self.pack_version,
            "citation": self.citation,
            "due": _iso(self.due),
            "status": self.status,
            "trigger_event_id": self.trigger_event_id,
            "source": self.source,
            "event_id": self.event_id,
            "recorded_at": _iso(self.recorded_at),
            "met_at": _iso(self.met_at),
        }


@dataclass(frozen=True)
class ChildSnapshot:
    """One child's record as known at the snapshot's moment."""

    child_id: str
    status: CurrentStatus
    deadlines: tuple[Deadline, ...]
    breaches: tuple[KnownBreach, ...]
    decisions: tuple[Decision, ...]
    allocation: Allocation | None
    last_seen: Sighting | None
    last_seen_alone: Sighting | None
    events_known: int

    @property
    def open_deadlines(self) -> tuple[Deadline, ...]:
        return _open(self.deadlines)

    def deadline(self, rule_id: str, status: Status | None = None) -> list[Deadline]:
        """This child's deadlines of one rule (optionally of one status), in due order."""
        return [
            d
            for d in self.deadlines
            if d.rule_id == rule_id and (status is None or d.status is status)
        ]

    def as_json(self) -> dict[str, Any]:
        return {
            "child_id": self.child_id,
            "events_known": self.events_known,
            "status": self.status.summary,
            "legal_status": self.status.legal_status.value if self.status.legal_status else None,
            "cp_plan_since": _day_text(self.status.cp_plan_since),
            "looked_after_since": _day_text(self.status.looked_after_since),
            "open_deadlines": _json_of(self.open_deadlines),
            "breaches_known": _json_of(self.breaches),
            "decisions": _json_of(self.decisions),
            "allocation": self.allocation.as_json() if self.allocation else None,
            "last_seen": self.last_seen.as_json() if self.last_seen else None,
            "last_seen_alone": self.last_seen_alone.as_json() if self.last_seen_alone else None,
        }

    def as_json_text(self) -> str:
        """``json.dumps(self.as_json(), default=str)``, encoded again only when it changed.

        A replay by day shows a child unchanged on most days (the same deadline, breach and
        decision tuples; a status whose shown fields are the same): the text of the previous
        step is reused then (encoding every child's whole snapshot every day was a seventh
        of a family's replay).
        """
        shared = (
            self.deadlines,
            self.breaches,
            self.decisions,
            self.last_seen,
            self.last_seen_alone,
        )
        status = self.status
        values = (
            self.child_id,
            self.events_known,
            self.allocation,
            tuple(status.summary),
            status.legal_status,
            status.cp_plan_since,
            status.looked_after_since,
        )
        held = _text_memo.get(self.child_id)
        if (
            held is not None
            and all(a is b for a, b in zip(held[0], shared, strict=True))
            and held[1] == values
        ):
            return held[2]
        text = self._text()
        if len(_text_memo) >= _MEMO_SIZE:
            _text_memo.clear()
        _text_memo[self.child_id] = (shared, values, text)
        return text

    def _text(self) -> str:
        """The text of :meth:`as_json`, key for key; the items of its lists encoded once."""
        status = self.status
        legal = status.legal_status.value if status.legal_status else None
        fields = (
            ("child_id", _dump(self.child_id)),
            ("events_known", _dump(self.events_known)),
            ("status", _dump(status.summary)),
            ("legal_status", _dump(legal)),
            ("cp_plan_since", _dump(_day_text(status.cp_plan_since))),
            ("looked_after_since", _dump(_day_text(status.looked_after_since))),
            ("open_deadlines", _list_text(self.open_deadlines, by_value=False)),
            ("breaches_known", _list_text(self.breaches)),
            ("decisions", _list_text(self.decisions)),
            ("allocation", _dump(self.allocation.as_json() if self.allocation else None)),
            ("last_seen", _dump(self.last_seen.as_json() if self.last_seen else None)),
            (
                "last_seen_alone",
                _dump(self.last_seen_alone.as_json() if self.last_seen_alone else None),
            ),
        )
        return "{" + ", ".join(f'"{name}": {text}' for name, text in fields) + "}"


def _dump(value: Any) -> str:
    return json.dumps(value, default=str)


_ITEM_MEMO_SIZE = 8192
_item_texts: dict[Any, str] = {}
_item_texts_by_id: dict[int, tuple[Any, str]] = {}


def _list_text(items: tuple[Any, ...], *, by_value: bool = True) -> str:
    """``json.dumps([i.as_json() for i in items], default=str)``, each item's text made once.

    ``by_value``: equal items share a text (breaches and decisions: frozen, every moment
    shown in London time, so equal values print alike; a step's breaches are new objects
    each time the schedule's answer changes). Deadlines print their moments as they hold
    them, so those are kept by identity.
    """
    if len(_item_texts) > _ITEM_MEMO_SIZE:
        _item_texts.clear()
    if len(_item_texts_by_id) > _ITEM_MEMO_SIZE:
        _item_texts_by_id.clear()
    texts: list[str] = []
    for item in items:
        if by_value:
            text = _item_texts.get(item)
            if text is None:
                text = _item_texts[item] = _dump(item.as_json())
        else:
            held = _item_texts_by_id.get(id(item))
            if held is None or held[0] is not item:
                held = _item_texts_by_id[id(item)] = (item, _dump(item.as_json()))
            text = held[1]
        texts.append(text)
    return "[" + ", ".join(texts) + "]"


_MEMO_SIZE = 256
_text_memo: dict[str, tuple[tuple[Any, ...], tuple[Any, ...], str]] = {}
_open_memo: dict[int, tuple[tuple[Deadline, ...], tuple[Deadline, ...]]] = {}
_json_memo: dict[int, tuple[tuple[Any, ...], list[dict[str, Any]]]] = {}


def _open(deadlines: tuple[Deadline, ...]) -> tuple[Deadline, ...]:
    """The open ones; a replay's steps share one schedule tuple while nothing changes."""
    hit = _open_memo.get(id(deadlines))
    if hit is not None and hit[0] is deadlines:
        return hit[1]
    found = tuple(d for d in deadlines if d.is_open)
    if len(_open_memo) >= _MEMO_SIZE:
        _open_memo.clear()
    _open_memo[id(deadlines)] = (deadlines, found)
    return found


def _json_of(items: tuple[Any, ...]) -> list[dict[str, Any]]:
    """``[i.as_json() for i in items]`` (frozen items), the JSON made once per tuple.

    A replay by day hands the same tuples to step after step; each call gets its own copy of
    the dicts, so a caller changing one changes no other step's.
    """
    hit = _json_memo.get(id(items))
    if hit is None or hit[0] is not items:
        hit = (items, [i.as_json() for i in items])
        if len(_json_memo) >= _MEMO_SIZE:
            _json_memo.clear()
        _json_memo[id(items)] = hit
    return [dict(d) for d in hit[1]]


def _day_text(day: date | None) -> str | None:
    return day.isoformat() if day else None


@dataclass(frozen=True)
class Snapshot:
    """The record as known at ``at`` (a moment on the reviewer's clock)."""

    at: datetime
    step: int
    new_events: tuple[RecordedEvent, ...]
    children: Mapping[str, ChildSnapshot]
    subjects: tuple[str, ...]
    family_id: str | None
    _entries: list[EntryRow] = field(repr=False)
    _amendments: list[AmendmentRow] = field(repr=False)
    _entry_count: int = 0
    _amendment_count: int = 0
    new_rows: tuple[EntryRow | AmendmentRow, ...] = ()

    def chronology(self, *, significant_only: bool = True) -> Chronology:
        """The chronology as it stood at this moment (only rows recorded by then)."""
        query = ChronologyQuery(
            children=self.subjects,
            family_id=self.family_id,
            as_known_at=self.at,
            significant_only=significant_only,
        )
        return compose(
            self._entries[: self._entry_count], self._amendments[: self._amendment_count], query
        )

    def as_json_text(self, *, full_chronology: bool = False) -> str:
        """``json.dumps(self.as_json(full_chronology=...), default=str)``, byte for byte, from
        each child's text reused while that child is unchanged (what ``replay --json`` writes
        for each step; tests compare the two at every step of whole replays)."""
        if full_chronology:
            return json.dumps(self.as_json(full_chronology=True), default=str)
        children = ", ".join(
            f"{json.dumps(c)}: {s.as_json_text()}" for c, s in self.children.items()
        )
        rows = json.dumps([_row_json(r) for r in self.new_rows], default=str)
        return (
            f'{{"step": {json.dumps(self.step)}, "at": {json.dumps(_iso(self.at))}, '
            f'"recorded_in_step": {rows}, "children": {{{children}}}}}'
        )

    def as_json(self, *, full_chronology: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "step": self.step,
            "at": _iso(self.at),
            "recorded_in_step": [_row_json(r) for r in self.new_rows],
            "children": {c: s.as_json() for c, s in self.children.items()},
        }
        if full_chronology:
            chronology = self.chronology()
            data["chronology"] = [
                {
                    "serial": e.serial,
                    "date": e.date,
                    "children": list(e.children),
                    "detail": e.detail,
                    "outcome": e.outcome,
                    "recorded_at": e.recorded_at,
                    "late": e.late,
                    "corrected": e.corrected,
                }
                for e in chronology.entries
            ]
        return data


def _row_json(row: EntryRow | AmendmentRow) -> dict[str, Any]:
    if isinstance(row, EntryRow):
        return {
            "event_id": row.event_id,
            "child_id": row.child_id,
            "kind": row.content.kind,
            "date": row.content.date_display,
            "detail": row.content.detail,
            "recorded_at": row.recorded_at,
            "late": row.content.late,
        }
    return {
        "event_id": row.event_id,
        "child_id": row.child_id,
        "kind": row.action,
        "target_event_id": row.target_event_id,
        "reason": row.reason,
        "changes": row.changes,
        "recorded_at": row.recorded_at,
    }


@dataclass
class ReplayStats:
    """Work done by a replay, to show it is incremental."""

    events_fed: int = 0
    snapshots: int = 0
    status_recomputes: int = 0
    schedule_rules_evaluated: int = 0


# -- one child's folds ------------------------------------------------------------------------


class _ChildFold:
    status_memo = True
    """False: the legal status judged afresh on every new day, as before (tests compare)."""

    def __init__(self, child_id: str, packs: PackSet, pack: str | Pack | None) -> None:
        self.child_id = child_id
        self.schedule = Schedule(packs, pack=pack)
        self.status_events: list[RecordedEvent] = []
        self._status_ids: set[str] = set()
        self._status_cache: tuple[tuple[int, date, int], CurrentStatus] | None = None
        self._history: tuple[int, list[RecordedEvent], list[datetime]] | None = None
        self._status_day: (
            tuple[tuple[int, int], StatusFold, date, date | None, CurrentStatus] | None
        ) = None
        self._originals: dict[str, RecordedEvent] = {}
        self._fixes: dict[str, list[EntryCorrected]] = {}
        self._effective: dict[str, CaseEvent] = {}
        self._dirty = True
        self._visits: list[tuple[datetime, Sighting]] = []
        self._alone: list[tuple[datetime, Sighting]] = []
        self._allocations: list[tuple[datetime, int, RecordedEvent, CaseEvent]] = []
        self._decisions: list[tuple[datetime, Decision]] = []
        self.breach_events: list[RecordedEvent] = []
        self._breach_cache: (
            tuple[tuple[int, tuple[Deadline, ...]], tuple[KnownBreach, ...]] | None
        ) = None
        self._decision_view: (
            tuple[list[tuple[datetime, Decision]], int, tuple[Decision, ...]] | None
        ) = None
        self.count = 0

    def add(self, item: RecordedEvent) -> None:
        self.count += 1
        self.schedule.add(item)
        event = item.event
        kind = event.kind
        if kind in BREACH_KINDS:
            self.breach_events.append(item)
            return
        if kind in STATUS_KINDS:
            self.status_events.append(item)
            self._status_ids.add(item.event_id)
        if isinstance(event, EntryCorrected | EntryRecordedInError):
            target = event.target_event_id
            if target in self._status_ids:
                self.status_events.append(item)
            if target in self._originals:
                if isinstance(event, EntryRecordedInError):
                    self._effective.pop(target, None)
                else:
                    self._fixes.setdefault(target, []).append(event)
                    if target in self._effective:
                        self._effective[target] = corrected(
                            self._originals[target].event, self._fixes[target]
                        )
                self._dirty = True
            return
        if kind == "child_visited" or kind in ALLOCATION_KINDS or kind in DECISION_KINDS:
            self._originals[item.event_id] = item
            self._effective[item.event_id] = event
            self._dirty = True

    def _rebuild(self) -> None:
        visits: list[tuple[datetime, Sighting]] = []
        allocations: list[tuple[datetime, int, RecordedEvent, CaseEvent]] = []
        decisions: list[tuple[datetime, Decision]] = []
        for event_id, event in self._effective.items():
            item = self._originals[event_id]
            instant = event.occurred_instant
            if event.kind == "child_visited":
                if getattr(event, "seen", False):
                    alone = bool(getattr(event, "seen_alone", False))
                    visits.append((instant, Sighting(event_id, instant, item.recorded_at, alone)))
            elif event.kind in ALLOCATION_KINDS:
                allocations.append((instant, item.position, item, event))
            if event.kind in DECISION_KINDS:
                found = decision_of(item, event)
                if found is not None:
                    decisions.append((instant, found))
        visits.sort(key=lambda v: v[0])
        allocations.sort(key=lambda a: (a[0], a[1]))
        decisions.sort(key=lambda d: (d[0], d[1].recorded_at))
        self._visits = visits
        self._alone = [v for v in visits if v[1].alone]
        self._allocations = allocations
        self._decisions = decisions
        self._dirty = False

    def status(self, at: datetime, stats: ReplayStats) -> CurrentStatus:
        current = self._status_by_day(at, stats) if self.status_memo else self._status(at, stats)
        if current.at != at:
            current = current.model_copy(update={"at": at, "as_known_at": at})
        return current

    def _status(self, at: datetime, stats: ReplayStats) -> CurrentStatus:
        """The status judged afresh on each new day (the path before :meth:`_status_by_day`)."""
        occurred = sum(1 for e in self.status_events if e.event.occurred_instant <= at)
        key = (len(self.status_events), _london(at).date(), occurred)
        if self._status_cache is None or self._status_cache[0] != key:
            stats.status_recomputes += 1
            view = legal_status(self.status_events, at=at, as_known_at=at)
            self._status_cache = (key, view.current)
        return self._status_cache[1]

    def _status_by_day(self, at: datetime, stats: ReplayStats) -> CurrentStatus:
        """The status, folded again only when the events that happened by ``at`` change, and
        applied to the day again only when the day reaches one the status reads (a birthday,
        an order's expiry, a period's start: :meth:`StatusFold.changes_after`).

        Every status event fed has been recorded by ``at``, so the effective history of all
        of them, in occurred order, holds the events that had happened by ``at`` as a prefix.
        """
        count = len(self.status_events)
        if self._history is None or self._history[0] != count:
            items = effective_history(self.status_events)
            self._history = (count, items, [e.event.occurred_instant for e in items])
        _, items, instants = self._history
        key = (count, bisect.bisect_right(instants, at))
        today = _london(at).date()
        held = self._status_day
        if held is not None and held[0] == key:
            _, fold, since, until, current = held
            if since <= today and (until is None or today < until):
                return current
        else:
            fold = fold_status(items[: key[1]])
        stats.status_recomputes += 1
        current = current_status(fold, at, at)
        self._status_day = (key, fold, today, fold.changes_after(today), current)
        return current

    def snapshot(self, at: datetime, stats: ReplayStats) -> ChildSnapshot:
        if self._dirty:
            self._rebuild()
        deadlines = self.schedule.judged(at)
        last = _latest(self._visits, at)
        alone = _latest(self._alone, at)
        decisions = self._decisions_at(at)
        return ChildSnapshot(
            child_id=self.child_id,
            status=self.status(at, stats),
            deadlines=deadlines,
            breaches=self._known_breaches(deadlines),
            decisions=decisions,
            allocation=self._allocation(at),
            last_seen=last,
            last_seen_alone=alone,
            events_known=self.count,
        )

    def _decisions_at(self, at: datetime) -> tuple[Decision, ...]:
        upto = bisect.bisect_right([d[0] for d in self._decisions], at)
        held = self._decision_view
        if held is not None and held[0] is self._decisions and held[1] == upto:
            return held[2]
        found = tuple(d[1] for d in self._decisions[:upto])
        self._decision_view = (self._decisions, upto, found)
        return found

    def _allocation(self, at: datetime) -> Allocation | None:
        worker: tuple[str, date, str] | None = None
        team: str | None = None
        adviser: str | None = None
        for instant, _, item, event in self._allocations:
            if instant > at:
                break
            if isinstance(event, AllocatedToWorker):
                worker = (event.worker_id, event.occurred_date, item.event_id)
                team = event.team or team
            elif isinstance(event, AllocatedToTeam):
                team = event.team
            elif isinstance(event, PersonalAdviserAllocated):
                adviser = event.adviser_id
        if worker is None and team is None and adviser is None:
            return None
        return Allocation(
            worker_id=worker[0] if worker else None,
            team=team,
            since=worker[1] if worker else None,
            adviser_id=adviser,
            event_id=worker[2] if worker else None,
        )

    def _known_breaches(self, deadlines: tuple[Deadline, ...]) -> tuple[KnownBreach, ...]:
        # the schedule returns the same tuple while nothing it judges changes: so do these
        key = (len(self.breach_events), deadlines)
        cached = self._breach_cache
        if cached is not None and cached[0][0] == key[0] and cached[0][1] is deadlines:
            return cached[1]
        found = tuple(self._breaches(deadlines))
        self._breach_cache = (key, found)
        return found

    def _breaches(self, deadlines: Sequence[Deadline]) -> list[KnownBreach]:
        found: list[KnownBreach] = []
        recorded: set[tuple[str, str | None, str]] = set()
        for item in self.breach_events:
            event = item.event
            if not isinstance(event, DeadlineBreached | DeadlineMetLate):
                continue
            status = "met_late" if isinstance(event, DeadlineMetLate) else "breached"
            recorded.add((event.rule_id, event.trigger_event_id, status))
            found.append(
                KnownBreach(
                    child_id=self.child_id,
                    rule_id=event.rule_id,
                    pack=event.pack,
                    pack_version=event.pack_version,
                    citation=event.citation,
                    due=event.due,
                    status=status,
                    trigger_event_id=event.trigger_event_id,
                    source="recorded",
                    event_id=item.event_id,
                    recorded_at=item.recorded_at,
                    met_at=event.met_at if isinstance(event, DeadlineMetLate) else None,
                )
            )
        for d in deadlines:
            if d.status not in TIMELINESS_FAILURES:
                continue
            if (d.rule_id, d.trigger_event_id, d.status.value) in recorded:
                continue
            found.append(
                KnownBreach(
                    child_id=self.child_id,
                    rule_id=d.rule_id,
                    pack=d.pack,
                    pack_version=d.pack_version,
                    citation=d.citation,
                    due=d.effective_due,
                    status=d.status.value,
                    trigger_event_id=d.trigger_event_id,
                    source="computed",
                    met_at=d.satisfied_at,
                )
            )
        found.sort(key=lambda b: (b.due, b.rule_id, b.source))
        return found


def _latest(items: list[tuple[datetime, Sighting]], at: datetime) -> Sighting | None:
    upto = bisect.bisect_right([i[0] for i in items], at)
    return items[upto - 1][1] if upto else None


# -- the replay -------------------------------------------------------------------------------


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON)


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=LONDON)


def moments(start: date, end: date, step: str, recorded: Iterable[datetime] = ()) -> list[datetime]:
    """The replay clock's moments from ``start`` to ``end`` (London days, inclusive).

    ``day``: the end of each day; ``week``: the end of every 7th day from ``start`` and of
    ``end``; ``event``: each distinct recorded-at moment in the period.
    """
    if step not in STEPS:
        raise ValueError(f"step {step!r}: choose one of {', '.join(STEPS)}")
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    if step == "event":
        low, high = _start_of(start), _end_of(end)
        return sorted({m for m in recorded if low <= m <= high})
    every = 1 if step == "day" else 7
    found: list[datetime] = []
    day = start + timedelta(days=every - 1)
    while day <= end:
        found.append(_end_of(day))
        day += timedelta(days=every)
    if not found or _london(found[-1]).date() != end:
        found.append(_end_of(end))
    return found


def _order(item: RecordedEvent) -> tuple[datetime, int, str, int]:
    return (item.recorded_at, item.global_position or 0, item.child_id, item.position)


class Replay:
    """The incremental replay state: feed the clock forward with :meth:`advance`."""

    def __init__(
        self,
        events: Iterable[RecordedEvent],
        packs: PackSet,
        *,
        children: Sequence[str] | None = None,
        family_id: str | None = None,
        pack: str | Pack | None = None,
    ) -> None:
        self.events = sorted(events, key=_order)
        self.packs = packs
        self.pack = pack
        self.family_id = family_id
        wanted = list(children) if children else sorted({e.child_id for e in self.events})
        self.subjects = tuple(wanted)
        self.folds = {c: _ChildFold(c, packs, pack) for c in wanted}
        self.folder = ChronologyFolder()
        self.entries: list[EntryRow] = []
        self.amendments: list[AmendmentRow] = []
        self.stats = ReplayStats()
        self._next = 0
        self._steps = 0
        self._pending_rows: list[EntryRow | AmendmentRow] = []

    @property
    def clock(self) -> datetime | None:
        """The recorded-at of the last event fed."""
        return self.events[self._next - 1].recorded_at if self._next else None

    def advance(self, until: datetime) -> list[RecordedEvent]:
        """Feed every event recorded at or before ``until`` not fed yet; return them."""
        fed: list[RecordedEvent] = []
        while self._next < len(self.events) and self.events[self._next].recorded_at <= until:
            item = self.events[self._next]
            self._next += 1
            fold = self.folds.get(item.child_id)
            if fold is None:
                continue
            fold.add(item)
            row = self.folder.apply(item)
            if isinstance(row, EntryRow):
                self.entries.append(row)
            else:
                self.amendments.append(row)
            self._pending_rows.append(row)
            fed.append(item)
        self.stats.events_fed += len(fed)
        return fed

    def drop_pending(self) -> None:
        """Forget the rows fed so far as 'new' (events before the period are background)."""
        self._pending_rows = []

    def snapshot(self, at: datetime, new_events: Sequence[RecordedEvent] = ()) -> Snapshot:
        """The record as known at ``at``; call :meth:`advance` (``at``) first."""
        if self._next < len(self.events) and self.events[self._next].recorded_at <= at:
            raise ValueError("advance the replay to the snapshot's moment first")
        self._steps += 1
        self.stats.snapshots += 1
        children = {c: f.snapshot(at, self.stats) for c, f in self.folds.items()}
        self.stats.schedule_rules_evaluated = sum(
            f.schedule.rules_evaluated for f in self.folds.values()
        )
        rows, self._pending_rows = self._pending_rows, []
        return Snapshot(
            at=at,
            step=self._steps,
            new_events=tuple(new_events),
            children=children,
            subjects=self.subjects,
            family_id=self.family_id,
            _entries=self.entries,
            _amendments=self.amendments,
            _entry_count=len(self.entries),
            _amendment_count=len(self.amendments),
            new_rows=tuple(rows),
        )


def replay(
    events: Iterable[RecordedEvent],
    packs: PackSet,
    *,
    start: date,
    end: date,
    step: str = "day",
    children: Sequence[str] | None = None,
    family_id: str | None = None,
    pack: str | Pack | None = None,
    state: Replay | None = None,
) -> Iterator[Snapshot]:
    """Snapshots of the record as known at each moment of the period (see the module doc).

    Events recorded before ``start`` are fed before the first snapshot; events recorded after
    ``end`` are never read. ``state`` lets a caller keep the :class:`Replay` (for its stats).
    """
    run = state or Replay(events, packs, children=children, family_id=family_id, pack=pack)
    when = moments(start, end, step, (e.recorded_at for e in run.events))
    run.advance(_start_of(start) - timedelta(microseconds=1))
    run.drop_pending()
    for moment in when:
        fed = run.advance(moment)
        yield run.snapshot(moment, fed)


# -- what-if: the same history against another pack -------------------------------------------


@dataclass(frozen=True)
class RuleDifference:
    """One rule whose outcome differs between two packs, side by side, and why."""

    rule_id: str
    title: str
    base: Counter[str]
    other: Counter[str]
    base_pack: str
    other_pack: str
    reasons: tuple[str, ...]
    base_deadlines: tuple[Deadline, ...]
    other_deadlines: tuple[Deadline, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "title": self.title,
            "base_pack": self.base_pack,
            "other_pack": self.other_pack,
            "base": dict(sorted(self.base.items())),
            "other": dict(sorted(self.other.items())),
            "reasons": list(self.reasons),
            "base_deadlines": [_brief(d) for d in self.base_deadlines],
            "other_deadlines": [_brief(d) for d in self.other_deadlines],
        }


def _brief(d: Deadline) -> dict[str, Any]:
    return {
        "counted_from": d.counted_from.isoformat(),
        "due": _iso(d.effective_due),
        "status": d.status.value,
        "pack": f"{d.pack} {d.pack_version}",
    }


def _rule_of(packs: PackSet, d: Deadline) -> Rule | None:
    for pack in packs.versions.get(d.pack, []):
        if pack.version == d.pack_version:
            try:
                return pack.rule(d.rule_id)
            except KeyError:
                return None
    return None


def _clock_text(rule: Rule) -> str:
    text = rule.clock.describe()
    if rule.trigger.direction == "before":
        text += f" before the {rule.trigger.anchor}"
    if rule.recurrence is not None:
        text += ", then " + ", then ".join(c.describe() for c in rule.recurrence.then)
    return text


def _why(rule_id: str, a: Rule | None, b: Rule | None, a_name: str, b_name: str) -> list[str]:
    if a is None and b is None:
        return ["not triggered under either pack"]
    if a is None and b is not None:
        return [f"rule absent in {a_name}; {b_name} sets {_clock_text(b)}"]
    if b is None and a is not None:
        return [f"rule absent in {b_name}; {a_name} sets {_clock_text(a)}"]
    assert a is not None and b is not None
    reasons: list[str] = []
    if _clock_text(a) != _clock_text(b):
        reasons.append(f"different timescale: {a_name} {_clock_text(a)}; {b_name} {_clock_text(b)}")
    if a.trigger != b.trigger:
        reasons.append(
            f"different trigger: {a_name} {a.trigger.describe()}; {b_name} {b.trigger.describe()}"
        )
    if a.satisfied_by != b.satisfied_by:
        kinds_a = ", ".join(m.kind for m in a.satisfied_by) or "its own recording"
        kinds_b = ", ".join(m.kind for m in b.satisfied_by) or "its own recording"
        reasons.append(f"met by different events: {a_name} {kinds_a}; {b_name} {kinds_b}")
    if a.cancelled_by != b.cancelled_by:
        reasons.append("different events stop the clock")
    if a.measures != b.measures:
        reasons.append(f"measures {a.measures.value} in {a_name}, {b.measures.value} in {b_name}")
    return reasons or ["same definition; judged by a different pack version"]


def _pack_name(deadlines: Sequence[Deadline], fallback: str) -> str:
    names = sorted({f"{d.pack} {d.pack_version}" for d in deadlines})
    return " / ".join(names) or fallback


def what_if(
    events: Iterable[RecordedEvent],
    packs: PackSet,
    at: datetime,
    other: str,
    *,
    base: str | None = None,
    since: date | None = None,
) -> tuple[list[Deadline], list[Deadline], list[RuleDifference]]:
    """Judge one child's history by ``base`` (default: its authority's packs) and by ``other``.

    Returns both deadline lists and, for each rule id whose outcome differs (different
    statuses, or different due dates), a :class:`RuleDifference` naming why. ``since`` keeps
    only deadlines counted from that day on.
    """
    if other not in packs.versions:
        raise KeyError(f"no rule pack {other!r}; known packs: {', '.join(packs.ids())}")
    items = list(events)
    first = evaluate(items, packs, at, pack=base)
    second = evaluate(items, packs, at, pack=other)
    if since is not None:
        first = [d for d in first if d.counted_from >= since]
        second = [d for d in second if d.counted_from >= since]
    base_name = base or authority_at(effective_facts(items), _london(at).date())
    by_rule_a: dict[str, list[Deadline]] = {}
    by_rule_b: dict[str, list[Deadline]] = {}
    for d in first:
        by_rule_a.setdefault(d.rule_id, []).append(d)
    for d in second:
        by_rule_b.setdefault(d.rule_id, []).append(d)
    diffs: list[RuleDifference] = []
    for rule_id in sorted(set(by_rule_a) | set(by_rule_b)):
        a = by_rule_a.get(rule_id, [])
        b = by_rule_b.get(rule_id, [])
        outcome_a = [(d.counted_from, d.effective_due, d.status) for d in a]
        outcome_b = [(d.counted_from, d.effective_due, d.status) for d in b]
        if outcome_a == outcome_b:
            continue
        rule_a = _rule_of(packs, a[0]) if a else _defined(packs, base_name, rule_id, at)
        rule_b = _rule_of(packs, b[0]) if b else _defined(packs, other, rule_id, at)
        a_name = _pack_name(a, base_name)
        b_name = _pack_name(b, other)
        reasons = _why(rule_id, rule_a, rule_b, a_name, b_name)
        if rule_a is not None and not a:
            reasons.append(f"defined in {base_name} but not triggered by this history")
        if rule_b is not None and not b:
            reasons.append(f"defined in {other} but not triggered by this history")
        title = (rule_a or rule_b).title if (rule_a or rule_b) else rule_id  # type: ignore[union-attr]
        diffs.append(
            RuleDifference(
                rule_id=rule_id,
                title=title,
                base=Counter(d.status.value for d in a),
                other=Counter(d.status.value for d in b),
                base_pack=a_name,
                other_pack=b_name,
                reasons=tuple(reasons),
                base_deadlines=tuple(a),
                other_deadlines=tuple(b),
            )
        )
    return first, second, diffs


def _defined(packs: PackSet, pack_id: str | None, rule_id: str, at: datetime) -> Rule | None:
    """The rule as the named pack (in force at ``at``) defines it, if it does."""
    if pack_id is None or pack_id not in packs.versions:
        return None
    try:
        return packs.in_force(pack_id, _london(at).date()).rule(rule_id)
    except KeyError:
        return None


def status_counts(deadlines: Iterable[Deadline]) -> dict[str, Counter[str]]:
    """Per rule id, how many deadlines ended in each status."""
    found: dict[str, Counter[str]] = {}
    for d in deadlines:
        found.setdefault(d.rule_id, Counter())[d.status.value] += 1
    return found
