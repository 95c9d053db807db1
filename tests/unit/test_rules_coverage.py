"""Coverage of the seed timescales: every inventoried timescale is encoded or listed with a reason,
and worked examples (actual dates, each citing its section) for rules added to every pack."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from adapters.cli.deadlines import packs_readme_text
from adapters.packs import PACKS_DIR, inventory_ids, load_pack, load_packs, uncovered
from policies.engine import Deadline, Status, evaluate
from policies.rules import PackError
from tests.unit.deadline_helpers import ChildStream, london

PACKS = load_packs()


def only(deadlines: list[Deadline], rule_id: str) -> list[Deadline]:
    return [d for d in deadlines if d.rule_id == rule_id]


def child(authority: str, **registration: Any) -> ChildStream:
    """A child of ``authority`` registered with the given date_of_birth / expected_date_of_birth."""
    stream = ChildStream(authority=None)
    stream.events.clear()
    fields = {"date_of_birth": None, **registration}
    stream.add("child_registered", date(2015, 5, 1), **fields)
    stream.add("authority_recorded", date(2015, 5, 1), authority=authority)
    return stream


def status_of(d: Deadline) -> tuple[date, Status]:
    return d.effective_due.date(), d.status


# -- coverage ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pack_id", ["shropshire", "wiltshire", "sussex", "york", "knowsley", "national"]
)
def test_every_inventoried_timescale_is_encoded_or_listed_with_a_reason(pack_id: str) -> None:
    pack = PACKS.latest(pack_id)
    items = inventory_ids(pack_id)
    assert len(items) >= 28  # the inventory is really there
    assert uncovered(pack) == []
    assert pack.encoded() | set(pack.not_encoded) == set(items)
    # reasons are specific: no two items of a pack share one word for word
    reasons = list(pack.not_encoded.values())
    assert len(set(reasons)) >= len(reasons) - 3  # the three Wiltshire CYPDT bands share one
    for rule in pack.rules:
        assert rule.inventory, f"{pack_id}.{rule.id} names no inventory item"


def test_counts_of_encoded_and_not_encoded_items() -> None:
    # 336 inventoried timescales: the split per pack is part of what the README reports
    counts = {
        p: (len(PACKS.latest(p).encoded()), len(PACKS.latest(p).not_encoded)) for p in PACKS.ids()
    }
    assert counts == {
        "knowsley": (29, 6),
        "national": (41, 20),
        "shropshire": (67, 33),
        "sussex": (15, 13),
        "wiltshire": (28, 17),
        "york": (55, 12),
    }


def test_a_pack_naming_an_unknown_inventory_item_or_both_encoding_and_excusing_it_fails(
    tmp_path: Path,
) -> None:
    raw = yaml.safe_load((PACKS_DIR / "sussex.yaml").read_text(encoding="utf-8"))
    (tmp_path / "inventory").mkdir()
    (tmp_path / "inventory" / "sussex.yaml").write_text(
        (PACKS_DIR / "inventory" / "sussex.yaml").read_text(encoding="utf-8")
    )
    bad = dict(raw, not_encoded={**raw["not_encoded"], "sussex.no_such_item": "A made-up reason."})
    (tmp_path / "sussex.yaml").write_text(yaml.safe_dump(bad, allow_unicode=True))
    with pytest.raises(PackError) as error:
        load_pack(tmp_path / "sussex.yaml")
    assert error.value.field == "not_encoded" and "sussex.no_such_item" in str(error.value)

    both = dict(raw, not_encoded={**raw["not_encoded"], "sussex.icpc": "Encoded after all."})
    (tmp_path / "sussex.yaml").write_text(yaml.safe_dump(both, allow_unicode=True))
    with pytest.raises(PackError, match="both encoded by a rule and listed in not_encoded"):
        load_pack(tmp_path / "sussex.yaml")

    vague = dict(raw, not_encoded={**raw["not_encoded"], "sussex.initial_core_group": "n/a"})
    (tmp_path / "sussex.yaml").write_text(yaml.safe_dump(vague, allow_unicode=True))
    with pytest.raises(PackError, match="specific reason"):
        load_pack(tmp_path / "sussex.yaml")


def test_readme_is_generated_from_the_packs_and_gives_each_reason() -> None:
    text = packs_readme_text()
    assert (PACKS_DIR / "README.md").read_text(encoding="utf-8") == text, (
        "run `caseledger packs readme --write`"
    )
    assert "| `shropshire.dental_checks` |" in text
    assert "'bi-annual' is ambiguous" in text
    assert "Inventory: 100 timescales; 67 encoded by the rules above, 33 deliberately" in text


# -- Shropshire (000_397ef79c2e214697.txt) ----------------------------------------------------


def test_shropshire_prebirth_conference_by_32_weeks_of_pregnancy() -> None:
    # §5.2: a pre-birth conference by 32 weeks' gestation = 8 weeks before the expected date.
    unborn = child("shropshire", expected_date_of_birth=date(2026, 9, 1))
    unborn.add("section_47_concluded", "2026-05-01", outcome="icpc")
    icpc = unborn.add("initial_child_protection_conference_held", "2026-07-10")
    (d,) = only(evaluate(unborn.events, PACKS, london("2026-07-20")), "prebirth_conference")
    assert status_of(d) == (date(2026, 7, 7), Status.MET_LATE)
    assert d.satisfied_by_event_id == icpc.event_id
    assert "§5.2" in d.citation
    # a born child's enquiry does not start the pre-birth clock
    born = child("shropshire", date_of_birth=date(2026, 1, 3))
    born.add("section_47_concluded", "2026-05-01", outcome="icpc")
    assert only(evaluate(born.events, PACKS, london("2026-07-20")), "prebirth_conference") == []


def test_shropshire_cp_visits_move_to_15_working_days_after_the_first_review() -> None:
    # E STANDARDS FOR VISITING: every 10 working days until the first review, then 15.
    c = child("shropshire", date_of_birth=date(2018, 6, 1))
    c.add("child_protection_plan_started", "2026-03-02")
    c.add("child_visited", "2026-03-12", seen=True)
    review = c.add(
        "review_child_protection_conference_held", "2026-05-28", decision="continue_plan"
    )
    c.add("child_visited", "2026-06-16", seen=True)
    result = evaluate(c.events, PACKS, london("2026-06-30"))
    ten = only(result, "cp_visits")
    assert [status_of(d) for d in ten] == [
        (date(2026, 3, 16), Status.MET),
        (date(2026, 3, 26), Status.BREACHED),  # nobody saw the child after 12 March
    ]
    fifteen = only(result, "cp_visits_after_first_review")
    assert fifteen[0].trigger_event_id == review.event_id
    # 28 May + 15 working days (no bank holidays after 25 May): Thursday 18 June
    assert [status_of(d) for d in fifteen] == [
        (date(2026, 6, 18), Status.MET),
        (date(2026, 7, 7), Status.PENDING),
    ]
    assert "E STANDARDS FOR VISITING" in fifteen[0].citation


def test_shropshire_adoptive_placement_visits_weekly_until_the_first_review_then_monthly() -> None:
    # E — 'Children placed for Adoption': within 5 working days, weekly, then at least monthly.
    c = child("shropshire", date_of_birth=date(2024, 2, 1))
    c.add("placed_for_adoption", "2026-03-02")
    c.add("child_visited", "2026-03-06", seen=True)
    review = c.add("adoption_review_held", "2026-03-12")
    c.add("child_visited", "2026-04-10", seen=True)
    result = evaluate(c.events, PACKS, london("2026-04-20"))
    weekly = only(result, "adoption_placement_visits_weekly")
    assert [status_of(d) for d in weekly] == [
        (date(2026, 3, 9), Status.MET),
        (date(2026, 3, 13), Status.CANCELLED),
    ]
    assert weekly[1].cancelled_by_event_id == review.event_id
    monthly = only(result, "adoption_placement_visits_monthly")
    assert [status_of(d) for d in monthly] == [
        (date(2026, 4, 12), Status.MET),
        (date(2026, 5, 10), Status.PENDING),
    ]


def test_shropshire_later_life_letter_10_days_after_the_celebration_hearing() -> None:
    # §16.1: later life letter within 10 days of the celebration hearing.
    c = child("shropshire", date_of_birth=date(2023, 2, 1))
    c.add("hearing_held", "2026-04-02", hearing="celebration")
    c.add("later_life_letter_given", "2026-04-14")
    (d,) = only(evaluate(c.events, PACKS, london("2026-04-30")), "later_life_letter")
    assert status_of(d) == (date(2026, 4, 12), Status.MET_LATE)
    assert d.pack == "shropshire" and "16.1" in d.citation


# -- York (003_8160ba9d01af632f.txt) ----------------------------------------------------------


def test_york_personal_adviser_by_17_and_a_half() -> None:
    # Standard 4 — Care Leavers: a PA allocated at 17½ (date of birth + 17 years 6 months).
    c = child("york", date_of_birth=date(2008, 11, 30))
    c.add("became_looked_after", "2025-01-10")
    c.add("personal_adviser_allocated", "2026-06-02", adviser_id="pa-1")
    (d,) = only(evaluate(c.events, PACKS, london("2026-06-30")), "personal_adviser_allocation")
    assert d.counted_from == date(2026, 5, 30)
    assert status_of(d) == (date(2026, 5, 30), Status.MET_LATE)
    assert "Care Leavers block" in d.citation


def test_york_child_seen_within_5_working_days_of_the_assessment() -> None:
    # Standards 2 and 3: the child seen within 5 working days of allocation. Friday 24 April
    # 2026 + 5 working days = Friday 1 May; a visit where the child was not seen does not count.
    c = child("york", date_of_birth=date(2016, 1, 1))
    c.add("assessment_started", "2026-04-24")
    c.add("child_visited", "2026-04-30", seen=False, seen_alone=False)
    seen = c.add("child_visited", "2026-05-05", seen=True)
    (d,) = only(evaluate(c.events, PACKS, london("2026-05-10")), "assessment_child_seen")
    assert status_of(d) == (date(2026, 5, 1), Status.MET_LATE)
    assert d.satisfied_by_event_id == seen.event_id


def test_york_reports_with_the_chair_3_working_days_before_the_conference() -> None:
    # 6.4 row 8 / Standard 4: reports with the chair 3 working days before; a report shared
    # only with the parents does not meet the chair's deadline (it meets theirs).
    c = child("york", date_of_birth=date(2016, 1, 1))
    c.add(
        "meeting_scheduled",
        "2026-04-01",
        meeting_type="initial_conference",
        scheduled_for="2026-04-16",
    )
    c.add(
        "report_shared",
        "2026-04-10",
        meeting_type="initial_conference",
        meeting_date="2026-04-16",
        shared_with=["parents"],
    )
    to_chair = c.add(
        "report_shared",
        "2026-04-14",
        meeting_type="initial_conference",
        meeting_date="2026-04-16",
        shared_with=["chair"],
    )
    result = evaluate(c.events, PACKS, london("2026-04-20"))
    (chair,) = only(result, "icpc_reports_to_chair")
    assert status_of(chair) == (date(2026, 4, 13), Status.MET_LATE)
    assert chair.satisfied_by_event_id == to_chair.event_id
    (parents,) = only(result, "icpc_report_shared")
    assert status_of(parents) == (date(2026, 4, 14), Status.MET)


def test_york_case_supervision_every_2_months_for_a_child_in_need() -> None:
    # Standard 6: case supervision at least every 2 months for children in need.
    c = child("york", date_of_birth=date(2016, 1, 1))
    c.add("child_in_need_plan_agreed", "2026-01-15")
    c.add("supervision_held", "2026-03-10")
    result = only(evaluate(c.events, PACKS, london("2026-04-01")), "case_supervision_cin")
    assert [status_of(d) for d in result] == [
        (date(2026, 3, 15), Status.MET),
        (date(2026, 5, 10), Status.PENDING),
    ]


# -- Wiltshire (001_93ba2dc2b9b16c50.txt) -----------------------------------------------------


def test_wiltshire_child_in_need_under_one_is_visited_fortnightly_until_the_first_birthday() -> (
    None
):
    # Appendix 2, 8.1: unborn and under-one children in need every 2 weeks.
    baby = child("wiltshire", date_of_birth=date(2025, 12, 1))
    registration = baby.events[0]
    baby.add("child_in_need_plan_agreed", "2026-11-10")
    baby.add("child_visited", "2026-11-20")
    result = evaluate(baby.events, PACKS, london("2026-12-31"))
    fortnightly = only(result, "cin_visits_under_one")
    assert [status_of(d) for d in fortnightly] == [
        (date(2026, 11, 24), Status.MET),
        (date(2026, 12, 4), Status.CANCELLED),  # she turned one on 1 December
    ]
    assert fortnightly[1].cancelled_by_event_id == registration.event_id
    # the 4-weekly rule (8.1) runs on past the birthday
    assert [status_of(d) for d in only(result, "cin_visits")] == [
        (date(2026, 12, 8), Status.MET),
        (date(2026, 12, 18), Status.BREACHED),
    ]
    # a child already two when the plan starts gets only the 4-weekly rule
    older = child("wiltshire", date_of_birth=date(2024, 1, 1))
    older.add("child_in_need_plan_agreed", "2026-03-02")
    assert only(evaluate(older.events, PACKS, london("2026-04-01")), "cin_visits_under_one") == []
    # an unborn child on a CIN plan counts as under one
    unborn = child("wiltshire", expected_date_of_birth=date(2026, 8, 1))
    unborn.add("child_in_need_plan_agreed", "2026-03-02")
    (d,) = only(evaluate(unborn.events, PACKS, london("2026-03-10")), "cin_visits_under_one")
    assert status_of(d) == (date(2026, 3, 16), Status.PENDING)


def test_wiltshire_child_protection_referral_finalised_within_2_hours() -> None:
    # Appendix 2, 1.4: a child protection referral finalised within 2 hours.
    c = child("wiltshire", date_of_birth=date(2016, 1, 1))
    c.add("referral_received", "2026-03-02T10:00", immediate_risk_of_significant_harm=True)
    c.add("referral_decision", "2026-03-02T12:30", outcome="strategy_discussion")
    (d,) = only(
        evaluate(c.events, PACKS, london("2026-03-03")), "referral_finalised_child_protection"
    )
    assert d.due == london("2026-03-02T12:00")
    assert d.status is Status.MET_LATE


def test_wiltshire_permanence_plan_by_the_four_month_review() -> None:
    # Appendix 2, 12.16: permanence plan at the four-month review; 31 January + 4 months
    # clamps to 31 May.
    c = child("wiltshire", date_of_birth=date(2016, 1, 1))
    c.add("became_looked_after", "2026-01-31")
    c.add("permanence_plan_agreed", "2026-05-29", plan="long-term fostering")
    (d,) = only(evaluate(c.events, PACKS, london("2026-06-30")), "permanence_plan")
    assert status_of(d) == (date(2026, 5, 31), Status.MET)
    assert "12.16" in d.citation


# -- Sussex / Brighton & Hove (002_aa2acc05bf62cfcc.txt) --------------------------------------


def test_sussex_needs_assessment_within_3_months_of_the_16th_birthday() -> None:
    # §6 Pathway Plan: needs assessment within 3 months of becoming eligible at 16.
    c = child("sussex", date_of_birth=date(2010, 2, 28))
    c.add("became_looked_after", "2024-06-01")
    c.add("pathway_plan_agreed", "2026-05-20")
    (d,) = only(evaluate(c.events, PACKS, london("2026-06-30")), "needs_assessment_care_leaver")
    assert status_of(d) == (date(2026, 5, 28), Status.MET)


def test_sussex_placement_information_record_on_the_day_of_placement() -> None:
    # §6 / §9 Placement Information Record: completed before placement (by the placement day).
    c = child("sussex", date_of_birth=date(2016, 1, 1))
    c.add("became_looked_after", "2026-03-03")
    c.add("placement_started", "2026-03-03", placement_id="pl-9")
    c.add("placement_plan_completed", "2026-03-02", placement_id="pl-other")
    c.add("placement_plan_completed", "2026-03-04", placement_id="pl-9")
    (d,) = only(evaluate(c.events, PACKS, london("2026-03-10")), "placement_plan")
    assert status_of(d) == (date(2026, 3, 3), Status.MET_LATE)


def test_sussex_permanence_plan_missing_at_four_months_is_breached() -> None:
    # §6 Permanence and Adoption Plans: a permanence plan at the four-month review.
    c = child("sussex", date_of_birth=date(2016, 1, 1))
    c.add("became_looked_after", "2026-01-12")
    c.add("care_plan_agreed", "2026-01-20", permanence_option=None)  # no option: not met
    (d,) = only(evaluate(c.events, PACKS, london("2026-05-13")), "permanence_plan")
    assert status_of(d) == (date(2026, 5, 12), Status.BREACHED)


# -- Knowsley (004_b07548fa3c53f1e2.txt) ------------------------------------------------------


def test_knowsley_icpc_report_with_the_family_24_hours_before() -> None:
    # §3 'I have shared my ICPC report...': at least 24 hours before the conference.
    c = child("knowsley", date_of_birth=date(2016, 1, 1))
    c.add(
        "meeting_scheduled",
        "2026-04-01",
        meeting_type="initial_conference",
        scheduled_for="2026-04-16",
    )
    c.add(
        "report_shared",
        "2026-04-16",
        meeting_type="initial_conference",
        meeting_date="2026-04-16",
        shared_with=["parents"],
    )
    (d,) = only(evaluate(c.events, PACKS, london("2026-04-20")), "icpc_report_shared")
    assert status_of(d) == (date(2026, 4, 15), Status.MET_LATE)


def test_knowsley_review_health_assessments_6_monthly_under_5_and_yearly() -> None:
    # §8 'Initial health assessment will be requested...': under 5 every 6 months, else yearly.
    c = child("knowsley", date_of_birth=date(2023, 1, 10))
    c.add("became_looked_after", "2025-06-01")
    c.add("health_assessment_completed", "2026-01-05", assessment="review")
    result = evaluate(c.events, PACKS, london("2026-03-01"))
    assert [status_of(d) for d in only(result, "health_assessment_review_under_5")] == [
        (date(2026, 7, 5), Status.PENDING)
    ]
    assert [status_of(d) for d in only(result, "health_assessment_review")] == [
        (date(2027, 1, 5), Status.PENDING)
    ]


def test_knowsley_cin_meeting_within_10_days_of_a_section_47_finding_a_child_in_need() -> None:
    # §5 'The CIN meeting has taken place in a timely manner...': within 10 days.
    c = child("knowsley", date_of_birth=date(2016, 1, 1))
    c.add("section_47_concluded", "2026-03-02", outcome="cin")
    c.add("child_in_need_meeting_held", "2026-03-11")
    (d,) = only(evaluate(c.events, PACKS, london("2026-03-20")), "cin_meeting_after_s47")
    assert status_of(d) == (date(2026, 3, 12), Status.MET)


# -- national baseline, filling in what an authority's pack does not define ---------------------


def test_national_later_life_letter_fills_in_for_york() -> None:
    # Adoption statutory guidance ch. 5: 10 working days after the celebration hearing. York's
    # pack has no later-life letter rule, so the national one judges a York child.
    c = child("york", date_of_birth=date(2023, 2, 1))
    c.add("hearing_held", "2026-04-02", hearing="celebration")
    (d,) = only(evaluate(c.events, PACKS, london("2026-04-21")), "later_life_letter")
    assert d.pack == "national"
    # Good Friday 3rd and Easter Monday 6th skipped: the 10th working day is Monday 20 April
    assert status_of(d) == (date(2026, 4, 20), Status.BREACHED)


def test_national_personal_adviser_keeps_in_touch_every_2_months_until_21() -> None:
    # Care Leavers (England) Regulations 2010 reg 8(2); s23C ends the duty at 21.
    c = child("york", date_of_birth=date(2005, 7, 15))
    c.add("personal_adviser_allocated", "2026-03-01", adviser_id="pa-2")
    c.add("care_leaver_contact", "2026-04-20")
    c.add("care_leaver_contact", "2026-06-18")
    result = only(evaluate(c.events, PACKS, london("2026-08-01")), "personal_adviser_visits")
    assert [status_of(d) for d in result] == [
        (date(2026, 5, 1), Status.MET),
        (date(2026, 6, 20), Status.MET),
        (date(2026, 8, 18), Status.CANCELLED),  # 21st birthday on 15 July 2026
    ]


def test_national_short_break_reviews_for_a_york_child_on_short_breaks() -> None:
    # CPPCR 2010 reg 48(3): short-break reviews within 3 months, then 6-monthly.
    c = child("york", date_of_birth=date(2014, 1, 1))
    c.add("became_looked_after", "2026-01-10", legal_status="V4")
    c.add("looked_after_review_held", "2026-04-01")
    result = evaluate(c.events, PACKS, london("2026-05-01"))
    reviews = only(result, "short_break_reviews")
    assert [(d.pack, *status_of(d)) for d in reviews] == [
        ("national", date(2026, 4, 10), Status.MET),
        ("national", date(2026, 10, 1), Status.PENDING),
    ]
    # York's own short-break visiting rule: twice a year
    (visits,) = only(result, "short_break_visits")
    assert (visits.pack, *status_of(visits)) == ("york", date(2026, 7, 10), Status.PENDING)


# -- the engine features the new rules use ----------------------------------------------------


def test_incremental_schedule_does_not_apply_a_birthday_that_has_not_come() -> None:
    # until_birthday is judged against the far future by the incremental schedule; before the
    # birthday it must give the same answer as a full evaluation at that moment.
    from policies.engine import Schedule

    c = child("national", date_of_birth=date(2005, 7, 15))
    c.add("personal_adviser_allocated", "2026-03-01", adviser_id="pa-2")
    c.add("care_leaver_contact", "2026-04-20")
    c.add("care_leaver_contact", "2026-06-18")
    schedule = Schedule(PACKS)
    for event in c.events:
        schedule.add(event)
    for moment in ("2026-06-30", "2026-07-14", "2026-07-16", "2026-09-01"):
        at = london(moment)
        assert only(schedule.deadlines(at), "personal_adviser_visits") == only(
            evaluate(c.events, PACKS, at), "personal_adviser_visits"
        ), moment
    before = only(schedule.deadlines(london("2026-07-14")), "personal_adviser_visits")[-1]
    assert (before.status, before.cancelled_by_event_id) == (Status.PENDING, None)


@pytest.mark.parametrize(
    ("trigger", "message"),
    [
        ({"kind": "child_in_need_plan_agreed", "age_under": 1, "age_at_least": 2}, "age_at_least"),
        ({"kind": "child_in_need_plan_agreed", "birthday_months": 6}, "give birthday"),
        ({"birthday": 16, "anchor_child": "date_of_birth"}, "birthday trigger takes no"),
        ({"kind": "child_in_need_plan_agreed", "while_status": ["asleep"]}, "unknown status"),
    ],
)
def test_child_level_trigger_options_are_validated(
    tmp_path: Path, trigger: dict[str, Any], message: str
) -> None:
    pack = {
        "pack": "demo_pack",
        "title": "Demo",
        "source": "demo.txt",
        "version": "1",
        "effective_from": "2020-01-01",
        "rules": [
            {
                "id": "visits",
                "title": "Visits",
                "citation": "demo.txt §1",
                "trigger": trigger,
                "clock": {"unit": "weeks", "length": 2},
                "satisfied_by": [{"kind": "child_visited"}],
            }
        ],
    }
    (tmp_path / "demo.yaml").write_text(yaml.safe_dump(pack))
    with pytest.raises(PackError, match=message) as error:
        load_pack(tmp_path / "demo.yaml")
    assert error.value.rule == "visits" and str(error.value.field).startswith("trigger")
