"""The deadline engine: a child's events + rule packs + a moment -> every deadline and its status.

Pure: no I/O, no clock reads. Public API::

    evaluate(events, packs, at, *, pack=None) -> list[Deadline]
    Schedule(packs, *, pack=None).add(event) ... .deadlines(at) -> list[Deadline]   # incremental
    authority_at(events, on) -> str

``events`` are one child's :class:`~domain.envelope.RecordedEvent`s in any order. ``at`` is an
aware datetime: events that occurred after it have not happened yet and are ignored, and open
deadlines due before it are breached. ``pack`` overrides the rule pack (a pack id, judged by the
version in force on each trigger's date, or a :class:`~policies.rules.Pack` used as is) — for
what-if comparisons. Without it each trigger is judged by the pack of the child's authority on
the trigger's date (the ``authority_recorded`` events; none means the national baseline) in the
version in force on that date. The national baseline also fills in every statutory rule the
authority's pack does not replace (``replaces: national:<id>``; ``baseline=False`` turns that
off): one standard is judged once.

Corrections are honoured: an entry recorded in error is left out and a corrected entry is
judged as corrected. Standards events (breaches, warnings) never trigger or meet a rule.

Statuses: ``pending`` (due at ``due``), ``extended`` (pending, with an authorised later date in
``extended_to``), ``met`` (by ``satisfied_by_event_id``, on time), ``met_late``, ``breached``
(due passed with nothing meeting it), ``cancelled`` (by ``cancelled_by_event_id`` before it fell
due). A deadline met after its due time is ``met_late``, never both met and breached.

A deadline stops when its case or its strand of work stops (policies/strands.py): the case
closed, the child ceased to be looked after, the CP or CIN plan ended, or the child reached the
birthday the standard ends at (18 for a child's plan, the rule's ``until_birthday`` otherwise).
It is then ``cancelled`` by the stopping event; one already breached before the stop stays
``breached``. A rule's own ``cancelled_by`` events stop it too. An age-triggered deadline (a
``birthday`` trigger) is pending from the moment the date of birth is known.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import partial
from typing import Any, overload

from domain.effective import effective_events
from domain.envelope import RecordedEvent
from domain.events.base import CaseEvent, Category
from policies.calendar import LONDON, Unit, WorkingDayCalendar, add_months, to_london
from policies.rules import NATIONAL, EventMatch, Measures, Pack, PackSet, Rule, Scalar

__all__ = [
    "Deadline",
    "Fact",
    "Schedule",
    "Status",
    "authority_at",
    "effective_facts",
    "evaluate",
]

CALENDAR = WorkingDayCalendar()
_FAR_FUTURE = datetime(9000, 1, 1, tzinfo=UTC)


class Status(StrEnum):
    PENDING = "pending"
    EXTENDED = "extended"
    MET = "met"
    MET_LATE = "met_late"
    BREACHED = "breached"
    CANCELLED = "cancelled"


OPEN = frozenset({Status.PENDING, Status.EXTENDED})


@dataclass(frozen=True)
class Deadline:
    """One deadline of one rule for one child, and where it stands."""

    child_id: str
    pack: str
    pack_version: str
    rule_id: str
    title: str
    citation: str
    severity: str
    measures: str
    trigger_event_id: str
    trigger_kind: str
    counted_from: date
    occurrence: int
    due: datetime
    status: Status
    satisfied_by_event_id: str | None = None
    satisfied_at: datetime | None = None
    cancelled_by_event_id: str | None = None
    extended_by_event_id: str | None = None
    extended_to: datetime | None = None
    cancelled_at: datetime | None = None

    @property
    def key(self) -> str:
        """Stable identity: the same deadline has the same key in every evaluation."""
        return f"{self.pack}:{self.rule_id}:{self.trigger_event_id}"

    @property
    def effective_due(self) -> datetime:
        """The due time that counts: the authorised extension if there is one."""
        return self.extended_to or self.due

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def as_json(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return None if value is None else value.isoformat()

        return {
            "child_id": self.child_id,
            "rule_id": self.rule_id,
            "pack": self.pack,
            "pack_version": self.pack_version,
            "title": self.title,
            "citation": self.citation,
            "severity": self.severity,
            "measures": self.measures,
            "trigger_event_id": self.trigger_event_id,
            "trigger_kind": self.trigger_kind,
            "counted_from": self.counted_from.isoformat(),
            "occurrence": self.occurrence,
            "due": iso(self.due),
            "status": self.status.value,
            "satisfied_by_event_id": self.satisfied_by_event_id,
            "satisfied_at": iso(self.satisfied_at),
            "cancelled_by_event_id": self.cancelled_by_event_id,
            "extended_by_event_id": self.extended_by_event_id,
            "extended_to": iso(self.extended_to),
        }


@dataclass(frozen=True)
class Fact:
    """A recorded event as it now stands (corrections applied), with its sort position."""

    recorded: RecordedEvent
    event: CaseEvent
    day: date
    instant: datetime

    @property
    def event_id(self) -> str:
        return self.recorded.event_id

    @property
    def kind(self) -> str:
        return self.event.kind


class Facts(Sequence[Fact]):
    """Facts in occurred order, indexed by kind, kept sorted as facts are inserted.

    Rules ask for the facts of one or two kinds from a given day (the first visit on or after
    the last one, the statuses in force); the index answers without walking the whole record,
    and inserting one fact keeps it sorted without rebuilding it.
    """

    def __init__(self, facts: Iterable[Fact] = ()) -> None:
        self._items: list[Fact] = []
        self._keys: list[tuple[datetime, int]] = []
        self._by_kind: dict[str, list[Fact]] = {}
        self._kind_keys: dict[str, list[tuple[datetime, int]]] = {}
        for fact in sorted(facts, key=_fact_key):
            self._items.append(fact)
            self._keys.append(_fact_key(fact))
            self._by_kind.setdefault(fact.kind, []).append(fact)
            self._kind_keys.setdefault(fact.kind, []).append(_fact_key(fact))

    def insert(self, fact: Fact) -> None:
        key = _fact_key(fact)
        at = bisect.bisect_right(self._keys, key)
        self._items.insert(at, fact)
        self._keys.insert(at, key)
        keys = self._kind_keys.setdefault(fact.kind, [])
        at = bisect.bisect_right(keys, key)
        keys.insert(at, key)
        self._by_kind.setdefault(fact.kind, []).insert(at, fact)

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> Fact: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Fact]: ...

    def __getitem__(self, index: int | slice) -> Fact | Sequence[Fact]:
        return self._items[index]

    def __iter__(self) -> Iterator[Fact]:
        return iter(self._items)

    def of_kind(self, kind: str) -> list[Fact]:
        return self._by_kind.get(kind, [])

    def of_kinds(self, kinds: Iterable[str], from_day: date | None = None) -> Iterator[Fact]:
        """Facts of these kinds in occurred order, from ``from_day`` on (lazily merged)."""
        runs = []
        for kind in set(kinds):
            facts = self._by_kind.get(kind)
            if not facts:
                continue
            start = 0
            if from_day is not None:
                start = bisect.bisect_left(
                    self._kind_keys[kind], (datetime.combine(from_day, time.min, LONDON), -1)
                )
            runs.append(facts[start:] if start else facts)
        if len(runs) == 1:
            return iter(runs[0])
        return heapq.merge(*runs, key=_fact_key)


def _fact_key(fact: Fact) -> tuple[datetime, int]:
    return (fact.instant, fact.recorded.position)


def indexed(facts: Sequence[Fact]) -> Facts:
    """The facts as an indexed :class:`Facts` (itself when it already is one)."""
    return facts if isinstance(facts, Facts) else Facts(facts)


def to_fact(item: RecordedEvent, event: CaseEvent | None = None) -> Fact:
    event = event or item.event
    return Fact(item, event, event.occurred_date, to_london(event.occurred_instant))


def effective_facts(events: Iterable[RecordedEvent]) -> Facts:
    """The effective record in occurred order (see domain.effective), without standards events."""
    return Facts(
        to_fact(item)
        for item in effective_events(events)
        if item.event.category is not Category.STANDARDS
    )


def _authority(fact: Fact) -> str:
    return str(_value(fact.event, "authority"))


def authority_at(facts: Sequence[Fact], on: date) -> str:
    """The child's authority on ``on``: the latest authority_recorded on or before it.

    Before the first one, the first one (the case belongs to that authority); none at all: the
    national baseline.
    """
    found: str | None = None
    first: str | None = None
    for fact in indexed(facts).of_kind("authority_recorded"):
        authority = _authority(fact)
        if first is None:
            first = authority
        if fact.day <= on:
            found = authority
    return found or first or NATIONAL


# -- matching ---------------------------------------------------------------------------------


def _value(event: CaseEvent, name: str) -> Any:
    value = getattr(event, name)
    if isinstance(value, StrEnum):
        return value.value
    return value


def _condition_holds(event: CaseEvent, name: str, expected: Scalar | list[Scalar]) -> bool:
    value = _value(event, name)
    if isinstance(value, list):  # a list-valued field: any item matching holds
        wanted = expected if isinstance(expected, list) else [expected]
        return any(item in wanted for item in value)
    if isinstance(expected, list):
        return value in expected
    return bool(value == expected)


def _fields_match(event: CaseEvent, where: dict[str, Any], where_not: dict[str, Any]) -> bool:
    if not all(_condition_holds(event, k, v) for k, v in where.items()):
        return False
    return not any(_condition_holds(event, k, v) for k, v in where_not.items())


def _matches(match: EventMatch, fact: Fact, trigger: Fact) -> bool:
    if fact.kind != match.kind or not _fields_match(fact.event, match.where, match.where_not):
        return False
    for mine, theirs in match.same.items():
        if not hasattr(trigger.event, theirs):
            return False
        if not _same_value(_value(fact.event, mine), _value(trigger.event, theirs)):
            return False
    return True


def _same_value(a: Any, b: Any) -> bool:
    """Equal; a date and a datetime are the same when the datetime falls on that London day
    (a report names its meeting's date, the meeting may be booked for a time of day)."""
    if isinstance(a, date) and isinstance(b, date) and type(a) is not type(b):
        return _day(a) == _day(b)
    return bool(a == b)


def _first(
    matches: Sequence[EventMatch], facts: Sequence[Fact], trigger: Fact, base: Fact, used: set[str]
) -> Fact | None:
    """The earliest fact matching any of ``matches`` on or after ``base``'s day (not base).

    A match with ``covers`` is met at the fact that completes the set of values its matching
    facts hold between them (the report reaching the last of the recipients named).
    """
    if not matches:
        return None
    held: dict[int, dict[str, set[Any]]] = {}
    for fact in indexed(facts).of_kinds((m.kind for m in matches), from_day=base.day):
        if fact is base or fact.event_id in used:
            continue
        for index, match in enumerate(matches):
            if not _matches(match, fact, trigger):
                continue
            if not match.covers:
                return fact
            so_far = held.setdefault(index, {})
            for name in match.covers:
                value = _value(fact.event, name)
                so_far.setdefault(name, set()).update(
                    _plain(v) for v in (value if isinstance(value, list) else [value])
                )
            if _covered(match, so_far):
                return fact
    return None


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, StrEnum) else value


