"""Find a child, and the children a new registration may duplicate (pure folds and matching).

:func:`child_index` folds the log (or the part of it the caller may see) into one
:class:`IndexedChild` per child: given and family name, date of birth (or expected date),
NHS number, as the record now stands (``domain.effective``: corrections applied, entries
recorded in error out). Names come from ``child_registered`` (a ``child_born`` may name the
baby and gives the date of birth); the NHS number from ``child_registered``, replaced by the
latest ``consistent_identifier_recorded`` (Children Act 2004 s16LC), as the caseload reads it.

A field whose key was destroyed reads ``[erased]`` (``adapters.shredding``): here it is held
as nothing, so it can never match a search nor be shown as a name.

:func:`search` finds children by name (case- and accent-insensitive, partial, any order,
either name), child id, date of birth (ISO ``YYYY-MM-DD`` or UK ``DD/MM/YYYY``) and NHS
number (spaces or hyphens allowed, check digit verified): every criterion given must hold.
:func:`possible_duplicates` gives, before a new child is registered, the children already on
record that may be the same child, each with the reasons in words.

Nothing here decides who may see a child: the caller passes only the events of the children
the account may see (``Gate.visible``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from domain.effective import effective_events
from domain.envelope import RecordedEvent
from domain.events.corrections import EntryCorrected, EntryRecordedInError
from domain.events.cwsa2026 import ConsistentIdentifierRecorded
from domain.events.people import ChildBorn, ChildRegistered
from domain.nhs_number import NhsNumber, nhs_number_problem

__all__ = [
    "ERASED",
    "IndexedChild",
    "Match",
    "PossibleDuplicate",
    "SearchError",
    "SearchQuery",
    "age_on",
    "child_index",
    "parse_date_of_birth",
    "parse_nhs_number",
    "possible_duplicates",
    "search",
]

ERASED = "[erased]"
"""What a field reads once its key is destroyed (``adapters.shredding.sealing.ERASED``)."""

DATE_RULE = "a date as YYYY-MM-DD (2019-03-14) or DD/MM/YYYY (14/03/2019)"

_FACTS = (ChildRegistered, ChildBorn, ConsistentIdentifierRecorded)
_AMENDMENTS = (EntryCorrected, EntryRecordedInError)


@dataclass(frozen=True)
class IndexedChild:
    """What identifies one child on record (nothing erased is held)."""

    child_id: str
    given: str | None = None
    family: str | None = None
    date_of_birth: date | None = None
    expected_date_of_birth: date | None = None
    nhs_number: str | None = None
    """Ten digits, as stored."""

    @property
    def name(self) -> str | None:
        """Given and family name, or None when neither is held (never ``[erased]``)."""
        parts = [p for p in (self.given, self.family) if p]
        return " ".join(parts) or None

    @property
    def nhs_formatted(self) -> str | None:
        if not self.nhs_number:
            return None
        digits = self.nhs_number
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}" if len(digits) == 10 else digits


def _kept(value: object) -> str | None:
    """A text field's value, or None when it is empty or erased."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    return None if not text or text == ERASED else text


def _day(value: object) -> date | None:
    return value if isinstance(value, date) and not isinstance(value, datetime) else None


def child_index(events: Iterable[RecordedEvent]) -> list[IndexedChild]:
    """One entry per child in ``events``, sorted by child id (only the identifying entries
    are held, not the log)."""
    children: set[str] = set()
    held: list[RecordedEvent] = []
    for item in events:
        children.add(item.child_id)
        if isinstance(item.event, _FACTS + _AMENDMENTS):
            held.append(item)
    found: dict[str, dict[str, object]] = {c: {} for c in children}
    consistent: dict[str, str | None] = {}
    for item in effective_events(held):
        fact = item.event
        row = found[item.child_id]
        if isinstance(fact, ChildRegistered):
            row["given"] = _kept(fact.first_name)
            row["family"] = _kept(fact.last_name)
            row["date_of_birth"] = _day(fact.date_of_birth)
            row["expected_date_of_birth"] = _day(fact.expected_date_of_birth)
            row["nhs_number"] = _kept(fact.nhs_number) or row.get("nhs_number")
        elif isinstance(fact, ChildBorn):
            row["date_of_birth"] = _day(fact.date_of_birth)
            row["given"] = _kept(fact.first_name) or row.get("given")
        elif isinstance(fact, ConsistentIdentifierRecorded):
            consistent[item.child_id] = _kept(fact.nhs_number)
    for child, number in consistent.items():
        found[child]["nhs_number"] = number  # the consistent identifier wins (s16LC)
    return [
        IndexedChild(child_id=c, **found[c])  # type: ignore[arg-type]
        for c in sorted(found)
    ]


