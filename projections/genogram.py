"""Genogram as data: people and the ties between them, per child or per family, as known.

A pure fold over recorded events (one child's stream, or every stream of a family).
It keeps three kinds of tie apart, as practitioners do:

1. **kinship** (``Genogram.kinship``): parent-child links (birth, adoptive, step, foster,
   special guardian), partners (married, civil partners, cohabiting, dating, separated,
   divorced) and siblings (full, half, step, twin), each dated, sourced, maybe disputed;
2. **parental responsibility** (``Genogram.parental_responsibility``) and **household
   membership** (``Genogram.households``), each time-bounded; an order that ends or
   grants parental responsibility (``order_made``) closes or opens PR here;
3. the **emotional and harm overlay** (``Genogram.overlay``): close, conflict, cut-off
   and abuse (with direction), with source.

Professionals and agencies go to ``Genogram.ecomap``, never into the family tree.

Conventions read from the events:
- the child whose record it is has the person id of their child id;
- a person added with ``is_child_record`` is the same person as that child's record
  (their person id becomes the child id);
- within a family view, the same person id on two children's records is one person;
- ``household_member``: ``from_person`` lives in household ``household_id`` (``to_person`` is
  who it was recorded against); record the child's own membership with the child as
  ``from_person``;
- ``parental_responsibility``: ``from_person`` holds PR for ``to_person``.

The JSON schema of :class:`Genogram` is in ``docs/genogram.schema.json`` (generated from
these models; a test keeps it in step) and described in ``docs/genogram-schema.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.codes import LegalStatus, ReasonEpisodeCeased, Sex
from domain.envelope import RecordedEvent
from domain.events.looked_after import BecameLookedAfter, CeasedToBeLookedAfter
from domain.events.people import (
    ChildBorn,
    ChildRegistered,
    PersonAdded,
    PersonDied,
    PersonRole,
    RelationshipEnded,
    RelationshipKind,
    RelationshipRecorded,
)
from domain.events.proceedings import OrderMade
from projections.legal_status import effective_history

SCHEMA_VERSION = "1"

PARENT_CHILD = frozenset(
    {
        RelationshipKind.BIRTH_PARENT,
        RelationshipKind.ADOPTIVE_PARENT,
        RelationshipKind.STEP_PARENT,
        RelationshipKind.FOSTER_PARENT,
        RelationshipKind.SPECIAL_GUARDIAN,
    }
)
PARTNERS = frozenset(
    {
        RelationshipKind.MARRIED,
        RelationshipKind.CIVIL_PARTNERS,
        RelationshipKind.COHABITING,
        RelationshipKind.DATING,
        RelationshipKind.SEPARATED,
        RelationshipKind.DIVORCED,
    }
)
SIBLINGS = frozenset(
    {
        RelationshipKind.FULL_SIBLING,
        RelationshipKind.HALF_SIBLING,
        RelationshipKind.STEP_SIBLING,
        RelationshipKind.TWIN,
    }
)
OVERLAY = frozenset(
    {
        RelationshipKind.CLOSE,
        RelationshipKind.CONFLICT,
        RelationshipKind.CUT_OFF,
        RelationshipKind.ABUSE,
    }
)
SHORT_BREAKS = frozenset({LegalStatus.SHORT_BREAK_SINGLE, LegalStatus.SHORT_BREAK_SERIES})
RETURNED_HOME = frozenset(
    {
        ReasonEpisodeCeased.RETURNED_HOME_PART_OF_PLAN,
        ReasonEpisodeCeased.RETURNED_HOME_NOT_PART_OF_PLAN,
    }
)
LEFT_FOR_CARE = "became looked after"
SYMMETRIC = PARTNERS | SIBLINGS | {RelationshipKind.CLOSE, RelationshipKind.CONFLICT}


class KinshipGroup(StrEnum):
    PARENT_CHILD = "parent_child"
    PARTNERS = "partners"
    SIBLINGS = "siblings"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(_Model):
    """Where a fact came from: the child's record and entry, the document, when written."""

    child_id: str = Field(description="The record the entry is on.")
    event_id: str
    document: str | None = Field(description="The entry's source (case-note or document ref).")
    recorded_at: datetime


class Person(_Model):
    """Someone in the family tree. Sex and gender identity are kept apart."""

    person_id: str
    child_record: str | None = Field(description="Child id, where they have a record of their own.")
    first_name: str
    last_name: str | None
    role: PersonRole | None = Field(description="Who they are to the index child, as recorded.")
    sex: Sex = Field(description="M, F or U (unknown): the symbol drawn.")
    gender_identity: str | None
    date_of_birth: date | None
    expected_date_of_birth: date | None
    unborn: bool
    deceased: bool
    date_of_death: date | None
    index_child: bool
    alleged_perpetrator: bool
    sources: list[Source]


