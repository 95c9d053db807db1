"""The one order of a child's events as they happened: by day, then what caused what.

History, the chronology, replay and the review report all list events in this order.

Across days: the London day the event happened (a month- or year-precision date counts from
the first day it can mean). Within one day, an entry follows whatever caused it:

1. **Its link**: an event naming another by id (``referral_event_id``, ``order_event_id``,
   ``target_event_id``...) follows it; an event *decided at* a meeting follows that meeting
   on the same child's record (:data:`DECIDED_AT`: a child protection plan starts at the
   conference that decided it, a section 47 enquiry at the strategy discussion...).
2. **Its correlation id**: an entry with only a date follows the timed entries written by the
   same action (one correlation id).
3. **Then the time of day**: an entry with only a date and no cause that day comes first (its
   time is unknown); one that has a cause comes straight after it.
4. **Then the record's order** (recorded-at, store position).

Only causes on the same day count: a plan started the day after the conference is ordered by
its date.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from domain.envelope import RecordedEvent
from domain.events.base import LONDON, CaseEvent, DatePrecision

DECIDED_AT: dict[str, frozenset[str]] = {
    kind: frozenset(causes)
    for kind, causes in {
        "authority_recorded": ("child_registered",),
        "allocated_to_worker": ("child_registered", "referral_decision"),
        "person_added": ("child_registered",),
        "relationship_recorded": ("child_registered", "person_added"),
        "referral_decision": ("contact_received", "referral_received"),
        "wishes_and_feelings_recorded": ("child_visited",),
        "strategy_discussion_held": ("referral_decision",),
        "section_47_started": ("strategy_discussion_held",),
        "assessment_started": ("referral_decision", "strategy_discussion_held"),
        "assessment_authorised": ("assessment_completed",),
        "child_protection_plan_started": (
            "initial_child_protection_conference_held",
            "review_child_protection_conference_held",
        ),
        "child_protection_category_changed": ("review_child_protection_conference_held",),
        "child_protection_plan_ended": (
            "review_child_protection_conference_held",
            "became_looked_after",
        ),
        "child_in_need_plan_agreed": (
            "child_in_need_meeting_held",
            "section_47_concluded",
            "assessment_completed",
        ),
        "child_in_need_plan_reviewed": ("child_in_need_meeting_held",),
        "child_in_need_plan_ended": ("child_in_need_meeting_held",),
        "letter_before_proceedings_sent": ("legal_planning_meeting_held",),
        "application_issued": ("legal_planning_meeting_held", "pre_proceedings_review_held"),
        "order_made": ("hearing_held",),
        "legal_status_changed": ("order_made", "became_looked_after"),
        "placement_started": ("became_looked_after", "placement_ended"),
        "placed_for_adoption": ("placement_started",),
        "placement_ended": ("order_made",),
        "ceased_to_be_looked_after": ("order_made", "placement_ended"),
        "care_plan_agreed": ("looked_after_review_held",),
        "permanence_plan_agreed": ("looked_after_review_held",),
        "pathway_plan_agreed": ("looked_after_review_held",),
        "pathway_plan_reviewed": ("looked_after_review_held",),
        "missing_episode_ended": ("missing_episode_started",),
        "return_interview_offered": ("missing_episode_ended",),
        "return_interview_held": ("return_interview_offered",),
        "case_closed": (
            "ceased_to_be_looked_after",
            "child_in_need_plan_ended",
            "section_47_concluded",
            "assessment_completed",
            "order_made",
        ),
    }.items()
}
"""Kind -> the kinds of meeting or event that decide it, when both fall on the same day."""

LINK_SUFFIX = "_event_id"


@dataclass(slots=True)  # not frozen: one is made per entry of every chronology composed
class Occurrence:
    """What the ordering needs to know about one entry."""

    ref: str
    """The event id (a shared entry: any of its ids, with the rest in ``aliases``)."""
    kind: str
    children: frozenset[str]
    day: date
    seconds: int | None
    """London time of day in seconds; None when only the date (or less) is known."""
    correlation_id: str | None
    links: tuple[str, ...]
    """Ids of the events this one names (its ``*_event_id`` fields)."""
    record: tuple[Any, ...]
    """The record's order: compared last."""
    aliases: tuple[str, ...] = ()


def _day_and_seconds(event: CaseEvent) -> tuple[date, int | None]:
    precision = event.precision
    at = event.occurred_at
    if isinstance(at, datetime):
        local = at.astimezone(LONDON)
        day = local.date()
        seconds: int | None = local.hour * 3600 + local.minute * 60 + local.second
    else:
        day, seconds = at, None
    if precision is DatePrecision.YEAR:
        return date(day.year, 1, 1), None
    if precision is DatePrecision.MONTH:
        return date(day.year, day.month, 1), None
    if precision is not DatePrecision.TIME:
        seconds = None
    return day, seconds


