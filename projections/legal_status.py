"""Legal status over time and now, placements, and the SSDA903 episode breakdown.

A pure fold over one child's :class:`~domain.envelope.RecordedEvent` s. Nothing here
reads a clock or a database: the caller passes the moment it wants.

Public API (all take the child's recorded events in any order; corrections and
entries recorded in error are resolved here):

- :func:`effective_history` ``(events, *, as_known_at=None, occurred_by=None)`` -> the
  events as they now stand, in occurred order: only those recorded by ``as_known_at``,
  corrections applied only if recorded by then, entries recorded in error dropped,
  the correction entries themselves left out.
- :func:`episodes` ``(events, *, as_known_at=None, occurred_by=None)`` -> ``list[Episode]``:
  the SSDA903 episodes, one per change of legal status or placement, with RNE worked out
  from what changed and DEC/REC on the episode that ends.
- :func:`episodes_by_child` ``(events, ...)`` -> ``dict[child_id, list[Episode]]`` for a log
  holding many children.
- :func:`placements` ``(events, ...)`` -> ``list[Placement]``.
- :func:`legal_status` ``(events, *, at, as_known_at=None)`` -> :class:`LegalStatusView`:
  ``current`` (:class:`CurrentStatus`), ``timeline`` (list of :class:`StatusPeriod`),
  ``placements``, ``episodes`` and ``warnings``.
- :func:`status_at` ``(events, at, *, as_known_at=None)`` -> :class:`CurrentStatus`.

``at`` is a moment in the child's life (events that occurred after it are not yet
so); ``as_known_at`` is a moment of knowledge (entries recorded after it are not yet
known). :func:`legal_status` uses ``at`` for both unless ``as_known_at`` is given, so
"status at 3 March" means what the record showed on 3 March.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from domain.codes import (
    ChildProtectionCategory,
    LegalStatus,
    OrderKind,
    PlacementType,
    ReasonEpisodeCeased,
    ReasonNewEpisode,
)
from domain.effective import effective_events
from domain.envelope import RecordedEvent
from domain.events import CaseEvent
from domain.events.adoption import AdoptionPlacementCeased, PlacedForAdoption
from domain.events.base import LONDON
from domain.events.child_in_need import ChildInNeedPlanAgreed, ChildInNeedPlanEnded
from domain.events.looked_after import (
    BecameLookedAfter,
    CeasedToBeLookedAfter,
    LegalStatusChanged,
    PlacementEnded,
    PlacementStarted,
)
from domain.events.people import ChildBorn, ChildRegistered
from domain.events.proceedings import (
    ApplicationIssued,
    LetterBeforeProceedingsSent,
    OrderMade,
    PreProceedingsMeetingHeld,
)
from domain.events.safeguarding import (
    ChildProtectionCategoryChanged,
    ChildProtectionPlanEnded,
    ChildProtectionPlanStarted,
)

# -- plain-English labels ------------------------------------------------------------------

LEGAL_STATUS_LABELS: dict[LegalStatus, str] = {
    LegalStatus.SECTION_20_SINGLE_PERIOD: "s20 accommodation, single period (V2)",
    LegalStatus.SHORT_BREAK_SINGLE: "s20 short break, single (V3)",
    LegalStatus.SHORT_BREAK_SERIES: "s20 short breaks, series (V4)",
    LegalStatus.INTERIM_CARE_ORDER: "interim care order, s38 (C1)",
    LegalStatus.FULL_CARE_ORDER: "care order, s31 (C2)",
    LegalStatus.FREED_FOR_ADOPTION: "freed for adoption (D1)",
    LegalStatus.PLACEMENT_ORDER: "placement order, ACA 2002 s21 (E1)",
    LegalStatus.POLICE_PROTECTION: "police protection, s46 (L1)",
    LegalStatus.EMERGENCY_PROTECTION_ORDER: "emergency protection order, s44 (L2)",
    LegalStatus.CHILD_ASSESSMENT_ORDER: "child assessment order, s43 (L3)",
    LegalStatus.REMAND_LA_ACCOMMODATION: "remanded to LA accommodation (J1)",
    LegalStatus.PACE_TRANSFER: "PACE transfer to LA accommodation (J2)",
    LegalStatus.SENTENCED_SUPERVISION_RESIDENCE: "sentenced, supervision with residence (J3)",
}

CP_CATEGORY_LABELS: dict[ChildProtectionCategory, str] = {
    ChildProtectionCategory.NEGLECT: "neglect",
    ChildProtectionCategory.PHYSICAL: "physical abuse",
    ChildProtectionCategory.SEXUAL: "sexual abuse",
    ChildProtectionCategory.EMOTIONAL: "emotional abuse",
    ChildProtectionCategory.MULTIPLE: "multiple categories",
}

SHORT_BREAKS = frozenset({LegalStatus.SHORT_BREAK_SINGLE, LegalStatus.SHORT_BREAK_SERIES})
TEMPORARY_PLACEMENTS = frozenset(
    {
        PlacementType.TEMPORARY_FOSTER,
        PlacementType.TEMPORARY_SHORT_BREAK,
        PlacementType.TEMPORARY_SHORT_BREAK_OTHER,
        PlacementType.TEMPORARY_SHORT_BREAK_HOLIDAY,
        PlacementType.TEMPORARY_SHORT_BREAK_OTHER_PLACEMENT,
    }
)
ADOPTIVE_PLACEMENTS = frozenset(
    {
        PlacementType.PLACED_FOR_ADOPTION_PARENT_FOSTER,
        PlacementType.PLACED_FOR_ADOPTION_NOT_PARENT_FOSTER,
        PlacementType.PLACED_FOR_ADOPTION_FFA_CONSENT,
        PlacementType.PLACED_FOR_ADOPTION_FFA_ORDER,
    }
)
INTERIM_ORDERS = frozenset({OrderKind.INTERIM_CARE_ORDER, OrderKind.INTERIM_SUPERVISION_ORDER})
FINAL_ORDERS = frozenset(
    {
        OrderKind.CARE_ORDER,
        OrderKind.SUPERVISION_ORDER,
        OrderKind.PLACEMENT_ORDER,
        OrderKind.SPECIAL_GUARDIANSHIP_ORDER,
        OrderKind.CHILD_ARRANGEMENTS_ORDER,
        OrderKind.ADOPTION_ORDER,
        OrderKind.DISCHARGE_OF_CARE_ORDER,
    }
)
# What a new order brings to an end (Children Act 1989 s91; ACA 2002 s29 and s46).
ORDER_DISCHARGES: dict[OrderKind, frozenset[OrderKind]] = {
    OrderKind.CARE_ORDER: frozenset(
        {
            OrderKind.INTERIM_CARE_ORDER,
            OrderKind.INTERIM_SUPERVISION_ORDER,
            OrderKind.EMERGENCY_PROTECTION_ORDER,
            OrderKind.POLICE_PROTECTION,
        }
    ),
    OrderKind.INTERIM_CARE_ORDER: frozenset(
        {OrderKind.EMERGENCY_PROTECTION_ORDER, OrderKind.POLICE_PROTECTION}
    ),
    OrderKind.SUPERVISION_ORDER: frozenset({OrderKind.INTERIM_SUPERVISION_ORDER}),
    OrderKind.SPECIAL_GUARDIANSHIP_ORDER: frozenset(
        {OrderKind.CARE_ORDER, OrderKind.INTERIM_CARE_ORDER, OrderKind.CHILD_ARRANGEMENTS_ORDER}
    ),
    OrderKind.CHILD_ARRANGEMENTS_ORDER: frozenset(
        {OrderKind.CARE_ORDER, OrderKind.INTERIM_CARE_ORDER}
    ),
    OrderKind.DISCHARGE_OF_CARE_ORDER: frozenset({OrderKind.CARE_ORDER}),
    OrderKind.ADOPTION_ORDER: frozenset(set(OrderKind) - {OrderKind.ADOPTION_ORDER}),
}
DEFAULT_ORDER_LENGTH: dict[OrderKind, timedelta] = {
    OrderKind.POLICE_PROTECTION: timedelta(hours=72),
    OrderKind.EMERGENCY_PROTECTION_ORDER: timedelta(days=8),
    OrderKind.CHILD_ASSESSMENT_ORDER: timedelta(days=7),
}
"""Orders that lapse by statute when no expiry date was recorded."""

COUNTING_DAYS = 91
"""Care leavers: 13 weeks looked after since age 14 (Children (Leaving Care) Act 2000)."""


class Strand(StrEnum):
    """The separate threads of a child's status; several can run at once."""

    CHILD_IN_NEED = "child_in_need"
    CHILD_PROTECTION = "child_protection"
    LOOKED_AFTER = "looked_after"
    PROCEEDINGS = "proceedings"
    PLACED_FOR_ADOPTION = "placed_for_adoption"
    ADOPTED = "adopted"
    CARE_LEAVER = "care_leaver"


