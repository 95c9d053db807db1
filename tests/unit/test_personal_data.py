"""Every field of every event kind is classified once: personal data or not, and whose."""

from __future__ import annotations

import pytest

import domain.events  # noqa: F401  (registers the catalogue)
from domain.events.base import EVENT_TYPES
from domain.events.people import ChildRegistered, PersonAdded, PersonDied
from domain.personal_data import (
    What,
    Whose,
    parse_code,
    personal_fields,
    stale_declarations,
    unclassified_fields,
)

KINDS = sorted(EVENT_TYPES)


@pytest.mark.parametrize("kind", KINDS)
def test_every_field_of_the_kind_is_classified(kind: str) -> None:
    cls = EVENT_TYPES[kind]
    assert unclassified_fields(cls) == set(), f"{kind}: classify these in data_protection"
    assert stale_declarations(cls) == set(), f"{kind}: declared but not fields"
    personal_fields(cls)  # every code parses


@pytest.mark.parametrize("kind", KINDS)
def test_a_persons_data_is_only_declared_where_the_event_names_the_person(kind: str) -> None:
    cls = EVENT_TYPES[kind]
    people = [f for f in personal_fields(cls).values() if f.whose is Whose.PERSON]
    if people:
        assert "person_id" in cls.model_fields


def test_the_childs_identifying_fields_are_the_childs() -> None:
    fields = personal_fields(ChildRegistered)
    for name in ("first_name", "last_name"):
        assert (fields[name].whose, fields[name].what) == (Whose.CHILD, What.NAME)
    assert fields["date_of_birth"].what is What.DATE_OF_BIRTH
    for identifier in ("upn", "nhs_number", "case_number"):
        assert fields[identifier].what is What.IDENTIFIER
    assert "family_id" not in fields  # an internal grouping reference, not personal data


def test_another_persons_fields_are_that_persons() -> None:
    fields = personal_fields(PersonAdded)
    assert {f for f, p in fields.items() if p.whose is Whose.PERSON} >= {
        "first_name",
        "last_name",
        "date_of_birth",
        "date_of_death",
    }
    assert "person_id" not in fields
    assert personal_fields(PersonDied)["date_of_death"].whose is Whose.PERSON


def test_free_text_on_every_kind_is_personal() -> None:
    for cls in EVENT_TYPES.values():
        fields = personal_fields(cls)
        assert fields["summary"].what is What.FREE_TEXT
        assert fields["impact_on_child"].what is What.FREE_TEXT


def test_staff_are_professionals_not_family() -> None:
    recorded_by = personal_fields(PersonAdded)["recorded_by"]
    assert recorded_by.whose is Whose.PROFESSIONAL and not recorded_by.held_for_family


@pytest.mark.parametrize("code", ["child", "child:shoe_size", "aunt:name", "child:"])
def test_a_bad_code_is_refused_naming_the_field(code: str) -> None:
    with pytest.raises(ValueError, match="^nickname: "):
        parse_code("nickname", code)
