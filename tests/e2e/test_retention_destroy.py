"""`retention destroy`: a child's keys go, the chain verifies, every view reads [erased];
`retention due` lists what the schedule says is due; a legal hold stops a destruction."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import sqlalchemy.exc
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from adapters import disposal_log
from adapters.cli.demo import add_demo_accounts
from adapters.cli.main import app
from adapters.db import sql_engine
from adapters.http import create_app
from adapters.synthetic.demo_family import JORDAN, MIA, write_demo

runner = CliRunner()
JORDANS = (b"Fairholm", b"2016-04-12")  # his surname, his date of birth


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


PASSWORD: dict[str, str] = {}


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    """The encrypted demo store with its accounts."""
    monkeypatch.setenv("CASELEDGER_ENCRYPT", "on")
    path = tmp_path / "demo.db"
    url = f"sqlite:///{path}"
    write_demo(url)
    PASSWORD[url] = add_demo_accounts(url)
    return path, url


@pytest.fixture
def destroyed(demo: tuple[Path, str]) -> tuple[Path, str]:
    path, url = demo
    code, out = cli(
        "retention", "destroy", JORDAN, "--db", url, "--as", "dpo-001",
        "--authorised-by", "Head of Service (A. Cole)", "--reason", "retention period ended",
    )  # fmt: skip
    assert code == 0, out
    assert "kept p-mother: also in the record of DEMO-MIA" in out
    assert "did not yet have this record due (adoption-100-years); destroyed as authorised" in out
    return path, url


def test_the_destroyed_record_verifies_and_reads_erased_everywhere(
    destroyed: tuple[Path, str], tmp_path: Path
) -> None:
    path, url = destroyed
    code, out = cli("verify", "--db", url, "--as", "admin")
    assert code == 0 and "every link intact" in out, out
    assert "ok: disposal log of 1 certificate(s), every link intact" in out, out
    code, out = cli(
        "chronology", JORDAN, "--db", url, "--as", "tm-003", "--format", "html",
        "--out", str(tmp_path / "c.html"),
    )  # fmt: skip
    assert code == 0, out
    page = (tmp_path / "c.html").read_text()
    assert "Date of birth: [erased]" in page and "Expected date of birth" not in page
    assert "Fairholm" not in page
    csv_file = tmp_path / "c.csv"
    code, out = cli(
        "chronology", JORDAN, "--db", url, "--as", "tm-003", "--format", "csv",
        "--out", str(csv_file),
    )  # fmt: skip
    assert code == 0, out
    assert "[erased]" in csv_file.read_text() and "Fairholm" not in csv_file.read_text()
    for fmt in ("pdf", "docx"):
        code, out = cli(
            "chronology", JORDAN, "--db", url, "--as", "tm-003", "--format", fmt,
            "--out", str(tmp_path / f"c.{fmt}"),
        )  # fmt: skip
        assert code == 0, out
    code, out = cli("genogram", JORDAN, "--db", url, "--as", "tm-003", "--format", "json")
    assert code == 0, out
    people = {p["person_id"]: p for p in json.loads(out[out.index("{") :])["people"]}
    assert people[JORDAN]["first_name"] == "[erased]"
    assert people["p-father-jordan"]["first_name"] == "[erased]"
    assert people["p-mother"]["first_name"] == "Kerry"  # shared with Mia: kept
    code, out = cli("status", JORDAN, "--db", url, "--as", "tm-003")
    assert code == 0, out
    code, out = cli("export", "cin-census", "--year", "2024", "--db", url, "--as", "analyst-001")
    assert code == 0 and "<Message" in out, out  # the return runs over the erased child
    code, out = cli("feed", "--db", url, "--as", "analyst-001")
    assert code == 0, out
    last = json.loads(out.strip().splitlines()[-1])  # the whole feed ends with the purge
    assert (last["kind"], last["purge_position"]) == ("purge", 1)
    raw = b"".join(p.read_bytes() for p in path.parent.glob("demo.db*") if p.is_file())
    for value in JORDANS:
        assert value not in raw, value


def test_a_person_shared_with_a_sibling_survives(destroyed: tuple[Path, str]) -> None:
    _, url = destroyed
    code, out = cli("genogram", MIA, "--db", url, "--as", "tm-003", "--format", "json")
    assert code == 0, out
    people = {p["person_id"]: p for p in json.loads(out[out.index("{") :])["people"]}
    assert (people["p-mother"]["first_name"], people["p-mother"]["last_name"]) == (
        "Kerry",
        "Ashdown",
    )
    assert people[MIA]["last_name"] == "Brantwood"


def test_the_disposal_certificate_is_chained_and_names_ids_only(
    destroyed: tuple[Path, str],
) -> None:
    _, url = destroyed
    engine = sql_engine(url)
    code, out = cli("retention", "verify-log", "--db", url, "--as", "dpo-001")
    assert code == 0 and "disposal log of 1 certificate(s), every link intact" in out, out
    [certificate] = disposal_log.certificates(engine)
    content = certificate.content
    assert content["child_id"] == JORDAN
    assert content["subjects_destroyed"] == [
        "child:DEMO-JORDAN",
        "person:p-adopter-1",
        "person:p-father-jordan",
    ]
    assert content["authorised_by"] == "Head of Service (A. Cole)"
    # no --rule: the schedule's rule, not yet due (adopted in 2023: kept 100 years)
    assert content["rule"] == "adoption-100-years"
    assert content["schedule"] == {"rule": "adoption-100-years", "due": False}
    assert content["carried_out_by"] == "dpo-001"  # the signed-in account, not the request
    assert "p-mother" in content["people_kept"]
    assert disposal_log.verify(engine) == []
    tamper = (
        "UPDATE caseledger_disposals SET certificate = replace(certificate, 'dpo-001', 'sw-014')"
    )
    for statement in (tamper, "DELETE FROM caseledger_disposals"):
        with pytest.raises(sqlalchemy.exc.IntegrityError, match="append-only"):
            with engine.begin() as conn:
                conn.exec_driver_sql(statement)
    assert disposal_log.certificates(engine)[0].content == content  # unchanged
    # the schema's owner can drop the trigger and rewrite a row: the chain shows it
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER caseledger_disposals_no_update")
        conn.exec_driver_sql(tamper)
    assert disposal_log.verify(engine) == ["certificate 1 does not match its hash (altered)"]
    code, out = cli("verify", "--db", url, "--as", "admin")
    assert code == 7 and "BROKEN disposal log: certificate 1 does not match" in out, out
    code, out = cli("retention", "verify-log", "--db", url, "--as", "dpo-001")
    assert code == 7 and "1 problem(s) in the disposal log" in out, out

    # the last certificate removed (its guard dropped too): the chain left is whole, but
    # the keys it destroyed are named by no certificate now
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER caseledger_disposals_no_delete")
        conn.exec_driver_sql("DELETE FROM caseledger_disposals")
    code, out = cli("verify", "--db", url, "--as", "admin")
    assert code == 7 and "BROKEN disposal log: 3 destroyed key(s) with no certificate" in out
    code, out = cli("retention", "verify-log", "--db", url, "--as", "dpo-001")
    assert code == 7 and "child:DEMO-JORDAN" in out, out


def test_a_social_worker_may_not_destroy_and_a_plain_store_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CASELEDGER_ENCRYPT", raising=False)
    url = f"sqlite:///{tmp_path / 'plain.db'}"
    write_demo(url)
    add_demo_accounts(url)
    args = ("--authorised-by", "X", "--reason", "r", "--db", url)
    code, out = cli("retention", "destroy", JORDAN, *args, "--as", "sw-014")
    assert code == 10, out
    code, out = cli("retention", "destroy", JORDAN, *args, "--as", "dpo-001")
    assert code == 1 and "plain text" in out, out


def test_the_web_pages_of_a_destroyed_child_read_erased(destroyed: tuple[Path, str]) -> None:
    _, url = destroyed
    client = TestClient(create_app(url), base_url="https://testserver")
    form = client.get("/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    signed = client.post(
        "/sign-in",
        data={"username": "tm-003", "password": PASSWORD[url], "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text
    for page in ("", "/chronology", "/family", "/status"):
        response = client.get(f"/child/{JORDAN}{page}")
        assert response.status_code == 200, (page, response.text[:300])
        assert "Fairholm" not in response.text and "12/04/2016" not in response.text, page
    assert "[erased]" in client.get(f"/child/{JORDAN}").text
    assert "[erased]" in client.get(f"/child/{JORDAN}/family").text


def _due(url: str, *extra: str) -> dict[str, dict[str, object]]:
    code, out = cli("retention", "due", "--db", url, "--as", "dpo-001", "--json", *extra)
    assert code == 0, out
    return {row["child_id"]: row for row in json.loads(out)["records"]}


def test_due_lists_records_past_their_date_with_the_rule(demo: tuple[Path, str]) -> None:
    path, url = demo
    size = path.stat().st_size
    assert _due(url, "--at", "2026-12-04") == {}  # nothing in the demo is due yet
    due = _due(url, "--at", "2060-01-01")
    assert set(due) == {MIA, "DEMO-TWIN-A", "DEMO-TWIN-B"}  # Jordan was adopted: 100 years
    assert due[MIA]["rule"] == "child-protection-35-years-after-closure"
    assert (due[MIA]["clock"], due[MIA]["clock_start"], due[MIA]["destroy_on"]) == (
        "case_closure",
        "2022-02-07",
        "2057-02-07",
    )
    assert due[MIA]["legal_hold"] is None
    assert "Northumberland" in str(due[MIA]["citation"])
    jordan = _due(url, "--at", "2123-11-20")[JORDAN]  # the destroy-on day itself is due
    assert (jordan["rule"], jordan["clock_start"], jordan["destroy_on"]) == (
        "adoption-100-years",
        "2023-11-20",
        "2123-11-20",
    )
    assert set(jordan["record_types"]) == {  # type: ignore[arg-type]
        "adoption", "child_in_need", "child_protection", "looked_after", "referral",
    }  # fmt: skip
    assert JORDAN not in _due(url, "--at", "2123-11-19")
    code, out = cli("retention", "due", "--db", url, "--as", "dpo-001", "--at", "2060-01-01")
    assert code == 0
    assert (
        "DEMO-MIA: due; destroy on 2057-02-07 under child-protection-35-years-after-closure "
        "(35 years from case_closure 2022-02-07)"
    ) in out
    code, out = cli("retention", "due", "--db", url, "--as", "sw-014")
    assert code == 10, out
    code, out = cli("retention", "due", "--db", url, "--as", "dpo-001", "--at", "someday")
    assert code == 1 and "--at 'someday': expected an ISO date" in out, out
    assert path.stat().st_size == size  # a read never writes


def test_a_legal_hold_blocks_destruction_until_lifted(
    demo: tuple[Path, str], tmp_path: Path
) -> None:
    _, url = demo
    destroy = (
        "retention", "destroy", JORDAN, "--db", url, "--as", "dpo-001",
        "--authorised-by", "Head of Service (A. Cole)", "--reason", "retention period ended",
    )  # fmt: skip
    hold = ("retention", "hold", JORDAN, "--db", url)
    code, out = cli(*hold, "--as", "dpo-001", "--reason-kind", "lawsuit", "--reason", "x")
    assert code == 1 and "--reason-kind 'lawsuit': choose litigation, inquiry, review" in out
    code, out = cli(*hold, "--as", "sw-014", "--reason-kind", "inquiry", "--reason", "x")
    assert code == 10, out  # a social worker may not place a hold
    code, out = cli(
        *hold, "--as", "dpo-001", "--reason-kind", "inquiry", "--reason", "Inquiry notice 2026/4"
    )
    assert code == 0 and "legal hold in force (inquiry)" in out, out
    code, out = cli(*hold, "--as", "dpo-001", "--reason-kind", "review", "--reason", "again")
    assert code == 4 and "already in force" in out, out
    held = _due(url, "--at", "2124-01-01")[JORDAN]["legal_hold"]
    assert held == {
        "reason_kind": "inquiry",
        "placed_by": "dpo-001",  # the signed-in account
        "placed_at": held["placed_at"],  # type: ignore[index]
    }
    code, out = cli("retention", "due", "--db", url, "--as", "dpo-001", "--at", "2124-01-01")
    assert "DEMO-JORDAN: HELD (inquiry, by dpo-001); destroy on 2123-11-20" in out, out

    code, out = cli(*destroy)
    assert code == 4 and "a legal hold is in force (inquiry" in out, out
    assert "nothing was destroyed" in out
    assert disposal_log.certificates(sql_engine(url)) == []  # nothing written
    code, out = cli("genogram", JORDAN, "--db", url, "--as", "tm-003", "--format", "json")
    people = {p["person_id"]: p for p in json.loads(out[out.index("{") :])["people"]}
    assert people[JORDAN]["last_name"] == "Fairholm"  # no key went

    # the kinds are reserved to their command: a team manager cannot `record` a lift
    lift_file = tmp_path / "lift.json"
    lift_file.write_text(
        json.dumps(
            {"kind": "legal_hold_lifted", "child_id": JORDAN, "occurred_at": "2026-12-01",
             "summary": "Lifted", "reason": "not mine to lift"}
        )
    )  # fmt: skip
    code, out = cli("record", str(lift_file), "--db", url, "--as", "tm-003")
    assert code == 10 and "legal_hold_lifted is written only by its own command" in out, out
    lifted = ("retention", "lift", JORDAN, "--db", url)
    code, out = cli(*lifted, "--as", "tm-003", "--reason", "over")
    assert code == 10, out
    code, out = cli(*lifted, "--as", "dpo-001", "--reason", "Inquiry closed; records released")
    assert code == 0 and "legal hold lifted" in out, out
    code, out = cli(*lifted, "--as", "dpo-001", "--reason", "again")
    assert code == 1 and "no legal hold is in force" in out, out
    assert _due(url, "--at", "2124-01-01")[JORDAN]["legal_hold"] is None
    code, out = cli(*destroy)
    assert code == 0, out
    code, out = cli(*destroy)
    assert code == 4 and "already destroyed (disposal certificate 1)" in out, out
    assert JORDAN not in _due(url, "--at", "2124-01-01")
    code, out = cli("history", JORDAN, "--db", url, "--as", "tm-003", "--json")
    kinds = [e["kind"] for e in json.loads(out)]
    assert kinds[-2:] == ["legal_hold_placed", "legal_hold_lifted"]


def test_reporting_tables_in_the_stores_database_are_rebuilt(demo: tuple[Path, str]) -> None:
    path, url = demo
    code, out = cli("export", "tables", "--url", url, "--db", url, "--as", "analyst-001")
    assert code == 0, out
    with sql_engine(url).connect() as conn:
        born = conn.exec_driver_sql(
            "SELECT date_of_birth FROM person WHERE person_id = ?", (JORDAN,)
        ).scalar()
    assert str(born) == "2016-04-12"  # the reporting tables copy the birth date
    code, out = cli(
        "retention", "destroy", JORDAN, "--db", url, "--as", "dpo-001",
        "--authorised-by", "Head of Service (A. Cole)", "--reason", "retention period ended",
    )  # fmt: skip
    assert code == 0 and "rebuilt chronology, reporting tables" in out, out
    with sql_engine(url).connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT person_id, date_of_birth FROM person WHERE person_id IN (?, ?)", (JORDAN, MIA)
        ).all()
    assert dict(rows) == {JORDAN: None, MIA: "2019-08-03"}
    code, out = cli("feed", "--db", url, "--as", "analyst-001")
    assert code == 0, out
    last = json.loads(out.strip().splitlines()[-1])  # the whole feed ends with the purge
    assert (last["kind"], last["purge_position"]) == ("purge", 1)
    raw = b"".join(p.read_bytes() for p in path.parent.glob("demo.db*") if p.is_file())
    for value in JORDANS:
        assert value not in raw, value


def test_a_broken_schedule_stops_due_and_destroy_before_anything_is_done(
    demo: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from adapters import retention_schedule

    _, url = demo
    broken = tmp_path / "retention.yaml"
    broken.write_text("version: 1\nentries:\n  - id: xx\n    record_type: adoption\n")
    real = retention_schedule.load_schedule
    monkeypatch.setattr(retention_schedule, "load_schedule", lambda: real(broken))
    code, out = cli("retention", "due", "--db", url, "--as", "dpo-001")
    assert code == 1 and "retention.yaml: entries[0] (xx) field 'authority': Field required" in out
    code, out = cli(
        "retention", "destroy", JORDAN, "--db", url, "--as", "dpo-001",
        "--authorised-by", "Head of Service (A. Cole)", "--reason", "retention period ended",
    )  # fmt: skip
    assert code == 1 and "nothing was destroyed" in out, out
    assert disposal_log.certificates(sql_engine(url)) == []
    code, out = cli("genogram", JORDAN, "--db", url, "--as", "tm-003", "--format", "json")
    people = {p["person_id"]: p for p in json.loads(out[out.index("{") :])["people"]}
    assert people[JORDAN]["last_name"] == "Fairholm"  # no key went
