"""The access policy as a pure function: the file's rules, its checks, grants in time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import yaml

from adapters.access_policy import POLICY_FILE, load_policy
from domain.access import Action, ChildFacts, Grant, GrantKind, Outcome, Principal
from policies.access import PolicyError, decide, parse_policy

NOW = datetime(2026, 6, 1, 9, tzinfo=UTC)
POLICY = load_policy()
CHILD = ChildFacts(
    child_id="C-1", exists=True, workers=frozenset({"sw-1"}), teams=frozenset({"north"})
)


def _decide(principal: Principal, facts: ChildFacts = CHILD, **kw: object) -> Outcome:
    return decide(POLICY, principal, facts, kw.pop("action", Action.READ), now=NOW, **kw).outcome  # type: ignore[arg-type]


def test_every_role_of_the_issue_is_in_the_policy_file() -> None:
    assert set(POLICY.account_roles) == {
        "social_worker",
        "team_manager",
        "iro",
        "lawyer",
        "safeguarding_reviewer",
        "performance_analyst",
        "administrator",
        "data_protection_officer",
        "migration",
    }


def test_a_bad_policy_file_is_refused_naming_the_entry() -> None:
    data = yaml.safe_load(POLICY_FILE.read_text())
    data["roles"]["lawyer"]["child"]["proceedings"].append("delete_everything")
    with pytest.raises(PolicyError, match=r"roles.lawyer.child.proceedings: 'delete_everything'"):
        parse_policy(data)
    data = yaml.safe_load(POLICY_FILE.read_text())
    data["roles"]["iro"]["child"]["chairs"] = ["read"]
    with pytest.raises(PolicyError, match=r"roles.iro.child: 'chairs' is not one of"):
        parse_policy(data)


def test_a_social_workers_team_child_is_summary_only_and_a_new_child_may_be_started() -> None:
    worker = Principal("sw-2", "social_worker", "north")
    assert _decide(worker) is Outcome.FORBIDDEN
    assert _decide(worker, action=Action.SUMMARY) is Outcome.ALLOW
    assert _decide(Principal("sw-3", "social_worker", "south")) is Outcome.NOT_FOUND
    nobody = ChildFacts(child_id="C-NEW", exists=False)
    assert _decide(worker, nobody, action=Action.WRITE, kind="child_registered") is Outcome.ALLOW
    assert _decide(worker, nobody) is Outcome.NOT_FOUND


def test_kinds_a_role_may_not_write() -> None:
    worker = Principal("sw-1", "social_worker", "north")
    assert _decide(worker, action=Action.WRITE, kind="case_note_recorded") is Outcome.ALLOW
    for kind in ("allocated_to_worker", "management_decision_recorded", "record_restricted"):
        assert _decide(worker, action=Action.WRITE, kind=kind) is Outcome.FORBIDDEN
    manager = Principal("tm-1", "team_manager", "north")
    assert _decide(manager, action=Action.WRITE, kind="allocated_to_worker") is Outcome.ALLOW


def test_a_review_grant_is_time_boxed_and_revocable() -> None:
    reviewer = Principal("rev-1", "safeguarding_reviewer")
    grant = Grant(
        "rev-1",
        "C-1",
        GrantKind.REVIEW,
        NOW - timedelta(days=1),
        NOW + timedelta(days=1),
        "r",
        "adm",
    )
    assert _decide(reviewer, grants=[grant]) is Outcome.ALLOW
    assert _decide(reviewer, grants=[grant], action=Action.WRITE) is Outcome.FORBIDDEN
    ended = Grant("rev-1", "C-1", GrantKind.REVIEW, NOW - timedelta(days=9), NOW, "r", "adm")
    assert _decide(reviewer, grants=[ended]) is Outcome.NOT_FOUND
    revoked = Grant(
        "rev-1", "C-1", GrantKind.REVIEW, NOW - timedelta(days=1), None, "r", "adm", NOW
    )
    assert _decide(reviewer, grants=[revoked]) is Outcome.NOT_FOUND
    other = Grant("rev-9", "C-1", GrantKind.REVIEW, NOW - timedelta(days=1), None, "r", "adm")
    assert _decide(reviewer, grants=[other]) is Outcome.NOT_FOUND


def test_a_restricted_record_answers_not_found_without_a_grant() -> None:
    restricted = ChildFacts(
        child_id="C-1", exists=True, workers=frozenset({"sw-1"}), restricted=True
    )
    worker = Principal("sw-1", "social_worker", "north")
    assert _decide(worker, restricted) is Outcome.NOT_FOUND
    grant = Grant("sw-1", "C-1", GrantKind.RESTRICTED, NOW - timedelta(hours=1), None, "r", "adm")
    assert _decide(worker, restricted, grants=[grant]) is Outcome.ALLOW
    glass = Grant("sw-1", "C-1", GrantKind.BREAK_GLASS, NOW - timedelta(hours=1), None, "r", "sw-1")
    assert _decide(worker, restricted, grants=[glass]) is Outcome.NOT_FOUND  # no break_glass right
    operator = Principal("local:me", "local_operator", source="operator")
    assert _decide(operator, restricted) is Outcome.ALLOW
