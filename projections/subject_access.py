"""A subject access response as data: every entry about one person, others' data redacted.

Pure: a fold over the recorded events of every child's record (no store, no clock). The
adapters render the plan (``adapters/exporters/subject_access.py``) and write the request's
events (``adapters/cli/sar.py``).

**Who the subject is.** A child with a record (their child id), or a person on a child's
record (a ``person_added`` person id: a parent, carer, relative). A ``person_added`` entry
whose ``is_child_record`` names a child is that child under another id: both ids are the
subject's.

**Which entries are about them.**

- a child: every entry of their own record;
- in any other record (a sibling's, or a child's record naming a parent): an entry that
  *mentions* them — one of the subject's ids in any field (``person_id``, ``from_person`` /
  ``to_person``, ``is_child_record``, attendees, ``offered_to``, ``declined_by``,
  ``shared_with``, ``requester_person_id``), or their full name as an item of such a list;
  the end of a relationship they are a party to (``relationship_ended`` by its
  ``relationship_id``); a correction or "recorded in error" of an entry about them; or free
  text naming them (full name, or first name as a whole word) in a record where they are
  known: a record that adds them, or, for a child, a record of the same family.

**What is redacted, field by field** (the classification is :mod:`domain.personal_data`'s,
declared once on each event class):

- ``professional`` fields (worker, manager, chair, who recorded it): **PNC**, "professional
  who does not consent", unless the configuration lists that professional as consenting;
- ``child`` fields of another child's record and ``person`` fields of another person,
  ``others`` items that are not the subject: **TP**, third party;
- free text (summaries, notes, reasons, impact): shown only when nothing in it is another
  person's (their name, first or last name unless the subject shares it, date of birth,
  identifier, address, id) and, outside the subject's own record, when it names the
  subject; else the whole field is **TP** — free text that cannot be shown clean is
  withheld rather than leaked;
- every other value shown is scanned the same way (a relationship's start date that is a
  parent's birth date is TP in the child's response);
- an entry the reviewer marks under the serious harm exemption is withheld whole: **SH**.

The plan's :meth:`SubjectAccessPlan.digest` fixes what a reviewer approved: a release
recomputes the plan and must match it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from domain.envelope import RecordedEvent
from domain.events.base import EVENT_TYPES, LONDON
from domain.personal_data import What, Whose, personal_fields

TP = "TP"
PNC = "PNC"
SH = "SH"

REASONS: dict[str, tuple[str, str]] = {
    TP: (
        "Third party",
        "Another person's personal data (their name, date of birth, address, identifiers, or "
        "free text about them). Data Protection Act 2018 Sch. 2 Part 3 para 16 (protection of "
        "the rights of others).",
    ),
    PNC: (
        "Professional who does not consent",
        "A member of staff or other professional who has not consented to be named. Data "
        "Protection Act 2018 Sch. 2 Part 3 paras 16-17.",
    ),
    SH: (
        "Serious harm exemption",
        "Withheld by the reviewer: disclosure would be likely to prejudice social work by "
        "causing serious harm to the physical or mental health of the data subject or another "
        "individual. Data Protection Act 2018 Sch. 3 Part 3 para 7.",
    ),
}
"""Each reason code: its name and what it means, with the exemption it rests on."""

HIDDEN = (
    "child_id",
    "occurred_at",
    "idempotency_key",
    "correlation_id",
    "significant",
    "occurred_precision",
)
"""Fields shown apart (the record, the date) or that say nothing to the requester."""

_MONTHS = (
    "January February March April May June July August September October November December"
).split()


ABOUT_ANOTHER_SHOWN = ("role", "recorded_by", "entered_by")
"""What an entry about another person (``person_id``) still shows: who they are to the child."""
_PROFESSIONAL_FIELDS = ("recorded_by", "entered_by")

YOU = "you"
"""How the subject's own id reads (an id may embed someone else's name: p-father-jordan)."""


def redaction_mark(code: str) -> str:
    return f"[Redacted: {code}]"


@dataclass(frozen=True)
class Person:
    """What the store holds that identifies one person (a child or a person on a record)."""

    id: str
    ids: frozenset[str]
    first_names: frozenset[str]
    last_names: frozenset[str]
    dates: frozenset[date]
    identifiers: frozenset[str]
    addresses: frozenset[str]
    is_child: bool

    @property
    def full_names(self) -> frozenset[str]:
        return frozenset(f"{f} {last}" for f in self.first_names for last in self.last_names)

    def display_name(self) -> str:
        names = sorted(self.full_names) or sorted(self.first_names)
        return names[0] if names else self.id


@dataclass
class _Acc:
    ids: set[str] = field(default_factory=set)
    first: set[str] = field(default_factory=set)
    last: set[str] = field(default_factory=set)
    dates: set[date] = field(default_factory=set)
    identifiers: set[str] = field(default_factory=set)
    addresses: set[str] = field(default_factory=set)
    is_child: bool = False


def _as_date(value: Any) -> date | None:
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def directory(streams: Mapping[str, Sequence[RecordedEvent]]) -> dict[str, Person]:
    """Every person the store identifies, by their canonical id (a child's id for a child)."""
    alias: dict[str, str] = {}
    for events in streams.values():
        for e in events:
            if e.kind == "person_added":
                p = e.payload()
                if p.get("is_child_record"):
                    alias[str(p["person_id"])] = str(p["is_child_record"])
    acc: dict[str, _Acc] = {}

    def of(pid: str) -> _Acc:
        canonical = alias.get(pid, pid)
        found = acc.setdefault(canonical, _Acc())
        found.ids.update({canonical, pid})
        return found

    for child_id, events in streams.items():
        for e in events:
            p = e.payload()
            if e.kind in ("child_registered", "child_born"):
                a = of(child_id)
                a.is_child = True
                if p.get("first_name"):
                    a.first.add(str(p["first_name"]))
                if p.get("last_name"):
                    a.last.add(str(p["last_name"]))
                for key in ("date_of_birth", "expected_date_of_birth"):
                    if (d := _as_date(p.get(key))) is not None:
                        a.dates.add(d)
                for key in ("upn", "nhs_number", "case_number"):
                    if p.get(key):
                        a.identifiers.add(str(p[key]))
            elif e.kind == "person_added":
                a = of(str(p["person_id"]))
                if p.get("first_name"):
                    a.first.add(str(p["first_name"]))
                if p.get("last_name"):
                    a.last.add(str(p["last_name"]))
                for key in ("date_of_birth", "expected_date_of_birth", "date_of_death"):
                    if (d := _as_date(p.get(key))) is not None:
                        a.dates.add(d)
            elif e.kind == "person_died":
                if (d := _as_date(p.get("date_of_death"))) is not None:
                    of(str(p["person_id"])).dates.add(d)
            elif e.kind == "relationship_recorded" and p.get("household_label"):
                for pid in (p["from_person"], p["to_person"]):
                    of(str(pid)).addresses.add(str(p["household_label"]))
    return {
        pid: Person(
            id=pid,
            ids=frozenset(a.ids),
            first_names=frozenset(a.first),
            last_names=frozenset(a.last),
            dates=frozenset(a.dates),
            identifiers=frozenset(a.identifiers),
            addresses=frozenset(a.addresses),
            is_child=a.is_child,
        )
        for pid, a in acc.items()
    }


def resolve(people: Mapping[str, Person], person: str) -> Person | None:
    """The person an id names (a child id, a person id, or a person id that is a child's)."""
    if person in people:
        return people[person]
    for candidate in people.values():
        if person in candidate.ids:
            return candidate
    return None


def date_texts(d: date) -> set[str]:
    """How a date may be written: ISO, 12 April 2016, 12 Apr 2016, 12/04/2016."""
    month = _MONTHS[d.month - 1]
    return {
        d.isoformat(),
        f"{d.day} {month} {d.year}",
        f"{d.day:02d} {month} {d.year}",
        f"{d.day} {month[:3]} {d.year}",
        f"{d.day:02d} {month[:3]} {d.year}",
        f"{d.day:02d}/{d.month:02d}/{d.year}",
    }


@dataclass(frozen=True)
class Scanner:
    """Finds another person's data in a piece of text: which code, or None when clean."""

    third_party: Tokens
    professionals: Tokens
    subject_names: Tokens
    third_party_values: frozenset[str]

    def finds(self, text: str) -> str | None:
        if self.third_party.found_in(text):
            return TP
        if self.professionals.found_in(text):
            return PNC
        return None

    def names_subject(self, text: str) -> bool:
        return self.subject_names.found_in(text)


_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Tokens:
    """Names, dates, ids and phrases, each matched as a whole word in any case ("ashdown" in
    "hh-ashdown" too, an id inside a longer id): single words by set look-up, so a store's
    thousands of names cost little; the rest (ids, dates, full names) by search."""

    words: frozenset[str]
    phrases: tuple[str, ...]

    @classmethod
    def of(cls, tokens: Iterable[str]) -> Tokens:
        folded = {t.casefold() for t in tokens if t}
        words = {t for t in folded if _WORD.fullmatch(t)}
        return cls(frozenset(words), tuple(sorted(folded - words)))

    def found_in(self, text: str) -> bool:
        folded = text.casefold()
        if self.words and not self.words.isdisjoint(_WORD.findall(folded)):
            return True
        return any(_phrase_in(p, folded) for p in self.phrases)


def _phrase_in(phrase: str, folded: str) -> bool:
    start = folded.find(phrase)
    while start >= 0:
        end = start + len(phrase)
        before = folded[start - 1] if start else " "
        after = folded[end] if end < len(folded) else " "
        if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
            return True
        start = folded.find(phrase, start + 1)
    return False


def scanner(people: Mapping[str, Person], subject: Person, professionals: Iterable[str]) -> Scanner:
    """What counts as someone else's data for this subject (what the subject shares is theirs)."""
    own_tokens = {t.casefold() for t in subject.first_names | subject.last_names}
    own_dates = {t for d in subject.dates for t in date_texts(d)}
    tokens: set[str] = set()
    values: set[str] = set()
    for other in people.values():
        if other.id == subject.id:
            continue
        tokens |= other.full_names
        tokens |= {
            t for t in other.first_names | other.last_names if t.casefold() not in own_tokens
        }
        for d in other.dates:
            tokens |= date_texts(d) - own_dates
        for text in other.identifiers | (other.addresses - subject.addresses):
            tokens.add(text)
            values.add(text)
        for pid in other.ids - subject.ids:
            tokens.add(pid)
            values.add(pid)
    return Scanner(
        Tokens.of(tokens),
        Tokens.of(professionals),
        Tokens.of(subject.full_names | subject.first_names),
        frozenset(values),
    )


@dataclass(frozen=True)
class ShownField:
    """One field of an entry as the response shows it: its value, or a redaction code."""

    label: str
    value: str | None
    code: str | None = None

    @property
    def text(self) -> str:
        return redaction_mark(self.code) if self.code else (self.value or "")


@dataclass(frozen=True)
class SarEntry:
    event_id: str
    record: str
    own_record: bool
    occurred: str
    recorded: str
    title: str
    kind: str
    fields: tuple[ShownField, ...]
    withheld: bool = False

    def codes(self) -> list[str]:
        return [f.code for f in self.fields if f.code]


@dataclass(frozen=True)
class SubjectAccessPlan:
    subject_id: str
    subject_name: str
    as_known_at: datetime
    entries: tuple[SarEntry, ...]
    professionals_consented: tuple[str, ...]
    serious_harm_event_ids: tuple[str, ...]

    def redaction_counts(self) -> dict[str, int]:
        counts = {code: 0 for code in REASONS}
        for entry in self.entries:
            for code in entry.codes():
                counts[code] += 1
        return counts

    @property
    def redactions(self) -> int:
        return sum(self.redaction_counts().values())

    def digest(self) -> str:
        """SHA-256 of what the response shows and withholds (the approval pins it)."""
        data = {
            "subject": self.subject_id,
            "as_known_at": self.as_known_at.isoformat(),
            "consented": list(self.professionals_consented),
            "serious_harm": list(self.serious_harm_event_ids),
            "entries": [
                [e.event_id, e.withheld, [[f.label, f.value, f.code] for f in e.fields]]
                for e in self.entries
            ],
        }
        text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- which entries -----------------------------------------------------------------------


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _free_text_fields(kind: str) -> set[str]:
    cls = EVENT_TYPES.get(kind)
    if cls is None:
        return set()
    return {n for n, pf in personal_fields(cls).items() if pf.what is What.FREE_TEXT}


def _mentions_by_structure(e: RecordedEvent, subject: Person) -> bool:
    payload = e.payload()
    free = _free_text_fields(e.kind)
    names = {n.casefold() for n in subject.full_names}
    for name, value in payload.items():
        if name == "child_id" or name in free:
            continue
        for text in _strings(value):
            if text in subject.ids or text.casefold() in names:
                return True
    return False


def _known_in(streams: Mapping[str, Sequence[RecordedEvent]], subject: Person) -> set[str]:
    """The records where the subject is known: their own, those adding them, their family's."""
    known = {c for c in streams if c in subject.ids}
    families: set[str] = set()
    for child_id, events in streams.items():
        for e in events:
            p = e.payload()
            if e.kind == "person_added" and str(p.get("person_id")) in subject.ids:
                known.add(child_id)
            if e.kind == "child_registered" and child_id in subject.ids and p.get("family_id"):
                families.add(str(p["family_id"]))
    if families:
        for child_id, events in streams.items():
            for e in events:
                if e.kind == "child_registered" and e.payload().get("family_id") in families:
                    known.add(child_id)
    return known


def entries_about(
    streams: Mapping[str, Sequence[RecordedEvent]], subject: Person
) -> list[RecordedEvent]:
    """Every entry about the subject, in record order then stream order (see the module doc)."""
    known = _known_in(streams, subject)
    scan = scanner({subject.id: subject}, subject, ())
    found: list[RecordedEvent] = []
    for child_id, events in sorted(streams.items()):
        if child_id in subject.ids:
            found.extend(events)
            continue
        chosen: dict[str, RecordedEvent] = {}
        relationships: set[str] = set()
        for e in events:
            hit = _mentions_by_structure(e, subject)
            if not hit and child_id in known:
                payload = e.payload()
                hit = any(
                    scan.names_subject(text)
                    for name in _free_text_fields(e.kind)
                    for text in _strings(payload.get(name))
                )
            if e.kind == "relationship_recorded" and hit:
                relationships.add(str(e.payload()["relationship_id"]))
            if (
                not hit
                and e.kind == "relationship_ended"
                and e.payload().get("relationship_id") in relationships
            ):
                hit = True
            if (
                not hit
                and e.kind in ("entry_corrected", "entry_recorded_in_error")
                and e.payload().get("target_event_id") in chosen
            ):
                hit = True
            if hit:
                chosen[e.event_id] = e
        found.extend(chosen.values())
    return found


# -- how each field shows ------------------------------------------------------------------


def _label(name: str) -> str:
    return name.replace("_", " ")


def _value_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _owner(whose: Whose, e: RecordedEvent, people: Mapping[str, Person]) -> str | None:
    if whose is Whose.CHILD:
        found = resolve(people, e.child_id)
        return found.id if found else e.child_id
    if whose is Whose.PERSON:
        pid = e.payload().get("person_id")
        found = resolve(people, str(pid)) if pid else None
        return found.id if found else None
    return None


def _shown(
    e: RecordedEvent,
    subject: Person,
    people: Mapping[str, Person],
    scan: Scanner,
    consented: frozenset[str],
) -> tuple[ShownField, ...]:
    cls = EVENT_TYPES.get(e.kind)
    classified = personal_fields(cls) if cls is not None else {}
    own_record = e.child_id in subject.ids
    payload = e.payload()
    about = resolve(people, str(payload["person_id"])) if "person_id" in payload else None
    about_another = about is not None and about.id != subject.id
    out: list[ShownField] = []
    for name, value in payload.items():
        if name in HIDDEN:
            continue
        pf = classified.get(name)
        label = _label(name)
        if about_another and name not in ABOUT_ANOTHER_SHOWN and name not in _PROFESSIONAL_FIELDS:
            # an entry about someone else (their details, death, an allegation against them)
            out.append(ShownField(label, None, TP))
            continue
        if name in ("recorded_by", "entered_by") and isinstance(value, Mapping):
            user = str(value.get("user_id", ""))
            role = str(value.get("role", ""))
            if user in consented:
                out.append(ShownField(label, f"{user} ({role})"))
            else:
                out.append(ShownField(f"{label} (name)", None, PNC))
                out.append(ShownField(f"{label} (role)", role))
            continue
        if pf is not None and pf.whose is Whose.PROFESSIONAL:
            items = list(_strings(value))
            if items and all(i in consented for i in items):
                out.append(ShownField(label, _value_text(value)))
            else:
                out.append(ShownField(label, None, PNC))
            continue
        if pf is not None and pf.whose is Whose.OTHERS:
            if isinstance(value, list):
                if not value:
                    out.append(ShownField(label, "none"))
                for item in value:
                    text = _value_text(item)
                    mine = text in subject.ids or text.casefold() in {
                        n.casefold() for n in subject.full_names
                    }
                    shown = YOU if text in subject.ids else text
                    out.append(ShownField(label, shown if mine else None, None if mine else TP))
            else:
                text = _value_text(value)
                mine = text in subject.ids or text.casefold() in {
                    n.casefold() for n in subject.full_names
                }
                shown = YOU if text in subject.ids else text
                out.append(ShownField(label, shown if mine else None, None if mine else TP))
            continue
        if (
            pf is None
            and isinstance(value, list)
            and value
            and all(isinstance(i, str) for i in value)
        ):
            for item in value:  # a list of codes or ids: each item on its own
                if item in subject.ids:
                    out.append(ShownField(label, YOU))
                    continue
                code = TP if item in scan.third_party_values else scan.finds(item)
                out.append(ShownField(label, None if code else item, code))
            continue
        text = _value_text(value)
        if text in subject.ids:
            out.append(ShownField(label, YOU))  # the subject's own id: it may embed a name
            continue
        if pf is not None and pf.what is What.FREE_TEXT:
            leak = scan.finds(text)
            if leak is None and not own_record and not scan.names_subject(text):
                leak = TP  # someone else's record: shown only when it is about the subject
            out.append(ShownField(label, None if leak else text, leak))
            continue
        if pf is not None:
            owner = _owner(pf.whose, e, people)
            if owner != subject.id:
                out.append(ShownField(label, None, TP))
                continue
        if text in scan.third_party_values:
            out.append(ShownField(label, None, TP))
            continue
        leak = scan.finds(text)
        out.append(ShownField(label, None if leak else text, leak))
    return tuple(out)


def _day_text(value: datetime | date) -> str:
    if isinstance(value, datetime):
        return value.astimezone(LONDON).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def professionals_in(streams: Mapping[str, Sequence[RecordedEvent]]) -> set[str]:
    """Every professional id the records hold (who recorded, worker, chair...)."""
    found: set[str] = set()
    for events in streams.values():
        for e in events:
            cls = EVENT_TYPES.get(e.kind)
            classified = personal_fields(cls) if cls is not None else {}
            for name, value in e.payload().items():
                if name in ("recorded_by", "entered_by") and isinstance(value, Mapping):
                    found.add(str(value.get("user_id", "")))
                elif (pf := classified.get(name)) is not None and pf.whose is Whose.PROFESSIONAL:
                    found.update(_strings(value))
    return {p for p in found if p}


def plan(
    streams: Mapping[str, Sequence[RecordedEvent]],
    subject_id: str,
    *,
    as_known_at: datetime,
    professionals_consented: Iterable[str] = (),
    serious_harm_event_ids: Iterable[str] = (),
) -> SubjectAccessPlan:
    """The response for ``subject_id`` from what was recorded by ``as_known_at``.

    Raises KeyError when no record names that person.
    """
    known = {
        child: [e for e in events if e.recorded_at <= as_known_at]
        for child, events in streams.items()
    }
    known = {child: events for child, events in known.items() if events}
    people = directory(known)
    subject = resolve(people, subject_id)
    if subject is None:
        raise KeyError(subject_id)
    consented = frozenset(professionals_consented)
    harm = frozenset(serious_harm_event_ids)
    professionals = professionals_in(known) - consented
    scan = scanner(people, subject, professionals)
    labels: dict[str, str] = {}
    entries: list[SarEntry] = []
    for e in entries_about(known, subject):
        own = e.child_id in subject.ids
        if own:
            record = "your record"
        else:
            labels.setdefault(e.child_id, f"another child's record ({len(labels) + 1})")
            record = labels[e.child_id]
        cls = EVENT_TYPES.get(e.kind)
        title = cls.title if cls is not None else e.kind
        occurred = _day_text(e.event.occurred_at)
        recorded = _day_text(e.recorded_at)
        if e.event_id in harm:
            fields: tuple[ShownField, ...] = (ShownField("entry", None, SH),)
            entries.append(
                SarEntry(e.event_id, record, own, occurred, recorded, title, e.kind, fields, True)
            )
            continue
        fields = _shown(e, subject, people, scan, consented)
        entries.append(SarEntry(e.event_id, record, own, occurred, recorded, title, e.kind, fields))
    return SubjectAccessPlan(
        subject_id=subject.id,
        subject_name=subject.display_name(),
        as_known_at=as_known_at,
        entries=tuple(entries),
        professionals_consented=tuple(sorted(consented)),
        serious_harm_event_ids=tuple(sorted(harm)),
    )
