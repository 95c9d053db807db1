"""Impact on the child: recorded by the worker, shown in its column; a quality summary at the end."""

from __future__ import annotations

from datetime import date

import pytest

from adapters.exporters.chronology import export
from domain.errors import InvalidEvent
from domain.events import EVENT_TYPES
from domain.events.base import IMPACT_MAX_LENGTH
from projections.chronology import IMPACT_NOT_RECORDED, impact_cell
from tests.factories import example
from tests.unit.test_chronology import Log, at, registered


def test_impact_is_optional_limited_and_never_blank_when_recorded() -> None:
    assert example("child_visited").impact_on_child is None
    with pytest.raises(InvalidEvent, match="impact_on_child.*is blank"):
        example("child_visited", impact_on_child="   ")
    with pytest.raises(InvalidEvent, match="impact_on_child.*at most 2000"):
        example("child_visited", impact_on_child="x" * (IMPACT_MAX_LENGTH + 1))
    # an entry already stored is read back as written (the check is for new input only)
    data = {**example("child_visited").payload(), "impact_on_child": ""}
    assert EVENT_TYPES["child_visited"].model_validate(data).impact_on_child == ""


def test_the_column_shows_the_note_without_surrounding_space() -> None:
    log = Log()
    registered(log)
    log.add(
        "strategy_discussion_held",
        "C1",
        "2024-02-01T10:00",
        at("2024-02-01", 12),
        impact_on_child="  Seen alone.  ",
    )
    assert impact_cell(log.chronology().entries[1]) == "Seen alone."


def _log() -> Log:
    log = Log()
    registered(log)
    log.add(
        "strategy_discussion_held",
        "C1",
        "2024-02-01T10:00",
        at("2024-02-01", 12),
        impact_on_child="Robin will be seen alone within two days.",
    )
    # written up on the 6th: the 2nd working day after the 1st was the 5th, so late
    log.add("section_47_started", "C1", "2024-02-01", at("2024-02-06", 12))
    return log


def test_the_impact_column_shows_the_note_or_says_there_is_none() -> None:
    chron = _log().chronology()
    cells = [(e.kind, impact_cell(e)) for e in chron.entries]
    assert cells == [
        ("child_registered", IMPACT_NOT_RECORDED),
        ("strategy_discussion_held", "Robin will be seen alone within two days."),
        ("section_47_started", IMPACT_NOT_RECORDED),
    ]


def test_the_document_ends_with_a_quality_summary() -> None:
    chron = _log().chronology()
    assert chron.quality.lines() == [
        "Entries: 3.",
        "Impact on the child recorded for 1 of 3 entries; not recorded for No. 1, 3.",
        "Recorded late (after the 2nd working day): 1, No. 3.",
        "Corrections: none.",
        "Entries recorded in error: none.",
    ]
    html, _ = export(chron, "html", store_time=None, prepared_on=date(2024, 3, 1))
    text = html.decode()
    tail = text[text.index("<h2>Quality summary</h2>") :]
    assert "<li>Recorded late (after the 2nd working day): 1, No. 3.</li>" in tail
    assert text.index("Audit appendix") < text.index("Quality summary")
    csv, _ = export(chron, "csv", store_time=None, prepared_on=None)
    rows = csv.decode().splitlines()
    assert rows[-2].startswith("quality,,,,,Entries recorded in error: none.")
    assert rows[-1].startswith("provenance,")
