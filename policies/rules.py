"""Rule packs: practice standards as data, validated on load.

A pack is one YAML file (``policies/packs/<id>.yaml``, or several files for several versions of
the same pack). Its shape::

    pack: york                      # the id an authority_recorded event names
    title: City of York ...
    source: 003_8160ba9d01af632f.txt
    version: "2026.1"
    effective_from: 2020-01-01      # triggers on or after this date are judged by this version
    rules:
      - id: strategy_discussion
        title: Strategy discussion within 1 working day of the referral
        citation: "003_8160ba9d01af632f.txt, Standard 2 ..."
        severity: high              # high | medium | low
        measures: occurred          # occurred | recorded | recording_delay | precedes
        replaces: [national:strategy_discussion]   # the national rules this one judges instead
        trigger: {kind: referral_received, where: {...}, where_not: {...}}
        clock: {unit: working_days, length: 1}
        satisfied_by: [{kind: strategy_discussion_held}]
        cancelled_by: [{kind: referral_decision, where: {outcome: [no_further_action]}}]
        extended_by: [{kind: assessment_extended, date_field: agreed_new_date}]
        recurrence: {then: [{unit: months, length: 3}, {unit: months, length: 6}]}

Semantics (the engine in :mod:`policies.engine` implements them):

- ``trigger`` is an event kind with conditions (``where``: every field equals the value, or is
  one of the values when a list is given; ``where_not``: no field does), or a derived date:
  ``birthday: 16`` is the child's 16th birthday. ``anchor`` names a date field of the trigger
  event to count from instead of its occurred date (e.g. ``scheduled_for`` of a meeting), and
  ``direction: before`` counts the clock backwards from it (reports shared 3 working days before
  a conference). ``while_status`` limits the trigger to days the child has that status.
- ``satisfied_by`` / ``cancelled_by`` / ``extended_by`` are event kinds with conditions; ``same``
  lists fields that must equal the trigger's (``{satisfier_field: trigger_field}``, or a list of
  names shared by both). ``covers: {recipients: [[parents, carers], chair]}`` is met when the
  matching events between them reached every item listed (a list item: any one of its values).
- ``replaces: [national:<id>]``: this authority rule judges the standard of those national
  rules, which then do not judge the authority's children; every other national rule does (see
  policies/baseline.py for what ``caseledger packs check`` refuses).
- ``recurrence.then`` lists the later intervals, each counted from the event that satisfied the
  previous deadline; the last one repeats. The series ends when a ``cancelled_by`` event occurs.
- ``measures: recording_delay`` judges the trigger event itself: it is met when it was recorded
  (``recorded_at``) by the due time counted from when it happened. ``trigger.also`` lists more
  kinds that start the same clock ("case records are up to date within 2 working days" covers
  meetings, core groups, return interviews and decisions, not visits alone).
- ``measures: recorded`` is an occurred rule whose ``satisfied_by`` event counts when it was
  *recorded* ("an up-to-date Care Plan recorded on ICS within 10 days of the start of
  placement"): met when its ``recorded_at`` is by the due time; not met at all while it is not
  yet on the record.
- Child-level conditions on a trigger: ``age_under: 1`` / ``age_at_least: 16`` (the child's age
  in whole years on the trigger day; an unborn child is under every age and at least none;
  a child of unknown age never matches); ``birthday_months`` adds months to a ``birthday``
  (15 years 9 months); ``anchor_child: expected_date_of_birth`` counts from the child's
  (expected) date of birth instead of the trigger's date — with ``direction: before`` and
  ``8 weeks`` that is 32 weeks' gestation. Statuses for ``while_status`` also include
  ``assessment`` (an assessment started and not yet completed) and ``unborn``.
- ``until_birthday: 1`` ends a series at that birthday: a deadline due after it is cancelled
  (by the child's registration, which holds the date of birth).
- ``from_birthday: 18`` starts an age band: the clock counts from the later of the trigger and
  that birthday ("for young people age 18-25": ``from_birthday: 18``, ``until_birthday: 25``).
  A ``birthday`` trigger's deadline is pending from the moment the date of birth is known.
- A deadline stops (is cancelled) when its case or its strand of work stops: ``case_closed``
  for every rule, and by strand ``ceased_to_be_looked_after``, ``child_protection_plan_ended``,
  ``child_in_need_plan_ended`` and the 18th birthday (policies/strands.py). The strand is
  derived from the trigger; ``strand:`` (looked_after, cp_plan, cin_plan, leaving_care, none)
  names it instead. ``cancelled_by`` adds the rule's own stops.
- A condition on a list-valued field (``shared_with``) holds when any item is (one of) the
  value(s).
- ``measures: precedes`` judges the trigger itself (due = its own time; clock length 0): met by
  a ``satisfied_by`` event that came before it (the matches tried in the order listed), else
  cancelled by a ``cancelled_by`` event before it, else breached. "Before" is by the clock when
  both have a time, else the same day or earlier. ``preceded_by`` limits it to triggers one of
  those events came before (no offer, no meeting duty). The offer of a family group
  decision-making meeting before a care application (CA 1989 s31ZA) is one.
- ``commencement: <provision>`` keeps a rule off until that provision's commencement date is
  configured (:func:`commence`, fed by the adapters from ``$CASELEDGER_COMMENCEMENTS``); from
  then it judges triggers on or after that date only.
- ``not_encoded`` maps each inventoried timescale deliberately left out (``inventory/<pack>.yaml``)
  to the specific reason; every inventory id must be encoded by a rule or listed there.

Errors name the file, the rule and the field: ``PackError``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

import domain.events  # noqa: F401  (registers every event kind)
from domain.events.base import EVENT_TYPES, Category
from policies.calendar import Unit
from policies.strands import AGE_END, CASE_STOP, OWN_CLOCK, STOP_KINDS, Strand, derive_strand

__all__ = [
    "Clock",
    "EventMatch",
    "Measures",
    "Pack",
    "PackError",
    "PackSet",
    "Recurrence",
    "Rule",
    "Severity",
    "Trigger",
    "awaiting_commencement",
    "check_inventory",
    "commence",
    "commencement_keys",
    "parse_pack",
    "uncovered_items",
]

NATIONAL = "national"
_REPLACES = re.compile(r"^national:[a-z][a-z0-9_]{1,60}$")

Scalar = str | int | float | bool | None
Condition = dict[str, Scalar | list[Scalar]]
STATUSES = (
    "looked_after",
    "cp_plan",
    "cin_plan",
    "placed_for_adoption",
    "placed_with_parents",
    "assessment",
    "unborn",
)
CHILD_DATES = ("date_of_birth", "expected_date_of_birth")


class PackError(ValueError):
    """A pack file is not valid: names the file, the rule and the field."""

    def __init__(self, file: str, rule: str | None, field_name: str | None, message: str) -> None:
        self.file = file
        self.rule = rule
        self.field = field_name
        self.message = message
        where = [file]
        if rule:
            where.append(f"rule {rule!r}")
        if field_name:
            where.append(f"field {field_name!r}")
        super().__init__(f"{': '.join(where)}: {message}")


class Severity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Measures(StrEnum):
    OCCURRED = "occurred"
    RECORDED = "recorded"
    RECORDING_DELAY = "recording_delay"
    PRECEDES = "precedes"


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Clock(_Strict):
    """A time limit: ``length`` ``unit`` (hours, same_day, working_days, ...)."""

    unit: Unit
    length: int = Field(ge=0, le=1000)

    @model_validator(mode="after")
    def _same_day(self) -> Clock:
        if self.unit is Unit.SAME_DAY and self.length != 0:
            raise ValueError("a same_day clock has length 0")
        return self

    def describe(self) -> str:
        if self.unit is Unit.SAME_DAY:
            return "same day"
        unit = self.unit.value.replace("_", " ")
        return f"1 {unit[:-1]}" if self.length == 1 else f"{self.length} {unit}"


def _check_kind(kind: str) -> str:
    cls = EVENT_TYPES.get(kind)
    if cls is None:
        raise ValueError(f"unknown event kind {kind!r}")
    if cls.category is Category.STANDARDS:
        raise ValueError(f"{kind!r} is a standards event; standards events never drive rules")
    return kind


def _check_fields(kind: str, names: Iterable[str], what: str) -> None:
    known = EVENT_TYPES[kind].model_fields
    for name in names:
        if name not in known:
            raise ValueError(f"{what}: {kind} has no field {name!r}")


Covers = dict[str, list[Scalar | list[Scalar]]]


def _is_list_field(kind: str, name: str) -> bool:
    annotation = EVENT_TYPES[kind].model_fields[name].annotation
    return getattr(annotation, "__origin__", None) is list


class EventMatch(_Strict):
    """An event kind plus conditions on its fields.

    ``covers`` (on a list-valued field): met when the matching events between them hold every
    item listed (an item that is a list: any one of its values), at the event that completes
    the set — a report shared with the parents on Monday and the chair on Tuesday meets
    "shared with ... parents/carers and the Independent Chair" on Tuesday.
    """

    kind: str
    where: Condition = Field(default_factory=dict)
    where_not: Condition = Field(default_factory=dict)
    covers: Covers = Field(default_factory=dict)
    same: dict[str, str] = Field(default_factory=dict)
    date_field: str | None = None
    clock: Clock | None = Field(
        default=None,
        description="extended_by only: the extension moves the due date to this time limit "
        "counted from the trigger instead (a subject access request extended to 3 months).",
    )

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        return _check_kind(value)

    @field_validator("same", mode="before")
    @classmethod
    def _same_list(cls, value: Any) -> Any:
        if isinstance(value, list):
            return {str(name): str(name) for name in value}
        return value

    @model_validator(mode="after")
    def _fields_exist(self) -> EventMatch:
        _check_fields(self.kind, self.where, "where")
        _check_fields(self.kind, self.where_not, "where_not")
        _check_fields(self.kind, self.same, "same")
        _check_fields(self.kind, self.covers, "covers")
        for name, items in self.covers.items():
            if not _is_list_field(self.kind, name):
                raise ValueError(f"covers: {self.kind}.{name} is not a list of values")
            if not items:
                raise ValueError(f"covers: give the values {self.kind}.{name} must hold")
        if self.date_field is not None:
            _check_fields(self.kind, [self.date_field], "date_field")
        if self.date_field is not None and self.clock is not None:
            raise ValueError("give date_field (an agreed date) or clock (a longer limit), not both")
        return self


class Trigger(_Strict):
    """What starts the clock: an event (with conditions) or a derived date (a birthday)."""

    kind: str | None = None
    also: list[str] = Field(
        default_factory=list,
        description="Further event kinds that start the same clock (a recording standard that "
        "names every practice event); where/where_not must hold on each.",
    )
    where: Condition = Field(default_factory=dict)
    where_not: Condition = Field(default_factory=dict)
    birthday: int | None = Field(default=None, ge=0, le=25)
    birthday_months: int = Field(default=0, ge=0, le=11)
    anchor: str | None = None
    anchor_child: Literal["date_of_birth", "expected_date_of_birth"] | None = None
    direction: Literal["after", "before"] = "after"
    while_status: list[str] = Field(default_factory=list)
    age_under: int | None = Field(default=None, ge=1, le=25)
    age_at_least: int | None = Field(default=None, ge=0, le=25)

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str | None) -> str | None:
        return None if value is None else _check_kind(value)

    @field_validator("also")
    @classmethod
    def _also(cls, value: list[str]) -> list[str]:
        for kind in value:
            _check_kind(kind)
        if len(set(value)) != len(value):
            raise ValueError("an event kind is listed twice")
        return value

    def kinds(self) -> tuple[str, ...]:
        """Every event kind that starts this clock (none for a birthday)."""
        return () if self.kind is None else (self.kind, *self.also)

    @field_validator("while_status")
    @classmethod
    def _statuses(cls, value: list[str]) -> list[str]:
        for status in value:
            if status not in STATUSES:
                raise ValueError(f"unknown status {status!r}; one of {', '.join(STATUSES)}")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> Trigger:
        if (self.kind is None) == (self.birthday is None):
            raise ValueError("give exactly one of kind (an event) or birthday (a derived date)")
        if self.kind is not None:
            for kind in self.kinds():
                _check_fields(kind, self.where, "where")
                _check_fields(kind, self.where_not, "where_not")
                if self.anchor is not None:
                    _check_fields(kind, [self.anchor], "anchor")
            if self.kind in self.also:
                raise ValueError(f"also: {self.kind} is already the trigger's kind")
        elif self.where or self.where_not or self.anchor or self.anchor_child or self.also:
            raise ValueError("a birthday trigger takes no where, where_not, anchor or also")
        if self.birthday_months and self.birthday is None:
            raise ValueError("birthday_months adds months to a birthday: give birthday")
        if self.anchor is not None and self.anchor_child is not None:
            raise ValueError("give at most one of anchor and anchor_child")
        if self.direction == "before" and self.anchor is None and self.anchor_child is None:
            raise ValueError("direction 'before' counts back from a date: give anchor")
        if (
            self.age_under is not None
            and self.age_at_least is not None
            and self.age_at_least >= self.age_under
        ):
            raise ValueError("age_at_least must be below age_under")
        return self

    def describe(self) -> str:
        if self.birthday is not None:
            months = f" + {self.birthday_months} months" if self.birthday_months else ""
            return f"{self.birthday}th birthday{months}" + self._qualifiers()
        text = ", ".join(self.kinds())
        if self.where:
            text += " where " + ", ".join(f"{k}={v}" for k, v in self.where.items())
        if self.where_not:
            text += " unless " + ", ".join(f"{k}={v}" for k, v in self.where_not.items())
        if self.anchor:
            text += f" ({self.direction} its {self.anchor})"
        if self.anchor_child:
            text += f" ({self.direction} the child's {self.anchor_child})"
        return text + self._qualifiers()

    def _qualifiers(self) -> str:
        text = ""
        if self.while_status:
            text += " while " + " and ".join(self.while_status)
        if self.age_under is not None:
            text += f", child under {self.age_under}"
        if self.age_at_least is not None:
            text += f", child aged {self.age_at_least}+"
        return text


class Recurrence(_Strict):
    """Later intervals, each from the event that met the previous deadline; the last repeats."""

    then: list[Clock] = Field(min_length=1)

    def interval(self, occurrence: int, first: Clock) -> Clock:
        if occurrence == 0:
            return first
        return self.then[min(occurrence - 1, len(self.then) - 1)]


class Rule(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]{1,60}$")
    title: str = Field(min_length=1, max_length=200)
    citation: str = Field(min_length=1, max_length=400)
    severity: Severity = Severity.MEDIUM
    measures: Measures = Measures.OCCURRED
    trigger: Trigger
    clock: Clock
    satisfied_by: list[EventMatch] = Field(default_factory=list)
    cancelled_by: list[EventMatch] = Field(default_factory=list)
    extended_by: list[EventMatch] = Field(default_factory=list)
    recurrence: Recurrence | None = None
    until_birthday: int | None = Field(
        default=None,
        ge=1,
        le=25,
        description="The series stops at this birthday (deadlines due after it are cancelled).",
    )
    from_birthday: int | None = Field(
        default=None,
        ge=1,
        le=25,
        description="The age band starts at this birthday: the clock counts from the later of "
        "the trigger and that birthday.",
    )
    replaces: list[str] = Field(
        default_factory=list,
        description="The national baseline rules this authority rule replaces "
        "(``national:<rule id>``): the standard is judged by this rule, not by those.",
    )
    strand: Strand | None = Field(
        default=None,
        description="The strand of work whose stop cancels this rule's deadlines "
        "(policies/strands.py); derived from the trigger when not given.",
    )
    inventory: list[str] = Field(
        default_factory=list, description="Ids in policies/packs/inventory this rule encodes."
    )
    notes: str | None = Field(default=None, max_length=2000)
    preceded_by: list[EventMatch] = Field(
        default_factory=list,
        description="measures: precedes only: judge a trigger only when one of these came first.",
    )
    commencement: str | None = Field(
        default=None,
        pattern=r"^[a-z][a-z0-9_]{1,60}$",
        description="The provision this rule waits for (e.g. cwsa_2026_s1): off until its "
        "commencement date is configured (see commence()).",
    )
    commenced_on: date | None = Field(
        default=None, description="The configured commencement date (set by commence())."
    )

    @field_validator("replaces")
    @classmethod
    def _replaces(cls, value: list[str]) -> list[str]:
        for ref in value:
            if not _REPLACES.match(ref):
                raise ValueError(f"{ref!r}: write national:<rule id> (e.g. national:icpc)")
        if len(set(value)) != len(value):
            raise ValueError("a national rule is listed twice")
        return value

    def replaced(self) -> set[str]:
        """The ids of the national rules this rule replaces."""
        return {ref.split(":", 1)[1] for ref in self.replaces}

    def in_force_on(self, day: date) -> bool:
        """Whether the rule judges a trigger on ``day`` (always, unless it awaits commencement)."""
        if self.commencement is None:
            return True
        return self.commenced_on is not None and day >= self.commenced_on

    @model_validator(mode="after")
    def _consistent(self) -> Rule:
        if self.measures is Measures.PRECEDES:
            _check_precedes(self)
        elif self.preceded_by:
            raise ValueError("preceded_by is for measures: precedes rules")
        if self.measures is Measures.RECORDING_DELAY:
            if self.satisfied_by or self.recurrence or self.extended_by:
                raise ValueError(
                    "a recording_delay rule is met by the trigger's own recording: it takes no "
                    "satisfied_by, extended_by or recurrence"
                )
            if self.trigger.kind is None:
                raise ValueError("a recording_delay rule needs an event trigger (kind)")
        elif not self.satisfied_by:
            raise ValueError("an occurred rule needs satisfied_by (what meets the standard)")
        for match in self.extended_by:
            if match.date_field is None and match.clock is None:
                raise ValueError(
                    f"extended_by {match.kind}: give date_field (the agreed date) or clock "
                    "(the longer time limit from the trigger)"
                )
        for match in (*self.satisfied_by, *self.cancelled_by, *self.preceded_by):
            if match.clock is not None:
                raise ValueError(f"{match.kind}: clock is only for extended_by")
        if self.trigger.direction == "before" and self.recurrence is not None:
            raise ValueError("a deadline counted back from a meeting does not recur")
        if (
            self.from_birthday is not None
            and self.until_birthday is not None
            and self.from_birthday >= self.until_birthday
        ):
            raise ValueError("from_birthday must be below until_birthday (the band's end)")
        return self

    def strand_of(self) -> str:
        """The strand of work this rule's deadlines belong to (see policies/strands.py)."""
        if self.strand is not None:
            return self.strand
        trigger = self.trigger
        return derive_strand(trigger.kind, trigger.where, trigger.while_status, trigger.birthday)

    def stop_kinds(self) -> tuple[str, ...]:
        """The events that stop this rule's deadlines with its case or strand (none for
        recording timeliness: the entry judged has already been written)."""
        if self.measures is Measures.RECORDING_DELAY:
            return ()
        strand = self.strand_of()
        if strand in OWN_CLOCK:
            return STOP_KINDS[strand]
        return (CASE_STOP, *STOP_KINDS[strand])

    def age_end(self) -> int | None:
        """The birthday this rule's deadlines stop at: its own, else its strand's."""
        if self.measures is Measures.RECORDING_DELAY:
            return None
        if self.until_birthday is not None:
            return self.until_birthday
        return AGE_END[self.strand_of()]

    def kinds(self) -> frozenset[str]:
        """Every event kind this rule reads (for incremental re-evaluation)."""
        matches = (*self.satisfied_by, *self.cancelled_by, *self.extended_by, *self.preceded_by)
        kinds = {m.kind for m in matches}
        kinds.update(self.stop_kinds())
        kinds.update(self.trigger.kinds())
        return frozenset(kinds)


