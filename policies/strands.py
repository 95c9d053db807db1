"""Strands of work: when a deadline stops because its case or its strand stops.

A deadline belongs to the case (every deadline does) and, by what started it, to at most one
strand of work: the child being looked after, a child protection plan, a child-in-need plan,
or leaving care. When the strand stops, the deadlines still running in it stop too: they are
*cancelled*, not breached (a deadline already breached before the stop stays breached):

- the case stops at ``case_closed``;
- ``looked_after`` stops at ``ceased_to_be_looked_after`` and at the 18th birthday (Children
  Act 1989 s105(1): a child is a person under 18; a care order ends at 18, s91(12));
- ``cp_plan`` stops at ``child_protection_plan_ended`` and at the 18th birthday;
- ``cin_plan`` stops at ``child_in_need_plan_ended`` and at the 18th birthday;
- ``leaving_care`` stops only at the case's closure and at the end of the age band the rule's
  own standard gives (``until_birthday``: 21, or 25);
- ``subject_access`` never stops with the case: a subject access request is the requester's
  right, owed whether the child's case is open or closed (UK GDPR Art. 12(3)); only the
  response (the rule's ``satisfied_by``) ends it.

A rule's strand is derived from its trigger (the table below, then ``while_status``); a rule
may name it instead (``strand:`` in the pack). Recording-timeliness rules (``measures:
recording_delay``) judge an entry that has already been written, and never stop.

Pure data and one function; no I/O.
"""

from __future__ import annotations

from typing import Any, Literal

__all__ = [
    "AGE_END",
    "CASE_STOP",
    "OWN_CLOCK",
    "STOP_KINDS",
    "STRANDS",
    "Strand",
    "derive_strand",
]

Strand = Literal["looked_after", "cp_plan", "cin_plan", "leaving_care", "subject_access", "none"]
STRANDS: tuple[str, ...] = (
    "looked_after",
    "cp_plan",
    "cin_plan",
    "leaving_care",
    "subject_access",
    "none",
)
OWN_CLOCK: frozenset[str] = frozenset({"subject_access"})
"""Strands whose deadlines the case's closure does not stop."""

CASE_STOP = "case_closed"
"""The case's own stop: every strand stops with it."""

STOP_KINDS: dict[str, tuple[str, ...]] = {
    "looked_after": ("ceased_to_be_looked_after",),
    "cp_plan": ("child_protection_plan_ended",),
    "cin_plan": ("child_in_need_plan_ended",),
    "leaving_care": (),
    "subject_access": (),
    "none": (),
}
"""The events that stop each strand (besides the case's closure)."""

AGE_END: dict[str, int | None] = {
    "looked_after": 18,
    "cp_plan": 18,
    "cin_plan": 18,
    "leaving_care": None,  # the rule's until_birthday gives the band's end
    "subject_access": None,
    "none": None,
}
"""The birthday each strand ends at when the rule gives none itself."""

# trigger kind -> strand
_BY_KIND: dict[str, str] = {
    "became_looked_after": "looked_after",
    "placement_started": "looked_after",
    "looked_after_review_held": "looked_after",
    "permanence_plan_agreed": "looked_after",
    "placed_for_adoption": "looked_after",
    "adoption_review_held": "looked_after",
    "child_protection_plan_started": "cp_plan",
    "core_group_held": "cp_plan",
    "child_in_need_plan_agreed": "cin_plan",
    "child_in_need_meeting_held": "cin_plan",
    "personal_adviser_allocated": "leaving_care",
    "pathway_plan_agreed": "leaving_care",
    "pathway_plan_reviewed": "leaving_care",
    "care_leaver_contact": "leaving_care",
    "subject_access_request_received": "subject_access",
}

_BY_CONDITION: dict[tuple[str, str], dict[str, str]] = {
    # (kind, field) -> {value: strand}: a conference's decision opens or continues a plan
    ("initial_child_protection_conference_held", "decision"): {"child_protection_plan": "cp_plan"},
    ("review_child_protection_conference_held", "decision"): {"continue_plan": "cp_plan"},
    ("meeting_scheduled", "meeting_type"): {
        "review_conference": "cp_plan",
        "core_group": "cp_plan",
        "looked_after_review": "looked_after",
        "child_in_need_review": "cin_plan",
    },
    ("order_made", "order"): {"placement_order": "looked_after"},
}

_BY_STATUS: dict[str, str] = {
    "looked_after": "looked_after",
    "placed_with_parents": "looked_after",
    "placed_for_adoption": "looked_after",
    "cp_plan": "cp_plan",
    "cin_plan": "cin_plan",
}


def _from_condition(kind: str, where: dict[str, Any]) -> str | None:
    for (cond_kind, name), strands in _BY_CONDITION.items():
        if cond_kind != kind or name not in where:
            continue
        wanted = where[name]
        values = wanted if isinstance(wanted, list) else [wanted]
        found = {strands.get(str(v)) for v in values}
        if len(found) == 1:  # every value opens the same strand (or none)
            return found.pop()
    return None


def derive_strand(
    kind: str | None, where: dict[str, Any], while_status: list[str], birthday: int | None
) -> str:
    """The strand a trigger starts work in ("none": the case only)."""
    if birthday is not None:
        return "leaving_care"  # transition to adulthood: it outlives being looked after
    if kind is not None:
        found = _BY_KIND.get(kind) or _from_condition(kind, where)
        if found:
            return found
    for status in while_status:
        if status in _BY_STATUS:
            return _BY_STATUS[status]
    return "none"