class ProceedingsStage(StrEnum):
    PRE_PROCEEDINGS = "pre_proceedings"
    ISSUED = "issued"
    INTERIM_ORDER = "interim_order"
    FINAL_ORDER = "final_order"


class CareLeaverCategory(StrEnum):
    """Care Leavers (England) Regulations 2010 categories, decided by age and care history."""

    ELIGIBLE = "eligible"
    RELEVANT = "relevant"
    FORMER_RELEVANT = "former_relevant"


# -- read-model shapes ---------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class StatusPeriod(_Model):
    """One stretch of one strand: e.g. looked after under C1 from a date to a date."""

    strand: Strand
    status: str = Field(description="Code: LS (V2, C1...), CP category, stage or category.")
    label: str = Field(description="Plain English.")
    start: date
    end: date | None = Field(description="None: still so at the moment asked about.")
    event_id: str | None = Field(description="The entry that began it (None when by age).")


class Placement(_Model):
    placement_id: str
    placement_type: PlacementType
    provider: str
    provider_urn: str | None
    carer: str | None
    postcode: str | None
    same_carer_as_previous: bool
    start: date
    end: date | None
    reason_ended: str | None = Field(description="SSDA903 REASON_PLACE_CHANGE when it ended.")
    event_id: str


class Episode(_Model):
    """One SSDA903 episode. Upper-case fields are the 903 Episodes table columns."""

    CHILD: str
    DECOM: date
    RNE: ReasonNewEpisode
    LS: LegalStatus
    CIN: str
    PLACE: PlacementType | None
    PLACE_PROVIDER: str | None
    DEC: date | None
    REC: str | None = Field(description="ReasonEpisodeCeased code; X1 when care continues.")
    REASON_PLACE_CHANGE: str | None
    HOME_POST: str | None
    PL_POST: str | None
    URN: str | None
    placement_id: str | None
    start_event_ids: tuple[str, ...]

    def as_903_row(self) -> dict[str, str | None]:
        """The 903 Episodes columns as strings, dates dd/mm/yyyy, missing values None."""

        def fmt(day: date | None) -> str | None:
            return day.strftime("%d/%m/%Y") if day else None

        return {
            "CHILD": self.CHILD,
            "DECOM": fmt(self.DECOM),
            "RNE": self.RNE.value,
            "LS": self.LS.value,
            "CIN": self.CIN,
            "PLACE": self.PLACE.value if self.PLACE else None,
            "PLACE_PROVIDER": self.PLACE_PROVIDER,
            "DEC": fmt(self.DEC),
            "REC": self.REC,
            "REASON_PLACE_CHANGE": self.REASON_PLACE_CHANGE,
            "HOME_POST": self.HOME_POST,
            "PL_POST": self.PL_POST,
            "URN": self.URN,
        }