def _check_precedes(rule: Rule) -> None:
    """``measures: precedes``: what meets the rule must come before the trigger itself.

    The trigger is the moment judged (due = the trigger's own time): met by a ``satisfied_by``
    event that occurred before it, cancelled by a ``cancelled_by`` event before it, otherwise
    breached (an application issued without the offer the law requires first).
    """
    if rule.clock.length != 0:
        raise ValueError("a precedes rule is judged at its trigger: give clock length 0")
    if rule.recurrence or rule.extended_by or rule.until_birthday:
        raise ValueError("a precedes rule takes no recurrence, extended_by or until_birthday")
    if rule.trigger.kind is None or rule.trigger.direction == "before" or rule.trigger.anchor:
        raise ValueError("a precedes rule needs an event trigger, judged at its own time")


class Pack(_Strict):
    pack: str = Field(pattern=r"^[a-z][a-z_]{1,40}$")
    title: str = Field(min_length=1, max_length=200)
    source: str = Field(min_length=1, max_length=200)
    version: str = Field(min_length=1, max_length=40)
    effective_from: date
    rules: list[Rule] = Field(min_length=1)
    not_encoded: dict[str, str] = Field(
        default_factory=dict,
        description="Inventory id -> why that timescale is deliberately not encoded.",
    )

    @field_validator("not_encoded")
    @classmethod
    def _reasons(cls, value: dict[str, str]) -> dict[str, str]:
        for item, reason in value.items():
            if len(reason.strip()) < 15:
                raise ValueError(f"{item}: give a specific reason (at least 15 characters)")
        return value

    @model_validator(mode="after")
    def _unique(self) -> Pack:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise ValueError(f"rule id {rule.id!r} appears twice")
            seen.add(rule.id)
        both = sorted(self.encoded() & set(self.not_encoded))
        if both:
            raise ValueError(f"{', '.join(both)}: both encoded by a rule and listed in not_encoded")
        return self

    def replaced(self) -> dict[str, str]:
        """National rule id -> the id of this pack's rule that judges its standard instead
        (``replaces``, or the same rule id: see :func:`baseline_problems`)."""
        found: dict[str, str] = {}
        if self.pack == NATIONAL:
            return found
        for rule in self.rules:
            found.setdefault(rule.id, rule.id)
        for rule in self.rules:
            for national_id in rule.replaced():
                found[national_id] = rule.id
        return found

    def encoded(self) -> set[str]:
        """Inventory ids some rule of this pack encodes."""
        return {item for rule in self.rules for item in rule.inventory}

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


