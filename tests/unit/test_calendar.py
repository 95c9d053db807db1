"""Tests for the working-day calendar: each convention in the module docstring, with real dates."""

from __future__ import annotations

import ast
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import policies.calendar as calendar_module
from policies.calendar import LONDON, Unit, WorkingDayCalendar, add_months, to_london

CAL = WorkingDayCalendar()

BST = timedelta(hours=1)
GMT = timedelta(0)


def end_of(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 23, 59, 59, 999999, tzinfo=LONDON)


# --- the holiday source -----------------------------------------------------------------------


def test_2026_bank_holidays_are_exactly_the_gov_uk_list() -> None:
    assert CAL.bank_holidays(2026) == {
        date(2026, 1, 1),
        date(2026, 4, 3),  # Good Friday
        date(2026, 4, 6),  # Easter Monday
        date(2026, 5, 4),  # early May
        date(2026, 5, 25),  # spring
        date(2026, 8, 31),  # summer
        date(2026, 12, 25),
        date(2026, 12, 28),  # Boxing Day falls on a Saturday: substitute Monday
    }


def test_2020_early_may_bank_holiday_moved_to_ve_day() -> None:
    assert not CAL.is_working_day(date(2020, 5, 8))
    assert CAL.is_working_day(date(2020, 5, 4))


def test_2027_christmas_and_boxing_day_substitutes() -> None:
    assert not CAL.is_working_day(date(2027, 12, 27))
    assert not CAL.is_working_day(date(2027, 12, 28))
    assert CAL.is_working_day(date(2027, 12, 29))


def test_one_off_bank_holidays_are_included() -> None:
    assert not CAL.is_working_day(date(2022, 9, 19))  # state funeral of Elizabeth II
    assert not CAL.is_working_day(date(2023, 5, 8))  # coronation of Charles III


def test_weekends_and_ordinary_weekdays() -> None:
    assert not CAL.is_working_day(date(2026, 4, 4))  # Saturday
    assert not CAL.is_working_day(date(2026, 4, 5))  # Sunday
    assert CAL.is_working_day(date(2026, 4, 2))  # Thursday
    assert CAL.is_working_day(date(2026, 4, 7))  # Tuesday after Easter Monday


def test_working_days_in_2026() -> None:
    # 261 weekdays less 8 weekday bank holidays.
    assert CAL.working_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 253


# --- working days forwards --------------------------------------------------------------------


def test_referral_thursday_before_easter_plus_3_working_days() -> None:
    # Day 0 is Thu 2 April; Good Friday 3 and Easter Monday 6 April are skipped,
    # so the working days after it are Tue 7 (1), Wed 8 (2), Thu 9 (3).
    trigger = datetime(2026, 4, 2, 10, 15)
    assert CAL.due(trigger, Unit.WORKING_DAYS, 3) == end_of(2026, 4, 9)
    assert CAL.due(trigger, Unit.WORKING_DAYS, 1) == end_of(2026, 4, 7)


def test_one_working_day_from_christmas_eve_2027() -> None:
    assert CAL.add_working_days(date(2027, 12, 24), 1) == date(2027, 12, 29)
    assert CAL.due(date(2027, 12, 24), Unit.WORKING_DAYS, 1) == end_of(2027, 12, 29)


def test_twenty_working_days_across_spring_bank_holiday() -> None:
    # Mon 18 May 2026; without the 25 May bank holiday this would be Mon 15 June.
    assert CAL.due(date(2026, 5, 18), Unit.WORKING_DAYS, 20) == end_of(2026, 6, 16)


def test_trigger_on_a_non_working_day_counts_from_the_next_working_day() -> None:
    assert CAL.add_working_days(date(2026, 4, 4), 1) == date(2026, 4, 7)  # Saturday of Easter


