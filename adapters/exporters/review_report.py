"""The practice review report rendered for people: HTML, or DOCX (python-docx).

The report itself (timeline, standards, gaps between sightings, decisions, agencies, the
what-if against another pack) is built by :func:`projections.review_report.build_report`.
"""

from __future__ import annotations

import html
import io
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, time

from domain.events.base import LONDON
from policies.engine import Deadline
from projections.review_report import (
    LIST_GAPS_OVER_DAYS,
    ReviewReport,
    TimelineRow,
    build_report,
    london_day,
)

__all__ = [
    "FORMATS",
    "LIST_GAPS_OVER_DAYS",
    "ReviewReport",
    "build_report",
    "render",
    "render_docx",
    "render_html",
]

FORMATS = ("html", "docx")
_STATUS_TEXT = {
    "met": "Met",
    "met_late": "Met late",
    "breached": "Breached",
    "pending": "Open",
    "extended": "Open (extended)",
    "cancelled": "Cancelled",
}


def _d(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


def _dt(value: datetime | None) -> str:
    return value.astimezone(LONDON).strftime("%d/%m/%Y %H:%M") if value else "—"


def _delay(row: TimelineRow) -> str:
    text = f"{row.delay_days} day{'s' if row.delay_days != 1 else ''}"
    if row.delay_working_days != row.delay_days:
        text += f" ({row.delay_working_days} working)"
    return text + (" — late" if row.late else "")


def _outcome(counts: Counter[str]) -> str:
    if not counts:
        return "no deadline"
    return ", ".join(f"{n} {_STATUS_TEXT.get(s, s).lower()}" for s, n in sorted(counts.items()))


def _dues(deadlines: Sequence[Deadline]) -> str:
    shown = [
        f"due {_d(london_day(d.effective_due))} {_STATUS_TEXT.get(d.status.value, '').lower()}"
        for d in deadlines[:4]
    ]
    more = len(deadlines) - len(shown)
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


def sections(report: ReviewReport) -> list[tuple[str, list[str], list[list[str]], str]]:
    """Every section as (heading, column heads, rows, text when empty): both formats use it."""
    out: list[tuple[str, list[str], list[list[str]], str]] = []
    out.append(
        (
            "Standards applied (pack versions in force)",
            ["Pack", "Version", "In force from"],
            [[p, v, _d(f)] for p, v, f in report.packs_used],
            "No standard applied in the period.",
        )
    )
    out.append(
        (
            "Summary of timeliness by standard",
            [
                "Standard",
                "Pack",
                "Deadlines",
                "Met",
                "Met late",
                "Breached",
                "Open",
                "Cancelled",
                "On time",
            ],
            [
                [
                    f"{s.title} ({s.rule_id})",
                    s.packs,
                    str(s.total),
                    str(s.met),
                    str(s.met_late),
                    str(s.breached),
                    str(s.open),
                    str(s.cancelled),
                    s.on_time,
                ]
                for s in report.summary
            ],
            "No deadlines in the period.",
        )
    )
    out.append(
        (
            "Timeline: every event, when it happened and when it was recorded",
            ["Child", "Occurred", "Recorded", "Delay", "Event", "Agency", "Notes"],
            [
                [
                    r.child_id,
                    r.occurred,
                    _dt(r.recorded_at),
                    _delay(r),
                    f"{r.title}. {r.summary}".strip(),
                    r.agency,
                    r.note,
                ]
                for r in report.timeline
            ],
            "No events in the period.",
        )
    )
    out.append(
        (
            "Standards and whether they were met",
            [
                "Child",
                "Standard",
                "Pack (version in force)",
                "Clock from",
                "Due",
                "Outcome",
                "Met on",
                "Citation",
            ],
            [
                [
                    s.child_id,
                    f"{s.title} ({s.rule_id})",
                    f"{s.pack} {s.pack_version} (from {_d(s.effective_from)})",
                    _d(s.counted_from),
                    _dt(s.due),
                    _STATUS_TEXT.get(s.status, s.status)
                    + (f" by {s.days_late} day(s)" if s.days_late else ""),
                    _dt(s.met_at),
                    s.citation,
                ]
                for s in report.standards
            ],
            "No standards applied in the period.",
        )
    )
    gap_rows = [
        [
            g.child_id,
            _d(g.start) if g.start else "(not seen before the period)",
            _d(g.end) + ("" if g.ended_by_visit else " (end of period)"),
            str(g.days),
            ", ".join(g.exceeded) or f"longer than {LIST_GAPS_OVER_DAYS} days",
        ]
        for g in report.gaps
    ]
    gap_rows += [[c, "—", "—", "—", "no visit recorded"] for c in report.not_visited]
    out.append(
        (
            "Periods when the child was not seen",
            ["Child", "Last seen", "Next seen", "Days", "Visiting standard missed"],
            gap_rows,
            "No gap between sightings exceeded a visiting standard.",
        )
    )
    out.append(
        (
            "Decisions and rationale",
            ["Child", "Date", "Decision", "Rationale", "By", "Recorded"],
            [
                [
                    d.child_id,
                    _d(d.occurred),
                    f"{d.kind.replace('_', ' ')}: {d.decision}",
                    d.rationale + (" (corrected)" if d.corrected else ""),
                    d.decided_by,
                    _dt(d.recorded_at),
                ]
                for d in report.decisions
            ],
            "No decisions recorded in the period.",
        )
    )
    out.append(
        (
            "Agencies involved",
            ["Agency", "Entries", "First", "Last"],
            [[a.agency, str(a.entries), _d(a.first), _d(a.last)] for a in report.agencies],
            "No agency named in the period.",
        )
    )
    if report.other_pack is not None:
        rows = [
            [
                w.child_id,
                f"{d.title} ({d.rule_id})",
                f"{d.base_pack}: {_outcome(d.base)}. {_dues(d.base_deadlines)}".rstrip(". "),
                f"{d.other_pack}: {_outcome(d.other)}. {_dues(d.other_deadlines)}".rstrip(". "),
                "; ".join(d.reasons),
            ]
            for w in report.what_if
            for d in w.differences
        ]
        out.append(
            (
                f"What-if: the same history judged by {report.other_pack}",
                [
                    "Child",
                    "Rule",
                    "As judged (authority pack)",
                    f"Judged by {report.other_pack}",
                    "Why",
                ],
                rows,
                "No rule's outcome differs.",
            )
        )
    return out


def _intro(report: ReviewReport) -> list[str]:
    return [
        f"Children: {', '.join(report.subjects)}"
        + (f" (family {report.family_id})" if report.family_id else ""),
        f"Period: {_d(report.start)} to {_d(report.end)}. As recorded by {_dt(report.as_known_at)}: "
        "nothing recorded later is included.",
        f"Prepared on {_d(report.prepared_on)}.",
    ]


def render_html(report: ReviewReport) -> bytes:
    h = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{h(report.title)}</title>",
        "<style>body{font-family:Arial,sans-serif;font-size:10pt}"
        "table{border-collapse:collapse;margin-bottom:1.5em}"
        "th,td{border:1px solid #999;padding:3px 5px;vertical-align:top;text-align:left}"
        "th{background:#eee}</style></head><body>",
        f"<h1>{h(report.title)}</h1>",
    ]
    parts += [f"<p>{h(line)}</p>" for line in _intro(report)]
    for heading, heads, rows, empty in sections(report):
        parts.append(f"<h2>{h(heading)}</h2>")
        if not rows:
            parts.append(f"<p>{h(empty)}</p>")
            continue
        parts.append(
            "<table><thead><tr>"
            + "".join(f"<th>{h(c)}</th>" for c in heads)
            + "</tr></thead><tbody>"
        )
        for row in rows:
            parts.append("<tr>" + "".join(f"<td>{h(c)}</td>" for c in row) + "</tr>")
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    return ("\n".join(parts) + "\n").encode("utf-8")


def render_docx(report: ReviewReport) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    style = document.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(9)
    document.add_heading(report.title, level=1)
    for line in _intro(report):
        document.add_paragraph(line)
    for heading, heads, rows, empty in sections(report):
        document.add_heading(heading, level=2)
        if not rows:
            document.add_paragraph(empty)
            continue
        table = document.add_table(rows=1, cols=len(heads))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, heads, strict=True):
            cell.text = text
            cell.paragraphs[0].runs[0].bold = True
        for row in rows:
            for cell, text in zip(table.add_row().cells, row, strict=True):
                cell.text = text
    props = document.core_properties
    stamp = datetime.combine(report.prepared_on, time(0, 0))
    props.title = report.title
    props.author = "caseledger"
    props.subject = "Practice review timeline"
    props.created = stamp
    props.modified = stamp
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def render(report: ReviewReport, fmt: str) -> bytes:
    if fmt == "html":
        return render_html(report)
    if fmt == "docx":
        return render_docx(report)
    raise ValueError(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")
