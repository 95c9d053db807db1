"""The subject access deadline (UK GDPR Art. 12(3)) with real dates, month ends included.

ICO guidance on the right of access: the month runs from the day of receipt (day 0) to the
corresponding calendar date of the next month; where that date does not exist, the last day
of that month. Extended by two further months for a complex request: three months from
receipt.
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from adapters.packs import load_packs
from domain.errors import InvalidEvent
from domain.events.subject_access import SubjectAccessRequestExtended
from policies.engine import Deadline, Status, evaluate
from policies.rules import parse_pack
from tests.factories import example
from tests.unit.deadline_helpers import ChildStream, london

PACKS = load_packs()
RULE = "subject_access_response"


def sar(deadlines: list[Deadline]) -> list[Deadline]:
    return [d for d in deadlines if d.rule_id == RULE]


def requested(
    received: str, *, authority: str | None = "york", request_id: str = "SAR-1"
) -> ChildStream:
    child = ChildStream(authority=authority)
    child.add(
        "subject_access_request_received",
        received,
        request_id=request_id,
        requester_person_id=child.child_id,
    )
    return child


@pytest.mark.parametrize(
    ("received", "due"),
    [
        ("2026-01-31", "2026-02-28"),  # no 31 February: the last day of February
        ("2028-01-31", "2028-02-29"),  # a leap year
        ("2026-03-15", "2026-04-15"),
        ("2026-03-31", "2026-04-30"),  # no 31 April
        ("2026-12-31", "2027-01-31"),  # across the year end
        ("2026-02-28", "2026-03-28"),  # the same date, not the month's end
    ],
)
def test_due_one_calendar_month_from_receipt(received: str, due: str) -> None:
    child = requested(received)
    (d,) = sar(evaluate(child.events, PACKS, london(received)))
    assert d.due == london(due)
    assert d.status is Status.PENDING
    assert d.pack == "national"
    assert "UK GDPR Art. 12(3)" in d.citation and "Data Protection Act 2018" in d.citation


def test_breached_the_day_after_the_month_ends_and_met_by_the_release() -> None:
    child = requested("2026-01-31")
    assert sar(evaluate(child.events, PACKS, london("2026-02-28")))[0].status is Status.PENDING
    assert (
        sar(evaluate(child.events, PACKS, london("2026-03-01T09:00")))[0].status is Status.BREACHED
    )
    release = child.add("subject_access_response_released", "2026-02-27T15:00", request_id="SAR-1")
    (d,) = sar(evaluate(child.events, PACKS, london("2026-03-10")))
    assert d.status is Status.MET
    assert d.satisfied_by_event_id == release.event_id


def test_extension_with_a_reason_makes_it_three_months_from_receipt() -> None:
    child = requested("2026-03-15")
    extension = child.add(
        "subject_access_request_extended",
        "2026-04-01",
        request_id="SAR-1",
        reason="Records across three children's files over six years.",
    )
    (d,) = sar(evaluate(child.events, PACKS, london("2026-05-01")))
    assert d.due == london("2026-04-15")  # the original limit stays on the deadline
    assert d.extended_to == london("2026-06-15")
    assert d.extended_by_event_id == extension.event_id
    assert d.status is Status.EXTENDED
    assert sar(evaluate(child.events, PACKS, london("2026-06-16T09:00")))[0].status is (
        Status.BREACHED
    )
    child.add("subject_access_response_released", "2026-06-10", request_id="SAR-1")
    assert sar(evaluate(child.events, PACKS, london("2026-07-01")))[0].status is Status.MET


def test_extension_at_a_month_end_clamps_too() -> None:
    child = requested("2026-11-30")
    child.add(
        "subject_access_request_extended", "2026-12-01", request_id="SAR-1", reason="Complex."
    )
    (d,) = sar(evaluate(child.events, PACKS, london("2026-12-02")))
    assert d.due == london("2026-12-30")
    assert d.extended_to == london("2027-02-28")  # no 30 February


def test_an_extension_after_the_first_month_has_run_out_extends_nothing() -> None:
    child = requested("2026-03-15")
    child.add("subject_access_request_extended", "2026-04-20", request_id="SAR-1", reason="Late.")
    (d,) = sar(evaluate(child.events, PACKS, london("2026-04-21")))
    assert d.extended_to is None
    assert d.status is Status.BREACHED


def test_the_extension_and_release_of_another_request_do_not_count() -> None:
    child = requested("2026-03-15")
    child.add(
        "subject_access_request_received",
        "2026-03-20",
        request_id="SAR-2",
        requester_person_id=child.child_id,
    )
    child.add("subject_access_request_extended", "2026-03-21", request_id="SAR-2", reason="Big.")
    child.add("subject_access_response_released", "2026-03-25", request_id="SAR-2")
    by_request = {
        d.trigger_event_id: d for d in sar(evaluate(child.events, PACKS, london("2026-04-16")))
    }
    first, second = (by_request[e.event_id] for e in child.events if e.kind.endswith("received"))
    assert first.status is Status.BREACHED and first.extended_to is None
    assert second.status is Status.MET


def test_closing_the_case_does_not_stop_a_subject_access_request() -> None:
    child = requested("2026-03-15")
    child.add("case_closed", "2026-03-20")
    (d,) = sar(evaluate(child.events, PACKS, london("2026-04-16T09:00")))
    assert d.status is Status.BREACHED
    assert d.cancelled_by_event_id is None


def test_an_extension_without_a_reason_is_refused_naming_the_field() -> None:
    for reason in ("", "   "):
        with pytest.raises(InvalidEvent) as caught:
            example("subject_access_request_extended", "C1", "2026-04-01", reason=reason)
        assert caught.value.field == "reason"
        assert "reason" in str(caught.value)
    with pytest.raises(ValidationError) as missing:
        SubjectAccessRequestExtended.model_validate(
            {
                "child_id": "C1",
                "occurred_at": "2026-04-01",
                "recorded_by": {"user_id": "dpo-1", "role": "data_protection_officer"},
                "summary": "Extended.",
                "request_id": "SAR-1",
            }
        )
    assert missing.value.errors()[0]["loc"] == ("reason",)


def test_a_pack_extension_takes_a_date_field_or_a_clock_not_both() -> None:
    base = {
        "pack": "testpack",
        "title": "t",
        "source": "statute",
        "version": "1",
        "effective_from": "2020-01-01",
    }
    rule = {
        "id": "sar",
        "title": "t",
        "citation": "c",
        "trigger": {"kind": "subject_access_request_received"},
        "clock": {"unit": "months", "length": 1},
        "satisfied_by": [{"kind": "subject_access_response_released"}],
    }
    with pytest.raises(ValueError, match="date_field .* or clock"):
        parse_pack(
            {**base, "rules": [{**rule, "extended_by": [{"kind": "assessment_extended"}]}]}, "t"
        )
    with pytest.raises(ValueError, match="not both"):
        parse_pack(
            {
                **base,
                "rules": [
                    {
                        **rule,
                        "extended_by": [
                            {
                                "kind": "assessment_extended",
                                "date_field": "agreed_new_date",
                                "clock": {"unit": "months", "length": 3},
                            }
                        ],
                    }
                ],
            },
            "t",
        )
