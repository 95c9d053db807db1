"""The redaction plan of a subject access response, on small hand-built records."""

from __future__ import annotations

from datetime import UTC, datetime

from projections.subject_access import PNC, SH, TP, YOU, SarEntry, plan
from tests.unit.deadline_helpers import ChildStream

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def family() -> dict[str, list]:
    """Two twins (same surname, same birthday), their mother and a father of one of them."""
    a = ChildStream("TWIN-1")
    b = ChildStream("TWIN-2")
    for child, first in ((a, "Ava"), (b, "Ethan")):
        child.events.clear()
        child.add(
            "child_registered",
            "2023-05-20",
            first_name=first,
            last_name="Ellison",
            date_of_birth="2023-05-20",
            case_number=f"CN-{first}",
            family_id="FAM-1",
        )
    a.add(
        "person_added",
        "2024-01-02",
        person_id="p-mum",
        role="mother",
        first_name="Kerry",
        last_name="Ashdown",
        date_of_birth="1992-07-21",
        summary="Kerry Ashdown added (mother).",
    )
    a.add(
        "person_added",
        "2024-01-02",
        person_id="TWIN-2",
        role="sibling",
        first_name="Ethan",
        last_name="Ellison",
        date_of_birth="2023-05-20",
        is_child_record="TWIN-2",
    )
    a.add(
        "relationship_recorded",
        "2024-01-02",
        relationship_id="r-1",
        relationship="birth_parent",
        from_person="p-mum",
        to_person="TWIN-1",
        started_on="1992-07-21",  # mistyped as the mother's birthday: still hers
    )
    a.add("case_note_recorded", "2024-01-03", note="Ava and Ethan played together.")
    a.add("case_note_recorded", "2024-01-04", note="Ava was seen at nursery by sw-001.")
    a.add("case_note_recorded", "2024-01-05", note="Ava slept well.")
    a.add("case_note_recorded", "2024-01-05", note="Kerry rang about Ava's nursery place.")
    a.add("case_note_recorded", "2024-01-05", note="Kerry rang to rearrange the visit.")
    b.add("case_note_recorded", "2024-01-06", note="Ethan asked where Ava was.")
    b.add("case_note_recorded", "2024-01-06", note="Kerry phoned about Ethan's cough.")
    return {"TWIN-1": a.events, "TWIN-2": b.events}


def by_kind(entries: tuple[SarEntry, ...], kind: str) -> list[SarEntry]:
    return [e for e in entries if e.kind == kind]


def field(entry: SarEntry, label: str) -> tuple[str | None, str | None]:
    (found,) = [f for f in entry.fields if f.label == label]
    return found.value, found.code


def test_a_twins_own_record_keeps_what_she_shares_and_redacts_the_rest() -> None:
    result = plan(family(), "TWIN-1", as_known_at=NOW)
    assert result.subject_name == "Ava Ellison"
    (registered,) = by_kind(result.entries, "child_registered")
    assert field(registered, "date of birth") == ("2023-05-20", None)  # her twin's too: hers
    assert field(registered, "last name") == ("Ellison", None)
    mum, twin = by_kind(result.entries, "person_added")
    assert field(mum, "first name") == (None, TP)
    assert field(mum, "date of birth") == (None, TP)
    assert field(mum, "summary") == (None, TP)
    assert field(mum, "role") == ("mother", None)
    assert field(twin, "first name") == (None, TP) and field(twin, "person id") == (None, TP)
    (tie,) = by_kind(result.entries, "relationship_recorded")
    assert field(tie, "started on") == (None, TP)  # a value that is the mother's birthday
    assert field(tie, "to person") == (YOU, None)
    notes = [field(e, "note") for e in by_kind(result.entries, "case_note_recorded")]
    assert notes[0] == (None, TP)  # names her brother
    assert notes[1] == (None, PNC)  # names a professional who has not consented
    assert notes[2] == ("Ava slept well.", None)
    # her brother's record: only the entry naming her, and his free text is withheld
    (other,) = [e for e in result.entries if not e.own_record]
    assert other.record == "another child's record (1)"
    assert field(other, "note") == (None, TP)
    assert field(other, "recorded by (name)") == (None, PNC)


def test_a_parent_gets_the_entries_naming_her_and_only_what_is_hers() -> None:
    result = plan(family(), "p-mum", as_known_at=NOW)
    kinds = [e.kind for e in result.entries]
    # Ethan's record names "Kerry" in a note, but does not add her: not known there, so not
    # taken to be her (a first name alone, in a record she is not on, is anyone's)
    assert kinds == ["person_added", "relationship_recorded", "case_note_recorded"] + [
        "case_note_recorded"
    ]
    assert all(e.record == "another child's record (1)" for e in result.entries)
    mum = result.entries[0]
    assert field(mum, "first name") == ("Kerry", None)
    assert field(mum, "date of birth") == ("1992-07-21", None)
    assert field(mum, "summary") == ("Kerry Ashdown added (mother).", None)
    assert field(mum, "person id") == (YOU, None)
    tie = result.entries[1]
    assert field(tie, "from person") == (YOU, None)
    assert field(tie, "to person") == (None, TP)
    assert field(tie, "started on") == (None, TP)  # a child's field of the child's record
    assert field(result.entries[2], "note") == (None, TP)  # names Ava too
    assert field(result.entries[3], "note") == ("Kerry rang to rearrange the visit.", None)


def test_consent_names_the_professional_and_serious_harm_withholds_the_entry() -> None:
    streams = family()
    plain = plan(streams, "TWIN-1", as_known_at=NOW)
    seen = plan(streams, "TWIN-1", as_known_at=NOW, professionals_consented=["sw-001"])
    note = by_kind(seen.entries, "case_note_recorded")[1]
    assert field(note, "note") == ("Ava was seen at nursery by sw-001.", None)
    assert field(note, "recorded by") == ("sw-001 (social_worker)", None)
    target = by_kind(plain.entries, "case_note_recorded")[2].event_id
    harmed = plan(streams, "TWIN-1", as_known_at=NOW, serious_harm_event_ids=[target])
    (withheld,) = [e for e in harmed.entries if e.event_id == target]
    assert withheld.withheld and [(f.value, f.code) for f in withheld.fields] == [(None, SH)]
    assert harmed.redaction_counts()[SH] == 1
    assert len({plain.digest(), seen.digest(), harmed.digest()}) == 3
    assert plain.digest() == plan(streams, "TWIN-1", as_known_at=NOW).digest()


def test_what_was_recorded_later_is_not_in_a_response_as_known_earlier() -> None:
    streams = family()
    early = plan(streams, "TWIN-1", as_known_at=datetime(2024, 1, 3, 23, tzinfo=UTC))
    assert [e.kind for e in early.entries][-1] == "case_note_recorded"
    later = plan(streams, "TWIN-1", as_known_at=NOW).entries
    assert len(early.entries) == len(later) - 5  # four notes of hers, one of her brother's