def _covered(match: EventMatch, held: dict[str, set[Any]]) -> bool:
    """Whether ``held`` has every item ``match.covers`` lists (a list item: any of its values)."""
    for name, items in match.covers.items():
        got = held.get(name, set())
        for item in items:
            wanted = item if isinstance(item, list) else [item]
            if not any(v in got for v in wanted):
                return False
    return True


# -- statuses of the child over time (for while_status) ---------------------------------------

_STATUS_EVENTS: dict[str, tuple[str, str]] = {
    "looked_after": ("became_looked_after", "ceased_to_be_looked_after"),
    "cp_plan": ("child_protection_plan_started", "child_protection_plan_ended"),
    "cin_plan": ("child_in_need_plan_agreed", "child_in_need_plan_ended"),
    "placed_for_adoption": ("placed_for_adoption", "adoption_placement_ceased"),
    "assessment": ("assessment_started", "assessment_completed"),
}


def _child_dates(facts: Sequence[Fact]) -> tuple[Fact | None, date | None, date | None]:
    """The latest registration/birth fact, the date of birth and the expected date of birth."""
    found: Fact | None = None
    born: date | None = None
    expected: date | None = None
    for fact in indexed(facts).of_kinds(("child_registered", "child_born")):
        value = getattr(fact.event, "date_of_birth", None)
        if isinstance(value, date):
            born, found = value, fact
        due = getattr(fact.event, "expected_date_of_birth", None)
        if isinstance(due, date):
            expected = due
            found = found or fact
    return found, born, expected