class OrderInForce(_Model):
    order: OrderKind
    made_on: date
    expires_on: date | None
    court: str | None
    event_id: str


class CurrentStatus(_Model):
    """The child's status at one moment, as the record stood at the moment of knowledge."""

    child_id: str
    at: datetime
    as_known_at: datetime | None
    date_of_birth: date | None
    expected_date_of_birth: date | None
    age_years: int | None
    child_in_need_plan_since: date | None
    cp_plan_since: date | None
    cp_category: ChildProtectionCategory | None
    cp_category_since: date | None
    looked_after_since: date | None
    legal_status: LegalStatus | None
    legal_status_since: date | None
    legal_basis: str | None
    placement: Placement | None
    proceedings_stage: ProceedingsStage | None
    proceedings_stage_since: date | None
    orders_in_force: list[OrderInForce]
    placed_for_adoption_since: date | None
    adopted_on: date | None
    care_leaver: CareLeaverCategory | None
    summary: list[str] = Field(description="One plain-English line per strand that applies.")


class LegalStatusView(_Model):
    child_id: str
    current: CurrentStatus
    timeline: list[StatusPeriod]
    placements: list[Placement]
    episodes: list[Episode]
    warnings: list[str]


# -- effective history ---------------------------------------------------------------------


def _moment(value: datetime | date) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=LONDON)
    return datetime(value.year, value.month, value.day, 23, 59, 59, 999999, tzinfo=LONDON)


def effective_history(
    events: Iterable[RecordedEvent],
    *,
    as_known_at: datetime | None = None,
    occurred_by: datetime | date | None = None,
) -> list[RecordedEvent]:
    """The record as it stood at ``as_known_at``, in occurred order.

    Entries recorded after ``as_known_at`` are unknown; a correction counts only if it
    was recorded by then; an entry recorded in error (by then) is dropped; correction
    entries themselves are left out. With ``occurred_by`` (a date means the end of that
    London day) events that happened later are left out too. Each returned item carries
    the corrected event in ``.event``.
    """
    limit = _moment(occurred_by) if occurred_by is not None else None
    result = [
        item
        for item in effective_events(events, as_known_at=as_known_at)
        if limit is None or item.event.occurred_instant <= limit
    ]
    result.sort(key=lambda e: (e.event.occurred_instant, e.position))
    return result


# -- placements and episodes ---------------------------------------------------------------


def _placement(item: RecordedEvent, event: PlacementStarted) -> Placement:
    return Placement(
        placement_id=event.placement_id,
        placement_type=event.placement_type,
        provider=event.provider,
        provider_urn=event.provider_urn,
        carer=event.carer,
        postcode=event.postcode,
        same_carer_as_previous=event.same_carer_as_previous,
        start=event.occurred_date,
        end=None,
        reason_ended=None,
        event_id=item.event_id,
    )


def placements(
    events: Iterable[RecordedEvent],
    *,
    as_known_at: datetime | None = None,
    occurred_by: datetime | date | None = None,
) -> list[Placement]:
    """Every placement with its SSDA903 type, provider, carer, postcode and dates."""
    found: list[Placement] = []
    open_index: dict[str, int] = {}
    for item in effective_history(events, as_known_at=as_known_at, occurred_by=occurred_by):
        event = item.event
        if isinstance(event, PlacementStarted):
            open_index[event.placement_id] = len(found)
            found.append(_placement(item, event))
        elif isinstance(event, PlacementEnded) and event.placement_id in open_index:
            index = open_index.pop(event.placement_id)
            found[index] = found[index].model_copy(
                update={"end": event.occurred_date, "reason_ended": event.reason.value}
            )
        elif isinstance(event, CeasedToBeLookedAfter):
            for index in open_index.values():
                found[index] = found[index].model_copy(update={"end": event.occurred_date})
            open_index.clear()
    return found


