"""`caseledger demo`: write the synthetic demo family to a fresh store and show a history."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from adapters.cli.app import app
from adapters.cli.common import fail
from adapters.db import parse_database
from adapters.store import EventStore

DEMO_DB = "sqlite:///caseledger-demo.db"


@app.command()
def demo(
    db: Annotated[
        str | None,
        typer.Option("--db", help=f"Store for the demo (default {DEMO_DB}, recreated each run)."),
    ] = None,
    child: Annotated[str, typer.Option(help="Whose history to print.")] = "DEMO-JORDAN",
    plain: Annotated[
        bool,
        typer.Option(
            "--plain",
            help="Keep personal data in plain text (default: encrypted per person, as "
            "CASELEDGER_ENCRYPT=on, so `retention destroy` can erase a record).",
        ),
    ] = False,
) -> None:
    """Write a synthetic family's multi-year journey to a fresh store and print a child's history."""
    from adapters.cli.history import history
    from adapters.shredding.master_key import master_key_location
    from adapters.synthetic.demo_family import write_demo

    url = db or DEMO_DB
    database = parse_database(url)
    if db is None and database.path and os.path.exists(database.path):
        for suffix in ("", "-wal", "-shm", ".master-key"):  # a fresh store, a fresh key
            if os.path.exists(database.path + suffix):
                os.remove(database.path + suffix)
    try:
        result = write_demo(url, encrypt=not plain)
    except ValueError as error:
        fail(str(error))
    typer.echo(
        f"Demo family written to {database.describe()}: {result.events} events for "
        f"{len(result.children)} children ({', '.join(result.children)})."
    )
    with EventStore(url) as store:
        sealed = store.shredder is not None
    typer.echo(
        "Personal data is encrypted per person (key file "
        f"{master_key_location(database)}; back it up apart from the store)."
        if sealed
        else "Personal data is kept in plain text (--plain, or a store written before)."
    )
    typer.echo("All people and events are synthetic.\n")
    history(child=child, db=url, as_known_at=None, json_out=False)
    with EventStore(url) as store:
        report = store.verify()
    typer.echo(f"Hash chains: {report.events} events in {report.streams} streams verified intact.")
    password = add_demo_accounts(url)
    typer.echo(
        "\nAccounts (synthetic, this demo store only): "
        + ", ".join(f"{name} ({role})" for name, role, _ in DEMO_ACCOUNTS)
        + f".\nEach signs in over HTTP with the password {password} ; on the CLI add "
        "--as NAME, e.g.\n"
        f"  caseledger history {child} --db {url} --as tm-003"
    )


DEMO_TEAM = "Assessment Team North"
DEMO_ACCOUNTS = (
    ("admin", "administrator", None),
    ("tm-003", "team_manager", DEMO_TEAM),
    ("sw-014", "social_worker", DEMO_TEAM),
    ("sw-022", "social_worker", DEMO_TEAM),
    ("iro-007", "iro", None),
    ("lawyer-001", "lawyer", None),
    ("dpo-001", "data_protection_officer", None),
    ("analyst-001", "performance_analyst", None),
    ("rev-001", "safeguarding_reviewer", None),
)
"""The demo family's practitioners (their ids are those on the demo record), and others."""


def add_demo_accounts(url: str) -> str:
    """Add the demo accounts with one fresh random password; return it."""
    import secrets

    from adapters.auth.accounts import Accounts
    from domain.access import GrantKind

    password = secrets.token_urlsafe(12)
    accounts = Accounts(url)
    for name, role, team in DEMO_ACCOUNTS:
        accounts.add(name, role, team=team, password=password, created_by="caseledger-demo")
    with EventStore(url) as store:
        children = store.children()
    for child in children:  # the demo family is a practice review's case study
        accounts.grant(
            "rev-001",
            child,
            GrantKind.REVIEW,
            reason="Demo: practice review of the family",
            granted_by="caseledger-demo",
            days=365,
        )
    return password
