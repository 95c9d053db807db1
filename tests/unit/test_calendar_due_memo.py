"""The calendar's remembered ``due`` answers what working it out afresh answers.

:func:`policies.calendar._due` is an ``lru_cache`` over the stateless calculation; a moment
given in another time zone is the same key (equal instants), so it must also be the same
London answer. Checked over five years of triggers, every unit, lengths of both signs.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from policies.calendar import LONDON, Unit, WorkingDayCalendar, _due

CALENDAR = WorkingDayCalendar()


def test_remembered_due_equals_the_calculation_for_every_unit() -> None:
    rng = random.Random(5)
    start = datetime(2021, 1, 1, tzinfo=LONDON)
    units = [u for u in Unit if u is not Unit.SAME_DAY]
    for _ in range(3000):
        trigger = start + timedelta(minutes=rng.randrange(5 * 365 * 24 * 60))
        unit = rng.choice(units)
        length = rng.randint(-30, 60)
        want = _due.__wrapped__(trigger, unit, length)
        assert CALENDAR.due(trigger, unit, length) == want
        # the same instant in UTC and in New York: the same London answer, from the cache
        for zone in (UTC, ZoneInfo("America/New_York")):
            again = CALENDAR.due(trigger.astimezone(zone), unit.value, length)
            assert again == want and again.tzinfo is want.tzinfo
    assert CALENDAR.due(date(2024, 12, 24), Unit.WORKING_DAYS, 2) == datetime(
        2024, 12, 30, 23, 59, 59, 999999, tzinfo=LONDON
    )  # Christmas and Boxing Day are not working days


def test_bad_lengths_are_refused_before_the_cache_is_asked() -> None:
    CALENDAR.due(date(2024, 1, 1), Unit.WORKING_DAYS, 1)
    with pytest.raises(TypeError):
        CALENDAR.due(date(2024, 1, 1), Unit.WORKING_DAYS, True)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        CALENDAR.due(date(2024, 1, 1), "fortnights", 1)


def test_remembered_london_times_keep_the_instant_of_each_fold() -> None:
    from policies.calendar import to_london

    # 01:30 on 27 October 2024 happened twice in London (BST, then GMT)
    first = datetime(2024, 10, 27, 1, 30, tzinfo=LONDON, fold=0)
    second = datetime(2024, 10, 27, 1, 30, tzinfo=LONDON, fold=1)
    for _ in range(2):  # the second round is answered from the cache
        assert to_london(first).astimezone(UTC) == datetime(2024, 10, 27, 0, 30, tzinfo=UTC)
        assert to_london(second).astimezone(UTC) == datetime(2024, 10, 27, 1, 30, tzinfo=UTC)
    moment = datetime(2024, 7, 1, 12, tzinfo=UTC)
    assert to_london(moment) == moment and to_london(moment).tzinfo is LONDON
    assert to_london(datetime(2024, 7, 1, 12)).utcoffset() == timedelta(hours=1)