def age_on(born: date, today: date) -> int:
    """Whole years from ``born`` to ``today`` (a 29 February birthday falls on 1 March)."""
    years = today.year - born.year
    if (today.month, today.day) < (born.month, born.day):
        years -= 1
    return years


# -- reading what people type ---------------------------------------------------------------


class SearchError(ValueError):
    """A search field that cannot be read; ``field`` names it (``dob``, ``nhs``, ``q``...)."""

    def __init__(self, field: str, label: str, message: str) -> None:
        super().__init__(f"{label}: {message}")
        self.field = field
        self.label = label


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def parse_date_of_birth(text: str, field: str = "dob", label: str = "Date of birth") -> date:
    """A date of birth as people type it: ``2019-03-14`` or ``14/03/2019`` (also ``14.03.2019``
    and ``14-03-2019``: a UK date is day first). Raises :class:`SearchError` naming the field."""
    value = text.strip()
    iso, uk = _ISO.match(value), _UK.match(value)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    elif uk:
        day, month, year = (int(g) for g in uk.groups())
    else:
        raise SearchError(field, label, f"{value!r} is not {DATE_RULE}")
    try:
        return date(year, month, day)
    except ValueError:
        raise SearchError(
            field, label, f"{value!r} is not a real date (day {day}, month {month}, year {year})"
        ) from None


def parse_nhs_number(text: str, field: str = "nhs", label: str = "NHS number") -> str:
    """The ten digits of a valid NHS number typed with or without spaces or hyphens; raises
    :class:`SearchError` naming the field and the rule (``domain.nhs_number``)."""
    digits = text.strip().replace(" ", "").replace("-", "")
    problem = nhs_number_problem(digits)
    if problem is not None:
        raise SearchError(field, label, problem)
    return NhsNumber(digits).digits


