"""The front door: contacts, referrals and the decision on each."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from domain.codes import PrimaryNeed, ReferralSource
from domain.events.base import CaseEvent, Category


class ContactReceived(CaseEvent):
    """A contact about the child reaches the front door."""

    category = Category.FRONT_DOOR
    significant_by_default = True

    data_protection = {
        "source_type": "-",
        "referrer_name": "others:name",
        "concern": "child:free_text",
    }

    source_type: ReferralSource
    referrer_name: str | None = Field(default=None, max_length=200)
    concern: str = Field(min_length=1, max_length=4000)


class ConsentBasis(StrEnum):
    CONSENT_GIVEN = "consent_given"
    BEST_INTEREST_WITHOUT_CONSENT = "best_interest_without_consent"
    CONSENT_NOT_REQUIRED_SAFEGUARDING = "consent_not_required_safeguarding"


class ReferralReceived(CaseEvent):
    """A referral: the request for a children's social care service."""

    category = Category.FRONT_DOOR
    significant_by_default = True

    data_protection = {
        "referral_source": "-",
        "reason": "child:free_text",
        "primary_need": "-",
        "consent": "-",
        "consent_rationale": "child:free_text",
        "alleged_penetrative_sexual_abuse": "-",
        "immediate_risk_of_significant_harm": "-",
    }

    referral_source: ReferralSource
    reason: str = Field(min_length=1, max_length=4000)
    primary_need: PrimaryNeed | None = None
    consent: ConsentBasis
    consent_rationale: str | None = Field(default=None, max_length=2000)
    alleged_penetrative_sexual_abuse: bool = False
    immediate_risk_of_significant_harm: bool = False

    @model_validator(mode="after")
    def _best_interest_needs_reason(self) -> ReferralReceived:
        if (
            self.consent is ConsentBasis.BEST_INTEREST_WITHOUT_CONSENT
            and not self.consent_rationale
        ):
            raise ValueError("consent_rationale is required when acting without consent")
        return self


class ReferralOutcome(StrEnum):
    NO_FURTHER_ACTION = "no_further_action"
    EARLY_HELP = "early_help"
    SINGLE_ASSESSMENT = "single_assessment"
    STRATEGY_DISCUSSION = "strategy_discussion"
    EXISTING_PLAN = "existing_plan"


class ReferralDecision(CaseEvent):
    """What the front door decided about a referral, and why."""

    category = Category.FRONT_DOOR
    significant_by_default = True

    data_protection = {
        "referral_event_id": "-",
        "outcome": "-",
        "rationale": "child:free_text",
        "decided_by": "professional:identifier",
    }

    referral_event_id: str | None = Field(default=None, description="The referral decided on.")
    outcome: ReferralOutcome
    rationale: str = Field(min_length=1, max_length=4000)
    decided_by: str = Field(min_length=1, max_length=64)
