"""Who the CLI acts as: ``--as USER`` or ``$CASELEDGER_USER``, or the local operator.

- A store with accounts: every command that touches it needs ``--as USER`` (or
  ``$CASELEDGER_USER``) naming an enabled account; the account's role and team decide what
  the command may do, and every read of a child's record is in the access log under it.
  The CLI takes no password: whoever can open the store (the SQLite file, mode 0600, or the
  PostgreSQL role) could read it directly anyway. ``--as`` names the account that is
  accountable; it is not a lock against the store's owner (see README, "Accounts").
- A store with no accounts at all (a fresh import, the embedded default before
  ``users add`` or ``demo``): the CLI acts as the local operator, ``local:<OS user>``, who may
  do everything, and says so once on standard error.

``--as`` and ``--purpose`` may come before or after the command's name (``caseledger --as sw
history X`` or ``caseledger history X --as sw``).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:  # imported when a command asks who it acts as, not at start-up
    from adapters.store import EventStore
    from domain.access import Principal

_GLOBAL = ("--as", "--purpose")
requested: dict[str, str | None] = {"as": None, "purpose": None}


class IdentityGroup(TyperGroup):
    """Moves ``--as X`` and ``--purpose X`` given after the command to before it."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        moved: list[str] = []
        rest: list[str] = []
        items = iter(range(len(args)))
        skip = False
        for index in items:
            if skip:
                skip = False
                continue
            arg = args[index]
            if arg == "--":
                rest.extend(args[index:])
                break
            name, eq, value = arg.partition("=")
            if name in _GLOBAL and index > 0:
                if eq:
                    moved.extend([name, value])
                elif index + 1 < len(args):
                    moved.extend([arg, args[index + 1]])
                    skip = True
                else:
                    rest.append(arg)
                continue
            rest.append(arg)
        return super().parse_args(ctx, moved + rest)


def set_requested(as_user: str | None, purpose: str | None) -> None:
    requested["as"] = as_user
    requested["purpose"] = purpose


class IdentityError(Exception):
    pass


_NOTICE_SHOWN: set[str] = set()


def cli_principal(store: EventStore) -> Principal:
    """The principal this command acts as on ``store`` (IdentityError when it cannot)."""
    from adapters.auth.accounts import Accounts
    from adapters.auth.guard import operator_principal

    name = requested["as"] or os.environ.get("CASELEDGER_USER") or None
    accounts = Accounts(store.url)
    if accounts.count() == 0:
        if name:
            raise IdentityError(
                f"--as {name}: this store has no accounts yet; add one with "
                "`caseledger users add NAME --role ROLE`, or leave --as out to act as the "
                "local operator"
            )
        principal = operator_principal()
        if store.url not in _NOTICE_SHOWN:
            _NOTICE_SHOWN.add(store.url)
            typer.echo(
                f"note: this store has no accounts; acting as the local operator "
                f"{principal.user_id} (add accounts with `caseledger users add`)",
                err=True,
            )
        return principal
    if not name:
        raise IdentityError(
            "this store has accounts: say who you are with --as USER or $CASELEDGER_USER"
        )
    account = accounts.get(name)
    if account is None or account.disabled:
        raise IdentityError(f"--as {name}: no such enabled account in this store")
    return account.principal()


def forget_notices() -> None:
    _NOTICE_SHOWN.clear()