def _error_location(raw: Mapping[str, Any], loc: Sequence[str | int]) -> tuple[str | None, str]:
    """The rule id and the dotted field path for a pydantic error location."""
    rule_id: str | None = None
    parts = list(loc)
    if len(parts) >= 2 and parts[0] == "rules" and isinstance(parts[1], int):
        rules = raw.get("rules")
        if isinstance(rules, list) and parts[1] < len(rules) and isinstance(rules[parts[1]], dict):
            rule_id = str(rules[parts[1]].get("id") or f"#{parts[1] + 1}")
        else:
            rule_id = f"#{parts[1] + 1}"
        parts = parts[2:]
    return rule_id, ".".join(str(p) for p in parts)


def parse_pack(raw: Any, file: str) -> Pack:
    """Validate already-parsed YAML data as a pack; PackError names file, rule and field."""
    if not isinstance(raw, dict):
        raise PackError(file, None, None, "a pack file holds a mapping (pack, version, rules)")
    try:
        return Pack.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        rule_id, path = _error_location(raw, err["loc"])
        message = str(err["msg"]).removeprefix("Value error, ")
        raise PackError(file, rule_id, path or None, message) from None


def check_inventory(pack: Pack, known: set[str], file: str) -> None:
    """Every inventory id a pack names exists in its inventory (``known``; skipped when empty)."""
    if not known:
        return
    for rule in pack.rules:
        for item in rule.inventory:
            if item not in known:
                raise PackError(file, rule.id, "inventory", f"no inventory item {item!r}")
    for item in pack.not_encoded:
        if item not in known:
            raise PackError(file, None, "not_encoded", f"no inventory item {item!r}")


