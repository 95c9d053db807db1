"""The corrections appendix says what changed (field, before, after), who, when and why."""

from __future__ import annotations

import io
from datetime import date

from docx import Document

from adapters.exporters.chronology import change_text, export
from tests.unit.test_chronology import Log, at, registered


def _corrected_log() -> tuple[Log, str, str]:
    log = Log()
    registered(log)
    group = log.add(
        "core_group_held",
        "C1",
        "2024-02-01",
        at("2024-02-01"),
        summary="First core group meeting.",
        attendees=["school", "mother"],
        significant=True,
    )
    log.add(
        "entry_corrected",
        "C1",
        "2024-02-09",
        at("2024-02-09", 14),
        target_event_id=group,
        changes={"attendees": ["school", "mother", "Dean Fairholm"]},
        reason="Father attended; omitted from the original entry.",
    )
    note = log.add(
        "case_note_recorded",
        "C1",
        "2024-02-03",
        at("2024-02-03"),
        summary="Nursery attendance call.",
        significant=True,
    )
    log.add(
        "entry_recorded_in_error",
        "C1",
        "2024-02-04",
        at("2024-02-04", 9),
        target_event_id=note,
        reason="Recorded on the wrong child's record.",
    )
    return log, group, note


def test_a_correction_lists_the_field_with_its_value_before_and_after() -> None:
    log, group, _ = _corrected_log()
    chron = log.chronology()
    # in the order they were recorded: the entry in error (04/02), then the correction (09/02)
    second, first = chron.appendix
    assert (first.ref, first.action, first.target_event_id) == ("A2", "Corrected", group)
    assert first.changes == (("Attendees", "school, mother", "school, mother, Dean Fairholm"),)
    assert change_text(first) == "Attendees: school, mother → school, mother, Dean Fairholm"
    assert first.reason == "Father attended; omitted from the original entry."
    assert first.recorded_by == "sw-001 (social worker)"
    assert first.recorded_at == "09/02/2024 14:00"
    assert first.entry_serial == 2
    assert (second.action, second.changes, second.corrected) == ("Recorded in error", (), "")
    assert second.original == "03/02/2024: Case note recorded. Nursery attendance call."
    assert change_text(second) == "Recorded in error: left out of the chronology"


def test_corrections_of_the_same_field_chain_before_and_after() -> None:
    log = Log()
    registered(log)
    target = log.add(
        "section_47_concluded", "C1", "2024-02-01", at("2024-02-01"), outcome="nfa", summary="X."
    )
    for n, outcome in ((2, "cin"), (3, "icpc")):
        log.add(
            "entry_corrected",
            "C1",
            f"2024-02-0{n}",
            at(f"2024-02-0{n}"),
            target_event_id=target,
            changes={"outcome": outcome},
            reason=f"fix {n}",
        )
    chron = log.chronology()
    assert [a.changes for a in chron.appendix] == [
        (("Outcome", "No further action", "Child in need"),),
        (("Outcome", "Child in need", "Initial child protection conference"),),
    ]


def test_recorded_in_error_is_struck_through_in_html_and_docx() -> None:
    log, _, _ = _corrected_log()
    chron = log.chronology()
    html, _ = export(chron, "html", store_time=None, prepared_on=date(2024, 3, 1))
    text = html.decode()
    assert (
        '<td class="in-error"><del>03/02/2024: Case note recorded. Nursery attendance call.'
        "</del></td>" in text
    )
    assert "Attendees: school, mother → school, mother, Dean Fairholm" in text
    data, _ = export(chron, "docx", store_time=None, prepared_on=date(2024, 3, 1))
    table = Document(io.BytesIO(data)).tables[-1]
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert rows[0] == ["Ref", "Entry", "Entry as recorded", "What changed", "Why", "By, when"]
    struck = [
        (row.cells[2].text, all(run.font.strike for run in row.cells[2].paragraphs[0].runs))
        for row in table.rows[1:]
    ]
    assert struck == [
        ("03/02/2024: Case note recorded. Nursery attendance call.", True),
        ("01/02/2024: Core group held. First core group meeting.", False),
    ]
