"""Reporting tables for BI tools, shaped after the Standard Safeguarding Dataset's core tables.

Rebuilt from events alone into any SQLite or PostgreSQL database (``caseledger export
tables --url URL``): person, cin_episodes, assessments, s47_enquiries,
initial_cp_conferences, cp_plans, cp_reviews, cla_episodes, cla_placements,
cla_reviews, visits, missing_episodes, care_leavers and involvements.

Every row's id is the id of the event that began it, so two rebuilds give identical
rows. Corrections are applied and entries recorded in error left out (the tables show
the record as it now stands). No names, addresses or case text are copied: ids, codes,
dates and flags only, as the Standard Safeguarding Dataset does.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

from adapters.db import parse_database, sql_engine
from adapters.logging import get_logger
from adapters.store import EventStore
from domain.envelope import RecordedEvent
from domain.events.adoption import PlacedForAdoption
from domain.events.direct_work import ChildVisited
from domain.events.front_door import ReferralDecision, ReferralReceived
from domain.events.leaving_care import CareLeaverContact
from domain.events.looked_after import (
    LookedAfterReviewHeld,
    MissingEpisodeEnded,
    MissingEpisodeStarted,
    ReturnInterviewHeld,
    ReturnInterviewOffered,
)
from domain.events.management import (
    AllocatedToTeam,
    AllocatedToWorker,
    AuthorityRecorded,
    CaseClosed,
)
from domain.events.people import ChildBorn, ChildRegistered
from domain.events.safeguarding import (
    AssessmentAuthorised,
    AssessmentCompleted,
    AssessmentStarted,
    ChildProtectionCategoryChanged,
    ChildProtectionPlanEnded,
    ChildProtectionPlanStarted,
    InitialChildProtectionConferenceHeld,
    ReviewChildProtectionConferenceHeld,
    Section47Concluded,
    Section47Started,
)
from projections.legal_status import effective_history, episodes, placements

log = get_logger("caseledger.reporting")

metadata = MetaData()


def _id(name: str) -> Column[Any]:
    return Column(name, String(64), primary_key=True)


def _person() -> Column[Any]:
    return Column("person_id", String(64), nullable=False, index=True)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "person",
            metadata,
            Column("person_id", String(64), primary_key=True),
            Column("sex", String(1)),
            Column("ethnicity", String(4)),
            Column("date_of_birth", Date),
            Column("expected_date_of_birth", Date),
            Column("upn", String(13)),
            Column("nhs_number", String(10)),
            Column("family_id", String(64)),
            Column("uasc", Boolean),
            Column("disabilities", Text),
            Column("authority", String(40)),
            Column("la_code", String(3)),
        ),
        Table(
            "cin_episodes",
            metadata,
            _id("referral_id"),
            _person(),
            Column("referral_date", Date, nullable=False),
            Column("referral_source", String(3)),
            Column("primary_need", String(2)),
            Column("referral_outcome", String(40)),
            Column("referral_nfa", Boolean, nullable=False),
            Column("close_date", Date),
            Column("close_reason", String(4)),
        ),
        Table(
            "assessments",
            metadata,
            _id("assessment_id"),
            _person(),
            Column("referral_id", String(64)),
            Column("start_date", Date, nullable=False),
            Column("completed_date", Date),
            Column("authorised_date", Date),
            Column("factors", Text),
            Column("primary_need", String(2)),
        ),
        Table(
            "s47_enquiries",
            metadata,
            _id("s47_enquiry_id"),
            _person(),
            Column("referral_id", String(64)),
            Column("start_date", Date, nullable=False),
            Column("end_date", Date),
            Column("outcome", String(10)),
        ),
        Table(
            "initial_cp_conferences",
            metadata,
            _id("icpc_id"),
            _person(),
            Column("referral_id", String(64)),
            Column("conference_date", Date, nullable=False),
            Column("decision", String(40)),
            Column("category_of_abuse", String(3)),
        ),
        Table(
            "cp_plans",
            metadata,
            _id("cp_plan_id"),
            _person(),
            Column("referral_id", String(64)),
            Column("start_date", Date, nullable=False),
            Column("end_date", Date),
            Column("initial_category", String(3)),
            Column("latest_category", String(3)),
        ),
        Table(
            "cp_reviews",
            metadata,
            _id("cp_review_id"),
            _person(),
            Column("cp_plan_id", String(64)),
            Column("review_date", Date, nullable=False),
            Column("decision", String(40)),
        ),
        Table(
            "cla_episodes",
            metadata,
            _id("cla_episode_id"),
            _person(),
            Column("sequence", Integer, nullable=False),
            Column("start_date", Date, nullable=False),
            Column("start_reason", String(1)),
            Column("legal_status", String(2)),
            Column("category_of_need", String(2)),
            Column("placement_type", String(3)),
            Column("placement_provider", String(3)),
            Column("end_date", Date),
            Column("end_reason", String(3)),
            Column("placement_change_reason", String(6)),
        ),
        Table(
            "cla_placements",
            metadata,
            _id("placement_id"),
            _person(),
            Column("start_date", Date, nullable=False),
            Column("placement_type", String(3)),
            Column("provider", String(200)),
            Column("urn", String(10)),
            Column("postcode", String(10)),
            Column("end_date", Date),
            Column("change_reason", String(6)),
            Column("placed_for_adoption", Boolean, nullable=False),
        ),
        Table(
            "cla_reviews",
            metadata,
            _id("cla_review_id"),
            _person(),
            Column("review_date", Date, nullable=False),
            Column("participation", String(3)),
        ),
        Table(
            "visits",
            metadata,
            _id("visit_id"),
            _person(),
            Column("visit_date", Date, nullable=False),
            Column("seen", Boolean, nullable=False),
            Column("seen_alone", Boolean, nullable=False),
            Column("location", String(20)),
            Column("statutory", Boolean, nullable=False),
            Column("visitor_id", String(64)),
        ),
        Table(
            "missing_episodes",
            metadata,
            _id("missing_id"),
            _person(),
            Column("missing_or_away", String(1)),
            Column("start_date", Date, nullable=False),
            Column("end_date", Date),
            Column("return_interview_offered", Boolean, nullable=False),
            Column("return_interview_accepted", Boolean),
        ),
        Table(
            "care_leavers",
            metadata,
            _id("contact_id"),
            _person(),
            Column("contact_date", Date, nullable=False),
            Column("in_touch", String(4)),
            Column("activity", String(2)),
            Column("accommodation", String(2)),
        ),
        Table(
            "involvements",
            metadata,
            _id("involvement_id"),
            _person(),
            Column("professional_id", String(64)),
            Column("team", String(100)),
            Column("start_date", Date, nullable=False),
            Column("end_date", Date),
        ),
    )
}

Row = dict[str, Any]


def child_rows(events: Iterable[RecordedEvent]) -> dict[str, list[Row]]:  # noqa: C901
    """Every reporting row for ONE child (pure)."""
    all_events = list(events)
    items = effective_history(all_events)
    items.sort(key=lambda e: (e.event.occurred_date, e.position))
    out: dict[str, list[Row]] = defaultdict(list)
    if not items:
        return out
    child = items[0].child_id
    person: Row = {"person_id": child}
    referral: Row | None = None
    assessment: Row | None = None
    s47: Row | None = None
    plan: Row | None = None
    missing: dict[str, Row] = {}
    workers: list[Row] = []
    team: str | None = None
    for item in items:
        event, day, eid = item.event, item.event.occurred_date, item.event_id
        if isinstance(event, ChildRegistered):
            person.update(
                sex=event.sex.value,
                ethnicity=event.ethnicity.value,
                date_of_birth=event.date_of_birth,
                expected_date_of_birth=event.expected_date_of_birth,
                upn=event.upn,
                nhs_number=event.nhs_number,
                family_id=event.family_id,
                uasc=event.unaccompanied_asylum_seeking,
                disabilities=json.dumps(event.disabilities),
            )
        elif isinstance(event, ChildBorn):
            person.update(date_of_birth=event.date_of_birth, sex=event.sex.value)
            person["expected_date_of_birth"] = None
        elif isinstance(event, AuthorityRecorded):
            person.update(authority=event.authority, la_code=event.la_code)
        elif isinstance(event, ReferralReceived):
            if referral is None or referral["close_date"] is not None:
                referral = {
                    "referral_id": eid,
                    "person_id": child,
                    "referral_date": day,
                    "referral_source": event.referral_source.value,
                    "primary_need": event.primary_need.value if event.primary_need else None,
                    "referral_outcome": None,
                    "referral_nfa": False,
                    "close_date": None,
                    "close_reason": None,
                }
                out["cin_episodes"].append(referral)
        elif isinstance(event, ReferralDecision) and referral is not None:
            referral["referral_outcome"] = event.outcome.value
            referral["referral_nfa"] = event.outcome.value in ("no_further_action", "early_help")
        elif isinstance(event, CaseClosed) and referral is not None:
            referral.update(close_date=day, close_reason=event.reason.value)
        elif isinstance(event, AssessmentStarted):
            assessment = {
                "assessment_id": eid,
                "person_id": child,
                "referral_id": referral["referral_id"] if referral else None,
                "start_date": day,
                "completed_date": None,
                "authorised_date": None,
                "factors": None,
                "primary_need": None,
            }
            out["assessments"].append(assessment)
        elif isinstance(event, AssessmentCompleted) and assessment is not None:
            assessment.update(
                completed_date=day,
                factors=json.dumps([f.value for f in event.factors]),
                primary_need=event.primary_need.value if event.primary_need else None,
            )
        elif isinstance(event, AssessmentAuthorised) and assessment is not None:
            assessment["authorised_date"] = day
        elif isinstance(event, Section47Started):
            s47 = {
                "s47_enquiry_id": eid,
                "person_id": child,
                "referral_id": referral["referral_id"] if referral else None,
                "start_date": day,
                "end_date": None,
                "outcome": None,
            }
            out["s47_enquiries"].append(s47)
        elif isinstance(event, Section47Concluded) and s47 is not None:
            s47.update(end_date=day, outcome=event.outcome.value)
        elif isinstance(event, InitialChildProtectionConferenceHeld):
            out["initial_cp_conferences"].append(
                {
                    "icpc_id": eid,
                    "person_id": child,
                    "referral_id": referral["referral_id"] if referral else None,
                    "conference_date": day,
                    "decision": event.decision.value,
                    "category_of_abuse": event.category_of_abuse.value
                    if event.category_of_abuse
                    else None,
                }
            )
        elif isinstance(event, ChildProtectionPlanStarted):
            plan = {
                "cp_plan_id": eid,
                "person_id": child,
                "referral_id": referral["referral_id"] if referral else None,
                "start_date": day,
                "end_date": None,
                "initial_category": event.category_of_abuse.value,
                "latest_category": event.category_of_abuse.value,
            }
            out["cp_plans"].append(plan)
        elif isinstance(event, ChildProtectionCategoryChanged) and plan is not None:
            plan["latest_category"] = event.category_of_abuse.value
        elif isinstance(event, ChildProtectionPlanEnded) and plan is not None:
            plan["end_date"] = day
        elif isinstance(event, ReviewChildProtectionConferenceHeld):
            out["cp_reviews"].append(
                {
                    "cp_review_id": eid,
                    "person_id": child,
                    "cp_plan_id": plan["cp_plan_id"] if plan else None,
                    "review_date": day,
                    "decision": event.decision.value,
                }
            )
        elif isinstance(event, LookedAfterReviewHeld):
            out["cla_reviews"].append(
                {
                    "cla_review_id": eid,
                    "person_id": child,
                    "review_date": day,
                    "participation": event.participation.value,
                }
            )
        elif isinstance(event, ChildVisited):
            out["visits"].append(
                {
                    "visit_id": eid,
                    "person_id": child,
                    "visit_date": day,
                    "seen": event.seen,
                    "seen_alone": event.seen_alone,
                    "location": event.location.value,
                    "statutory": event.statutory,
                    "visitor_id": event.visitor_id,
                }
            )
        elif isinstance(event, MissingEpisodeStarted):
            missing[event.episode_id] = {
                "missing_id": eid,
                "person_id": child,
                "missing_or_away": event.missing_or_away,
                "start_date": day,
                "end_date": None,
                "return_interview_offered": False,
                "return_interview_accepted": None,
            }
            out["missing_episodes"].append(missing[event.episode_id])
        elif isinstance(event, MissingEpisodeEnded) and event.episode_id in missing:
            missing[event.episode_id]["end_date"] = day
        elif isinstance(event, ReturnInterviewOffered) and event.episode_id in missing:
            missing[event.episode_id]["return_interview_offered"] = True
        elif isinstance(event, ReturnInterviewHeld) and event.episode_id in missing:
            missing[event.episode_id].update(
                return_interview_offered=True, return_interview_accepted=event.accepted
            )
        elif isinstance(event, CareLeaverContact):
            out["care_leavers"].append(
                {
                    "contact_id": eid,
                    "person_id": child,
                    "contact_date": day,
                    "in_touch": event.in_touch,
                    "activity": event.activity,
                    "accommodation": event.accommodation,
                }
            )
        elif isinstance(event, AllocatedToTeam):
            team = event.team
        elif isinstance(event, AllocatedToWorker):
            if workers:
                workers[-1]["end_date"] = day
            workers.append(
                {
                    "involvement_id": eid,
                    "person_id": child,
                    "professional_id": event.worker_id,
                    "team": event.team or team,
                    "start_date": day,
                    "end_date": None,
                }
            )
    if len(person) > 1:
        out["person"].append({c.name: person.get(c.name) for c in TABLES["person"].columns})
    out["involvements"].extend(workers)
    adoption_placements = {
        e.event.placement_id
        for e in items
        if isinstance(e.event, PlacedForAdoption) and e.event.placement_id
    }
    for p in placements(all_events):
        out["cla_placements"].append(
            {
                "placement_id": p.event_id,
                "person_id": child,
                "start_date": p.start,
                "placement_type": p.placement_type.value,
                "provider": p.provider,
                "urn": p.provider_urn,
                "postcode": p.postcode,
                "end_date": p.end,
                "change_reason": p.reason_ended,
                "placed_for_adoption": p.placement_id in adoption_placements
                or p.placement_type.value.startswith("A"),
            }
        )
    for n, ep in enumerate(episodes(all_events), start=1):
        out["cla_episodes"].append(
            {
                "cla_episode_id": f"{child}:{n}",
                "person_id": child,
                "sequence": n,
                "start_date": ep.DECOM,
                "start_reason": ep.RNE.value,
                "legal_status": ep.LS.value,
                "category_of_need": ep.CIN,
                "placement_type": ep.PLACE.value if ep.PLACE else None,
                "placement_provider": ep.PLACE_PROVIDER,
                "end_date": ep.DEC,
                "end_reason": ep.REC,
                "placement_change_reason": ep.REASON_PLACE_CHANGE,
            }
        )
    return out


def reporting_rows(events: Iterable[RecordedEvent]) -> dict[str, list[Row]]:
    """Every table's rows for a whole log, in child then id order (pure, deterministic)."""
    grouped: dict[str, list[RecordedEvent]] = defaultdict(list)
    for item in events:
        grouped[item.child_id].append(item)
    tables: dict[str, list[Row]] = {name: [] for name in TABLES}
    for child_id in sorted(grouped):
        for name, rows in child_rows(grouped[child_id]).items():
            tables[name].extend(rows)
    return tables


