"""The SSDA903 children looked after return, derived from events alone (pure, no I/O).

:func:`ssda903_tables` folds a log (many children) into the DfE's CSV tables for one
collection year (``year=2026``: 1 April 2025 to 31 March 2026). Columns are exactly the
DfE's (the 903 validator's ``config.column_names``); dates are dd/mm/yyyy; a missing
value is an empty cell.

Episodes come from :func:`projections.legal_status.episodes` (one derivation for the
product); the rest:

- Header: every child with an episode in the year; SEX M/F/U; MOTHER 0 for girls (the
  record holds no motherhood entry), blank for boys; UPN or UN1 (not of school age) /
  UN4 (not yet obtained);
- Reviews: looked-after reviews held in the year while looked after (not V3/V4);
- UASC: children registered as unaccompanied asylum-seeking;
- OC2: children looked after continuously for 12 months at 31 March: health assessment,
  immunisations, teeth check and SDQ from the health entries in the year;
- OC3: care leavers aged 17-21 in the year who were looked after at 16 or later: the
  latest care-leaver contact on or before 31 March;
- AD1: children adopted in the year (REC E11/E12): decision, match (the placement for
  adoption: the record has no separate matching entry), adopters;
- PlacedAdoption: decisions that the child should be placed for adoption, open or
  ended in the year;
- PrevPerm: previous permanence given when the latest period of care began in the year;
- Missing: missing / away episodes that started in the year while looked after;
- SWEpisodes: social worker allocations overlapping the year (SW_ID 'SW' + worker id).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from domain.envelope import RecordedEvent
from domain.events.adoption import AdoptionDecisionMade, AdoptionPlacementCeased, PlacedForAdoption
from domain.events.leaving_care import CareLeaverContact
from domain.events.looked_after import (
    BecameLookedAfter,
    HealthAssessmentCompleted,
    LookedAfterReviewHeld,
    MissingEpisodeEnded,
    MissingEpisodeStarted,
)
from domain.events.management import AllocatedToWorker
from domain.events.people import ChildBorn, ChildRegistered
from projections.legal_status import Episode, effective_history, episodes
from projections.returns_cin import census_period

COLUMNS: dict[str, list[str]] = {
    "Header": ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"],
    "Episodes": [
        "CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
        "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN",
    ],
    "Reviews": ["CHILD", "DOB", "REVIEW", "REVIEW_CODE"],
    "UASC": ["CHILD", "SEX", "DOB", "DUC"],
    "OC2": [
        "CHILD", "DOB", "SDQ_SCORE", "SDQ_REASON", "CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS",
        "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED",
        "INTERVENTION_OFFERED",
    ],
    "OC3": ["CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"],
    "AD1": [
        "CHILD", "DOB", "DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR",
        "LS_ADOPTR",
    ],
    "PlacedAdoption": [
        "CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED",
    ],
    "PrevPerm": ["CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"],
    "Missing": ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"],
    "SWEpisodes": ["CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"],
}  # fmt: skip

Row = dict[str, str]
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]")


def d(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _birthday(born: date, years: int) -> date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return date(born.year + years, 3, 1)


def sw_id(worker_id: str) -> str:
    """SW_ID: 'SW' and the worker id's letters and digits (rule SW02STG1)."""
    core = _NOT_ALNUM.sub("", worker_id).upper()
    if core.startswith("SW"):
        core = core[2:]
    return f"SW{core}"[:20]


@dataclass
class ChildReturn:
    """One child's rows in each 903 table."""

    child_id: str
    tables: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))


def _row(table: str, **values: str | None) -> Row:
    return {column: values.get(column) or "" for column in COLUMNS[table]}


