"""Ofsted ILACS Annex A lists 1 to 11 for a period, from events alone, as an .xlsx workbook.

Headings and codes are the data map's (:mod:`adapters.exporters.annex_a_spec`). Each child's
rows come from the effective record (corrections applied, entries recorded in error left
out) through the reporting projection (:func:`child_rows`), so the lists and the reporting
tables agree. A list's rows, for the period ``start``..``end`` (dates, inclusive):

1. contacts received in the period;                2. early help assessments (none: early
3. referrals received in the period;                  help is not kept on the record, only
                                                      a referral or step-down to it);
4. assessments open at any time in the period;     5. section 47 enquiries open in it;
6. child in need episodes open in it (referrals that were not "no further action");
7. child protection plans open in it;              8. children looked after in it (one row
9. care leavers with a contact in the period;         each, their latest period of care);
10. children with an adoption decision not reversed before the period;
11. adopters a child was placed with (as far as the child's record holds them: the
    adoption agency's own steps are not on it, see :func:`_adopters`).

A count "in the last 12 months" looks back 12 months from the period's end; an age is the
child's whole years at the period's end. A cell the record cannot fill is left blank;
"Allocated Worker" and "Allocated Team" say "Unallocated" when nobody was.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

from adapters.exporters import annex_a_spec as spec
from adapters.exporters.annex_a_workbook import write_workbook
from adapters.logging import get_logger
from adapters.readmodels.reporting import child_rows
from adapters.store import EventStore
from domain.envelope import RecordedEvent
from domain.events.adoption import AdoptionDecisionMade, AdoptionPlacementCeased, PlacedForAdoption
from domain.events.base import CaseEvent
from domain.events.front_door import ContactReceived, ReferralReceived
from domain.events.leaving_care import PathwayPlanReviewed, PersonalAdviserAllocated
from domain.events.looked_after import (
    CarePlanAgreed,
    HealthAssessmentCompleted,
    IroContact,
    PermanencePlanAgreed,
    PlacementStarted,
)
from domain.events.people import PersonAdded, PersonRole
from domain.events.proceedings import OrderMade
from projections.legal_status import effective_history

log = get_logger("caseledger.export")

Row = dict[str, Any]
E = TypeVar("E", bound=CaseEvent)
UNALLOCATED = "Unallocated"


def _overlaps(start: date, finish: date | None, period: tuple[date, date]) -> bool:
    return start <= period[1] and (finish is None or finish >= period[0])


def _within(day: date | None, period: tuple[date, date]) -> bool:
    return day is not None and period[0] <= day <= period[1]


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _age(born: date | None, on: date) -> int | None:
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _yes(flag: bool | None) -> str:
    if flag is None:
        return spec.UNKNOWN
    return spec.YES if flag else spec.NO


@dataclass
class _Child:
    """One child's record, read once for every list."""

    events: list[RecordedEvent]
    period: tuple[date, date]

    def __post_init__(self) -> None:
        self.items = effective_history(self.events)
        self.rows = child_rows(self.events)
        person = self.rows["person"][0] if self.rows.get("person") else {}
        self.person: Row = person

    @property
    def id(self) -> str:
        return str(self.person["person_id"])

    def common(self) -> Row:
        born = self.person.get("date_of_birth")
        return {
            "Child Unique ID": self.id,
            "Gender": spec.GENDER.get(self.person.get("sex") or "U"),
            "Ethnicity": spec.ETHNICITY.get(self.person.get("ethnicity") or "NOBT"),
            "Date of Birth": born,
            "Age of Child (Years)": _age(born, self.period[1]),
        }

    def disability(self) -> str:
        return spec.YES if json.loads(self.person.get("disabilities") or "[]") else spec.NO

    def allocated(self, on: date) -> Row:
        """Team and worker allocated on ``on`` (or the latest before it)."""
        current = None
        for row in self.rows.get("involvements", []):
            if row["start_date"] <= on:
                current = row
        return {
            "Allocated Team": (current or {}).get("team") or UNALLOCATED,
            "Allocated Worker": (current or {}).get("professional_id") or UNALLOCATED,
        }

    def events_of(self, kind: type[E]) -> list[E]:
        """The effective events of one kind, in occurred order."""
        return [e.event for e in self.items if isinstance(e.event, kind)]


