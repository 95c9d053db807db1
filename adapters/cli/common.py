"""What every command shares: the --db option, time parsing, JSON output, error exits."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Annotated, Any, NoReturn

import typer

from adapters.store import EventStore
from domain.errors import CaseLedgerError, IdempotencyConflict, InvalidEvent
from domain.parsing import parse_moment

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


@contextmanager
def open_store(db: str | None) -> Iterator[EventStore]:
    """Open the store, turning connection and user errors into clear exits."""
    try:
        store = EventStore(db)
    except ValueError as error:
        fail(str(error))
    except Exception as error:  # noqa: BLE001  (connection failures of either driver)
        fail(f"cannot open the store: {type(error).__name__}: {error}")
    try:
        yield store
    except IdempotencyConflict as error:
        fail(str(error), code=EXIT_KEY_CONFLICT)
    except CaseLedgerError as error:
        fail(str(error))
    finally:
        store.close()


def emit_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
