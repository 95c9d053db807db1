"""The DfE children's social care API payload: one JSON object per changed child, with purges.

The shape is Data to Insight's payload specification for the DfE's CSC API (repository
``data-to-insight/dfe-csc-api-data-flows``; the versions and commits used are in the
vendored schema, ``schemas/dfe_csc_api_child.schema.json``)::

    la_child_id, mis_child_id, purge,
    child_details: upn, names, dates of birth, sex, ethnicity, disabilities, uasc_flag, purge
    social_care_episodes[]: one per referral (CIN episode): dates, source, NFA, closure,
        care_worker_details[], child_and_family_assessments[], child_in_need_plans[],
        section_47_assessments[], child_protection_plans[], child_looked_after_placements[],
        adoption, care_leavers, purge

Built from the effective record (corrections applied, entries recorded in error left out)
through the same projection as the reporting tables (:func:`child_rows`), so the ids are
the ids of the events that began each item. A child is *changed* when anything was
recorded on its record on or after ``--since``. An item the record showed as known at
``--since`` and no longer shows (a correction or an "entry recorded in error" withdrew
it) is sent as its id with ``"purge": true``; a child whose whole record was withdrawn
as ``{la_child_id, mis_child_id, "purge": true}``. Every payload is checked against the
schema before any file is written: a payload that fails names the child, the field and
the rule, and nothing is written.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from adapters.exporters.dfe_api_purges import EPISODE_LISTS, purged_items, with_purges
from adapters.logging import get_logger
from adapters.readmodels.reporting import child_rows
from adapters.store import EventStore
from domain.envelope import RecordedEvent
from domain.events.adoption import AdoptionDecisionMade, PlacedForAdoption
from domain.events.child_in_need import ChildInNeedPlanAgreed, ChildInNeedPlanEnded
from domain.events.people import ChildRegistered
from projections.legal_status import effective_history

log = get_logger("caseledger.export")

SCHEMA_PATH = Path(__file__).with_name("schemas") / "dfe_csc_api_child.schema.json"
ID36 = re.compile(r"^[A-Za-z0-9_-]{1,36}$")
LEAVER_ACTIVITY = frozenset({"F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5", "G4", "G5", "G6"})
LEAVER_ACCOMMODATION = frozenset("BCDEGHKRSTUV")
WORKER_ID_LENGTH = 12
"""The spec's worker_id length; the payload builder sends the first 12 characters."""

Payload = dict[str, Any]


class DfePayloadError(ValueError):
    """A payload the specification's schema refuses (names the child, field and rule)."""


@cache
def schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return data


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(schema(), format_checker=FormatChecker())