def list_rows(events: Iterable[RecordedEvent], start: date, end: date) -> dict[str, list[Row]]:
    """Every list's rows for the period (pure), children in id order."""
    grouped: dict[str, list[RecordedEvent]] = defaultdict(list)
    for item in events:
        grouped[item.child_id].append(item)
    period = (start, end)
    lists: dict[str, list[Row]] = {name: [] for name in spec.LISTS}
    adopters: dict[str, Row] = {}
    for child_id in sorted(grouped):
        child = _Child(grouped[child_id], period)
        if not child.person:
            continue
        lists["List 1"] += _contacts(child)
        lists["List 3"] += _referrals(child)
        lists["List 4"] += _assessments(child)
        lists["List 5"] += _section_47s(child)
        lists["List 6"] += _children_in_need(child)
        lists["List 7"] += _protection_plans(child)
        lists["List 8"] += _looked_after(child)
        lists["List 9"] += _care_leavers(child)
        lists["List 10"] += _adoption(child)
        for adopter, row in _adopters(child).items():
            adopters[adopter] = _merge_adopter(adopters.get(adopter), row)
    lists["List 11"] = [adopters[a] for a in sorted(adopters)]
    return lists


def _contacts(child: _Child) -> list[Row]:
    out = []
    for contact in child.events_of(ContactReceived):
        if _within(contact.occurred_date, child.period):
            out.append(
                {
                    **child.common(),
                    "Date of Contact": contact.occurred_date,
                    "Contact Source": spec.SOURCE_CODES.get(contact.source_type.value),
                }
            )
    return out


def _referrals(child: _Child) -> list[Row]:
    referrals = [e for e in child.items if isinstance(e.event, ReferralReceived)]
    episodes = {r["referral_id"]: r for r in child.rows.get("cin_episodes", [])}
    out = []
    for item in referrals:
        referral = item.event
        assert isinstance(referral, ReferralReceived)
        day = referral.occurred_date
        if not _within(day, child.period):
            continue
        episode = episodes.get(item.event_id)
        in_year = [r for r in referrals if _year_before(day) < r.event.occurred_date <= day]
        out.append(
            {
                **child.common(),
                "Date of referral": day,
                "Referral Source": spec.SOURCE_CODES.get(referral.referral_source.value),
                "Referral NFA?": _yes(bool(episode and episode["referral_nfa"])),
                "Number of Referrals in Last 12 Months": len(in_year),
                **child.allocated(day),
            }
        )
    return out


def _assessments(child: _Child) -> list[Row]:
    out = []
    visits = child.rows.get("visits", [])
    for row in child.rows.get("assessments", []):
        finish = row["authorised_date"] or row["completed_date"]
        if not _overlaps(row["start_date"], finish, child.period):
            continue
        until = finish or child.period[1]
        seen = [v for v in visits if row["start_date"] <= v["visit_date"] <= until]
        needs = None
        if row["completed_date"] is not None:
            needs = row["primary_need"] not in (None, "N9")
        out.append(
            {
                **child.common(),
                spec.LISTS["List 4"][5]: child.disability(),
                "Continuous Assessment Start Date": row["start_date"],
                "Child Seen During Continuous Assessment": _yes(
                    any(v["seen"] for v in seen) if seen else None
                ),
                "Continuous Assessment Date of Authorisation": row["authorised_date"],
                spec.LISTS["List 4"][9]: _yes(needs),
                **child.allocated(row["start_date"]),
            }
        )
    return out


def _section_47s(child: _Child) -> list[Row]:
    out = []
    conferences = child.rows.get("initial_cp_conferences", [])
    all_s47 = child.rows.get("s47_enquiries", [])
    for row in all_s47:
        if not _overlaps(row["start_date"], row["end_date"], child.period):
            continue
        icpc = next((c for c in conferences if c["referral_id"] == row["referral_id"]), None)
        end = child.period[1]
        year = (_year_before(end), end)
        out.append(
            {
                **child.common(),
                spec.LISTS["List 5"][5]: child.disability(),
                spec.LISTS["List 5"][6]: row["start_date"],
                spec.LISTS["List 5"][7]: None
                if row["outcome"] is None
                else _yes(row["outcome"] != "icpc"),
                "Date of Initial Child Protection Conference": icpc["conference_date"]
                if icpc
                else None,
                spec.LISTS["List 5"][9]: _yes(icpc["decision"] == "child_protection_plan")
                if icpc
                else None,
                spec.LISTS["List 5"][10]: sum(1 for s in all_s47 if _within(s["start_date"], year)),
                spec.LISTS["List 5"][11]: sum(
                    1 for c in conferences if _within(c["conference_date"], year)
                ),
                **child.allocated(row["start_date"]),
            }
        )
    return out


