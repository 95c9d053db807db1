"""`retention destroy`: a child's keys go, the chain verifies, every view reads [erased]."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters import disposal_log
from adapters.cli.demo import add_demo_accounts
from adapters.cli.main import app
from adapters.db import sql_engine
from adapters.synthetic.demo_family import JORDAN, MIA, write_demo

runner = CliRunner()
JORDANS = (b"Fairholm", b"2016-04-12")  # his surname, his date of birth


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture
def destroyed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    monkeypatch.setenv("CASELEDGER_ENCRYPT", "on")
    path = tmp_path / "demo.db"
    url = f"sqlite:///{path}"
    write_demo(url)
    add_demo_accounts(url)
    code, out = cli(
        "retention", "destroy", JORDAN, "--db", url, "--as", "dpo-001",
        "--authorised-by", "Head of Service (A. Cole)", "--reason", "retention period ended",
    )  # fmt: skip
    assert code == 0, out
    assert "kept p-mother: also in the record of DEMO-MIA" in out
    return path, url


def test_the_destroyed_record_verifies_and_reads_erased_everywhere(
    destroyed: tuple[Path, str], tmp_path: Path
) -> None:
    path, url = destroyed
    code, out = cli("verify", "--db", url, "--as", "admin")
    assert code == 0 and "every link intact" in out, out
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
    [certificate] = disposal_log.certificates(engine)
    content = certificate.content
    assert content["child_id"] == JORDAN
    assert content["subjects_destroyed"] == [
        "child:DEMO-JORDAN",
        "person:p-adopter-1",
        "person:p-father-jordan",
    ]
    assert content["authorised_by"] == "Head of Service (A. Cole)"
    assert content["carried_out_by"] == "dpo-001"  # the signed-in account, not the request
    assert "p-mother" in content["people_kept"]
    assert disposal_log.verify(engine) == []
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE caseledger_disposals SET certificate = "
                             "replace(certificate, 'dpo-001', 'sw-014')")  # fmt: skip
    assert disposal_log.verify(engine) == ["certificate 1 does not match its hash (altered)"]


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
