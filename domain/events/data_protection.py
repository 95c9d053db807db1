"""Data protection on the record itself: a legal hold placed on it, and lifted.

A legal hold (litigation, a statutory inquiry, a safeguarding practice review) keeps a record
past the end of its retention: while one is in force ``retention destroy`` refuses and
``retention due`` shows the record as held. The hold is an event on the child's record, so
"is this record held" is a fold of the record like a restriction, and its history shows who
placed and lifted it (``recorded_by``, the signed-in account) and why. These kinds are written
only by ``retention hold`` and ``retention lift`` (``policies/access.yaml`` reserves them).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING

from pydantic import Field

from domain.events.base import CaseEvent, Category

if TYPE_CHECKING:
    from domain.envelope import RecordedEvent


class HoldReason(StrEnum):
    """Why a record is held past its retention."""

    LITIGATION = "litigation"
    """A claim brought or expected (the Limitation Act periods run; legal advises)."""
    INQUIRY = "inquiry"
    """A public or statutory inquiry's direction to keep records (e.g. the IICSA notice)."""
    REVIEW = "review"
    """A child safeguarding practice review, a serious case review or a complaint review."""


class LegalHoldPlaced(CaseEvent):
    """The record is held: it is not destroyed until the hold is lifted."""

    category = Category.MANAGEMENT
    significant_by_default = False
    title = "Legal hold placed"

    data_protection = {
        "reason_kind": "-",
        "reason": "child:free_text",
    }

    reason_kind: HoldReason
    reason: str = Field(min_length=1, max_length=2000)


class LegalHoldLifted(CaseEvent):
    """The legal hold on the record is lifted: its retention applies again."""

    category = Category.MANAGEMENT
    title = "Legal hold lifted"

    data_protection = {
        "reason": "child:free_text",
    }

    reason: str = Field(min_length=1, max_length=2000)


HOLD_KINDS = frozenset({LegalHoldPlaced.kind, LegalHoldLifted.kind})


def hold_in_force(events: Iterable[RecordedEvent]) -> RecordedEvent | None:
    """The ``legal_hold_placed`` entry in force on a record (None: no hold now).

    Holds do not nest: a record is held or not, and one lift ends it. A placement while one is
    in force is refused by ``retention hold``, so the latest placement is the one in force.
    """
    placed: RecordedEvent | None = None
    for event in events:
        if event.kind == LegalHoldPlaced.kind:
            placed = event
        elif event.kind == LegalHoldLifted.kind:
            placed = None
    return placed
