"""Who is appending, as the record's rules see it: a caller, or the policy handler.

The store's append path takes a :class:`Writer`. Two rules rest on it:

- **policy-owned kinds** (the standards events: ``deadline_breached``, ``deadline_met_late``,
  ``deadline_due_soon``) are written only by the policy handler's system writer
  (:data:`POLICY_WRITER`); ``record``, ``import`` and the HTTP append are refused them, so a
  breach can neither be forged nor suppressed by a caller;
- **idempotency keys are scoped**: a standards event's key lives in the policy's scope, every
  other event's key in the case scope, so a case note carrying a breach's key
  (``breach:<pack>:<rule>:<trigger>:<due>``) cannot occupy the breach's place.

Today every caller is :data:`CALLER`; an authenticated identity (a user and a role) can be
passed later as ``Writer(name=<user id>)`` without changing the rules above.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.events.base import CaseEvent, Category

POLICY_SCOPE = "policy"
CASE_SCOPE = "case"


@dataclass(frozen=True)
class Writer:
    """The identity appending events. ``system`` marks the policy handler's own identity."""

    name: str
    system: bool = False


CALLER = Writer("caller")
"""Any caller of ``record``, ``import`` or ``POST /events`` (until identities are authenticated)."""
POLICY_WRITER = Writer("caseledger-policy", system=True)
"""The policy handler: the only writer of policy-owned kinds."""


def policy_owned(event: CaseEvent) -> bool:
    """Whether the event is of a kind only the policy handler writes (the standards events)."""
    return event.category is Category.STANDARDS


def key_scope(event: CaseEvent) -> str:
    """The scope an event's idempotency key lives in (its kind decides it)."""
    return POLICY_SCOPE if policy_owned(event) else CASE_SCOPE
