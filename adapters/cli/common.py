"""What every command shares: the --db option, time parsing, JSON output, error exits."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Annotated, Any, NoReturn

import typer

from adapters.auth.guard import AccessRefused, Gate
from adapters.cli.identity import IdentityError, cli_principal, requested
from adapters.db import require_existing
from adapters.store import EventStore
from domain.errors import CaseLedgerError, IdempotencyConflict
from domain.events.base import LONDON

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Store URL (sqlite:///file.db or postgresql://...); default "
        "$CASELEDGER_DB or sqlite:///caseledger.db.",
    ),
]
EXIT_TAMPERED = 2
"""`verify` found a broken stream, anchor or checkpoint."""
EXIT_NOT_FOUND = 1
"""No record for that child, or one the account may not see (the same answer)."""
EXIT_NO_IDENTITY = 3
"""The store has accounts and the command named none (or one that is disabled or unknown)."""
EXIT_FORBIDDEN = 4
"""The account may not do this (a child it may not see exits 1, as for a child with no record)."""
EXIT_KEY_CONFLICT = 6
"""An idempotency key already used with other content: not retryable as it is (give a new key)."""

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def parse_when(value: str | None, option: str) -> datetime | None:
    """A datetime option: ISO 8601; a bare date means the end of that day in London."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime(day.year, day.month, day.day, 23, 59, 59, 999999, tzinfo=LONDON)
        moment = datetime.fromisoformat(value)
    except ValueError:
        fail(f"{option} {value!r}: expected an ISO date or datetime, e.g. 2026-04-07T09:30")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LONDON)
    return moment


def parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option} {value!r}: expected an ISO date, e.g. 2026-04-07")


@contextmanager
def open_store(db: str | None, *, create: bool = False) -> Iterator[EventStore]:
    """Open the store, turning connection and user errors into clear exits.

    Only a command that writes new records passes ``create``: any other refuses a SQLite
    file that does not exist (naming the path) instead of creating an empty store.
    """
    try:
        if not create:
            require_existing(db)
        store = EventStore(db)
    except ValueError as error:
        fail(str(error))
    except Exception as error:  # noqa: BLE001  (connection failures of either driver)
        fail(f"cannot open the store: {type(error).__name__}: {error}")
    try:
        yield store
    except IdempotencyConflict as error:
        fail(str(error), code=EXIT_KEY_CONFLICT)
    except AccessRefused as error:
        fail(str(error), code=EXIT_FORBIDDEN)
    except CaseLedgerError as error:
        fail(str(error))
    finally:
        store.close()


@contextmanager
def open_gate(db: str | None, *, create: bool = False) -> Iterator[tuple[EventStore, Gate]]:
    """Open the store (``create`` as :func:`open_store`) and the gate for the account this
    command acts as (see :mod:`adapters.cli.identity`)."""
    with open_store(db, create=create) as store:
        try:
            principal = cli_principal(store)
        except IdentityError as error:
            fail(str(error), code=EXIT_NO_IDENTITY)
        yield (
            store,
            Gate(store, principal, channel="cli", address=os_user(), purpose=requested["purpose"]),
        )


def os_user() -> str:
    """Where a CLI read came from: the OS user running it."""
    try:
        return f"cli:{getpass.getuser()}"[:100]
    except Exception:  # noqa: BLE001
        return "cli:unknown"


def emit_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