def test_zero_working_days_is_the_trigger_day_itself() -> None:
    assert CAL.add_working_days(date(2026, 4, 4), 0) == date(2026, 4, 4)
    assert CAL.due(date(2026, 4, 2), Unit.WORKING_DAYS, 0) == end_of(2026, 4, 2)


# --- working days backwards -------------------------------------------------------------------


def test_reports_three_working_days_before_tuesday_after_easter_conference() -> None:
    # Counting back from Tue 7 April 2026: Thu 2 (1), Wed 1 (2), Tue 31 March (3).
    assert CAL.add_working_days(date(2026, 4, 7), -3) == date(2026, 3, 31)
    assert CAL.due(date(2026, 4, 7), Unit.WORKING_DAYS, -3) == end_of(2026, 3, 31)
    assert CAL.add_working_days(date(2026, 4, 7), -2) == date(2026, 4, 1)


def test_backwards_from_a_weekend_meeting_date() -> None:
    assert CAL.add_working_days(date(2026, 4, 5), -1) == date(2026, 4, 2)


# --- working_days_between ---------------------------------------------------------------------


def test_working_days_between() -> None:
    assert CAL.working_days_between(date(2026, 4, 2), date(2026, 4, 9)) == 3
    assert CAL.working_days_between(date(2026, 4, 2), date(2026, 4, 7)) == 1
    assert CAL.working_days_between(date(2026, 4, 2), date(2026, 4, 6)) == 0
    assert CAL.working_days_between(date(2026, 4, 2), date(2026, 4, 2)) == 0
    assert CAL.working_days_between(date(2027, 12, 24), date(2027, 12, 29)) == 1


def test_working_days_between_backwards_is_negative() -> None:
    assert CAL.working_days_between(date(2026, 4, 7), date(2026, 3, 31)) == -3
    assert CAL.working_days_between(date(2026, 4, 5), date(2026, 4, 2)) == -1


# --- calendar days, weeks, months, same day ---------------------------------------------------


def test_calendar_days_ignore_weekends_and_holidays() -> None:
    # 2 April + 4 days is Easter Monday: a calendar-day deadline is not moved.
    assert CAL.due(date(2026, 4, 2), Unit.CALENDAR_DAYS, 4) == end_of(2026, 4, 6)
    assert CAL.due(date(2026, 4, 2), Unit.CALENDAR_DAYS, -2) == end_of(2026, 3, 31)


def test_weeks() -> None:
    assert CAL.due(date(2026, 4, 2), Unit.WEEKS, 1) == end_of(2026, 4, 9)
    # 26 weeks, across both clock changes' effect on the day count (none: days are days).
    assert CAL.due(date(2026, 1, 5), Unit.WEEKS, 26) == end_of(2026, 7, 6)
    assert CAL.due(date(2026, 4, 2), Unit.WEEKS, -2) == end_of(2026, 3, 19)


def test_months_keep_day_number() -> None:
    assert CAL.due(date(2026, 3, 15), Unit.MONTHS, 1) == end_of(2026, 4, 15)
    assert CAL.due(date(2026, 11, 15), Unit.MONTHS, 3) == end_of(2027, 2, 15)


def test_months_clamp_to_month_end() -> None:
    assert CAL.due(date(2027, 1, 31), Unit.MONTHS, 1) == end_of(2027, 2, 28)
    assert CAL.due(date(2028, 1, 31), Unit.MONTHS, 1) == end_of(2028, 2, 29)
    assert add_months(date(2026, 8, 31), 1) == date(2026, 9, 30)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


def test_months_backwards_clamp() -> None:
    assert add_months(date(2027, 3, 31), -1) == date(2027, 2, 28)
    assert add_months(date(2026, 1, 31), -2) == date(2025, 11, 30)
    assert CAL.due(date(2028, 3, 30), Unit.MONTHS, -1) == end_of(2028, 2, 29)


