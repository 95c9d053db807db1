"""Entry point: import every command module in this package so each registers its commands."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Annotated

import typer

import adapters.cli as _package
from adapters.cli.app import app
from adapters.cli.identity import set_requested
from adapters.logging import configure_logging

_SKIP = {"app", "main", "common", "identity", "exit_codes"}

for _module in sorted(pkgutil.iter_modules(_package.__path__), key=lambda m: m.name):
    if _module.name not in _SKIP:
        importlib.import_module(f"adapters.cli.{_module.name}")


@app.callback()
def _root(
    log_level: str = "WARNING",
    as_user: Annotated[
        str | None,
        typer.Option(
            "--as",
            help="The account to act as (default $CASELEDGER_USER); needed once the store "
            "has accounts. May also follow the command.",
        ),
    ] = None,
    purpose: Annotated[
        str | None,
        typer.Option("--purpose", help="Why you are reading the record (kept in the access log)."),
    ] = None,
) -> None:
    """Event-sourced case timelines for children's social care (synthetic data only)."""
    configure_logging(log_level)
    set_requested(as_user, purpose)


__all__ = ["app"]