def _case_status(child: _Child, on: date) -> str:
    if any(
        _overlaps(r["start_date"], r["end_date"], (on, on))
        for r in child.rows.get("cla_episodes", [])
    ):
        return spec.CASE_STATUS["looked_after"]
    if any(
        _overlaps(r["start_date"], r["end_date"], (on, on)) for r in child.rows.get("cp_plans", [])
    ):
        return spec.CASE_STATUS["cp"]
    if any(
        _overlaps(r["start_date"], r["authorised_date"] or r["completed_date"], (on, on))
        for r in child.rows.get("assessments", [])
    ):
        return spec.CASE_STATUS["assessment"]
    return spec.CASE_STATUS["cin"]


def _children_in_need(child: _Child) -> list[Row]:
    out = []
    for row in child.rows.get("cin_episodes", []):
        if row["referral_nfa"] or not _overlaps(
            row["referral_date"], row["close_date"], child.period
        ):
            continue
        on = min(row["close_date"] or child.period[1], child.period[1])
        seen = [
            v["visit_date"]
            for v in child.rows.get("visits", [])
            if v["seen"] and v["visit_date"] <= on
        ]
        closed = row["close_date"] is not None and row["close_date"] <= child.period[1]
        out.append(
            {
                **child.common(),
                spec.LISTS["List 6"][5]: child.disability(),
                "CIN Start Date": row["referral_date"],
                "Primary Need Code": spec.NEED.get(row["primary_need"] or "N0"),
                "Date Child Was Last Seen": max(seen) if seen else None,
                "CIN Closure Date": row["close_date"] if closed else None,
                "Reason for Closure": spec.CLOSURE.get(row["close_reason"] or "")
                if closed
                else None,
                "Case Status": spec.CASE_STATUS["closed"] if closed else _case_status(child, on),
                **child.allocated(on),
            }
        )
    return out


def _protection_plans(child: _Child) -> list[Row]:
    out = []
    plans = sorted(child.rows.get("cp_plans", []), key=lambda r: r["start_date"])
    for number, row in enumerate(plans):
        if not _overlaps(row["start_date"], row["end_date"], child.period):
            continue
        on = min(row["end_date"] or child.period[1], child.period[1])
        visits = [
            v
            for v in child.rows.get("visits", [])
            if v["statutory"] and row["start_date"] <= v["visit_date"] <= on
        ]
        last_visit = max(visits, key=lambda v: v["visit_date"]) if visits else None
        reviews = [
            r["review_date"]
            for r in child.rows.get("cp_reviews", [])
            if r["cp_plan_id"] == row["cp_plan_id"] and r["review_date"] <= on
        ]
        out.append(
            {
                **child.common(),
                spec.LISTS["List 7"][5]: child.disability(),
                "Child Protection Plan Start Date": row["start_date"],
                "Initial Category of Abuse": spec.ABUSE.get(row["initial_category"] or ""),
                "Latest Category of Abuse": spec.ABUSE.get(row["latest_category"] or ""),
                "Date of the Last Statutory Visit": last_visit["visit_date"]
                if last_visit
                else None,
                "Was the Child Seen Alone?": _yes(last_visit["seen_alone"]) if last_visit else None,
                "Date of latest review conference": max(reviews) if reviews else None,
                "Child Protection Plan End Date": row["end_date"]
                if row["end_date"] and row["end_date"] <= child.period[1]
                else None,
                spec.LISTS["List 7"][13]: _yes(_protected(child, child.period[1])),
                "Number of Previous Child Protection Plans": number,
                **child.allocated(on),
            }
        )
    return out


def _protected(child: _Child, end: date) -> bool:
    """An emergency protection order or police protection in the six months to ``end``."""
    since = end - timedelta(days=183)
    for made in child.events_of(OrderMade):
        if made.order.value in ("emergency_protection_order", "police_protection"):
            if since <= made.occurred_date <= end:
                return True
    return any(
        r["legal_status"] in ("L1", "L2")
        and _overlaps(r["start_date"], r["end_date"], (since, end))
        for r in child.rows.get("cla_episodes", [])
    )