def test_same_day_is_end_of_the_london_trigger_day() -> None:
    assert CAL.due(datetime(2026, 4, 3, 9, 0), Unit.SAME_DAY, 0) == end_of(2026, 4, 3)
    # 23:30 UTC on 30 June is 00:30 BST on 1 July: the trigger day is 1 July.
    late = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    assert CAL.due(late, Unit.SAME_DAY, 0) == end_of(2026, 7, 1)


def test_same_day_with_a_length_is_refused() -> None:
    with pytest.raises(ValueError, match="same_day"):
        CAL.due(date(2026, 4, 3), Unit.SAME_DAY, 1)


def test_unit_given_as_its_string_value() -> None:
    assert CAL.due(date(2026, 4, 2), "working_days", 3) == end_of(2026, 4, 9)


def test_unit_values() -> None:
    assert [u.value for u in Unit] == [
        "hours",
        "same_day",
        "working_days",
        "calendar_days",
        "weeks",
        "months",
    ]


def test_unknown_unit_and_non_integer_length_are_refused() -> None:
    with pytest.raises(ValueError):
        CAL.due(date(2026, 4, 2), "fortnights", 1)
    with pytest.raises(TypeError):
        CAL.due(date(2026, 4, 2), Unit.WORKING_DAYS, 1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        CAL.due_day(date(2026, 4, 2), Unit.HOURS, 24)


# --- hours and clock changes ------------------------------------------------------------------


def test_24_hours_across_the_march_2026_clock_change() -> None:
    due = CAL.due(datetime(2026, 3, 28, 12, 0), Unit.HOURS, 24)  # naive = London, GMT
    assert due == datetime(2026, 3, 29, 13, 0, tzinfo=LONDON)
    assert (due.hour, due.utcoffset()) == (13, BST)
    assert due.tzinfo is LONDON


def test_24_hours_across_the_october_2026_clock_change() -> None:
    due = CAL.due(datetime(2026, 10, 24, 12, 0, tzinfo=LONDON), Unit.HOURS, 24)  # BST
    assert (due.date(), due.hour, due.utcoffset()) == (date(2026, 10, 25), 11, GMT)


def test_hours_in_the_repeated_october_hour() -> None:
    # 00:30 BST on 25 Oct 2026 + 1 hour is 01:30 BST; + 2 hours is 01:30 GMT (the repeat).
    start = datetime(2026, 10, 25, 0, 30, tzinfo=LONDON)
    one, two = CAL.due(start, Unit.HOURS, 1), CAL.due(start, Unit.HOURS, 2)
    assert (one.hour, one.minute, one.utcoffset()) == (1, 30, BST)
    assert (two.hour, two.minute, two.utcoffset()) == (1, 30, GMT)
    assert two.astimezone(UTC) - one.astimezone(UTC) == timedelta(hours=1)


def test_hours_from_an_aware_non_london_trigger_and_backwards() -> None:
    trigger = datetime(2026, 3, 29, 12, 0, tzinfo=timezone(timedelta(hours=-5)))  # 17:00 UTC
    assert CAL.due(trigger, Unit.HOURS, 72) == datetime(2026, 4, 1, 18, 0, tzinfo=LONDON)
    back = CAL.due(datetime(2026, 3, 29, 13, 0), Unit.HOURS, -24)
    assert back == datetime(2026, 3, 28, 12, 0, tzinfo=LONDON)


def test_hours_from_a_bare_date_start_at_london_midnight() -> None:
    assert CAL.due(date(2026, 3, 29), Unit.HOURS, 24) == datetime(2026, 3, 30, 1, tzinfo=LONDON)


# --- end_of_day and to_london -----------------------------------------------------------------


def test_end_of_day_is_aware_london_and_right_in_both_seasons() -> None:
    winter, summer = CAL.end_of_day(date(2026, 1, 15)), CAL.end_of_day(date(2026, 7, 15))
    assert winter.tzinfo is LONDON and winter.utcoffset() == GMT
    assert summer.astimezone(UTC) == datetime(2026, 7, 15, 22, 59, 59, 999999, tzinfo=UTC)
    # The day the clocks go forward has 23 hours; the day they go back has 25.
    spring = CAL.end_of_day(date(2026, 3, 29)).astimezone(UTC)
    assert spring - CAL.end_of_day(date(2026, 3, 28)).astimezone(UTC) == timedelta(hours=23)
    autumn = CAL.end_of_day(date(2026, 10, 25)).astimezone(UTC)
    assert autumn - CAL.end_of_day(date(2026, 10, 24)).astimezone(UTC) == timedelta(hours=25)


def test_something_done_before_midnight_is_on_time_and_after_is_late() -> None:
    due = CAL.due(date(2026, 4, 2), Unit.WORKING_DAYS, 1)  # end of Tue 7 April
    assert datetime(2026, 4, 7, 22, 59, 59, tzinfo=UTC) <= due  # 23:59:59 BST
    assert not datetime(2026, 4, 7, 23, 0, 0, tzinfo=UTC) <= due  # 00:00 BST on 8 April


def test_to_london() -> None:
    assert to_london(date(2026, 7, 1)) == datetime(2026, 7, 1, 0, 0, tzinfo=LONDON)
    assert to_london(date(2026, 7, 1)).utcoffset() == BST
    naive = to_london(datetime(2026, 1, 10, 9, 30))
    assert (naive.tzinfo, naive.hour, naive.utcoffset()) == (LONDON, 9, GMT)
    converted = to_london(datetime(2026, 6, 30, 23, 30, tzinfo=UTC))
    assert (converted.date(), converted.hour, converted.tzinfo) == (date(2026, 7, 1), 0, LONDON)


def test_to_london_normalises_a_wall_time_the_spring_change_skips() -> None:
    skipped = to_london(datetime(2026, 3, 29, 1, 30))
    assert (skipped.hour, skipped.minute, skipped.utcoffset()) == (2, 30, BST)


# --- properties -------------------------------------------------------------------------------

dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))


