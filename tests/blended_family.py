"""A synthetic blended family and an adoption path, as recorded histories (no database).

Every entry goes through :class:`domain.child_record.ChildRecord`, so the fixture obeys
the same rules the store enforces. Entries are recorded, by default, at 17:00 UTC on the
day they happened; ``recorded=`` writes one down later (a late entry).

The family (family id ``FAM-BLEND``; all names invented):

- Kai Rowan (``C-KAI``, boy, born 2018-05-02): the index child. Looked after under s20,
  then an interim care order, a care order and a placement order; placed for adoption
  and adopted. The adoption order ends his birth parents' parental responsibility and
  gives it to his adopters.
- Dana Rowan (``p-mum``): mother of Kai, the twins, Mia and the unborn baby.
- Lee Hart (``p-dad``): father of Kai and the twins; married Dana 2012, separated 2019,
  divorced 2021; now cohabiting with Jo Ellis (``p-jo``, sex unknown, non-binary).
- Sam Okafor (``p-sam``): Dana's husband since 2022, Kai's step-father, father of Mia
  (``C-MIA``, Kai's half-sister) and of the unborn baby (``C-UNBORN``, due 2026-09-01).
- Twins Ada and Ben Rowan (``C-TWIN-A``, ``C-TWIN-B``): Kai's full siblings.
- Pat Rowan (``p-gran``): Dana's mother, died 2023-11-02; married to Ray Rowan
  (``p-grandad``).
- Foster carer Chris Dale (``p-foster``) and adopters Alex and Robin Penn
  (``p-adopt-1``, ``p-adopt-2``).
- Professionals in the ecomap: social worker (``prof-sw``) and health visitor (``prof-hv``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from domain.child_record import ChildRecord
from domain.envelope import RecordedEvent
from domain.events.base import LONDON
from tests.factories import example

FAMILY = "FAM-BLEND"
KAI, MIA, TWIN_A, TWIN_B, UNBORN = "C-KAI", "C-MIA", "C-TWIN-A", "C-TWIN-B", "C-UNBORN"


class Ledger:
    """Recorded histories for several children, built in memory through the aggregate."""

    def __init__(self) -> None:
        self.records: dict[str, ChildRecord] = {}
        self.ids: dict[str, str] = {}
        self._counter = itertools.count(1)

    def add(
        self,
        kind: str,
        child: str,
        occurred: date | datetime | str,
        *,
        recorded: datetime | None = None,
        name: str | None = None,
        **fields: Any,
    ) -> RecordedEvent:
        """Record one entry; ``name`` remembers its event id in ``self.ids``."""
        when = date.fromisoformat(occurred) if isinstance(occurred, str) else occurred
        event = example(kind, child, when, **fields)
        if recorded is None:
            day = event.occurred_date
            recorded = datetime.combine(day, time(17, 0), tzinfo=UTC)
            if isinstance(when, datetime):
                recorded = max(recorded, when.astimezone(UTC) + timedelta(minutes=30))
        record = self.records.setdefault(child, ChildRecord(child))
        decision = record.record(
            [event], recorded_at=recorded, new_id=lambda: f"ev-{next(self._counter):04d}"
        )
        record.commit(decision)
        item = decision.new[0]
        if name:
            self.ids[name] = item.event_id
        return item

    def stream(self, child: str) -> list[RecordedEvent]:
        return list(self.records[child].history)

    def all(self) -> Iterator[RecordedEvent]:
        for child in sorted(self.records):
            yield from self.records[child].history


def _person(ledger: Ledger, child: str, occurred: str, person_id: str, **fields: Any) -> None:
    ledger.add("person_added", child, occurred, person_id=person_id, **fields)


def _tie(
    ledger: Ledger, child: str, occurred: str, rid: str, kind: str, a: str, b: str, **fields: Any
) -> None:
    fields.setdefault("started_on", None)
    ledger.add(
        "relationship_recorded",
        child,
        occurred,
        relationship_id=rid,
        relationship=kind,
        from_person=a,
        to_person=b,
        **fields,
    )


def _end(ledger: Ledger, child: str, occurred: str, rid: str, reason: str) -> None:
    ledger.add(
        "relationship_ended", child, occurred, relationship_id=rid, ended_on=occurred, reason=reason
    )


ADULTS: dict[str, dict[str, Any]] = {
    "p-mum": {
        "role": "mother",
        "first_name": "Dana",
        "last_name": "Rowan",
        "sex": "F",
        "date_of_birth": "1990-07-11",
    },
    "p-dad": {
        "role": "father",
        "first_name": "Lee",
        "last_name": "Hart",
        "sex": "M",
        "date_of_birth": "1987-02-20",
        "alleged_perpetrator": True,
    },
    "p-jo": {
        "role": "parents_partner",
        "first_name": "Jo",
        "last_name": "Ellis",
        "sex": "U",
        "gender_identity": "non-binary",
        "date_of_birth": "1991-09-09",
    },
    "p-sam": {
        "role": "step_parent",
        "first_name": "Sam",
        "last_name": "Okafor",
        "sex": "M",
        "date_of_birth": "1989-12-01",
    },
    "p-gran": {
        "role": "grandparent",
        "first_name": "Pat",
        "last_name": "Rowan",
        "sex": "F",
        "date_of_birth": "1962-03-03",
    },
    "p-grandad": {
        "role": "grandparent",
        "first_name": "Ray",
        "last_name": "Rowan",
        "sex": "M",
        "date_of_birth": "1960-10-10",
    },
}
SIBLINGS: dict[str, dict[str, Any]] = {
    TWIN_A: {
        "role": "sibling",
        "first_name": "Ada",
        "last_name": "Rowan",
        "sex": "F",
        "date_of_birth": "2016-03-03",
    },
    TWIN_B: {
        "role": "sibling",
        "first_name": "Ben",
        "last_name": "Rowan",
        "sex": "M",
        "date_of_birth": "2016-03-03",
    },
    MIA: {
        "role": "half_sibling",
        "first_name": "Mia",
        "last_name": "Okafor",
        "sex": "F",
        "date_of_birth": "2022-08-10",
    },
    UNBORN: {
        "role": "half_sibling",
        "first_name": "Baby",
        "last_name": "Okafor",
        "sex": "U",
        "date_of_birth": None,
        "expected_date_of_birth": "2026-09-01",
    },
}


def blended_family() -> Ledger:
    """The whole family: Kai's full record plus the siblings' own records."""
    ledger = Ledger()
    registrations = [
        (KAI, "Kai", "Rowan", "M", {"date_of_birth": "2018-05-02"}),
        (TWIN_A, "Ada", "Rowan", "F", {"date_of_birth": "2016-03-03"}),
        (TWIN_B, "Ben", "Rowan", "M", {"date_of_birth": "2016-03-03"}),
        (MIA, "Mia", "Okafor", "F", {"date_of_birth": "2022-08-10"}),
        (
            UNBORN,
            "Baby",
            "Okafor",
            "U",
            {"expected_date_of_birth": "2026-09-01", "date_of_birth": None},
        ),
    ]
    for child, first, last, sex, born in registrations:
        when = {UNBORN: "2026-03-02", MIA: "2022-09-01"}.get(child, "2021-09-01")
        ledger.add(
            "child_registered",
            child,
            when,
            first_name=first,
            last_name=last,
            sex=sex,
            family_id=FAMILY,
            upn=None,
            nhs_number=None,
            **born,
        )
    # Kai's network, recorded when the family became known (2021-09-02).
    day = "2021-09-02"
    for person_id, fields in ADULTS.items():
        _person(ledger, KAI, day, person_id, **fields)
    for person_id, fields in SIBLINGS.items():
        if person_id != UNBORN:
            _person(ledger, KAI, day, person_id, is_child_record=person_id, **fields)
    ledger.add(
        "person_added",
        KAI,
        day,
        person_id="prof-sw",
        role="professional",
        first_name="Morgan",
        last_name="Field",
        organisation="Children's Social Care",
    )
    ledger.add(
        "person_added",
        KAI,
        day,
        person_id="prof-hv",
        role="professional",
        first_name="Ash",
        last_name="Brook",
        organisation="Health Visiting Service",
    )
    _tie(ledger, KAI, day, "r-mum-kai", "birth_parent", "p-mum", KAI, started_on="2018-05-02")
    _tie(ledger, KAI, day, "r-dad-kai", "birth_parent", "p-dad", KAI, started_on="2018-05-02")
    _tie(ledger, KAI, day, "r-mum-ta", "birth_parent", "p-mum", TWIN_A, started_on="2016-03-03")
    _tie(ledger, KAI, day, "r-mum-tb", "birth_parent", "p-mum", TWIN_B, started_on="2016-03-03")
    _tie(ledger, KAI, day, "r-dad-ta", "birth_parent", "p-dad", TWIN_A, started_on="2016-03-03")
    _tie(ledger, KAI, day, "r-dad-tb", "birth_parent", "p-dad", TWIN_B, started_on="2016-03-03")
    _tie(ledger, KAI, day, "r-twins", "twin", TWIN_A, TWIN_B, started_on="2016-03-03")
    _tie(ledger, KAI, day, "r-sib-ta", "full_sibling", KAI, TWIN_A)
    _tie(ledger, KAI, day, "r-sib-tb", "full_sibling", KAI, TWIN_B)
    _tie(ledger, KAI, day, "r-gran-mum", "birth_parent", "p-gran", "p-mum")
    _tie(ledger, KAI, day, "r-grandad-mum", "birth_parent", "p-grandad", "p-mum")
    _tie(ledger, KAI, day, "r-gp", "married", "p-grandad", "p-gran", started_on="1985-06-01")
    _tie(ledger, KAI, day, "r-wed1", "married", "p-mum", "p-dad", started_on="2012-06-16")
    _tie(ledger, KAI, day, "r-pr-mum", "parental_responsibility", "p-mum", KAI)
    _tie(ledger, KAI, day, "r-pr-dad", "parental_responsibility", "p-dad", KAI)
    _tie(ledger, KAI, day, "r-hh-mum", "household_member", "p-mum", KAI, household_id="hh-rowan")
    _tie(ledger, KAI, day, "r-hh-kai", "household_member", KAI, "p-mum", household_id="hh-rowan")
    _tie(ledger, KAI, day, "r-hh-ta", "household_member", TWIN_A, "p-mum", household_id="hh-rowan")
    _tie(ledger, KAI, day, "r-hh-tb", "household_member", TWIN_B, "p-mum", household_id="hh-rowan")
    _tie(ledger, KAI, day, "r-close", "close", KAI, "p-gran")
    _tie(ledger, KAI, day, "r-abuse", "abuse", "p-dad", "p-mum", directed=True, disputed=True)
    # The marriage history: separated 2019, divorced 2021 (each a dated tie of its own).
    ledger.add(
        "relationship_ended",
        KAI,
        "2021-09-03",
        relationship_id="r-wed1",
        ended_on="2019-01-15",
        reason="separated",
    )
    _tie(
        ledger, KAI, "2021-09-03", "r-sep1", "separated", "p-mum", "p-dad", started_on="2019-01-15"
    )
    ledger.add(
        "relationship_ended",
        KAI,
        "2021-09-03",
        relationship_id="r-sep1",
        ended_on="2021-04-01",
        reason="decree absolute",
    )
    _tie(ledger, KAI, "2021-09-03", "r-div1", "divorced", "p-mum", "p-dad", started_on="2021-04-01")
    _tie(ledger, KAI, "2021-09-03", "r-conflict", "conflict", "p-mum", "p-dad")
    _tie(ledger, KAI, "2021-09-03", "r-cut", "cut_off", "p-dad", "p-grandad")
    # Sam arrives: married 2022, step-father, Mia's father; Jo cohabits with Lee.
    _tie(ledger, KAI, "2022-02-01", "r-wed2", "married", "p-mum", "p-sam", started_on="2022-01-20")
    _tie(ledger, KAI, "2022-02-01", "r-step", "step_parent", "p-sam", KAI, started_on="2022-01-20")
    _tie(
        ledger,
        KAI,
        "2022-02-01",
        "r-hh-sam",
        "household_member",
        "p-sam",
        KAI,
        household_id="hh-rowan",
    )
    _tie(
        ledger, KAI, "2022-02-01", "r-cohab", "cohabiting", "p-dad", "p-jo", started_on="2021-11-01"
    )
    _tie(
        ledger,
        KAI,
        "2022-09-01",
        "r-mum-mia",
        "birth_parent",
        "p-mum",
        MIA,
        started_on="2022-08-10",
    )
    _tie(
        ledger,
        KAI,
        "2022-09-01",
        "r-sam-mia",
        "birth_parent",
        "p-sam",
        MIA,
        started_on="2022-08-10",
    )
    _tie(ledger, KAI, "2022-09-01", "r-half-mia", "half_sibling", KAI, MIA)
    # Kai's path through care to adoption (adoption_path() has the same shape alone).
    _care_path(ledger, KAI, foster=True)
    # Pat dies; recorded late.
    ledger.add(
        "person_died",
        KAI,
        "2023-11-02",
        recorded=datetime(2023, 12, 1, 10, 0, tzinfo=UTC),
        person_id="p-gran",
        date_of_death="2023-11-02",
        name="gran-died",
    )
    # The unborn baby: added to Kai's record in 2026, and ties recorded on the baby's own.
    _person(ledger, KAI, "2026-03-05", UNBORN, is_child_record=UNBORN, **SIBLINGS[UNBORN])
    _tie(ledger, KAI, "2026-03-05", "r-mum-unborn", "birth_parent", "p-mum", UNBORN)
    _tie(ledger, KAI, "2026-03-05", "r-sam-unborn", "birth_parent", "p-sam", UNBORN)
    _tie(ledger, KAI, "2026-03-05", "r-half-unborn", "half_sibling", KAI, UNBORN)
    # Mia's own record names her parents and her PR holders with the same person ids.
    for person_id in ("p-mum", "p-sam"):
        _person(ledger, MIA, "2022-09-01", person_id, **ADULTS[person_id])
    _tie(ledger, MIA, "2022-09-01", "m-mum", "birth_parent", "p-mum", MIA, started_on="2022-08-10")
    _tie(ledger, MIA, "2022-09-01", "m-sam", "birth_parent", "p-sam", MIA, started_on="2022-08-10")
    _tie(ledger, MIA, "2022-09-01", "m-pr-mum", "parental_responsibility", "p-mum", MIA)
    _tie(ledger, MIA, "2022-09-01", "m-pr-sam", "parental_responsibility", "p-sam", MIA)
    ledger.add("child_in_need_plan_agreed", MIA, "2023-01-09")
    return ledger


def _care_path(ledger: Ledger, child: str, *, foster: bool = False) -> None:
    """s20 -> ICO -> (move) -> CO -> PO -> placed for adoption -> adoption order.

    One late entry: the interim care order's legal status change (2022-04-08) is
    recorded on 2022-04-20.
    """
    add = ledger.add
    add(
        "became_looked_after",
        child,
        "2022-03-01",
        name="s20",
        legal_status="V2",
        legal_basis="Children Act 1989 s20",
        category_of_need="N1",
        home_postcode="ZZ9 9AA",
    )
    add(
        "placement_started",
        child,
        "2022-03-01",
        name="pl-1",
        placement_id="pl-1",
        placement_type="U6",
        provider="PR1",
        provider_urn="SC000001",
        carer="Foster carer FC-1",
        postcode="ZZ1 1ZZ",
    )
    if foster:
        ledger.add(
            "person_added",
            child,
            "2022-03-01",
            person_id="p-foster",
            role="foster_carer",
            first_name="Chris",
            last_name="Dale",
            sex="M",
        )
        _tie(
            ledger,
            child,
            "2022-03-01",
            "r-foster",
            "foster_parent",
            "p-foster",
            child,
            started_on="2022-03-01",
        )
        ledger.add(
            "relationship_ended",
            child,
            "2022-03-02",
            relationship_id="r-hh-kai",
            ended_on="2022-03-01",
            reason="Became looked after",
        )
    add("letter_before_proceedings_sent", child, "2022-03-10")
    add(
        "application_issued",
        child,
        "2022-04-01",
        court="Family Court at Testbury",
        order_sought="care_order",
    )
    add("order_made", child, "2022-04-08", name="ico", order="interim_care_order")
    # The late entry: the ICO's legal status written down twelve days after the order.
    add(
        "legal_status_changed",
        child,
        "2022-04-08",
        recorded=datetime(2022, 4, 20, 11, 0, tzinfo=UTC),
        name="c1-late",
        legal_status="C1",
    )
    add(
        "placement_ended",
        child,
        "2022-06-20",
        placement_id="pl-1",
        reason="CREQO",
    )
    add(
        "placement_started",
        child,
        "2022-06-20",
        name="pl-2",
        placement_id="pl-2",
        placement_type="U4",
        provider="PR2",
        provider_urn="SC000002",
        carer="Foster carer FC-2",
        postcode="ZZ2 2ZZ",
    )
    add("order_made", child, "2022-09-15", name="co", order="care_order")
    add("legal_status_changed", child, "2022-09-15", legal_status="C2")
    add("order_made", child, "2023-01-10", name="po", order="placement_order")
    add("legal_status_changed", child, "2023-01-10", legal_status="E1")
    add("adoption_decision_made", child, "2023-01-20")
    add("placement_ended", child, "2023-03-01", placement_id="pl-2", reason="CARPL")
    add(
        "placement_started",
        child,
        "2023-03-01",
        name="pl-3",
        placement_id="pl-3",
        placement_type="A4",
        provider="PR1",
        carer="Prospective adopters PA-1",
        postcode="ZZ3 3ZZ",
    )
    add("placed_for_adoption", child, "2023-03-01", placement_id="pl-3")
    if foster:
        ledger.add(
            "relationship_ended",
            child,
            "2023-03-01",
            relationship_id="r-foster",
            ended_on="2023-03-01",
            reason="Moved to adopters",
        )
        for pid, first, sex in (("p-adopt-1", "Alex", "F"), ("p-adopt-2", "Robin", "M")):
            ledger.add(
                "person_added",
                child,
                "2023-03-01",
                person_id=pid,
                role="adoptive_parent",
                first_name=first,
                last_name="Penn",
                sex=sex,
            )
        _tie(
            ledger,
            child,
            "2023-03-01",
            "r-adopters",
            "married",
            "p-adopt-1",
            "p-adopt-2",
            started_on="2015-05-05",
        )
    adopters = ["p-adopt-1", "p-adopt-2"] if foster else []
    add(
        "order_made",
        child,
        "2023-09-01",
        name="ao",
        order="adoption_order",
        parental_responsibility_granted_to=adopters,
        parental_responsibility_ended_for=["p-mum", "p-dad"] if foster else [],
    )
    if foster:
        for n, pid in enumerate(adopters, 1):
            _tie(
                ledger,
                child,
                "2023-09-01",
                f"r-adoptive-{n}",
                "adoptive_parent",
                pid,
                child,
                started_on="2023-09-01",
            )
        _tie(
            ledger,
            child,
            "2023-09-01",
            "r-hh-adopt",
            "household_member",
            child,
            "p-adopt-1",
            household_id="hh-penn",
            started_on="2023-03-01",
        )
    add("placement_ended", child, "2023-09-01", placement_id="pl-3", reason="CARPL")
    add("ceased_to_be_looked_after", child, "2023-09-01", name="ceased", reason="E11")


def adoption_path(child: str = "C-ADOPT") -> Ledger:
    """One child's path to adoption, alone (no family around them)."""
    ledger = Ledger()
    ledger.add(
        "child_registered",
        child,
        "2022-02-20",
        first_name="Lou",
        last_name="Example",
        sex="F",
        date_of_birth="2021-02-10",
        upn=None,
        nhs_number=None,
    )
    _care_path(ledger, child)
    return ledger


def london(day: str, hour: int = 12) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(hour), tzinfo=LONDON)


def write_to_store(ledger: Ledger, store: Any, clock: Any) -> None:
    """Write the ledger's entries into a real store with the same ids and recorded-at times."""
    items = sorted(ledger.all(), key=lambda e: (e.recorded_at, e.child_id, e.position))
    for item in items:
        clock.set(item.recorded_at)
        store.new_id = lambda item=item: item.event_id
        store.record([item.event])