def _care_periods(episodes: list[Row]) -> list[list[Row]]:
    """903 episodes grouped into periods of care (a new period starts with reason S)."""
    periods: list[list[Row]] = []
    for row in sorted(episodes, key=lambda r: r["sequence"]):
        if not periods or row["start_reason"] == "S":
            periods.append([row])
        else:
            periods[-1].append(row)
    return periods


def _looked_after(child: _Child) -> list[Row]:
    periods = [
        p
        for p in _care_periods(child.rows.get("cla_episodes", []))
        if _overlaps(p[0]["start_date"], p[-1]["end_date"], child.period)
    ]
    if not periods:
        return []
    period = periods[-1]
    first, latest = period[0], period[-1]
    end = child.period[1]
    on = min(latest["end_date"] or end, end)
    year = (_year_before(end), end)
    ended = latest["end_date"] is not None and latest["end_date"] <= end
    earlier = [p for p in _care_periods(child.rows.get("cla_episodes", [])) if p is not period]
    status_start = latest["start_date"]
    for row in reversed(period):  # back to where the current legal status began
        if row["legal_status"] != latest["legal_status"]:
            break
        status_start = row["start_date"]
    placements = [
        p
        for p in child.rows.get("cla_placements", [])
        if p["start_date"] <= on and (p["end_date"] is None or p["end_date"] >= first["start_date"])
    ]
    recent = max(placements, key=lambda p: p["start_date"]) if placements else None
    missing = [m for m in child.rows.get("missing_episodes", []) if _within(m["start_date"], year)]
    last_missing = max(missing, key=lambda m: m["start_date"]) if missing else None
    visits = [v["visit_date"] for v in child.rows.get("visits", []) if v["visit_date"] <= on]
    reviews = [
        r["review_date"] for r in child.rows.get("cla_reviews", []) if r["review_date"] <= on
    ]
    health = [
        e.occurred_date for e in child.events_of(HealthAssessmentCompleted) if e.occurred_date <= on
    ]
    dental = [
        e.occurred_date
        for e in child.events_of(HealthAssessmentCompleted)
        if e.teeth_checked and e.occurred_date <= on
    ]
    iro = [e.occurred_date for e in child.events_of(IroContact) if e.occurred_date <= on]
    placed_in = _placement_la(child, recent["placement_id"]) if recent else None
    provider = (recent or {}).get("provider") or latest["placement_provider"] or ""
    headings = spec.LISTS["List 8"]
    return [
        {
            **child.common(),
            headings[5]: _yes(bool(child.person.get("uasc"))),
            headings[6]: child.disability(),
            "Date Started to be Looked After": first["start_date"],
            "Child's Category of Need": spec.NEED.get(first["category_of_need"] or "N0"),
            headings[9]: _yes(any(_within(p[-1]["end_date"], year) for p in earlier)),
            "Start date of current legal status": status_start,
            "Child's Legal Status": spec.LEGAL_STATUS.get(latest["legal_status"] or ""),
            "Date of Latest Statutory Review": max(reviews) if reviews else None,
            "Date of Last Social Work Visit": max(visits) if visits else None,
            "What is the permanence plan for this child?": _permanence(child, on),
            "Date of Last IRO Visit / Contact to the Child": max(iro) if iro else None,
            "Date of Last Health Assessment": max(health) if health else None,
            "Date of Last Dental Check": max(dental) if dental else None,
            "Number of Placements in the Last 12 months": sum(
                1
                for p in child.rows.get("cla_placements", [])
                if _overlaps(p["start_date"], p["end_date"], year)
            ),
            "Date Ceased to be Looked After": latest["end_date"] if ended else None,
            "Reason Ceased to be Looked After": spec.CEASED.get(latest["end_reason"] or "")
            if ended
            else None,
            "Start Date of Most Recent Placement": recent["start_date"] if recent else None,
            "Placement Type": spec.PLACEMENT_TYPE.get(recent["placement_type"]) if recent else None,
            "Placement Provider": spec.PROVIDER.get(provider),
            "Placement postcode": recent["postcode"] if recent else None,
            "URN of Placement": recent["urn"] if recent else None,
            "Placement Location": None
            if placed_in is None
            else spec.IN
            if placed_in == child.person.get("la_code")
            else spec.OUT,
            "LA of Placement": spec.PLACEMENT_LA.get(placed_in or "", placed_in),
            headings[28]: sum(1 for m in missing if m["missing_or_away"] == "M"),
            headings[29]: sum(1 for m in missing if m["missing_or_away"] == "A"),
            headings[30]: _yes(last_missing["return_interview_offered"]) if last_missing else None,
            headings[31]: _yes(last_missing["return_interview_accepted"])
            if last_missing and last_missing["return_interview_accepted"] is not None
            else None,
            **child.allocated(on),
        }
    ]


