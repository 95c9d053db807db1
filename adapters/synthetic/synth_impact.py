"""Synthetic impact-on-the-child notes: most significant entries of a synthetic child carry one.

A separate random stream (seeded by the child and the entry's number) chooses whether and
which note, so adding the notes changes none of the generator's other choices.
"""

from __future__ import annotations

import random

from domain.events import CaseEvent
from domain.events.base import Category

SHARE_WITH_NOTE = 0.85
"""The share of significant entries a worker writes an impact note for."""

NOTES: dict[Category, tuple[str, ...]] = {
    Category.FRONT_DOOR: (
        "The child's safety at home is in question; agencies need to act together quickly.",
        "The child is seen by professionals who now know of the concern and watch for harm.",
        "The family's difficulties are affecting the child's care day to day.",
    ),
    Category.SAFEGUARDING: (
        "The child is likely to suffer significant harm without a multi-agency plan.",
        "The child is seen alone more often and has named adults to tell if worried.",
        "The child's daily routine is steadier; the risk at home is reduced but not gone.",
        "The child said they feel safer; the plan keeps the protective adults involved.",
    ),
    Category.CHILD_IN_NEED: (
        "The child's needs are met with support: attendance and health are improving.",
        "The child has help at school and the family has support with routines.",
        "The child no longer needs a social worker; early help continues.",
    ),
    Category.DIRECT_WORK: (
        "The child's own words shape the plan: they want to feel safe and stay at school.",
    ),
    Category.LOOKED_AFTER: (
        "The child is safe in care and keeps their school; family time is planned weekly.",
        "The child is settled with the carers and doing well at school.",
        "The move was hard for the child; the carers and school are helping them settle.",
        "The child's health needs are met and checked each year.",
    ),
    Category.PROCEEDINGS: (
        "A court will decide the child's future without delay; a guardian speaks for them.",
        "The parents know what must change for the child to be safe at home.",
        "The child's placement is secure while the court decides.",
    ),
    Category.ADOPTION: (
        "The child will have a permanent family through childhood.",
        "The child is settling with the adopters and keeps letterbox contact.",
    ),
    Category.LEAVING_CARE: (
        "The young person has a plan for housing, work and support after care.",
        "The young person knows who to call and has a personal adviser.",
    ),
    Category.MANAGEMENT: ("The decision keeps the child's plan moving without drift.",),
}


def impact_note(event_class: type[CaseEvent], child_id: str, number: int) -> str | None:
    """An impact note for a significant entry (most of them), or None."""
    if not event_class.significant_by_default:
        return None
    notes = NOTES.get(event_class.category)
    if not notes:
        return None
    rng = random.Random(f"impact:{child_id}:{number}")
    if rng.random() >= SHARE_WITH_NOTE:
        return None
    return rng.choice(notes)
