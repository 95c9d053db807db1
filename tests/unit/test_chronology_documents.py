"""Court documents: DOCX provenance in custom properties, PDF dated the day prepared, with
bookmarks by year and bundle page labels (C14, C15...)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from docx import Document

from adapters.exporters.chronology import (
    Bundle,
    docx_custom_properties,
    export,
    read_provenance,
)
from projections.chronology import Chronology
from tests.unit.test_chronology import Log, at, registered

PREPARED = date(2026, 11, 30)


def _chronology(entries: int = 3) -> Chronology:
    log = Log()
    registered(log)
    for n in range(entries):
        year = 2024 + n % 3
        log.add(
            "strategy_discussion_held",
            "C1",
            f"{year}-03-{1 + n // 3:02d}T10:00",
            at(f"{year}-03-{1 + n // 3:02d}", 12),
            summary=f"Meeting {n}: " + "the agencies shared what they knew. " * 6,
        )
    return log.chronology()


def test_docx_provenance_is_a_custom_property_not_a_paragraph(tmp_path: Path) -> None:
    chron = _chronology()
    data, prov = export(chron, "docx", store_time=None, prepared_on=PREPARED)
    properties = docx_custom_properties(data)
    assert list(properties) == ["caseledger-provenance"]
    assert (
        '"content_sha256":"' + chron.content_sha256() + '"' in properties["caseledger-provenance"]
    )
    body = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    assert "caseledger-provenance" not in body and "{" not in body
    path = tmp_path / "c.docx"
    path.write_bytes(data)
    assert read_provenance(path) == prov
    again, _ = export(chron, "docx", store_time=None, prepared_on=PREPARED)
    assert again == data


def test_pdf_is_dated_the_day_prepared_and_regenerates_byte_identical() -> None:
    chron = _chronology()
    data, _ = export(chron, "pdf", store_time=None, prepared_on=PREPARED)
    assert b"/CreationDate (D:20261130000000+00'00')" in data
    assert b"/ModDate (D:20261130000000+00'00')" in data
    assert export(chron, "pdf", store_time=None, prepared_on=PREPARED)[0] == data
    other, _ = export(chron, "pdf", store_time=None, prepared_on=date(2026, 12, 1))
    assert b"/CreationDate (D:20261201000000+00'00')" in other


def test_pdf_bookmarks_lead_to_each_year_then_the_appendix_and_summary() -> None:
    data, _ = export(_chronology(), "pdf", store_time=None, prepared_on=PREPARED)
    titles = re.findall(rb"/Title \(([^)]*)\)", data)
    assert titles[1:] == [
        b"2024",
        b"2025",
        b"2026",
        b"Audit appendix: corrections and entries recorded in error",
        b"Quality summary",
    ]
    assert b"/PageMode /UseOutlines" in data


def test_bundle_pagination_labels_the_pages_c14_c15() -> None:
    chron = _chronology(entries=30)
    data, prov = export(chron, "pdf", store_time=None, prepared_on=PREPARED, bundle=Bundle("C", 14))
    assert prov["bundle"] == {"section": "C", "first_page": 14}
    assert re.search(rb"/Nums \[ 0 \d+ 0 R \]", data)
    assert b"/P (C) /S /D /St 14" in data
    # `make setup` installs poppler-utils (as it does Graphviz): no skip, the labels are read
    assert shutil.which("pdftotext"), "pdftotext missing: run `make setup` (poppler-utils)"
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    pages = text.split("\f")
    numbered = [
        re.search(r"Page (C\d+) \((\d+) of (\d+)\)", page) for page in pages if page.strip()
    ]
    labels = [m.group(1) for m in numbered if m]
    assert len(labels) >= 2
    assert labels == [f"C{14 + i}" for i in range(len(labels))]


def test_bundle_options_are_checked() -> None:
    with pytest.raises(ValueError, match="--bundle-section 'c3'"):
        Bundle("c3", 1)
    with pytest.raises(ValueError, match="--first-page 0"):
        Bundle("C", 0)
    with pytest.raises(ValueError, match="a csv file has no pages"):
        export(_chronology(), "csv", store_time=None, prepared_on=None, bundle=Bundle("C", 1))