def _age(facts: Sequence[Fact], on: date) -> int | None:
    """Whole years on ``on``; -1 while unborn; None when neither date is known."""
    _, born, expected = _child_dates(facts)
    if born is None:
        return -1 if expected is not None else None
    if on < born:
        return -1
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _has_status(facts: Sequence[Fact], status: str, on: date) -> bool:
    if status == "unborn":
        age = _age(facts, on)
        return age is not None and age < 0
    if status == "placed_with_parents":
        current: str | None = None
        for fact in indexed(facts).of_kinds(("placement_started", "placement_ended")):
            if fact.day > on:
                break
            if fact.kind == "placement_started":
                placement_type = _value(fact.event, "placement_type")
                current = (
                    str(_value(fact.event, "placement_id")) if placement_type == "P1" else None
                )
            elif fact.kind == "placement_ended" and current == _value(fact.event, "placement_id"):
                current = None
        return current is not None
    start, end = _STATUS_EVENTS[status]
    state = False
    for fact in indexed(facts).of_kinds((start, end, "ceased_to_be_looked_after")):
        if fact.day > on:
            break
        if fact.kind == start:
            state = True
        elif fact.kind == end or (
            status == "placed_for_adoption" and fact.kind == "ceased_to_be_looked_after"
        ):
            state = False
    return state


# -- one rule ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Start:
    fact: Fact
    point: date | datetime  # what the clock counts from


def _birthday(born: date, years: int, months: int = 0) -> date:
    """The date ``years`` years and ``months`` months after ``born`` (clamped to month end)."""
    return add_months(born, 12 * years + months)


def _starts(rule: Rule, facts: Sequence[Fact]) -> list[_Start]:
    trigger = rule.trigger
    found: list[_Start] = []
    facts = indexed(facts)
    if trigger.birthday is not None:
        # pending from the moment the date of birth is known, not created on the birthday
        for fact in facts.of_kinds(("child_registered", "child_born")):
            born = getattr(fact.event, "date_of_birth", None)
            if isinstance(born, date):
                found = [_Start(fact, _birthday(born, trigger.birthday, trigger.birthday_months))]
    else:
        for fact in facts.of_kinds(trigger.kinds()) if trigger.kind else ():
            if not _fields_match(fact.event, trigger.where, trigger.where_not):
                continue
            point: date | datetime = fact.event.occurred_at
            if trigger.anchor is not None:
                anchor = getattr(fact.event, trigger.anchor)
                if not isinstance(anchor, date):
                    continue
                point = anchor
            elif trigger.anchor_child is not None:
                _, born, expected = _child_dates(facts)
                child_date = born if trigger.anchor_child == "date_of_birth" else expected
                if child_date is None:
                    continue
                point = child_date
            found.append(_Start(fact, point))
    if rule.from_birthday is not None:
        found = _band_start(rule.from_birthday, facts, found)
    if trigger.age_under is not None or trigger.age_at_least is not None:
        found = [s for s in found if _age_fits(rule, facts, s.fact.day)]
    if trigger.while_status:
        found = [
            s
            for s in found
            if all(_has_status(facts, st, _day(s.point)) for st in trigger.while_status)
        ]
    return found


def _band_start(years: int, facts: Sequence[Fact], starts: list[_Start]) -> list[_Start]:
    """Starts moved to the band's first day when they come before it (``from_birthday``).

    A child of unknown age is judged from the trigger (the band cannot be placed).
    """
    _, born, _ = _child_dates(facts)
    if born is None:
        return starts
    first = _birthday(born, years)
    return [s if _day(s.point) >= first else _Start(s.fact, first) for s in starts]


