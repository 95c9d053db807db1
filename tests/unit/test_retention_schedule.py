"""The retention schedule: its checks, its evaluation, and the facts folded from a record."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest
import yaml

from adapters.retention_schedule import SCHEDULE_FILE, load_schedule
from domain.events.data_protection import hold_in_force
from domain.retention import Clock, RecordType, RetentionFacts
from policies.retention import Period, ScheduleError, parse_schedule, retention_of
from projections.retention_facts import retention_facts
from tests.unit.test_chronology import Log, at, registered

RAW: dict[str, Any] = yaml.safe_load(SCHEDULE_FILE.read_text(encoding="utf-8"))
TODAY = date(2026, 12, 4)


def facts(**kw: Any) -> RetentionFacts:
    base: dict[str, Any] = {
        "child_id": "C1",
        "authority": "york",
        "record_types": frozenset({RecordType.REFERRAL}),
        "date_of_birth": date(2010, 6, 1),
        "last_contact": date(2020, 3, 1),
        "case_closed_on": date(2020, 3, 1),
        "adoption_order_on": None,
        "died_on": None,
    }
    base.update(kw)
    return RetentionFacts(**base)


def test_the_shipped_schedule_parses_and_every_entry_cites_a_source() -> None:
    schedule = load_schedule()
    ids = {e.id for e in schedule.entries}
    assert {"looked-after-75th-birthday", "adoption-100-years"} <= ids
    adoption = schedule.entry("adoption-100-years")
    assert adoption is not None
    assert "(SI 2005/888), reg. 6" in adoption.citation
    looked_after = schedule.entry("looked-after-75th-birthday")
    assert looked_after is not None and "reg. 50" in looked_after.citation
    assert {e.authority for e in schedule.entries} == {"national"}  # the seeds set none
    assert {e.record_type for e in schedule.entries} == set(RecordType)


def _broken(change: Any) -> str:
    data = copy.deepcopy(RAW)
    change(data)
    with pytest.raises(ScheduleError) as raised:
        parse_schedule(data)
    return str(raised.value)


def test_a_bad_schedule_names_the_entry_and_the_field() -> None:
    def unknown_clock(d: dict[str, Any]) -> None:
        d["entries"][3]["clock"] = "birthday"

    message = _broken(unknown_clock)
    assert message.startswith("retention.yaml: entries[3] (adoption-100-years) field 'clock':")
    assert "'date_of_birth'" in message  # names the choices

    def no_citation(d: dict[str, Any]) -> None:
        del d["entries"][0]["citation"]

    assert "entries[0] (looked-after-75th-birthday) field 'citation': Field required" in (
        _broken(no_citation)
    )

    def negative(d: dict[str, Any]) -> None:
        d["entries"][1]["period"] = {"years": -1}

    assert "field 'period.years': Input should be greater than or equal to 0" in _broken(negative)

    def empty(d: dict[str, Any]) -> None:
        d["entries"][1]["period"] = {}

    assert "a period of no time" in _broken(empty)

    def backwards(d: dict[str, Any]) -> None:
        d["entries"][2]["effective_to"] = "2000-01-01"

    assert "effective_to must be after effective_from" in _broken(backwards)

    def twice(d: dict[str, Any]) -> None:
        d["entries"].append(copy.deepcopy(d["entries"][3]))

    assert "'adoption-100-years' is used twice" in _broken(twice)

    def overlapping(d: dict[str, Any]) -> None:
        d["entries"].append({**copy.deepcopy(d["entries"][3]), "id": "adoption-again"})

    assert "in force at the same time as adoption-100-years" in _broken(overlapping)

    def extra(d: dict[str, Any]) -> None:
        d["entries"][0]["keep_forever"] = True

    assert "field 'keep_forever': Extra inputs are not permitted" in _broken(extra)
    with pytest.raises(ScheduleError, match="expected a mapping"):
        parse_schedule(["not", "a", "mapping"])


def test_looked_after_is_kept_to_the_75th_birthday_or_15_years_after_an_early_death() -> None:
    schedule = load_schedule()
    looked_after = frozenset({RecordType.REFERRAL, RecordType.LOOKED_AFTER})
    kept = retention_of(schedule, facts(record_types=looked_after), TODAY)
    assert kept.governing is not None
    assert kept.governing.entry.id == "looked-after-75th-birthday"
    assert kept.destroy_on == date(2085, 6, 1)
    early = facts(
        record_types=looked_after, died_on=date(2015, 2, 3), last_contact=date(2015, 3, 1)
    )
    died = retention_of(schedule, early, TODAY)
    assert died.governing is not None and died.governing.entry.id == "looked-after-died-before-18"
    assert died.destroy_on == date(2030, 2, 3)
    # died at 20: the 75th-birthday rule still governs
    adult = retention_of(
        schedule, facts(record_types=looked_after, died_on=date(2030, 6, 1)), TODAY
    )
    assert adult.destroy_on == date(2085, 6, 1)


def test_the_longest_applicable_retention_wins() -> None:
    schedule = load_schedule()
    adopted = facts(
        record_types=frozenset({RecordType.REFERRAL, RecordType.LOOKED_AFTER, RecordType.ADOPTION}),
        adoption_order_on=date(2012, 9, 1),
    )
    result = retention_of(schedule, adopted, TODAY)
    assert result.governing is not None and result.governing.entry.id == "adoption-100-years"
    assert result.destroy_on == date(2112, 9, 1)
    assert [o.entry.id for o in result.outcomes] == [
        "adoption-100-years",
        "looked-after-75th-birthday",
        "referral-24th-birthday",
        "referral-6-years-after-last-contact",
    ]
    assert not result.due(date(2112, 8, 31)) and result.due(date(2112, 9, 1))


def test_a_referral_only_record_and_a_child_in_need_record() -> None:
    schedule = load_schedule()
    referral = retention_of(schedule, facts(), TODAY)  # born 2010: the 24th birthday is later
    assert (referral.governing.entry.id, referral.destroy_on) == (  # type: ignore[union-attr]
        "referral-24th-birthday",
        date(2034, 6, 1),
    )
    late = facts(date_of_birth=date(1990, 1, 1), last_contact=date(2021, 5, 5))
    assert retention_of(schedule, late, TODAY).destroy_on == date(2027, 5, 5)  # 6 years
    cin = facts(
        record_types=frozenset({RecordType.REFERRAL, RecordType.CHILD_IN_NEED}),
        date_of_birth=date(1990, 1, 1),
        last_contact=date(2025, 1, 1),
    )
    assert retention_of(schedule, cin, TODAY).destroy_on == date(2031, 1, 1)


def test_a_clock_not_started_keeps_the_record() -> None:
    open_case = facts(
        record_types=frozenset({RecordType.REFERRAL, RecordType.CHILD_PROTECTION}),
        case_closed_on=None,
    )
    result = retention_of(load_schedule(), open_case, date(2200, 1, 1))
    assert result.governing is not None
    assert result.governing.entry.id == "child-protection-35-years-after-closure"
    assert result.governing.clock_start is None and result.destroy_on is None
    assert not result.due(date(2200, 1, 1))


def test_an_authority_entry_replaces_the_national_one_and_entries_are_effective_dated() -> None:
    data = copy.deepcopy(RAW)
    data["entries"].append(
        {
            "id": "york-child-protection-40-years",
            "record_type": "child_protection",
            "authority": "york",
            "effective_from": "2026-01-01",
            "effective_to": "2027-01-01",
            "clock": "case_closure",
            "period": {"years": 40},
            "citation": "A test schedule for York (synthetic, not York's own).",
        }
    )
    schedule = parse_schedule(data)
    cp = frozenset({RecordType.REFERRAL, RecordType.CHILD_PROTECTION})
    york = retention_of(schedule, facts(record_types=cp), date(2026, 6, 1))
    assert york.governing is not None
    assert york.governing.entry.id == "york-child-protection-40-years"
    assert york.destroy_on == date(2060, 3, 1)
    assert "child-protection-35-years-after-closure" not in {o.entry.id for o in york.outcomes}
    knowsley = retention_of(schedule, facts(record_types=cp, authority="knowsley"), TODAY)
    assert knowsley.destroy_on == date(2055, 3, 1)  # national
    after = retention_of(schedule, facts(record_types=cp), date(2027, 1, 1))  # no longer in force
    assert after.destroy_on == date(2055, 3, 1)


def test_a_period_lands_on_a_real_day() -> None:
    assert Period(years=75).after(date(2008, 2, 29)) == date(2083, 2, 28)
    assert Period(years=1, months=1).after(date(2020, 1, 31)) == date(2021, 2, 28)
    assert Period(years=2, months=3).describe() == "2 years 3 months"


def test_facts_are_folded_from_the_record_as_it_stands() -> None:
    log = Log()
    registered(log, date_of_birth="2009-05-10")
    log.add("authority_recorded", "C1", "2024-01-08", at("2024-01-08"), authority="knowsley")
    log.add("became_looked_after", "C1", "2024-02-01", at("2024-02-01"))
    log.add("order_made", "C1", "2024-03-01", at("2024-03-01"), order="care_order")
    wrong = log.add("order_made", "C1", "2024-04-01", at("2024-04-01"), order="adoption_order")
    log.add("entry_recorded_in_error", "C1", "2024-04-02", at("2024-04-02"), target_event_id=wrong)
    log.add("case_closed", "C1", "2024-06-30", at("2024-07-01"))
    log.add("deadline_breached", "C1", "2024-08-01", at("2024-08-01"))  # not contact
    log.add("legal_hold_placed", "C1", "2024-09-01", at("2024-09-01"))  # nor is a hold
    found = retention_facts("C1", log.events)
    assert found.authority == "knowsley"
    assert found.record_types == {RecordType.REFERRAL, RecordType.LOOKED_AFTER}  # no adoption
    assert found.adoption_order_on is None
    assert found.date_of_birth == date(2009, 5, 10)
    assert (found.last_contact, found.case_closed_on) == (date(2024, 6, 30), date(2024, 6, 30))
    assert found.clock_start(Clock.DEATH) is None
    log.add("referral_received", "C1", "2025-01-10", at("2025-01-10"))  # opens the case again
    reopened = retention_facts("C1", log.events)
    assert reopened.case_closed_on is None and reopened.last_contact == date(2025, 1, 10)
    log.add("person_died", "C1", "2025-03-01", at("2025-03-02"), person_id="C1",
            date_of_death="2025-02-28")  # fmt: skip
    assert retention_facts("C1", log.events).died_on == date(2025, 2, 28)
    assert retention_facts("C1", log.events).died_before_18


def test_a_hold_is_in_force_until_lifted() -> None:
    log = Log()
    registered(log)
    assert hold_in_force(log.events) is None
    placed = log.add("legal_hold_placed", "C1", "2025-01-01", at("2025-01-01"))
    held = hold_in_force(log.events)
    assert held is not None and held.event_id == placed
    log.add("legal_hold_lifted", "C1", "2025-02-01", at("2025-02-01"))
    assert hold_in_force(log.events) is None