def _by_day(items: Sequence[RecordedEvent]) -> list[tuple[date, list[RecordedEvent]]]:
    days: list[tuple[date, list[RecordedEvent]]] = []
    for item in items:
        day = item.event.occurred_date
        if days and days[-1][0] == day:
            days[-1][1].append(item)
        else:
            days.append((day, [item]))
    return days


def _rne(legal_changed: bool, placement_changed: bool, same_carer: bool) -> ReasonNewEpisode:
    if legal_changed and placement_changed:
        return (
            ReasonNewEpisode.CHANGE_OF_PLACEMENT_SAME_CARER_STATUS
            if same_carer
            else ReasonNewEpisode.CHANGE_OF_PLACEMENT_AND_LEGAL_STATUS
        )
    if placement_changed:
        return (
            ReasonNewEpisode.CHANGE_OF_PLACEMENT_SAME_CARER
            if same_carer
            else ReasonNewEpisode.CHANGE_OF_PLACEMENT_ONLY
        )
    return ReasonNewEpisode.CHANGE_OF_LEGAL_STATUS_ONLY


def _derive_episodes(
    items: Sequence[RecordedEvent], warnings: list[str] | None = None
) -> list[Episode]:
    """The 903 episode breakdown of one child's effective history (occurred order).

    Events on the same day are taken together: a legal status change and a move on one
    day make one episode with RNE B (or U when the carer stays the same). A period of
    care that starts before its first placement keeps its start date (DECOM) and takes
    the placement when it starts. A placement that ends with no new one the same day
    leaves the episode open until the next placement starts (a gap is warned about).
    """
    warn = warnings if warnings is not None else []
    done: list[Episode] = []
    current: dict[str, Any] | None = None
    in_care = False
    legal: LegalStatus | None = None
    cin = ""
    home_post: str | None = None
    placement: Placement | None = None
    reason_change: str | None = None
    gap_from: date | None = None

    def close(day: date, rec: str, reason: str | None) -> None:
        nonlocal current
        assert current is not None
        current.update(DEC=day, REC=rec, REASON_PLACE_CHANGE=reason)
        done.append(Episode(**current))
        current = None

    def open_episode(day: date, rne: ReasonNewEpisode, ids: list[str]) -> None:
        nonlocal current
        assert legal is not None
        current = {
            "CHILD": items[0].child_id,
            "DECOM": day,
            "RNE": rne,
            "LS": legal,
            "CIN": cin,
            "PLACE": placement.placement_type if placement else None,
            "PLACE_PROVIDER": placement.provider if placement else None,
            "DEC": None,
            "REC": None,
            "REASON_PLACE_CHANGE": None,
            "HOME_POST": home_post,
            "PL_POST": placement.postcode if placement else None,
            "URN": placement.provider_urn if placement else None,
            "placement_id": placement.placement_id if placement else None,
            "start_event_ids": tuple(ids),
        }

    for day, group in _by_day(items):
        ids: list[str] = []
        ceased: CeasedToBeLookedAfter | None = None
        started = False
        for item in group:
            event = item.event
            if isinstance(event, BecameLookedAfter):
                in_care, started, legal = True, True, event.legal_status
                cin = event.category_of_need
                home_post = event.home_postcode
                ids.append(item.event_id)
            elif isinstance(event, LegalStatusChanged) and in_care:
                legal = event.legal_status
                ids.append(item.event_id)
            elif isinstance(event, PlacementStarted) and in_care:
                placement = _placement(item, event)
                ids.append(item.event_id)
            elif isinstance(event, PlacementEnded) and placement is not None:
                if placement.placement_id == event.placement_id:
                    placement = None
                    reason_change = event.reason.value
                    gap_from = day
            elif isinstance(event, CeasedToBeLookedAfter) and in_care:
                ceased = event
        if ceased is not None:
            if current is not None:
                close(day, ceased.reason.value, None)
            in_care, legal, placement, reason_change, gap_from = False, None, None, None, None
            continue
        if not in_care or legal is None:
            continue
        if current is None or started:
            if current is not None:  # looked after again without the last period ending
                close(day, ReasonEpisodeCeased.EPISODE_CEASED_CARE_CONTINUES.value, None)
            open_episode(day, ReasonNewEpisode.STARTED_TO_BE_LOOKED_AFTER, ids)
            continue
        legal_changed = legal != current["LS"]
        new_place = placement is not None and placement.placement_id != current["placement_id"]
        if new_place and current["placement_id"] is None and not legal_changed:
            assert placement is not None
            current.update(
                PLACE=placement.placement_type,
                PLACE_PROVIDER=placement.provider,
                PL_POST=placement.postcode,
                URN=placement.provider_urn,
                placement_id=placement.placement_id,
            )
            continue
        if not (legal_changed or new_place):
            continue
        if new_place and gap_from is not None and gap_from != day:
            warn.append(
                f"no placement recorded from {gap_from.isoformat()} to {day.isoformat()}: "
                "the episode before runs to the new placement's start"
            )
        reason = None
        if new_place and current["PLACE"] not in TEMPORARY_PLACEMENTS:
            assert placement is not None
            if placement.placement_type not in TEMPORARY_PLACEMENTS:
                reason = reason_change
        same = bool(placement and new_place and placement.same_carer_as_previous)
        close(day, ReasonEpisodeCeased.EPISODE_CEASED_CARE_CONTINUES.value, reason)
        open_episode(day, _rne(legal_changed, new_place, same), ids)
        if new_place:
            reason_change, gap_from = None, None
    if current is not None:
        done.append(Episode(**current))
    return done