def rebuild_reporting_tables(
    store: EventStore, url: str, progress: Callable[[str, int], None] | None = None
) -> dict[str, int]:
    """Drop and rebuild every reporting table in the database at ``url``; rows per table."""
    events = []
    for item in store.iter_all():
        events.append(item)
        if progress is not None and len(events) % 2000 == 0:
            progress("reading events", len(events))
    counts = write_reporting_tables(url, reporting_rows(events), progress)
    log.info(
        "reporting_tables_rebuilt",
        target=parse_database(url).describe(),
        events=len(events),
        **counts,
    )
    return counts


def write_reporting_tables(
    url: str,
    tables: dict[str, list[Row]],
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Drop the reporting tables at ``url`` and write these rows (from any source of events)."""
    target = parse_database(url)
    engine = sql_engine(url)
    if target.schema and not target.is_sqlite:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{target.schema}"'))
    with engine.begin() as conn:
        metadata.drop_all(conn)
        metadata.create_all(conn)
        for name, rows in tables.items():
            for start in range(0, len(rows), 1000):
                conn.execute(TABLES[name].insert(), rows[start : start + 1000])
            if progress is not None:
                progress(name, len(rows))
    return {name: len(rows) for name, rows in tables.items()}


def dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every reporting table's rows, sorted by primary key (for comparing rebuilds)."""
    engine = sql_engine(url)
    result: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for name, table in TABLES.items():
            keys = list(table.primary_key.columns)
            result[name] = [tuple(r) for r in conn.execute(table.select().order_by(*keys))]
    return result