class KinshipTie(_Model):
    """A family tie. Parent-child ties run from the parent to the child."""

    relationship_id: str
    group: KinshipGroup
    kind: RelationshipKind
    from_person: str
    to_person: str
    started_on: date | None
    ended_on: date | None
    end_reason: str | None
    disputed: bool
    sources: list[Source]


class ResponsibilityPeriod(_Model):
    """Parental responsibility held by ``person_id`` for child ``child_id``, time-bounded."""

    person_id: str
    child_id: str
    started_on: date | None
    ended_on: date | None
    granted_by_order: str | None = Field(description="Event id of the order that granted it.")
    ended_by_order: str | None = Field(description="Event id of the order that ended it.")
    end_reason: str | None
    sources: list[Source]


class HouseholdMember(_Model):
    person_id: str
    started_on: date | None
    ended_on: date | None
    end_reason: str | None = Field(
        default=None,
        description="Why they left: a relationship_ended reason, or 'became looked after' "
        "for a child who came into care (a short break does not count).",
    )
    sources: list[Source]


class Household(_Model):
    """A household with its members over time; ``name`` is how the drawing names it."""

    household_id: str
    label: str | None = Field(
        default=None, description="The latest household_label recorded (an address label)."
    )
    name: str = Field(
        default="",
        description="The label, else the members' names (those living there at the end of "
        "the record, else everyone who ever did): never the raw id.",
    )
    members: list[HouseholdMember]

    def members_on(self, day: date | None) -> list[HouseholdMember]:
        """Who lived there on ``day`` (None: at the end of the record)."""
        return [
            m
            for m in self.members
            if (m.started_on is None or day is None or m.started_on <= day)
            and (m.ended_on is None or (day is not None and m.ended_on > day))
        ]


class OverlayTie(_Model):
    """Emotional or harm tie. For abuse with ``directed``, from_person harms to_person."""

    relationship_id: str
    kind: Literal["close", "conflict", "cut_off", "abuse"]
    from_person: str
    to_person: str
    directed: bool
    started_on: date | None
    ended_on: date | None
    disputed: bool
    sources: list[Source]


class EcomapEntry(_Model):
    """A professional or agency around the child: kept out of the family tree."""

    person_id: str
    name: str
    organisation: str | None
    role: PersonRole
    sources: list[Source]


class Genogram(_Model):
    """People and ties around one child (or a family of children), as known at a moment."""

    schema_version: str = SCHEMA_VERSION
    scope: Literal["child", "family"]
    index_child: str
    family_id: str | None
    children: list[str] = Field(description="The children's records the genogram is built from.")
    as_known_at: datetime | None
    people: list[Person]
    kinship: list[KinshipTie]
    parental_responsibility: list[ResponsibilityPeriod]
    households: list[Household]
    overlay: list[OverlayTie]
    ecomap: list[EcomapEntry]
    warnings: list[str]

    def person(self, person_id: str) -> Person:
        for person in self.people:
            if person.person_id == person_id:
                return person
        raise KeyError(person_id)


# -- the fold ------------------------------------------------------------------------------


def _source(item: RecordedEvent) -> Source:
    return Source(
        child_id=item.child_id,
        event_id=item.event_id,
        document=item.event.source,
        recorded_at=item.recorded_at,
    )


