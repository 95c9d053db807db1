"""The analyst rule on broker messages: ids pseudonymised, free text and identifiers withheld."""

from __future__ import annotations

import pytest

from adapters.broker.pseudonym import Pseudonymiser
from adapters.broker.redaction import (
    WITHHELD_TEXT,
    analyst_payload,
    rebuild_event,
    treatments,
)
from adapters.broker.relay import check_subject_token
from domain.events import EVENT_TYPES
from tests.factories import all_kinds, example

KEY = bytes(range(32))


def test_every_field_of_every_kind_has_a_treatment() -> None:
    for kind, cls in EVENT_TYPES.items():
        fields = treatments(cls)
        assert set(fields) == set(cls.model_fields), kind
        assert set(fields.values()) <= {"keep", "pseudonymise", "withhold"}
        assert fields["child_id"] == "pseudonymise", kind
        assert fields["summary"] == "withhold", kind
        assert fields["occurred_at"] == "keep", kind


def test_free_text_and_identifiers_withheld_codes_and_dates_kept() -> None:
    registered = treatments(EVENT_TYPES["child_registered"])
    for name in ("first_name", "last_name", "upn", "nhs_number", "case_number"):
        assert registered[name] == "withhold", name
    for name in ("sex", "ethnicity", "date_of_birth", "disabilities"):
        assert registered[name] == "keep", name
    assert registered["family_id"] == "pseudonymise"
    placement = treatments(EVENT_TYPES["placement_started"])
    assert placement["provider"] == "withhold" and placement["postcode"] == "withhold"
    assert placement["placement_type"] == "keep" and placement["placement_id"] == "pseudonymise"
    note = treatments(EVENT_TYPES["case_note_recorded"])
    assert note["note"] == "withhold"
    decision = treatments(EVENT_TYPES["referral_decision"])
    assert decision["rationale"] == "withhold" and decision["decided_by"] == "keep"


def test_pseudonyms_are_keyed_stable_and_not_the_id() -> None:
    one, same, other = Pseudonymiser(KEY), Pseudonymiser(KEY), Pseudonymiser(bytes(32))
    assert one("C-EX-1") == same("C-EX-1")
    assert one("C-EX-1") != other("C-EX-1")
    assert one("C-EX-1") != one("C-EX-2")
    assert len(one("C-EX-1")) == 32 and "C-EX" not in one("C-EX-1")


def test_analyst_payload_of_a_registration_carries_no_name_or_identifier() -> None:
    pseudo = Pseudonymiser(KEY)
    event = example("child_registered", "C-EX-1", family_id="fam-7")
    payload, withheld = analyst_payload(event.kind, event.payload(), pseudo)
    text = str(payload)
    for secret in ("Robin", "Testchild", "A123456789012", "9990001111", "LA-000001", "C-EX-1"):
        assert secret not in text
    assert "Example child registered" not in text and "CN-0001" not in text
    assert payload["child_id"] == pseudo("C-EX-1")
    assert payload["family_id"] == pseudo("fam-7")
    assert payload["date_of_birth"] == "2019-03-14" and payload["ethnicity"] == "WBRI"
    assert {"first_name", "last_name", "upn", "nhs_number", "summary", "source"} <= set(withheld)


def test_a_correction_is_classified_by_the_fields_it_corrects() -> None:
    pseudo = Pseudonymiser(KEY)
    fix = example(
        "entry_corrected",
        target_event_id="e-1",
        changes={"first_name": "Robyn", "ethnicity": "WIRI"},
        reason="Typo in the name.",
    )
    payload, withheld = analyst_payload(
        fix.kind, fix.payload(), pseudo, lambda _id: "child_registered"
    )
    assert payload["changes"] == {"ethnicity": "WIRI"}
    assert "changes.first_name" in withheld and "reason" in withheld
    unknown, hidden = analyst_payload(fix.kind, fix.payload(), pseudo, lambda _id: None)
    assert unknown["changes"] == {} and {"changes.ethnicity", "changes.first_name"} <= set(hidden)


@pytest.mark.parametrize("kind", all_kinds())
def test_every_kind_rebuilds_from_its_analyst_payload(kind: str) -> None:
    pseudo = Pseudonymiser(KEY)
    event = example(kind)
    payload, withheld = analyst_payload(
        kind, event.payload(), pseudo, lambda _id: "child_registered"
    )
    rebuilt = rebuild_event(kind, payload, withheld)
    assert rebuilt.kind == kind
    assert rebuilt.child_id == pseudo("C-EX-1")
    assert rebuilt.occurred_date == event.occurred_date
    assert rebuilt.summary == WITHHELD_TEXT


def test_subject_prefix_must_be_subject_words() -> None:
    assert check_subject_token("caseledger.york", "--subject-prefix") == "caseledger.york"
    for bad in ("", "a b", "a.*", "a.>", "a..b"):
        with pytest.raises(ValueError, match="--subject-prefix"):
            check_subject_token(bad, "--subject-prefix")
