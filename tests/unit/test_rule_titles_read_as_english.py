"""Counts in every rule's title and clock read as English: "1 working day", "2 working days"."""

from __future__ import annotations

import re

import pytest

from adapters.packs import load_packs
from policies.calendar import Unit
from policies.rules import Clock

UNITS = r"(?:working\s+day|calendar\s+day|day|week|month|hour|year)"
ONE_PLURAL = re.compile(rf"\b(?:1|one)\s+{UNITS}s\b", re.IGNORECASE)
MANY_SINGULAR = re.compile(rf"\b(?!1\b)\d+\s+{UNITS}\b(?!s)", re.IGNORECASE)


def _texts() -> list[tuple[str, str]]:
    packs = load_packs()
    out: list[tuple[str, str]] = []
    for pack_id in packs.ids():
        for pack in packs.versions[pack_id]:
            for rule in pack.rules:
                where = f"{pack_id} {pack.version} {rule.id}"
                out.append((where, rule.title))
                out.append((where, rule.clock.describe()))
                if rule.recurrence:
                    out += [(where, clock.describe()) for clock in rule.recurrence.then]
    return out


def test_the_check_catches_both_mistakes() -> None:
    assert ONE_PLURAL.search("recorded within 1 working days")
    assert MANY_SINGULAR.search("visited every 6 week")
    assert not ONE_PLURAL.search("within 1 working day of 12 days")
    assert not MANY_SINGULAR.search("within 10 working days, then 1 month")


def test_every_title_and_clock_of_every_pack_reads_as_english() -> None:
    texts = _texts()
    assert len(texts) > 300  # every rule of the five packs and the national baseline
    wrong = [(where, text) for where, text in texts if ONE_PLURAL.search(text)]
    wrong += [(where, text) for where, text in texts if MANY_SINGULAR.search(text)]
    assert wrong == []


@pytest.mark.parametrize(
    ("unit", "length", "text"),
    [
        (Unit.WORKING_DAYS, 1, "1 working day"),
        (Unit.WORKING_DAYS, 2, "2 working days"),
        (Unit.WEEKS, 1, "1 week"),
        (Unit.MONTHS, 6, "6 months"),
        (Unit.HOURS, 1, "1 hour"),
        (Unit.CALENDAR_DAYS, 1, "1 calendar day"),
        (Unit.SAME_DAY, 0, "same day"),
    ],
)
def test_a_clock_describes_its_count_in_english(unit: Unit, length: int, text: str) -> None:
    assert Clock(unit=unit, length=length).describe() == text