def _age_fits(rule: Rule, facts: Sequence[Fact], on: date) -> bool:
    age = _age(facts, on)
    if age is None:
        return False
    under, at_least = rule.trigger.age_under, rule.trigger.age_at_least
    if under is not None and age >= under:
        return False
    return at_least is None or age >= at_least


def _birthday_stop(rule: Rule, facts: Sequence[Fact]) -> Fact | None:
    """Where the age band ends (``until_birthday``, else the strand's end, e.g. 18 for a looked
    after child): the registration fact moved to the start of that birthday."""
    years = rule.age_end()
    if years is None:
        return None
    fact, born, _ = _child_dates(facts)
    if fact is None or born is None:
        return None
    day = _birthday(born, years)
    start = datetime(day.year, day.month, day.day, tzinfo=LONDON)
    return replace(fact, day=day, instant=start)


def _strand_stop(rule: Rule, facts: Sequence[Fact], start: _Start) -> Fact | None:
    """The first event after the trigger that stops its case or its strand (policies/strands).

    A birthday trigger's work starts on the birthday: a stop before it belongs to older work.
    """
    kinds = rule.stop_kinds()
    if not kinds:
        return None
    after = _fact_key(start.fact)
    from_day = start.fact.day
    if rule.trigger.birthday is not None:
        from_day = _day(start.point)
        after = (datetime.combine(from_day, time.min, LONDON), -1)
    for fact in indexed(facts).of_kinds(kinds, from_day=from_day):
        if _fact_key(fact) > after:
            return fact
    return None


def _day(point: date | datetime) -> date:
    return to_london(point).date() if isinstance(point, datetime) else point


def _due(point: date | datetime, unit: Unit, length: int) -> datetime:
    return CALENDAR.due(point, unit, length)


def _resolve_rule(
    rule: Rule,
    pack: Pack,
    facts: Sequence[Fact],
    starts: Sequence[_Start],
    at: datetime,
    chains: _Chains | None = None,
) -> list[Deadline]:
    """Every deadline ``rule`` sets for these starts, judged at ``at``."""
    if rule.commencement is not None:  # a provision not yet in force judges nothing
        starts = [s for s in starts if rule.in_force_on(s.fact.day)]
    if rule.measures is Measures.PRECEDES:
        return [d for d in (_preceded(rule, pack, facts, s) for s in starts) if d is not None]
    out: list[Deadline] = []
    if rule.measures is Measures.RECORDING_DELAY:
        for start in starts:
            due = _due(start.point, rule.clock.unit, rule.clock.length)
            recorded = start.fact.recorded.recorded_at
            met: Fact | None = start.fact
            if recorded <= due:
                status = Status.MET
            elif recorded <= at:
                status = Status.MET_LATE
            else:  # not yet written down at ``at``
                status, met = (Status.BREACHED if at > due else Status.PENDING), None
            # met when written down: satisfied at the recorded-at, not the occurred-at
            satisfied_at = recorded.astimezone(LONDON) if met is not None else None
            out.append(
                _deadline(
                    rule,
                    pack,
                    start.fact,
                    0,
                    due,
                    status,
                    point=start.point,
                    met=met,
                    satisfied_at=satisfied_at,
                )
            )
        return out
    running_until: date | None = None
    running = False
    for start in starts:
        if rule.recurrence is not None and running:
            if running_until is None or start.fact.day < running_until:
                continue  # a series is already running; a repeated trigger does not restart it
        produced, ended_on = _series(rule, pack, facts, start, at, chains)
        out.extend(produced)
        running, running_until = True, ended_on
    return out


class _Chains:
    """Each recurring series' met occurrences as last judged, and each one's satisfier, so
    that judging the series again resumes after those that cannot have changed.

    An occurrence met by a fact that happened before every fact added since it was judged
    is judged the same again: what meets it is the first match from its base on, found
    before any added fact; its extension is agreed by then; and what stops the series is
    either as before or an added fact, so later than it. The series resumes after the
    longest run of such occurrences (:meth:`kept`). Only for a schedule judged against the
    far future (a ``recorded`` rule reads ``at`` through its satisfier), and dropped when the
    facts are derived again (a correction) or every rule is judged again (a registration
    moves the birthday stop, an authority the packs).
    """

    def __init__(self) -> None:
        self._held: dict[tuple[Any, ...], tuple[list[tuple[Deadline, Fact]], datetime | None]] = {}

    def added(self, earliest: datetime) -> None:
        """Facts were added, the earliest of them happening at ``earliest``."""
        for key, (chain, bound) in self._held.items():
            if chain and (bound is None or earliest < bound):
                self._held[key] = (chain, earliest)

    def kept(self, key: tuple[Any, ...]) -> list[tuple[Deadline, Fact]]:
        chain, bound = self._held.get(key, ([], None))
        if bound is None:
            return chain
        for index, (_, satisfier) in enumerate(chain):
            if satisfier.instant >= bound:
                return chain[:index]
        return chain

    def store(self, key: tuple[Any, ...], chain: list[tuple[Deadline, Fact]]) -> None:
        self._held[key] = (chain, None)

    def clear(self) -> None:
        self._held = {}


