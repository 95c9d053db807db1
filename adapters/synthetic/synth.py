"""A synthetic local authority: deterministic children's journeys, loaded through the store.

``generate(children, seed)`` yields one :class:`Journey` per child: the case events of a
realistic path through children's social care (contact and referral, assessment, child in
need, child protection, looked after with placements and proceedings, adoption, special
guardianship, return home, leaving care), each with the moment a worker wrote it down.
The same ``(children, seed)`` always gives the same journeys, event for event.

``load(store, children, seed)`` writes them through the store's import path
(:meth:`EventStore.import_batch`: the product's own checks with one recorded-at per event,
never straight into tables): events are merged across children in write-up order (four write-up
slots a working day) and written in batches of about 2,000, each event keeping its slot as
its recorded-at, so ``recorded_at`` is realistic — most entries the same day, some written
up days late. Correction entries point at the event ids the store assigned.

Everything is fictional: names are built from syllables, NHS numbers come from the
999-prefixed test range, UPNs carry a valid check letter but a made-up school number.

Rules every journey keeps (those of ``domain/child_record.py``): registration first; nothing
recorded before it happened; plans end after they start; one placement at a time; legal
statuses C1/C2/E1/L1/L2 only once the order is made; corrections target earlier, non-
correction entries of the same child. Stateful entries are written up in the order they
happened; only visits, notes and meetings are ever written up late, so a late entry can
never make the record's state inconsistent.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from adapters.gc_tuning import IMPORT_THRESHOLDS, replay_gc
from adapters.logging import get_logger
from adapters.synthetic.synth_impact import impact_note
from adapters.synthetic.synth_sharing import Sharing
from domain.codes import (
    AssessmentFactor,
    ChildProtectionCategory,
    ClosureReason,
    Ethnicity,
    LegalStatus,
    OrderKind,
    PlacementType,
    PrimaryNeed,
    ReasonEpisodeCeased,
    ReasonPlacementChange,
    ReferralSource,
    ReviewParticipation,
    Section47Outcome,
    Sex,
)
from domain.events import CaseEvent
from domain.events import adoption as ad
from domain.events import child_in_need as cin
from domain.events import corrections as corr
from domain.events import direct_work as dw
from domain.events import front_door as fd
from domain.events import leaving_care as lc
from domain.events import looked_after as la
from domain.events import management as mg
from domain.events import people as pp
from domain.events import proceedings as pr
from domain.events import safeguarding as sg
from domain.events.base import LONDON
from domain.identifiers import upn_check_letter
from policies.calendar import WorkingDayCalendar

log = get_logger("caseledger.synth")

POSTCODES: dict[str, tuple[str, ...]] = {
    "893": ("SY4 4NT", "SY12 9AX"),
    "865": ("SN12 6QN", "SN8 2TB"),
    "846": ("BN2 2FS", "BN3 4QN"),
    "816": ("YO1 7AB", "YO1 7AD"),
    "340": ("L32 9RS", "L35 3BP"),
}
"""Real postcodes in each authority (public geography, no person's address): the 903
validator looks HOME_POST and PL_POST up to check distance and LA of placement."""

NO_URN_PLACEMENTS = frozenset(
    {"P1", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z11", "Z12", "Z13", "Z14"}
)
"""903 placement types with no Ofsted URN (rules 218, 222); every other type needs one."""

START = date(2020, 4, 1)
"""The first day of the synthetic history (start of the 2020-21 collection year)."""
END = date(2026, 10, 30)
"""The last day recorded: journeys still running then are open cases."""

AUTHORITIES: tuple[tuple[str, str], ...] = (
    ("shropshire", "893"),
    ("wiltshire", "865"),
    ("sussex", "846"),  # the Sussex procedures pack is Brighton & Hove's
    ("york", "816"),
    ("knowsley", "340"),
)
"""The five rule packs, with the DfE local authority code of each."""

SIZES = {"small": 500, "county": 50_000}

PATH_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("nfa", 0.18),
    ("assessment", 0.24),
    ("cin", 0.22),
    ("cp", 0.17),
    ("lac", 0.19),
)

SLOTS = (time(10, 30), time(13, 0), time(16, 0), time(18, 30))
"""Write-up moments in a working day (London): each is one ``record`` call when loading."""

STATEFUL_KINDS = frozenset(
    {
        pp.ChildRegistered,
        pp.ChildBorn,
        pp.PersonAdded,
        pp.RelationshipRecorded,
        pp.RelationshipEnded,
        sg.ChildProtectionPlanStarted,
        sg.ChildProtectionCategoryChanged,
        sg.ChildProtectionPlanEnded,
        cin.ChildInNeedPlanAgreed,
        cin.ChildInNeedPlanEnded,
        sg.Section47Started,
        sg.Section47Concluded,
        sg.AssessmentStarted,
        sg.AssessmentCompleted,
        sg.AssessmentExtended,
        sg.AssessmentAuthorised,
        pr.OrderMade,
        la.BecameLookedAfter,
        la.LegalStatusChanged,
        la.CeasedToBeLookedAfter,
        la.PlacementStarted,
        la.PlacementEnded,
        la.MissingEpisodeStarted,
        la.MissingEpisodeEnded,
        ad.PlacedForAdoption,
        mg.CaseClosed,
    }
)
"""Entries the record's invariants read: written up in the order they are added, promptly."""

LATE_KINDS = frozenset(
    {
        dw.ChildVisited,
        dw.WishesAndFeelingsRecorded,
        mg.CaseNoteRecorded,
        mg.SupervisionHeld,
        sg.CoreGroupHeld,
        cin.ChildInNeedMeetingHeld,
        la.IroContact,
        la.PepMeetingHeld,
        la.HealthAssessmentCompleted,
        la.ReturnInterviewHeld,
        lc.CareLeaverContact,
        lc.PathwayPlanReviewed,
    }
)
"""Entries that are sometimes written up days late (10%); they carry no invariant."""

_SYLLABLES_FIRST = (
    "ka", "lo", "mi", "ren", "tor", "vy", "sa", "bel", "dor", "an", "el", "is", "ju", "na",
    "ro", "fen", "qui", "tam", "zor", "lin", "mar", "pe", "ty", "os",
)  # fmt: skip
_SYLLABLES_LAST = (
    "brack", "wen", "hol", "mer", "stow", "ley", "dun", "fard", "orth", "vale", "cott", "rin",
    "gate", "by", "thorn", "ash", "mire", "lock",
)  # fmt: skip

WORKER_ROLES = ("social_worker", "team_manager", "business_support", "iro", "personal_adviser")


# -- what the generator yields ---------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """One entry of a journey: the event and the moment a worker wrote it down (UTC).

    A correction's ``target_event_id`` holds a placeholder ``@<key>`` naming the entry it
    points at; the loader puts the real event id (assigned by the store) there.
    """

    key: str
    recorded_at: datetime
    event: CaseEvent
    target_key: str | None = None


@dataclass
class Journey:
    """One child's entries in the order they are written down."""

    child_id: str
    family_id: str
    path: str
    authority: str
    steps: list[Planned]

    @property
    def opened(self) -> datetime:
        """When the first entry happened (no entry of this child is written before it)."""
        return self.steps[0].event.occurred_instant


# -- small helpers -------------------------------------------------------------------------


def _name(rng: random.Random, parts: tuple[str, ...], low: int, high: int) -> str:
    return "".join(rng.choice(parts) for _ in range(rng.randint(low, high))).capitalize()


def first_name(rng: random.Random) -> str:
    return _name(rng, _SYLLABLES_FIRST, 2, 3)


def last_name(rng: random.Random) -> str:
    return _name(rng, _SYLLABLES_LAST, 2, 2)


def nhs_number(rng: random.Random) -> str:
    """A 10-digit NHS number from the 999 test range with a valid modulus-11 check digit."""
    while True:
        body = "999" + "".join(str(rng.randint(0, 9)) for _ in range(6))
        total = sum(int(d) * w for d, w in zip(body, range(10, 1, -1), strict=True))
        check = 11 - total % 11
        if check == 11:
            check = 0
        if check != 10:
            return body + str(check)


def upn(rng: random.Random, la_code: str, year: int) -> str:
    """A unique pupil number: check letter, LA code, a fictional school, year, serial."""
    body = f"{la_code}{rng.randint(2000, 2999):04d}{year % 100:02d}{rng.randint(0, 999):03d}"
    return upn_check_letter(body) + body


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


_CALENDAR = WorkingDayCalendar()


def _working_day(day: date) -> date:
    """The day, or the next working day (England and Wales: no weekend, no bank holiday).

    A child protection conference is held on a working day: a pre-birth conference dated
    by the expected birth could otherwise fall on a Saturday (the DfE's 8875).
    """
    while not _CALENDAR.is_working_day(day):
        day += timedelta(days=1)
    return day


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def snap_to_slot(moment: datetime) -> datetime:
    """The first write-up slot (working day, London) at or after ``moment``, in UTC."""
    local = moment.astimezone(LONDON)
    day = local.date()
    while True:
        if day.weekday() < 5:
            for slot in SLOTS:
                candidate = datetime.combine(day, slot, tzinfo=LONDON)
                if candidate >= local:
                    return candidate.astimezone(UTC)
        day += timedelta(days=1)
        local = datetime.combine(day, time(0, 0), tzinfo=LONDON)


def _age_on(dob: date, day: date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def _birthday(dob: date, years: int) -> date:
    try:
        return dob.replace(year=dob.year + years)
    except ValueError:  # 29 February
        return dob.replace(year=dob.year + years, day=28)


# -- one child's journey -------------------------------------------------------------------


@dataclass
class _Staff:
    worker: str
    manager: str
    team: str
    iro: str


class ChildBuilder:
    """Collects one child's entries, giving each a write-up moment that keeps the rules."""

    def __init__(
        self,
        rng: random.Random,
        child_id: str,
        dob: date,
        authority: tuple[str, str],
        staff: _Staff,
    ) -> None:
        self.rng = rng
        self.child_id = child_id
        self.dob = dob
        self.authority = authority
        self.staff = staff
        self.items: list[Planned] = []
        self.stateful_floor: datetime | None = None
        self.opened_at: datetime | None = None
        self.count = 0

    def by(self, role: str = "social_worker") -> dict[str, str]:
        user = {
            "social_worker": self.staff.worker,
            "team_manager": self.staff.manager,
            "iro": self.staff.iro,
        }.get(role, self.staff.worker)
        return {"user_id": user, "role": role}

    def add(
        self,
        cls: type[CaseEvent],
        when: datetime,
        summary: str,
        *,
        as_role: str = "social_worker",
        target_key: str | None = None,
        late: bool | None = None,
        rng: random.Random | None = None,
        **fields: Any,
    ) -> str:
        """Add an entry that happened at ``when``; returns its key (for corrections).

        ``rng`` draws the write-up delay instead of the child's generator (the entries of
        adapters/synthetic/synth_sharing.py use their own, so adding them changes no other entry)."""
        self.count += 1
        key = f"{cls.kind}-{self.count}"
        if "impact_on_child" not in fields and fields.get("significant") is not False:
            note = impact_note(cls, self.child_id, self.count)
            if note is not None:
                fields["impact_on_child"] = note
        event = cls(
            child_id=self.child_id,
            occurred_at=when,
            recorded_by=self.by(as_role),
            summary=summary,
            **fields,
        )
        stateful = cls in STATEFUL_KINDS
        draw = rng or self.rng
        if late is None:
            late = cls in LATE_KINDS and draw.random() < 0.1
        if late:
            delay = timedelta(days=draw.randint(2, 21), hours=draw.randint(0, 6))
        else:
            delay = timedelta(minutes=draw.randint(20, 360))
        recorded = when + delay
        # registration is written first; stateful entries in the order they are added;
        # a correction after the entry it corrects
        floors = [self.stateful_floor if stateful else self.opened_at]
        if target_key is not None:
            target_at = next(i.recorded_at for i in self.items if i.key == target_key)
            floors.append(target_at + timedelta(minutes=1))  # a later write-up slot
        for floor in floors:
            if floor is not None and recorded < floor:
                recorded = floor
        recorded = snap_to_slot(recorded)
        if stateful:
            self.stateful_floor = recorded
        if self.opened_at is None:
            self.opened_at = recorded
        self.items.append(Planned(key, recorded, event, target_key))
        return key

    def journey(self, family_id: str, path: str, end: datetime) -> Journey:
        """The entries written down by ``end``, in write-up order (ties keep entry order)."""
        order = {id(item): n for n, item in enumerate(self.items)}
        kept = [i for i in self.items if i.recorded_at <= end]
        kept.sort(key=lambda i: (i.recorded_at, order[id(i)]))
        return Journey(self.child_id, family_id, path, self.authority[0], kept)


@dataclass
class _FamilyPlan:
    index: int
    seed: int
    opened: datetime
    size: int


class _Family:
    """One family's shared story: siblings share the front door and the conferences."""

    def __init__(self, plan: _FamilyPlan, seed: int, end: date, first_child: int) -> None:
        self.rng = random.Random(plan.seed)
        rng = self.rng
        self.plan = plan
        self.seed = seed
        self.end = end
        self.end_moment = snap_to_slot(_at(end, 18, 0))
        self.family_id = f"FAM-{seed}-{plan.index:06d}"
        self.authority = rng.choice(AUTHORITIES)
        self.surname = last_name(rng)
        self.path = rng.choices([p for p, _ in PATH_WEIGHTS], [w for _, w in PATH_WEIGHTS])[0]
        self.child_ids = [f"SYN-{seed}-{first_child + n:06d}" for n in range(plan.size)]
        n_worker = rng.randint(1, 400)
        self.staff = _Staff(
            worker=f"sw-{self.authority[1]}-{n_worker:03d}",
            manager=f"tm-{self.authority[1]}-{n_worker // 8:03d}",
            team=rng.choice(("Front Door", "Assessment", "Safeguarding", "Children in Care")),
            iro=f"iro-{self.authority[1]}-{rng.randint(1, 30):02d}",
        )

    def children(self) -> list[Journey]:
        rng = self.rng
        opened = self.plan.opened
        path = self.path
        youngest_lac = path == "lac" and rng.random() < 0.45
        dobs: list[date] = []
        for n in range(self.plan.size):
            if youngest_lac:
                age_days = rng.randint(20, 4 * 365)
            elif path == "lac" and rng.random() < 0.35:
                age_days = rng.randint(13 * 365, int(16.5 * 365))
            else:
                age_days = rng.randint(30, 16 * 365)
            if n and rng.random() < 0.15:  # twins
                age_days = (opened.date() - dobs[0]).days
            dobs.append(opened.date() - timedelta(days=age_days))
        unborn = path in ("cp", "cin") and rng.random() < 0.12
        journeys = []
        strategy_id = f"strat-{self.family_id}"
        decisions = self._decisions()
        for n, child_id in enumerate(self.child_ids):
            child_rng = random.Random(f"{self.plan.seed}:{n}")
            builder = ChildBuilder(child_rng, child_id, dobs[n], self.authority, self.staff)
            is_unborn = unborn and n == 0
            _Story(self, builder, n, decisions, strategy_id, is_unborn).tell()
            journeys.append(builder.journey(self.family_id, path, self.end_moment))
        return journeys

    def _decisions(self) -> dict[str, Any]:
        """Choices siblings share: dates of the front door, conference and outcomes."""
        rng = self.rng
        return {
            "source": rng.choice(list(ReferralSource)),
            "need": rng.choice(
                [
                    PrimaryNeed.ABUSE_OR_NEGLECT,
                    PrimaryNeed.ABUSE_OR_NEGLECT,
                    PrimaryNeed.FAMILY_DYSFUNCTION,
                    PrimaryNeed.FAMILY_IN_ACUTE_STRESS,
                    PrimaryNeed.PARENTAL_ILLNESS_DISABILITY,
                    PrimaryNeed.DISABILITY,
                    PrimaryNeed.ABSENT_PARENTING,
                    PrimaryNeed.SOCIALLY_UNACCEPTABLE_BEHAVIOUR,
                    PrimaryNeed.LOW_INCOME,
                ]
            ),
            "cp_category": rng.choice(list(ChildProtectionCategory)),
            "factors": rng.sample(
                [
                    AssessmentFactor.DOMESTIC_ABUSE_PARENT,
                    AssessmentFactor.MENTAL_HEALTH_PARENT,
                    AssessmentFactor.DRUGS_PARENT,
                    AssessmentFactor.ALCOHOL_PARENT,
                    AssessmentFactor.NEGLECT,
                    AssessmentFactor.EMOTIONAL_ABUSE,
                    AssessmentFactor.PHYSICAL_ABUSE,
                    AssessmentFactor.LEARNING_DISABILITY_PARENT,
                    AssessmentFactor.GOING_MISSING,
                    AssessmentFactor.CHILD_CRIMINAL_EXPLOITATION,
                ],
                k=rng.randint(1, 3),
            ),
            "strategy_day": rng.randint(0, 1),
            "plan_months": rng.randint(4, 18),
            "cin_months": rng.randint(3, 12),
            "escalate": rng.random() < 0.2,
            "entry": rng.choices(["s20", "proceedings", "police"], [0.4, 0.45, 0.15])[0],
        }


class _Story:
    """Writes one child's path into a ChildBuilder."""

    def __init__(
        self,
        family: _Family,
        b: ChildBuilder,
        sibling: int,
        shared: dict[str, Any],
        strategy_id: str,
        unborn: bool,
    ) -> None:
        self.f = family
        self.b = b
        self.rng = b.rng
        self.n = sibling
        self.shared = shared
        self.strategy_id = strategy_id
        self.unborn = unborn
        self.end = family.end
        self.la_code = family.authority[1]
        self.visit_keys: list[str] = []
        self.note_keys: list[str] = []
        self.placement_no = 0
        self.placement: str | None = None
        self.placement_type: PlacementType | None = None
        self.missing_no = 0
        self.adoption_placed = self.end
        self.sharing = Sharing(b, family.plan.seed, sibling)
        self.status_changes = 0

    # -- the whole path --------------------------------------------------------------------

    def tell(self) -> None:
        day = self.f.plan.opened.date()
        moment = self._open(self.f.plan.opened)
        path = self.f.path
        if path == "nfa":
            # no assessment, so not RC8/RC9 ("closed after assessment"; CIN query 8825Q)
            self._close(moment + timedelta(hours=2), ClosureReason.SERVICES_CEASED_OTHER)
            return
        strategy = path == "cp" or (path == "lac" and self.shared["entry"] != "s20")
        if strategy:
            moment = self._strategy(moment)
        day = moment.date()
        day, need = self._assessment(day, protect=strategy)
        if path == "assessment":
            reason = self.rng.choice(
                [
                    ClosureReason.CASE_CLOSED_AFTER_ASSESSMENT_NO_FURTHER_ACTION,
                    ClosureReason.CASE_CLOSED_AFTER_ASSESSMENT_REFERRED_TO_EARLY_HELP,
                ]
            )
            self._close(_at(_weekday(day + timedelta(days=3)), 15), reason)
        elif path == "cin":
            day = self._cin(day, self.shared["cin_months"])
            self._close(_at(day, 15), ClosureReason.SERVICES_CEASED_OTHER)
        elif path == "cp":
            day, escalated = self._cp(day)
            if escalated:
                self._looked_after(day, entry="proceedings")
            else:
                day = self._cin(day, self.rng.randint(3, 6))
                self._close(_at(day, 15), ClosureReason.SERVICES_CEASED_OTHER)
        else:
            self._looked_after(day, entry=self.shared["entry"])
        self._corrections()

    # -- front door ------------------------------------------------------------------------

    def _open(self, when: datetime) -> datetime:
        b, rng, f = self.b, self.rng, self.f
        sex = rng.choice([Sex.MALE, Sex.FEMALE])
        fields: dict[str, Any] = {
            "first_name": first_name(rng),
            "last_name": f.surname,
            "sex": sex,
            "ethnicity": rng.choices(
                list(Ethnicity)[:18], [60, 2, 6, 1, 1, 3, 2, 2, 3, 2, 3, 2, 1, 2, 4, 1, 1, 1]
            )[0],
            "case_number": f"{self.la_code}-{b.child_id.rsplit('-', 1)[1]}",
            "family_id": f.family_id,
        }
        if self.unborn:
            expected = when.date() + timedelta(days=rng.randint(40, 150))
            b.dob = expected
            fields["expected_date_of_birth"] = expected
            fields["first_name"] = "Unborn"
            fields["sex"] = Sex.UNKNOWN
        else:
            fields["date_of_birth"] = b.dob
            fields["nhs_number"] = nhs_number(rng)
            if _age_on(b.dob, when.date()) >= 5:
                fields["upn"] = upn(rng, self.la_code, b.dob.year + 5)
            if rng.random() < 0.06:
                fields["disabilities"] = [rng.choice(["MOB", "HAND", "LD", "COMM", "AUT", "BEH"])]
        b.add(pp.ChildRegistered, when, "Record opened at the front door.", **fields)
        b.add(
            mg.AuthorityRecorded,
            when,
            f"Case held by {f.authority[0]}.",
            authority=f.authority[0],
            la_code=self.la_code,
        )
        mother = f"{f.family_id}-mother"
        father = f"{f.family_id}-father-{self.n % 2}"
        b.add(
            pp.PersonAdded,
            when,
            "Mother added.",
            person_id=mother,
            role="mother",
            first_name=first_name(random.Random(mother)),
            last_name=f.surname,
            sex=Sex.FEMALE,
        )
        b.add(
            pp.PersonAdded,
            when,
            "Father added.",
            person_id=father,
            role="father",
            first_name=first_name(random.Random(father)),
            last_name=last_name(random.Random(father)),
            sex=Sex.MALE,
        )
        for person in (mother, father):
            b.add(
                pp.RelationshipRecorded,
                when,
                "Birth parent.",
                relationship_id=f"rel-{person}-{self.n}",
                relationship="birth_parent",
                from_person=person,
                to_person=b.child_id,
                started_on=None if self.unborn else b.dob,
            )
        for m, other in enumerate(f.child_ids):
            if m == self.n:
                continue
            b.add(
                pp.PersonAdded,
                when,
                "Sibling added.",
                person_id=other,
                role="sibling" if (self.n % 2) == (m % 2) else "half_sibling",
                first_name="Sibling",
                last_name=f.surname,
                is_child_record=other,
            )
        b.add(mg.AllocatedToTeam, when, "Front door screening.", team="Front Door")
        shared = self.shared
        b.add(
            fd.ContactReceived,
            when,
            "Contact received.",
            source_type=shared["source"],
            concern="Worries about care at home raised by the referrer.",
        )
        referral_at = when + timedelta(hours=rng.randint(1, 4))
        best_interest = rng.random() < 0.1
        b.add(
            fd.ReferralReceived,
            referral_at,
            "Referral accepted for social care.",
            as_role="team_manager",
            referral_source=shared["source"],
            reason="Concerns about the child's care meet the threshold for a referral.",
            primary_need=shared["need"],
            consent="best_interest_without_consent" if best_interest else "consent_given",
            consent_rationale="Seeking consent could place the child at risk."
            if best_interest
            else None,
            immediate_risk_of_significant_harm=f.path == "cp",
        )
        outcome = {
            "nfa": "no_further_action",
            "cp": "strategy_discussion",
            "lac": "strategy_discussion" if shared["entry"] != "s20" else "single_assessment",
        }.get(f.path, "single_assessment")
        decided = referral_at + timedelta(hours=rng.randint(1, 5))
        b.add(
            fd.ReferralDecision,
            decided,
            "Front door decision recorded.",
            as_role="team_manager",
            outcome=outcome,
            rationale="Decision taken on the information gathered today.",
            decided_by=self.f.staff.manager,
        )
        self.sharing.referral_feedback(decided)
        return decided

    def _strategy(self, after: datetime) -> datetime:
        # the same meeting for every sibling: a working day or two after the contact
        opened = self.f.plan.opened.date()
        day = _weekday(opened + timedelta(days=1 + self.shared["strategy_day"]))
        when = max(_at(day, 11), after)
        self.b.add(
            sg.StrategyDiscussionHeld,
            when,
            "Strategy discussion with police and health for the sibling group.",
            as_role="team_manager",
            agencies_present=["police", "health", "social_care", "education"],
            urgency="urgent",
            decision="section_47",
            rationale="Reasonable cause to suspect significant harm.",
            correlation_id=self.strategy_id,
        )
        self.sharing.strategy(when)
        self.b.add(sg.Section47Started, when + timedelta(hours=1), "Section 47 enquiry begins.")
        return when + timedelta(hours=2)

    def _assessment(self, day: date, *, protect: bool) -> tuple[date, PrimaryNeed]:
        b, rng = self.b, self.rng
        start = _weekday(day + timedelta(days=rng.randint(0, 2)))
        b.add(mg.AllocatedToWorker, _at(start, 9), "Allocated.", worker_id=self.f.staff.worker)
        b.add(sg.AssessmentStarted, _at(start, 10), "Child and family assessment started.")
        length = rng.choice([10, 15, 20, 25, 30, 35, 40, 44]) + (
            rng.randint(5, 25) if rng.random() < 0.12 else 0
        )
        visit_day = start + timedelta(days=rng.randint(1, 5))
        self._visit(visit_day)
        if length > 44:
            b.add(
                sg.AssessmentExtended,
                _at(_weekday(start + timedelta(days=40)), 14),
                "Assessment timescale extended.",
                as_role="team_manager",
                agreed_new_date=start + timedelta(days=length + 7),
                agreed_by=self.f.staff.manager,
                reason="Awaiting information from health.",
            )
        done = _weekday(start + timedelta(days=length))
        if self.unborn:
            done = max(min(done, b.dob - timedelta(days=3)), start)
        if done > start + timedelta(days=12) and not self.unborn:
            self._visit(done - timedelta(days=rng.randint(2, 6)))
        need = self.shared["need"]
        if protect:
            b.add(
                sg.Section47Concluded,
                _at(_weekday(start + timedelta(days=min(length, 12))), 12),
                "Section 47 enquiry concluded.",
                outcome=Section47Outcome.INITIAL_CONFERENCE
                if self.f.path == "cp"
                else Section47Outcome.CHILD_IN_NEED,
            )
            day_p = min(done, _weekday(start + timedelta(days=min(length, 12))))
            done = max(done, day_p)
        b.add(
            sg.AssessmentCompleted,
            _at(done, 15),
            "Assessment completed.",
            factors=self.shared["factors"],
            primary_need=need,
            recommendation={
                "assessment": "No further social care involvement.",
                "cin": "Child in need plan.",
                "cp": "Initial child protection conference.",
                "lac": "The child needs to be accommodated.",
                "nfa": "None.",
            }[self.f.path],
        )
        auth = _weekday(done + timedelta(days=rng.randint(0, 3)))
        b.add(
            sg.AssessmentAuthorised,
            _at(auth, 16),
            "Assessment authorised.",
            as_role="team_manager",
            authorised_by=self.f.staff.manager,
        )
        if self.unborn:
            b.add(
                pp.ChildBorn,
                _at(b.dob, rng.randint(1, 23)),
                "Baby born.",
                date_of_birth=b.dob,
                sex=rng.choice([Sex.MALE, Sex.FEMALE]),
                first_name=first_name(rng),
            )
            auth = max(auth, b.dob)
        return auth, need

    # -- visits, notes ---------------------------------------------------------------------

    def _visit(self, day: date, *, location: str = "home", statutory: bool = True) -> None:
        b, rng = self.b, self.rng
        day = _weekday(day)
        when = _at(day, rng.randint(9, 17), rng.choice((0, 15, 30, 45)))
        if self.unborn and day < b.dob:
            location = "home"
        seen = rng.random() > 0.08
        alone = seen and _age_on(b.dob, day) >= 4 and rng.random() < 0.7
        key = b.add(
            dw.ChildVisited,
            when,
            "Home visit." if seen else "Visit attempted: no answer at the door.",
            seen=seen,
            seen_alone=alone,
            location=location,
            statutory=statutory,
            announced=rng.random() < 0.8,
            bedroom_seen=seen and rng.random() < 0.6,
            visitor_id=self.f.staff.worker,
        )
        self.visit_keys.append(key)
        if not seen:  # the missed visit is made up within a few days
            retry = _weekday(day + timedelta(days=rng.randint(1, 4)))
            self.visit_keys.append(
                b.add(
                    dw.ChildVisited,
                    _at(retry, 10),
                    "Visit made after the missed visit.",
                    seen=True,
                    seen_alone=_age_on(b.dob, retry) >= 4,
                    location=location,
                    statutory=statutory,
                    visitor_id=self.f.staff.worker,
                )
            )
        if rng.random() < 0.25:
            self.note_keys.append(
                b.add(
                    mg.CaseNoteRecorded,
                    when + timedelta(hours=1),
                    "Case note.",
                    note="Call with school.",
                )
            )
        if rng.random() < 0.1 and _age_on(b.dob, day) >= 5:
            b.add(
                dw.WishesAndFeelingsRecorded,
                when + timedelta(minutes=30),
                "Child's wishes and feelings.",
                in_childs_words="I want things to be calmer at home.",
                method="direct work",
            )

    def _visits(
        self, start: date, stop: date, every: tuple[int, int], location: str = "home"
    ) -> None:
        day = start
        while True:
            day = day + timedelta(days=self.rng.randint(*every))
            if day >= stop:
                return
            self._visit(day, location=location)
            if self.rng.random() < 0.15:
                self.b.add(
                    mg.SupervisionHeld,
                    _at(_weekday(day + timedelta(days=2)), 14),
                    "Case supervision.",
                    as_role="team_manager",
                    supervisor_id=self.f.staff.manager,
                    worker_id=self.f.staff.worker,
                    actions="Continue the plan.",
                )

    def _cap(self, day: date) -> date:
        """Plans for children stop before their 18th birthday."""
        return min(day, _birthday(self.b.dob, 18) - timedelta(days=7))

    # -- child in need -----------------------------------------------------------------------

    def _cin(self, day: date, months: int) -> date:
        b, rng = self.b, self.rng
        start = _weekday(day + timedelta(days=rng.randint(1, 10)))
        if self.unborn:
            start = max(start, b.dob)
        b.add(cin.ChildInNeedPlanAgreed, _at(start, 11), "Child in need plan agreed.")
        stop = self._cap(_weekday(start + timedelta(days=30 * months)))
        stop = max(stop, start + timedelta(days=1))
        meeting, n = start, 0
        while True:
            meeting = _weekday(meeting + timedelta(days=rng.randint(38, 46)))
            if meeting >= stop:
                break
            b.add(
                cin.ChildInNeedMeetingHeld,
                _at(meeting, 10),
                "Child in need meeting.",
                attendees=["parent", "school", "social worker"],
            )
            n += 1
            self.sharing.cin_plan(_at(meeting, 10), n, stop)
            if (meeting - start).days % 90 < 46:
                b.add(
                    cin.ChildInNeedPlanReviewed,
                    _at(meeting, 11),
                    "Plan reviewed.",
                    outcome="Progress made; plan continues.",
                )
        self._visits(start, stop, (20, 42))
        b.add(
            cin.ChildInNeedPlanEnded,
            _at(stop, 12),
            "Child in need plan ended.",
            reason="Goals met.",
        )
        return _weekday(stop + timedelta(days=1))

    def _close(self, when: datetime, reason: ClosureReason) -> None:
        self.b.add(mg.CaseClosed, when, "Case closed.", as_role="team_manager", reason=reason)

    # -- child protection ----------------------------------------------------------------

    def _cp(self, day: date) -> tuple[date, bool]:
        b, rng, shared = self.b, self.rng, self.shared
        # siblings' conferences are the same meeting: derive the date from the family rng
        icpc = _weekday(self.f.plan.opened.date() + timedelta(days=14 + shared["strategy_day"]))
        icpc = max(icpc, day)
        if self.unborn:
            icpc = max(icpc, b.dob)
        icpc = _working_day(icpc)
        b.add(
            sg.MeetingScheduled,
            _at(_weekday(icpc - timedelta(days=10)), 9),
            "ICPC booked.",
            meeting_type="initial_conference",
            scheduled_for=icpc,
        )
        booked = b.items[-1].event.occurred_instant  # the booking just added
        unborn = self.unborn and icpc < b.dob
        self.sharing.conference_reports("initial_conference", icpc, "icpc", booked, unborn=unborn)
        b.add(
            sg.InitialChildProtectionConferenceHeld,
            _at(icpc, 10),
            "Initial child protection conference.",
            as_role="team_manager",
            decision="child_protection_plan",
            category_of_abuse=shared["cp_category"],
            chair=f"chair-{self.la_code}",
            correlation_id=f"icpc-{self.f.family_id}",
        )
        b.add(
            sg.ChildProtectionPlanStarted,
            _at(icpc, 11),
            "Child protection plan started.",
            category_of_abuse=shared["cp_category"],
        )
        self.sharing.conference_records("initial_conference", _at(icpc, 10), "icpc")
        stop = self._cap(_weekday(icpc + timedelta(days=30 * shared["plan_months"])))
        stop = max(stop, icpc + timedelta(days=28))
        previous, held = icpc, 0  # a review conference is booked at the conference before it
        core, n = icpc, 0
        while True:
            core = _weekday(core + timedelta(days=rng.randint(9, 30)))
            if core >= stop:
                break
            n += 1
            self.sharing.core_group(_at(core, 14), n)
            b.add(sg.CoreGroupHeld, _at(core, 14), "Core group.", attendees=["parent", "school"])
        review = _working_day(icpc + timedelta(days=rng.randint(80, 90)))
        while review < stop:
            held += 1
            booked = _at(previous, 12)
            self.sharing.booked("review_conference", review, booked)
            self.sharing.conference_reports(
                "review_conference", review, f"rcpc:{held}", booked, unborn=False
            )
            b.add(
                sg.ReviewChildProtectionConferenceHeld,
                _at(review, 10),
                "Review child protection conference.",
                as_role="team_manager",
                decision="continue_plan",
                category_of_abuse=shared["cp_category"],
                correlation_id=f"rcpc-{self.f.family_id}-{review.isoformat()}",
            )
            self.sharing.conference_records("review_conference", _at(review, 10), f"rcpc:{held}")
            previous = review
            if rng.random() < 0.1:
                b.add(
                    sg.ChildProtectionCategoryChanged,
                    _at(review, 11),
                    "Category changed at review.",
                    category_of_abuse=ChildProtectionCategory.MULTIPLE,
                )
            review = _working_day(review + timedelta(days=rng.randint(170, 182)))
        self._visits(icpc, stop, (7, 14))
        escalated = shared["escalate"] and _age_on(b.dob, stop) < 16
        b.add(
            sg.ChildProtectionPlanEnded,
            _at(stop, 15),
            "Child protection plan ended.",
            reason="Child became looked after." if escalated else "Risks reduced.",
        )
        return _weekday(stop + timedelta(days=1)), escalated

    # -- looked after ------------------------------------------------------------------------

    def _order(self, when: datetime, order: OrderKind, court: str = "Family Court") -> None:
        self.b.add(
            pr.OrderMade,
            when,
            f"{order.value.replace('_', ' ').capitalize()} made.",
            order=order,
            court=court,
        )

    def _place(
        self,
        day: date,
        kind: PlacementType,
        provider: str,
        *,
        adoption: bool = False,
        hour: int = 15,
    ) -> None:
        b = self.b
        self.placement_no += 1
        pid = f"{b.child_id}-P{self.placement_no}"
        self.placement = pid
        self.placement_type = kind
        b.add(
            la.PlacementStarted,
            _at(day, hour),
            "Child moved to a new placement.",
            placement_id=pid,
            placement_type=kind,
            provider=provider,
            provider_urn=None
            if kind.value in NO_URN_PLACEMENTS
            else f"SC{self.rng.randint(100000, 999999)}",
            # home is POSTCODES[0]; a placement is elsewhere unless with parents (rule 392d)
            postcode=POSTCODES[self.la_code][0 if kind.value == "P1" else 1],
            placement_la=self.la_code,  # the postcodes are the authority's own
            carer=None
            if kind.value.startswith("K")
            else f"carer-{self.la_code}-{self.rng.randint(1, 900)}",
        )
        b.add(
            la.PlacementPlanCompleted,
            _at(_weekday(day + timedelta(days=self.rng.randint(1, 5))), 12),
            "Placement plan completed.",
            placement_id=pid,
        )
        if adoption:
            b.add(
                ad.PlacedForAdoption,
                _at(day, 16),
                "Placed with prospective adopters.",
                placement_id=pid,
                adopters_sex="MF",
                adopters_legal_status="L11",  # L0 is a single adopter (903 rule 514)
                number_of_adopters=2,
            )

    def _sgo_reason(self) -> ReasonEpisodeCeased:
        """E45/E46 are for former foster carers (last placement U1-U6); else E47/E48."""
        if self.placement_type is not None and self.placement_type.value.startswith("U"):
            if self.placement_type.value in ("U1", "U2", "U3"):
                return ReasonEpisodeCeased.SGO_FORMER_FOSTER_CARERS_RELATIVE
            return ReasonEpisodeCeased.SGO_FORMER_FOSTER_CARERS_OTHER
        return ReasonEpisodeCeased.SGO_OTHER_CARERS_RELATIVE

    def _end_placement(self, day: date, reason: ReasonPlacementChange) -> None:
        assert self.placement is not None
        self.b.add(
            la.PlacementEnded,
            _at(day, 14),
            "Placement ended.",
            placement_id=self.placement,
            reason=reason,
        )
        self.placement = None

    def _looked_after(self, day: date, *, entry: str) -> None:  # noqa: C901
        b, rng = self.b, self.rng
        age = _age_on(b.dob, day)
        need = self.shared["need"].value
        if need in ("N0", "N9"):
            need = "N1"
        start = _weekday(day + timedelta(days=rng.randint(0, 14)))
        if self.unborn:
            start = max(start, b.dob + timedelta(days=1))
        status = LegalStatus.SECTION_20_SINGLE_PERIOD
        court = f"Family Court at {self.f.authority[0].capitalize()}"
        proceedings = entry in ("proceedings", "police") or age < 5 and rng.random() < 0.5
        if entry == "police":
            self._order(_at(start, 20), OrderKind.POLICE_PROTECTION)
            status = LegalStatus.POLICE_PROTECTION
        elif proceedings:
            lpm = _weekday(start - timedelta(days=rng.randint(14, 40)))
            lpm = max(lpm, day)
            b.add(
                pr.LegalPlanningMeetingHeld,
                _at(lpm, 10),
                "Legal gateway meeting.",
                decision="Issue care proceedings.",
                threshold_met=True,
            )
            start = max(start, _weekday(lpm + timedelta(days=rng.randint(7, 21))))
            b.add(
                pr.ApplicationIssued,
                _at(start, 10),
                "Care application issued.",
                court=court,
                court_number=f"{self.la_code}C{rng.randint(1000, 9999)}",
                order_sought=OrderKind.CARE_ORDER,
            )
            b.add(
                pr.HearingHeld,
                _at(start, 14),
                "First hearing.",
                hearing="first",
                court=court,
                outcome="Interim care order made.",
            )
            self._order(_at(start, 15), OrderKind.INTERIM_CARE_ORDER, court)
            status = LegalStatus.INTERIM_CARE_ORDER
        basis = {
            LegalStatus.SECTION_20_SINGLE_PERIOD: "Children Act 1989 s20",
            LegalStatus.POLICE_PROTECTION: "Children Act 1989 s46",
            LegalStatus.INTERIM_CARE_ORDER: "Children Act 1989 s38",
        }[status]
        hour = 21 if status is LegalStatus.POLICE_PROTECTION else 16
        b.add(
            la.BecameLookedAfter,
            _at(start, hour),
            "Child became looked after.",
            legal_status=status,
            legal_basis=basis,
            category_of_need=need,
            home_postcode=POSTCODES[self.la_code][0],
        )
        self.sharing.became_looked_after(_at(start, hour), rights=age >= 5)
        b.add(
            mg.AllocatedToTeam,
            _at(start, hour),
            "Transferred to children in care.",
            team="Children in Care",
        )
        # a children-in-care social worker from the day care begins (903 SWEpisodes)
        b.add(
            mg.AllocatedToWorker,
            _at(start, hour),
            "Allocated to a children in care social worker.",
            worker_id=f"{self.f.staff.worker}-cic",
            team="Children in Care",
        )
        first = (
            PlacementType.FOSTER_OTHER
            if age < 13 or rng.random() < 0.6
            else PlacementType.CHILDRENS_HOME
        )
        if rng.random() < 0.2:
            first = PlacementType.FOSTER_RELATIVE_FRIEND_OTHER
        self._place(
            start, first, "PR1" if first is not PlacementType.CHILDRENS_HOME else "PR4", hour=hour
        )
        if status is LegalStatus.POLICE_PROTECTION:
            # police protection lasts 72 hours: then s20 or an interim care order
            nxt = start + timedelta(days=3)
            if rng.random() < 0.5:
                b.add(
                    pr.ApplicationIssued,
                    _at(nxt, 9),
                    "Care application issued.",
                    court=court,
                    order_sought=OrderKind.CARE_ORDER,
                )
                self._order(_at(nxt, 14), OrderKind.INTERIM_CARE_ORDER, court)
                status = LegalStatus.INTERIM_CARE_ORDER
            else:
                status = LegalStatus.SECTION_20_SINGLE_PERIOD
            b.add(la.LegalStatusChanged, _at(nxt, 15), "Legal status changed.", legal_status=status)
            self._status_told(_at(nxt, 15))
        # statutory rhythm
        b.add(
            la.HealthAssessmentRequested,
            _at(_weekday(start + timedelta(days=2)), 10),
            "Initial health assessment requested.",
            assessment="initial",
        )
        b.add(
            la.HealthAssessmentCompleted,
            _at(_weekday(start + timedelta(days=rng.randint(14, 40))), 10),
            "Initial health assessment.",
            assessment="initial",
            immunisations_up_to_date=True,
            teeth_checked=age >= 3,
        )
        b.add(
            la.CarePlanAgreed,
            _at(_weekday(start + timedelta(days=rng.randint(5, 10))), 11),
            "Care plan agreed.",
            permanence_option="to be decided",
        )
        # how the period of care ends
        proceedings = status is LegalStatus.INTERIM_CARE_ORDER
        outcome = self._care_outcome(age, proceedings)
        if outcome == "long" and _birthday(b.dob, 18) <= self.end:
            outcome = "leaver"
        final = None
        if proceedings:
            final = _weekday(start + timedelta(days=rng.randint(150, 260)))
        if outcome == "leaver":
            stop = _birthday(b.dob, 18)
        elif outcome == "adoption":
            assert final is not None
            self.adoption_placed = _weekday(final + timedelta(days=rng.randint(30, 120)))
            stop = self.adoption_placed + timedelta(days=rng.randint(120, 240))
        elif outcome == "long":
            stop = self._cap(self.end + timedelta(days=60))
        else:
            stay = rng.randint(60, 400) if outcome == "home" else rng.randint(240, 600)
            stop = self._cap(start + timedelta(days=stay))
        stop = _weekday(max(stop, start + timedelta(days=30)))
        if final is not None:
            for n, kind in enumerate(("case_management", "issues_resolution")):
                hday = _weekday(start + timedelta(days=30 + n * 70))
                if hday < final:
                    b.add(pr.HearingHeld, _at(hday, 10), "Hearing.", hearing=kind, court=court)
        # rhythm of visits, reviews, health and education while in care
        self._visits(start, stop, (28, 42), location="placement")
        reviews = [start + timedelta(days=20), start + timedelta(days=110)]
        while reviews[-1] + timedelta(days=180) < stop:
            reviews.append(reviews[-1] + timedelta(days=rng.randint(170, 182)))
        booked = _at(_weekday(start + timedelta(days=2)), 10)  # the first review is booked
        for n, rday in enumerate(reviews, 1):
            rday = _weekday(rday)
            if rday >= stop:
                break
            self.sharing.review(_at(rday, 10), n, booked)
            booked = _at(rday, 14)  # the next is booked at this one
            rage = _age_on(b.dob, rday)
            b.add(
                la.LookedAfterReviewHeld,
                _at(rday, 10),
                "Looked after review.",
                as_role="iro",
                participation=ReviewParticipation.UNDER_FOUR
                if rage < 4
                else rng.choice(
                    [
                        ReviewParticipation.SPOKE_FOR_SELF,
                        ReviewParticipation.ADVOCATE,
                        ReviewParticipation.VIEWS_CONVEYED_FACILITATIVELY,
                    ]
                ),
                iro_id=self.f.staff.iro,
                # about one review in four changes the plan (its own draw: the journey is as before)
                plan_changed=random.Random(f"{self.f.plan.seed}:{self.n}:plan:{n}").random() < 0.25,
            )
            if rng.random() < 0.6:
                b.add(
                    la.IroContact,
                    _at(_weekday(rday - timedelta(days=5)), 15),
                    "IRO spoke with the child.",
                    as_role="iro",
                    iro_id=self.f.staff.iro,
                )
            if _age_on(b.dob, rday) >= 5:
                b.add(
                    la.PepMeetingHeld, _at(_weekday(rday + timedelta(days=7)), 13), "PEP meeting."
                )
        health = start + timedelta(days=365 if age >= 5 else 182)
        while health < stop:
            b.add(
                la.HealthAssessmentCompleted,
                _at(_weekday(health), 10),
                "Review health assessment.",
                assessment="review",
                immunisations_up_to_date=rng.random() < 0.9,
                sdq_score=rng.randint(4, 30) if _age_on(b.dob, health) >= 4 else None,
            )
            health += timedelta(days=365 if _age_on(b.dob, health) >= 5 else 182)
        # moves: a few placement changes for some children
        cursor = start
        moves = rng.choices([0, 1, 2, 3], [0.55, 0.25, 0.13, 0.07])[0]
        timeline: list[tuple[date, str]] = []
        for _ in range(moves):
            cursor = _weekday(cursor + timedelta(days=rng.randint(60, 300)))
            limit = final if outcome == "adoption" and final is not None else stop
            if cursor >= limit - timedelta(days=60):
                break
            timeline.append((cursor, "move"))
        if final is not None and final < stop:
            timeline.append((final, "final"))
        if _age_on(b.dob, start) >= 11:
            m = start
            for _ in range(rng.choices([0, 1, 2, 4], [0.6, 0.2, 0.12, 0.08])[0]):
                m = _weekday(m + timedelta(days=rng.randint(20, 200)))
                if m < stop - timedelta(days=10):
                    timeline.append((m, "missing"))
        if outcome == "leaver":
            sixteen = _weekday(max(_birthday(b.dob, 16), start + timedelta(days=7)))
            if sixteen < stop:
                timeline.append((sixteen, "pathway"))
        timeline.sort()
        for tday, what in timeline:
            if what == "move" and self.placement is not None:
                self._end_placement(
                    tday,
                    rng.choice(
                        [
                            ReasonPlacementChange.ALLEGATION,
                            ReasonPlacementChange.CARER_REQUESTED_BEHAVIOUR,
                            ReasonPlacementChange.CARER_REQUESTED_OTHER,
                            ReasonPlacementChange.CHILD_REQUESTED,
                            ReasonPlacementChange.CARE_PLAN_CHANGE,
                            ReasonPlacementChange.LA_REQUESTED,
                            ReasonPlacementChange.PLACEMENT_CLOSED,
                            ReasonPlacementChange.STANDARDS_CONCERN,
                        ]
                    ),
                )
                kind = rng.choice(
                    [
                        PlacementType.FOSTER_OTHER,
                        PlacementType.FOSTER_OTHER_LONG_TERM,
                        PlacementType.CHILDRENS_HOME
                        if _age_on(b.dob, tday) >= 11
                        else PlacementType.FOSTER_OTHER,
                    ]
                )
                self._place(tday, kind, "PR4" if kind is PlacementType.CHILDRENS_HOME else "PR1")
            elif what == "final":
                b.add(
                    pr.HearingHeld,
                    _at(tday, 10),
                    "Final hearing.",
                    hearing="final",
                    court=court,
                    outcome="Care order made.",
                )
                if outcome == "adoption":
                    b.add(
                        ad.AdoptionDecisionMade,
                        _at(_weekday(tday - timedelta(days=30)), 12),
                        "Agency decision maker: should be placed for adoption.",
                    )
                    self._order(_at(tday, 11), OrderKind.CARE_ORDER, court)
                    self._order(_at(tday, 12), OrderKind.PLACEMENT_ORDER, court)
                    b.add(
                        la.LegalStatusChanged,
                        _at(tday, 13),
                        "Placement order.",
                        legal_status=LegalStatus.PLACEMENT_ORDER,
                    )
                    self._status_told(_at(tday, 13))
                elif outcome == "sgo":
                    pass  # the SGO is made at the end of the period of care
                else:
                    self._order(_at(tday, 11), OrderKind.CARE_ORDER, court)
                    b.add(
                        la.LegalStatusChanged,
                        _at(tday, 13),
                        "Full care order.",
                        legal_status=LegalStatus.FULL_CARE_ORDER,
                    )
                    self._status_told(_at(tday, 13))
            elif what == "missing":
                self.missing_no += 1
                eid = f"{b.child_id}-M{self.missing_no}"
                b.add(
                    la.MissingEpisodeStarted,
                    _at(tday, 21),
                    "Child missing from placement.",
                    episode_id=eid,
                )
                back = datetime.combine(
                    tday + timedelta(days=1), time(rng.randint(1, 14)), tzinfo=LONDON
                )
                b.add(la.MissingEpisodeEnded, back, "Child returned.", episode_id=eid)
                b.add(
                    la.ReturnInterviewOffered,
                    back + timedelta(hours=3),
                    "Return interview offered.",
                    episode_id=eid,
                )
                if rng.random() < 0.7:
                    b.add(
                        la.ReturnInterviewHeld,
                        back + timedelta(hours=rng.randint(20, 70)),
                        "Return interview.",
                        episode_id=eid,
                        accepted=True,
                    )
            elif what == "pathway":
                b.add(lc.PathwayPlanAgreed, _at(tday, 11), "Pathway plan agreed.")
                b.add(
                    lc.PersonalAdviserAllocated,
                    _at(tday, 12),
                    "Personal adviser allocated.",
                    adviser_id=f"pa-{self.la_code}-{rng.randint(1, 40):02d}",
                )
        self._leave_care(stop, outcome, court)

    def _status_told(self, when: datetime) -> None:
        self.status_changes += 1
        self.sharing.legal_status_changed(when, self.status_changes)

    def _care_outcome(self, age: int, proceedings: bool) -> str:
        rng = self.rng
        if age >= 14:
            return "leaver" if rng.random() < 0.75 else "home"
        if age < 5 and proceedings:
            return rng.choices(["adoption", "sgo", "long"], [0.6, 0.25, 0.15])[0]
        if proceedings:
            return rng.choices(["sgo", "long", "home"], [0.3, 0.5, 0.2])[0]
        return rng.choices(["home", "long"], [0.75, 0.25])[0]

    def _leave_care(self, stop: date, outcome: str, court: str) -> None:
        b, rng = self.b, self.rng
        if outcome == "long":
            return  # still looked after (or the story runs past the end of the history)
        if outcome == "adoption":
            # placed for adoption some months before the adoption order
            placed = self.adoption_placed
            if self.placement is not None:
                self._end_placement(placed, ReasonPlacementChange.CARE_PLAN_CHANGE)
            self._place(
                placed, PlacementType.PLACED_FOR_ADOPTION_NOT_PARENT_FOSTER, "PR1", adoption=True
            )
            review = _weekday(placed + timedelta(days=28))
            b.add(ad.AdoptionReviewHeld, _at(review, 10), "Adoption review.", as_role="iro")
            self._order(_at(stop, 11), OrderKind.ADOPTION_ORDER, court)
            self._end_placement(stop, ReasonPlacementChange.CARE_PLAN_CHANGE)
            b.add(
                la.CeasedToBeLookedAfter,
                _at(stop, 15),
                "Adopted.",
                reason=ReasonEpisodeCeased.ADOPTED_APPLICATION_UNOPPOSED,
            )
            self._close(_at(stop, 16), ClosureReason.ADOPTED)
            return
        if outcome == "sgo":
            self._order(_at(stop, 11), OrderKind.SPECIAL_GUARDIANSHIP_ORDER, court)
            if self.placement is not None:
                self._end_placement(stop, ReasonPlacementChange.CARE_PLAN_CHANGE)
            b.add(
                la.CeasedToBeLookedAfter,
                _at(stop, 15),
                "Special guardianship order.",
                reason=self._sgo_reason(),
            )
            self._close(_at(stop, 16), ClosureReason.SPECIAL_GUARDIANSHIP_ORDER)
            return
        if self.placement is not None:
            self._end_placement(
                stop,
                ReasonPlacementChange.CARE_PLAN_CHANGE
                if outcome == "home"
                else ReasonPlacementChange.CARE_PLAN_CHANGE,
            )
        if outcome == "home":
            b.add(
                la.CeasedToBeLookedAfter,
                _at(stop, 15),
                "Returned home.",
                reason=ReasonEpisodeCeased.RETURNED_HOME_PART_OF_PLAN,
            )
            self._close(_at(stop, 16), ClosureReason.SERVICES_CEASED_OTHER)
            return
        reason = rng.choice(
            [
                ReasonEpisodeCeased.AGED_18_REMAINED_WITH_CURRENT_CARERS,
                ReasonEpisodeCeased.MOVED_TO_INDEPENDENT_LIVING_SUPPORTED,
            ]
        )
        b.add(la.CeasedToBeLookedAfter, _at(stop, 15), "Left care at 18.", reason=reason)
        b.add(
            lc.PathwayPlanReviewed,
            _at(_weekday(stop + timedelta(days=30)), 11),
            "Pathway plan reviewed.",
        )
        # care leaver contacts around each birthday, 19 to 21 (the SSDA903 OC3 collection)
        for years in (19, 20, 21):
            bday = _birthday(b.dob, years)
            for offset in (-60, -20):
                contact = _weekday(bday + timedelta(days=offset + rng.randint(0, 14)))
                b.add(
                    lc.CareLeaverContact,
                    _at(contact, 14),
                    "Keeping in touch.",
                    as_role="personal_adviser",
                    in_touch="YES" if rng.random() < 0.9 else "NO",
                    activity=rng.choice(["F1", "P1", "F2", "G4", "G6"]),
                    # 903 ACCOM: type letter + 1 (suitable) or 2 (not) (rule 133)
                    accommodation=rng.choice(["B1", "C1", "D1", "H1", "T1", "U1"]),
                )

    # -- corrections ---------------------------------------------------------------------

    def _corrections(self) -> None:
        b, rng = self.b, self.rng
        last = max((i.event.occurred_instant for i in b.items), default=None)
        if last is None:
            return
        for key in self.visit_keys:
            if rng.random() < 0.03:
                target = next(i for i in b.items if i.key == key)
                when = target.event.occurred_instant + timedelta(days=rng.randint(1, 10))
                b.add(
                    corr.EntryCorrected,
                    when,
                    "Visit location corrected.",
                    target_key=key,
                    late=False,
                    target_event_id=f"@{key}",
                    changes={"location": "school"},
                    reason="The visit took place at school, not at home.",
                )
        for key in self.note_keys:
            if rng.random() < 0.05:
                target = next(i for i in b.items if i.key == key)
                when = target.event.occurred_instant + timedelta(days=rng.randint(1, 5))
                b.add(
                    corr.EntryRecordedInError,
                    when,
                    "Note recorded on the wrong child's record.",
                    target_key=key,
                    late=False,
                    target_event_id=f"@{key}",
                    reason="The note belongs to another child in the family.",
                )


# -- the authority ---------------------------------------------------------------------------


def _family_plans(children: int, seed: int, start: date, end: date) -> list[_FamilyPlan]:
    plans: list[_FamilyPlan] = []
    rng = random.Random(f"families:{seed}")
    span = (end - start).days - 30
    placed = 0
    index = 0
    while placed < children:
        size = rng.choices([1, 2, 3, 4], [0.55, 0.25, 0.13, 0.07])[0]
        size = min(size, children - placed)
        day = _weekday(start + timedelta(days=rng.randint(0, span)))
        opened = _at(day, rng.randint(9, 16), rng.choice((0, 10, 20, 30, 40, 50)))
        plans.append(_FamilyPlan(index, rng.getrandbits(48), opened, size))
        placed += size
        index += 1
    return plans


def generate(
    children: int, seed: int, *, start: date = START, end: date = END
) -> Iterator[Journey]:
    """Yield ``children`` journeys, ordered by when each record opened; deterministic in seed.

    Children are numbered in family order (``SYN-<seed>-000000`` upwards), so the ids and
    events are the same on every run with the same arguments.
    """
    if children < 0:
        raise ValueError(f"children must be 0 or more, got {children}")
    plans = _family_plans(children, seed, start, end)
    first: dict[int, int] = {}
    count = 0
    for plan in plans:
        first[plan.index] = count
        count += plan.size
    journeys: list[Journey] = []
    for plan in sorted(plans, key=lambda p: (p.opened, p.index)):
        journeys = _Family(plan, seed, end, first[plan.index]).children()
        yield from (j for j in journeys if j.steps)


# -- loading ---------------------------------------------------------------------------------


class SimulatedClock:
    """The store's clock while loading: set to each write-up slot in turn."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@dataclass
class LoadResult:
    children: int = 0
    events: int = 0
    batches: int = 0
    """Store calls (transactions): import batches, or write-up slots with ``per_slot``."""
    seconds: float = 0.0
    store_seconds: float = 0.0
    """Time spent inside ``store.record`` (the import itself, without generating)."""
    store_cpu_seconds: float = 0.0
    """This process's CPU time inside the same calls (the database server's excluded): on a
    shared machine the wall time follows the load, this much less."""
    held_back: int = 0
    """Times a child's entries waited for the next batch: a correction pointed at an entry
    of the same, unwritten batch (so its event id was not known yet)."""
    paths: dict[str, int] = field(default_factory=dict)

    @property
    def events_per_second(self) -> float:
        """Events written per second of the store's own time (generation excluded)."""
        return self.events / self.store_seconds if self.store_seconds else 0.0

    @property
    def cpu_events_per_second(self) -> float:
        """Events written per second of this process's CPU time in the store's calls."""
        return self.events / self.store_cpu_seconds if self.store_cpu_seconds else 0.0

    @property
    def mean_batch(self) -> float:
        return self.events / self.batches if self.batches else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "children": self.children,
            "events": self.events,
            "batches": self.batches,
            "mean_batch": round(self.mean_batch, 1),
            "held_back": self.held_back,
            "seconds": round(self.seconds, 3),
            "store_seconds": round(self.store_seconds, 3),
            "events_per_second": round(self.events_per_second, 1),
            "store_cpu_seconds": round(self.store_cpu_seconds, 3),
            "cpu_events_per_second": round(self.cpu_events_per_second, 1),
            "paths": dict(sorted(self.paths.items())),
        }


