"""Events for the Children's Wellbeing and Schools Act 2026 (Royal Assent 29 April 2026).

Part 1 of the Act commences by regulations, section by section. The record can hold these
events from any date; whether a rule judges them depends on the commencement date configured
for that section (see ``policies/packs/national.yaml``, ``commencement:``).

- **Family group decision-making** (Children Act 1989 s31ZA, inserted by s1): before applying
  for a care or supervision order the authority must offer a family group decision-making
  meeting to the parents and anyone with parental responsibility (s31ZA(1)); if at least one
  accepts, the meeting must be held before the application (s31ZA(2)); neither duty applies
  where the authority considers it would not be in the child's best interests (s31ZA(3)).
- **Information sharing** (Children Act 2004 s16LA, inserted by s4): a decision to share
  information relevant to safeguarding or promoting the child's welfare, or not to share it
  because sharing would be more detrimental to the child than not sharing (s16LA(3)).
- **Consistent identifier** (Children Act 2004 s16LC, inserted by s4): the child's NHS number,
  checked with its modulus-11 check digit (:mod:`domain.nhs_number`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from domain.events.base import CaseEvent, Category
from domain.nhs_number import NhsNumberText

PersonRef = str
"""A person id on the child's record, or a plain name or role (an agency, 'maternal aunt')."""


class FamilyGroupDecisionMakingOffered(CaseEvent):
    """A family group decision-making meeting is offered (CA 1989 s31ZA(1))."""

    category = Category.PROCEEDINGS
    significant_by_default = True
    title = "Family group decision-making meeting offered"

    data_protection = {
        "offered_to": "others:name",
        "in_letter_before_proceedings": "-",
    }

    offered_to: list[PersonRef] = Field(
        min_length=1,
        description="The parents and others with parental responsibility the offer was made to.",
    )
    in_letter_before_proceedings: bool = Field(
        default=False,
        description="The offer was made in the letter before proceedings (s31ZA(6)).",
    )


class FamilyGroupDecisionMakingDeclined(CaseEvent):
    """Everyone the offer was made to declined it: no meeting need be held (s31ZA(2))."""

    category = Category.PROCEEDINGS
    significant_by_default = True
    title = "Family group decision-making meeting declined"

    data_protection = {
        "declined_by": "others:name",
        "reason": "child:free_text",
    }

    declined_by: list[PersonRef] = Field(min_length=1)
    reason: str | None = Field(default=None, max_length=2000)


class FamilyGroupDecisionMakingHeld(CaseEvent):
    """The family network met to discuss the child's welfare needs (s31ZA(2), (4))."""

    category = Category.PROCEEDINGS
    significant_by_default = True
    title = "Family group decision-making meeting held"

    data_protection = {
        "attendees": "others:name",
        "outcome": "child:free_text",
    }

    attendees: list[PersonRef] = Field(min_length=1)
    outcome: str = Field(
        min_length=1, max_length=4000, description="The family's proposal, or why there is none."
    )


class FgdmStep(StrEnum):
    OFFER = "offer"
    MEETING = "meeting"


class FamilyGroupDecisionMakingDispensedWith(CaseEvent):
    """The authority decides an offer (or the meeting) is not in the child's best interests.

    CA 1989 s31ZA(3): the duty to offer, or to hold the meeting, does not apply then.
    """

    category = Category.PROCEEDINGS
    significant_by_default = True
    title = "Family group decision-making dispensed with (not in the child's best interests)"

    data_protection = {
        "step": "-",
        "reason": "child:free_text",
    }

    step: FgdmStep = FgdmStep.OFFER
    reason: str = Field(min_length=1, max_length=4000)


class SharingDecision(StrEnum):
    SHARED = "shared"
    NOT_SHARED_MORE_DETRIMENTAL = "not_shared_more_detrimental"


class InformationSharingDecisionRecorded(CaseEvent):
    """Information about the child is shared, or not (Children Act 2004 s16LA).

    Shared: with whom, what, and why it may help the recipient's safeguarding or welfare
    functions (s16LA(2)). Not shared: only because sharing would be more detrimental to the
    child than not sharing (s16LA(3)); the reason is required.
    """

    category = Category.SAFEGUARDING
    significant_by_default = True
    title = "Information-sharing decision"

    data_protection = {
        "decision": "-",
        "recipients": "-",
        "information": "child:free_text",
        "reason": "child:free_text",
    }

    decision: SharingDecision
    recipients: list[PersonRef] = Field(
        min_length=1,
        description="Shared: who received it. Not shared: who would have received it.",
    )
    information: str = Field(min_length=1, max_length=4000, description="What was (not) shared.")
    reason: str = Field(
        min_length=1,
        max_length=4000,
        description="Shared: how it may help the recipient. Not shared: why sharing would be "
        "more detrimental to the child than not sharing.",
    )


class ConsistentIdentifierRecorded(CaseEvent):
    """The child's consistent identifier (Children Act 2004 s16LC): the NHS number.

    A later entry of this kind replaces an earlier one (a corrected number), as does an
    ``entry_corrected`` of it. The number must pass its modulus-11 check.
    """

    category = Category.PEOPLE
    title = "Consistent identifier (NHS number) recorded"

    data_protection = {
        "scheme": "-",
        "nhs_number": "child:identifier",
        "verified_with": "-",
    }

    scheme: Literal["nhs_number"] = "nhs_number"
    nhs_number: NhsNumberText
    verified_with: str | None = Field(
        default=None, max_length=200, description="Where it was checked (e.g. the NHS spine)."
    )
