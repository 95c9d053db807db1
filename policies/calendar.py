"""The working-day calendar the deadline engine counts with.

The conventions, written down once (the tests in ``tests/unit/test_calendar.py`` check each):

1. Working days. A working day is Monday to Friday and not an England-and-Wales bank holiday.
   The bank holidays come from the maintained ``holidays`` package
   (``holidays.country_holidays("GB", subdiv="ENG")``: New Year's Day, Good Friday, Easter
   Monday, the early May, spring and summer bank holidays, Christmas Day, Boxing Day, the
   substitute days when those fall at a weekend, and one-off days such as the 2020 move of the
   early May bank holiday to VE Day). Wales has the same bank holidays as England. A one-off
   bank holiday announced in future reaches this calendar by upgrading the package.

2. The trigger day is day 0. Counting starts on the day after the trigger. "Within N working
   days" is due by the end of the Nth working day after the trigger day. The trigger day itself
   never counts, even when it is a working day, and it need not be a working day: a referral
   received on a Saturday is due 1 working day later on the Monday (if that is not a bank
   holiday).

3. Counting backwards is the mirror image. "N working days before" a meeting is the Nth working
   day counting back from the day before the meeting. Negative lengths mean this.

4. Zero. Adding 0 working days (or 0 of any unit) gives the trigger day itself, whether or not it
   is a working day: a due date of "0 working days" is the end of the trigger day, the same as
   "same day".

5. Calendar days and weeks are plain calendar arithmetic: N days, or 7 x N days, after the
   trigger day, whatever the weekday or holiday. They are not moved off weekends.

6. Months keep the day number and clamp to the end of the month: 15 March + 1 month is
   15 April; 31 January + 1 month is 28 February (29 February in a leap year); 31 March - 1
   month is 28 or 29 February. Months are not moved off weekends either.

7. A day-based deadline (same day, working days, calendar days, weeks, months) falls at the END
   of its due day: 23:59:59.999999 Europe/London, the last instant Python can represent before
   the next midnight. Something done at instant ``t`` is on time when ``t <= due``.

8. Hours are exact elapsed time: N hours after the trigger instant, added in UTC, so 24 hours
   is always 24 real hours across a clock change (24 hours after 12:00 GMT on Saturday
   28 March 2026 is 13:00 BST on Sunday 29 March 2026).

9. Times are Europe/London. A naive datetime means London wall-clock time; an aware datetime is
   converted to London first, so the trigger day is the London calendar day. A bare ``date``
   trigger means that day; for an hours deadline it means London midnight at the start of it.
   Every datetime this module returns is aware, in Europe/London.

This module is pure: no I/O and no clock reads. It depends only on the standard library and
``holidays``.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import functools
import importlib.util
import sys
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "LONDON",
    "Unit",
    "WorkingDayCalendar",
    "add_months",
    "to_london",
]

LONDON = ZoneInfo("Europe/London")

_END_OF_DAY = time(23, 59, 59, 999999)
_YEARS_PER_BLOCK = 10
"""Bank holidays are computed and cached for a block of this many years at a time."""


class Unit(StrEnum):
    """The unit a statutory time limit is counted in."""

    HOURS = "hours"
    SAME_DAY = "same_day"
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    WEEKS = "weeks"
    MONTHS = "months"


@lru_cache(maxsize=64)
def _bank_holidays_in_block(block: int) -> frozenset[date]:
    """England-and-Wales bank holidays for the years ``block * 10`` to ``block * 10 + 9``."""
    first = max(block * _YEARS_PER_BLOCK, date.min.year)
    last = min(first + _YEARS_PER_BLOCK - 1, date.max.year)
    found = _united_kingdom()(subdiv="ENG", years=range(first, last + 1))
    return frozenset(found.keys())


@lru_cache(maxsize=1)
def _united_kingdom() -> Any:
    """The class ``holidays.country_holidays("GB", ...)`` instantiates, loaded on its own.

    ``holidays.countries`` imports every one of the package's ~200 countries (about 0.1 s,
    a tenth of ``caseledger history``); the United Kingdom's module is loaded by itself under
    its own name instead, so the registry (and ``holidays.countries``, if imported later)
    finds that same module. Should the package's layout change, the registry is used.
    """
    name = "holidays.countries.united_kingdom"
    loaded = sys.modules.get(name)
    if loaded is None:
        path = Path(holidays.__file__).with_name("countries") / "united_kingdom.py"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None or not path.is_file():
            return functools.partial(holidays.country_holidays, "GB")
        loaded = importlib.util.module_from_spec(spec)
        sys.modules[name] = loaded
        try:
            spec.loader.exec_module(loaded)
        except Exception:  # noqa: BLE001  (a layout this does not know: the registry's way)
            del sys.modules[name]
            return functools.partial(holidays.country_holidays, "GB")
    return loaded.UnitedKingdom


def _bank_holidays_for_year(year: int) -> frozenset[date]:
    return _bank_holidays_in_block(year // _YEARS_PER_BLOCK)


def to_london(value: date | datetime) -> datetime:
    """An aware Europe/London datetime for ``value``.

    A ``date`` becomes London midnight at the start of that day. A naive ``datetime`` is London
    wall-clock time; an aware one is converted. The result always names a real instant: a naive
    wall-clock time that the spring clock change skips (01:30 on the last Sunday of March) is
    read with the pre-change offset, as ``zoneinfo`` does, and comes back as 02:30 BST.
    """
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=LONDON).astimezone(UTC).astimezone(LONDON)
        # aware moments are remembered (the engine asks the same few thousand many times, and
        # a zoneinfo conversion is most of the cost); the key carries ``fold``: two London
        # times in the repeated autumn hour compare equal but are different instants
        return _aware_to_london(value, value.fold)
    return datetime.combine(value, time(0), tzinfo=LONDON)


@lru_cache(maxsize=1 << 16)
def _aware_to_london(value: datetime, fold: int) -> datetime:
    return value.astimezone(UTC).astimezone(LONDON)


def _london_day(value: date | datetime) -> date:
    """The London calendar day of a trigger (a bare date is that day)."""
    if isinstance(value, datetime):
        return to_london(value).date()
    return value


def add_months(d: date, n: int) -> date:
    """``d`` moved by ``n`` calendar months, keeping the day number and clamping to month end."""
    month_index = d.year * 12 + (d.month - 1) + n
    year, month0 = divmod(month_index, 12)
    month = month0 + 1
    last_day = _stdlib_calendar.monthrange(year, month)[1]
    return date(year, month, min(d.day, last_day))


@lru_cache(maxsize=65536)
def _add_working_days(d: date, n: int) -> date:
    """Memoised: deadline series ask for the same few offsets from the same days again and again."""
    step = timedelta(days=1 if n > 0 else -1)
    remaining = abs(n)
    current = d
    while remaining:
        current += step
        if current.weekday() < 5 and current not in _bank_holidays_for_year(current.year):
            remaining -= 1
    return current


class WorkingDayCalendar:
    """England-and-Wales working days and statutory due dates (see the module docstring)."""

    def is_working_day(self, d: date) -> bool:
        """True when ``d`` is Monday to Friday and not an England-and-Wales bank holiday."""
        if isinstance(d, datetime):
            d = _london_day(d)
        return d.weekday() < 5 and d not in _bank_holidays_for_year(d.year)

    def bank_holidays(self, year: int) -> frozenset[date]:
        """The weekday bank holidays in ``year``, as GOV.UK lists them.

        Substitute days are included; a Christmas Day or Boxing Day that falls at a weekend is
        not (its substitute weekday is), since it takes no working day away.
        """
        return frozenset(
            h for h in _bank_holidays_for_year(year) if h.year == year and h.weekday() < 5
        )

    def add_working_days(self, d: date, n: int) -> date:
        """The ``n``-th working day after ``d`` (before it when ``n`` is negative).

        ``d`` is day 0 and is never counted. ``n == 0`` returns ``d`` unchanged, working day or
        not. For any other ``n`` the result is always a working day.
        """
        if isinstance(d, datetime):
            d = _london_day(d)
        return _add_working_days(d, n)

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days you land on walking from ``start`` to ``end``.

        Forwards (``end >= start``): the working days after ``start`` up to and including
        ``end``. Backwards (``end < start``): minus the working days from ``end`` up to but not
        including ``start``. ``start`` itself is never counted, so for every ``d`` and ``n``,
        ``working_days_between(d, add_working_days(d, n)) == n``.
        """
        if isinstance(start, datetime):
            start = _london_day(start)
        if isinstance(end, datetime):
            end = _london_day(end)
        if end >= start:
            first, last, sign = start + timedelta(days=1), end, 1
        else:
            first, last, sign = end, start - timedelta(days=1), -1
        count = 0
        current = first
        while current <= last:
            if self.is_working_day(current):
                count += 1
            current += timedelta(days=1)
        return sign * count

    def end_of_day(self, d: date) -> datetime:
        """The last instant of London day ``d``: 23:59:59.999999 Europe/London, aware."""
        if isinstance(d, datetime):
            d = _london_day(d)
        return datetime.combine(d, _END_OF_DAY, tzinfo=LONDON)

    def due_day(self, trigger: date | datetime, unit: Unit | str, length: int) -> date:
        """The London day on which a day-based time limit falls due (not valid for hours)."""
        unit = Unit(unit)
        _check_length(length)
        day = _london_day(trigger)
        if unit is Unit.SAME_DAY:
            if length != 0:
                raise ValueError(f"a same_day time limit has length 0, not {length}")
            return day
        if unit is Unit.WORKING_DAYS:
            return self.add_working_days(day, length)
        if unit is Unit.CALENDAR_DAYS:
            return day + timedelta(days=length)
        if unit is Unit.WEEKS:
            return day + timedelta(weeks=length)
        if unit is Unit.MONTHS:
            return add_months(day, length)
        raise ValueError(f"an {unit.value} time limit has no due day; use due()")

    def due(self, trigger: date | datetime, unit: Unit | str, length: int) -> datetime:
        """When a time limit of ``length`` ``unit`` from ``trigger`` runs out (aware, London).

        Hours: the exact instant ``length`` hours after ``trigger``. Every other unit: the end
        of the due day (see :meth:`due_day` and the module docstring). Negative lengths count
        backwards with the same conventions.
        """
        unit = Unit(unit)
        _check_length(length)
        return _due(trigger, unit, length)


@lru_cache(maxsize=1 << 16)
def _due(trigger: date | datetime, unit: Unit, length: int) -> datetime:
    """:meth:`WorkingDayCalendar.due`, remembered: a tick or a replay asks the same limits of
    the same moments many times (each visit starts the next one's clock), and the calendar
    has no state (a key of equal moments in other time zones gives the same London answer)."""
    if unit is Unit.HOURS:
        start = to_london(trigger).astimezone(UTC)
        return (start + timedelta(hours=length)).astimezone(LONDON)
    calendar = WorkingDayCalendar()
    return calendar.end_of_day(calendar.due_day(trigger, unit, length))


def _check_length(length: int) -> None:
    if isinstance(length, bool) or not isinstance(length, int):
        raise TypeError(f"a time limit's length is a whole number, not {length!r}")
