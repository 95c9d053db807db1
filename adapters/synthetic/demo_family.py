"""The demo: a synthetic blended family's journey over six years, written through the store.

Everyone here is invented. The family (id ``FAM-DEMO``, authority ``york``):

- Kerry Ashdown (mother), her late father Ronald Ashdown (died 2020);
- DEMO-JORDAN (born 2016), Kerry's son with Dean Fairholm: child protection plan,
  then section 20, interim care order, care order, placement order, placed for
  adoption and adopted (the adoption order ends Kerry's and Dean's parental
  responsibility);
- DEMO-MIA (born 2019), Jordan's half-sister (father Lee Brantwood): child in need;
- Craig Ellison, Kerry's husband from 2022 (Jordan's and Mia's step-father);
- DEMO-TWIN-A and DEMO-TWIN-B (born 2023), twins of Kerry and Craig;
- DEMO-UNBORN, expected February 2027: a pre-birth referral in 2026.

The store's clock is simulated: each entry is written down some time after it
happened (usually the same or next day; some much later), so recorded-at is
realistic. The history includes a late entry, a correction, an entry recorded in
error, and one strategy discussion shared by Jordan and Mia (one correlation id).

What was sent to whom is recorded as the standards time it: each meeting's record
circulated (strategy decisions, conference recommendations and minutes, core group
minutes, the CIN plan, looked-after review records), each conference report shared with
the recipients York names, and the professionals told of Jordan's legal status when he
came into care and at each change. All on time but two, on purpose: the ICPC report
reached the chair on 6 April 2021, a working day late (the Easter bank holidays fell in
its 3 working days; York 6.4), and the school, GP and carers were told of the placement
order two days after it was made (York 6.5: within 24 hours). Each entry is written in
the order it was recorded, so none moves another's recorded-at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from adapters.store import EventStore
from domain.events.base import LONDON
from domain.parsing import parse_event
from policies.calendar import WorkingDayCalendar

FAMILY_ID = "FAM-DEMO"
HOME = "Family home, Tang Hall"
"""The household's address label (an area, not an address)."""
JORDAN = "DEMO-JORDAN"
MIA = "DEMO-MIA"
TWIN_A = "DEMO-TWIN-A"
TWIN_B = "DEMO-TWIN-B"
UNBORN = "DEMO-UNBORN"
CHILDREN = (JORDAN, MIA, TWIN_A, TWIN_B, UNBORN)

SW = {"user_id": "sw-014", "role": "social_worker"}
SW2 = {"user_id": "sw-022", "role": "social_worker"}
TM = {"user_id": "tm-003", "role": "team_manager"}
IRO = {"user_id": "iro-007", "role": "independent_reviewing_officer"}
LAWYER = {"user_id": "lg-002", "role": "local_authority_solicitor"}
ADMIN = {"user_id": "bs-005", "role": "business_support"}


