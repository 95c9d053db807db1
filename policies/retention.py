"""The retention schedule: how long each kind of record is kept, declared in ``retention.yaml``
(read by ``adapters.retention_schedule``); and, from a record's facts, when it is destroyed.

:func:`parse_schedule` checks the schedule from data (pydantic; an error names the entry and
the field). :func:`retention_of` is pure: a child's :class:`~domain.retention.RetentionFacts`
(folded by :mod:`projections.retention_facts`) and a day give the rule that governs the
record, when its clock started and the day it may be destroyed. Of the entries that apply to
the record's types, the longest retention wins; a clock not yet started (an open case) keeps
the record with no date. An authority's own entries for a record type replace the national
ones for that type.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from domain.retention import Clock, RecordType, RetentionFacts

NATIONAL = "national"


class ScheduleError(ValueError):
    """The retention schedule breaks its own rules: names the entry and the field."""


class When(StrEnum):
    ALWAYS = "always"
    DIED_BEFORE_18 = "died_before_18"
    NOT_DIED_BEFORE_18 = "not_died_before_18"


class Period(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    years: int = Field(default=0, ge=0, le=200)
    months: int = Field(default=0, ge=0, le=11)

    @model_validator(mode="after")
    def _not_empty(self) -> Period:
        if self.years == 0 and self.months == 0:
            raise ValueError("a period of no time: give years or months")
        return self

    def after(self, start: date) -> date:
        """``start`` plus this period (a day that does not exist falls to the month's last)."""
        month0 = start.month - 1 + self.months
        year = start.year + self.years + month0 // 12
        month = month0 % 12 + 1
        day = start.day
        while True:
            try:
                return date(year, month, day)
            except ValueError:
                day -= 1

    def describe(self) -> str:
        parts = []
        if self.years:
            parts.append(f"{self.years} year{'s' if self.years != 1 else ''}")
        if self.months:
            parts.append(f"{self.months} month{'s' if self.months != 1 else ''}")
        return " ".join(parts)


class Entry(BaseModel):
    """One line of the schedule."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,79}$")
    record_type: RecordType
    authority: str = Field(pattern=r"^[a-z][a-z_]{1,40}$")
    effective_from: date
    effective_to: date | None = None
    clock: Clock
    period: Period
    when: When = When.ALWAYS
    citation: str = Field(min_length=10, max_length=1000)

    @model_validator(mode="after")
    def _dates(self) -> Entry:
        if self.effective_to is not None and self.effective_to <= self.effective_from:
            raise ValueError("effective_to must be after effective_from")
        return self

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on < self.effective_to)

    def applies(self, facts: RetentionFacts) -> bool:
        if self.when is When.DIED_BEFORE_18:
            return facts.died_before_18
        if self.when is When.NOT_DIED_BEFORE_18:
            return not facts.died_before_18
        return True


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=1)
    entries: list[Entry] = Field(min_length=1)


@dataclass(frozen=True)
class Schedule:
    entries: tuple[Entry, ...]

    def entry(self, entry_id: str) -> Entry | None:
        return next((e for e in self.entries if e.id == entry_id), None)

    def in_force(self, authority: str | None, on: date) -> list[Entry]:
        """The entries that govern a record of ``authority`` decided on ``on``."""
        current = [e for e in self.entries if e.in_force(on)]
        local = {e.record_type for e in current if e.authority == authority}
        return [
            e
            for e in current
            if e.authority == authority or (e.authority == NATIONAL and e.record_type not in local)
        ]


def _where(error: dict[str, Any], data: Mapping[str, Any]) -> str:
    loc = list(error.get("loc", ()))
    if len(loc) >= 2 and loc[0] == "entries" and isinstance(loc[1], int):
        index = loc[1]
        raw = data.get("entries") or []
        name = raw[index].get("id") if isinstance(raw[index], dict) else None
        field = ".".join(str(p) for p in loc[2:]) or "(the entry)"
        return f"entries[{index}]" + (f" ({name})" if name else "") + f" field '{field}'"
    return "field '" + ".".join(str(p) for p in loc) + "'"


def parse_schedule(data: Any, source: str = "retention.yaml") -> Schedule:
    """Check the schedule's data: each problem names the entry, the field and the rule."""
    if not isinstance(data, Mapping):
        raise ScheduleError(f"{source}: expected a mapping with version and entries")
    try:
        parsed = _File.model_validate(data)
    except ValidationError as error:
        problems = [f"{_where(e, data)}: {e['msg']}" for e in error.errors()]  # type: ignore[arg-type]
        raise ScheduleError(f"{source}: " + "; ".join(problems)) from None
    seen: set[str] = set()
    for index, entry in enumerate(parsed.entries):
        if entry.id in seen:
            raise ScheduleError(
                f"{source}: entries[{index}] field 'id': {entry.id!r} is used twice"
            )
        seen.add(entry.id)
    for index, entry in enumerate(parsed.entries):
        for other in parsed.entries[:index]:
            same = (other.record_type, other.authority, other.clock, other.when) == (
                entry.record_type,
                entry.authority,
                entry.clock,
                entry.when,
            )
            if same and _overlap(entry, other):
                raise ScheduleError(
                    f"{source}: entries[{index}] ({entry.id}) field 'effective_from': in force "
                    f"at the same time as {other.id} for the same record type, authority, "
                    "clock and condition"
                )
    return Schedule(tuple(parsed.entries))


def _overlap(a: Entry, b: Entry) -> bool:
    far = date.max
    return a.effective_from < (b.effective_to or far) and b.effective_from < (a.effective_to or far)


@dataclass(frozen=True)
class Outcome:
    """One schedule entry applied to one record."""

    entry: Entry
    clock_start: date | None
    """None: the clock has not started (an open case, no death recorded)."""

    @property
    def destroy_on(self) -> date | None:
        return None if self.clock_start is None else self.entry.period.after(self.clock_start)


@dataclass(frozen=True)
class Retention:
    """When a record may be destroyed, and which rule says so."""

    child_id: str
    record_types: tuple[RecordType, ...]
    outcomes: tuple[Outcome, ...]
    """Every entry that applies, longest first (those not started first of all)."""

    @property
    def governing(self) -> Outcome | None:
        """The rule that decides: a clock not started, else the latest destroy-on date."""
        return self.outcomes[0] if self.outcomes else None

    @property
    def destroy_on(self) -> date | None:
        rule = self.governing
        return None if rule is None else rule.destroy_on

    def due(self, on: date) -> bool:
        """Whether the record's retention has ended by ``on`` (the destroy-on day counts)."""
        end = self.destroy_on
        return end is not None and end <= on


def retention_of(schedule: Schedule, facts: RetentionFacts, on: date) -> Retention:
    """The retention of a record with ``facts``, under the schedule in force on ``on``."""
    types = tuple(sorted(facts.record_types))
    outcomes = [
        Outcome(entry, facts.clock_start(entry.clock))
        for entry in schedule.in_force(facts.authority, on)
        if entry.record_type in facts.record_types and entry.applies(facts)
    ]
    outcomes.sort(
        key=lambda o: (
            o.destroy_on is not None,
            -(o.destroy_on or date.min).toordinal(),
            o.entry.id,
        )
    )
    return Retention(facts.child_id, types, tuple(outcomes))
