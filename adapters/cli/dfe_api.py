"""`caseledger export dfe-api`: the DfE children's social care API payloads of changed children."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from adapters.cli.common import DbOption, fail, open_store, parse_day
from adapters.cli.export import _progress, export_app
from domain.events.base import LONDON


@export_app.command("dfe-api")
def dfe_api(
    since: Annotated[
        str,
        typer.Option(
            "--since",
            help="Children with anything recorded on or after this day (ISO date, London).",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="Directory for the JSON files.")] = Path(
        "dfe-api"
    ),
    db: DbOption = None,
) -> None:
    """One JSON payload per changed child (Data to Insight's CSC API spec), with purges.

    An item a correction or an entry recorded in error withdrew since --since is sent as
    its id with "purge": true. Every payload is checked against the specification's
    schema first: one that fails names the child, field and rule, and nothing is written.
    """
    from adapters.exporters.dfe_api import DfePayloadError, export_dfe_api

    day = parse_day(since, "--since")
    assert day is not None
    start = datetime(day.year, day.month, day.day, tzinfo=LONDON)
    with open_store(db) as store, _progress() as bar:
        task = bar.add_task("reading events", total=None)
        try:
            result = export_dfe_api(
                store, start, out, progress=lambda n: bar.update(task, completed=n)
            )
        except DfePayloadError as error:
            fail(str(error))
    typer.echo(
        f"wrote {out}/: {result.children} children changed since {day.isoformat()}, "
        f"{result.purges} purges ({result.withdrawn_children} whole records withdrawn)"
    )
