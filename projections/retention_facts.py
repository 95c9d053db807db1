"""A child's record folded into what its retention depends on (pure).

Which record types it holds (:class:`domain.retention.RecordType`) and the dates a retention
clock can start from: birth, the last thing that happened, the case's closure (as
:mod:`projections.case_state` has it: open again after new work at the front door), the
adoption order, the child's death. The record as it stands counts (corrections applied,
entries recorded in error left out).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from domain.effective import effective_events
from domain.envelope import RecordedEvent
from domain.events.base import LONDON, Category
from domain.events.data_protection import HOLD_KINDS
from domain.retention import RecordType, RetentionFacts
from projections.case_state import case_state

__all__ = ["TYPE_KINDS", "retention_facts"]

TYPE_KINDS: dict[RecordType, frozenset[str]] = {
    RecordType.CHILD_IN_NEED: frozenset(
        {
            "assessment_started",
            "assessment_completed",
            "child_in_need_plan_agreed",
            "child_in_need_meeting_held",
            "child_in_need_plan_reviewed",
        }
    ),
    RecordType.CHILD_PROTECTION: frozenset(
        {
            "strategy_discussion_held",
            "section_47_started",
            "section_47_concluded",
            "initial_child_protection_conference_held",
            "child_protection_plan_started",
        }
    ),
    RecordType.LOOKED_AFTER: frozenset({"became_looked_after", "placement_started"}),
    RecordType.CARE_LEAVER: frozenset(
        {
            "pathway_plan_agreed",
            "pathway_plan_reviewed",
            "personal_adviser_allocated",
            "care_leaver_contact",
        }
    ),
}
"""The entries that make a record one of these types (an adoption: an adoption order)."""

_NOT_CONTACT = {Category.STANDARDS}


def retention_facts(child_id: str, events: Iterable[RecordedEvent]) -> RetentionFacts:
    """What ``child_id``'s record (its events) says that its retention depends on."""
    recorded = [e for e in events if e.child_id == child_id]
    standing = effective_events(recorded)
    types = {RecordType.REFERRAL}
    authority: str | None = None
    dob: date | None = None
    last: date | None = None
    adoption: date | None = None
    died: date | None = None
    for item in standing:
        event = item.event
        kind = event.kind
        for record_type, kinds in TYPE_KINDS.items():
            if kind in kinds:
                types.add(record_type)
        if kind not in HOLD_KINDS and event.category not in _NOT_CONTACT:
            last = max(last, event.occurred_date) if last else event.occurred_date
        if kind == "authority_recorded":
            authority = getattr(event, "authority", None)
        elif kind in {"child_registered", "child_born"}:
            dob = getattr(event, "date_of_birth", None) or dob
        elif kind == "order_made" and str(getattr(event, "order", "")) == "adoption_order":
            types.add(RecordType.ADOPTION)
            on = event.occurred_date
            adoption = on if adoption is None else max(adoption, on)
        elif kind in {"person_died", "person_added"} and getattr(event, "person_id", None) == (
            child_id
        ):
            died = getattr(event, "date_of_death", None) or died
        elif kind == "ceased_to_be_looked_after" and str(getattr(event, "reason", "")) == "E2":
            died = died or event.occurred_date
    state = case_state(recorded)
    closed = (
        state.closed_at.astimezone(LONDON).date()
        if state.closed_at is not None and not state.open
        else None
    )
    return RetentionFacts(
        child_id=child_id,
        authority=authority,
        record_types=frozenset(types),
        date_of_birth=dob,
        last_contact=last,
        case_closed_on=closed,
        adoption_order_on=adoption,
        died_on=died,
    )