IMPACT: dict[tuple[str, str], str] = {
    ("contact_received", "2021-03-08"): "Jordan, 4, was hurt by an adult at home and told his "
    "teacher; he needs to be kept safe while this is looked into.",
    ("referral_received", "2021-03-09"): "Both children live with the adult Jordan named; Mia, "
    "19 months, cannot tell anyone what happens at home.",
    ("referral_decision", "2021-03-09"): "The children's safety is to be planned with police "
    "and health the next day, without alerting the household first.",
    ("strategy_discussion_held", "2021-03-10"): "Agencies share what they know of the "
    "household; Jordan will be seen alone and Mia seen at home within two days.",
    ("section_47_started", "2021-03-10"): "Jordan and Mia will be seen and spoken to; the "
    "family knows the local authority is making enquiries about harm.",
    ("assessment_started", "2021-03-10"): "The children's needs, not only the injury, are "
    "being looked at: nursery, health and home life.",
    ("wishes_and_feelings_recorded", "2021-03-11"): "Jordan says he is frightened when Dean "
    "shouts; his wish for the shouting to stop is the starting point of the plan.",
    ("section_47_concluded", "2021-03-24"): "Jordan is likely to suffer significant harm at "
    "home: his safety needs a multi-agency child protection plan.",
    ("management_decision_recorded", "2021-03-24"): "A conference within 15 working days means "
    "Jordan's safety plan will be agreed by all agencies, with his parents present.",
    ("initial_child_protection_conference_held", "2021-04-08"): "Jordan has a plan that says "
    "who keeps him safe and how often he is seen; his mother agreed to it.",
    ("child_protection_plan_started", "2021-04-08"): "Jordan is seen at least every 20 working "
    "days, alone, and the core group checks the plan is working for him.",
    ("assessment_completed", "2021-04-20"): "Jordan's needs call for protection; Mia's for "
    "support with her development and her mother's capacity to care for two children.",
    ("child_in_need_plan_agreed", "2021-04-26"): "Mia has nursery four days a week and a "
    "health visitor; her mother has help with routines.",
    ("review_child_protection_conference_held", "2021-07-08"): "Jordan is calmer at school "
    "but still frightened at home; the plan continues so that he stays safe.",
    ("child_protection_category_changed", "2021-09-20"): "Jordan is also harmed by what he "
    "sees and hears at home, not only by being hurt: the plan now covers both.",
    ("child_in_need_plan_reviewed", "2021-10-04"): "Mia is meeting her milestones; she is "
    "settled at nursery and attends regularly.",
    ("review_child_protection_conference_held", "2022-01-06"): "Nine months on, Jordan's home "
    "is not safer: waiting longer would leave him at risk of harm.",
    ("legal_planning_meeting_held", "2022-01-20"): "Jordan's parents are told plainly what "
    "must change for him to stay at home, with legal advice for them.",
    ("child_in_need_plan_ended", "2022-01-31"): "Mia's needs are met by her family with early "
    "help; she no longer needs a social worker.",
    ("pre_proceedings_meeting_held", "2022-02-10"): "Jordan's parents have a written plan of "
    "what must change and by when, and a solicitor each.",
    ("pre_proceedings_review_held", "2022-04-28"): "The changes Jordan needs have not been "
    "made; a court will decide where he can safely live.",
    ("management_decision_recorded", "2022-05-19"): "Jordan can be cared for away from the "
    "risk at home, with his mother's agreement, while the court decides.",
    ("child_protection_plan_ended", "2022-05-20"): "Jordan is now safe in foster care; his "
    "safety is planned through his care plan instead.",
    ("became_looked_after", "2022-05-20"): "Jordan, 6, leaves home for the first time; he "
    "will see his mother three times a week.",
    ("placement_started", "2022-05-20"): "Jordan has his own room with carers near his "
    "school, so he keeps his school and friends.",
    ("care_plan_agreed", "2022-05-27"): "Jordan's carers, school and family know the plan: "
    "return home is assessed while adoption is planned in parallel.",
    ("application_issued", "2022-06-01"): "A court will decide Jordan's future within 26 "
    "weeks; he has a children's guardian to speak for him.",
    ("hearing_held", "2022-06-08"): "Jordan stays with his foster carers under an interim "
    "care order while the court hears the evidence.",
    ("health_assessment_completed", "2022-06-10"): "Jordan is healthy; his immunisations are "
    "up to date and he has a dentist.",
    ("looked_after_review_held", "2022-06-16"): "Jordan told his reviewing officer he likes "
    "his carers and misses his sister.",
    ("adoption_decision_made", "2022-10-27"): "Jordan cannot safely return home; adoption "
    "would give him a permanent family through his childhood.",
    ("hearing_held", "2022-11-23"): "The court has decided Jordan will not return home; his "
    "carers help him understand why.",
    ("placed_for_adoption", "2023-06-05"): "Jordan moves to his new family after careful "
    "introductions; his foster carers stay in touch.",
    ("adoption_review_held", "2023-06-29"): "Jordan is settling with his adopters and has "
    "started at his new school.",
    ("ceased_to_be_looked_after", "2023-11-20"): "Jordan is adopted: his adopters are his "
    "parents, and he keeps letterbox contact with his mother and Mia.",
    ("later_life_letter_given", "2024-01-15"): "Jordan will have a letter that tells him his "
    "story when he is old enough to ask.",
    ("order_made", "2022-06-08"): "The local authority shares parental responsibility for "
    "Jordan and can keep him in his foster home while the case is heard.",
    ("looked_after_review_held", "2022-09-08"): "Jordan is doing well at school; contact with "
    "his mother is reliable, but he is upset when she misses it.",
    ("hearing_held", "2022-10-19"): "The evidence about Jordan's future is agreed; he needs "
    "a decision by the final hearing, not more delay.",
    ("order_made", "2022-11-23"): "Jordan is in care until he is 18 unless a court decides "
    "otherwise; his plan is adoption.",
    ("order_made", "2022-12-14"): "Jordan can be placed with adopters; his parents were "
    "told what this means for seeing him.",
    ("looked_after_review_held", "2023-03-02"): "Jordan knows he will move to a new family; "
    "his life-story work has begun with his carers.",
    ("placement_started", "2023-06-05"): "Jordan lives with the family who will adopt him.",
    ("adoption_review_held", "2023-09-28"): "Jordan is settled, calls his adopters mum and "
    "dad, and is ready for the adoption application.",
    ("order_made", "2023-11-20"): "Jordan's adoptive parents have parental responsibility "
    "for him for life; his birth parents no longer do.",
    ("contact_received", "2024-02-12"): "The twins, 5 months, are in the household where "
    "their mother is expecting again and struggling to cope.",
    ("referral_received", "2024-02-13"): "Two babies whose care depends wholly on their "
    "parents; their mother has asked for help.",
    ("referral_decision", "2024-02-13"): "An assessment will show whether the twins need "
    "more than their parents can give with early help.",
    ("assessment_completed", "2024-03-28"): "The twins are well cared for; their parents "
    "accepted support and the babies are thriving.",
    ("referral_received", "2026-09-01"): "The unborn baby's safety after birth depends on "
    "planning now, before the birth in February 2027.",
    ("referral_decision", "2026-09-01"): "Planning for the baby starts early enough for the "
    "parents to show what they can change before the birth.",
}
"""The worker's note of the impact on the child, by (kind, day it happened): most significant
entries of the demo carry one, so the chronology is an analysis, not a list."""


@dataclass
class DemoResult:
    """What the demo wrote: the store URL, the children, and ids of notable events."""

    url: str
    events: int = 0
    ids: dict[str, str] = field(default_factory=dict)
    children: tuple[str, ...] = CHILDREN


