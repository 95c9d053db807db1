"""The bench report marks each figure against its target, and only those with one."""

from __future__ import annotations

from scripts.bench.report import _tick_target


def test_the_county_tick_target_applies_to_the_next_days_tick_only() -> None:
    slow_first = {"seconds_for_all_due": 195.9}
    assert _tick_target("first", slow_first, big=True) == "- (once per store)"
    assert _tick_target("next_day", {"seconds_for_all_due": 4.02}, big=True) == "< 5 s: met"
    assert _tick_target("next_day", {"seconds_for_all_due": 17.54}, big=True) == "< 5 s: MISSED"
    assert _tick_target("next_day", {"seconds_for_all_due": 17.54}, big=False) == "-"