def _series(
    rule: Rule,
    pack: Pack,
    facts: Sequence[Fact],
    start: _Start,
    at: datetime,
    chains: _Chains | None = None,
) -> tuple[list[Deadline], date | None]:
    """The deadlines from one trigger; for a recurring rule, the whole series until it stops.

    Returns the deadlines and the day the series was cancelled (None while it runs on).
    ``chains``: resume a recurring series after its occurrences judged before that cannot
    have changed (see :class:`_Chains`).
    """
    trigger = start.fact
    cancel = _first(rule.cancelled_by, facts, trigger, trigger, set())
    ended = _strand_stop(rule, facts, start)
    if ended is not None and (cancel is None or ended.instant < cancel.instant):
        cancel = ended
    stop = _birthday_stop(rule, facts)
    if (
        stop is not None
        and stop.instant <= at
        and (cancel is None or stop.instant < cancel.instant)
    ):
        cancel = stop
    out: list[Deadline] = []
    used: set[str] = set()
    base, point, occurrence = trigger, start.point, 0
    sign = -1 if rule.trigger.direction == "before" else 1
    chain: list[tuple[Deadline, Fact]] | None = None
    key: tuple[Any, ...] = ()
    if chains is not None and rule.recurrence is not None:
        key = (pack.pack, pack.version, rule.id, trigger.event_id, start.point)
        chain = list(chains.kept(key))
        for judged, met in chain:
            out.append(judged)
            used.add(met.event_id)
            base, point, occurrence = met, met.event.occurred_at, occurrence + 1
    while True:
        clock = rule.clock
        if rule.recurrence is not None:
            clock = rule.recurrence.interval(occurrence, rule.clock)
        due = _due(point, clock.unit, sign * clock.length)
        satisfier = _first(rule.satisfied_by, facts, trigger, _search_from(rule, base, point), used)
        if satisfier is not None and cancel is not None and satisfier.instant > cancel.instant:
            satisfier = None
        extension = _extension(rule, facts, trigger, base, satisfier, due, point)
        effective_due = extension[1] if extension else due

        make = partial(
            _deadline, rule, pack, base, occurrence, due, point=point, extension=extension
        )

        if satisfier is not None and rule.measures is Measures.RECORDED:
            if satisfier.recorded.recorded_at > at:
                satisfier = None  # it had happened, but was not yet on the record at ``at``
        if satisfier is not None:
            when = _when_met(rule, satisfier)
            status = Status.MET if when <= effective_due else Status.MET_LATE
            out.append(make(status, met=satisfier, satisfied_at=when))
            if rule.recurrence is None:
                return out, None
            if chain is not None:
                chain.append((out[-1], satisfier))
            used.add(satisfier.event_id)
            base, point, occurrence = satisfier, satisfier.event.occurred_at, occurrence + 1
            continue
        if chain is not None and chains is not None:
            chains.store(key, chain)
        if cancel is not None:
            status = Status.CANCELLED if cancel.instant <= effective_due else Status.BREACHED
            out.append(make(status, cancelled=cancel))
            return out, cancel.day
        if at > effective_due:
            status = Status.BREACHED
        else:
            status = Status.EXTENDED if extension else Status.PENDING
        out.append(make(status))
        return out, None


def _when_met(rule: Rule, satisfier: Fact) -> datetime:
    """When ``satisfier`` met the rule: when it happened, or for ``measures: recorded`` ("an
    up-to-date care plan recorded on ICS within 10 days") when it was written down."""
    if rule.measures is Measures.RECORDED:
        return satisfier.recorded.recorded_at.astimezone(LONDON)
    return satisfier.instant


def _came_before(fact: Fact, trigger: Fact) -> bool:
    """Whether ``fact`` happened before ``trigger``: by the clock when both have a time of day;
    on the same day or earlier when either has only a date (an offer dated the day of the
    application counts as made before it)."""
    if fact is trigger or fact.day > trigger.day:
        return False
    if fact.day < trigger.day:
        return True
    timed = isinstance(fact.event.occurred_at, datetime)
    if timed and isinstance(trigger.event.occurred_at, datetime):
        return fact.instant <= trigger.instant
    return True


def _latest_before(
    matches: Sequence[EventMatch], facts: Sequence[Fact], trigger: Fact
) -> Fact | None:
    """The latest fact matching any of ``matches`` that came before ``trigger``."""
    found: Fact | None = None
    for fact in indexed(facts).of_kinds(m.kind for m in matches):
        if fact.day > trigger.day:
            break
        if _came_before(fact, trigger) and any(_matches(m, fact, trigger) for m in matches):
            found = fact
    return found


def _preceded(rule: Rule, pack: Pack, facts: Sequence[Fact], start: _Start) -> Deadline | None:
    """``measures: precedes``: judged at the trigger itself, met by what came before it."""
    trigger = start.fact
    if rule.preceded_by and _latest_before(rule.preceded_by, facts, trigger) is None:
        return None  # the duty never arose (e.g. no offer, so no meeting to hold)
    make = partial(_deadline, rule, pack, trigger, 0, trigger.instant, point=start.point)
    for match in rule.satisfied_by:  # in the order listed: the offer itself before evidence of it
        met = _latest_before([match], facts, trigger)
        if met is not None:
            return make(Status.MET, met=met)
    cancel = _latest_before(rule.cancelled_by, facts, trigger) if rule.cancelled_by else None
    if cancel is not None:
        return make(Status.CANCELLED, cancelled=cancel)
    return make(Status.BREACHED)


def _search_from(rule: Rule, base: Fact, point: date | datetime) -> Fact:
    """Where to look for what meets a deadline: after ``base``, or for an age band that starts
    later (``from_birthday``), from the band's first day (a contact before 18 is not one of
    the visits "for young people age 18-25")."""
    if rule.from_birthday is None or isinstance(point, datetime) or point <= base.day:
        return base
    return replace(base, day=point, instant=datetime.combine(point, time.min, LONDON))