def episodes(
    events: Iterable[RecordedEvent],
    *,
    as_known_at: datetime | None = None,
    occurred_by: datetime | date | None = None,
) -> list[Episode]:
    """SSDA903 episodes for ONE child's recorded events (see :func:`_derive_episodes`).

    A new episode starts on any change of legal status or placement. RNE: S started to
    be looked after; L legal status only; P placement (and carer) only; T placement
    only, same carer; B legal status and placement; U legal status and placement, same
    carer. An episode that ends because another starts has REC X1 and, when the
    placement changed (and neither placement is temporary, T0-T4), REASON_PLACE_CHANGE
    from the placement_ended entry; the last episode of a period of care has DEC and REC
    from ceased_to_be_looked_after. Episodes still open have DEC and REC None.
    """
    items = effective_history(events, as_known_at=as_known_at, occurred_by=occurred_by)
    if not items:
        return []
    children = {item.child_id for item in items}
    if len(children) > 1:
        raise ValueError(
            f"episodes() takes one child's events; got {len(children)} children "
            "(use episodes_by_child)"
        )
    return _derive_episodes(items)


def episodes_by_child(
    events: Iterable[RecordedEvent],
    *,
    as_known_at: datetime | None = None,
    occurred_by: datetime | date | None = None,
) -> dict[str, list[Episode]]:
    """:func:`episodes` for every child in a log, keyed by child id (children with none omitted)."""
    grouped: dict[str, list[RecordedEvent]] = defaultdict(list)
    for item in events:
        grouped[item.child_id].append(item)
    result: dict[str, list[Episode]] = {}
    for child_id in sorted(grouped):
        found = episodes(grouped[child_id], as_known_at=as_known_at, occurred_by=occurred_by)
        if found:
            result[child_id] = found
    return result


# -- status over time ----------------------------------------------------------------------


def _birthday(born: date, years: int) -> date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # 29 February
        return date(born.year + years, 3, 1)


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class _Timeline:
    """Open and closed periods per strand."""

    def __init__(self) -> None:
        self.periods: list[StatusPeriod] = []
        self.open: dict[Strand, StatusPeriod] = {}

    def start(
        self, strand: Strand, status: str, label: str, day: date, event_id: str | None
    ) -> None:
        self.end(strand, day)
        self.open[strand] = StatusPeriod(
            strand=strand, status=status, label=label, start=day, end=None, event_id=event_id
        )

    def end(self, strand: Strand, day: date) -> None:
        period = self.open.pop(strand, None)
        if period is not None:
            self.periods.append(period.model_copy(update={"end": day}))

    def status(self, strand: Strand) -> StatusPeriod | None:
        return self.open.get(strand)

    def all(self) -> list[StatusPeriod]:
        every = [*self.periods, *self.open.values()]
        order = list(Strand)
        return sorted(every, key=lambda p: (p.start, order.index(p.strand)))


def _care_leaver_periods(
    born: date | None, looked_after: list[StatusPeriod], today: date
) -> list[StatusPeriod]:
    """Eligible, relevant and former relevant stretches, worked out from age and care history.

    Counting: days looked after (short breaks V3/V4 excluded) since the 14th birthday.
    Eligible: aged 16 or 17, looked after, with 13 weeks counted. Relevant: aged 16 or 17,
    no longer looked after, having been eligible. Former relevant: aged 18 to 25, having
    been eligible or relevant. Periods are worked out up to ``today``.
    """
    if born is None:
        return []
    at14, at16, at18, at25 = (_birthday(born, n) for n in (14, 16, 18, 25))
    spans = [
        (max(p.start, at14), min(p.end or today, today))
        for p in looked_after
        if p.status not in {s.value for s in SHORT_BREAKS}
    ]
    spans = [(a, b) for a, b in spans if a < b]
    counted, reached = 0, None
    for a, b in spans:
        if counted + (b - a).days >= COUNTING_DAYS:
            reached = a + timedelta(days=COUNTING_DAYS - counted)
            break
        counted += (b - a).days
    if reached is None:
        return []
    result: list[StatusPeriod] = []
    eligible: list[tuple[date, date]] = []
    for p in looked_after:
        a = max(p.start, at16, reached)
        b = min(p.end or at18, at18)
        if a < b and a <= today:
            eligible.append((a, b))
    for a, b in eligible:
        result.append(
            StatusPeriod(
                strand=Strand.CARE_LEAVER,
                status=CareLeaverCategory.ELIGIBLE.value,
                label="eligible child (looked after, 16 or 17, 13 weeks since 14)",
                start=a,
                end=b if b <= today else None,
                event_id=None,
            )
        )
    if not eligible:
        return []
    # gaps out of care between the first eligible day and the 18th birthday: relevant
    cursor = eligible[0][0]
    for p in looked_after:
        if p.end is None or p.end < cursor or p.end >= at18:
            continue
        following = [q.start for q in looked_after if q.start > p.end]
        stop = min([*following, at18])
        if p.end < stop and p.end <= today:
            result.append(
                StatusPeriod(
                    strand=Strand.CARE_LEAVER,
                    status=CareLeaverCategory.RELEVANT.value,
                    label="relevant child (left care at 16 or 17 after being eligible)",
                    start=p.end,
                    end=stop if stop <= today else None,
                    event_id=None,
                )
            )
    if at18 <= today:
        result.append(
            StatusPeriod(
                strand=Strand.CARE_LEAVER,
                status=CareLeaverCategory.FORMER_RELEVANT.value,
                label="former relevant child (18 to 25, was eligible or relevant)",
                start=at18,
                end=at25 if at25 <= today else None,
                event_id=None,
            )
        )
    return result