def _fold(text: str) -> str:
    """Case- and accent-insensitive form; apostrophes dropped (O'Neil = ONeil = O’Neil)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"['’`]", "", plain)


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[\s,]+", _fold(text)) if t]


# -- search -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchQuery:
    """What to look for; every part given must match. Build with :meth:`parse`."""

    text: str | None = None
    """Name (any part of either name, any order) or child id."""
    date_of_birth: date | None = None
    nhs_number: str | None = None

    @property
    def empty(self) -> bool:
        return not self.text and self.date_of_birth is None and self.nhs_number is None

    @classmethod
    def parse(
        cls, q: str | None = None, dob: str | None = None, nhs: str | None = None
    ) -> tuple[SearchQuery, list[SearchError]]:
        """The query from the form's fields, and an error for each field that cannot be read
        (an unreadable field is left out of the query)."""
        errors: list[SearchError] = []
        born: date | None = None
        number: str | None = None
        if dob and dob.strip():
            try:
                born = parse_date_of_birth(dob)
            except SearchError as error:
                errors.append(error)
        if nhs and nhs.strip():
            try:
                number = parse_nhs_number(nhs)
            except SearchError as error:
                errors.append(error)
        text = (q or "").strip() or None
        if text is not None and len(text) > 200:
            errors.append(SearchError("q", "Name or child id", "at most 200 characters"))
            text = None
        elif text is not None and len(re.sub(r"[\s,]", "", text)) < 2:
            errors.append(SearchError("q", "Name or child id", "give at least 2 letters"))
            text = None
        return cls(text=text, date_of_birth=born, nhs_number=number), errors


@dataclass(frozen=True)
class Match:
    child: IndexedChild
    matched_on: tuple[str, ...]
    """What matched, in words: ``child id``, ``name``, ``date of birth``, ``NHS number``."""
    rank: int
    """Lower is better: an exact child id, then a whole name, then a partial one."""


def _id_rank(text: str, child_id: str) -> int | None:
    wanted, have = text.strip().casefold(), child_id.casefold()
    if wanted == have:
        return 0
    if len(wanted) >= 2 and wanted in have:
        return 2
    return None


def _name_rank(text: str, child: IndexedChild) -> int | None:
    """1 when each word is a whole given or family name, 3 when each is part of one, else
    None. A child with no name held (or an erased one) never matches."""
    names = [_fold(n) for n in (child.given, child.family) if n]
    if not names:
        return None
    words = _tokens(text)
    if not words:
        return None
    parts = [p for n in names for p in re.split(r"[\s-]+", n) if p] + names
    if all(w in parts for w in words):
        return 1
    if all(any(w in n for n in names) for w in words):
        return 3
    return None


def search(children: Iterable[IndexedChild], query: SearchQuery) -> list[Match]:
    """The children matching every part of ``query`` (none for an empty query), best first,
    then by child id."""
    if query.empty:
        return []
    found: list[Match] = []
    for child in children:
        matched: list[str] = []
        rank = 4
        if query.text:
            by_id = _id_rank(query.text, child.child_id)
            by_name = _name_rank(query.text, child)
            if by_id is None and by_name is None:
                continue
            if by_id is not None:
                matched.append("child id")
            if by_name is not None:
                matched.append("name")
            rank = min(r for r in (by_id, by_name) if r is not None)
        if query.date_of_birth is not None:
            if child.date_of_birth != query.date_of_birth:
                continue
            matched.append("date of birth")
        if query.nhs_number is not None:
            if child.nhs_number != query.nhs_number:
                continue
            matched.append("NHS number")
            rank = min(rank, 0)
        found.append(Match(child, tuple(matched), rank))
    return sorted(found, key=lambda m: (m.rank, m.child.child_id))


# -- possible duplicates ----------------------------------------------------------------------


def _distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions)."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def _similar(a: str, b: str) -> bool:
    """Two names people might write for one child: the same, one the start of the other
    (Sam / Samuel, 3 letters or more), or a slip of one letter (two in a name of 8 or more)."""
    if a == b:
        return True
    short = min(len(a), len(b))
    if short >= 3 and (a.startswith(b) or b.startswith(a)):
        return True
    allowed = 2 if short >= 8 else 1 if short >= 4 else 0
    return _distance(a, b) <= allowed


def _name_likeness(given: str, family: str, child: IndexedChild) -> str | None:
    """``same``, ``swapped`` (given and family the other way round), ``similar``, or None."""
    if not child.given or not child.family:
        return None
    g, f = _fold(given).strip(), _fold(family).strip()
    cg, cf = _fold(child.given), _fold(child.family)
    if (g, f) == (cg, cf):
        return "same"
    if (g, f) == (cf, cg):
        return "swapped"
    if _similar(g, cg) and _similar(f, cf):
        return "similar"
    return None


@dataclass(frozen=True)
class PossibleDuplicate:
    child: IndexedChild
    reasons: tuple[str, ...]
    strength: int
    """3: the same NHS number; 2: the same name and date of birth; 1: the same date of birth
    and a similar (or swapped) name; 0: the same name with another or no date of birth."""
    notes: tuple[str, ...] = field(default=())
    """What speaks against it (a different NHS number)."""


def possible_duplicates(
    children: Iterable[IndexedChild],
    given: str | None,
    family: str | None,
    dob: date | None,
    nhs: str | None,
) -> list[PossibleDuplicate]:
    """The children on record that a new child (``given`` ``family``, born ``dob``, NHS
    number ``nhs`` as ten digits; any may be None) may be, strongest first, then by child id.

    Reasons: the same NHS number; the same name and date of birth; the same date of birth
    and a similar name, or the names given the other way round; the same name and a
    different date of birth (or none held). A match on name and date of birth whose NHS
    numbers differ is still shown, with that noted against it.
    """
    results: list[PossibleDuplicate] = []
    have_name = bool(given and given.strip() and family and family.strip())
    for child in children:
        reasons: list[str] = []
        notes: list[str] = []
        strength = -1
        if nhs and child.nhs_number == nhs:
            reasons.append("same NHS number")
            strength = 3
        likeness = _name_likeness(given or "", family or "", child) if have_name else None
        same_day = dob is not None and child.date_of_birth == dob
        if likeness == "same" and same_day:
            reasons.append("same name and date of birth")
            strength = max(strength, 2)
        elif likeness == "swapped" and same_day:
            reasons.append("same date of birth, given and family names the other way round")
            strength = max(strength, 1)
        elif likeness == "similar" and same_day:
            reasons.append(f"same date of birth and a similar name ({child.name})")
            strength = max(strength, 1)
        elif likeness in ("same", "swapped"):
            if child.date_of_birth is None:
                reasons.append("same name, no date of birth on record")
            elif dob is None:
                reasons.append("same name")
            else:
                reasons.append(
                    f"same name, different date of birth ({child.date_of_birth.isoformat()})"
                )
            strength = max(strength, 0)
        if strength < 0:
            continue
        if nhs and child.nhs_number and child.nhs_number != nhs:
            notes.append("a different NHS number is on record")
        results.append(PossibleDuplicate(child, tuple(reasons), strength, tuple(notes)))
    return sorted(results, key=lambda d: (-d.strength, d.child.child_id))
