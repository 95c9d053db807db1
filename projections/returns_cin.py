"""The children in need census, derived from a child's events alone (pure, no I/O).

:func:`cin_child` folds one child's recorded events (corrections applied, entries
recorded in error left out, events after the census reference date ignored) into the
census's shape for one collection year: identifiers, characteristics and the CIN
episodes (``CINdetails``) open at any time in the year, each with its assessments, CIN
plan dates, section 47 enquiries and child protection plans (with their reviews).

The year is the collection year's end: ``year=2026`` is 1 April 2025 to 31 March 2026
(reference date 31 March 2026).

How events map to the census:

- a referral opens an episode (``CINreferralDate``, ``ReferralSource``, ``PrimaryNeedCode``)
  unless one is already open (a re-referral then belongs to the open episode);
- a referral decision of no further action / early help on an episode with no other
  work closes it as a referral with no further action (``ReferralNFA`` 1, closure reason
  RC7 unless a case closure says otherwise: RC8/RC9 mean closed after an assessment);
- ``case_closed`` closes the open episode (``CINclosureDate``, ``ReasonForClosure``);
- assessments: started / completed (factors, primary need) / authorised; a completed
  assessment with no factors reports code 21 (no factors identified);
- a section 47 enquiry's ``InitialCPCtarget`` is 15 working days after it started; it
  has ``DateOfInitialCPC`` if an initial conference followed it, else ``ICPCnotRequired``
  once it concluded without one. An initial conference with no enquiry in the episode
  is reported on the episode (``DateOfInitialCPC`` on CINdetails);
- child protection plans: start, end, initial and latest category, the number of plans
  before it, and review conference dates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from domain.codes import ClosureReason, Disability, Section47Outcome, Sex
from domain.envelope import RecordedEvent
from domain.events.base import CaseEvent
from domain.events.child_in_need import ChildInNeedPlanAgreed, ChildInNeedPlanEnded
from domain.events.front_door import ReferralDecision, ReferralOutcome, ReferralReceived
from domain.events.management import CaseClosed
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
from policies.calendar import WorkingDayCalendar
from projections.legal_status import effective_history

ICPC_TARGET_WORKING_DAYS = 15
NO_FACTORS = "21"
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]")


def census_period(year: int) -> tuple[date, date]:
    """(first day, reference date) of the collection year ending 31 March ``year``."""
    if not 2000 <= year <= 2100:
        raise ValueError(f"--year {year}: give the collection year's end, e.g. 2026")
    return date(year - 1, 4, 1), date(year, 3, 31)


def la_child_id(child_id: str) -> str:
    """The census LAchildID: the child id without '-' or '_' (rules 1570, 1580)."""
    value = _NOT_ALNUM.sub("", child_id)
    if not value or len(value) > 20:
        raise ValueError(
            f"child {child_id!r}: its census LAchildID {value!r} must be 1-20 letters or digits "
            "(CIN rules 1570 and 1580)"
        )
    return value


@dataclass
class Assessment:
    start: date
    authorised: date | None = None
    completed: bool = False
    factors: list[str] = field(default_factory=list)


@dataclass
class CinPlan:
    start: date
    end: date | None = None


@dataclass
class Section47:
    start: date
    target: date
    icpc: date | None = None
    icpc_not_required: bool = False
    concluded: bool = False


@dataclass
class ProtectionPlan:
    start: date
    initial_category: str
    latest_category: str
    previous_plans: int
    end: date | None = None
    reviews: list[date] = field(default_factory=list)


@dataclass
class CinEpisode:
    referral_date: date
    referral_source: str
    primary_need: str | None
    closure_date: date | None = None
    closure_reason: str | None = None
    initial_cpc: date | None = None
    referral_nfa: bool = False
    assessments: list[Assessment] = field(default_factory=list)
    plans: list[CinPlan] = field(default_factory=list)
    section47s: list[Section47] = field(default_factory=list)
    protection_plans: list[ProtectionPlan] = field(default_factory=list)

    @property
    def has_work(self) -> bool:
        return bool(self.assessments or self.plans or self.section47s or self.protection_plans)


@dataclass
class CinChild:
    child_id: str
    la_child_id: str
    upn: str | None
    upn_unknown: str | None
    birth_date: date | None
    expected_birth_date: date | None
    sex: str
    death_date: date | None
    ethnicity: str
    disabilities: list[str]
    episodes: list[CinEpisode]


@dataclass
class _Fold:
    registered: ChildRegistered | None = None
    born: ChildBorn | None = None
    episodes: list[CinEpisode] = field(default_factory=list)
    plans_started: int = 0

    @property
    def open(self) -> CinEpisode | None:
        last = self.episodes[-1] if self.episodes else None
        return last if last is not None and last.closure_date is None else None


def _open_episode(state: _Fold, event: ReferralReceived) -> None:
    state.episodes.append(
        CinEpisode(
            referral_date=event.occurred_date,
            referral_source=event.referral_source.value,
            primary_need=event.primary_need.value if event.primary_need else None,
        )
    )


def _fold(items: Iterable[RecordedEvent], calendar: WorkingDayCalendar) -> _Fold:  # noqa: C901
    """The child's census facts. The census works by dates: work on the day of a referral
    belongs to the episode that referral opens, even when the clock puts it minutes earlier
    (an assessment started at 09:30 on a referral taken at 10:00)."""
    state = _Fold()
    items = list(items)
    referrals: dict[date, list[str]] = {}
    for item in items:
        if isinstance(item.event, ReferralReceived):
            referrals.setdefault(item.event.occurred_date, []).append(item.event_id)
    opened_early: set[str] = set()
    by_id = {item.event_id: item for item in items}
    for item in items:
        event: CaseEvent = item.event
        day = event.occurred_date
        if item.event_id in opened_early:
            continue  # its episode was opened by the same day's earlier work
        if (
            state.open is None
            and not isinstance(event, ReferralReceived | ChildRegistered | ChildBorn)
            and referrals.get(day)
        ):
            first = referrals[day].pop(0)
            opened_early.add(first)
            referral = by_id[first].event
            assert isinstance(referral, ReferralReceived)
            _open_episode(state, referral)
        if isinstance(event, ReferralReceived) and item.event_id in referrals.get(day, []):
            referrals[day].remove(item.event_id)
        if isinstance(event, ChildRegistered):
            state.registered = event
            continue
        if isinstance(event, ChildBorn):
            state.born = event
            continue
        if isinstance(event, ChildProtectionPlanStarted):
            state.plans_started += 1  # counts plans outside reported episodes too
        episode = state.open
        if isinstance(event, ReferralReceived):
            if episode is None:
                _open_episode(state, event)
            elif episode.primary_need is None and event.primary_need is not None:
                episode.primary_need = event.primary_need.value
            continue
        if episode is None:
            continue  # work outside a referred episode is not census activity
        if isinstance(event, ReferralDecision):
            nfa = event.outcome in (ReferralOutcome.NO_FURTHER_ACTION, ReferralOutcome.EARLY_HELP)
            if nfa and not episode.has_work and episode.initial_cpc is None:
                episode.referral_nfa = True
                episode.closure_date = day
                # RC8/RC9 mean "closed after assessment" (query 8825Q): not for a referral
                episode.closure_reason = ClosureReason.SERVICES_CEASED_OTHER.value
        elif isinstance(event, CaseClosed):
            episode.closure_date = day
            episode.closure_reason = event.reason.value
        elif isinstance(event, AssessmentStarted):
            episode.assessments.append(Assessment(start=day))
        elif isinstance(event, AssessmentCompleted):
            if episode.assessments:
                current = episode.assessments[-1]
                current.completed = True
                current.factors = list(dict.fromkeys(f.value for f in event.factors))
            if event.primary_need is not None:
                episode.primary_need = event.primary_need.value
        elif isinstance(event, AssessmentAuthorised):
            if episode.assessments:
                current = episode.assessments[-1]
                current.authorised = day
                current.completed = True
        elif isinstance(event, ChildInNeedPlanAgreed):
            episode.plans.append(CinPlan(start=day))
        elif isinstance(event, ChildInNeedPlanEnded):
            if episode.plans and episode.plans[-1].end is None:
                episode.plans[-1].end = day
        elif isinstance(event, Section47Started):
            target = calendar.add_working_days(day, ICPC_TARGET_WORKING_DAYS)
            episode.section47s.append(Section47(start=day, target=target))
        elif isinstance(event, Section47Concluded):
            open_s47 = [s for s in episode.section47s if not s.concluded]
            if open_s47:
                enquiry = open_s47[-1]
                enquiry.concluded = True
                enquiry.icpc_not_required = event.outcome is not Section47Outcome.INITIAL_CONFERENCE
        elif isinstance(event, InitialChildProtectionConferenceHeld):
            awaiting = [s for s in episode.section47s if s.icpc is None and not s.icpc_not_required]
            if awaiting:
                awaiting[-1].icpc = day
                awaiting[-1].concluded = True
            elif episode.initial_cpc is None:
                episode.initial_cpc = day
        elif isinstance(event, ChildProtectionPlanStarted):
            episode.protection_plans.append(
                ProtectionPlan(
                    start=day,
                    initial_category=event.category_of_abuse.value,
                    latest_category=event.category_of_abuse.value,
                    previous_plans=state.plans_started - 1,
                )
            )
        elif isinstance(event, ChildProtectionCategoryChanged):
            if episode.protection_plans:
                episode.protection_plans[-1].latest_category = event.category_of_abuse.value
        elif isinstance(event, ReviewChildProtectionConferenceHeld):
            plan = episode.protection_plans[-1] if episode.protection_plans else None
            if plan is not None and plan.end is None and day > plan.start:
                plan.reviews.append(day)
        elif isinstance(event, ChildProtectionPlanEnded):
            if episode.protection_plans and episode.protection_plans[-1].end is None:
                episode.protection_plans[-1].end = day
    return state


def _overlaps(start: date, end: date | None, first: date, last: date) -> bool:
    return start <= last and (end is None or end >= first)


def _in(day: date | None, first: date, last: date) -> bool:
    return day is not None and first <= day <= last


def _for_year(episode: CinEpisode, first: date, last: date) -> CinEpisode:
    """The episode with only the modules the census year reports."""
    assessments = []
    for a in episode.assessments:
        if _in(a.authorised, first, last) or (a.authorised is None and a.start >= first):
            # factors belong to an authorised assessment only (rule 8614); none found is 21
            factors = (a.factors or [NO_FACTORS]) if a.authorised else []
            assessments.append(Assessment(a.start, a.authorised, a.completed, factors))
    section47s = [s for s in episode.section47s if s.start >= first or _in(s.icpc, first, last)]
    plans = []
    for p in episode.protection_plans:
        if _overlaps(p.start, p.end, first, last):
            reviews = [r for r in p.reviews if first <= r <= last]
            plans.append(
                ProtectionPlan(
                    p.start, p.initial_category, p.latest_category, p.previous_plans, p.end, reviews
                )
            )
    return CinEpisode(
        referral_date=episode.referral_date,
        referral_source=episode.referral_source,
        primary_need=episode.primary_need,
        closure_date=episode.closure_date,
        closure_reason=episode.closure_reason,
        initial_cpc=episode.initial_cpc if _in(episode.initial_cpc, first, last) else None,
        referral_nfa=episode.referral_nfa,
        assessments=assessments,
        plans=[c for c in episode.plans if _overlaps(c.start, c.end, first, last)],
        section47s=section47s,
        protection_plans=plans,
    )


def _upn_unknown(
    upn: str | None, born: date | None, episodes: list[CinEpisode], reference: date
) -> str | None:
    if upn:
        return None
    if born is None:
        return "UN6"  # unborn
    if all(e.referral_nfa for e in episodes):
        return "UN7"  # referral with no further action
    if born > date(reference.year - 6, 8, 31):
        return "UN1"  # not of school age by the coming September (rule 8770Q's test)
    return "UN4"  # UPN not yet obtained


def cin_child(
    events: Iterable[RecordedEvent], year: int, calendar: WorkingDayCalendar | None = None
) -> CinChild | None:
    """The census record of ONE child for the collection year, or None if not in it."""
    first, last = census_period(year)
    items = effective_history(events, occurred_by=last)
    # by day, then as written: a dated entry (midnight) must not jump ahead of a timed
    # referral made earlier the same day
    items.sort(key=lambda e: (e.event.occurred_date, e.position))
    if not items:
        return None
    state = _fold(items, calendar or WorkingDayCalendar())
    registered = state.registered
    if registered is None:
        return None
    episodes = [
        _for_year(e, first, last)
        for e in state.episodes
        if _overlaps(e.referral_date, e.closure_date, first, last)
    ]
    if not episodes:
        return None
    born = state.born.date_of_birth if state.born else registered.date_of_birth
    sex = state.born.sex if state.born else registered.sex
    if born is None:
        sex = Sex.UNKNOWN  # rule 8750: an unborn child's sex is U
    disabilities = [d.upper() for d in registered.disabilities]
    disabilities = [d for d in dict.fromkeys(disabilities) if d != Disability.NONE.value]
    return CinChild(
        child_id=registered.child_id,
        la_child_id=la_child_id(registered.child_id),
        upn=registered.upn,
        upn_unknown=_upn_unknown(registered.upn, born, episodes, last),
        birth_date=born,
        expected_birth_date=registered.expected_date_of_birth if born is None else None,
        sex=sex.value,
        death_date=None,
        ethnicity=registered.ethnicity.value,
        disabilities=disabilities or [Disability.NONE.value],
        episodes=episodes,
    )


def cin_children(
    events: Iterable[RecordedEvent], year: int, calendar: WorkingDayCalendar | None = None
) -> list[CinChild]:
    """Census records for every child in a log that belongs in the year, by child id."""
    grouped: dict[str, list[RecordedEvent]] = {}
    for item in events:
        grouped.setdefault(item.child_id, []).append(item)
    cal = calendar or WorkingDayCalendar()
    found = (cin_child(grouped[c], year, cal) for c in sorted(grouped))
    return [child for child in found if child is not None]
