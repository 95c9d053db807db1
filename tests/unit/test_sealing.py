"""Sealing a payload under its subjects' keys: what is hidden, what stays plain, what erases."""

from __future__ import annotations

import secrets

import pytest
from cryptography.exceptions import InvalidTag

import domain.events  # noqa: F401
from adapters.shredding.erased import erased_event
from adapters.shredding.master_key import LocalMasterKey, MasterKeyError
from adapters.shredding.sealing import ERASED, SEALED, open_sealed, seal
from domain.events.people import ChildRegistered, PersonAdded
from domain.parsing import parse_event

RECORDED_BY = {"user_id": "sw-014", "role": "social_worker"}


def _person() -> PersonAdded:
    event = parse_event(
        {
            "kind": "person_added",
            "child_id": "C1",
            "occurred_at": "2024-01-02",
            "recorded_by": RECORDED_BY,
            "summary": "Mother added.",
            "person_id": "p-mum",
            "role": "mother",
            "first_name": "Kerry",
            "last_name": "Ashdown",
            "date_of_birth": "1992-07-21",
        }
    )
    assert isinstance(event, PersonAdded)
    return event


def _keys() -> dict[str, bytes | None]:
    return {"child:C1": secrets.token_bytes(32), "person:p-mum": secrets.token_bytes(32)}


def test_personal_fields_go_under_their_subjects_keys_and_the_rest_stays_plain() -> None:
    keys = _keys()
    stored = seal(PersonAdded, _person().payload(), keys.get)
    text = str(stored)
    for secret in ("Kerry", "Ashdown", "1992-07-21", "Mother added"):
        assert secret not in text
    assert stored["person_id"] == "p-mum" and stored["role"] == "mother"
    assert stored["recorded_by"] == RECORDED_BY  # a professional's id stays readable
    assert stored[SEALED]["person:p-mum"]["fields"] == [
        "date_of_birth",
        "first_name",
        "last_name",
        "sex",
    ]
    assert stored[SEALED]["child:C1"]["fields"] == ["summary"]
    opened, erased = open_sealed(PersonAdded, stored, keys.get)
    assert opened == _person().payload() and erased == set()


def test_a_destroyed_key_reads_erased_and_the_others_still_open() -> None:
    keys = _keys()
    stored = seal(PersonAdded, _person().payload(), keys.get)
    keys["person:p-mum"] = None
    opened, erased = open_sealed(PersonAdded, stored, keys.get)
    assert erased == {"first_name", "last_name", "date_of_birth", "sex"}
    assert opened["summary"] == "Mother added."
    event = erased_event(PersonAdded, opened, erased)
    assert (event.first_name, event.last_name, event.date_of_birth) == (ERASED, ERASED, None)
    assert event.person_id == "p-mum"


def test_an_erased_child_registration_still_builds() -> None:
    child = parse_event(
        {
            "kind": "child_registered",
            "child_id": "C1",
            "occurred_at": "2024-01-02",
            "recorded_by": RECORDED_BY,
            "summary": "Record opened.",
            "first_name": "Jo",
            "last_name": "Fairholm",
            "sex": "M",
            "date_of_birth": "2016-04-12",
            "upn": "A123456789012",
            "nhs_number": "9434765919",
        }
    )
    keys = _keys()
    stored = seal(ChildRegistered, child.payload(), keys.get)
    keys["child:C1"] = None
    opened, erased = open_sealed(ChildRegistered, stored, keys.get)
    event = erased_event(ChildRegistered, opened, erased)
    assert isinstance(event, ChildRegistered)
    assert (event.first_name, event.upn, event.nhs_number) == (ERASED, ERASED, ERASED)
    assert event.date_of_birth is None and event.sex.value == "U"


def test_a_box_moved_to_another_subject_does_not_open() -> None:
    keys = _keys()
    keys["person:p-other"] = keys["person:p-mum"]
    stored = seal(PersonAdded, _person().payload(), keys.get)
    boxes = stored[SEALED]
    boxes["person:p-other"] = boxes.pop("person:p-mum")
    with pytest.raises(InvalidTag):
        open_sealed(PersonAdded, stored, keys.get)


def test_a_data_key_unwraps_only_under_its_master_key_and_subject() -> None:
    master = LocalMasterKey(secrets.token_bytes(32))
    wrapped = master.wrap(b"k" * 32, b"child:C1")
    assert master.unwrap(wrapped, b"child:C1") == b"k" * 32
    with pytest.raises(MasterKeyError, match="not wrapped by master key"):
        master.unwrap(wrapped, b"child:C2")
    with pytest.raises(MasterKeyError, match="not wrapped by master key"):
        LocalMasterKey(secrets.token_bytes(32)).unwrap(wrapped, b"child:C1")
