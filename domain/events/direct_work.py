"""Direct work with the child: visits and the child's wishes and feelings."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from domain.events.base import CaseEvent, Category


class VisitLocation(StrEnum):
    HOME = "home"
    PLACEMENT = "placement"
    SCHOOL = "school"
    OFFICE = "office"
    COMMUNITY = "community"
    HOSPITAL = "hospital"
    VIRTUAL = "virtual"
    OTHER = "other"


class ChildVisited(CaseEvent):
    """A visit to the child (statutory or not); whether the child was seen and seen alone."""

    category = Category.DIRECT_WORK
    title = "Child visited"

    data_protection = {
        "seen": "-",
        "seen_alone": "-",
        "location": "-",
        "statutory": "-",
        "announced": "-",
        "bedroom_seen": "-",
        "home_conditions": "child:free_text",
        "visitor_id": "professional:identifier",
    }

    seen: bool
    seen_alone: bool = False
    location: VisitLocation
    statutory: bool = True
    announced: bool = True
    bedroom_seen: bool | None = None
    home_conditions: str | None = Field(default=None, max_length=2000)
    visitor_id: str | None = Field(default=None, max_length=64)

    @model_validator(mode="after")
    def _alone_implies_seen(self) -> ChildVisited:
        if self.seen_alone and not self.seen:
            raise ValueError("seen_alone cannot be true when seen is false")
        return self


class WishesAndFeelingsRecorded(CaseEvent):
    """The child's wishes and feelings, in their words where possible."""

    category = Category.DIRECT_WORK
    significant_by_default = True

    data_protection = {
        "in_childs_words": "child:free_text",
        "method": "-",
    }

    in_childs_words: str = Field(min_length=1, max_length=4000)
    method: str | None = Field(default=None, max_length=200)
