"""What every command shares: the --db option, time parsing, JSON output, error exits."""

from __future__ import annotations

import errno
import getpass
import json
import os
import shutil
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Annotated, Any, NoReturn

import eventsourcing.persistence as es_errors
import sqlalchemy.exc as sa_errors
import typer

from adapters.auth.guard import AccessRefused, Gate
from adapters.cli import exit_codes
from adapters.cli.identity import IdentityError, cli_principal, requested
from adapters.db import StoreNotFound, parse_database, require_existing, resolve_url
from adapters.store import EventStore
from domain.errors import (
    CaseLedgerError,
    ConcurrencyConflict,
    IdempotencyConflict,
    InvalidEvent,
    UnknownChild,
)
from domain.parsing import parse_moment

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Store URL (sqlite:///file.db or postgresql://...); default "
        "$CASELEDGER_DB or sqlite:///caseledger.db.",
    ),
]
# Names the access and integrity tests use; the numbers live in adapters/cli/exit_codes.py.
EXIT_TAMPERED = exit_codes.TAMPERED
EXIT_NOT_FOUND = exit_codes.NOT_FOUND
EXIT_NO_IDENTITY = exit_codes.NO_IDENTITY
EXIT_FORBIDDEN = exit_codes.FORBIDDEN
EXIT_KEY_CONFLICT = exit_codes.KEY_CONFLICT

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


def fail(message: str, code: int = exit_codes.INVALID) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def parse_when(value: str | None, option: str) -> datetime | None:
    """A datetime option: ISO 8601; a bare date means the end of that day in London."""
    if value is None:
        return None
    try:
        return parse_moment(value, option)
    except InvalidEvent as error:
        fail(f"{option}: {error.rule}")


def parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option} {value!r}: expected an ISO date, e.g. 2026-04-07")


def store_unavailable(error: BaseException, db: str | None = None) -> str | None:
    """Why the store cannot be used, if ``error`` says it is down or full (else None).

    Names the cause only (refused, gone, full, read-only), never the store's location.
    SQLite says "disk I/O error" when its WAL cannot grow: with ``db`` (the store's URL),
    a folder with no space left is named as full.
    """
    unavailable = (
        es_errors.OperationalError,
        es_errors.InterfaceError,
        es_errors.ConnectionUnavailableError,
        sa_errors.OperationalError,
        sa_errors.InterfaceError,
        sqlite3.OperationalError,
        OSError,
    )
    if not isinstance(error, unavailable):
        return None
    text = str(error).lower()
    if "locked" in text or "busy" in text:
        return None  # another writer holds SQLite: a conflict, answered separately
    if "full" in text or getattr(error, "errno", None) == errno.ENOSPC or _no_space(db):
        return "the disk holding the store is full"
    if "refused" in text or "could not connect" in text or "connection" in text:
        return "the database server cannot be reached (connection refused or lost)"
    if "readonly" in text or "read-only" in text:
        return "the store is read-only"
    from adapters.logging import get_logger

    get_logger(__name__).warning("store_unavailable", error=str(error)[:300])
    return f"the store failed ({type(error).__name__})"


def _no_space(db: str | None) -> bool:
    """Whether the folder of a SQLite store has (almost) no space left."""
    try:
        parsed = parse_database(resolve_url(db))
        if not parsed.is_sqlite or not parsed.path:
            return False
        return shutil.disk_usage(os.path.dirname(os.path.abspath(parsed.path))).free < 64 * 1024
    except (OSError, ValueError):
        return False


def _sqlite_busy(error: BaseException) -> bool:
    text = str(error).lower()
    return isinstance(error, sqlite3.OperationalError | es_errors.OperationalError) and (
        "locked" in text or "busy" in text
    )


@contextmanager
def cli_errors(db: str | None = None) -> Iterator[None]:
    """Turn what a command can meet into its documented exit (adapters/cli/exit_codes.py)."""
    try:
        yield
    except IdempotencyConflict as error:
        fail(str(error), code=exit_codes.KEY_CONFLICT)
    except AccessRefused as error:
        fail(str(error), code=exit_codes.FORBIDDEN)
    except UnknownChild as error:
        fail(str(error), code=exit_codes.NOT_FOUND)
    except ConcurrencyConflict as error:
        fail(str(error), code=exit_codes.CONFLICT)
    except CaseLedgerError as error:
        fail(str(error), code=exit_codes.INVALID)
    except Exception as error:
        if _sqlite_busy(error):
            fail(
                "another writer holds the store; nothing was written — run it again",
                code=exit_codes.CONFLICT,
            )
        reason = store_unavailable(error, db)
        if reason is None:
            raise
        fail(
            f"store unavailable: {reason}; nothing more was written — retry when it is back",
            code=exit_codes.UNAVAILABLE,
        )


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
    except StoreNotFound as error:
        fail(str(error), code=exit_codes.NOT_FOUND)
    except ValueError as error:
        fail(str(error))
    except Exception as error:  # noqa: BLE001  (connection failures of either driver)
        reason = store_unavailable(error, db) or f"{type(error).__name__}"
        fail(f"cannot open the store: {reason}", code=exit_codes.UNAVAILABLE)
    try:
        with cli_errors(db):
            yield store
    finally:
        try:
            store.close()
        except Exception:  # noqa: BLE001  (closing a store whose server has gone)
            pass


@contextmanager
def open_gate(db: str | None, *, create: bool = False) -> Iterator[tuple[EventStore, Gate]]:
    """Open the store (``create`` as :func:`open_store`) and the gate for the account this
    command acts as (see :mod:`adapters.cli.identity`)."""
    with open_store(db, create=create) as store:
        try:
            principal = cli_principal(store)
        except IdentityError as error:
            fail(str(error), code=exit_codes.NO_IDENTITY)
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
