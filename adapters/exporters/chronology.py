"""Chronology exports for court bundles: PDF, DOCX, HTML, CSV and JSON, each with provenance.

Provenance (embedded in every format, and read back by :func:`read_provenance`):
- ``store_position``: the event-store global position the chronology was generated from;
- ``store_time``: the recorded-at time (UTC) of the store's event at that position — the time
  of the record the document reflects;
- ``prepared_on``: the date the document was prepared (Practice Direction 27A). DOCX, PDF and
  HTML always show it (default: today, London); CSV and JSON carry it only when it was given,
  so a data export is a function of the store position and the query alone;
- ``content_sha256``: SHA-256 of the chronology's content (header, filters, entries, appendix,
  position) as canonical JSON — the same for every format generated from the same position
  and query;
- ``query``: what was asked for, so ``chronology verify`` can regenerate it.

Determinism: nothing here reads the wall clock. ReportLab runs with ``invariant=1``; the DOCX
core-properties dates are the prepared-on date and the zip entries carry a fixed timestamp.
Regenerating from the same position, query and prepared-on date gives byte-identical files in
every format.

Where provenance lives: JSON ``provenance`` field; CSV last row (``provenance``, JSON);
HTML ``<meta name="caseledger-provenance">``; DOCX a custom document property
``caseledger-provenance`` (``docProps/custom.xml``: File > Info > Properties > Custom in
Word), nothing in the body; PDF document *keywords* (``caseledger-provenance:`` + base64
JSON). The footer of every page says the position and hash in words.

PDF: the creation and modification dates are the date prepared (midnight UTC), bookmarks
lead to each year's first entry, the appendix and the quality summary, and with a bundle
section (:class:`Bundle`, PD27A as revised from 2 March 2026) the pages are labelled and
numbered ``C14``, ``C15``... in the viewer and the footer. DOCX numbers its pages the same.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from adapters.shredding.sealing import ERASED
from policies.sources import authority_name
from projections.chronology import (
    AppendixItem,
    Chronology,
    ChronologyEntry,
    ChronologyQuery,
    impact_cell,
)

FORMATS = ("pdf", "docx", "csv", "html", "json")
COURT_FORMATS = ("pdf", "docx", "html")
PAGED_FORMATS = ("pdf", "docx")
GENERATOR = "caseledger chronology 1"
_PDF_MARK = "caseledger-provenance:"


class ProvenanceError(ValueError):
    """The file carries no readable caseledger provenance."""


_SECTION = re.compile(r"^[A-Z]{1,3}$")


@dataclass(frozen=True)
class Bundle:
    """Court-bundle pagination: the bundle section's letter and the page this document starts
    on, so its pages read C14, C15... (PD27A para 4, as revised from 2 March 2026: pages
    numbered by section, consecutively)."""

    section: str
    first_page: int = 1

    def __post_init__(self) -> None:
        if not _SECTION.match(self.section):
            raise ValueError(
                f"--bundle-section {self.section!r}: the bundle section is a capital letter "
                "(A, B, C...)"
            )
        if self.first_page < 1:
            raise ValueError(f"--first-page {self.first_page}: pages are numbered from 1")

    def label(self, index: int) -> str:
        """The label of the document's ``index``-th page (0 = the first)."""
        return f"{self.section}{self.first_page + index}"

    def describe(self) -> dict[str, Any]:
        return {"section": self.section, "first_page": self.first_page}


def bundle_from(prov: dict[str, Any]) -> Bundle | None:
    data = prov.get("bundle")
    return Bundle(data["section"], int(data["first_page"])) if data else None


def provenance(
    chronology: Chronology,
    fmt: str,
    store_time: str | None,
    prepared_on: date | None,
    bundle: Bundle | None = None,
) -> dict[str, Any]:
    prov = {
        "generator": GENERATOR,
        "format": fmt,
        "store_position": chronology.position,
        "store_time": store_time,
        "prepared_on": prepared_on.isoformat() if prepared_on else None,
        "content_sha256": chronology.content_sha256(),
        "query": chronology.query.describe(),
    }
    if bundle is not None:
        prov["bundle"] = bundle.describe()
    return prov