Progress = Callable[[int, int], None]
"""Called with (children started so far, events written so far)."""


def load(  # noqa: C901
    store: Any,
    children: int,
    seed: int,
    *,
    start: date = START,
    end: date = END,
    batch_size: int = 2000,
    per_slot: bool = False,
    progress: Progress | None = None,
    journeys: Iterator[Journey] | None = None,
) -> LoadResult:
    """Write a synthetic authority through the store's import path, in write-up order.

    Entries of every child are merged in the order they were written up (slot by slot,
    four slots a working day). Consecutive slots are gathered into batches of about
    ``batch_size`` events, and each batch is one ``store.import_batch`` call (the checks of
    ``store.record``, one transaction) in which every event keeps its slot as recorded-at.
    A correction whose target is still in the unwritten batch has no event id yet: that
    child's entries from the correction on wait for the next batch, written first thing
    after this one, so each child's entries still go in the order written up while the
    batches stay full (``held_back`` counts those waits). Only the interleaving of
    different children in the global log differs from write-up order, by one batch at
    most; each child's stream is exactly what the write-up order gives.

    ``per_slot=True`` is the path before bulk import: one ``record`` call per slot, stamped
    by the store's clock. Both write the same streams (position, kind, recorded-at,
    payload) for the same seed; only event ids differ.

    The store's clock is a simulated clock for the duration, set to the newest slot of
    the batch (so no entry is written down after "now") and restored after. Children
    whose entries are all written are dropped from the store's cache, so memory follows
    the children active at once, not the size of the authority.
    """
    import time as _time

    if batch_size < 1:
        raise ValueError(f"batch_size {batch_size}: give 1 or more")
    source = journeys if journeys is not None else generate(children, seed, start=start, end=end)
    result = LoadResult()
    original_clock = store.clock
    clock = SimulatedClock(datetime.combine(start, time(0, 0), tzinfo=UTC))
    store.clock = clock
    heap: list[tuple[datetime, int, str, int]] = []
    pending: dict[str, Journey] = {}
    remaining: dict[str, int] = {}
    ids: dict[str, dict[str, str]] = {}
    batch: list[tuple[str, Planned]] = []
    unwritten: set[tuple[str, str]] = set()  # (child, step key) of entries in ``batch``
    held: list[tuple[str, Planned]] = []  # entries waiting for the next batch, in order
    blocked: set[str] = set()  # children whose entries wait for the next batch
    counter = 0

    def place(child_id: str, step: Planned) -> None:
        """Put an entry in the batch, or hold it (and its child's later ones) for the next."""
        if child_id in blocked:
            held.append((child_id, step))
        elif step.target_key is not None and (child_id, step.target_key) in unwritten:
            result.held_back += 1
            blocked.add(child_id)
            held.append((child_id, step))
        else:
            batch.append((child_id, step))
            unwritten.add((child_id, step.key))

    def flush() -> None:
        """Write the batch, then start the next with the entries held back, in order."""
        while True:
            write()
            carried = list(held)
            held.clear()
            blocked.clear()
            for child_id, step in carried:
                place(child_id, step)
            if len(batch) < batch_size:
                return

    def write() -> None:
        if not batch:
            return
        events = []
        for child_id, step in batch:
            event = step.event
            if step.target_key is not None:
                event = event.model_copy(update={"target_event_id": ids[child_id][step.target_key]})
            events.append(event)
        clock.now = max(step.recorded_at for _, step in batch)
        tick, cpu = _time.perf_counter(), _time.process_time()
        if per_slot:
            recorded = store.record(events)
        else:
            recorded = store.import_batch(events, [step.recorded_at for _, step in batch])
        result.store_seconds += _time.perf_counter() - tick
        result.store_cpu_seconds += _time.process_time() - cpu
        result.batches += 1
        result.events += len(recorded)
        done: list[str] = []
        for (child_id, step), item in zip(batch, recorded, strict=True):
            ids[child_id][step.key] = item.event_id
            remaining[child_id] -= 1
            if remaining[child_id] == 0:
                done.append(child_id)
        for child_id in done:
            del pending[child_id], remaining[child_id], ids[child_id]
        if done:
            store.forget(done)
        batch.clear()
        unwritten.clear()
        if progress:
            progress(result.children, result.events)

    upcoming = next(source, None)
    began = _time.perf_counter()
    with replay_gc(IMPORT_THRESHOLDS):  # loading is an import: collect rarely
        try:
            while heap or upcoming is not None:
                while upcoming is not None and (not heap or upcoming.opened <= heap[0][0]):
                    journey = upcoming
                    pending[journey.child_id] = journey
                    remaining[journey.child_id] = len(journey.steps)
                    ids[journey.child_id] = {}
                    result.children += 1
                    result.paths[journey.path] = result.paths.get(journey.path, 0) + 1
                    for n, step in enumerate(journey.steps):
                        counter += 1
                        heapq.heappush(heap, (step.recorded_at, counter, journey.child_id, n))
                    upcoming = next(source, None)
                if not heap:
                    break
                slot = heap[0][0]
                while heap and heap[0][0] == slot:
                    _, _, child_id, n = heapq.heappop(heap)
                    place(child_id, pending[child_id].steps[n])
                    if len(batch) >= batch_size:
                        flush()
                while per_slot and (batch or held):
                    flush()
            while batch or held:
                flush()
            if result.events:
                tick, cpu = _time.perf_counter(), _time.process_time()
                store.refresh_statistics()  # a bulk load: the planner needs fresh statistics
                result.store_seconds += _time.perf_counter() - tick
                result.store_cpu_seconds += _time.process_time() - cpu
        finally:
            store.clock = original_clock
            result.seconds = _time.perf_counter() - began
    log.info(
        "synth_loaded",
        children=result.children,
        events=result.events,
        batches=result.batches,
        seconds=round(result.seconds, 2),
        store_seconds=round(result.store_seconds, 2),
    )
    return result