def uncovered_items(pack: Pack, inventory: Iterable[str]) -> list[str]:
    """Inventoried timescales neither encoded by a rule nor listed in ``not_encoded``."""
    done = pack.encoded() | set(pack.not_encoded)
    return [item for item in inventory if item not in done]


def commencement_keys(packs: Iterable[Pack]) -> set[str]:
    """Every provision some rule waits for (``commencement:``)."""
    return {rule.commencement for pack in packs for rule in pack.rules if rule.commencement}


def commence(packs: PackSet, dates: Mapping[str, date]) -> PackSet:
    """The packs with each awaited provision's commencement date set from ``dates``.

    ``dates`` maps a provision key (a rule's ``commencement``) to the day it comes into force;
    a rule whose key is missing stays off. A key no rule waits for is refused (a misspelt
    key would otherwise leave the rule off without a word).
    """
    everything = [p for versions in packs.versions.values() for p in versions]
    known = commencement_keys(everything)
    unknown = sorted(set(dates) - known)
    if unknown:
        raise PackError(
            "commencement",
            None,
            unknown[0],
            f"no rule waits for the commencement of {unknown[0]!r}; "
            f"known: {', '.join(sorted(known)) or 'none'}",
        )

    def dated(pack: Pack) -> Pack:
        if not any(rule.commencement for rule in pack.rules):
            return pack
        rules = [
            rule.model_copy(update={"commenced_on": dates.get(rule.commencement)})
            if rule.commencement
            else rule
            for rule in pack.rules
        ]
        return pack.model_copy(update={"rules": rules})

    return PackSet.of(dated(p) for p in everything)