def _extension(
    rule: Rule,
    facts: Sequence[Fact],
    trigger: Fact,
    base: Fact,
    satisfier: Fact | None,
    due: datetime,
    point: date | datetime | None = None,
) -> tuple[Fact, datetime] | None:
    """The latest authorised extension to a later date, agreed before the deadline was met.

    An extension names its date (``date_field``), or a longer time limit (``clock``) counted
    from the same point as the deadline itself."""
    found: tuple[Fact, datetime] | None = None
    for match in rule.extended_by:
        for fact in indexed(facts).of_kinds((match.kind,), from_day=base.day):
            if satisfier is not None and fact.instant > satisfier.instant:
                continue
            if not _matches(match, fact, trigger):
                continue
            if match.clock is not None:
                if fact.instant > due:
                    continue  # Art. 12(3): the requester is told within the first month
                until = _due(
                    base.event.occurred_at if point is None else point,
                    match.clock.unit,
                    match.clock.length,
                )
            elif match.date_field is not None:
                agreed = getattr(fact.event, match.date_field)
                if not isinstance(agreed, date):
                    continue
                until = CALENDAR.end_of_day(agreed)
            else:
                continue
            if until > due and (found is None or fact.instant >= found[0].instant):
                found = (fact, until)
    return found


def _deadline(
    rule: Rule,
    pack: Pack,
    base: Fact,
    occurrence: int,
    due: datetime,
    status: Status,
    *,
    point: date | datetime,
    met: Fact | None = None,
    cancelled: Fact | None = None,
    extension: tuple[Fact, datetime] | None = None,
    satisfied_at: datetime | None = None,
) -> Deadline:
    """One deadline; ``satisfied_at`` (when given) instead of the meeting fact's instant."""
    return Deadline(
        child_id=base.recorded.child_id,
        pack=pack.pack,
        pack_version=pack.version,
        rule_id=rule.id,
        title=rule.title,
        citation=rule.citation,
        severity=rule.severity.value,
        measures=rule.measures.value,
        trigger_event_id=base.event_id,
        trigger_kind=base.kind,
        counted_from=_day(point),
        occurrence=occurrence,
        due=due,
        status=status,
        satisfied_by_event_id=met.event_id if met else None,
        satisfied_at=satisfied_at or (met.instant if met else None),
        cancelled_by_event_id=cancelled.event_id if cancelled else None,
        cancelled_at=cancelled.instant if cancelled else None,
        extended_by_event_id=extension[0].event_id if extension else None,
        extended_to=extension[1] if extension else None,
    )


# -- whole child ------------------------------------------------------------------------------


class _Chooser:
    """Which pack version judges a trigger on a given day."""

    def __init__(
        self,
        packs: PackSet,
        facts: Sequence[Fact],
        override: str | Pack | None,
        baseline: bool = True,
    ) -> None:
        self.packs = packs
        self.baseline = baseline
        self.facts = facts
        self.override = override
        self._cache: dict[date, Pack] = {}
        self._replaced: dict[int, frozenset[str]] = {}  # per pack: the national ids it replaces
        # authority_at reads only authority_recorded facts: keep just those (same answer, and
        # each lookup no longer walks the whole record), indexed once here rather than on
        # every lookup (a list was re-indexed by authority_at for each new day asked about)
        self._authorities = Facts(indexed(facts).of_kind("authority_recorded"))

    def __call__(self, on: date) -> Pack:
        if isinstance(self.override, Pack):
            return self.override
        cached = self._cache.get(on)
        if cached is None:
            pack_id = self.override or authority_at(self._authorities, on)
            if pack_id not in self.packs.versions:
                pack_id = NATIONAL
            cached = self.packs.in_force(pack_id, on)
            self._cache[on] = cached
        return cached

    def versions(self) -> list[Pack]:
        """Every pack version that may judge some trigger (the national baseline always)."""
        if isinstance(self.override, Pack):
            found = [self.override]
        else:
            ids = {self.override} if self.override else set()
            if not self.override:
                ids.update(_authority(f) for f in self._authorities)
            found = [
                p for i in sorted(ids) if i in self.packs.versions for p in self.packs.versions[i]
            ]
        if self.baseline and NATIONAL in self.packs.versions:
            found.extend(p for p in self.packs.versions[NATIONAL] if p not in found)
        return found

    def judges(self, pack: Pack, rule: Rule, on: date) -> bool:
        """Whether ``pack``'s ``rule`` judges a trigger on ``on``.

        The authority's pack in force on that day judges it; the national baseline in force on
        that day fills in every statutory rule the authority's pack does not replace
        (``replaces: national:<id>``; a rule of the same id also keeps the national one out,
        which ``caseledger packs check`` refuses: see policies/baseline.py).
        """
        chosen = self(on)
        if chosen is pack:
            return True
        if not self.baseline or pack.pack != NATIONAL or NATIONAL not in self.packs.versions:
            return False
        if self.packs.in_force(NATIONAL, on) is not pack:
            return False
        replaced = self._replaced.get(id(chosen))
        if replaced is None:
            replaced = self._replaced[id(chosen)] = frozenset(chosen.replaced())
        return rule.id not in replaced


def _evaluate_rules(
    facts: Sequence[Fact],
    chooser: _Chooser,
    at: datetime,
    only: frozenset[tuple[str, str, str]] | None = None,
    chains: _Chains | None = None,
) -> dict[tuple[str, str, str], list[Deadline]]:
    results: dict[tuple[str, str, str], list[Deadline]] = {}
    facts = indexed(facts)
    for pack in chooser.versions():
        for rule in pack.rules:
            key = (pack.pack, pack.version, rule.id)
            if only is not None and key not in only:
                continue
            starts = [
                s
                for s in _starts(rule, facts)
                if chooser.judges(
                    pack, rule, _day(s.point) if rule.trigger.birthday else s.fact.day
                )
            ]
            results[key] = _resolve_rule(rule, pack, facts, starts, at, chains) if starts else []
    return results