def long_record(child_id: str, events: int, seed: int = 1) -> Journey:
    """One looked-after child with about ``events`` entries over many years (latency benches).

    A long period of care with visits, case notes and reviews, written up as it happened.
    """
    rng = random.Random(f"long:{seed}:{child_id}")
    staff = _Staff("sw-816-001", "tm-816-001", "Children in Care", "iro-816-01")
    dob = date(2009, 5, 1)
    b = ChildBuilder(rng, child_id, dob, ("york", "816"), staff)
    opened = _at(date(2012, 1, 9), 10)
    b.add(
        pp.ChildRegistered,
        opened,
        "Record opened.",
        first_name="Lorel",
        last_name="Brackwen",
        sex=Sex.FEMALE,
        date_of_birth=dob,
        family_id=f"FAM-LONG-{seed}",
    )
    b.add(mg.AuthorityRecorded, opened, "Case held by york.", authority="york", la_code="816")
    b.add(
        la.BecameLookedAfter,
        opened + timedelta(hours=1),
        "Accommodated.",
        legal_status=LegalStatus.SECTION_20_SINGLE_PERIOD,
        legal_basis="Children Act 1989 s20",
        category_of_need="N1",
    )
    day = opened.date()
    while b.count < events:
        day = _weekday(day + timedelta(days=1))
        b.add(dw.ChildVisited, _at(day, 11), "Visit.", seen=True, location="placement", late=False)
        if b.count < events:
            b.add(
                mg.CaseNoteRecorded,
                _at(day, 15),
                "Case note.",
                note="Spoke with carer.",
                late=False,
            )
    end = b.items[-1].recorded_at
    return b.journey(f"FAM-LONG-{seed}", "lac", end)
