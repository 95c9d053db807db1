"""The one place CLI and HTTP ask who may do what, and write the visitors' book.

A :class:`Gate` binds a store, an authenticated principal and where the request came from
(``cli`` with the OS user, or ``http`` with the client address). Every command and route
that touches a child's record asks it first:

- :meth:`Gate.read` checks the policy for the child and appends the access-log row (one per
  child) before anything is shown; a refusal raises :class:`AccessRefused` and is logged
  with ids only;
- :meth:`Gate.check_write` checks each event's child and kind before a write;
- :meth:`Gate.require_store` checks a store-wide action (feed, returns, accounts...);
- :meth:`Gate.visible` filters lists to the children the principal may see.

"Not found" refusals raise the store's own ``UnknownChild``: the same error, message and
exit code as for a child who does not exist.
"""

from __future__ import annotations

import getpass
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta

from adapters.access_policy import load_policy
from adapters.auth.access_log import Access, AccessLog
from adapters.auth.accounts import Accounts
from adapters.logging import get_logger
from adapters.store import EventStore
from domain.access import (
    Action,
    ChildFacts,
    Decision,
    Grant,
    GrantKind,
    Outcome,
    Principal,
    Relation,
    StoreAction,
)
from domain.envelope import RecordedEvent
from domain.errors import CaseLedgerError, UnknownChild
from domain.events import CaseEvent
from domain.events.access import RecordRestricted, RecordRestrictionLifted, RestrictedRecordOpened
from domain.events.base import RecordedBy
from policies.access import AccessPolicy, decide, decide_store
from projections.access_facts import child_facts, facts_by_child

log = get_logger("caseledger.access")

LEFT_OUT = "note: the family's records you may not read are left out"


class AccessRefused(CaseLedgerError):
    """Forbidden by the access policy (HTTP 403). A child one may not see is refused with
    the store's own :class:`UnknownChild` instead, as if it had no record."""

    def __init__(self, outcome: Outcome, message: str) -> None:
        super().__init__(message)
        self.outcome = outcome


def operator_principal() -> Principal:
    """The local operator of a store with no accounts: ``local:<OS user>``."""
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001  (no user name in this environment)
        user = "unknown"
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", user)[:50] or "unknown"
    return Principal(user_id=f"local:{safe}", role="local_operator", source="operator")