def child_903(events: Iterable[RecordedEvent], year: int) -> ChildReturn | None:  # noqa: C901
    """ONE child's 903 rows for the collection year, or None if not looked after in it."""
    first, last = census_period(year)
    all_events = list(events)
    items = effective_history(all_events, occurred_by=last)
    items.sort(key=lambda e: (e.event.occurred_date, e.position))
    registered = next((i.event for i in items if isinstance(i.event, ChildRegistered)), None)
    if registered is None:
        return None
    born_event = next((i.event for i in items if isinstance(i.event, ChildBorn)), None)
    born = born_event.date_of_birth if born_event else registered.date_of_birth
    sex = (born_event.sex if born_event else registered.sex).value
    if born is None:
        return None
    every = episodes(all_events, occurred_by=last)
    in_year = [e for e in every if e.DECOM <= last and (e.DEC is None or e.DEC >= first)]
    child = registered.child_id
    result = ChildReturn(child)
    dob = d(born)

    # OC3 (care leavers) can apply without an episode in the year
    oc3 = _oc3(child, born, every, items, first, last)
    if not in_year and oc3 is None:
        return None
    upn = registered.upn or ("UN1" if born > date(last.year - 6, 8, 31) else "UN4")
    if year <= 2024:  # SEX was 1 (male) / 2 (female) before 2024-25
        sex = {"M": "1", "F": "2"}.get(sex, sex)
    result.tables["Header"].append(
        _row(
            "Header",
            CHILD=child,
            SEX=sex,
            DOB=dob,
            ETHNIC=registered.ethnicity.value,
            UPN=upn,
            # motherhood is asked of girls looked after in the year (rules 393, 628)
            MOTHER="0" if sex in ("F", "2") and in_year else None,
        )
    )
    if not in_year:
        assert oc3 is not None
        result.tables["OC3"].append(oc3)
        return result
    for ep in in_year:
        row = ep.as_903_row()
        if ep.DEC is not None and ep.DEC > last:
            row.update(DEC=None, REC=None, REASON_PLACE_CHANGE=None)
        result.tables["Episodes"].append(_row("Episodes", **row))

    def looked_after_on(day: date) -> Episode | None:
        for ep in every:
            if ep.DECOM <= day and (ep.DEC is None or ep.DEC > day):
                return ep
        return None

    if registered.unaccompanied_asylum_seeking:
        turned_18 = _birthday(born, 18)
        result.tables["UASC"].append(
            _row(
                "UASC",
                CHILD=child,
                SEX=sex,
                DOB=dob,
                DUC=d(turned_18) if turned_18 <= last else None,
            )
        )

    health: list[HealthAssessmentCompleted] = []
    decision: date | None = None
    decisions: list[tuple[date, date | None, str | None]] = []
    placed: PlacedForAdoption | None = None
    placed_on: date | None = None
    missing: dict[str, list[str | date | None]] = {}
    workers: list[tuple[date, str]] = []
    for item in items:
        event = item.event
        day = event.occurred_date
        if isinstance(event, LookedAfterReviewHeld) and first <= day <= last:
            during = looked_after_on(day)
            if during is not None and during.LS.value not in ("V3", "V4"):
                result.tables["Reviews"].append(
                    _row(
                        "Reviews",
                        CHILD=child,
                        DOB=dob,
                        REVIEW=d(day),
                        REVIEW_CODE=event.participation.value,
                    )
                )
        elif isinstance(event, HealthAssessmentCompleted) and first <= day <= last:
            health.append(event)
        elif isinstance(event, AdoptionDecisionMade):
            decision = day
            decisions.append((day, None, None))
        elif isinstance(event, AdoptionPlacementCeased):
            if decisions and decisions[-1][1] is None:
                decisions[-1] = (decisions[-1][0], event.ceased_on or day, event.reason_code)
        elif isinstance(event, PlacedForAdoption):
            placed, placed_on = event, day
        elif isinstance(event, MissingEpisodeStarted):
            missing[event.episode_id] = [event.missing_or_away, day, None]
        elif isinstance(event, MissingEpisodeEnded):
            if event.episode_id in missing:
                missing[event.episode_id][2] = day
        elif isinstance(event, AllocatedToWorker):
            workers.append((day, event.worker_id))

    # OC2: looked after continuously for 12 months at 31 March
    if _continuously_looked_after(every, last):
        under5 = _age(born, last) < 5
        age_start, age_end = _age(born, first), _age(born, last)
        sdq = next((h.sdq_score for h in reversed(health) if h.sdq_score is not None), None)
        sdq_due = age_end >= 4 and age_start <= 16
        latest = health[-1] if health else None
        result.tables["OC2"].append(
            _row(
                "OC2",
                CHILD=child,
                DOB=dob,
                SDQ_SCORE=str(sdq) if sdq_due and sdq is not None else None,
                SDQ_REASON="SDQ4" if sdq_due and sdq is None else None,
                CONVICTED="0" if age_end >= 10 else None,  # not asked under 10 (rule 542)
                HEALTH_CHECK=("1" if health else "0") if under5 else None,
                IMMUNISATIONS="1" if latest and latest.immunisations_up_to_date else "0",
                TEETH_CHECK="1" if latest and latest.teeth_checked else "0",
                HEALTH_ASSESSMENT="1" if health else "0",
                SUBSTANCE_MISUSE="0",
            )
        )

    # AD1: adopted in the year
    adopted = [ep for ep in in_year if ep.REC in ("E11", "E12") and ep.DEC and ep.DEC <= last]
    if adopted and placed is not None:
        result.tables["AD1"].append(
            _row(
                "AD1",
                CHILD=child,
                DOB=dob,
                DATE_INT=d(decision),
                DATE_MATCH=d(placed_on),
                FOSTER_CARE="1" if placed.foster_carer_adoption else "0",
                NB_ADOPTR=str(placed.number_of_adopters) if placed.number_of_adopters else None,
                SEX_ADOPTR=placed.adopters_sex,
                LS_ADOPTR=placed.adopters_legal_status,
            )
        )
    for made, ceased, reason in decisions:
        if made <= last and (ceased is None or ceased >= first):
            result.tables["PlacedAdoption"].append(
                _row(
                    "PlacedAdoption",
                    CHILD=child,
                    DOB=dob,
                    DATE_PLACED=d(made),
                    DATE_PLACED_CEASED=d(ceased) if ceased and ceased <= last else None,
                    REASON_PLACED_CEASED=reason if ceased and ceased <= last else None,
                )
            )

    # PrevPerm: the latest period of care began in the year
    starts = [i.event for i in items if isinstance(i.event, BecameLookedAfter)]
    if starts and first <= starts[-1].occurred_date <= last:
        began = starts[-1]
        result.tables["PrevPerm"].append(
            _row(
                "PrevPerm",
                CHILD=child,
                DOB=dob,
                PREV_PERM=began.previous_permanence,
                LA_PERM=began.previous_permanence_la,
                DATE_PERM=d(began.previous_permanence_date),
            )
        )

    for kind, start, end in missing.values():
        assert isinstance(start, date)
        if first <= start <= last and looked_after_on(start) is not None:
            ended = end if isinstance(end, date) and end <= last else None
            result.tables["Missing"].append(
                _row(
                    "Missing",
                    CHILD=child,
                    DOB=dob,
                    MISSING=str(kind),
                    MIS_START=d(start),
                    MIS_END=d(ended),
                )
            )

    # SWEpisodes: one per allocation; the last stays open
    spans: list[tuple[date, date | None, str]] = []
    for index, (start, worker) in enumerate(workers):
        end = workers[index + 1][0] if index + 1 < len(workers) else None
        if end is not None and end <= start:
            continue  # replaced the same day: not a social worker episode (rule SW09STG2)
        spans.append((start, end, worker))
    # a period of care that began in the year is reported from the worker allocated when it
    # began: the validator wants no social worker episode starting before it (SW12STG2)
    care_began = max((e.DECOM for e in in_year if e.RNE.value == "S"), default=None)
    for index, (start, end, worker) in enumerate(spans):
        if care_began is not None and start < care_began:
            continue
        if start <= last and (end is None or end >= first):
            result.tables["SWEpisodes"].append(
                _row(
                    "SWEpisodes",
                    CHILD=child,
                    DOB=dob,
                    SW_ID=sw_id(worker),
                    SW_DECOM=d(start),
                    SW_DEC=d(end) if end and end <= last else None,
                    SW_REASON="FCONTA" if index == 0 else "MANAGE",
                )
            )
    if oc3 is not None:
        result.tables["OC3"].append(oc3)
    return result


