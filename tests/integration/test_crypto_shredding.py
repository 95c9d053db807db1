"""An encrypted store: names never stored in plain text; a destroyed key erases, verify holds."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest

from adapters.shredding.master_key import MasterKeyError
from adapters.store import EventStore
from adapters.synthetic.demo_family import JORDAN, MIA, write_demo
from projections.chronology import ChronologyQuery, compose, fold
from projections.genogram import genogram
from projections.legal_status import status_at

NAMES = (b"Fairholm", b"Ashdown", b"Brantwood", b"Kerry")


def _encrypted_demo(url: str, monkeypatch: pytest.MonkeyPatch) -> EventStore:
    monkeypatch.setenv("CASELEDGER_ENCRYPT", "on")
    write_demo(url)
    store = EventStore(url)
    assert store.shredder is not None
    return store


def _chronology_text(store: EventStore, child: str) -> str:
    entries, amendments = fold(store.stream(child))
    chron = compose(entries, amendments, ChronologyQuery(children=(child,)))
    return repr(chron)  # every field of every entry and the header


def test_sqlite_file_holds_no_name_and_a_destroyed_child_reads_erased(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "enc.db"
    store = _encrypted_demo(f"sqlite:///{path}", monkeypatch)
    store.close()
    raw = path.read_bytes() + b"".join(
        p.read_bytes() for p in tmp_path.glob("enc.db-*") if p.is_file()
    )
    for name in NAMES:
        assert name not in raw, name
    store = EventStore(f"sqlite:///{path}")
    assert "Fairholm" in _chronology_text(store, JORDAN)  # reads decrypt
    assert store.shredder is not None
    store.shredder.keys.destroy(["child:DEMO-JORDAN", "person:p-father-jordan"], by="test")
    store.close()

    store = EventStore(f"sqlite:///{path}")
    report = store.verify()
    assert report.ok and report.events > 100  # the chain covers ciphertext: nothing broke
    text = _chronology_text(store, JORDAN)
    assert "[erased]" in text and "Fairholm" not in text
    tree = genogram(store.stream(JORDAN), index_child=JORDAN)
    people = {p.person_id: p for p in tree.people}
    assert people[JORDAN].first_name == "[erased]"
    assert people["p-mother"].first_name == "Kerry"  # her key is hers, not Jordan's
    assert status_at(store.stream(JORDAN), date(2023, 1, 1)).legal_status is not None
    # Mia's record is whole
    assert "Brantwood" in _chronology_text(store, MIA)
    store.close()


@pytest.mark.postgres
def test_postgres_dump_holds_no_name(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _encrypted_demo(pg_url, monkeypatch)
    schema = store.db.schema
    store.close()
    dump = subprocess.run(
        ["pg_dump", "-h", "127.0.0.1", "-U", "postgres", "-n", str(schema), "test"],
        capture_output=True,
        check=True,
    ).stdout
    assert b"caseledger_subject_keys" in dump
    for name in NAMES:
        assert name not in dump, name


def test_a_plain_store_stays_plain_when_encryption_is_turned_on_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'plain.db'}"
    monkeypatch.delenv("CASELEDGER_ENCRYPT", raising=False)
    write_demo(url)
    monkeypatch.setenv("CASELEDGER_ENCRYPT", "on")
    with EventStore(url) as store:
        assert store.shredder is None  # history is never rewritten; it reads as before
        assert "Fairholm" in _chronology_text(store, JORDAN)


def test_an_encrypted_store_without_its_master_key_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "enc.db"
    _encrypted_demo(f"sqlite:///{path}", monkeypatch).close()
    Path(f"{path}.master-key").unlink()
    with pytest.raises(MasterKeyError, match="master key is missing"):
        EventStore(f"sqlite:///{path}")


def test_an_entry_whose_rule_ties_an_erased_field_to_another_still_reads_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A referral made without consent must give the rationale: once the child's key is gone
    the rationale is erased, and the entry must still read (it did not: destroy failed)."""
    from domain.parsing import parse_event
    from tests.factories import example_data

    monkeypatch.setenv("CASELEDGER_ENCRYPT", "on")
    url = f"sqlite:///{tmp_path / 'consent.db'}"
    store = EventStore(url)
    referral = example_data(
        "referral_received",
        "C-CONSENT",
        "2025-02-03",
        consent="best_interest_without_consent",
        consent_rationale="Telling the father would put the child at risk",
    )
    store.record(
        [
            parse_event(example_data("child_registered", "C-CONSENT", "2025-02-03")),
            parse_event(referral),
        ]
    )
    assert store.shredder is not None
    store.shredder.keys.destroy(["child:C-CONSENT"], by="test")
    store.close()
    store = EventStore(url)
    read = store.stream("C-CONSENT")[1].event
    assert read.kind == "referral_received"
    assert read.consent_rationale == "[erased]"
    assert str(read.consent.value) == "best_interest_without_consent"  # not personal: kept
    assert store.verify().ok
    store.close()


def test_a_page_of_the_log_reads_its_subjects_keys_in_one_query_and_erases_the_destroyed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import event

    url = f"sqlite:///{tmp_path / 'enc.db'}"
    _encrypted_demo(url, monkeypatch).close()
    store = EventStore(url)
    assert store.shredder is not None
    store.shredder.keys.destroy(["child:DEMO-MIA"], by="test")
    store.close()

    store = EventStore(url)  # a new reader: no key held in memory
    assert store.shredder is not None
    key_queries: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if "subject_keys" in statement and "wrapped_key" in statement:
            key_queries.append(statement)

    event.listen(store.shredder.keys.engine, "before_cursor_execute", count)
    events = list(store.iter_all())  # the demo's 186 events are one page
    subjects = {s for e in events for s in (e.event.payload().get("_sealed") or {})}
    assert len(events) > 100
    assert len(key_queries) == 1, key_queries  # not one query for each of its subjects
    names = {e.child_id: e.event.first_name for e in events if e.event.kind == "child_registered"}
    assert names["DEMO-MIA"] == "[erased]"
    assert names[JORDAN] == "Jordan"
    assert subjects == set()  # what a reader is given is opened, never the boxes