def _expiry(order: OrderInForce) -> date | None:
    if order.expires_on is not None:
        return order.expires_on
    length = DEFAULT_ORDER_LENGTH.get(order.order)
    return order.made_on + length if length is not None else None


def _in_force(order: OrderInForce, today: date) -> bool:
    expiry = _expiry(order)
    return expiry is None or expiry >= today


def legal_status(
    events: Iterable[RecordedEvent],
    *,
    at: datetime | date,
    as_known_at: datetime | None = None,
) -> LegalStatusView:
    """One child's status timeline, current status, placements and 903 episodes at ``at``.

    ``at`` bounds what had happened (a date means the end of that London day) and, unless
    ``as_known_at`` is given, also what had been recorded.
    """
    moment = _moment(at)
    known_at = as_known_at if as_known_at is not None else moment
    items = effective_history(events, as_known_at=known_at, occurred_by=moment)
    fold = fold_status(items)
    today = moment.astimezone(LONDON).date()
    timeline = _timeline(fold, today)
    warnings = list(fold.warnings)
    found_episodes = _derive_episodes(items, warnings) if items else []
    return LegalStatusView(
        child_id=fold.child_id,
        current=_current_of(fold, moment, as_known_at, today, timeline),
        timeline=timeline,
        placements=list(fold.placements),
        episodes=found_episodes,
        warnings=warnings,
    )


@dataclass(frozen=True)
class StatusFold:
    """What the status reads from the events alone; the day is applied after
    (:func:`current_status`): age, care-leaver stretches and orders in force read it."""

    child_id: str
    born: date | None
    expected: date | None
    closed: tuple[StatusPeriod, ...]
    open: tuple[StatusPeriod, ...]
    looked_after: tuple[StatusPeriod, ...]  # consecutive legal statuses merged
    orders: tuple[OrderInForce, ...]
    placement: Placement | None
    placements: tuple[Placement, ...]
    legal_basis: str | None
    adopted_on: date | None
    warnings: tuple[str, ...]

    def changes_after(self, today: date) -> date | None:
        """The first day after ``today`` whose :func:`current_status` may differ from
        ``today``'s (None: none does). It reads the day only through the date of birth and
        birthdays, each order's expiry and, for a child looked after, the care-leaver
        stretches from the 14th birthday on (judged afresh every day then). Every other
        period starts on the day of an event that has happened, so on or before ``today``."""
        found: list[date] = []
        for order in self.orders:
            expiry = _expiry(order)
            if expiry is not None and expiry >= today:
                found.append(expiry + timedelta(days=1))
        born = self.born
        if born is not None:  # an anniversary of a birth still to come is on or before it
            for year in (today.year, today.year + 1):
                try:
                    birthday = date(year, born.month, born.day)
                except ValueError:  # 29 February: a year older on 1 March
                    birthday = date(year, 3, 1)
                if birthday > today:
                    found.append(birthday)
            if self.adopted_on is None and self.looked_after:
                at14 = _birthday(born, 14)
                found.append(at14 if today < at14 else today + timedelta(days=1))
        return min(found) if found else None


