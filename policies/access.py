"""The access policy: who may do what with a child's record, declared in ``access.yaml``
(read by ``adapters.access_policy``).

:func:`decide` is pure: a principal, the facts folded from the child's record, the grants
held, the action (and an event's kind for a write) and the moment give an allow or a refusal
with its reason. CLI and HTTP both ask it; neither holds a rule of its own.

Refusals come in two kinds: ``not_found`` for a child the principal may not know of (a
child who does not exist, another team's child, a restricted record without a grant: the
same answer for each, so no existence oracle) and ``forbidden`` for an action on a child the
principal may know of (a team child seen in summary, a kind the role may not write).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

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

LOCAL_OPERATOR = "local_operator"


class PolicyError(ValueError):
    """The policy file breaks its own rules (an unknown role, relation, action or key)."""


@dataclass(frozen=True)
class RolePolicy:
    name: str
    title: str
    child: Mapping[Relation, frozenset[Action]]
    store: frozenset[StoreAction]
    allow_kinds: frozenset[str] | None = None
    """Only these kinds may be written (None: any kind not denied)."""
    deny_kinds: frozenset[str] = frozenset()
    keeps_original_author: bool = False
    passes_restriction: bool = False


@dataclass(frozen=True)
class AccessPolicy:
    roles: Mapping[str, RolePolicy]
    reserved_kinds: frozenset[str]
    without_grant: frozenset[Action]
    break_glass_hours: int
    version: int = 1
    account_roles: tuple[str, ...] = field(default=())
    """Roles an account may be given (every role but the implicit local operator)."""

    def role(self, name: str) -> RolePolicy | None:
        return self.roles.get(name)


def _names(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PolicyError(f"{where}: expected a list of names")
    return list(value)


def _enum_set(values: list[str], enum: Any, where: str) -> frozenset[Any]:
    found = set()
    for value in values:
        try:
            found.add(enum(value))
        except ValueError:
            known = ", ".join(e.value for e in enum)
            raise PolicyError(f"{where}: {value!r} is not one of {known}") from None
    return frozenset(found)


def parse_policy(data: Mapping[str, Any]) -> AccessPolicy:
    """Check and build the policy from the YAML's data; PolicyError names the bad entry."""
    unknown = set(data) - {"version", "reserved_kinds", "restricted", "roles"}
    if unknown:
        raise PolicyError(f"unknown key(s) {', '.join(sorted(unknown))}")
    roles: dict[str, RolePolicy] = {}
    raw_roles = data.get("roles")
    if not isinstance(raw_roles, dict) or not raw_roles:
        raise PolicyError("roles: expected a mapping of role names")
    for name, raw in raw_roles.items():
        where = f"roles.{name}"
        if not isinstance(raw, dict):
            raise PolicyError(f"{where}: expected a mapping")
        extra = set(raw) - {
            "title",
            "child",
            "store",
            "write_kinds",
            "keeps_original_author",
            "passes_restriction",
        }
        if extra:
            raise PolicyError(f"{where}: unknown key(s) {', '.join(sorted(extra))}")
        child: dict[Relation, frozenset[Action]] = {}
        for relation, actions in (raw.get("child") or {}).items():
            rel = _enum_set([relation], Relation, f"{where}.child")
            child[next(iter(rel))] = _enum_set(
                _names(actions, f"{where}.child.{relation}"), Action, f"{where}.child.{relation}"
            )
        kinds = raw.get("write_kinds") or {}
        allow = kinds.get("allow")
        roles[name] = RolePolicy(
            name=name,
            title=str(raw.get("title") or name),
            child=child,
            store=_enum_set(_names(raw.get("store") or [], f"{where}.store"), StoreAction, where),
            allow_kinds=None if allow is None else frozenset(_names(allow, f"{where}.allow")),
            deny_kinds=frozenset(_names(kinds.get("deny") or [], f"{where}.deny")),
            keeps_original_author=bool(raw.get("keeps_original_author", False)),
            passes_restriction=bool(raw.get("passes_restriction", False)),
        )
    if LOCAL_OPERATOR not in roles:
        raise PolicyError(f"roles: the {LOCAL_OPERATOR} role must be defined")
    restricted = data.get("restricted") or {}
    return AccessPolicy(
        roles=roles,
        reserved_kinds=frozenset(_names(data.get("reserved_kinds") or [], "reserved_kinds")),
        without_grant=_enum_set(
            _names(restricted.get("without_grant") or [], "restricted.without_grant"),
            Action,
            "restricted.without_grant",
        ),
        break_glass_hours=int(restricted.get("break_glass_hours", 4)),
        version=int(data.get("version", 1)),
        account_roles=tuple(r for r in roles if r != LOCAL_OPERATOR),
    )


