"""Who is asking, what they ask, what the record says about them, and the answer.

Value objects only: the rules that join them live in :mod:`policies.access` (read from
``policies/access.yaml``); the facts about a child are a fold of its record
(:mod:`projections.access_facts`); accounts and grants are kept by the adapters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Action(StrEnum):
    """What a principal asks to do with one child's record."""

    SUMMARY = "summary"
    """See that the child exists: the caseload row (id, name, authority, last event date)."""
    READ = "read"
    """History, status, deadlines, genogram, the chronology on screen."""
    EXPORT_CHRONOLOGY = "export_chronology"
    """A chronology export for a court bundle or a file."""
    REPLAY = "replay"
    """Replay of what was known when, and the practice review report."""
    WRITE = "write"
    """Append events (the event's kind is checked too)."""
    ACCESS_LOG = "access_log"
    """Who has looked at this record."""
    RESTRICT = "restrict"
    """Mark the record restricted, or lift the restriction."""
    BREAK_GLASS = "break_glass"
    """Open a restricted record with a written reason (allowed, logged, alerted)."""


class StoreAction(StrEnum):
    """What a principal asks to do that is not about one child's record."""

    CREATE_CHILD = "create_child"
    """Start a record for a child who has none yet."""
    IMPORT = "import"
    """Bulk import from another system (authors kept as the original authors)."""
    FEED = "feed"
    """The whole store's event feed, ids as stored."""
    FEED_PSEUDONYMISED = "feed_pseudonymised"
    """The feed with ids pseudonymised and no free text."""
    RETURNS = "returns"
    """Statutory returns and reporting tables (CIN census, SSDA903, tables)."""
    ACCOUNTS = "accounts"
    """Add, disable and list accounts; give and revoke grants."""
    OPERATE = "operate"
    """Run the store: tick and scheduler (they write only standards events), verify,
    checkpoint, migrate, rebuild read models."""
    CASELOAD = "caseload"
    """Lists across children (children, overdue), filtered to those one may see."""
    DISPOSE = "dispose"
    """Destroy a child's record at the end of its retention (``retention destroy``)."""
    SUBJECT_ACCESS = "subject_access"
    """Answer a subject access request (``sar``): log it, draft the response from every
    record that names the person, approve the redactions, release it."""


class Relation(StrEnum):
    """How a principal stands to a child: what the record and the grants say."""

    ALLOCATED = "allocated"
    TEAM = "team"
    CHAIR = "chair"
    PROCEEDINGS = "proceedings"
    REVIEW_GRANT = "review_grant"
    ANY = "any"


class GrantKind(StrEnum):
    REVIEW = "review"
    """A safeguarding reviewer's time-boxed, read-only grant for a named child."""
    RESTRICTED = "restricted"
    """Lets one account read a restricted record (its role's rights still apply)."""
    BREAK_GLASS = "break_glass"
    """Written by a break-glass opening: short-lived, with the reason given."""


class Outcome(StrEnum):
    ALLOW = "allow"
    NOT_FOUND = "not_found"
    """Refused as if the child did not exist (no existence oracle): HTTP 404."""
    FORBIDDEN = "forbidden"
    """The child may be known to exist, but not this: HTTP 403."""


@dataclass(frozen=True)
class Principal:
    """An authenticated identity: a local account, a single sign-on user, or the operator."""

    user_id: str
    role: str
    team: str | None = None
    source: str = "local"
    """``local`` (an account in the store), ``oidc`` (a provider's token), ``operator``."""


@dataclass(frozen=True)
class Grant:
    user_id: str
    child_id: str
    kind: GrantKind
    starts_at: datetime
    ends_at: datetime | None
    reason: str
    granted_by: str
    revoked_at: datetime | None = None

    def active(self, now: datetime) -> bool:
        if self.revoked_at is not None and self.revoked_at <= now:
            return False
        if now < self.starts_at:
            return False
        return self.ends_at is None or now < self.ends_at


@dataclass(frozen=True)
class ChildFacts:
    """What a child's record says about who stands where to it (a fold of its events)."""

    child_id: str
    exists: bool
    workers: frozenset[str] = frozenset()
    """The worker(s) the child is allocated to now."""
    teams: frozenset[str] = frozenset()
    """The team the child is allocated to now."""
    chairs: frozenset[str] = frozenset()
    """IROs and conference chairs named on the child's reviews, conferences and IRO contacts."""
    legal_stage: str | None = None
    """``pre_proceedings`` or ``proceedings`` while the child is in either."""
    restricted: bool = False
    restricted_reason: str | None = None


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    reason: str
    relations: tuple[str, ...] = field(default=())
    """The relations that gave the right (``allocated``, ``team``, ``break_glass``...)."""

    @property
    def allowed(self) -> bool:
        return self.outcome is Outcome.ALLOW
