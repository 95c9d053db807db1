"""`caseledger export ...`: statutory returns and reporting tables, derived from events alone."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from adapters.cli.app import app
from adapters.cli.common import DbOption, fail, open_gate
from domain.access import Action, StoreAction

export_app = typer.Typer(help="Statutory returns (CIN census, SSDA903) and reporting tables.")
app.add_typer(export_app, name="export")

YearOption = Annotated[
    int, typer.Option("--year", help="Collection year's end: 2026 is April 2025 to March 2026.")
]


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed} events"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )


@export_app.command("cin-census")
def cin_census(
    year: YearOption,
    la: Annotated[
        str | None,
        typer.Option("--la", help="DfE three-digit LA code (needed when the store holds several)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the XML here (default: standard output).")
    ] = None,
    db: DbOption = None,
) -> None:
    """The children in need census XML for a collection year."""
    from adapters.exporters.cin_census import export_cin_census

    with open_gate(db) as (store, gate), _progress() as bar:
        gate.require_store(StoreAction.RETURNS)
        task = bar.add_task("reading events", total=None)
        try:
            xml, children = export_cin_census(
                store, year, la, out, progress=lambda n: bar.update(task, completed=n)
            )
        except ValueError as error:
            fail(str(error))
        gate.log_reads(store.children(), Action.READ, f"CIN census {year}")
    if out is None:
        typer.echo(xml.decode("utf-8"), nl=False)
    else:
        typer.echo(f"wrote {out}: CIN census {year}, {children} children", err=True)


@export_app.command("ssda903")
def ssda903(
    year: YearOption,
    out: Annotated[Path, typer.Option("--out", help="Directory for the CSV files.")] = Path(
        "ssda903"
    ),
    la: Annotated[
        str | None,
        typer.Option("--la", help="DfE three-digit LA code (needed when the store holds several)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """The SSDA903 CSVs (Header, Episodes, Reviews, UASC, OC2, OC3, AD1, ...) for a year."""
    from adapters.exporters.ssda903 import export_ssda903

    with open_gate(db) as (store, gate), _progress() as bar:
        gate.require_store(StoreAction.RETURNS)
        task = bar.add_task("reading events", total=None)
        try:
            counts = export_ssda903(
                store, year, out, la, progress=lambda n: bar.update(task, completed=n)
            )
        except ValueError as error:
            fail(str(error))
        gate.log_reads(store.children(), Action.READ, f"SSDA903 {year}")
    rows = ", ".join(f"{name} {n}" for name, n in counts.items())
    typer.echo(f"wrote {out}/: SSDA903 {year}: {rows}")


@export_app.command("tables")
def tables(
    url: Annotated[
        str,
        typer.Option(
            "--url", help="Where to build the tables: sqlite:///file.db or postgresql://..."
        ),
    ],
    db: DbOption = None,
) -> None:
    """Rebuild the reporting tables (Standard Safeguarding Dataset shape) for BI tools."""
    from adapters.db import parse_database
    from adapters.readmodels.reporting import rebuild_reporting_tables

    try:
        target = parse_database(url)
    except ValueError as error:
        fail(str(error).replace("--db", "--url"))
    with open_gate(db) as (store, gate), _progress() as bar:
        gate.require_store(StoreAction.RETURNS)
        task = bar.add_task("rebuilding", total=None)
        try:
            counts = rebuild_reporting_tables(
                store, url, progress=lambda what, n: bar.update(task, description=what, completed=n)
            )
        except Exception as error:  # noqa: BLE001  (connection failures of either driver)
            fail(f"cannot build tables in {target.describe()}: {type(error).__name__}: {error}")
        gate.log_reads(store.children(), Action.READ, "reporting tables")
    rows = ", ".join(f"{name} {n}" for name, n in counts.items())
    typer.echo(f"rebuilt reporting tables in {target.describe()}: {rows}")