def relations(
    principal: Principal, facts: ChildFacts, grants: Iterable[Grant], now: datetime
) -> frozenset[Relation]:
    """How the principal stands to the child, from the record's facts and the grants."""
    held = {Relation.ANY}
    if principal.user_id in facts.workers:
        held.add(Relation.ALLOCATED)
    if principal.team is not None and principal.team in facts.teams:
        held.add(Relation.TEAM)
    if principal.user_id in facts.chairs:
        held.add(Relation.CHAIR)
    if facts.legal_stage in ("pre_proceedings", "proceedings"):
        held.add(Relation.PROCEEDINGS)
    if any(_holds(g, principal, facts, GrantKind.REVIEW, now) for g in grants):
        held.add(Relation.REVIEW_GRANT)
    return frozenset(held)


def _holds(grant: Grant, who: Principal, facts: ChildFacts, kind: GrantKind, now: datetime) -> bool:
    return (
        grant.kind is kind
        and grant.user_id == who.user_id
        and grant.child_id == facts.child_id
        and grant.active(now)
    )


def allowed_actions(
    policy: AccessPolicy, role: RolePolicy, held: frozenset[Relation]
) -> dict[Action, tuple[str, ...]]:
    """Each action the role has through the relations held, with the relations giving it."""
    found: dict[Action, list[str]] = {}
    for relation, actions in role.child.items():
        if relation in held:
            for action in actions:
                found.setdefault(action, []).append(relation.value)
    return {action: tuple(via) for action, via in found.items()}


def decide(
    policy: AccessPolicy,
    principal: Principal,
    facts: ChildFacts,
    action: Action,
    *,
    grants: Iterable[Grant] = (),
    now: datetime,
    kind: str | None = None,
) -> Decision:
    """May ``principal`` do ``action`` on this child's record (writing ``kind``) at ``now``?"""
    role = policy.role(principal.role)
    if role is None:
        return Decision(Outcome.NOT_FOUND, f"role {principal.role!r} has no rights")
    grants = list(grants)
    if action is Action.WRITE and kind is not None and kind in policy.reserved_kinds:
        return Decision(
            Outcome.FORBIDDEN,
            f"{kind} is written only by its own command "
            "(`restrict`, `break-glass`, `retention hold`, `retention lift`)",
        )
    if not facts.exists:
        if action is Action.WRITE and StoreAction.CREATE_CHILD in role.store:
            refused = _kind_refusal(role, kind)
            if refused:
                return Decision(Outcome.FORBIDDEN, refused)
            return Decision(Outcome.ALLOW, "a new child's record", ("create_child",))
        return Decision(Outcome.NOT_FOUND, "no such child")
    held = relations(principal, facts, grants, now)
    actions = allowed_actions(policy, role, held)
    extra: tuple[str, ...] = ()
    if facts.restricted and not role.passes_restriction:
        if any(
            _holds(g, principal, facts, kind, now)
            for g in grants
            for kind in (GrantKind.RESTRICTED, GrantKind.REVIEW)
        ):
            extra = ("restricted_grant",)
        elif any(_holds(g, principal, facts, GrantKind.BREAK_GLASS, now) for g in grants):
            extra = ("break_glass",) if Action.BREAK_GLASS in actions else ()
            if not extra:
                actions = {a: v for a, v in actions.items() if a in policy.without_grant}
        else:
            actions = {a: v for a, v in actions.items() if a in policy.without_grant}
    if action not in actions:
        if Action.SUMMARY not in actions:  # may not know the child exists: as if it did not
            return Decision(Outcome.NOT_FOUND, "no such child")
        return Decision(
            Outcome.FORBIDDEN,
            f"{role.title}: {action.value.replace('_', ' ')} is not allowed on this record",
        )
    if action is Action.WRITE:
        refused = _kind_refusal(role, kind)
        if refused:
            return Decision(Outcome.FORBIDDEN, refused)
    return Decision(Outcome.ALLOW, "allowed", actions[action] + extra)


def _kind_refusal(role: RolePolicy, kind: str | None) -> str | None:
    if kind is None:
        return None
    if kind in role.deny_kinds or (role.allow_kinds is not None and kind not in role.allow_kinds):
        return f"{role.title}: may not write {kind}"
    return None


def decide_store(policy: AccessPolicy, principal: Principal, action: StoreAction) -> Decision:
    """May ``principal`` do a store-wide ``action`` (not about one child)?"""
    role = policy.role(principal.role)
    if role is None or action not in role.store:
        title = role.title if role else principal.role
        return Decision(
            Outcome.FORBIDDEN, f"{title}: {action.value.replace('_', ' ')} is not allowed"
        )
    return Decision(Outcome.ALLOW, "allowed", (action.value,))
