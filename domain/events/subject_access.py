"""Subject access requests (UK GDPR Art. 15; the time limit in Art. 12(3)).

A person (a child with a record, or a parent, carer or relative named in a child's record)
asks for their personal data. The request is an event; so are an extension, the reviewer's
approval of the redactions and the release of the response, so the deadline engine judges
the one-month limit (``policies/packs/national.yaml``, rule ``subject_access_response``) and
the record shows who approved and what was sent (the released document's SHA-256).

Where the events live (streams are keyed by child id; there are no other streams, and
``verify``, the head anchors and the access rules all work per child record):

- a child asking about themselves: in their own record;
- anyone else (a parent, carer, relative): in the record of a child that names them
  (``person_added``), the first such record by child id, unless a request of theirs is
  already in a record, which is then used again. ``caseledger sar`` looks for a person's
  requests in every record, so where one lives never decides what is found.

These kinds are written only by ``caseledger sar`` (``reserved_kinds`` in
``policies/access.yaml``): the reviewer is the signed-in account (``recorded_by``), never a
field of the request.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field, field_validator

from domain.events.base import PERSON_ID_PATTERN, CaseEvent, Category

REQUEST_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"


class RequestChannel(StrEnum):
    """How the request reached the authority (a request need not be in writing, nor name
    the law: ICO guidance on the right of access)."""

    LETTER = "letter"
    EMAIL = "email"
    WEB_FORM = "web_form"
    IN_PERSON = "in_person"
    TELEPHONE = "telephone"
    SOCIAL_MEDIA = "social_media"
    OTHER = "other"


class SubjectAccessRequestReceived(CaseEvent):
    """A subject access request is received; ``occurred_at`` is the day of receipt (day 0)."""

    category = Category.MANAGEMENT
    title = "Subject access request received"

    data_protection = {
        "request_id": "-",
        "requester_person_id": "-",
        "channel": "-",
    }

    request_id: str = Field(pattern=REQUEST_ID_PATTERN, description="The request's reference.")
    requester_person_id: str = Field(
        pattern=PERSON_ID_PATTERN,
        description="Whose personal data is asked for: the child's id, or a person_id on a "
        "child's record (a parent, carer, relative).",
    )
    channel: RequestChannel


class SubjectAccessRequestExtended(CaseEvent):
    """The time to respond is extended by two further months (Art. 12(3)): a complex request,
    with the reason recorded."""

    category = Category.MANAGEMENT
    title = "Subject access request extended"

    data_protection = {
        "request_id": "-",
        "reason": "child:free_text",
    }

    request_id: str = Field(pattern=REQUEST_ID_PATTERN)
    reason: str = Field(
        min_length=1,
        max_length=2000,
        description="Why the request is complex enough to need two further months.",
    )

    @field_validator("reason")
    @classmethod
    def _reason_says_something(cls, value: str) -> str:
        if not value.strip():
            raise ValueError(
                "is blank: an extension under UK GDPR Art. 12(3) needs the reason recorded"
            )
        return value


class SubjectAccessRedactionsApproved(CaseEvent):
    """A reviewer (the signed-in account, ``recorded_by``) approves the redactions of a draft."""

    category = Category.MANAGEMENT
    title = "Subject access redactions approved"

    data_protection = {
        "request_id": "-",
        "as_known_at": "-",
        "redaction_digest": "-",
        "serious_harm_event_ids": "-",
        "professionals_consented": "professional:identifier",
        "entries": "-",
        "redactions": "-",
    }

    request_id: str = Field(pattern=REQUEST_ID_PATTERN)
    as_known_at: datetime = Field(
        description="The draft covers what was on the record at this moment (UTC)."
    )
    redaction_digest: str = Field(
        pattern=SHA256_PATTERN,
        description="SHA-256 of the approved redaction plan: the release must match it.",
    )
    serious_harm_event_ids: list[str] = Field(
        default_factory=list,
        max_length=1000,
        description="Entries withheld whole under the serious harm exemption (DPA 2018 "
        "Sch. 3 Part 3 para 7), by event id.",
    )
    professionals_consented: list[str] = Field(
        default_factory=list,
        max_length=1000,
        description="Professionals who consented to be named (from the configuration).",
    )
    entries: int = Field(ge=0, description="How many entries the approved draft holds.")
    redactions: int = Field(ge=0, description="How many redactions it makes.")


class SubjectAccessResponseReleased(CaseEvent):
    """The response is released to the requester: which document (its hash) and when."""

    category = Category.MANAGEMENT
    title = "Subject access response released"

    data_protection = {
        "request_id": "-",
        "released_at": "-",
        "document_sha256": "-",
        "document_format": "-",
        "approval_event_id": "-",
    }

    request_id: str = Field(pattern=REQUEST_ID_PATTERN)
    released_at: datetime
    document_sha256: str = Field(pattern=SHA256_PATTERN)
    document_format: str = Field(pattern=r"^(pdf|docx)$")
    approval_event_id: str = Field(min_length=1, max_length=64)


SUBJECT_ACCESS_KINDS = (
    SubjectAccessRequestReceived.kind,
    SubjectAccessRequestExtended.kind,
    SubjectAccessRedactionsApproved.kind,
    SubjectAccessResponseReleased.kind,
)
