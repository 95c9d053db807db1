"""The status applied to the day (``current_status`` of a ``StatusFold``) and the days it
may change on (``StatusFold.changes_after``), against :func:`legal_status` at every day.

A replay keeps a child's status from one day to the next until ``changes_after`` names a day
(a birthday, an order's expiry, a period's start, a looked-after child's care-leaver
stretches from 14): here every day of several histories is judged afresh and must equal the
kept answer, so a day the status reads but ``changes_after`` misses fails.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from domain.envelope import RecordedEvent
from domain.events.base import LONDON
from projections.legal_status import (
    CurrentStatus,
    current_status,
    effective_history,
    fold_status,
    legal_status,
)
from tests.blended_family import Ledger, adoption_path

LEAP = "C-LEAP"


def _leap_year_child() -> list[RecordedEvent]:
    """Born 29 February, orders that lapse (by date and by statute), looked after past 18."""
    ledger = Ledger()
    ledger.add(
        "child_registered", LEAP, "2019-01-02", first_name="Ola", last_name="Example",
        sex="F", date_of_birth="2008-02-29", upn=None, nhs_number=None,
    )  # fmt: skip
    ledger.add("order_made", LEAP, "2019-01-20", order="emergency_protection_order")
    ledger.add(
        "order_made", LEAP, "2019-01-28", order="interim_care_order", expires_on="2019-05-01"
    )
    ledger.add(
        "became_looked_after", LEAP, "2019-02-01", legal_status="C1", legal_basis="s38",
        category_of_need="N1",
    )  # fmt: skip
    ledger.add(
        "placement_started", LEAP, "2019-02-01", placement_id="a", placement_type="U4",
        provider="PR1", postcode="ZZ5 5ZZ",
    )  # fmt: skip
    ledger.add("order_made", LEAP, "2019-06-03", order="police_protection")
    ledger.add("placement_ended", LEAP, "2025-03-10", placement_id="a", reason="APPRR")
    ledger.add("ceased_to_be_looked_after", LEAP, "2025-03-10", reason="E5")
    return ledger.stream(LEAP)


def _unborn_child() -> list[RecordedEvent]:
    ledger, child = Ledger(), "C-UNBORN"
    ledger.add(
        "child_registered", child, "2023-01-09", first_name="Baby", last_name="Example",
        sex="U", expected_date_of_birth="2023-03-01", date_of_birth=None, upn=None,
        nhs_number=None,
    )  # fmt: skip
    ledger.add("child_born", child, "2023-03-06", date_of_birth="2023-03-04", sex="F")
    return ledger.stream(child)


def _looked_after_at_16() -> list[RecordedEvent]:
    """Its 13 weeks in care are counted on a day that is neither a birthday nor an event's."""
    ledger, child = Ledger(), "C-SIXTEEN"
    ledger.add(
        "child_registered", child, "2024-08-01", first_name="Ty", last_name="Example",
        sex="M", date_of_birth="2008-06-01", upn=None, nhs_number=None,
    )  # fmt: skip
    ledger.add(
        "became_looked_after", child, "2024-09-02", legal_status="V2", legal_basis="s20",
        category_of_need="N4",
    )  # fmt: skip
    return ledger.stream(child)


def _shown(status: CurrentStatus) -> dict[str, object]:
    return status.model_dump(exclude={"at", "as_known_at"})


HISTORIES = {
    "adoption path": lambda: adoption_path().stream("C-ADOPT"),
    "leap-year child in care to 18": _leap_year_child,
    "unborn, then born": _unborn_child,
    "looked after from 16": _looked_after_at_16,
}


@pytest.mark.parametrize("name", sorted(HISTORIES))
def test_the_status_kept_between_the_days_it_reads_equals_judging_each_day(name: str) -> None:
    events = HISTORIES[name]()
    first = min(e.event.occurred_date for e in events)
    held: tuple[int, date | None, CurrentStatus] | None = None
    kept = by_day = 0
    for offset in range(0, 365 * 7 + 120):
        day = first + timedelta(days=offset)
        end = datetime.combine(day, time.max, tzinfo=LONDON)  # what legal_status reads
        items = effective_history(events, as_known_at=end, occurred_by=end)
        expected = legal_status(events, at=day).current
        fold = fold_status(items)
        assert current_status(fold, day) == expected, f"{name}: {day}"
        if held is not None and held[0] == len(items):
            if held[1] is None or day < held[1]:
                assert _shown(held[2]) == _shown(expected), f"{name}: {day} kept a stale status"
                kept += 1
                continue
            by_day += 1  # no new event, but a day the status reads
        held = (len(items), fold.changes_after(day), expected)
    assert kept > 0 and by_day > 0