class _Builder:
    def __init__(self, index_child: str) -> None:
        self.index_child = index_child
        self.people: dict[str, dict[str, object]] = {}
        self.ecomap: dict[str, dict[str, object]] = {}
        self.aliases: dict[str, str] = {}
        self.ties: dict[tuple[str, str], dict[str, object]] = {}
        self.tie_keys: dict[tuple[str, str], tuple[str, str]] = {}
        self.pr: list[dict[str, object]] = []
        self.family_id: str | None = None
        self.children: list[str] = []
        self.warnings: list[str] = []
        self.household_labels: dict[str, str] = {}
        self.left_home: dict[str, date | None] = {}

    def pid(self, person_id: str) -> str:
        return self.aliases.get(person_id, person_id)

    def person(self, person_id: str, item: RecordedEvent, **facts: object) -> None:
        known = self.people.get(person_id)
        if known is None:
            record: dict[str, object] = {
                "person_id": person_id,
                "child_record": None,
                "first_name": "",
                "last_name": None,
                "role": None,
                "sex": Sex.UNKNOWN,
                "gender_identity": None,
                "date_of_birth": None,
                "expected_date_of_birth": None,
                "deceased": False,
                "date_of_death": None,
                "alleged_perpetrator": False,
                "sources": [],
            }
            record.update(facts)
            record["sources"] = [_source(item)]
            self.people[person_id] = record
            return
        sources = known["sources"]
        assert isinstance(sources, list)
        sources.append(_source(item))
        for name, value in facts.items():
            current = known.get(name)
            if value in (None, "", False) or name == "role":
                if name == "role" and current is None:
                    known[name] = value
                continue
            if current in (None, "", False, Sex.UNKNOWN):
                known[name] = value
            elif current != value:
                self.warnings.append(
                    f"{person_id}: {name} differs between records "
                    f"({current!s} kept, {value!s} on {item.child_id})"
                )

    def apply(self, item: RecordedEvent) -> None:  # noqa: C901
        event = item.event
        if isinstance(event, ChildRegistered):
            if event.child_id not in self.children:
                self.children.append(event.child_id)
            if event.child_id == self.index_child:
                self.family_id = event.family_id
            self.person(
                event.child_id,
                item,
                child_record=event.child_id,
                first_name=event.first_name,
                last_name=event.last_name,
                sex=event.sex,
                gender_identity=event.gender_identity,
                date_of_birth=event.date_of_birth,
                expected_date_of_birth=event.expected_date_of_birth,
            )
        elif isinstance(event, ChildBorn):
            known = self.people.get(event.child_id)
            if known is not None:
                known.update(date_of_birth=event.date_of_birth, expected_date_of_birth=None)
                known["sex"] = event.sex
                if event.first_name:
                    known["first_name"] = event.first_name
        elif isinstance(event, PersonAdded):
            canonical = event.is_child_record or event.person_id
            self.aliases[event.person_id] = canonical
            if event.role is PersonRole.PROFESSIONAL:
                name = " ".join(p for p in (event.first_name, event.last_name) if p)
                entry = self.ecomap.setdefault(
                    canonical,
                    {
                        "person_id": canonical,
                        "name": name,
                        "organisation": event.organisation,
                        "role": event.role,
                        "sources": [],
                    },
                )
                sources = entry["sources"]
                assert isinstance(sources, list)
                sources.append(_source(item))
                return
            role = event.role if item.child_id == self.index_child else None
            self.person(
                canonical,
                item,
                child_record=event.is_child_record,
                first_name=event.first_name,
                last_name=event.last_name,
                role=role,
                sex=event.sex,
                gender_identity=event.gender_identity,
                date_of_birth=event.date_of_birth,
                expected_date_of_birth=event.expected_date_of_birth,
                deceased=event.deceased,
                date_of_death=event.date_of_death,
                alleged_perpetrator=event.alleged_perpetrator,
            )
        elif isinstance(event, PersonDied):
            known = self.people.get(self.pid(event.person_id))
            if known is not None:
                known.update(deceased=True, date_of_death=event.date_of_death)
                sources = known["sources"]
                assert isinstance(sources, list)
                sources.append(_source(item))
        elif isinstance(event, RelationshipRecorded):
            self.tie(item, event)
        elif isinstance(event, RelationshipEnded):
            key = self.tie_keys.get((item.child_id, event.relationship_id))
            tie = self.ties.get(key) if key else None
            if tie is not None:
                tie.update(ended_on=event.ended_on, end_reason=event.reason)
                if tie["kind"] is RelationshipKind.PARENTAL_RESPONSIBILITY:
                    for period in self.pr:
                        if period["tie"] is tie:
                            period.update(ended_on=event.ended_on, end_reason=event.reason)
        elif isinstance(event, OrderMade):
            self.order(item, event)
        elif isinstance(event, BecameLookedAfter):
            if event.legal_status not in SHORT_BREAKS:  # a short break is not leaving home
                self.left_home[item.child_id] = event.occurred_date
        elif isinstance(event, CeasedToBeLookedAfter):
            if event.reason in RETURNED_HOME:
                self.left_home.pop(item.child_id, None)

    def tie(self, item: RecordedEvent, event: RelationshipRecorded) -> None:
        kind = event.relationship
        a, b = self.pid(event.from_person), self.pid(event.to_person)
        if kind in SYMMETRIC:
            a, b = sorted((a, b))
        scope = event.household_id or ""
        if event.household_label and event.household_id:
            self.household_labels[event.household_id] = event.household_label
        key = (f"{kind.value}|{a}|{b}|{scope}", str(event.started_on))
        existing = self.ties.get(key)
        self.tie_keys[(item.child_id, event.relationship_id)] = key
        if existing is not None:  # the same tie written on a sibling's record too
            sources = existing["sources"]
            assert isinstance(sources, list)
            sources.append(_source(item))
            existing["disputed"] = bool(existing["disputed"]) or event.disputed
            return
        tie: dict[str, object] = {
            "relationship_id": event.relationship_id,
            "kind": kind,
            "from_person": a,
            "to_person": b,
            "started_on": event.started_on,
            "ended_on": None,
            "end_reason": None,
            "disputed": event.disputed,
            "household_id": event.household_id,
            "directed": event.directed,
            "sources": [_source(item)],
        }
        self.ties[key] = tie
        if kind is RelationshipKind.PARENTAL_RESPONSIBILITY:
            self.pr.append(
                {
                    "tie": tie,
                    "person_id": a,
                    "child_id": b,
                    "started_on": event.started_on,
                    "ended_on": None,
                    "granted_by_order": None,
                    "ended_by_order": None,
                    "end_reason": None,
                    "sources": tie["sources"],
                }
            )

    def order(self, item: RecordedEvent, event: OrderMade) -> None:
        day = event.occurred_date
        child = item.child_id
        reason = f"{event.order.value.replace('_', ' ')} made"
        for raw in event.parental_responsibility_ended_for:
            person = self.pid(raw)
            ended = False
            for period in self.pr:
                if (
                    period["person_id"] == person
                    and period["child_id"] == child
                    and period["ended_on"] is None
                ):
                    period.update(ended_on=day, ended_by_order=item.event_id, end_reason=reason)
                    ended = True
            if not ended:
                self.warnings.append(
                    f"{item.event_id}: ends parental responsibility for {person}, "
                    "who had none recorded"
                )
        for raw in event.parental_responsibility_granted_to:
            self.pr.append(
                {
                    "tie": None,
                    "person_id": self.pid(raw),
                    "child_id": child,
                    "started_on": day,
                    "ended_on": None,
                    "granted_by_order": item.event_id,
                    "ended_by_order": None,
                    "end_reason": None,
                    "sources": [_source(item)],
                }
            )

    def build(self, scope: Literal["child", "family"], as_known_at: datetime | None) -> Genogram:
        people = []
        for record in self.people.values():
            people.append(
                Person(
                    **record,
                    unborn=record["date_of_birth"] is None
                    and record["expected_date_of_birth"] is not None,
                    index_child=record["person_id"] == self.index_child,
                )
            )
        people.sort(key=lambda p: (not p.index_child, p.date_of_birth or date.max, p.person_id))
        known = {p.person_id for p in people}
        kinship: list[KinshipTie] = []
        overlay: list[OverlayTie] = []
        households: dict[str, list[HouseholdMember]] = {}
        for tie in self.ties.values():
            kind = tie["kind"]
            assert isinstance(kind, RelationshipKind)
            ends = [tie["from_person"], tie["to_person"]]
            missing = [p for p in ends if p not in known and p not in self.ecomap]
            if missing:
                self.warnings.append(
                    f"{tie['relationship_id']}: {', '.join(map(str, missing))} "
                    "is not a person on the record(s) read"
                )
            common = {
                "relationship_id": tie["relationship_id"],
                "from_person": tie["from_person"],
                "to_person": tie["to_person"],
                "started_on": tie["started_on"],
                "ended_on": tie["ended_on"],
                "disputed": tie["disputed"],
                "sources": tie["sources"],
            }
            if kind in OVERLAY:
                overlay.append(OverlayTie(kind=kind.value, directed=tie["directed"], **common))
            elif kind is RelationshipKind.HOUSEHOLD_MEMBER:
                member = str(tie["from_person"])
                ended_on, end_reason = tie["ended_on"], tie["end_reason"]
                left = self.left_home.get(member)
                started = tie["started_on"]
                earlier = left is not None and (
                    started is None or (isinstance(started, date) and started <= left)
                )
                if ended_on is None and earlier:
                    ended_on, end_reason = left, LEFT_FOR_CARE
                households.setdefault(str(tie["household_id"] or "household"), []).append(
                    HouseholdMember(
                        person_id=member,
                        started_on=started,
                        ended_on=ended_on,
                        end_reason=end_reason,
                        sources=tie["sources"],
                    )
                )
            elif kind is not RelationshipKind.PARENTAL_RESPONSIBILITY:
                group = (
                    KinshipGroup.PARENT_CHILD
                    if kind in PARENT_CHILD
                    else KinshipGroup.PARTNERS
                    if kind in PARTNERS
                    else KinshipGroup.SIBLINGS
                )
                kinship.append(
                    KinshipTie(group=group, kind=kind, end_reason=tie["end_reason"], **common)
                )
        responsibility = [
            ResponsibilityPeriod(**{k: v for k, v in p.items() if k != "tie"}) for p in self.pr
        ]
        ecomap = [EcomapEntry(**entry) for entry in self.ecomap.values()]
        return Genogram(
            scope=scope,
            index_child=self.index_child,
            family_id=self.family_id,
            children=sorted(self.children),
            as_known_at=as_known_at,
            people=people,
            kinship=kinship,
            parental_responsibility=responsibility,
            households=[
                self.household(hid, members, people) for hid, members in sorted(households.items())
            ],
            overlay=overlay,
            ecomap=sorted(ecomap, key=lambda e: e.person_id),
            warnings=self.warnings,
        )

    def household(
        self, household_id: str, members: list[HouseholdMember], people: list[Person]
    ) -> Household:
        label = self.household_labels.get(household_id)
        by_id = {p.person_id: p for p in people}
        order = {p.person_id: n for n, p in enumerate(sorted(people, key=_eldest_first))}
        living = [m for m in members if m.ended_on is None] or members
        names = []
        for person_id in sorted({m.person_id for m in living}, key=lambda i: order.get(i, 1 << 30)):
            person = by_id.get(person_id)
            if person is not None:
                names.append(" ".join(p for p in (person.first_name, person.last_name) if p))
        members = sorted(
            members, key=lambda m: (order.get(m.person_id, 1 << 30), m.started_on or date.min)
        )
        name = label or (_and(names) if names else "Household")
        return Household(household_id=household_id, label=label, name=name, members=members)