def fold_status(items: Sequence[RecordedEvent]) -> StatusFold:
    """The day-free part of :func:`legal_status` over ``items`` (as effective_history gives)."""
    child_id = items[0].child_id if items else ""
    warnings: list[str] = []
    line = _Timeline()
    born: date | None = None
    expected: date | None = None
    orders: dict[OrderKind, OrderInForce] = {}
    placement: Placement | None = None
    placement_list: list[Placement] = []
    legal_basis: str | None = None
    adopted_on: date | None = None
    types = {
        e.event.placement_id: e.event.placement_type
        for e in items
        if isinstance(e.event, PlacementStarted)
    }

    for item in items:
        event: CaseEvent = item.event
        day = event.occurred_date
        eid = item.event_id
        if isinstance(event, ChildRegistered):
            born, expected = event.date_of_birth, event.expected_date_of_birth
        elif isinstance(event, ChildBorn):
            born, expected = event.date_of_birth, None
        elif isinstance(event, ChildInNeedPlanAgreed):
            line.start(Strand.CHILD_IN_NEED, "s17", "child in need plan (s17)", day, eid)
        elif isinstance(event, ChildInNeedPlanEnded):
            line.end(Strand.CHILD_IN_NEED, day)
        elif isinstance(event, ChildProtectionPlanStarted | ChildProtectionCategoryChanged):
            category = event.category_of_abuse
            line.start(
                Strand.CHILD_PROTECTION,
                category.value,
                f"child protection plan: {CP_CATEGORY_LABELS[category]}",
                day,
                eid,
            )
        elif isinstance(event, ChildProtectionPlanEnded):
            line.end(Strand.CHILD_PROTECTION, day)
        elif isinstance(event, BecameLookedAfter | LegalStatusChanged):
            if isinstance(event, BecameLookedAfter):
                legal_basis = event.legal_basis
            elif line.status(Strand.LOOKED_AFTER) is None:
                continue
            status = event.legal_status
            line.start(
                Strand.LOOKED_AFTER,
                status.value,
                f"looked after: {LEGAL_STATUS_LABELS[status]}",
                day,
                eid,
            )
        elif isinstance(event, CeasedToBeLookedAfter):
            line.end(Strand.LOOKED_AFTER, day)
            line.end(Strand.PLACED_FOR_ADOPTION, day)
            if placement is not None:
                placement = None
            legal_basis = None
        elif isinstance(event, PlacementStarted):
            placement = _placement(item, event)
            placement_list.append(placement)
            if event.placement_type in ADOPTIVE_PLACEMENTS and not line.status(
                Strand.PLACED_FOR_ADOPTION
            ):
                line.start(
                    Strand.PLACED_FOR_ADOPTION,
                    event.placement_type.value,
                    "placed for adoption",
                    day,
                    eid,
                )
        elif isinstance(event, PlacementEnded):
            if placement is not None and placement.placement_id == event.placement_id:
                placement = None
        elif isinstance(event, PlacedForAdoption):
            if OrderKind.PLACEMENT_ORDER not in orders:
                warnings.append(
                    f"{day.isoformat()}: placed for adoption with no placement order recorded "
                    "(consent under ACA 2002 s19?)"
                )
            if not line.status(Strand.PLACED_FOR_ADOPTION):
                started = types.get(event.placement_id or "")
                code = started.value if started else "placed"
                line.start(Strand.PLACED_FOR_ADOPTION, code, "placed for adoption", day, eid)
        elif isinstance(event, AdoptionPlacementCeased):
            line.end(Strand.PLACED_FOR_ADOPTION, event.ceased_on or day)
        elif isinstance(event, LetterBeforeProceedingsSent | PreProceedingsMeetingHeld):
            stage_now = line.status(Strand.PROCEEDINGS)
            if stage_now is None or stage_now.status == ProceedingsStage.FINAL_ORDER.value:
                line.start(
                    Strand.PROCEEDINGS,
                    ProceedingsStage.PRE_PROCEEDINGS.value,
                    "pre-proceedings (PLO)",
                    day,
                    eid,
                )
        elif isinstance(event, ApplicationIssued):
            line.start(
                Strand.PROCEEDINGS,
                ProceedingsStage.ISSUED.value,
                f"proceedings issued: {event.order_sought.value.replace('_', ' ')} sought",
                day,
                eid,
            )
        elif isinstance(event, OrderMade):
            for gone in ORDER_DISCHARGES.get(event.order, frozenset()):
                orders.pop(gone, None)
            if event.order is not OrderKind.DISCHARGE_OF_CARE_ORDER:
                orders[event.order] = OrderInForce(
                    order=event.order,
                    made_on=day,
                    expires_on=event.expires_on,
                    court=event.court,
                    event_id=eid,
                )
            stage = line.status(Strand.PROCEEDINGS)
            if event.order in INTERIM_ORDERS:
                if stage is None or stage.status != ProceedingsStage.INTERIM_ORDER.value:
                    line.start(
                        Strand.PROCEEDINGS,
                        ProceedingsStage.INTERIM_ORDER.value,
                        f"interim order: {event.order.value.replace('_', ' ')}",
                        day,
                        eid,
                    )
            elif event.order in FINAL_ORDERS:
                line.start(
                    Strand.PROCEEDINGS,
                    ProceedingsStage.FINAL_ORDER.value,
                    f"final order: {event.order.value.replace('_', ' ')}",
                    day,
                    eid,
                )
            if event.order is OrderKind.ADOPTION_ORDER:
                adopted_on = day
                line.end(Strand.PLACED_FOR_ADOPTION, day)
                line.end(Strand.CHILD_PROTECTION, day)
                line.end(Strand.CHILD_IN_NEED, day)
                line.start(Strand.ADOPTED, "adopted", "adopted (adoption order)", day, eid)
    looked_after_periods = [p for p in line.all() if p.strand is Strand.LOOKED_AFTER]
    merged: list[StatusPeriod] = []
    for p in looked_after_periods:  # consecutive legal statuses make one period of care
        if merged and merged[-1].end == p.start:
            merged[-1] = merged[-1].model_copy(update={"end": p.end})
        else:
            merged.append(p)
    plist = placements(items)
    if placement is not None:
        placement = next((p for p in plist if p.placement_id == placement.placement_id), placement)
    return StatusFold(
        child_id=child_id,
        born=born,
        expected=expected,
        closed=tuple(line.periods),
        open=tuple(line.open.values()),
        looked_after=tuple(merged),
        orders=tuple(orders.values()),
        placement=placement,
        placements=tuple(plist),
        legal_basis=legal_basis,
        adopted_on=adopted_on,
        warnings=tuple(warnings),
    )