@given(d=dates, n=st.integers(min_value=1, max_value=300))
def test_adding_working_days_lands_on_a_working_day_n_working_days_on(d: date, n: int) -> None:
    landed = CAL.add_working_days(d, n)
    assert landed > d
    assert CAL.is_working_day(landed)
    assert CAL.working_days_between(d, landed) == n


@given(d=dates, n=st.integers(min_value=1, max_value=300))
def test_counting_back_lands_on_a_working_day_n_working_days_back(d: date, n: int) -> None:
    landed = CAL.add_working_days(d, -n)
    assert landed < d
    assert CAL.is_working_day(landed)
    assert CAL.working_days_between(d, landed) == -n


@given(d=dates, n=st.integers(min_value=-120, max_value=120))
def test_working_day_due_is_end_of_the_landed_day(d: date, n: int) -> None:
    due = CAL.due(d, Unit.WORKING_DAYS, n)
    assert due == CAL.end_of_day(CAL.add_working_days(d, n))
    assert due.tzinfo is LONDON and (due.hour, due.minute) == (23, 59)


@given(d=dates, n=st.integers(min_value=-60, max_value=60))
def test_months_never_overshoot_the_target_month(d: date, n: int) -> None:
    moved = add_months(d, n)
    assert (moved.year * 12 + moved.month) - (d.year * 12 + d.month) == n
    assert moved.day == d.day or (moved.day < d.day and (moved + timedelta(days=1)).day == 1)


# --- purity -----------------------------------------------------------------------------------


def test_module_is_pure() -> None:
    source = Path(calendar_module.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source)
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
        elif isinstance(node, ast.Attribute):
            assert node.attr not in {"now", "today", "utcnow", "time", "open"}, node.attr
        elif isinstance(node, ast.Name):
            assert node.id not in {"open", "print", "input"}, node.id
    assert imported - sys.stdlib_module_names == {"holidays"}