def check_payload(payload: Payload) -> None:
    """Raise :class:`DfePayloadError` for the first rule the payload breaks (values not shown)."""
    errors = sorted(_validator().iter_errors(payload), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        where = ".".join(str(p) for p in error.absolute_path) or "(payload)"
        rule = f"{error.validator} {json.dumps(error.validator_value)}"[:200]
        child = payload.get("la_child_id", "?")
        raise DfePayloadError(f"child {child}: {where} breaks the DfE API schema rule {rule}")


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _clean(item: dict[str, Any]) -> dict[str, Any]:
    """Leave out keys without a value (as the specification's builder does)."""
    return {k: v for k, v in item.items() if v is not None and v != []}


def _episode_for(episodes: list[Payload], day: date | None) -> Payload | None:
    """The referral episode open on ``day`` (else the latest begun by then, else the first)."""
    if not episodes:
        return None
    if day is None:
        return episodes[-1]
    chosen = None
    for episode in episodes:
        start = date.fromisoformat(episode["referral_date"])
        close = episode.get("closure_date")
        if start <= day and (close is None or day <= date.fromisoformat(close)):
            return episode
        if start <= day:
            chosen = episode
    return chosen or episodes[0]


def child_payload(events: Iterable[RecordedEvent]) -> Payload | None:
    """One child's payload from its events (pure); None if the record shows nothing."""
    events = list(events)
    rows = child_rows(events)
    if not rows.get("person"):
        return None
    person = rows["person"][0]
    child = str(person["person_id"])
    items = effective_history(events)
    registered = next((e.event for e in items if isinstance(e.event, ChildRegistered)), None)
    mis = registered.case_number if registered and registered.case_number else child
    details = _clean(
        {
            "unique_pupil_number": person["upn"],
            "first_name": registered.first_name if registered else None,
            "surname": registered.last_name if registered else None,
            "date_of_birth": _day(person["date_of_birth"]),
            "expected_date_of_birth": _day(person["expected_date_of_birth"]),
            "sex": person["sex"] or "U",
            "ethnicity": person["ethnicity"],
            "disabilities": json.loads(person["disabilities"] or "[]"),
            "uasc_flag": bool(person["uasc"]),
        }
    )
    details["purge"] = False
    episodes = [_episode(row) for row in rows.get("cin_episodes", [])]
    by_referral = {e["social_care_episode_id"]: e for e in episodes}
    _attach_by_referral(rows, by_referral)
    _attach_by_date(rows, items, episodes)
    for episode in episodes:
        for key in [k for k, v in episode.items() if v == []]:
            del episode[key]
        episode["purge"] = episode.pop("purge")  # last, as the specification orders it
    return {
        "la_child_id": child,
        "mis_child_id": mis if ID36.match(mis) else child,
        "purge": False,
        "child_details": details,
        "social_care_episodes": episodes,
    }


def _episode(row: dict[str, Any]) -> Payload:
    return {
        **_clean(
            {
                "social_care_episode_id": row["referral_id"],
                "referral_date": _day(row["referral_date"]),
                "referral_source": row["referral_source"],
                "referral_no_further_action_flag": row["referral_nfa"],
                "closure_date": _day(row["close_date"]),
                "closure_reason": row["close_reason"],
            }
        ),
        "care_worker_details": [],
        **{name: [] for name in EPISODE_LISTS},
        "purge": False,
    }


def _attach_by_referral(
    rows: dict[str, list[dict[str, Any]]], episodes: dict[str, Payload]
) -> None:
    icpc_dates: dict[str, str | None] = {}
    for conference in rows.get("initial_cp_conferences", []):
        if conference["referral_id"]:
            icpc_dates.setdefault(conference["referral_id"], _day(conference["conference_date"]))
    for row in rows.get("assessments", []):
        episode = episodes.get(row["referral_id"])
        if episode is not None:
            item = {
                "child_and_family_assessment_id": row["assessment_id"],
                "start_date": _day(row["start_date"]),
                "authorisation_date": _day(row["authorised_date"]),
                "factors": json.loads(row["factors"]) if row["factors"] else None,
            }
            episode["child_and_family_assessments"].append({**_clean(item), "purge": False})
    for row in rows.get("s47_enquiries", []):
        episode = episodes.get(row["referral_id"])
        if episode is not None:
            item = {
                "section_47_assessment_id": row["s47_enquiry_id"],
                "start_date": _day(row["start_date"]),
                "icpc_required_flag": row["outcome"] == "icpc" if row["outcome"] else None,
                "icpc_date": icpc_dates.get(row["referral_id"]),
                "end_date": _day(row["end_date"]),
            }
            episode["section_47_assessments"].append({**_clean(item), "purge": False})
    for row in rows.get("cp_plans", []):
        episode = episodes.get(row["referral_id"])
        if episode is not None:
            item = {
                "child_protection_plan_id": row["cp_plan_id"],
                "start_date": _day(row["start_date"]),
                "end_date": _day(row["end_date"]),
            }
            episode["child_protection_plans"].append({**_clean(item), "purge": False})


def _attach_by_date(
    rows: dict[str, list[dict[str, Any]]], items: list[RecordedEvent], episodes: list[Payload]
) -> None:
    """Items the record does not tie to a referral go to the episode open when they began."""
    periods = sorted(rows.get("cla_episodes", []), key=lambda r: r["start_date"])
    for row in rows.get("cla_placements", []):
        period = None
        for candidate in periods:
            if candidate["start_date"] <= row["start_date"]:
                period = candidate
        item = {
            "child_looked_after_placement_id": row["placement_id"],
            "start_date": _day(row["start_date"]),
            "start_reason": period["start_reason"] if period else None,
            "placement_type": row["placement_type"],
            "postcode": row["postcode"],
            "end_date": _day(row["end_date"]),
            "end_reason": period["end_reason"] if period else None,
            "change_reason": row["change_reason"],
        }
        target = _episode_for(episodes, row["start_date"])
        if target is not None:
            target["child_looked_after_placements"].append({**_clean(item), "purge": False})
    for row in rows.get("involvements", []):
        target = _episode_for(episodes, row["start_date"])
        if target is not None and row["professional_id"]:
            worker = {
                "worker_id": str(row["professional_id"])[:WORKER_ID_LENGTH],
                "start_date": _day(row["start_date"]),
                "end_date": _day(row["end_date"]),
            }
            target["care_worker_details"].append(_clean(worker))
    plan: dict[str, Any] | None = None
    decided: date | None = None
    placed: date | None = None
    for entry in items:
        event = entry.event
        if isinstance(event, ChildInNeedPlanAgreed):
            target = _episode_for(episodes, event.occurred_date)
            plan = {
                "child_in_need_plan_id": entry.event_id,
                "start_date": _day(event.occurred_date),
            }
            if target is not None:
                target["child_in_need_plans"].append(plan)
        elif isinstance(event, ChildInNeedPlanEnded) and plan is not None:
            plan["end_date"] = _day(event.occurred_date)
            plan = None
        elif isinstance(event, AdoptionDecisionMade):
            decided = event.occurred_date
        elif isinstance(event, PlacedForAdoption):
            placed = event.occurred_date
    for episode in episodes:
        episode["child_in_need_plans"] = [
            {**p, "purge": False} for p in episode["child_in_need_plans"]
        ]
    if decided or placed:
        target = _episode_for(episodes, placed or decided)
        if target is not None:
            adoption = {"initial_decision_date": _day(decided), "placed_date": _day(placed)}
            target["adoption"] = {**_clean(adoption), "purge": False}
    contacts = sorted(rows.get("care_leavers", []), key=lambda r: r["contact_date"])
    if contacts and episodes:
        latest = contacts[-1]
        leaver = {
            "contact_date": _day(latest["contact_date"]),
            "activity": latest["activity"] if latest["activity"] in LEAVER_ACTIVITY else None,
            "accommodation": (latest["accommodation"] or "")[:1] or None,
        }
        if leaver["accommodation"] not in LEAVER_ACCOMMODATION:
            leaver["accommodation"] = None
        episodes[-1]["care_leavers"] = {**_clean(leaver), "purge": False}


# -- the export ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DfeExport:
    children: int
    purges: int
    withdrawn_children: int
    files: list[Path]


def payloads_since(events: Iterable[RecordedEvent], since: datetime) -> dict[str, Payload]:
    """Every changed child's payload with its purges, by child id (pure)."""
    grouped: dict[str, list[RecordedEvent]] = defaultdict(list)
    changed: set[str] = set()
    for item in events:
        grouped[item.child_id].append(item)
        if item.recorded_at >= since:
            changed.add(item.child_id)
    out: dict[str, Payload] = {}
    for child_id in sorted(changed):
        stream = grouped[child_id]
        before = child_payload([e for e in stream if e.recorded_at < since])
        payload = with_purges(before, child_payload(stream))
        if payload is not None:
            out[child_id] = payload
    return out


def export_dfe_api(
    store: EventStore,
    since: datetime,
    out: Path,
    progress: Callable[[int], None] | None = None,
) -> DfeExport:
    """Write ``<out>/<la_child_id>.json`` for each child changed since ``since``."""
    events: list[RecordedEvent] = []
    for item in store.iter_all():
        events.append(item)
        if progress is not None and len(events) % 2000 == 0:
            progress(len(events))
    payloads = payloads_since(events, since)
    for payload in payloads.values():
        if not ID36.match(str(payload["la_child_id"])):
            raise DfePayloadError(
                f"child {payload['la_child_id']}: la_child_id breaks the DfE API schema rule "
                "pattern ^[A-Za-z0-9_-]*$, at most 36 characters"
            )
        check_payload(payload)
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for payload in payloads.values():
        path = out / f"{payload['la_child_id']}.json"
        path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        files.append(path)
    result = DfeExport(
        children=len(payloads),
        purges=sum(purged_items(p) for p in payloads.values()),
        withdrawn_children=sum(1 for p in payloads.values() if p.get("purge")),
        files=files,
    )
    log.info(
        "dfe_api_exported",
        since=since.isoformat(),
        children=result.children,
        purges=result.purges,
        withdrawn_children=result.withdrawn_children,
    )
    return result