class SimulatedClock:
    """The store's clock while the demo writes: set to each entry's recording moment."""

    def __init__(self) -> None:
        self.now = datetime(2020, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _moment(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


class _Writer:
    def __init__(self, store: EventStore, clock: SimulatedClock, result: DemoResult) -> None:
        self.store = store
        self.clock = clock
        self.result = result

    def write(
        self,
        kind: str,
        child: str | list[str],
        occurred: date | datetime,
        summary: str,
        *,
        by: dict[str, str] = SW,
        recorded: datetime | None = None,
        delay: timedelta = timedelta(hours=3),
        name: str | None = None,
        **fields: Any,
    ) -> list[str]:
        """Record one event (on one or several children's records) at a simulated moment."""
        start = occurred if isinstance(occurred, datetime) else _moment(occurred, 9, 30)
        when = recorded or (start + delay)
        self.clock.now = max(self.clock.now, when.astimezone(UTC))
        children = [child] if isinstance(child, str) else child
        occurred_value = occurred.isoformat()
        impact = IMPACT.get(
            (kind, (occurred.date() if isinstance(occurred, datetime) else occurred).isoformat())
        )
        if impact is not None:
            fields.setdefault("impact_on_child", impact)
        if len(children) > 1:
            # one action on several children's records: one correlation id (the family
            # chronology shows it once, naming the children)
            fields.setdefault("correlation_id", f"{kind}:{occurred_value}")
        events = [
            parse_event(
                {
                    "kind": kind,
                    "child_id": c,
                    "occurred_at": occurred_value,
                    "recorded_by": by,
                    "summary": summary,
                    **fields,
                }
            )
            for c in children
        ]
        recorded_events = self.store.record(events)
        self.result.events += len(recorded_events)
        ids = [r.event_id for r in recorded_events]
        if name:
            for c, event_id in zip(children, ids, strict=True):
                self.result.ids[name if len(children) == 1 else f"{name}:{c}"] = event_id
        return ids


def write_demo(url: str, *, encrypt: bool | None = None) -> DemoResult:
    """Write the demo family into the (empty) store at ``url`` (``encrypt``: as
    :class:`EventStore` takes it)."""
    clock = SimulatedClock()
    result = DemoResult(url=url)
    store = EventStore(url, clock=clock, encrypt=encrypt)
    try:
        if store.max_position():
            raise ValueError(
                f"{store.db.describe()} already holds events; the demo needs a fresh store"
            )
        w = _Writer(store, clock, result)
        _register_family(w)
        _jordan_and_mia_2021(w)
        _jordan_proceedings(w)
        _jordan_adoption(w)
        _twins_and_unborn(w)
    finally:
        store.close()
    return result


def _register_family(w: _Writer) -> None:
    d = date(2021, 3, 9)
    common: dict[str, Any] = {"ethnicity": "WBRI", "family_id": FAMILY_ID}
    w.write(
        "child_registered",
        JORDAN,
        d,
        "Record opened following referral from school.",
        first_name="Jordan",
        last_name="Fairholm",
        sex="M",
        date_of_birth="2016-04-12",
        upn="K801200000011",
        case_number="YK-100231",
        name="jordan_registered",
        **common,
    )
    w.write(
        "child_registered",
        MIA,
        d,
        "Record opened for sibling following referral.",
        first_name="Mia",
        last_name="Brantwood",
        sex="F",
        date_of_birth="2019-08-03",
        case_number="YK-100232",
        **common,
    )
    for child in (JORDAN, MIA):
        w.write(
            "authority_recorded",
            child,
            d,
            "Case held by City of York children's social care.",
            authority="york",
            la_code="816",
        )
        w.write(
            "allocated_to_worker",
            child,
            d,
            "Allocated to assessment social worker.",
            by=TM,
            worker_id="sw-014",
            team="Assessment Team North",
        )
    people: list[tuple[str, str, str, str, str, str, dict[str, Any]]] = [
        ("p-mother", "mother", "Kerry", "Ashdown", "F", "1992-07-21", {}),
        (
            "p-father-jordan",
            "father",
            "Dean",
            "Fairholm",
            "M",
            "1989-11-02",
            {"alleged_perpetrator": True},
        ),
        ("p-father-mia", "father", "Lee", "Brantwood", "M", "1990-02-14", {}),
        (
            "p-grandfather",
            "grandparent",
            "Ronald",
            "Ashdown",
            "M",
            "1958-05-30",
            {"deceased": True, "date_of_death": "2020-01-17"},
        ),
    ]
    # Each record holds the people who matter to that child: Jordan's father is not Mia's.
    not_on = {JORDAN: {"p-father-mia"}, MIA: {"p-father-jordan"}}
    for child in (JORDAN, MIA):
        for pid, role, first, last, sex, dob, extra in people:
            if pid in not_on[child]:
                continue
            w.write(
                "person_added",
                child,
                d,
                f"{first} {last} added ({role.replace('_', ' ')}).",
                person_id=pid,
                role=role,
                first_name=first,
                last_name=last,
                sex=sex,
                date_of_birth=dob,
                **extra,
            )
    rels: list[tuple[str, str, str, str, str | None, dict[str, Any]]] = [
        ("r-mother-jordan", "birth_parent", "p-mother", JORDAN, "2016-04-12", {}),
        ("r-father-jordan", "birth_parent", "p-father-jordan", JORDAN, "2016-04-12", {}),
        ("r-pr-mother-jordan", "parental_responsibility", "p-mother", JORDAN, "2016-04-12", {}),
        (
            "r-pr-father-jordan",
            "parental_responsibility",
            "p-father-jordan",
            JORDAN,
            "2016-04-12",
            {},
        ),
        ("r-mother-father-jordan", "separated", "p-mother", "p-father-jordan", "2015-01-01", {}),
        ("r-grandfather-mother", "birth_parent", "p-grandfather", "p-mother", "1992-07-21", {}),
        (
            "r-household-jordan",
            "household_member",
            JORDAN,
            "p-mother",
            "2016-04-12",
            {"household_id": "hh-ashdown", "household_label": HOME},
        ),
        (
            "r-household-mother",
            "household_member",
            "p-mother",
            JORDAN,
            "2016-04-12",
            {"household_id": "hh-ashdown", "household_label": HOME},
        ),
        (
            "r-abuse-dean-jordan",
            "abuse",
            "p-father-jordan",
            JORDAN,
            None,
            {"directed": True, "disputed": True},
        ),
    ]
    for rid, rel, a, b, started, extra in rels:
        w.write(
            "relationship_recorded",
            JORDAN,
            d,
            f"Relationship recorded: {rel.replace('_', ' ')}.",
            relationship_id=rid,
            relationship=rel,
            from_person=a,
            to_person=b,
            started_on=started,
            **extra,
        )
    mia_rels = [
        ("r-mother-mia", "birth_parent", "p-mother", MIA, "2019-08-03"),
        ("r-father-mia", "birth_parent", "p-father-mia", MIA, "2019-08-03"),
        ("r-pr-mother-mia", "parental_responsibility", "p-mother", MIA, "2019-08-03"),
        ("r-mother-father-mia", "separated", "p-mother", "p-father-mia", "2018-01-01"),
        ("r-grandfather-mother", "birth_parent", "p-grandfather", "p-mother", "1992-07-21"),
    ]
    for rid, rel, a, b, started in mia_rels:
        w.write(
            "relationship_recorded",
            MIA,
            d,
            f"Relationship recorded: {rel.replace('_', ' ')}.",
            relationship_id=rid,
            relationship=rel,
            from_person=a,
            to_person=b,
            started_on=started,
        )
    _lives_at_home(w, MIA, MIA, "2019-08-03", d)


def _lives_at_home(w: _Writer, record: str, person: str, since: str, day: date) -> None:
    """``person`` lives in the family home (recorded on ``record``'s record)."""
    w.write(
        "relationship_recorded",
        record,
        day,
        "Lives in the family home.",
        relationship_id=f"r-household-{person.lower()}",
        relationship="household_member",
        from_person=person,
        to_person="p-mother",
        started_on=since,
        household_id="hh-ashdown",
        household_label=HOME,
    )


def _jordan_and_mia_2021(w: _Writer) -> None:
    w.write(
        "contact_received",
        JORDAN,
        _moment(date(2021, 3, 8), 14, 5),
        "School reported bruising to Jordan's upper arm.",
        by=ADMIN,
        source_type="2A",
        concern="Bruising to upper arm; Jordan said 'Dean grabbed me'.",
        source="CT-21-0881",
        agency="Hillside Primary School",
    )
    w.write(
        "referral_received",
        [JORDAN, MIA],
        _moment(date(2021, 3, 9), 9, 15),
        "Referral from school: bruising to Jordan; Mia in the same household.",
        by=ADMIN,
        referral_source="2A",
        reason="Physical injury with a disclosure.",
        primary_need="N1",
        consent="consent_not_required_safeguarding",
        source="RF-21-0412",
        name="referral",
    )
    w.write(
        "referral_decision",
        [JORDAN, MIA],
        _moment(date(2021, 3, 9), 11, 40),
        "Threshold for a strategy discussion met.",
        by=TM,
        outcome="strategy_discussion",
        rationale="Injury to a child with a disclosure naming a household adult.",
        decided_by="tm-003",
    )
    w.write(
        "strategy_discussion_held",
        [JORDAN, MIA],
        _moment(date(2021, 3, 10), 10, 0),
        "Strategy discussion with police and health: joint section 47 enquiry.",
        agencies_present=["police", "health", "childrens_social_care", "education"],
        urgency="urgent",
        decision="section_47",
        rationale="Disclosure of physical harm; sibling in the household.",
        correlation_id="SD-2021-03-10",
        name="strategy",
        source="SD-21-0107",
    )
    w.write("section_47_started", [JORDAN, MIA], date(2021, 3, 10), "Section 47 enquiry started.")
    w.write("assessment_started", [JORDAN, MIA], date(2021, 3, 10), "Single assessment started.")
    w.write(
        "minutes_circulated",
        [JORDAN, MIA],
        _moment(date(2021, 3, 10), 16, 0),
        "Strategy discussion decisions sent to police, health and school.",
        meeting_type="strategy",
        meeting_date="2021-03-10",
        record="decisions",
        recipients=["agencies"],
    )
    w.write(
        "child_visited",
        JORDAN,
        _moment(date(2021, 3, 11), 15, 30),
        "Jordan seen at home and alone in his bedroom.",
        seen=True,
        seen_alone=True,
        location="home",
        statutory=True,
        announced=False,
        bedroom_seen=True,
        home_conditions="Cluttered; food in the fridge.",
        visitor_id="sw-014",
    )
    w.write(
        "wishes_and_feelings_recorded",
        JORDAN,
        date(2021, 3, 11),
        "Jordan's words about home.",
        in_childs_words="I want Dean to stop shouting.",
        method="three houses",
    )
    w.write(
        "child_visited",
        MIA,
        _moment(date(2021, 3, 11), 16, 10),
        "Mia seen with mother.",
        seen=True,
        seen_alone=False,
        location="home",
        statutory=True,
        announced=False,
    )
    w.write(
        "section_47_concluded",
        JORDAN,
        date(2021, 3, 24),
        "Concerns substantiated: initial child protection conference.",
        outcome="icpc",
        rationale="Non-accidental injury likely; pattern of harsh physical chastisement.",
    )
    w.write(
        "section_47_concluded",
        MIA,
        date(2021, 3, 24),
        "Not at continuing risk of significant harm; child in need.",
        outcome="cin",
    )
    w.write(
        "management_decision_recorded",
        JORDAN,
        date(2021, 3, 24),
        "Manager agrees to convene an ICPC.",
        by=TM,
        decision="Convene ICPC within 15 working days.",
        rationale="Section 47 substantiated physical harm.",
        manager_id="tm-003",
    )
    w.write(
        "meeting_scheduled",
        JORDAN,
        date(2021, 3, 25),
        "ICPC booked.",
        by=ADMIN,
        meeting_type="initial_conference",
        scheduled_for="2021-04-08",
    )
    w.write(
        "report_shared",
        JORDAN,
        date(2021, 4, 6),
        "Conference report shared with parents.",
        meeting_type="initial_conference",
        meeting_date="2021-04-08",
        shared_with=["p-mother", "p-father-jordan"],
        recipients=["parents"],
    )
    # York 6.4 wants the reports with the chair 3 working days before: 1 April, before the
    # Easter bank holidays. The chair's copy went on the first working day after them.
    w.write(
        "report_shared",
        JORDAN,
        _moment(date(2021, 4, 6), 11, 0),
        "Conference report sent to the Independent Chair (late: after the Easter break).",
        meeting_type="initial_conference",
        meeting_date="2021-04-08",
        shared_with=["cp-chair-2"],
        recipients=["chair"],
        name="chair_report",
    )
    w.write(
        "initial_child_protection_conference_held",
        JORDAN,
        _moment(date(2021, 4, 8), 10),
        "ICPC: Jordan to be subject of a child protection plan (physical abuse).",
        decision="child_protection_plan",
        category_of_abuse="PHY",
        chair="cp-chair-2",
        source="ICPC-21-044",
    )
    w.write(
        "child_protection_plan_started",
        JORDAN,
        date(2021, 4, 8),
        "Child protection plan started: physical abuse.",
        category_of_abuse="PHY",
        name="cp_plan",
    )
    _circulate(w, "initial_conference", date(2021, 4, 8), "recommendations")
    w.write(
        "core_group_held",
        JORDAN,
        date(2021, 4, 19),
        "First core group meeting.",
        attendees=["school", "health visitor", "mother"],
        name="core_group",
    )
    w.write(
        "assessment_completed",
        [JORDAN, MIA],
        date(2021, 4, 20),
        "Single assessment completed.",
        factors=["3B", "18B", "2B"],
        primary_need="N1",
        recommendation="Jordan: CP plan. Mia: CIN plan.",
    )
    w.write(
        "minutes_circulated",
        JORDAN,
        date(2021, 4, 21),
        "Core group minutes sent to the core group members.",
        meeting_type="core_group",
        meeting_date="2021-04-19",
        recipients=["parents", "agencies"],
    )
    w.write(
        "assessment_authorised",
        [JORDAN, MIA],
        date(2021, 4, 22),
        "Assessment authorised by team manager.",
        by=TM,
        authorised_by="tm-003",
    )
    w.write("child_in_need_plan_agreed", MIA, date(2021, 4, 26), "CIN plan agreed for Mia.")
    _circulate(w, "initial_conference", date(2021, 4, 8), "minutes")
    # A visit written up three weeks late.
    w.write(
        "child_visited",
        JORDAN,
        _moment(date(2021, 5, 6), 16, 0),
        "Jordan seen alone at school; said things are calmer.",
        seen=True,
        seen_alone=True,
        location="school",
        statutory=True,
        announced=True,
        recorded=_moment(date(2021, 5, 27), 17, 45),
        name="late_visit",
    )
    w.write(
        "child_visited",
        JORDAN,
        _moment(date(2021, 5, 27), 15, 0),
        "Jordan seen at home; Dean present.",
        seen=True,
        seen_alone=False,
        location="home",
        statutory=True,
        announced=True,
        bedroom_seen=False,
    )
    w.write(
        "supervision_held",
        JORDAN,
        date(2021, 6, 2),
        "Case discussed in supervision.",
        by=TM,
        supervisor_id="tm-003",
        worker_id="sw-014",
        actions="Seek Jordan's views alone before the review conference.",
    )
    w.write(
        "child_in_need_meeting_held",
        MIA,
        date(2021, 6, 7),
        "CIN network meeting.",
        attendees=["nursery", "mother"],
    )
    # An entry written on the wrong child's record, then marked as recorded in error.
    wrong = w.write(
        "case_note_recorded",
        JORDAN,
        date(2021, 6, 9),
        "Nursery attendance call.",
        note="Nursery reports Mia attending 4 days a week.",
        name="wrong_note",
    )
    w.write(
        "entry_recorded_in_error",
        JORDAN,
        date(2021, 6, 10),
        "Note belonged on Mia's record.",
        target_event_id=wrong[0],
        reason="Recorded on the wrong child's record.",
        name="in_error",
    )
    w.write(
        "case_note_recorded",
        MIA,
        date(2021, 6, 10),
        "Nursery attendance call.",
        note="Nursery reports Mia attending 4 days a week.",
    )
    w.write(
        "minutes_circulated",
        MIA,
        date(2021, 6, 10),
        "Copy of Mia's CIN plan sent to her mother and the nursery.",
        meeting_type="child_in_need_meeting",
        meeting_date="2021-06-07",
        record="plan",
        recipients=["parents", "agencies"],
    )
    w.write(
        "child_visited",
        JORDAN,
        _moment(date(2021, 6, 24), 16, 0),
        "Jordan seen alone.",
        seen=True,
        seen_alone=True,
        location="home",
        statutory=True,
        announced=False,
    )
    w.write(
        "review_child_protection_conference_held",
        JORDAN,
        date(2021, 7, 8),
        "RCPC: plan continues.",
        decision="continue_plan",
        category_of_abuse="PHY",
    )
    # A correction: the core group's attendance was recorded wrongly.
    w.write(
        "entry_corrected",
        JORDAN,
        date(2021, 7, 9),
        "Core group attendance corrected.",
        target_event_id=w.result.ids["core_group"],
        changes={"attendees": ["school", "health visitor", "mother", "Dean Fairholm"]},
        reason="Father attended; omitted from the original entry.",
        name="correction",
    )
    _circulate(w, "review_conference", date(2021, 7, 8), "recommendations")
    _circulate(w, "review_conference", date(2021, 7, 8), "minutes")
    w.write(
        "child_protection_category_changed",
        JORDAN,
        date(2021, 9, 20),
        "Category changed to multiple (physical and emotional).",
        category_of_abuse="MUL",
    )
    w.write(
        "child_in_need_plan_reviewed",
        MIA,
        date(2021, 10, 4),
        "CIN review: continue.",
        outcome="Continue the plan for three months.",
    )
    w.write(
        "child_visited",
        JORDAN,
        _moment(date(2021, 10, 14), 15, 30),
        "Jordan seen alone.",
        seen=True,
        seen_alone=True,
        location="school",
        statutory=True,
        announced=True,
    )
    w.write(
        "review_child_protection_conference_held",
        JORDAN,
        date(2022, 1, 6),
        "RCPC: insufficient progress; legal advice to be sought.",
        decision="continue_plan",
        category_of_abuse="MUL",
    )
    _circulate(w, "review_conference", date(2022, 1, 6), "recommendations")


_CONFERENCE_RECORDS = {"recommendations": 1, "minutes": 15}
"""Working days after a conference that each record of it is sent out (Shropshire 10.6 asks
1 and 20; York names none)."""


def _circulate(w: _Writer, meeting: str, held: date, record: str) -> None:
    """A conference record of Jordan's, sent to his family and those invited."""
    sent = WorkingDayCalendar().add_working_days(held, _CONFERENCE_RECORDS[record])
    name = "Conference" if meeting == "initial_conference" else "Review conference"
    w.write(
        "minutes_circulated",
        JORDAN,
        _moment(sent, 12, 0),
        f"{name} {record} sent to the parents and those invited.",
        by=ADMIN,
        meeting_type=meeting,
        meeting_date=held.isoformat(),
        record=record,
        recipients=["parents", "agencies"],
    )


def _review_record(w: _Writer, held: date, sent: date) -> None:
    """The IRO's record of a looked-after review, sent to the family, carers and agencies."""
    w.write(
        "minutes_circulated",
        JORDAN,
        _moment(sent, 12, 0),
        "Looked-after review record sent to Jordan's parents, carers and the agencies.",
        by=IRO,
        meeting_type="looked_after_review",
        meeting_date=held.isoformat(),
        record="minutes",
        recipients=["parents", "carers", "agencies"],
    )


def _legal_status_told(w: _Writer, when: datetime, order: str, name: str | None = None) -> None:
    """The professionals around Jordan told of his new legal status (York 6.5)."""
    w.write(
        "information_given",
        JORDAN,
        when,
        f"School, GP and carers told Jordan is now looked after under {order}.",
        subject="legal_status",
        recipients=["agencies", "carers"],
        name=name,
    )


def _jordan_proceedings(w: _Writer) -> None:
    w.write(
        "legal_planning_meeting_held",
        JORDAN,
        date(2022, 1, 20),
        "Legal planning meeting: threshold met; enter pre-proceedings.",
        by=LAWYER,
        decision="Pre-proceedings under the Public Law Outline.",
        threshold_met=True,
    )
    w.write(
        "letter_before_proceedings_sent",
        JORDAN,
        date(2022, 1, 27),
        "Letter before proceedings sent to both parents.",
        by=LAWYER,
    )
    _circulate(w, "review_conference", date(2022, 1, 6), "minutes")
    w.write(
        "child_in_need_plan_ended",
        MIA,
        date(2022, 1, 31),
        "CIN plan ended: needs met.",
        reason="Needs met; family support continues through early help.",
    )
    w.write("case_closed", MIA, date(2022, 2, 7), "Mia's case closed.", by=TM, reason="RC7")
    w.write(
        "pre_proceedings_meeting_held",
        JORDAN,
        date(2022, 2, 10),
        "Pre-proceedings meeting with parents and their solicitors.",
    )
    w.write(
        "person_added",
        JORDAN,
        date(2022, 3, 5),
        "Craig Ellison added (step-father).",
        person_id="p-stepfather",
        role="step_parent",
        first_name="Craig",
        last_name="Ellison",
        sex="M",
        date_of_birth="1988-09-09",
    )
    w.write(
        "relationship_recorded",
        JORDAN,
        date(2022, 3, 5),
        "Mother married Craig Ellison.",
        relationship_id="r-mother-craig",
        relationship="married",
        from_person="p-mother",
        to_person="p-stepfather",
        started_on="2022-03-05",
    )
    w.write(
        "relationship_recorded",
        JORDAN,
        date(2022, 3, 5),
        "Craig Ellison is Jordan's step-father.",
        relationship_id="r-step-jordan",
        relationship="step_parent",
        from_person="p-stepfather",
        to_person=JORDAN,
        started_on="2022-03-05",
    )
    _lives_at_home(w, JORDAN, "p-stepfather", "2022-03-05", date(2022, 3, 5))
    w.write(
        "pre_proceedings_review_held",
        JORDAN,
        date(2022, 4, 28),
        "Pre-proceedings review: issue care proceedings.",
        outcome="Issue proceedings.",
    )
    w.write(
        "management_decision_recorded",
        JORDAN,
        date(2022, 5, 19),
        "Head of service agrees accommodation under section 20 with mother's consent.",
        by=TM,
        decision="Accommodate under s20 pending proceedings.",
        rationale="Mother requests respite; risk from Dean unmanaged at home.",
        manager_id="hos-001",
    )
    w.write(
        "child_protection_plan_ended",
        JORDAN,
        date(2022, 5, 20),
        "CP plan ended: Jordan now looked after.",
        reason="Child became looked after.",
    )
    w.write(
        "became_looked_after",
        JORDAN,
        _moment(date(2022, 5, 20), 17, 0),
        "Jordan accommodated under section 20.",
        legal_status="V2",
        legal_basis="Children Act 1989 s20",
        category_of_need="N1",
        home_postcode="YO1 7AB",  # real York postcodes: the 903 validator looks them up
        name="became_lac",
    )
    w.write(
        "placement_started",
        JORDAN,
        _moment(date(2022, 5, 20), 18, 0),
        "Placed with local authority foster carers.",
        placement_id="pl-01",
        placement_type="U6",
        provider="PR1",
        provider_urn="SC481223",  # the LA fostering service's Ofsted URN (903 rule 218)
        carer="Foster carers FC-0311",
        postcode="YO1 7AD",
        placement_la="816",  # York
    )
    w.write(
        "information_given",
        JORDAN,
        _moment(date(2022, 5, 20), 18, 30),
        "School, GP and health visitor told Jordan is accommodated under section 20.",
        subject="legal_status",
        recipients=["agencies"],
    )
    w.write(
        "health_assessment_requested",
        JORDAN,
        date(2022, 5, 23),
        "Initial health assessment requested.",
        assessment="initial",
    )
    w.write(
        "information_given",
        JORDAN,
        _moment(date(2022, 5, 23), 9, 30),
        "IRO service notified that Jordan is looked after.",
        subject="became_looked_after",
        recipients=["iro"],
    )
    w.write(
        "placement_plan_completed",
        JORDAN,
        date(2022, 5, 24),
        "Placement plan completed.",
        placement_id="pl-01",
    )
    w.write(
        "child_visited",
        JORDAN,
        _moment(date(2022, 5, 26), 16, 0),
        "Jordan seen alone in placement.",
        seen=True,
        seen_alone=True,
        location="placement",
        statutory=True,
        announced=True,
    )
    w.write(
        "information_given",
        JORDAN,
        _moment(date(2022, 5, 26), 16, 45),
        "Jordan given the children in care leaflet: his rights, his IRO, how to complain.",
        subject="rights",
        recipients=["child", "carers"],
    )
    w.write(
        "care_plan_agreed",
        JORDAN,
        date(2022, 5, 27),
        "Care plan agreed.",
        permanence_option="Assessment of return home in parallel with adoption",
    )
    w.write(
        "application_issued",
        JORDAN,
        date(2022, 6, 1),
        "Care proceedings issued.",
        by=LAWYER,
        court="Family Court at Testbury",
        court_number="TB22C00417",
        order_sought="care_order",
    )
    w.write(
        "hearing_held",
        JORDAN,
        date(2022, 6, 8),
        "Case management hearing: interim care order.",
        by=LAWYER,
        hearing="case_management",
        court="Family Court at Testbury",
        outcome="Interim care order made.",
        next_hearing_on="2022-10-19",
    )
    w.write(
        "order_made",
        JORDAN,
        date(2022, 6, 8),
        "Interim care order.",
        by=LAWYER,
        order="interim_care_order",
        court="Family Court at Testbury",
        name="ico",
    )
    w.write(
        "legal_status_changed",
        JORDAN,
        date(2022, 6, 8),
        "Legal status now interim care order.",
        legal_status="C1",
    )
    _legal_status_told(w, _moment(date(2022, 6, 8), 16, 0), "an interim care order")
    w.write(
        "health_assessment_completed",
        JORDAN,
        date(2022, 6, 10),
        "Initial health assessment completed.",
        assessment="initial",
        immunisations_up_to_date=True,
        teeth_checked=True,
    )
    w.write(
        "looked_after_review_held",
        JORDAN,
        date(2022, 6, 16),
        "First looked-after review.",
        by=IRO,
        participation="PN1",
        iro_id="iro-007",
        plan_changed=False,
    )
    w.write(
        "child_visited",
        JORDAN,
        _moment(date(2022, 7, 5), 16, 0),
        "Jordan seen alone.",
        seen=True,
        seen_alone=True,
        location="placement",
        statutory=True,
        announced=True,
    )
    _review_record(w, date(2022, 6, 16), date(2022, 7, 7))
    w.write("pep_meeting_held", JORDAN, date(2022, 7, 12), "Personal education plan meeting.")
    w.write(
        "looked_after_review_held",
        JORDAN,
        date(2022, 9, 8),
        "Second looked-after review.",
        by=IRO,
        participation="PN1",
        iro_id="iro-007",
        plan_changed=False,
    )
    _review_record(w, date(2022, 9, 8), date(2022, 9, 29))
    w.write(
        "hearing_held",
        JORDAN,
        date(2022, 10, 19),
        "Issues resolution hearing.",
        by=LAWYER,
        hearing="issues_resolution",
        outcome="Final hearing listed.",
    )
    w.write(
        "adoption_decision_made",
        JORDAN,
        date(2022, 10, 27),
        "Agency decision maker: Jordan should be placed for adoption.",
        by=TM,
    )
    w.write(
        "hearing_held",
        JORDAN,
        date(2022, 11, 23),
        "Final hearing.",
        by=LAWYER,
        hearing="final",
        outcome="Care order and placement order made.",
    )
    w.write(
        "order_made",
        JORDAN,
        date(2022, 11, 23),
        "Care order.",
        by=LAWYER,
        order="care_order",
        court="Family Court at Testbury",
        name="care_order",
    )
    w.write(
        "legal_status_changed",
        JORDAN,
        date(2022, 11, 23),
        "Legal status now care order.",
        legal_status="C2",
    )
    _legal_status_told(w, _moment(date(2022, 11, 23), 16, 30), "a care order")
    w.write(
        "order_made",
        JORDAN,
        date(2022, 12, 14),
        "Placement order.",
        by=LAWYER,
        order="placement_order",
        court="Family Court at Testbury",
        name="placement_order",
    )
    w.write(
        "legal_status_changed",
        JORDAN,
        date(2022, 12, 14),
        "Legal status now placement order.",
        legal_status="E1",
    )
    # told two days late (York 6.5: within 24 hours): the demo's deliberate miss
    _legal_status_told(
        w, _moment(date(2022, 12, 16), 11, 0), "a placement order", name="placement_order_told"
    )


def _jordan_adoption(w: _Writer) -> None:
    w.write(
        "looked_after_review_held",
        JORDAN,
        date(2023, 3, 2),
        "Third looked-after review.",
        by=IRO,
        participation="PN1",
        iro_id="iro-007",
        plan_changed=True,  # the plan is now adoption (York: noted within 48 hours)
    )
    _review_record(w, date(2023, 3, 2), date(2023, 3, 23))
    w.write(
        "placement_ended",
        JORDAN,
        _moment(date(2023, 6, 5), 10),
        "Left foster placement.",
        placement_id="pl-01",
        reason="CARPL",
    )
    w.write(
        "placement_started",
        JORDAN,
        _moment(date(2023, 6, 5), 12),
        "Placed with adopters.",
        placement_id="pl-02",
        placement_type="A4",
        provider="PR1",
        provider_urn="SC481224",
        carer="Prospective adopters AD-0091",
        postcode="YO1 7AE",
        placement_la="816",
    )
    w.write(
        "placed_for_adoption",
        JORDAN,
        date(2023, 6, 5),
        "Placed for adoption.",
        placement_id="pl-02",
        adopters_sex="MF",
        adopters_legal_status="L11",  # a couple; L0 is a single adopter (903 rule 514)
        number_of_adopters=2,
    )
    w.write(
        "child_visited",
        JORDAN,
        _moment(date(2023, 6, 12), 16, 0),
        "Jordan seen alone.",
        seen=True,
        seen_alone=True,
        location="placement",
        statutory=True,
        announced=True,
    )
    w.write("adoption_review_held", JORDAN, date(2023, 6, 29), "First adoption review.", by=IRO)
    w.write("adoption_review_held", JORDAN, date(2023, 9, 28), "Second adoption review.", by=IRO)
    w.write(
        "person_added",
        JORDAN,
        date(2023, 11, 20),
        "Adoptive parent added.",
        person_id="p-adopter-1",
        role="adoptive_parent",
        first_name="Sam",
        last_name="Whitlow",
        sex="F",
    )
    w.write(
        "order_made",
        JORDAN,
        date(2023, 11, 20),
        "Adoption order: parental responsibility passes to the adopters.",
        by=LAWYER,
        order="adoption_order",
        court="Family Court at Testbury",
        parental_responsibility_granted_to=["p-adopter-1"],
        parental_responsibility_ended_for=["p-mother", "p-father-jordan"],
        name="adoption_order",
    )
    for rid in ("r-pr-mother-jordan", "r-pr-father-jordan"):
        w.write(
            "relationship_ended",
            JORDAN,
            date(2023, 11, 20),
            "Parental responsibility ended by the adoption order.",
            relationship_id=rid,
            ended_on="2023-11-20",
            reason="Adoption order",
        )
    w.write(
        "relationship_recorded",
        JORDAN,
        date(2023, 11, 20),
        "Adoptive parent link.",
        relationship_id="r-adopter-jordan",
        relationship="adoptive_parent",
        from_person="p-adopter-1",
        to_person=JORDAN,
        started_on="2023-11-20",
    )
    w.write(
        "placement_ended",
        JORDAN,
        _moment(date(2023, 11, 20), 15),
        "Adopted.",
        placement_id="pl-02",
        reason="CARPL",
    )
    w.write(
        "ceased_to_be_looked_after",
        JORDAN,
        _moment(date(2023, 11, 20), 16),
        "Ceased to be looked after: adopted.",
        reason="E11",
    )
    w.write("later_life_letter_given", JORDAN, date(2024, 1, 15), "Later life letter given.")
    w.write("case_closed", JORDAN, date(2024, 1, 22), "Case closed: adopted.", by=TM, reason="RC1")


def _twins_and_unborn(w: _Writer) -> None:
    born = date(2023, 5, 20)
    for child, first, sex in ((TWIN_A, "Ava", "F"), (TWIN_B, "Ethan", "M")):
        w.write(
            "child_registered",
            child,
            date(2024, 2, 12),
            "Record opened after a contact from the health visitor.",
            first_name=first,
            last_name="Ellison",
            sex=sex,
            date_of_birth=born.isoformat(),
            ethnicity="WBRI",
            family_id=FAMILY_ID,
        )
        w.write(
            "authority_recorded",
            child,
            date(2024, 2, 12),
            "City of York.",
            authority="york",
            la_code="816",
        )
        w.write(
            "person_added",
            child,
            date(2024, 2, 12),
            "Mother added.",
            person_id="p-mother",
            role="mother",
            first_name="Kerry",
            last_name="Ashdown",
            sex="F",
            date_of_birth="1992-07-21",
        )
        w.write(
            "person_added",
            child,
            date(2024, 2, 12),
            "Father added.",
            person_id="p-stepfather",
            role="father",
            first_name="Craig",
            last_name="Ellison",
            sex="M",
            date_of_birth="1988-09-09",
        )
        for parent in ("p-mother", "p-stepfather"):
            w.write(
                "relationship_recorded",
                child,
                date(2024, 2, 12),
                "Birth parent.",
                relationship_id=f"r-{parent}-{child}",
                relationship="birth_parent",
                from_person=parent,
                to_person=child,
                started_on=born.isoformat(),
            )
            w.write(
                "relationship_recorded",
                child,
                date(2024, 2, 12),
                "Parental responsibility.",
                relationship_id=f"r-pr-{parent}-{child}",
                relationship="parental_responsibility",
                from_person=parent,
                to_person=child,
                started_on=born.isoformat(),
            )
        w.write(
            "relationship_recorded",
            child,
            date(2024, 2, 12),
            "Parents are married.",
            relationship_id="r-mother-craig",
            relationship="married",
            from_person="p-mother",
            to_person="p-stepfather",
            started_on="2022-03-05",
        )
    w.write(
        "person_added",
        TWIN_A,
        date(2024, 2, 12),
        "Twin brother added.",
        person_id=TWIN_B,
        role="sibling",
        first_name="Ethan",
        last_name="Ellison",
        sex="M",
        date_of_birth=born.isoformat(),
        is_child_record=TWIN_B,
    )
    w.write(
        "relationship_recorded",
        TWIN_A,
        date(2024, 2, 12),
        "Ava and Ethan are twins.",
        relationship_id="r-twins",
        relationship="twin",
        from_person=TWIN_A,
        to_person=TWIN_B,
        started_on=born.isoformat(),
    )
    for twin in (TWIN_A, TWIN_B):
        _lives_at_home(w, twin, twin, born.isoformat(), date(2024, 2, 12))
    w.write(
        "contact_received",
        [TWIN_A, TWIN_B],
        _moment(date(2024, 2, 12), 11),
        "Health visitor concerned about missed appointments.",
        by=ADMIN,
        source_type="3B",
        concern="Three missed developmental checks.",
    )
    w.write(
        "referral_received",
        [TWIN_A, TWIN_B],
        _moment(date(2024, 2, 13), 9),
        "Referral from health visitor.",
        by=ADMIN,
        referral_source="3B",
        reason="Missed health appointments.",
        primary_need="N5",
        consent="consent_given",
    )
    w.write(
        "referral_decision",
        [TWIN_A, TWIN_B],
        _moment(date(2024, 2, 13), 15),
        "Single assessment to be completed.",
        by=TM,
        outcome="single_assessment",
        rationale="Possible neglect of health needs; consent given.",
        decided_by="tm-003",
    )
    w.write(
        "assessment_started",
        [TWIN_A, TWIN_B],
        date(2024, 2, 14),
        "Single assessment started.",
        by=SW2,
    )
    w.write(
        "child_visited",
        [TWIN_A, TWIN_B],
        _moment(date(2024, 2, 20), 11),
        "Twins seen at home with both parents.",
        by=SW2,
        seen=True,
        seen_alone=False,
        location="home",
        statutory=False,
        announced=True,
        bedroom_seen=True,
        home_conditions="Adequate.",
    )
    w.write(
        "assessment_completed",
        [TWIN_A, TWIN_B],
        date(2024, 3, 28),
        "Assessment completed: no further action.",
        by=SW2,
        factors=["16A"],
        primary_need="N5",
        recommendation="Close with universal services support.",
    )
    w.write(
        "assessment_authorised",
        [TWIN_A, TWIN_B],
        date(2024, 4, 2),
        "Assessment authorised.",
        by=TM,
        authorised_by="tm-003",
    )
    w.write(
        "case_closed",
        [TWIN_A, TWIN_B],
        date(2024, 4, 3),
        "Case closed after assessment.",
        by=TM,
        reason="RC8",
    )
    # A pre-birth referral for an unborn sibling.
    d = date(2026, 9, 1)
    w.write(
        "child_registered",
        UNBORN,
        d,
        "Pre-birth record opened.",
        first_name="Baby",
        last_name="Ellison",
        sex="U",
        expected_date_of_birth="2027-02-10",
        ethnicity="WBRI",
        family_id=FAMILY_ID,
    )
    w.write("authority_recorded", UNBORN, d, "City of York.", authority="york", la_code="816")
    for pid, role, first, last, sex, dob in (
        ("p-mother", "mother", "Kerry", "Ashdown", "F", "1992-07-21"),
        ("p-stepfather", "father", "Craig", "Ellison", "M", "1988-09-09"),
    ):
        w.write(
            "person_added",
            UNBORN,
            d,
            f"{first} {last} added ({role}).",
            person_id=pid,
            role=role,
            first_name=first,
            last_name=last,
            sex=sex,
            date_of_birth=dob,
        )
        w.write(
            "relationship_recorded",
            UNBORN,
            d,
            "Expected parent.",
            relationship_id=f"r-{pid}-{UNBORN}",
            relationship="birth_parent",
            from_person=pid,
            to_person=UNBORN,
        )
    w.write(
        "referral_received",
        UNBORN,
        _moment(d, 10),
        "Pre-birth referral from midwife.",
        by=ADMIN,
        referral_source="3F",
        reason="Sibling previously adopted; pre-birth assessment.",
        primary_need="N1",
        consent="consent_given",
    )
    w.write(
        "referral_decision",
        UNBORN,
        _moment(d, 15),
        "Pre-birth assessment.",
        by=TM,
        outcome="single_assessment",
        rationale="Previous child adopted from this mother.",
        decided_by="tm-003",
    )
    w.write("assessment_started", UNBORN, date(2026, 9, 3), "Pre-birth assessment started.", by=SW2)
    w.write(
        "allocated_to_worker",
        UNBORN,
        date(2026, 9, 3),
        "Allocated.",
        by=TM,
        worker_id="sw-022",
        team="Assessment Team North",
    )


if __name__ == "__main__":  # pragma: no cover
    import sys

    print(write_demo(sys.argv[1] if len(sys.argv) > 1 else "sqlite:///demo.db"))
