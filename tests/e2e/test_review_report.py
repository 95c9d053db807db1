"""`caseledger replay` and `caseledger review-report` on the demo family, as a reviewer runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from docx import Document
from typer.testing import CliRunner

from adapters.cli.main import app
from adapters.synthetic.demo_family import write_demo

runner = CliRunner()


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("review") / "demo.db"
    return write_demo(f"sqlite:///{path}").url


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_review_report_html(url: str, tmp_path: Path) -> None:
    out = tmp_path / "jordan.html"
    code, stdout, stderr = run(
        "review-report", "DEMO-JORDAN", "--from", "2021-03-01", "--to", "2021-12-31",
        "--format", "html", "--out", str(out), "--pack", "national", "--db", url,
    )  # fmt: skip
    assert code == 0, stderr
    assert stdout.startswith(f"wrote {out}")
    text = out.read_text(encoding="utf-8")
    assert "<h1>Practice review timeline: DEMO-JORDAN</h1>" in text
    # the late visit: both dates and the delay (21 days, 15 working days), flagged late
    assert (
        "<td>06/05/2021 16:00</td><td>27/05/2021 17:45</td><td>21 days (15 working) — late</td>"
        in text
    )
    # the standard that applied (york 2026.1, in force from 01/01/2020) and whether it was met
    assert "<td>york</td><td>2026.1</td><td>01/01/2020</td>" in text
    assert (
        "<td>DEMO-JORDAN</td><td>Child on a CP plan seen at the stated frequency (cp_visits)</td>"
        "<td>york 2026.1 (from 01/01/2020)</td><td>08/04/2021</td><td>19/04/2021 23:59</td>"
        "<td>Met late by 17 day(s)</td>" in text
    )
    # the gap in seeing Jordan before the late visit
    assert (
        "<td>DEMO-JORDAN</td><td>11/03/2021</td><td>06/05/2021</td><td>56</td><td>cp_visits</td>"
        in text
    )
    assert "Non-accidental injury likely; pattern of harsh physical chastisement." in text
    assert "<td>Hillside Primary School</td>" in text
    # what-if: national has no cp_visits rule; core groups at a different interval
    assert "rule absent in national; york 2026.1 sets 7 working days, then 20 working days" in text
    assert (
        "different timescale: york 2026.1 10 working days, then 1 month; "
        "national 2026.1 10 working days, then 6 weeks" in text
    )
    # the correction is noted against the corrected entry
    assert "Corrected on 09/07/2021: Father attended; omitted from the original entry." in text


def test_review_report_docx_opens_with_python_docx(url: str, tmp_path: Path) -> None:
    out = tmp_path / "family.docx"
    code, _, stderr = run(
        "review-report", "--family", "FAM-DEMO", "--from", "2021-03-01", "--to", "2021-12-31",
        "--format", "docx", "--out", str(out), "--pack", "knowsley", "--db", url,
    )  # fmt: skip
    assert code == 0, stderr
    document = Document(str(out))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [
        "Practice review timeline: FAM-DEMO",
        "Standards applied (pack versions in force)",
        "Summary of timeliness by standard",
        "Timeline: every event, when it happened and when it was recorded",
        "Standards and whether they were met",
        "Periods when the child was not seen",
        "Decisions and rationale",
        "Agencies involved",
        "What-if: the same history judged by knowsley",
    ]
    tables = {t.rows[0].cells[0].text + "|" + t.rows[0].cells[1].text: t for t in document.tables}
    summary = tables["Standard|Pack"]
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in summary.rows[1:]}
    assert rows["Child on a CP plan seen at the stated frequency (cp_visits)"][1:] == [
        "york 2026.1", "5", "2", "2", "1", "0", "0", "40%",
    ]  # fmt: skip
    timeline = tables["Child|Occurred"]
    children = {r.cells[0].text for r in timeline.rows[1:]}
    assert {"DEMO-JORDAN", "DEMO-MIA"} <= children
    what_if = tables["Child|Rule"]
    reasons = {(r.cells[0].text, r.cells[1].text): r.cells[4].text for r in what_if.rows[1:]}
    assert reasons[
        ("DEMO-JORDAN", "Child on a CP plan seen at the stated frequency (cp_visits)")
    ] == (
        "different timescale: york 2026.1 7 working days, then 20 working days; "
        "knowsley 2026.1 4 weeks, then 4 weeks"
    )


def test_replay_json_lines_step_by_event(url: str) -> None:
    code, out, stderr = run(
        "replay", "DEMO-JORDAN", "--from", "2021-05-27", "--to", "2021-05-27",
        "--step", "event", "--json", "--db", url,
    )  # fmt: skip
    assert code == 0, stderr
    steps = [json.loads(line) for line in out.splitlines()]
    assert [s["at"] for s in steps] == [
        "2021-05-27T17:45:00+01:00",  # the visit of 6 May, written up three weeks late
        "2021-05-27T18:00:00+01:00",  # that afternoon's visit (Dean present)
    ]
    first, second = (s["children"]["DEMO-JORDAN"] for s in steps)
    assert [r["date"] for r in steps[0]["recorded_in_step"]] == ["06/05/2021 16:00"]
    assert steps[0]["recorded_in_step"][0]["late"] is True
    assert first["last_seen"]["occurred_at"] == "2021-05-06T16:00:00+01:00"
    assert first["last_seen_alone"]["occurred_at"] == "2021-05-06T16:00:00+01:00"
    assert second["last_seen"]["occurred_at"] == "2021-05-27T15:00:00+01:00"
    assert second["last_seen_alone"]["occurred_at"] == "2021-05-06T16:00:00+01:00"
    # after the late visit, the first CP visit deadline is met late; one open visit deadline
    # (York Standards 2 and 3: the assessment of 20 April 2021 is updated within 12 months)
    assert [(d["rule_id"], d["due"][:10]) for d in first["open_deadlines"]] == [
        ("cp_visits", "2021-06-04"),
        ("review_conferences", "2021-07-08"),
        ("assessment_update", "2022-04-20"),
    ]
    assert [(d["rule_id"], d["due"][:10]) for d in second["open_deadlines"]] == [
        ("cp_visits", "2021-06-25"),
        ("review_conferences", "2021-07-08"),
        ("assessment_update", "2022-04-20"),
    ]
    assert ("cp_visits", "met_late", "computed") in [
        (b["rule_id"], b["status"], b["source"]) for b in first["breaches_known"]
    ]


def test_replay_human_output(url: str) -> None:
    code, out, stderr = run(
        "replay", "DEMO-JORDAN", "--from", "2021-05-26", "--to", "2021-05-27", "--db", url
    )
    assert code == 0, stderr
    assert "last seen 2021-03-11; last seen alone 2021-03-11" in out
    assert "breached: cp_visits due 19/04/2021 [computed]" in out
    assert "last seen 2021-05-27; last seen alone 2021-05-06" in out
    assert "met late: cp_visits due 19/04/2021 [computed]" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["DEMO-JORDAN", "--family", "FAM-DEMO"], "give a CHILD or --family ID"),
        (["DEMO-NOBODY"], "no record for child 'DEMO-NOBODY'"),
        (["--family", "FAM-NONE"], "--family 'FAM-NONE': no child is registered"),
        (["DEMO-JORDAN", "--step", "hour"], "--step 'hour': choose one of event, day, week"),
        (["DEMO-JORDAN", "--pack", "atlantis"], "--pack 'atlantis': no such rule pack"),
    ],
)
def test_replay_bad_input_names_the_option(url: str, args: list[str], message: str) -> None:
    code, _, stderr = run(
        "replay", *args, "--from", "2021-05-01", "--to", "2021-05-02", "--db", url
    )
    assert code == (3 if "no record" in message or "no child" in message else 1)
    assert message in stderr


def test_review_report_bad_input_writes_nothing(url: str, tmp_path: Path) -> None:
    out = tmp_path / "r.pdf"
    code, _, stderr = run(
        "review-report", "DEMO-JORDAN", "--from", "2021-05-01", "--to", "2021-05-02",
        "--format", "pdf", "--out", str(out), "--db", url,
    )  # fmt: skip
    assert code == 1 and "--format 'pdf': choose one of html, docx" in stderr
    code, _, stderr = run(
        "review-report", "DEMO-JORDAN", "--from", "2021-05-09", "--to", "2021-05-02",
        "--format", "html", "--out", str(out), "--db", url,
    )  # fmt: skip
    assert code == 1 and "--to 2021-05-02 is before --from 2021-05-09" in stderr
    assert not out.exists()
