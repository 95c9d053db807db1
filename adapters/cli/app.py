"""The `caseledger` Typer application. Command modules in this package register on it."""

from __future__ import annotations

import typer

from adapters.cli.identity import IdentityGroup

app = typer.Typer(
    cls=IdentityGroup,
    name="caseledger",
    help="Event-sourced case timelines for children's social care.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
