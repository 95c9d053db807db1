"""Which event fields are personal data, what kind, and whose: declared once per event class.

Each event class declares, beside its fields, a class variable ``data_protection``: a mapping
from each field it adds to a code ``"<whose>:<what>"`` or ``"-"`` for a field that is not
personal data (a code, a flag, a date of a case step, an internal reference). The base
:class:`domain.events.base.CaseEvent` declares its own fields the same way, and a class
inherits its bases' declarations. ``tests/unit/test_personal_data.py`` fails when any field of
any kind in the catalogue is left unclassified, so a new field cannot slip in unexamined.

whose
- ``child``: the child whose record this is (their name, birth date, identifiers, and the
  free text written in their record, which is about them even when it mentions others);
- ``person``: the person the event is about, named by the event's ``person_id`` field (a
  parent, a relative, a carer);
- ``others``: other people named in passing (attendee lists, a referrer's name); held with
  the child's record, redacted as third parties in a subject access response;
- ``professional``: staff and professionals (worker, manager, IRO ids); not the family's
  data, never shredded with a family's record.

what: ``name``, ``date_of_birth`` (and other life dates: death, expected birth),
``address`` (postcodes, household labels), ``identifier`` (UPN, NHS number, case and court
numbers), ``characteristic`` (sex, gender identity, ethnicity, disability), ``free_text``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Whose(StrEnum):
    CHILD = "child"
    PERSON = "person"
    OTHERS = "others"
    PROFESSIONAL = "professional"


class What(StrEnum):
    NAME = "name"
    DATE_OF_BIRTH = "date_of_birth"
    ADDRESS = "address"
    IDENTIFIER = "identifier"
    CHARACTERISTIC = "characteristic"
    FREE_TEXT = "free_text"


NOT_PERSONAL = "-"
"""The code for a field that is not personal data."""


@dataclass(frozen=True)
class PersonalField:
    """One field's classification."""

    field: str
    whose: Whose
    what: What

    @property
    def held_for_family(self) -> bool:
        """Stored under a family member's key (the child's or the person's), not a professional's."""
        return self.whose is not Whose.PROFESSIONAL


def parse_code(field: str, code: str) -> PersonalField | None:
    """``"child:name"`` -> a :class:`PersonalField`; ``"-"`` -> None; anything else: ValueError."""
    if code == NOT_PERSONAL:
        return None
    whose, sep, what = code.partition(":")
    if not sep:
        raise ValueError(f"{field}: {code!r} is not '<whose>:<what>' or '-'")
    try:
        return PersonalField(field, Whose(whose), What(what))
    except ValueError:
        raise ValueError(
            f"{field}: {code!r} names an unknown whose ({', '.join(Whose)}) "
            f"or what ({', '.join(What)})"
        ) from None


def declared_codes(event_class: type[Any]) -> dict[str, str]:
    """Every field's code for an event class, its bases' declarations first."""
    codes: dict[str, str] = {}
    for klass in reversed(event_class.__mro__):
        codes.update(klass.__dict__.get("data_protection", {}))
    return codes


def personal_fields(event_class: type[Any]) -> dict[str, PersonalField]:
    """The personal fields of an event class, by field name."""
    found: dict[str, PersonalField] = {}
    for field, code in declared_codes(event_class).items():
        parsed = parse_code(field, code)
        if parsed is not None:
            found[field] = parsed
    return found


def unclassified_fields(event_class: type[Any]) -> set[str]:
    """Fields of a pydantic event class that no ``data_protection`` declaration covers."""
    return set(event_class.model_fields) - set(declared_codes(event_class))


def stale_declarations(event_class: type[Any]) -> set[str]:
    """Declared names that are not fields of the class (a renamed or removed field)."""
    return set(declared_codes(event_class)) - set(event_class.model_fields)