def _timeline(fold: StatusFold, today: date) -> list[StatusPeriod]:
    leaver = (
        _care_leaver_periods(fold.born, list(fold.looked_after), today)
        if fold.adopted_on is None
        else []
    )
    every = [*fold.closed, *leaver, *fold.open]
    order = list(Strand)
    return sorted(every, key=lambda p: (p.start, order.index(p.strand)))


def _current_of(
    fold: StatusFold,
    moment: datetime,
    as_known_at: datetime | None,
    today: date,
    timeline: list[StatusPeriod],
) -> CurrentStatus:
    return _current(
        child_id=fold.child_id,
        moment=moment,
        as_known_at=as_known_at,
        born=fold.born,
        expected=fold.expected,
        today=today,
        timeline=timeline,
        placement=fold.placement,
        legal_basis=fold.legal_basis,
        orders=[o for o in fold.orders if _in_force(o, today)],
        adopted_on=fold.adopted_on,
    )


def current_status(
    fold: StatusFold, at: datetime | date, as_known_at: datetime | None = None
) -> CurrentStatus:
    """``legal_status(events, at=at, as_known_at=...).current`` from the events' fold."""
    moment = _moment(at)
    today = moment.astimezone(LONDON).date()
    return _current_of(fold, moment, as_known_at, today, _timeline(fold, today))


def _current(
    *,
    child_id: str,
    moment: datetime,
    as_known_at: datetime | None,
    born: date | None,
    expected: date | None,
    today: date,
    timeline: list[StatusPeriod],
    placement: Placement | None,
    legal_basis: str | None,
    orders: list[OrderInForce],
    adopted_on: date | None,
) -> CurrentStatus:
    now = {p.strand: p for p in timeline if p.end is None and p.start <= today}
    cp_periods = [p for p in timeline if p.strand is Strand.CHILD_PROTECTION]
    cp = now.get(Strand.CHILD_PROTECTION)
    cp_since = None
    if cp is not None:  # the plan began at the first of its unbroken run of categories
        cp_since = cp.start
        for p in reversed(cp_periods):
            if p.end == cp_since:
                cp_since = p.start
    la = now.get(Strand.LOOKED_AFTER)
    la_since = None
    if la is not None:
        la_since = la.start
        for p in reversed([p for p in timeline if p.strand is Strand.LOOKED_AFTER]):
            if p.end == la_since:
                la_since = p.start
    cin = now.get(Strand.CHILD_IN_NEED)
    proceedings = now.get(Strand.PROCEEDINGS)
    pfa = now.get(Strand.PLACED_FOR_ADOPTION)
    leaver = now.get(Strand.CARE_LEAVER)
    summary: list[str] = []
    for strand in Strand:
        period = now.get(strand)
        if period is not None:
            summary.append(f"{period.label} since {period.start.isoformat()}")
    if placement is not None:
        summary.append(
            f"placement {placement.placement_id}: {placement.placement_type.value}, "
            f"provider {placement.provider}, since {placement.start.isoformat()}"
        )
    return CurrentStatus(
        child_id=child_id,
        at=moment,
        as_known_at=as_known_at,
        date_of_birth=born,
        expected_date_of_birth=expected,
        age_years=_age(born, today) if born is not None and born <= today else None,
        child_in_need_plan_since=cin.start if cin else None,
        cp_plan_since=cp_since,
        cp_category=ChildProtectionCategory(cp.status) if cp else None,
        cp_category_since=cp.start if cp else None,
        looked_after_since=la_since,
        legal_status=LegalStatus(la.status) if la else None,
        legal_status_since=la.start if la else None,
        legal_basis=legal_basis if la else None,
        placement=placement if la else None,
        proceedings_stage=ProceedingsStage(proceedings.status) if proceedings else None,
        proceedings_stage_since=proceedings.start if proceedings else None,
        orders_in_force=sorted(orders, key=lambda o: (o.made_on, o.order.value)),
        placed_for_adoption_since=pfa.start if pfa else None,
        adopted_on=adopted_on,
        care_leaver=CareLeaverCategory(leaver.status) if leaver else None,
        summary=summary,
    )


def status_at(
    events: Iterable[RecordedEvent],
    at: datetime | date,
    *,
    as_known_at: datetime | None = None,
) -> CurrentStatus:
    """The child's status at ``at`` (as the record stood then unless ``as_known_at``)."""
    return legal_status(events, at=at, as_known_at=as_known_at).current
