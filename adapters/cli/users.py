"""Accounts, grants, restricted records and the access log: `users`, `restrict`,
`break-glass`, `access-log`.

The first account on a store is added by its local operator (a store with no accounts lets
the CLI act as ``local:<OS user>``); after that, an administrator adds the rest (``--as``).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from adapters.auth.accounts import AccountError
from adapters.cli.app import app
from adapters.cli.common import DbOption, JsonOption, emit_json, fail, open_gate, parse_when
from domain.access import Action, GrantKind, StoreAction

users_app = typer.Typer(help="Local accounts and grants (administrators).", no_args_is_help=True)
app.add_typer(users_app, name="users")


def _password_from_stdin() -> str:
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        fail("--password-stdin: no password on standard input")
    return line


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The account: the id the record uses for them.")],
    role: Annotated[str, typer.Option("--role", help="A role from policies/access.yaml.")],
    team: Annotated[str | None, typer.Option("--team", help="Their team (allocations).")] = None,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read a password (12+ characters) from standard input, for signing in over "
            "HTTP. Without it the account is for the CLI only.",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Add an account (the first one by the store's local operator, then by administrators)."""
    password = _password_from_stdin() if password_stdin else None
    with open_gate(db, create=True) as (_, gate):  # the first accounts may come first
        gate.require_store(StoreAction.ACCOUNTS)
        first = gate.accounts.count() == 0
        try:
            account = gate.accounts.add(
                name, role, team=team, password=password, created_by=gate.principal.user_id
            )
        except (AccountError, ValueError) as error:
            fail(str(error))
    typer.echo(
        f"account {account.name} added: {account.role}"
        + (f", team {account.team}" if account.team else "")
        + ("" if password else " (no password: CLI only)")
    )
    if first:
        typer.echo(
            "note: the store now has accounts, so every command needs --as USER or "
            "$CASELEDGER_USER"
            + ("" if role == "administrator" else "; add an administrator to add the others"),
            err=True,
        )


@users_app.command("list")
def users_list(db: DbOption = None, json_out: JsonOption = False) -> None:
    """Every account: name, role, team, whether it is disabled and has a password."""
    with open_gate(db) as (_, gate):
        gate.require_store(StoreAction.ACCOUNTS)
        found = gate.accounts.everyone()
    if json_out:
        emit_json([a.as_json() for a in found])
        return
    table = Table(title="Accounts")
    for column in ("name", "role", "team", "state", "password", "created by"):
        table.add_column(column)
    for a in found:
        table.add_row(
            a.name,
            a.role,
            a.team or "-",
            "disabled" if a.disabled else "enabled",
            "yes" if a.has_password else "no",
            a.created_by,
        )
    Console(width=160, markup=False).print(table)


@users_app.command("disable")
def users_disable(
    name: Annotated[str, typer.Argument(help="The account.")],
    enable: Annotated[bool, typer.Option("--enable", help="Enable it again instead.")] = False,
    db: DbOption = None,
) -> None:
    """Disable an account: its tokens stop working at once and the CLI refuses it."""
    with open_gate(db) as (_, gate):
        gate.require_store(StoreAction.ACCOUNTS)
        try:
            gate.accounts.set_disabled(name, not enable)
        except AccountError as error:
            fail(str(error))
    typer.echo(f"account {name} {'enabled' if enable else 'disabled'}")


@users_app.command("passwd")
def users_passwd(
    name: Annotated[str, typer.Argument(help="The account.")],
    db: DbOption = None,
) -> None:
    """Set an account's password from standard input (12+ characters)."""
    with open_gate(db) as (_, gate):
        gate.require_store(StoreAction.ACCOUNTS)
        password = _password_from_stdin()
        try:
            gate.accounts.set_password(name, password)
        except (AccountError, ValueError) as error:
            fail(str(error))
    typer.echo(f"password set for {name}")


@users_app.command("grant")
def users_grant(
    name: Annotated[str, typer.Argument(help="The account given the grant.")],
    child: Annotated[str, typer.Argument(help="The child's id.")],
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="review: a safeguarding reviewer's read-only, time-boxed grant; restricted: "
            "lets the account read a restricted record (its role's rights still apply).",
        ),
    ] = "review",
    days: Annotated[
        float | None, typer.Option("--days", help="How long it lasts (required for review).")
    ] = None,
    reason: Annotated[str, typer.Option("--reason", help="Why (kept with the grant).")] = "",
    db: DbOption = None,
) -> None:
    """Give an account a grant on one child's record."""
    if kind not in (GrantKind.REVIEW.value, GrantKind.RESTRICTED.value):
        fail(f"--kind {kind!r}: choose review or restricted")
    with open_gate(db) as (_, gate):
        gate.require_store(StoreAction.ACCOUNTS)
        try:
            grant = gate.accounts.grant(
                name,
                child,
                GrantKind(kind),
                reason=reason,
                granted_by=gate.principal.user_id,
                days=days,
            )
        except AccountError as error:
            fail(str(error))
    until = f" until {grant.ends_at.isoformat()}" if grant.ends_at else ""
    typer.echo(f"{kind} grant for {name} on {child}{until}")


