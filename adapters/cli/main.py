"""Entry point: the root command. Command modules are imported when run (adapters/cli/registry.py)."""

from __future__ import annotations

from typing import Annotated

import typer

from adapters.cli.app import app
from adapters.cli.identity import set_requested


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
    from adapters.logging import configure_logging

    configure_logging(log_level)
    set_requested(as_user, purpose)


__all__ = ["app"]