def _eldest_first(person: Person) -> tuple[date, str]:
    return (person.date_of_birth or person.expected_date_of_birth or date.max, person.person_id)


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


HALF_SIBLING_TIES = frozenset({RelationshipKind.BIRTH_PARENT, RelationshipKind.ADOPTIVE_PARENT})


def _siblings(builder: _Builder, others: list[RecordedEvent]) -> None:
    """Add the children of other records who share a parent with the index child's genogram
    (half-siblings, siblings), with their ties to the parents already drawn."""
    by_child: dict[str, list[RecordedEvent]] = {}
    for item in others:
        by_child.setdefault(item.child_id, []).append(item)
    for child_id, items in sorted(by_child.items()):
        aliases: dict[str, str] = {}
        for item in items:
            if isinstance(item.event, PersonAdded) and item.event.is_child_record:
                aliases[item.event.person_id] = item.event.is_child_record
        parents = [
            i
            for i in items
            if isinstance(i.event, RelationshipRecorded)
            and i.event.relationship in HALF_SIBLING_TIES
            and aliases.get(i.event.to_person, i.event.to_person) == child_id
            and builder.pid(i.event.from_person) in builder.people
        ]
        if not parents:
            continue
        for item in items:
            if isinstance(item.event, ChildRegistered | ChildBorn):
                builder.apply(item)
        for item in parents:
            builder.apply(item)