@users_app.command("revoke")
def users_revoke(
    name: Annotated[str, typer.Argument(help="The account.")],
    child: Annotated[str, typer.Argument(help="The child's id.")],
    db: DbOption = None,
) -> None:
    """Revoke every open grant the account holds on the child's record."""
    with open_gate(db) as (_, gate):
        gate.require_store(StoreAction.ACCOUNTS)
        count = gate.accounts.revoke(name, child)
    typer.echo(f"{count} grant(s) revoked for {name} on {child}")


@users_app.command("grants")
def users_grants(db: DbOption = None, json_out: JsonOption = False) -> None:
    """Every grant, open or ended."""
    with open_gate(db) as (_, gate):
        gate.require_store(StoreAction.ACCOUNTS)
        found = gate.accounts.all_grants()
    rows = [
        {
            "user_id": g.user_id,
            "child_id": g.child_id,
            "kind": g.kind.value,
            "starts_at": g.starts_at.isoformat(),
            "ends_at": g.ends_at.isoformat() if g.ends_at else None,
            "revoked_at": g.revoked_at.isoformat() if g.revoked_at else None,
            "granted_by": g.granted_by,
            "reason": g.reason,
        }
        for g in found
    ]
    if json_out:
        emit_json(rows)
        return
    for row in rows:
        typer.echo(
            f"{row['user_id']} {row['kind']} {row['child_id']} from {row['starts_at']}"
            f" to {row['ends_at'] or '-'}{' (revoked)' if row['revoked_at'] else ''}"
        )


@app.command()
def restrict(
    child: Annotated[str, typer.Argument(help="The child's id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (on the record).")],
    lift: Annotated[bool, typer.Option("--lift", help="Lift the restriction instead.")] = False,
    db: DbOption = None,
) -> None:
    """Mark a record restricted: only explicit grants may read it; others get "not found"."""
    if not reason.strip():
        fail("--reason: say why")
    with open_gate(db) as (_, gate):
        gate.restrict(child, reason.strip(), lift=lift)
    typer.echo(f"{child}: restriction {'lifted' if lift else 'in force'}")


@app.command("break-glass")
def break_glass(
    child: Annotated[str, typer.Argument(help="The child's id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why you must open it now.")],
    db: DbOption = None,
) -> None:
    """Open a restricted record without a grant, for a few hours: logged and alerted."""
    with open_gate(db) as (_, gate):
        grant = gate.break_glass(child, reason)
    assert grant.ends_at is not None
    typer.echo(
        f"{child} open to {grant.user_id} until {grant.ends_at.isoformat()}; the record's "
        "manager sees the alert in its history"
    )


@app.command("access-log")
def access_log(
    child: Annotated[str, typer.Argument(help="The child's id.")],
    since: Annotated[str | None, typer.Option("--from", help="From this date/time.")] = None,
    until: Annotated[str | None, typer.Option("--to", help="To this date/time.")] = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Who has looked at this record, and when, how and why (managers, data protection)."""
    start = parse_when(since, "--from")
    if start is not None and since is not None and len(since) == 10:
        start = start.replace(hour=0, minute=0, second=0, microsecond=0)
    end = parse_when(until, "--to")
    with open_gate(db) as (_, gate):
        gate.require(child, Action.ACCESS_LOG)
        rows = gate.access_log.rows(child, since=start, until=end)
    if json_out:
        emit_json([r.as_json() for r in rows])
        return
    table = Table(title=f"Who has looked at {child}'s record")
    for column in ("#", "when", "who", "role", "what", "how", "from", "purpose"):
        table.add_column(column, overflow="fold")
    for r in rows:
        table.add_row(
            str(r.seq),
            r.at[:19],
            r.user_id,
            r.role,
            r.what,
            r.channel,
            r.address or "-",
            r.purpose or "-",
        )
    Console(width=160, markup=False).print(table)
    typer.echo(f"{len(rows)} read(s)")
