"""The subject access response as a document: PDF (ReportLab) or DOCX (python-docx).

The same libraries as the court-bundle chronology. Every redaction reads ``[Redacted: CODE]``
where the data was, and the document ends with the list of reasons (each code, what it
means, the exemption it rests on, how many times it was used). A draft says so on every
page; only ``caseledger sar release`` writes the final document.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.events.base import LONDON
from projections.subject_access import REASONS, SubjectAccessPlan, redaction_mark

FORMATS = ("pdf", "docx")
DRAFT_MARK = "DRAFT - for the reviewer; not for release"


@dataclass(frozen=True)
class Cover:
    """What the document says about itself."""

    request_id: str | None
    received_on: str | None
    prepared_at: datetime
    final: bool
    approved_on: str | None = None

    def lines(self, plan: SubjectAccessPlan) -> list[str]:
        known = plan.as_known_at.astimezone(LONDON).strftime("%Y-%m-%d %H:%M")
        out = [
            f"Data subject: {plan.subject_name}",
            f"Request: {self.request_id or '(none recorded yet)'}"
            + (f", received {self.received_on}" if self.received_on else ""),
            f"The record as it stood at {known} (Europe/London)",
            f"Prepared {self.prepared_at.astimezone(LONDON):%Y-%m-%d %H:%M}",
            f"Entries: {len(plan.entries)}; redactions: {plan.redactions}",
        ]
        if self.final:
            out.append(f"Redactions approved by the reviewer on {self.approved_on}")
        else:
            out.append(DRAFT_MARK)
        return out


INTRO = (
    "This is the personal data about you held in children's social care records: each entry "
    "that is about you, with its date and the record it is in. Where an entry also holds "
    "another person's personal data, or names a professional who has not consented to be "
    "named, that part is replaced by [Redacted: CODE]; the codes are explained at the end."
)


def _title(cover: Cover) -> str:
    return "Subject access response" + ("" if cover.final else " (DRAFT)")


def reasons_rows(plan: SubjectAccessPlan) -> list[tuple[str, str, str, int]]:
    counts = plan.redaction_counts()
    return [
        (redaction_mark(code), name, text, counts[code]) for code, (name, text) in REASONS.items()
    ]


def render_pdf(plan: SubjectAccessPlan, cover: Cover) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    body = styles["BodyText"].clone("sar-body", fontSize=9, leading=11)
    head = styles["Heading3"].clone("sar-entry", fontSize=10.5, leading=13, spaceBefore=8)

    def p(text: Any, style: Any = body) -> Paragraph:
        return Paragraph(escape(str(text)), style)

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        text = f"Subject access response {cover.request_id or ''}".strip()
        if not cover.final:
            text += f" - {DRAFT_MARK}"
        canvas.drawString(1.5 * cm, 1.0 * cm, text)
        canvas.drawRightString(A4[0] - 1.5 * cm, 1.0 * cm, f"Page {doc.page}")
        canvas.restoreState()

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.8 * cm,
        title=_title(cover),
        author="caseledger",
        subject="Subject access response",
        invariant=1,
    )
    story: list[Any] = [Paragraph(escape(_title(cover)), styles["Heading1"])]
    story += [p(line) for line in cover.lines(plan)]
    story += [Spacer(1, 0.3 * cm), p(INTRO), Spacer(1, 0.3 * cm)]
    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    for number, entry in enumerate(plan.entries, start=1):
        story.append(p(f"{number}. {entry.occurred} - {entry.title} ({entry.record})", head))
        story.append(p(f"Written down {entry.recorded}"))
        rows = [[p(f.label), p(f.text)] for f in entry.fields]
        if rows:
            table = Table(rows, colWidths=[5 * cm, 12.5 * cm])
            table.setStyle(grid)
            story.append(table)
    story.append(Paragraph("Reasons for redactions", styles["Heading2"]))
    rows = [[p("Code"), p("Reason"), p("Times used")]]
    for mark, name, text, count in reasons_rows(plan):
        rows.append([p(mark), p(f"{name}: {text}"), p(count)])
    table = Table(rows, colWidths=[3.5 * cm, 11.5 * cm, 2.5 * cm])
    table.setStyle(grid)
    story.append(table)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def render_docx(plan: SubjectAccessPlan, cover: Cover) -> bytes:
    from docx import Document
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.size = Pt(10)
    props = document.core_properties
    props.title = _title(cover)
    props.author = "caseledger"
    props.subject = "Subject access response"
    props.created = cover.prepared_at
    props.modified = cover.prepared_at
    props.last_modified_by = "caseledger"
    document.add_heading(_title(cover), level=1)
    for line in cover.lines(plan):
        document.add_paragraph(line)
    document.add_paragraph(INTRO)
    if not cover.final:
        document.sections[0].footer.paragraphs[0].text = DRAFT_MARK
    for number, entry in enumerate(plan.entries, start=1):
        document.add_heading(
            f"{number}. {entry.occurred} - {entry.title} ({entry.record})", level=3
        )
        document.add_paragraph(f"Written down {entry.recorded}")
        if entry.fields:
            table = document.add_table(rows=0, cols=2)
            table.style = "Table Grid"
            for f in entry.fields:
                cells = table.add_row().cells
                cells[0].text = f.label
                cells[1].text = f.text
    document.add_heading("Reasons for redactions", level=2)
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    header = table.rows[0].cells
    header[0].text, header[1].text, header[2].text = "Code", "Reason", "Times used"
    for mark, name, text, count in reasons_rows(plan):
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = mark, f"{name}: {text}", str(count)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def render(plan: SubjectAccessPlan, cover: Cover, fmt: str) -> bytes:
    if fmt == "pdf":
        return render_pdf(plan, cover)
    if fmt == "docx":
        return render_docx(plan, cover)
    raise ValueError(f"{fmt!r}: the response is written as pdf or docx")


def docx_text(data: bytes) -> str:
    """Every paragraph and table cell of a DOCX, one per line (what a reader sees)."""
    from docx import Document

    document = Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    for section in document.sections:
        lines.extend(p.text for p in section.footer.paragraphs)
    return "\n".join(lines)