def _sorted(deadlines: Iterable[Deadline]) -> list[Deadline]:
    return sorted(deadlines, key=lambda d: (d.effective_due, d.rule_id, d.trigger_event_id))


def evaluate(
    events: Iterable[RecordedEvent],
    packs: PackSet,
    at: datetime,
    *,
    pack: str | Pack | None = None,
    baseline: bool = True,
) -> list[Deadline]:
    """Every deadline for one child's events, judged at ``at`` (see the module docstring)."""
    if at.tzinfo is None:
        raise ValueError("at must be an aware datetime")
    # filtered before indexing: one Facts built, not effective_facts' and then a filtered copy
    facts = Facts(
        fact
        for fact in (
            to_fact(item)
            for item in effective_events(events)
            if item.event.category is not Category.STANDARDS
        )
        if fact.instant <= at
    )
    chooser = _Chooser(packs, facts, pack, baseline)
    results = _evaluate_rules(facts, chooser, at)
    return _sorted(d for found in results.values() for d in found)


class Schedule:
    """A child's schedule kept up to date event by event.

    Reading the schedule after events were added re-evaluates only the rules that read
    their kinds (every rule after a correction, an entry recorded in error or a change of
    authority), once for all of them. Events must be added once each, in any order;
    ``deadlines(at)`` then equals ``evaluate(all events, packs, at)`` for any ``at`` at or
    after the last occurred-at and recorded-at added. Between adds, a later ``at`` that
    passes no due or cancellation time gets the previous answer back (:meth:`judged`).
    """

    memo = True
    """False: judge the rules after every add and every ``at`` afresh, as before the memo
    (tests compare the two paths step by step)."""

    def __init__(
        self, packs: PackSet, *, pack: str | Pack | None = None, baseline: bool = True
    ) -> None:
        self.packs = packs
        self.baseline = baseline
        self.override = pack
        self.events: list[RecordedEvent] = []
        self.facts: Facts = Facts()
        self._amended: set[str] = set()  # targets of corrections and in-error entries seen
        self._results: dict[tuple[str, str, str], list[Deadline]] = {}
        self._index: dict[str, set[tuple[str, str, str]]] = {}
        self._index_key: tuple[int, ...] | None = None  # the pack versions ``_index`` is of
        self._status_cache: dict[tuple[tuple[int, ...], str], frozenset[tuple[str, str, str]]]
        self._status_cache = {}
        self.rules_evaluated = 0
        self._pending_kinds: set[str] = set()  # kinds added since the rules were last judged
        self._pending_full = False  # ... and whether one of them calls for every rule
        self._chains = _Chains()  # recurring series resumed where they cannot have changed
        self._ordered: list[Deadline] | None = None  # ``_results`` sorted, once per settle
        self._earliest: datetime | None = None  # earliest occurred of the facts added since
        self.version = 0  # bumped by every ``add`` that may change a deadline
        # ``deadlines(at)`` memo: (version, the moment judged, the first moment after it at
        # which some deadline's judgement flips, the answer)
        self._judged: tuple[
            int, datetime, datetime | None, datetime | None, tuple[Deadline, ...]
        ] = (-1, _FAR_FUTURE, None, None, ())

    def add(self, event: RecordedEvent) -> None:
        self.events.append(event)
        if event.event.category is Category.STANDARDS:
            return
        self.version += 1
        full = event.event.category is Category.CORRECTIONS or event.kind in (
            "authority_recorded",
            "child_registered",
            "child_born",
        )
        target = getattr(event.event, "target_event_id", None)
        if event.event.category is Category.CORRECTIONS and isinstance(target, str):
            self._amended.add(target)
            self.facts = effective_facts(self.events)  # rare: re-derive the effective record
            # (a correction judges every rule again, which drops the series' chains)
        elif event.event_id in self._amended:
            self.facts = effective_facts(self.events)  # its correction arrived first
            self._chains.clear()  # judged without it, and it is not among the facts added
        else:
            fact = to_fact(event)
            self.facts.insert(fact)
            if self._earliest is None or fact.instant < self._earliest:
                self._earliest = fact.instant
        # the rules are judged when the schedule is next read, once for all the events added
        # since (a replay step or a tick adds several; each add judging its rules again was
        # most of a family's replay)
        self._pending_full = self._pending_full or full
        self._pending_kinds.add(event.kind)
        if not self.memo:
            self._settle()

    def _settle(self) -> None:
        """Judge the rules that read the kinds added since the schedule was last read."""
        if not self._pending_kinds:
            return
        chooser = _Chooser(self.packs, self.facts, self.override, self.baseline)
        if self._pending_full or not self._results:
            only = None
        else:
            self._reindex(chooser)
            wanted: set[tuple[str, str, str]] = set()
            for kind in self._pending_kinds:
                wanted |= self._index.get(kind, set()) | self._status_rules(chooser, kind)
            only = frozenset(wanted)
        self._pending_kinds = set()
        self._pending_full = False
        if only is None:
            self._chains.clear()
        elif self._earliest is not None:
            self._chains.added(self._earliest)
        self._earliest = None
        chains = self._chains if self.memo else None
        found = _evaluate_rules(self.facts, chooser, _FAR_FUTURE, only, chains)
        self.rules_evaluated += len(found)
        self._ordered = None
        if only is None:
            self._results = found
            self._reindex(chooser)
        else:
            self._results.update(found)

    def _status_rules(self, chooser: _Chooser, kind: str) -> set[tuple[str, str, str]]:
        """Rules gated by a status this kind of event changes (their triggers may flip)."""
        if kind not in _STATUS_KINDS:
            return set()
        versions = chooser.versions()
        key = (tuple(id(p) for p in versions), kind)
        found = self._status_cache.get(key)
        if found is None:
            found = frozenset(
                (pack.pack, pack.version, rule.id)
                for pack in versions
                for rule in pack.rules
                if rule.trigger.while_status
            )
            self._status_cache[key] = found
        return set(found)

    def _reindex(self, chooser: _Chooser) -> None:
        # the index depends only on which pack versions may judge: rebuilt when they change
        # (an authority recorded), not on every event (it was a fifth of a family's replay)
        versions = chooser.versions()
        key = tuple(id(p) for p in versions)
        if key == self._index_key and self.memo:
            return
        self._index = {}
        for pack in versions:
            for rule in pack.rules:
                for kind in rule.kinds():
                    self._index.setdefault(kind, set()).add((pack.pack, pack.version, rule.id))
        self._index_key = key

    def deadlines(self, at: datetime) -> list[Deadline]:
        """The schedule at ``at`` (open deadlines due before it are breached)."""
        return list(self.judged(at))

    def judged(self, at: datetime) -> tuple[Deadline, ...]:
        """:meth:`deadlines` as a tuple, the same object for every ``at`` judged alike.

        The answer changes with ``at`` only when ``at`` passes a deadline's due time or
        cancellation time: until an event is added or ``at`` reaches such a moment, the
        previous answer is returned (a replay by day asks at every step; judging afresh each
        time was a quarter of a family's replay).
        """
        self._settle()
        version, _, low, high, answer = self._judged
        if (
            self.memo
            and version == self.version
            and (low is None or at >= low)
            and (high is None or at < high)
        ):
            return answer
        answer = tuple(self._judge(at))
        low, high = self._window(at)
        self._judged = (self.version, at, low, high, answer)
        return answer

    def _window(self, at: datetime) -> tuple[datetime | None, datetime | None]:
        """The moments ``[low, high)`` around ``at`` in which ``_judge`` gives the same answer.

        ``_judge`` reads ``at`` only through ``cancelled_at > at`` and ``at <= effective_due``.
        """
        low: datetime | None = None
        high: datetime | None = None

        def above(moment: datetime) -> None:
            nonlocal high
            if high is None or moment < high:
                high = moment

        def below(moment: datetime) -> None:
            nonlocal low
            if low is None or moment > low:
                low = moment

        for found in self._results.values():
            for d in found:
                if d.cancelled_at is not None:
                    # flips when at reaches cancelled_at
                    (above if d.cancelled_at > at else below)(d.cancelled_at)
                due = d.effective_due
                # ``at <= due`` flips when at passes due: true on [.., due], false after
                if at <= due:
                    above(due + _TICK)
                else:
                    below(due + _TICK)
        return low, high

    def _judge(self, at: datetime) -> list[Deadline]:
        # judging at ``at`` keeps each deadline's sort key (due, rule, trigger): the far-future
        # answer is sorted once per settle, not at every moment judged
        if not self.memo:
            return judged_at((d for found in self._results.values() for d in found), at)
        if self._ordered is None:
            self._ordered = _sorted(d for found in self._results.values() for d in found)
        return [_as_at(d, at) for d in self._ordered]


