"""`caseledger chronology` on the demo family: every format, provenance, regeneration, verify."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from typer.testing import CliRunner

from adapters.cli.main import app
from adapters.store import EventStore
from adapters.synthetic.demo_family import write_demo
from tests.factories import example

runner = CliRunner()
PREPARED = "2026-11-20"


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    write_demo(f"sqlite:///{path}")
    return path


@pytest.fixture
def url(demo_db: Path, tmp_path: Path) -> str:
    """A private copy of the demo store (tests may append to it)."""
    copy = tmp_path / "demo.db"
    for suffix in ("", "-wal", "-shm"):  # SQLite in WAL mode keeps recent pages beside the file
        source = demo_db.with_name(demo_db.name + suffix)
        if source.exists():
            shutil.copy(source, copy.with_name(copy.name + suffix))
    return f"sqlite:///{copy}"


def export(url: str, out: Path, fmt: str, *extra: str) -> None:
    code, _, err = run(
        "chronology",
        "DEMO-JORDAN",
        "--format",
        fmt,
        "--out",
        str(out),
        "--prepared-on",
        PREPARED,
        "--db",
        url,
        *extra,
    )
    assert code == 0, err


def test_every_format_is_produced_and_regenerates_identically(url: str, tmp_path: Path) -> None:
    hashes = {}
    for fmt in ("pdf", "docx", "csv", "html", "json"):
        first, second = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
        export(url, first, fmt, "--family")
        export(url, second, fmt, "--family")
        assert first.read_bytes() == second.read_bytes(), fmt
        code, out, _ = run("chronology", "verify", str(first), "--db", url, "--json")
        assert code == 0, out
        report = json.loads(out)
        assert report["file_intact"] is True and report["changed_since"] is False
        hashes[fmt] = report
    data = json.loads((tmp_path / "a.json").read_text())
    prov = data["provenance"]
    assert prov["store_position"] == EventStore(url).max_position()
    assert prov["prepared_on"] == PREPARED
    assert len(prov["content_sha256"]) == 64
    # the content hash is the same whatever the format
    rows = list(csv.reader(io.StringIO((tmp_path / "a.csv").read_text())))
    csv_prov = json.loads(rows[-1][1])
    assert csv_prov["content_sha256"] == prov["content_sha256"]
    html = (tmp_path / "a.html").read_text()
    assert prov["content_sha256"] in html


def test_family_chronology_merges_the_shared_strategy_discussion(url: str, tmp_path: Path) -> None:
    out = tmp_path / "family.json"
    export(url, out, "json", "--family")
    chron = json.loads(out.read_text())["chronology"]
    assert {c["child_id"] for c in chron["children"]} == {
        "DEMO-JORDAN",
        "DEMO-MIA",
        "DEMO-TWIN-A",
        "DEMO-TWIN-B",
        "DEMO-UNBORN",
    }
    shared = [e for e in chron["entries"] if e["kind"] == "strategy_discussion_held"]
    merged = [e for e in shared if e["children"] == ["DEMO-JORDAN", "DEMO-MIA"]]
    assert len(merged) == 1
    serials = [e["serial"] for e in chron["entries"]]
    assert serials == list(range(1, len(serials) + 1))
    keys = [e["occurred_at"][:10] for e in chron["entries"]]
    assert keys == sorted(keys)


def test_demo_corrections_in_error_and_late_entries_show(url: str, tmp_path: Path) -> None:
    out = tmp_path / "jordan.json"
    export(url, out, "json", "--all")
    chron = json.loads(out.read_text())["chronology"]
    actions = sorted(a["action"] for a in chron["appendix"])
    assert actions == ["Corrected", "Recorded in error"]
    in_error = next(a for a in chron["appendix"] if a["action"] == "Recorded in error")
    body_ids = {i for e in chron["entries"] for i in e["event_ids"]}
    assert in_error["target_event_id"] not in body_ids
    corrected = next(a for a in chron["appendix"] if a["action"] == "Corrected")
    entry = next(e for e in chron["entries"] if corrected["target_event_id"] in e["event_ids"])
    assert entry["corrected"] is True and corrected["ref"] in entry["notes"][0]
    late_visit = [e for e in chron["entries"] if e["late"] and e["kind"] == "child_visited"]
    notes = [n for e in late_visit for n in e["notes"]]
    assert "Recorded late: occurred 06/05/2021 16:00, recorded 27/05/2021 17:45" in notes


def test_pdf_renders_with_header_table_and_provenance_footer(url: str, tmp_path: Path) -> None:
    pdf = tmp_path / "jordan.pdf"
    export(url, pdf, "pdf")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Chronology of Jordan Fairholm" in text
    assert "Date of birth: 12/04/2016" in text and "LA case number: YK-100231" in text
    assert "Court number: TB22C00417" in text
    assert "Date prepared: 20/11/2026" in text
    for heading in ("No.", "Date", "Event detail", "Impact on the child", "Source / reference"):
        assert heading in text
    assert "Audit appendix" in text
    assert "Generated by caseledger from event-store position" in text
    assert "Page 1 of" in text
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    png = next(tmp_path.glob("page-*.png"))
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 5000
    # not blank: many distinct byte values in the compressed image data
    assert len(set(data[1000:5000])) > 100


def test_docx_opens_with_a_row_per_entry(url: str, tmp_path: Path) -> None:
    docx_path, json_path = tmp_path / "jordan.docx", tmp_path / "jordan.json"
    export(url, docx_path, "docx")
    export(url, json_path, "json")
    entries = json.loads(json_path.read_text())["chronology"]["entries"]
    document = Document(str(docx_path))
    table = document.tables[0]
    header = [c.text for c in table.rows[0].cells]
    assert header == [
        "No.",
        "Date",
        "Event detail",
        "Impact on the child",
        "Source / document reference",
    ]
    body = table.rows[1:]
    assert len(body) == len(entries)
    for row, entry in zip(body, entries, strict=True):
        cells = [c.text for c in row.cells]
        assert cells[0] == str(entry["serial"])
        assert cells[1] == entry["date"]
        assert entry["detail"] in cells[2]
        assert cells[4] == entry["source"]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Date prepared: 20/11/2026" in text
    assert "Jordan Fairholm (DEMO-JORDAN)" in text
    assert document.core_properties.title == "Chronology of Jordan Fairholm"


def test_verify_catches_a_new_entry_and_a_correction_after_export(url: str, tmp_path: Path) -> None:
    out = tmp_path / "before.pdf"
    export(url, out, "pdf")
    store = EventStore(url)
    try:
        jordan = store.stream("DEMO-JORDAN")
        target = next(e for e in jordan if e.kind == "order_made")
        store.record(
            [
                example(
                    "management_decision_recorded",
                    "DEMO-JORDAN",
                    "2026-01-05",
                    summary="Contact with Mia to continue monthly.",
                    decision="Sibling contact monthly.",
                    rationale="Jordan asks to see Mia.",
                ),
                example(
                    "entry_corrected",
                    "DEMO-JORDAN",
                    "2026-01-05",
                    target_event_id=target.event_id,
                    changes={"summary": "Order made (court reference corrected)."},
                    reason="Wrong reference.",
                ),
            ]
        )
    finally:
        store.close()
    code, out_text, _ = run("chronology", "verify", str(out), "--db", url)
    assert code == 8, out_text  # exit_codes.STALE: intact, but the record moved on
    assert "matches what the store gives at that position" in out_text
    assert "CHANGED since" in out_text
    assert "new entry: 05/01/2026 DEMO-JORDAN — Management decision recorded" in out_text
    assert "corrected: entry of" in out_text and "Wrong reference." in out_text


def test_verify_catches_an_edited_file(url: str, tmp_path: Path) -> None:
    out = tmp_path / "jordan.csv"
    export(url, out, "csv")
    out.write_text(out.read_text().replace("Jordan", "Jordon", 1))
    code, text, _ = run("chronology", "verify", str(out), "--db", url)
    assert code == 7  # exit_codes.TAMPERED
    assert "ALTERED" in text


def test_as_known_at_and_dates_filter_the_export(url: str, tmp_path: Path) -> None:
    out = tmp_path / "early.json"
    export(url, out, "json", "--as-known-at", "2021-03-31", "--from", "2021-03-01")
    chron = json.loads(out.read_text())["chronology"]
    assert chron["entries"], "the referral and strategy discussion were known by then"
    assert all(e["occurred_at"][:10] >= "2021-03-01" for e in chron["entries"])
    assert all(e["occurred_at"][:10] <= "2021-03-31" for e in chron["entries"])
    assert chron["query"]["as_known_at"].startswith("2021-03-31T22:59:59")


def test_bad_input_gets_a_clear_error(url: str, tmp_path: Path) -> None:
    code, _, err = run("chronology", "NOBODY", "--db", url)
    assert code == 3 and "no record for child 'NOBODY'" in err
    code, _, err = run("chronology", "DEMO-JORDAN", "--format", "rtf", "--db", url)
    assert code == 1 and "--format 'rtf'" in err
    code, _, err = run("chronology", "DEMO-JORDAN", "--category", "gossip", "--db", url)
    assert code == 1 and "--category 'gossip'" in err
    code, _, err = run("chronology", "DEMO-JORDAN", "--from", "2024-13-01", "--db", url)
    assert code == 1 and "--from '2024-13-01'" in err
    code, _, err = run("chronology", "DEMO-JORDAN", "--format", "pdf", "--db", url)
    assert code == 1 and "--out FILE" in err
    stray = tmp_path / "not-a-chronology.json"
    stray.write_text("{}")
    code, _, err = run("chronology", "verify", str(stray), "--db", url)
    assert code == 1 and "no caseledger provenance" in err


def test_rebuild_reports_events(url: str) -> None:
    code, out, _ = run("chronology", "rebuild", "--db", url)
    assert code == 0
    assert f"rebuilt from {EventStore(url).max_position()} events" in out


def test_bundle_pagination_from_the_command_line_and_verify(url: str, tmp_path: Path) -> None:
    pdf, docx = tmp_path / "c.pdf", tmp_path / "c.docx"
    export(url, pdf, "pdf", "--bundle-section", "C", "--first-page", "14")
    data = pdf.read_bytes()
    assert b"/P (C) /S /D /St 14" in data
    export(url, docx, "docx", "--bundle-section", "C", "--first-page", "14")
    document = Document(str(docx))
    footer = document.sections[0].footer.paragraphs[0]
    assert "— Page C" in footer.text
    start = document.sections[0]._sectPr.xpath("./w:pgNumType/@w:start")
    assert start == ["14"]
    for path in (pdf, docx):
        code, out, _ = run("chronology", "verify", str(path), "--db", url)
        assert code == 0, out
        assert "matches what the store gives at that position, byte for byte" in out
    code, _, err = run(
        "chronology",
        "DEMO-JORDAN",
        "--format",
        "pdf",
        "--out",
        str(pdf),
        "--first-page",
        "3",
        "--db",
        url,
    )
    assert code != 0
    assert "--first-page numbers a bundle section: give --bundle-section too" in err
    code, _, err = run(
        "chronology", "DEMO-JORDAN", "--format", "csv", "--bundle-section", "C", "--db", url
    )
    assert code != 0
    assert "a csv file has no pages" in err


def test_out_without_format_takes_the_format_from_the_file_name(url: str, tmp_path: Path) -> None:
    named = tmp_path / "bundle.DOCX"
    code, out, err = run("chronology", "DEMO-JORDAN", "--out", str(named), "--db", url)
    assert code == 0, err
    assert named.exists() and f"wrote {named}" in out + err
    assert Document(str(named)).paragraphs  # a Word file, not the table as text
    unknown = tmp_path / "bundle.txt"
    code, out, err = run("chronology", "DEMO-JORDAN", "--out", str(unknown), "--db", url)
    assert code == 1 and not unknown.exists()
    assert "--out" in err and "--format (pdf|docx|csv|html|json)" in err
