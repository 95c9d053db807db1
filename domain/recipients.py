"""Who received something: the code list for reports shared, minutes circulated and
information given.

The practice standards time things *to someone*: a conference report "shared with the child/
young person (where appropriate), parents/carers and the Independent Chair" (Shropshire 10.2),
strategy minutes "circulated ... to all parties to the discussion" (Shropshire 3.1), "all other
professionals ... informed of the child's legal status" (Knowsley §8). A rule names the
recipients that meet it (``where: {recipients: [...]}``, ``covers: {recipients: [...]}``), so
sharing a report with the team manager does not meet a duty to share it with the family.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum

__all__ = ["SYNONYMS", "Recipient", "recipients_named"]


class Recipient(StrEnum):
    """A recipient, as the standards name them."""

    CHILD = "child"
    """The child or young person."""
    PARENTS = "parents"
    """The parents (or others with parental responsibility)."""
    CARERS = "carers"
    """The child's carers (foster carers, kinship carers, residential staff)."""
    FAMILY = "family"
    """Other family members (the wider family)."""
    CHAIR = "chair"
    """The conference or meeting chair (the Independent Chair of a CP conference)."""
    IRO = "iro"
    """The Independent Reviewing Officer (or the IRO service)."""
    TEAM_MANAGER = "team_manager"
    """The social worker's team manager."""
    SAFEGUARDING_UNIT = "safeguarding_unit"
    """The safeguarding / quality assurance unit that runs conferences (Knowsley's SQA)."""
    AGENCIES = "agencies"
    """The agencies and professionals involved (all parties to a meeting, its invitees)."""
    HOST_AUTHORITY = "host_authority"
    """The authority where a child placed out of area lives."""
    REFERRER = "referrer"
    """Whoever made the referral."""


SYNONYMS: dict[str, Recipient] = {
    "young_person": Recipient.CHILD,
    "parent": Recipient.PARENTS,
    "mother": Recipient.PARENTS,
    "father": Recipient.PARENTS,
    "carer": Recipient.CARERS,
    "foster_carer": Recipient.CARERS,
    "foster_carers": Recipient.CARERS,
    "conference_chair": Recipient.CHAIR,
    "independent_chair": Recipient.CHAIR,
    "manager": Recipient.TEAM_MANAGER,
    "sqa": Recipient.SAFEGUARDING_UNIT,
    "professionals": Recipient.AGENCIES,
    "partner_agencies": Recipient.AGENCIES,
    "police": Recipient.AGENCIES,
    "health": Recipient.AGENCIES,
    "school": Recipient.AGENCIES,
    "all_parties": Recipient.AGENCIES,
    "invitees": Recipient.AGENCIES,
}
"""Words older entries used in ``report_shared.shared_with`` for a recipient, by code."""


def recipients_named(words: Iterable[str]) -> list[Recipient]:
    """The recipients a list of free-text names holds (codes or their synonyms, one name
    possibly naming several: "parents/carers"; others, such as person ids, are not recipients
    and are left out), in order, once each."""
    found: list[Recipient] = []
    for word in words:
        for part in re.split(r"\s*(?:/|,|&|\band\b)\s*", str(word).strip().lower()):
            key = re.sub(r"[\s-]+", "_", part.strip())
            code = SYNONYMS.get(key)
            if code is None and key in Recipient._value2member_map_:
                code = Recipient(key)
            if code is not None and code not in found:
                found.append(code)
    return found
