"""What a child's record says that its retention depends on: value objects only.

The kinds of record a child's record holds (it was looked after, adopted, on a child
protection plan...) and the dates a retention clock can start from. They are folded from the
record by :mod:`projections.retention_facts`; the schedule that turns them into a destroy-on
date is data (``policies/retention.yaml``) read by :mod:`policies.retention`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class RecordType(StrEnum):
    """Kinds of children's social care record that retention schedules distinguish."""

    REFERRAL = "referral"
    """Every record: a contact or referral, with no further action or before any other work."""
    CHILD_IN_NEED = "child_in_need"
    CHILD_PROTECTION = "child_protection"
    LOOKED_AFTER = "looked_after"
    CARE_LEAVER = "care_leaver"
    ADOPTION = "adoption"
    """An adoption order was made (the adoption case record)."""


class Clock(StrEnum):
    """What starts a retention period."""

    DATE_OF_BIRTH = "date_of_birth"
    LAST_CONTACT = "last_contact"
    """The latest thing that happened on the record (standards events and holds aside)."""
    CASE_CLOSURE = "case_closure"
    """The case's closure (not started while the case is open)."""
    ADOPTION_ORDER = "adoption_order"
    DEATH = "death"
    """The child's death (not started while the record says the child is alive)."""


@dataclass(frozen=True)
class RetentionFacts:
    """One child's record, as far as its retention is concerned."""

    child_id: str
    authority: str | None
    """The rule-pack id of the authority holding the case (None: not recorded)."""
    record_types: frozenset[RecordType]
    date_of_birth: date | None
    last_contact: date | None
    case_closed_on: date | None
    """The latest closure, when the case is closed now (None while open or never closed)."""
    adoption_order_on: date | None
    died_on: date | None

    def clock_start(self, clock: Clock) -> date | None:
        return {
            Clock.DATE_OF_BIRTH: self.date_of_birth,
            Clock.LAST_CONTACT: self.last_contact,
            Clock.CASE_CLOSURE: self.case_closed_on,
            Clock.ADOPTION_ORDER: self.adoption_order_on,
            Clock.DEATH: self.died_on,
        }[clock]

    @property
    def died_before_18(self) -> bool:
        """Whether the child died before their 18th birthday (False when either date is unknown)."""
        if self.died_on is None or self.date_of_birth is None:
            return False
        dob = self.date_of_birth
        try:
            eighteenth = dob.replace(year=dob.year + 18)
        except ValueError:  # born on 29 February: the birthday falls on 1 March
            eighteenth = date(dob.year + 18, 3, 1)
        return self.died_on < eighteenth