def event_links(event: CaseEvent) -> tuple[str, ...]:
    """The ids of the events this event names (its ``*_event_id`` fields that are set)."""
    found = []
    for name in type(event).model_fields:
        if name.endswith(LINK_SUFFIX):
            value = getattr(event, name)
            if isinstance(value, str) and value:
                found.append(value)
    return tuple(found)


def payload_links(kind_fields: Iterable[str], payload: dict[str, Any]) -> tuple[str, ...]:
    """As :func:`event_links`, from a stored payload."""
    return tuple(
        str(payload[name])
        for name in kind_fields
        if name.endswith(LINK_SUFFIX) and payload.get(name)
    )


def occurrence(
    event: CaseEvent, ref: str, record: tuple[Any, ...], children: Iterable[str] = ()
) -> Occurrence:
    day, seconds = _day_and_seconds(event)
    return Occurrence(
        ref=ref,
        kind=event.kind,
        children=frozenset(children) or frozenset({event.child_id}),
        day=day,
        seconds=seconds,
        correlation_id=event.correlation_id,
        links=event_links(event),
        record=record,
    )


def _causes(items: Sequence[Occurrence]) -> list[set[int]]:
    """For each entry of one day, the indexes of the same day's entries it follows."""
    by_ref: dict[str, int] = {}
    for i, item in enumerate(items):
        by_ref[item.ref] = i
        for alias in item.aliases:
            by_ref[alias] = i
    by_kind: dict[str, list[int]] = {}
    by_correlation: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        by_kind.setdefault(item.kind, []).append(i)
        if item.correlation_id is not None:
            by_correlation.setdefault(item.correlation_id, []).append(i)
    causes: list[set[int]] = [set() for _ in items]
    for i, item in enumerate(items):
        for link in item.links:
            j = by_ref.get(link)
            if j is not None and j != i:
                causes[i].add(j)
        for kind in DECIDED_AT.get(item.kind, ()):
            for j in by_kind.get(kind, ()):
                if items[j].children & item.children:
                    causes[i].add(j)
        if item.seconds is None and item.correlation_id is not None:
            for j in by_correlation.get(item.correlation_id, ()):
                if items[j].seconds is not None:
                    causes[i].add(j)
    return causes


def _one_day(items: Sequence[Occurrence]) -> list[int]:
    if len(items) == 1:
        return [0]
    causes = _causes(items)
    effects: list[list[int]] = [[] for _ in items]
    waiting = [len(c) for c in causes]
    for i, cs in enumerate(causes):
        for j in cs:
            effects[j].append(i)
    at: list[float] = [-1.0 if o.seconds is None else float(o.seconds) for o in items]
    ready = [(at[i], items[i].record, i) for i in range(len(items)) if not waiting[i]]
    heapq.heapify(ready)
    done: list[int] = []
    placed = [False] * len(items)
    while len(done) < len(items):
        if not ready:  # a cycle of links: take the earliest left by time and record
            rest = [i for i in range(len(items)) if not placed[i]]
            first = min(rest, key=lambda i: (at[i], items[i].record))
            waiting[first] = 0
            ready.append((at[first], items[first].record, first))
        _, _, i = heapq.heappop(ready)
        if placed[i]:
            continue
        placed[i] = True
        done.append(i)
        for k in effects[i]:
            if items[k].seconds is None:
                at[k] = max(at[k], at[i])
            waiting[k] -= 1
            if waiting[k] == 0 and not placed[k]:
                heapq.heappush(ready, (at[k], items[k].record, k))
    return done


def order(items: Sequence[Occurrence]) -> list[int]:
    """The indexes of ``items`` in occurred order (see the module doc)."""
    by_day: dict[date, list[int]] = {}
    for i, item in enumerate(items):
        by_day.setdefault(item.day, []).append(i)
    result: list[int] = []
    for day in sorted(by_day):
        members = by_day[day]
        if len(members) == 1:
            result.append(members[0])
        else:
            result.extend(members[k] for k in _one_day([items[i] for i in members]))
    return result


T = TypeVar("T")


def ordered(items: Sequence[T], describe: Callable[[T], Occurrence]) -> list[T]:
    """``items`` in occurred order, each described by ``describe``."""
    described = [describe(item) for item in items]
    return [items[i] for i in order(described)]


def record_key(item: RecordedEvent) -> tuple[Any, ...]:
    return (item.recorded_at, item.global_position or 0, item.child_id, item.position)


def recorded_occurrence(item: RecordedEvent) -> Occurrence:
    return occurrence(item.event, item.event_id, record_key(item))


def in_occurred_order(events: Iterable[RecordedEvent]) -> list[RecordedEvent]:
    """Recorded events in occurred order (one child's, or several children's)."""
    return ordered(list(events), recorded_occurrence)


def known_history(
    events: Iterable[RecordedEvent], as_known_at: datetime | None = None
) -> list[RecordedEvent]:
    """A child's history: its events in occurred order; with ``as_known_at``, only those
    recorded by then (what :meth:`adapters.store.EventStore.history` gives of a stream)."""
    if as_known_at is not None:
        events = [e for e in events if e.recorded_at <= as_known_at]
    return in_occurred_order(events)