def query_from(prov: dict[str, Any]) -> ChronologyQuery:
    """The query a provenance block records, at its store position."""
    q = prov["query"]
    return ChronologyQuery(
        children=tuple(q["children"]),
        family_id=q.get("family_id"),
        date_from=date.fromisoformat(q["from"]) if q.get("from") else None,
        date_to=date.fromisoformat(q["to"]) if q.get("to") else None,
        as_known_at=datetime.fromisoformat(q["as_known_at"]) if q.get("as_known_at") else None,
        position=prov.get("store_position"),
        categories=tuple(q.get("categories") or ()),
        significant_only=bool(q.get("significant_only", True)),
    )


def _dumps(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _fmt_day(value: str | None) -> str:
    return date.fromisoformat(value).strftime("%d/%m/%Y") if value else "—"


def _store_time_text(store_time: str | None) -> str:
    if not store_time:
        return "—"
    moment = datetime.strptime(store_time, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    return moment.strftime("%d/%m/%Y %H:%M UTC")


def header_lines(chronology: Chronology) -> list[str]:
    """The header block: each child's name, date of birth, case number, court number(s)."""
    lines = []
    for child in chronology.children:
        if child.date_of_birth:
            born = f"Date of birth: {_fmt_day(child.date_of_birth)}"
        elif child.expected_date_of_birth:
            born = f"Expected date of birth: {_fmt_day(child.expected_date_of_birth)}"
        else:  # a registration holds one or the other: neither is left once its key is gone
            born = f"Date of birth: {ERASED}"
        court = ", ".join(child.court_numbers) if child.court_numbers else "none"
        lines.append(
            f"{child.name} ({child.child_id}) — {born} — LA case number: "
            f"{child.case_number or 'none'} — Court number: {court}"
            + (f" — Local authority: {authority_name(child.authority)}" if child.authority else "")
        )
    return lines


def filter_line(chronology: Chronology) -> str:
    q = chronology.query
    parts = ["significant entries only" if q.significant_only else "all entries"]
    if q.date_from:
        parts.append(f"from {q.date_from.strftime('%d/%m/%Y')}")
    if q.date_to:
        parts.append(f"to {q.date_to.strftime('%d/%m/%Y')}")
    if q.categories:
        parts.append("categories: " + ", ".join(sorted(q.categories)))
    if q.as_known_at:
        parts.append("as known at " + q.as_known_at.astimezone(UTC).strftime("%d/%m/%Y %H:%M UTC"))
    return "Showing " + "; ".join(parts)


def provenance_line(prov: dict[str, Any]) -> str:
    return (
        f"Generated by caseledger from event-store position {prov['store_position']} "
        f"(record as at {_store_time_text(prov['store_time'])}). "
        f"Content SHA-256: {prov['content_sha256']}"
    )


def prepared_line(prov: dict[str, Any]) -> str:
    return f"Date prepared: {_fmt_day(prov['prepared_on'])}"


def event_cell(entry: ChronologyEntry, family: bool) -> str:
    """The event-detail cell: what happened, outcome, and any flags (plain text)."""
    parts = []
    if family:
        parts.append("Children: " + ", ".join(entry.child_names))
    parts.append(entry.detail)
    if entry.outcome:
        parts.append(entry.outcome)
    parts.extend(entry.notes)
    return "\n".join(parts)


def change_text(item: AppendixItem) -> str:
    """What the appendix item changed: one line a field, "Field: before → after"."""
    if item.action != "Corrected":
        return "Recorded in error: left out of the chronology"
    return "\n".join(f"{name}: {before} → {after}" for name, before, after in item.changes)


def who_when(item: AppendixItem) -> str:
    return f"{item.recorded_by}, {item.recorded_at}"


APPENDIX_HEADS = ("Ref", "Entry", "Entry as recorded", "What changed", "Why", "By, when")
APPENDIX_HEADING = "Audit appendix: corrections and entries recorded in error"
QUALITY_HEADING = "Quality summary"


# -- JSON and CSV ----------------------------------------------------------------------------


def render_json(chronology: Chronology, prov: dict[str, Any]) -> bytes:
    data = {"provenance": prov, "chronology": chronology.content()}
    return (json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()


CSV_COLUMNS = [
    "section",
    "serial",
    "date",
    "children",
    "event",
    "detail",
    "outcome",
    "impact_on_child",
    "source",
    "recorded_at",
    "flags",
]


def render_csv(chronology: Chronology, prov: dict[str, Any]) -> bytes:
    """Entries, then the audit appendix, then one provenance row.

    Appendix rows reuse the columns: serial = appendix ref, event = action, detail = the
    entry as recorded before the item, outcome = what changed (field: before → after, one a
    line), impact_on_child = the reason, source = who, recorded_at = when.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for e in chronology.entries:
        flags = [f for f, on in (("late", e.late), ("corrected", e.corrected)) if on]
        writer.writerow(
            [
                "entry",
                e.serial,
                e.date,
                "; ".join(e.children),
                e.kind,
                e.detail,
                e.outcome,
                impact_cell(e),
                e.source,
                e.recorded_at,
                " ".join(flags) + ("" if not e.notes else " | " + " | ".join(e.notes)),
            ]
        )
    for a in chronology.appendix:
        writer.writerow(
            [
                "appendix",
                a.ref,
                a.entry_date,
                "; ".join(a.children),
                a.action,
                a.original,
                change_text(a),
                a.reason,
                a.recorded_by,
                a.recorded_at,
                f"entry {a.entry_serial}" if a.entry_serial else "not in body",
            ]
        )
    for line in chronology.quality.lines():
        writer.writerow(["quality", "", "", "", "", line])
    writer.writerow(["provenance", _dumps(prov)])
    return out.getvalue().encode()


# -- HTML ------------------------------------------------------------------------------------


def _h(text: Any) -> str:
    return html.escape(str(text), quote=True).replace("\n", "<br>")


def render_html(chronology: Chronology, prov: dict[str, Any]) -> bytes:
    family = len(chronology.children) > 1 or chronology.query.family_id is not None
    rows = "\n".join(
        f"<tr><td>{e.serial}</td><td>{_h(e.date)}</td><td>{_h(event_cell(e, family))}</td>"
        f"<td>{_h(impact_cell(e))}</td><td>{_h(e.source)}</td></tr>"
        for e in chronology.entries
    )
    appendix = "\n".join(
        f"<tr><td>{_h(a.ref)}</td><td>{_h(a.entry_serial or '—')}</td>"
        + (
            f"<td>{_h(a.original)}</td>"
            if a.action == "Corrected"
            else f'<td class="in-error"><del>{_h(a.original)}</del></td>'
        )
        + f"<td>{_h(change_text(a))}</td><td>{_h(a.reason)}</td><td>{_h(who_when(a))}</td></tr>"
        for a in chronology.appendix
    )
    headers = "\n".join(f'<p class="child">{_h(line)}</p>' for line in header_lines(chronology))
    quality = "\n".join(f"<li>{_h(line)}</li>" for line in chronology.quality.lines())
    doc = f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="generator" content="{_h(GENERATOR)}">
<meta name="caseledger-provenance" content="{_h(_dumps(prov))}">
<title>{_h(chronology.title)}</title>
<style>
body {{ font-family: Arial, sans-serif; font-size: 11pt; margin: 2em; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #444; padding: 4px 6px; vertical-align: top; text-align: left; }}
th {{ background: #e8e8e8; }}
footer {{ margin-top: 2em; font-size: 9pt; color: #333; }}
</style>
</head>
<body>
<h1>{_h(chronology.title)}</h1>
{headers}
<p class="prepared">{_h(prepared_line(prov))}</p>
<p class="filters">{_h(filter_line(chronology))}</p>
<table class="chronology">
<thead><tr><th>No.</th><th>Date</th><th>Event detail</th><th>Impact on the child</th><th>Source / document reference</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
<h2>{APPENDIX_HEADING}</h2>
<table class="appendix">
<thead><tr>{"".join(f"<th>{h}</th>" for h in APPENDIX_HEADS)}</tr></thead>
<tbody>
{appendix or '<tr><td colspan="6">None.</td></tr>'}
</tbody>
</table>
<h2>{QUALITY_HEADING}</h2>
<ul class="quality">
{quality}
</ul>
<footer class="provenance">{_h(provenance_line(prov))}</footer>
</body>
</html>
"""
    return doc.encode()


# -- DOCX ------------------------------------------------------------------------------------

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


_CUSTOM_PART = "docProps/custom.xml"
_CUSTOM_NAME = "caseledger-provenance"
_CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_CUSTOM_REL = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
)
_PROPS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


def _custom_xml(properties: dict[str, str]) -> bytes:
    """docProps/custom.xml holding ``properties`` as text (Word's custom document properties)."""
    items = "".join(
        f'<property fmtid="{_FMTID}" pid="{pid}" name="{html.escape(name)}">'
        f"<vt:lpwstr>{html.escape(value, quote=False)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(sorted(properties.items()), start=2)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Properties xmlns="{_PROPS_NS}" xmlns:vt="{_VT_NS}">{items}</Properties>'
    ).encode()


def _with_custom_part(name: str, data: bytes) -> bytes:
    """Declare the custom-properties part in [Content_Types].xml and the package rels."""
    text = data.decode()
    if name == "[Content_Types].xml" and _CUSTOM_PART not in text:
        override = f'<Override PartName="/{_CUSTOM_PART}" ContentType="{_CUSTOM_TYPE}"/>'
        text = text.replace("</Types>", override + "</Types>")
    elif name == "_rels/.rels" and _CUSTOM_REL not in text:
        rel = f'<Relationship Id="rIdCaseledger" Type="{_CUSTOM_REL}" Target="{_CUSTOM_PART}"/>'
        text = text.replace("</Relationships>", rel + "</Relationships>")
    return text.encode()


def _fixed_zip(data: bytes, custom: dict[str, str] | None = None) -> bytes:
    """The same zip with every entry's timestamp fixed, so equal documents are equal bytes;
    with ``custom``, also the custom document properties part holding those properties."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            content = src.read(info.filename)
            if custom and info.filename in ("[Content_Types].xml", "_rels/.rels"):
                content = _with_custom_part(info.filename, content)
            dst.writestr(fixed, content)
        if custom:
            part = zipfile.ZipInfo(_CUSTOM_PART, date_time=_ZIP_TIME)
            part.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(part, _custom_xml(custom))
    return out.getvalue()


def docx_custom_properties(data: bytes) -> dict[str, str]:
    """The custom document properties of a DOCX file (name -> text)."""
    from xml.etree import ElementTree

    with zipfile.ZipFile(io.BytesIO(data)) as package:
        if _CUSTOM_PART not in package.namelist():
            return {}
        root = ElementTree.fromstring(package.read(_CUSTOM_PART))
    found = {}
    for prop in root.findall(f"{{{_PROPS_NS}}}property"):
        value = prop.find(f"{{{_VT_NS}}}lpwstr")
        found[prop.get("name", "")] = value.text or "" if value is not None else ""
    return found


def _number_pages_from(section: Any, first: int) -> None:
    """Word numbers this section's pages from ``first``."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    sect = section._sectPr
    number = sect.find(qn("w:pgNumType"))
    if number is None:
        number = OxmlElement("w:pgNumType")
        sect.append(number)
    number.set(qn("w:start"), str(first))


def _page_field(paragraph: Any, instruction: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instruction), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def render_docx(chronology: Chronology, prov: dict[str, Any]) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    family = len(chronology.children) > 1 or chronology.query.family_id is not None
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.8))
    style = document.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(10)

    document.add_heading(chronology.title, level=1)
    for line in header_lines(chronology):
        document.add_paragraph(line)
    document.add_paragraph(prepared_line(prov))
    document.add_paragraph(filter_line(chronology))

    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    heads = ["No.", "Date", "Event detail", "Impact on the child", "Source / document reference"]
    widths = [Cm(1.3), Cm(2.6), Cm(10.5), Cm(7.0), Cm(4.7)]
    for cell, text in zip(table.rows[0].cells, heads, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for e in chronology.entries:
        cells = table.add_row().cells
        for cell, text in zip(
            cells,
            [str(e.serial), e.date, event_cell(e, family), impact_cell(e), e.source],
            strict=True,
        ):
            cell.text = text
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width

    document.add_heading(APPENDIX_HEADING, level=2)
    if chronology.appendix:
        atable = document.add_table(rows=1, cols=len(APPENDIX_HEADS))
        atable.style = "Table Grid"
        for cell, text in zip(atable.rows[0].cells, APPENDIX_HEADS, strict=True):
            cell.text = text
            cell.paragraphs[0].runs[0].bold = True
        for a in chronology.appendix:
            cells = atable.add_row().cells
            values = [
                a.ref,
                str(a.entry_serial or "—"),
                a.original,
                change_text(a),
                a.reason,
                who_when(a),
            ]
            for cell, text in zip(cells, values, strict=True):
                cell.text = text
            if a.action != "Corrected":
                for run in cells[2].paragraphs[0].runs:
                    run.font.strike = True
    else:
        document.add_paragraph("None.")
    document.add_heading(QUALITY_HEADING, level=2)
    for line in chronology.quality.lines():
        document.add_paragraph(line, style="List Bullet")

    bundle = bundle_from(prov)
    footer = section.footer.paragraphs[0]
    footer.text = provenance_line(prov) + " — Page "
    if bundle is not None:
        _number_pages_from(section, bundle.first_page)
        footer.add_run(bundle.section)
        _page_field(footer, "PAGE")
    else:
        _page_field(footer, "PAGE")
        footer.add_run(" of ")
        _page_field(footer, "NUMPAGES")
    for run in footer.runs:
        run.font.size = Pt(7)

    props = document.core_properties
    stamp_day = prov["prepared_on"] or (prov["store_time"] or "2000-01-01")[:10]
    stamp = datetime.fromisoformat(stamp_day).replace(tzinfo=None)
    props.title = chronology.title
    props.subject = "Social work chronology"
    props.author = "caseledger"
    props.last_modified_by = "caseledger"
    props.keywords = "caseledger chronology"
    props.comments = f"store position {prov['store_position']}; sha256 {prov['content_sha256']}"
    props.created = stamp
    props.modified = stamp
    props.last_printed = stamp
    props.revision = 1
    out = io.BytesIO()
    document.save(out)
    return _fixed_zip(out.getvalue(), {_CUSTOM_NAME: _dumps(prov)})


# -- PDF -------------------------------------------------------------------------------------


def _date_document(document: Any, day: str) -> None:
    """Make ReportLab write ``day`` (midnight UTC) as the PDF's creation and modification date.

    Invariant mode alone dates every file 1 January 2000; the date a court reads in the
    document's properties is the date it was prepared.
    """
    import calendar
    import time

    stamp = document._timeStamp
    moment = calendar.timegm(date.fromisoformat(day).timetuple())
    stamp.t = moment
    stamp.lt = time.gmtime(moment)
    stamp.YMDhms = tuple(stamp.lt)[:6]
    stamp.dhh = stamp.dmm = 0


def render_pdf(chronology: Chronology, prov: dict[str, Any]) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

    family = len(chronology.children) > 1 or chronology.query.family_id is not None
    styles = getSampleStyleSheet()
    body = styles["BodyText"].clone("cell", fontSize=8.5, leading=10.5)
    small = styles["BodyText"].clone("small", fontSize=9, leading=11)

    def p(text: Any, style: Any = body) -> Paragraph:
        return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)

    footer_text = provenance_line(prov)
    bundle = bundle_from(prov)
    prepared = prov["prepared_on"] or (prov["store_time"] or "2000-01-01")[:10]
    years: list[str] = []
    first_of_year: dict[int, str] = {}
    for e in chronology.entries:
        year = e.date.split(" ")[0][-4:]
        if year not in years:
            years.append(year)
            first_of_year[e.serial] = year
    outline = [(year, f"year-{year}") for year in years]
    outline += [(APPENDIX_HEADING, "appendix"), (QUALITY_HEADING, "quality")]

    class NumberedCanvas(Canvas):  # type: ignore[misc]
        """Draws the page numbers and the provenance footer once the page count is known;
        dates the document on the day it was prepared; adds the outline and page labels."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []
            _date_document(self._doc, prepared)

        def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for index, state in enumerate(self._pages):
                self.__dict__.update(state)
                self.setFont("Helvetica", 7)
                width = self._pagesize[0]
                self.drawString(1.5 * cm, 1.0 * cm, footer_text)
                number = (
                    f"Page {bundle.label(index)} ({index + 1} of {total})"
                    if bundle
                    else f"Page {index + 1} of {total}"
                )
                self.drawRightString(width - 1.5 * cm, 1.0 * cm, number)
                super().showPage()
            for title, key in outline:
                self.addOutlineEntry(title, key, level=0)
            self.showOutline()
            if bundle is not None:
                from reportlab.pdfbase.pdfdoc import PDFPageLabel

                self.addPageLabel(
                    0, style=PDFPageLabel.ARABIC, start=bundle.first_page, prefix=bundle.section
                )
            super().save()

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.8 * cm,
        title=chronology.title,
        author="caseledger",
        subject="Social work chronology",
        creator=GENERATOR,
        keywords=[_PDF_MARK + base64.b64encode(_dumps(prov).encode()).decode()],
        invariant=1,
    )
    story: list[Any] = [Paragraph(escape(chronology.title), styles["Heading1"])]
    for line in header_lines(chronology):
        story.append(p(line, small))
    story.append(p(prepared_line(prov), small))
    story.append(p(filter_line(chronology), small))
    story.append(Spacer(1, 0.3 * cm))
    data: list[list[Any]] = [
        [p(h) for h in ("No.", "Date", "Event detail", "Impact on the child", "Source / reference")]
    ]
    for e in chronology.entries:
        anchor = f'<a name="year-{first_of_year[e.serial]}"/>' if e.serial in first_of_year else ""
        data.append(
            [
                p(e.serial),
                Paragraph(anchor + escape(e.date), body),
                p(event_cell(e, family)),
                p(impact_cell(e)),
                p(e.source),
            ]
        )
    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    table = LongTable(
        data, colWidths=[1.1 * cm, 2.4 * cm, 11.0 * cm, 7.6 * cm, 4.6 * cm], repeatRows=1
    )
    table.setStyle(grid)
    story.append(table)
    story.append(Spacer(1, 0.5 * cm))
    story.append(Paragraph('<a name="appendix"/>' + APPENDIX_HEADING, styles["Heading2"]))
    if chronology.appendix:
        adata: list[list[Any]] = [[p(h) for h in APPENDIX_HEADS]]
        for a in chronology.appendix:
            original = escape(a.original)
            if a.action != "Corrected":
                original = f"<strike>{original}</strike>"
            adata.append(
                [
                    p(a.ref),
                    p(a.entry_serial or "—"),
                    Paragraph(original, body),
                    p(change_text(a)),
                    p(a.reason),
                    p(who_when(a)),
                ]
            )
        atable = LongTable(
            adata,
            colWidths=[1.1 * cm, 1.2 * cm, 8.6 * cm, 7.4 * cm, 4.6 * cm, 3.8 * cm],
            repeatRows=1,
        )
        atable.setStyle(grid)
        story.append(atable)
    else:
        story.append(p("None.", small))
    story.append(Spacer(1, 0.5 * cm))
    story.append(Paragraph('<a name="quality"/>' + QUALITY_HEADING, styles["Heading2"]))
    for line in chronology.quality.lines():
        story.append(p(line, small))
    doc.build(story, canvasmaker=NumberedCanvas)
    return out.getvalue()


RENDERERS: dict[str, Callable[[Chronology, dict[str, Any]], bytes]] = {
    "pdf": render_pdf,
    "docx": render_docx,
    "csv": render_csv,
    "html": render_html,
    "json": render_json,
}


def export(
    chronology: Chronology,
    fmt: str,
    *,
    store_time: str | None,
    prepared_on: date | None,
    bundle: Bundle | None = None,
) -> tuple[bytes, dict[str, Any]]:
    """The file's bytes and its provenance. ``prepared_on`` is required for pdf/docx/html;
    ``bundle`` (pdf and docx) numbers the pages as a court-bundle section."""
    if fmt not in RENDERERS:
        raise ValueError(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if fmt in COURT_FORMATS and prepared_on is None:
        raise ValueError(f"a {fmt} chronology needs the date prepared (PD27A)")
    if bundle is not None and fmt not in PAGED_FORMATS:
        raise ValueError(
            f"--bundle-section: a {fmt} file has no pages; bundle pagination is for "
            f"{' and '.join(PAGED_FORMATS)}"
        )
    prov = provenance(chronology, fmt, store_time, prepared_on, bundle)
    return RENDERERS[fmt](chronology, prov), prov


# -- reading provenance back -----------------------------------------------------------------


def detect_format(path: Path, data: bytes) -> str:
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK"):
        return "docx"
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("htm", "html"):
        return "html"
    if suffix in FORMATS:
        return suffix
    head = data.lstrip()[:20]
    if head.startswith(b"{"):
        return "json"
    if head.lower().startswith((b"<!doctype", b"<html")):
        return "html"
    return "csv"


def read_provenance(path: Path) -> dict[str, Any]:
    """The provenance a chronology export carries; ProvenanceError if none can be read."""
    data = path.read_bytes()
    fmt = detect_format(path, data)
    try:
        if fmt == "json":
            prov = json.loads(data).get("provenance")
        elif fmt == "csv":
            prov = None
            for row in csv.reader(io.StringIO(data.decode())):
                if row and row[0] == "provenance" and len(row) > 1:
                    prov = json.loads(row[1])
        elif fmt == "html":
            match = re.search(rb'<meta name="caseledger-provenance" content="([^"]*)">', data)
            prov = json.loads(html.unescape(match.group(1).decode())) if match else None
        elif fmt == "docx":
            text = docx_custom_properties(data).get(_CUSTOM_NAME)
            prov = json.loads(text) if text else None
        else:
            match = re.search(re.escape(_PDF_MARK).encode() + rb"([A-Za-z0-9+/=]+)", data)
            prov = json.loads(base64.b64decode(match.group(1))) if match else None
    except (ValueError, KeyError, TypeError, zipfile.BadZipFile) as error:
        raise ProvenanceError(f"{path}: cannot read its provenance ({error})") from None
    if not isinstance(prov, dict) or "store_position" not in prov or "query" not in prov:
        raise ProvenanceError(
            f"{path}: no caseledger provenance found — is this a chronology exported by caseledger?"
        )
    return prov