def _permanence(child: _Child, on: date) -> str | None:
    """The data map's code for the latest permanence plan agreed by ``on`` (None: none yet).

    The record keeps the plan in words (a care plan's permanence option, a permanence plan);
    its code is the first of the data map's options the words name, in the data map's own
    order (so a concurrent plan naming a return home and adoption reads "Return to family").
    """
    plans = [(e.occurred_date, e.plan) for e in child.events_of(PermanencePlanAgreed)]
    plans += [
        (e.occurred_date, e.permanence_option)
        for e in child.events_of(CarePlanAgreed)
        if e.permanence_option
    ]
    plans = sorted(p for p in plans if p[0] <= on)
    if not plans:
        return None
    words = plans[-1][1].lower()
    for code, keys in spec.PERMANENCE_WORDS:
        if any(k in words for k in keys):
            return code
    return None


def _placement_la(child: _Child, placement_id: str | None) -> str | None:
    """The placement's authority (a reporting row's placement id is its start's event id)."""
    for item in child.items:
        if isinstance(item.event, PlacementStarted) and placement_id in (
            item.event_id,
            item.event.placement_id,
        ):
            return item.event.placement_la
    return None


def _care_leavers(child: _Child) -> list[Row]:
    contacts = [
        c for c in child.rows.get("care_leavers", []) if _within(c["contact_date"], child.period)
    ]
    if not contacts:
        return []
    latest = max(contacts, key=lambda c: c["contact_date"])
    end = child.period[1]
    advisers = [e for e in child.events_of(PersonalAdviserAllocated) if e.occurred_date <= end]
    reviews = [
        e.occurred_date for e in child.events_of(PathwayPlanReviewed) if e.occurred_date <= end
    ]
    age = _age(child.person.get("date_of_birth"), end)
    looked_after = any(
        _overlaps(r["start_date"], r["end_date"], (end, end))
        for r in child.rows.get("cla_episodes", [])
    )
    if age is not None and age < 18:
        eligibility = "d) Eligible child" if looked_after else "a) Relevant child"
    else:
        eligibility = "b) Former relevant child"
    accommodation = (latest["accommodation"] or "")[:1]
    return [
        {
            **child.common(),
            spec.LISTS["List 9"][5]: _yes(bool(child.person.get("uasc"))),
            spec.LISTS["List 9"][6]: child.disability(),
            **child.allocated(end),
            "Allocated Personal Advisor": advisers[-1].adviser_id if advisers else None,
            "Eligibility Category": eligibility,
            "Latest Pathway Plan Review Date": max(reviews) if reviews else None,
            "LA in Touch": spec.IN_TOUCH.get(latest["in_touch"] or ""),
            "Latest Date of Contact": latest["contact_date"],
            "Type of Accommodation": spec.ACCOMMODATION.get(accommodation),
            "Suitability of Accommodation": {"1": spec.SUITABLE, "2": spec.UNSUITABLE}.get(
                (latest["accommodation"] or "")[1:2]
            ),
            "Activity Status": spec.ACTIVITY.get(latest["activity"] or ""),
        }
    ]