def evaluate_ahead(
    events: Iterable[RecordedEvent],
    packs: PackSet,
    *,
    pack: str | Pack | None = None,
    baseline: bool = True,
) -> list[Deadline]:
    """Every deadline judged against the far future: :func:`judged_at` of these at ``at``
    then equals ``evaluate(events, packs, at)`` for any ``at`` at or after the last
    occurred-at and recorded-at of ``events`` (as :class:`Schedule` keeps them), so a
    reader may judge the same events at many moments for the cost of one evaluation."""
    return evaluate(events, packs, _FAR_FUTURE, pack=pack, baseline=baseline)


def judged_at(found: Iterable[Deadline], at: datetime) -> list[Deadline]:
    """Deadlines judged against the far future (:func:`evaluate_ahead`), as at ``at``."""
    return _sorted(_as_at(deadline, at) for deadline in found)


def _as_at(deadline: Deadline, at: datetime) -> Deadline:
    """One deadline judged against the far future, as at ``at`` (its sort key unchanged)."""
    if deadline.cancelled_at is not None and deadline.cancelled_at > at:
        # a birthday that ends the series has not come yet at ``at``
        deadline = replace(
            deadline,
            status=Status.BREACHED,
            cancelled_by_event_id=None,
            cancelled_at=None,
        )
    if (
        deadline.status is Status.BREACHED
        and deadline.satisfied_by_event_id is None
        and deadline.cancelled_by_event_id is None
        and at <= deadline.effective_due
    ):  # judged against the far future: not yet due at ``at``
        status = Status.EXTENDED if deadline.extended_to else Status.PENDING
        deadline = replace(deadline, status=status)
    return deadline


_TICK = timedelta(microseconds=1)

_STATUS_KINDS = frozenset(
    {k for pair in _STATUS_EVENTS.values() for k in pair}
    | {"child_registered", "child_born"}
    | {"placement_started", "placement_ended", "ceased_to_be_looked_after"}
)