class Gate:
    def __init__(
        self,
        store: EventStore,
        principal: Principal,
        *,
        channel: str,
        address: str | None = None,
        purpose: str | None = None,
        policy: AccessPolicy | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.store = store
        self.principal = principal
        self.channel = channel
        self.address = address
        self.purpose = purpose
        self.policy = policy or load_policy()
        self.clock = clock or (lambda: datetime.now(UTC))
        self._accounts: Accounts | None = None
        self._log: AccessLog | None = None
        self._grants: list[Grant] | None = None
        self._streams: dict[str, list[RecordedEvent]] = {}

    # -- parts ------------------------------------------------------------------------------

    @property
    def accounts(self) -> Accounts:
        if self._accounts is None:
            self._accounts = Accounts(self.store.url, self.policy)
        return self._accounts

    @property
    def access_log(self) -> AccessLog:
        if self._log is None:
            self._log = AccessLog(self.store.url, clock=self.clock)
        return self._log

    def grants(self) -> list[Grant]:
        if self.principal.source == "operator":
            return []
        if self._grants is None:
            self._grants = self.accounts.grants_for(self.principal.user_id)
        return self._grants

    def stream(self, child_id: str) -> list[RecordedEvent]:
        """The child's stream as :meth:`EventStore.stream` gives it, read once per gate (a
        gate lives for one request or command: its check and its page read the same
        events, once). Raises UnknownChild as the store does. Writes go past it: read
        through the store after writing."""
        if child_id not in self._streams:
            self._streams[child_id] = self.store.stream(child_id)
        return list(self._streams[child_id])

    def forget(self, child_id: str) -> None:
        """Drop the child's stream read so far (after a write, the next read sees it)."""
        self._streams.pop(child_id, None)

    def facts(self, child_id: str) -> ChildFacts:
        """The child's access facts now; on a server, memoised with the decoded stream they
        were folded from (:mod:`adapters.stream_cache`) for the London day, once everything
        on the stream had been recorded and had happened (a later moment that day folds the
        same events to the same facts), so a new event, a correction or midnight folds anew."""
        try:
            events = self.stream(child_id)
        except UnknownChild:
            return ChildFacts(child_id=child_id, exists=False)
        at = self.clock()
        return self.store.derived(
            child_id, events, "child_facts", lambda: child_facts(child_id, events, at=at), at=at
        )

    # -- decisions --------------------------------------------------------------------------

    def decide(
        self,
        child_id: str,
        action: Action,
        *,
        kind: str | None = None,
        facts: ChildFacts | None = None,
    ) -> Decision:
        return decide(
            self.policy,
            self.principal,
            facts or self.facts(child_id),
            action,
            grants=self.grants(),
            now=self.clock(),
            kind=kind,
        )

    def require(
        self, child_id: str, action: Action, *, kind: str | None = None
    ) -> tuple[ChildFacts, Decision]:
        facts = self.facts(child_id)
        decision = self.decide(child_id, action, kind=kind, facts=facts)
        if not decision.allowed:
            self._refused(decision, action=action.value, child_id=child_id, kind=kind)
        return facts, decision

    def _refused(
        self, decision: Decision, *, action: str, child_id: str | None, kind: str | None = None
    ) -> None:
        # info, and the same for a child who does not exist as for one not to be seen, so
        # standard error is no existence oracle either (`caseledger serve` logs at INFO).
        log.info(
            "access_refused",
            user_id=self.principal.user_id,
            role=self.principal.role,
            action=action,
            child_id=child_id,
            kind=kind,
            outcome=decision.outcome.value,
            channel=self.channel,
        )
        if decision.outcome is Outcome.NOT_FOUND and child_id is not None:
            raise self.store.unknown(child_id)  # word for word a child with no record
        raise AccessRefused(Outcome.FORBIDDEN, decision.reason)

    def read(self, child_id: str, action: Action, what: str) -> ChildFacts:
        """Check a read of one child's record and log it; the facts, or AccessRefused."""
        facts, decision = self.require(child_id, action)
        self._log_reads([(child_id, decision)], action, what)
        return facts

    def read_many(self, child_ids: Sequence[str], action: Action, what: str) -> None:
        """Check a read of several children's records (all or none) and log one row each."""
        decided = []
        for child_id in child_ids:
            _, decision = self.require(child_id, action)
            decided.append((child_id, decision))
        self._log_reads(decided, action, what)

    def readable(self, child_ids: Sequence[str], action: Action) -> list[str]:
        """Those of ``child_ids`` (a family's other children) the principal may ``action``."""
        return [c for c in child_ids if self.decide(c, action).allowed]

    def log_reads(self, child_ids: Iterable[str], action: Action, what: str) -> None:
        """Log reads already allowed by a store-wide decision (feed, returns, tables)."""
        self._log_reads(
            [(c, Decision(Outcome.ALLOW, "store", (what,))) for c in child_ids], action, what
        )

    def _log_reads(
        self, decided: Sequence[tuple[str, Decision]], action: Action, what: str
    ) -> None:
        self.access_log.append(
            [
                Access(
                    user_id=self.principal.user_id,
                    role=self.principal.role,
                    action=action.value,
                    what=what[:100],
                    child_id=child_id,
                    channel=self.channel,
                    address=self.address,
                    purpose=self.purpose[:500] if self.purpose else None,
                    via=",".join(decision.relations)[:200],
                )
                for child_id, decision in decided
            ]
        )

    def require_store(self, action: StoreAction) -> None:
        decision = decide_store(self.policy, self.principal, action)
        if not decision.allowed:
            self._refused(decision, action=action.value, child_id=None)

    def may_store(self, action: StoreAction) -> bool:
        return decide_store(self.policy, self.principal, action).allowed

    def check_write(self, events: Sequence[CaseEvent]) -> None:
        """Every event's child and kind allowed for a write, or AccessRefused for the first not."""
        facts: dict[str, ChildFacts] = {}
        for event in events:
            if event.child_id not in facts:
                facts[event.child_id] = self.facts(event.child_id)
            decision = self.decide(
                event.child_id, Action.WRITE, kind=event.kind, facts=facts[event.child_id]
            )
            if not decision.allowed:
                self._refused(decision, action="write", child_id=event.child_id, kind=event.kind)

    def sees_everything(self, action: Action) -> bool:
        """Whether the role may do ``action`` on every child, restricted or not (the operator)."""
        role = self.policy.role(self.principal.role)
        return (
            role is not None
            and role.passes_restriction
            and action in role.child.get(Relation.ANY, frozenset())
        )

    def visible_ids(
        self, action: Action = Action.SUMMARY, *, events: Iterable[RecordedEvent] | None = None
    ) -> set[str] | None:
        """The children the principal may do ``action`` on; None when that is every child.
        ``events``: the whole log, when the caller has read it already (else it is read)."""
        if self.sees_everything(action):
            return None
        return set(self.visible(action, events=events))

    def visible(
        self, action: Action = Action.SUMMARY, *, events: Iterable[RecordedEvent] | None = None
    ) -> dict[str, ChildFacts]:
        """Every child the principal may do ``action`` on, with its facts (folded from
        ``events``, the whole log, if given; else from the log read now)."""
        now = self.clock()
        grants = self.grants()
        found = facts_by_child(self.store.iter_all() if events is None else events, at=now)
        return {
            child: facts
            for child, facts in found.items()
            if decide(self.policy, self.principal, facts, action, grants=grants, now=now).allowed
        }

    # -- restriction and break glass --------------------------------------------------------

    def recorded_by(self) -> RecordedBy:
        return RecordedBy(user_id=self.principal.user_id, role=self.principal.role)

    def restrict(self, child_id: str, reason: str, *, lift: bool = False) -> None:
        self.require(child_id, Action.RESTRICT)
        cls = RecordRestrictionLifted if lift else RecordRestricted
        event = cls(
            child_id=child_id,
            occurred_at=self.clock(),
            recorded_by=self.recorded_by(),
            summary="Restriction lifted" if lift else "Record restricted",
            reason=reason,
        )
        self.store.record([event])
        self._streams.pop(child_id, None)

    def break_glass(self, child_id: str, reason: str) -> Grant:
        """Open a restricted record with a written reason: a short grant, an alert event."""
        if len(reason.strip()) < 10:
            raise AccessRefused(
                Outcome.FORBIDDEN, "--reason: say why in a sentence (at least 10 characters)"
            )
        facts, decision = self.require(child_id, Action.BREAK_GLASS)
        if not facts.restricted:
            raise AccessRefused(Outcome.FORBIDDEN, "the record is not restricted: open it as usual")
        now = self.clock()
        alert = RestrictedRecordOpened(
            child_id=child_id,
            occurred_at=now,
            recorded_by=self.recorded_by(),
            summary="Restricted record opened (break glass)",
            opened_by=self.principal.user_id,
            reason=reason.strip(),
        )
        self.store.record([alert])
        self._streams.pop(child_id, None)
        grant = self.accounts.grant(
            self.principal.user_id,
            child_id,
            GrantKind.BREAK_GLASS,
            reason=reason,
            granted_by=self.principal.user_id,
            hours=self.policy.break_glass_hours,
            now=now,
        )
        self._grants = None
        purpose, self.purpose = self.purpose, reason.strip()
        try:
            self._log_reads([(child_id, decision)], Action.BREAK_GLASS, "break glass")
        finally:
            self.purpose = purpose
        log.warning(
            "break_glass",
            user_id=self.principal.user_id,
            child_id=child_id,
            until=(now + timedelta(hours=self.policy.break_glass_hours)).isoformat(),
        )
        return grant
