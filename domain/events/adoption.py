"""Adoption: the decision, the placement, reviews and life-story work."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from domain.events.base import CaseEvent, Category


class AdoptionDecisionMade(CaseEvent):
    """The agency decision maker decides the child should be placed for adoption."""

    category = Category.ADOPTION
    significant_by_default = True


class PlacedForAdoption(CaseEvent):
    """The child is placed with prospective adopters."""

    category = Category.ADOPTION
    significant_by_default = True

    data_protection = {
        "placement_id": "-",
        "adopters_sex": "-",
        "adopters_legal_status": "-",
        "number_of_adopters": "-",
        "foster_carer_adoption": "-",
    }

    placement_id: str | None = Field(default=None, max_length=64)
    adopters_sex: str | None = Field(default=None, pattern=r"^(MM|FF|MF)$")
    adopters_legal_status: str | None = Field(default=None, pattern=r"^(L0|L1|L11|L12|L2|L3|L4)$")
    number_of_adopters: int | None = Field(default=None, ge=1, le=2)
    foster_carer_adoption: bool = False


class AdoptionPlacementCeased(CaseEvent):
    """The adoptive placement ends without an adoption order."""

    category = Category.ADOPTION
    significant_by_default = True

    data_protection = {
        "reason_code": "-",
        "ceased_on": "-",
    }

    reason_code: str = Field(pattern=r"^(E1|E11|E12|RD1|RD2|RD3|RD4)$")
    ceased_on: date | None = None


class AdoptionReviewHeld(CaseEvent):
    category = Category.ADOPTION
    significant_by_default = True


class LaterLifeLetterGiven(CaseEvent):
    category = Category.ADOPTION
    significant_by_default = True