def awaiting_commencement(packs: Iterable[Pack], on: date) -> list[tuple[Pack, Rule]]:
    """The rules of ``packs`` not in force on ``on`` because their provision has not commenced."""
    return [
        (pack, rule)
        for pack in packs
        for rule in pack.rules
        if rule.commencement and not rule.in_force_on(on)
    ]


@dataclass
class PackSet:
    """Every version of every pack, and the choice of version by authority and date."""

    versions: dict[str, list[Pack]] = field(default_factory=dict)

    @classmethod
    def of(cls, packs: Iterable[Pack]) -> PackSet:
        found = cls()
        for pack in packs:
            found.add(pack)
        return found

    def add(self, pack: Pack) -> None:
        existing = self.versions.setdefault(pack.pack, [])
        if any(p.effective_from == pack.effective_from for p in existing):
            raise PackError(
                pack.pack, None, "effective_from", "two versions take effect on the same day"
            )
        existing.append(pack)
        existing.sort(key=lambda p: p.effective_from)

    def ids(self) -> list[str]:
        return sorted(self.versions)

    def latest(self, pack_id: str) -> Pack:
        return self._versions(pack_id)[-1]

    def in_force(self, pack_id: str, on: date) -> Pack:
        """The version in force on ``on``: the latest effective on or before it.

        A trigger older than every version is judged by the earliest version (no older
        standard is encoded).
        """
        versions = self._versions(pack_id)
        chosen = versions[0]
        for pack in versions:
            if pack.effective_from <= on:
                chosen = pack
        return chosen

    def _versions(self, pack_id: str) -> list[Pack]:
        try:
            return self.versions[pack_id]
        except KeyError:
            raise KeyError(
                f"no rule pack {pack_id!r}; known packs: {', '.join(self.ids())}"
            ) from None