def _adoption(child: _Child) -> list[Row]:
    end = child.period[1]
    decisions = [e for e in child.events_of(AdoptionDecisionMade) if e.occurred_date <= end]
    if not decisions:
        return []
    decided = decisions[-1].occurred_date
    stopped = [
        e
        for e in child.events_of(AdoptionPlacementCeased)
        if decided <= e.occurred_date <= end and e.reason_code.startswith("RD")
    ]
    if stopped and stopped[-1].occurred_date < child.period[0]:
        return []
    placed = [
        e.occurred_date
        for e in child.events_of(PlacedForAdoption)
        if decided <= e.occurred_date <= end
    ]
    orders = {
        e.order.value: e.occurred_date for e in child.events_of(OrderMade) if e.occurred_date <= end
    }
    cla = sorted(child.rows.get("cla_episodes", []), key=lambda r: r["start_date"])
    fostering_for_adoption = sorted(
        p["start_date"]
        for p in child.rows.get("cla_placements", [])
        if p["placement_type"] in spec.FFA_PLACEMENTS and p["start_date"] <= end
    )
    return [
        {
            "Child Unique ID": child.id,
            "Family identifier": child.person.get("family_id"),
            **{k: v for k, v in child.common().items() if k != "Child Unique ID"},
            spec.LISTS["List 10"][6]: child.disability(),
            "Date the Child Entered Care": cla[0]["start_date"] if cla else None,
            "Date of Decision that Child Should be Placed for Adoption": decided,
            "Date of Placement Order": orders.get("placement_order"),
            "Date Placed for Adoption": placed[0] if placed else None,
            "Date of Adoption Order": orders.get("adoption_order"),
            spec.LISTS["List 10"][13]: stopped[-1].occurred_date if stopped else None,
            spec.LISTS["List 10"][14]: spec.ADOPTION_STOPPED.get(stopped[-1].reason_code)
            if stopped
            else None,
            spec.LISTS["List 10"][15]: fostering_for_adoption[0]
            if fostering_for_adoption
            else None,
        }
    ]


def _adopters(child: _Child) -> dict[str, Row]:
    """List 11 as far as a child's record holds it: the adopters the child was placed with.

    An adopter is a person recorded on the record as the child's adoptive parent; the
    child's placement for adoption (on or before the period's end, with no adoption order
    before its start) is the placement with them. The adoption agency's own steps (enquiry,
    stages 1 and 2, application, approval, matching, leaving the process) and the
    adopter's ethnicity and disability are not on a child's record: those cells stay blank,
    or read "information not yet obtained" for ethnicity.
    """
    start, end = child.period
    placed = [e for e in child.events_of(PlacedForAdoption) if e.occurred_date <= end]
    if not placed:
        return {}
    orders = [
        e.occurred_date
        for e in child.events_of(OrderMade)
        if e.order.value == "adoption_order" and e.occurred_date <= end
    ]
    if orders and orders[-1] < start:
        return {}
    placement = placed[-1]
    out = {}
    for person in child.events_of(PersonAdded):
        if person.role is not PersonRole.ADOPTIVE_PARENT:
            continue
        out[person.person_id] = {
            "Individual adopter identifier": person.person_id,
            "Gender": spec.GENDER.get(person.sex.value),
            "Ethnicity": spec.ETHNICITY["NOBT"],
            "Is the (prospective) adopter fostering for adoption?": _yes(
                placement.foster_carer_adoption
            ),
            "Date child/children placed with adopter(s)": placement.occurred_date,
            "No. of children placed": 1,
            "Date of Adoption Order": orders[-1] if orders else None,
        }
    return out


def _merge_adopter(seen: Row | None, row: Row) -> Row:
    """One adopter on several children's records (siblings): one row, the children counted."""
    if seen is None:
        return row
    first = min(
        seen["Date child/children placed with adopter(s)"],
        row["Date child/children placed with adopter(s)"],
    )
    orders = [d for d in (seen["Date of Adoption Order"], row["Date of Adoption Order"]) if d]
    return {
        **seen,
        "Date child/children placed with adopter(s)": first,
        "No. of children placed": seen["No. of children placed"] + 1,
        "Date of Adoption Order": max(orders) if orders else None,
    }


@dataclass(frozen=True)
class AnnexA:
    rows: dict[str, int]


def export_annex_a(
    store: EventStore,
    start: date,
    end: date,
    out: Path,
    progress: Callable[[int], None] | None = None,
) -> AnnexA:
    if end < start:
        raise ValueError(f"--to {end} is before --from {start}: give a period forwards")
    events: list[RecordedEvent] = []
    for item in store.iter_all():
        events.append(item)
        if progress is not None and len(events) % 2000 == 0:
            progress(len(events))
    lists = list_rows(events, start, end)
    write_workbook(lists, out)
    counts = {name: len(rows) for name, rows in lists.items()}
    log.info("annex_a_exported", start=start.isoformat(), end=end.isoformat(), **counts)
    return AnnexA(rows=counts)
