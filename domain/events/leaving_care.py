"""Leaving care: pathway plans, personal advisers and keeping in touch."""

from __future__ import annotations

from pydantic import Field

from domain.events.base import CaseEvent, Category


class PathwayPlanAgreed(CaseEvent):
    category = Category.LEAVING_CARE
    significant_by_default = True


class PathwayPlanReviewed(CaseEvent):
    category = Category.LEAVING_CARE
    significant_by_default = True


class PersonalAdviserAllocated(CaseEvent):
    category = Category.LEAVING_CARE
    significant_by_default = True

    data_protection = {
        "adviser_id": "professional:identifier",
    }

    adviser_id: str = Field(min_length=1, max_length=64)


class CareLeaverContact(CaseEvent):
    """Contact with a care leaver, with what SSDA903 OC3 asks at their birthday."""

    category = Category.LEAVING_CARE

    data_protection = {
        "in_touch": "-",
        "activity": "child:free_text",
        "accommodation": "child:free_text",
    }

    in_touch: str = Field(default="YES", pattern=r"^(YES|NO|DIED|REFU|NREQ|RHOM)$")
    activity: str | None = Field(default=None, pattern=r"^(F1|P1|F2|P2|F4|P4|F5|P5|G4|G5|G6|0)$")
    accommodation: str | None = Field(default=None, pattern=r"^[A-KRSTUVWXYZ][12]?$|^0$")
