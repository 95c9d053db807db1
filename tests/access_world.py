"""A small synthetic authority for the access tests: four children and one account per role.

- ``C-OWN``: allocated to ``sw-1`` in team ``north``; its looked-after review chaired by
  ``iro-1``; in pre-proceedings (the lawyer's); named in ``rev-1``'s review grant;
- ``C-TEAM``: allocated to ``sw-2`` in team ``north`` (a team child for ``sw-1``/``tm-1``);
- ``C-OTHER``: allocated to ``sw-9`` in team ``south``;
- ``C-RESTRICTED``: related to everyone as ``C-OWN`` is, and restricted.

So each role's "own" child is ``C-OWN``, and ``C-RESTRICTED`` is the same child behind the
restriction.
"""

from __future__ import annotations

from adapters.auth.accounts import Accounts
from adapters.store import EventStore
from domain.access import GrantKind
from domain.parsing import parse_event
from tests.accounts import add_account
from tests.factories import example_data

OWN, TEAM, OTHER, RESTRICTED = "C-OWN", "C-TEAM", "C-OTHER", "C-RESTRICTED"
CHILDREN = (OWN, TEAM, OTHER, RESTRICTED)

ROLES = {
    "sw-1": ("social_worker", "north"),
    "tm-1": ("team_manager", "north"),
    "iro-1": ("iro", None),
    "law-1": ("lawyer", None),
    "rev-1": ("safeguarding_reviewer", None),
    "ana-1": ("performance_analyst", None),
    "adm-1": ("administrator", None),
    "dpo-1": ("data_protection_officer", None),
}
"""Account -> (role, team): one account per role."""


def _events(child: str, worker: str, team: str, *, related: bool) -> list[dict[str, object]]:
    data = [
        example_data("child_registered", child, "2025-01-06", case_number=f"LA-{child}"),
        example_data("authority_recorded", child, "2025-01-06", authority="york"),
        example_data("allocated_to_worker", child, "2025-01-07", worker_id=worker, team=team),
    ]
    if related:
        data += [
            example_data("iro_contact", child, "2025-01-08", iro_id="iro-1"),
            example_data("letter_before_proceedings_sent", child, "2025-01-09"),
        ]
    return data


def build(url: str) -> None:
    """Write the four children, add the accounts and the reviewer's grants."""
    raw = (
        _events(OWN, "sw-1", "north", related=True)
        + _events(TEAM, "sw-2", "north", related=False)
        + _events(OTHER, "sw-9", "south", related=False)
        + _events(RESTRICTED, "sw-1", "north", related=True)
        + [example_data("record_restricted", RESTRICTED, "2025-01-10")]
    )
    with EventStore(url) as store:
        store.record([parse_event(item) for item in raw])
    for name, (role, team) in ROLES.items():
        add_account(url, name, role, team)
    accounts = Accounts(url)
    for child in (OWN, RESTRICTED):
        accounts.grant(
            "rev-1",
            child,
            GrantKind.REVIEW,
            reason="Rapid review 2026-04",
            granted_by="adm-1",
            days=30,
        )
