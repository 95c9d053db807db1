"""The `caseledger` Typer application. Command modules in this package register on it.

They are imported when a command of theirs is run (``adapters/cli/lazy_group.py``).
"""

from __future__ import annotations

import typer

from adapters.cli.lazy_group import CommandGroup

app = typer.Typer(
    cls=CommandGroup,
    name="caseledger",
    help="Event-sourced case timelines for children's social care.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