def _continuously_looked_after(every: list[Episode], last: date) -> bool:
    """Looked after throughout the 12 months to 31 March (one period of care, not V3/V4)."""
    start = date(last.year - 1, 4, 1)
    covering = [e for e in every if e.DECOM <= last and (e.DEC is None or e.DEC > last)]
    if not covering:
        return False
    period_start = None
    for ep in every:
        if ep.RNE.value == "S" and ep.DECOM <= last:
            period_start = ep.DECOM
    if period_start is None or period_start > start:
        return False
    in_period = [e for e in every if e.DECOM >= period_start and e.DECOM <= last]
    return not any(e.LS.value in ("V3", "V4") for e in in_period)


def _oc3(
    child: str,
    born: date,
    every: list[Episode],
    items: list[RecordedEvent],
    first: date,
    last: date,
) -> Row | None:
    """A care leaver's OC3 row: a 17th-21st birthday in the year, care ended at 16 or over."""
    birthdays = [b for b in (_birthday(born, n) for n in range(17, 22)) if first <= b <= last]
    if not birthdays:
        return None
    ended = [e for e in every if e.DEC is not None and e.REC not in (None, "X1")]
    if not ended or any(e.DEC is None for e in every):
        return None
    final = ended[-1]
    assert final.DEC is not None
    if _age(born, final.DEC) < 16 or final.DEC >= birthdays[0] or final.REC in ("E2", "E3"):
        return None
    contacts = [i.event for i in items if isinstance(i.event, CareLeaverContact)]
    if not contacts:
        return None
    contact = contacts[-1]
    return _row(
        "OC3",
        CHILD=child,
        DOB=d(born),
        IN_TOUCH=contact.in_touch,
        ACTIV=contact.activity,
        ACCOM=contact.accommodation,
    )


def ssda903_tables(events: Iterable[RecordedEvent], year: int) -> dict[str, list[Row]]:
    """Every 903 table for the year, rows in child order."""
    census_period(year)
    grouped: dict[str, list[RecordedEvent]] = defaultdict(list)
    for item in events:
        grouped[item.child_id].append(item)
    tables: dict[str, list[Row]] = {name: [] for name in COLUMNS}
    for child_id in sorted(grouped):
        found = child_903(grouped[child_id], year)
        if found is None:
            continue
        for name, rows in found.tables.items():
            tables[name].extend(rows)
    return tables
