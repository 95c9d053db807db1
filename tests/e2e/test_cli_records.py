"""The command line as a user meets it: demo, record, history, children, events, verify."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli.main import app
from adapters.store import EventStore
from tests.factories import example_data
from tests.journeys import every_kind_journey

runner = CliRunner()


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def test_demo_prints_a_rich_history_with_late_entry_and_correction(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    code, out, _ = run("demo", "--db", url)
    assert code == 0, out
    code, out, _ = run("history", "DEMO-JORDAN", "--db", url, "--json", "--as", "sw-014")
    entries = json.loads(out)
    assert len(entries) >= 40
    assert len({e["kind"] for e in entries}) >= 12
    kinds = [e["kind"] for e in entries]
    assert "entry_corrected" in kinds and "entry_recorded_in_error" in kinds
    late = [
        e
        for e in entries
        if e["kind"] == "child_visited" and e["occurred_at"].startswith("2021-05-06")
    ]
    assert late and late[0]["recorded_at"].startswith("2021-05-27")
    required = {
        "event_id",
        "position",
        "child_id",
        "kind",
        "occurred_at",
        "recorded_at",
        "recorded_by",
        "summary",
        "significant",
        "correlation_id",
    }
    assert required <= set(entries[0])
    strategy = [e for e in entries if e["kind"] == "strategy_discussion_held"][0]
    assert strategy["correlation_id"] == "SD-2021-03-10"
    code, out, _ = run("demo", "--db", url)
    assert code == 1  # the demo refuses to write into a store that already holds events


def test_the_demo_store_is_encrypted_unless_asked_for_plain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CASELEDGER_ENCRYPT", raising=False)
    sealed = tmp_path / "sealed.db"
    code, out, _ = run("demo", "--db", f"sqlite:///{sealed}")
    assert code == 0, out
    assert f"encrypted per person (key file {sealed}.master-key" in out
    raw = sealed.read_bytes()
    assert b"Fairholm" not in raw and b"2016-04-12" not in raw  # Jordan's surname, birth date
    with EventStore(f"sqlite:///{sealed}") as store:
        assert store.shredder is not None
    plain = tmp_path / "plain.db"
    code, out, _ = run("demo", "--db", f"sqlite:///{plain}", "--plain")
    assert code == 0, out
    assert "kept in plain text" in out
    with EventStore(f"sqlite:///{plain}") as store:
        assert store.shredder is None
    assert "CASELEDGER_ENCRYPT" not in os.environ  # the demo's choice does not outlive it


def test_children_lists_the_caseload(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    run("demo", "--db", url)
    code, out, _ = run("children", "--db", url, "--json", "--as", "dpo-001")
    rows = {r["child_id"]: r for r in json.loads(out)}
    assert set(rows) == {"DEMO-JORDAN", "DEMO-MIA", "DEMO-TWIN-A", "DEMO-TWIN-B", "DEMO-UNBORN"}
    assert rows["DEMO-JORDAN"]["name"] == "Jordan Fairholm"
    assert rows["DEMO-JORDAN"]["authority"] == "york"
    assert rows["DEMO-JORDAN"]["last_event_date"] == "2024-01-22"
    # 27 entries, and the strategy decisions and her CIN plan circulated (issue 14 §3)
    assert rows["DEMO-MIA"]["events"] == 29


def test_events_lists_each_kind_with_its_schema() -> None:
    code, out, _ = run("events", "--json")
    catalogue = {e["kind"]: e for e in json.loads(out)}
    assert "referral_received" in catalogue
    schema = catalogue["referral_received"]["schema"]
    assert "referral_source" in schema["required"]
    assert set(schema["properties"]["referral_source"]["$ref"].split("/")[-1:]) == {
        "ReferralSource"
    }


def _write(tmp_path: Path, data: object) -> str:
    path = tmp_path / "events.json"
    path.write_text(json.dumps(data))
    return str(path)


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    code, out, err = run("record", _write(tmp_path, every_kind_journey()[:3]), "--db", url)
    assert code == 0, err
    return url


def _count(url: str) -> int:
    with EventStore(url) as store:
        return store.max_position()


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d.pop("summary"), "event 1 (case_note_recorded) field 'summary': is required"),
        (
            lambda d: d.update(kind="child_teleported"),
            "event 1 field 'kind': unknown event kind 'child_teleported'",
        ),
        (
            lambda d: d.update(occurred_at="2099-01-01"),
            "event 1 (case_note_recorded) field 'occurred_at': is 2099-01-01, in the future",
        ),
        (
            lambda d: d.update(occurred_at="01/02/2026"),
            "event 1 (case_note_recorded) field 'occurred_at'",
        ),
    ],
)
def test_invalid_input_names_event_field_rule_and_writes_nothing(
    tmp_path: Path, url: str, mutate, expected: str
) -> None:  # type: ignore[no-untyped-def]
    before = _count(url)
    good = example_data("case_note_recorded", occurred_at="2025-03-01")
    bad = example_data("case_note_recorded", occurred_at="2025-03-02")
    mutate(bad)
    code, _, err = run("record", _write(tmp_path, [good, bad]), "--db", url)
    assert code != 0
    assert expected in err
    assert _count(url) == before


def test_correction_of_unknown_event_is_refused(tmp_path: Path, url: str) -> None:
    before = _count(url)
    data = [example_data("entry_corrected", occurred_at="2025-03-01", target_event_id="no-such-id")]
    code, _, err = run("record", _write(tmp_path, data), "--db", url)
    assert code != 0
    assert "event 0 (entry_corrected) field 'target_event_id': no event 'no-such-id' exists" in err
    assert _count(url) == before


def test_record_from_stdin_and_history_as_known_at(tmp_path: Path, url: str) -> None:
    code, out, err = run(
        "record",
        "-",
        "--db",
        url,
        input=json.dumps(example_data("child_visited", occurred_at="2025-03-01")),
    )
    assert code == 0, err
    code, out, _ = run("history", "C-EX-1", "--db", url, "--json")
    everything = json.loads(out)
    assert everything[-1]["kind"] == "child_visited"
    first_recorded = everything[0]["recorded_at"]
    code, out, _ = run("history", "C-EX-1", "--db", url, "--json", "--as-known-at", first_recorded)
    known = json.loads(out)
    assert [e["kind"] for e in known] == [d["kind"] for d in every_kind_journey()[:3]]


def test_verify_says_ok(url: str) -> None:
    code, out, _ = run("verify", "--db", url)
    assert code == 0
    assert "ok: 3 events in 1 streams" in out


def test_unknown_child_and_bad_url_are_clear_errors(url: str) -> None:
    code, _, err = run("history", "NOBODY", "--db", url)
    assert code == 3 and "no record for child 'NOBODY'" in err
    code, _, err = run("history", "C-EX-1", "--db", "mysql://x")
    assert code == 1 and "must start sqlite:/// or postgresql://" in err


def test_a_weekend_conference_is_recorded_with_a_warning(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    batch = [
        example_data("child_registered", "C-WKD", "2026-06-01"),
        example_data("initial_child_protection_conference_held", "C-WKD", "2026-06-06T10:00"),
    ]
    result = runner.invoke(app, ["record", "-", "--db", url], input=json.dumps(batch))
    assert result.exit_code == 0, result.stderr
    assert "recorded 2 event(s)" in result.stdout
    assert (
        "warning: event 1 (initial_child_protection_conference_held) for C-WKD: occurred_at "
        "06/06/2026 is Saturday" in result.stderr
    )


def test_tables_print_square_brackets_in_the_record_as_written(tmp_path: Path, url: str) -> None:
    """rich read '[...]' in case text as markup and dropped it: '[sic]', '[erased]', notes."""
    child = every_kind_journey()[0]["child_id"]
    note = example_data(
        "case_note_recorded",
        child_id=child,
        summary="Mother said she [sic] would call [erased].",
        significant=True,
    )
    code, _, err = run("record", _write(tmp_path, [note]), "--db", url)
    assert code == 0, err
    code, out, err = run("history", child, "--db", url)
    assert code == 0, err
    assert "[sic]" in out and "[erased]" in out
    code, out, err = run("chronology", child, "--db", url, "--all")
    assert code == 0, err
    assert "[sic]" in out and "[erased]" in out
