"""Looked after children: legal status, placements, plans, reviews, health, education, missing."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field, StrictBool

from domain.codes import (
    LegalStatus,
    PlacementType,
    ReasonEpisodeCeased,
    ReasonPlacementChange,
    ReviewParticipation,
)
from domain.events.base import CaseEvent, Category


class BecameLookedAfter(CaseEvent):
    """The child starts to be looked after, under a legal basis."""

    category = Category.LOOKED_AFTER
    significant_by_default = True

    data_protection = {
        "legal_status": "-",
        "legal_basis": "child:free_text",
        "category_of_need": "-",
        "previous_permanence": "-",
        "previous_permanence_date": "-",
        "previous_permanence_la": "-",
        "home_postcode": "child:address",
    }

    legal_status: LegalStatus
    legal_basis: str = Field(
        min_length=1, max_length=200, description="e.g. 'Children Act 1989 s20'."
    )
    category_of_need: str = Field(pattern=r"^N[1-8]$", description="903 CIN code N1-N8.")
    previous_permanence: str = Field(default="Z1", pattern=r"^(P1|P2|P3|P4|Z1)$")
    previous_permanence_date: date | None = None
    previous_permanence_la: str | None = Field(default=None, max_length=10)
    home_postcode: str | None = Field(
        default=None,
        max_length=10,
        description="SSDA903 HOME_POST: postcode of the child's home when care began.",
    )


class LegalStatusChanged(CaseEvent):
    """The child's legal status while looked after changes (e.g. s20 to interim care order)."""

    category = Category.LOOKED_AFTER
    significant_by_default = True

    data_protection = {
        "legal_status": "-",
        "order_event_id": "-",
    }

    legal_status: LegalStatus
    order_event_id: str | None = Field(default=None, description="The order that made it so.")


class PlacementStarted(CaseEvent):
    """The child moves into a placement."""

    category = Category.LOOKED_AFTER
    significant_by_default = True

    data_protection = {
        "placement_id": "-",
        "placement_type": "-",
        "provider": "-",
        "provider_urn": "-",
        "carer": "others:name",
        "postcode": "child:address",
        "placement_la": "-",
        "same_carer_as_previous": "-",
    }

    placement_id: str = Field(min_length=1, max_length=64)
    placement_type: PlacementType
    provider: str = Field(min_length=1, max_length=200, description="903 PLACE_PROVIDER (PR0-PR5).")
    provider_urn: str | None = Field(default=None, max_length=10)
    carer: str | None = Field(default=None, max_length=200)
    postcode: str | None = Field(default=None, max_length=10)
    placement_la: str | None = Field(
        default=None,
        pattern=r"^([0-9]{3}|NIR|WAL|SCO|NUK|CON)$",
        description="SSDA903 PL_LA: the DfE code of the authority the placement is in, or "
        "NIR, WAL, SCO (Northern Ireland, Wales, Scotland), NUK (outside the UK), "
        "CON (confidential).",
    )
    same_carer_as_previous: bool = False


class PlacementEnded(CaseEvent):
    """The child leaves a placement, with the reason for the change."""

    category = Category.LOOKED_AFTER
    significant_by_default = True

    data_protection = {
        "placement_id": "-",
        "reason": "-",
        "detail": "child:free_text",
    }

    placement_id: str = Field(min_length=1, max_length=64)
    reason: ReasonPlacementChange
    detail: str | None = Field(default=None, max_length=2000)


class PlacementPlanCompleted(CaseEvent):
    """The placement plan (Care Planning Regulations 2010 reg 9) is completed."""

    category = Category.LOOKED_AFTER

    data_protection = {
        "placement_id": "-",
    }

    placement_id: str = Field(min_length=1, max_length=64)


class CarePlanAgreed(CaseEvent):
    """The care plan (Care Planning Regulations 2010 reg 4) is agreed."""

    category = Category.LOOKED_AFTER
    significant_by_default = True

    data_protection = {
        "permanence_option": "-",
    }

    permanence_option: str | None = Field(default=None, max_length=200)


class LookedAfterReviewHeld(CaseEvent):
    """The statutory looked-after review chaired by the IRO (reg 33)."""

    title = "Looked-after review held"
    category = Category.LOOKED_AFTER
    significant_by_default = True

    data_protection = {
        "participation": "-",
        "iro_id": "professional:identifier",
        "recommendations": "child:free_text",
        "plan_changed": "-",
    }

    participation: ReviewParticipation
    iro_id: str | None = Field(default=None, max_length=64)
    recommendations: str | None = Field(default=None, max_length=4000)
    plan_changed: StrictBool | None = Field(
        default=None,
        description="Whether the review changed the child's care plan (true or false; not "
        "given: not recorded). York times the note of a change: 'If the care Plan is changed "
        "following a CYPIC Review, the change should be noted on the child's record within "
        "48 hours'.",
    )


class IroContact(CaseEvent):
    """The independent reviewing officer speaks with the child."""

    category = Category.LOOKED_AFTER
    title = "IRO contact"

    data_protection = {
        "iro_id": "professional:identifier",
    }

    iro_id: str = Field(min_length=1, max_length=64)


class HealthAssessmentKind(StrEnum):
    INITIAL = "initial"
    REVIEW = "review"


class HealthAssessmentRequested(CaseEvent):
    category = Category.LOOKED_AFTER

    data_protection = {
        "assessment": "-",
    }

    assessment: HealthAssessmentKind


class HealthAssessmentCompleted(CaseEvent):
    category = Category.LOOKED_AFTER
    significant_by_default = True

    data_protection = {
        "assessment": "-",
        "immunisations_up_to_date": "-",
        "teeth_checked": "-",
        "sdq_score": "-",
    }

    assessment: HealthAssessmentKind
    immunisations_up_to_date: bool | None = None
    teeth_checked: bool | None = None
    sdq_score: int | None = Field(default=None, ge=0, le=40)


class PepMeetingHeld(CaseEvent):
    """A personal education plan meeting."""

    category = Category.LOOKED_AFTER
    title = "PEP meeting held"


class PermanencePlanAgreed(CaseEvent):
    category = Category.LOOKED_AFTER
    significant_by_default = True

    data_protection = {
        "plan": "child:free_text",
    }

    plan: str = Field(min_length=1, max_length=200)


class MissingEpisodeStarted(CaseEvent):
    category = Category.LOOKED_AFTER
    significant_by_default = True

    data_protection = {
        "episode_id": "-",
        "missing_or_away": "-",
    }

    episode_id: str = Field(min_length=1, max_length=64)
    missing_or_away: str = Field(
        default="M", pattern=r"^(M|A)$", description="903: M missing, A away."
    )


class MissingEpisodeEnded(CaseEvent):
    category = Category.LOOKED_AFTER
    significant_by_default = True

    data_protection = {
        "episode_id": "-",
    }

    episode_id: str = Field(min_length=1, max_length=64)


class ReturnInterviewOffered(CaseEvent):
    category = Category.LOOKED_AFTER

    data_protection = {
        "episode_id": "-",
    }

    episode_id: str = Field(min_length=1, max_length=64)


class ReturnInterviewHeld(CaseEvent):
    category = Category.LOOKED_AFTER
    significant_by_default = True

    data_protection = {
        "episode_id": "-",
        "accepted": "-",
    }

    episode_id: str = Field(min_length=1, max_length=64)
    accepted: bool = True


class CeasedToBeLookedAfter(CaseEvent):
    """The period of care ends, with the SSDA903 reason."""

    category = Category.LOOKED_AFTER
    significant_by_default = True

    data_protection = {
        "reason": "-",
    }

    reason: ReasonEpisodeCeased