def genogram(
    events: Iterable[RecordedEvent],
    *,
    index_child: str,
    as_known_at: datetime | None = None,
    scope: Literal["child", "family"] = "child",
) -> Genogram:
    """The genogram around ``index_child`` from the given records, as known at a moment.

    ``events`` is every stream of the family (use :func:`family_children` to find them),
    or the index child's stream alone. With ``scope="child"`` the index child's record gives
    the people and ties, and the other records only add the children who share a parent
    with them (half-siblings), hanging from that parent; ``scope="family"`` merges every
    record. Only entries
    recorded by ``as_known_at`` count; corrections apply once recorded; entries recorded in
    error are dropped.
    """
    builder = _Builder(index_child)
    items = effective_history(events, as_known_at=as_known_at)
    # Fold in recorded order per stream so ends meet their starts, index child first.
    items.sort(key=lambda e: (e.child_id != index_child, e.child_id, e.position))
    others = []
    for item in items:
        if scope == "child" and item.child_id != index_child:
            others.append(item)
        else:
            builder.apply(item)
    _siblings(builder, others)
    return builder.build(scope, as_known_at)


def family_children(registrations: Iterable[RecordedEvent], child_id: str) -> list[str]:
    """The child ids sharing ``child_id``'s family id, from child_registered entries."""
    family: dict[str, str | None] = {}
    for item in registrations:
        if isinstance(item.event, ChildRegistered):
            family[item.child_id] = item.event.family_id
    wanted = family.get(child_id)
    if wanted is None:
        return [child_id]
    return sorted(c for c, f in family.items() if f == wanted)


def schema() -> dict[str, object]:
    """The JSON schema of :class:`Genogram` (what docs/genogram.schema.json holds)."""
    return Genogram.model_json_schema()
