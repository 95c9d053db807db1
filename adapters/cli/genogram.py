"""`caseledger genogram`: the people and ties around a child (or family), as data or a picture."""

from __future__ import annotations

import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from adapters.auth.guard import LEFT_OUT
from adapters.cli.app import app
from adapters.cli.common import DbOption, fail, open_gate, parse_when
from adapters.exporters.genogram_graphviz import render
from adapters.genogram_view import genogram_records
from adapters.logging import get_logger
from domain.events.base import LONDON
from projections.genogram import genogram as build_genogram

log = get_logger("caseledger.genogram")


class GenogramFormat(StrEnum):
    JSON = "json"
    DOT = "dot"
    SVG = "svg"
    PNG = "png"


@app.command()
def genogram(
    child: Annotated[str, typer.Argument(help="The index child's id.")],
    family: Annotated[
        bool, typer.Option("--family", help="Every child sharing the child's family id.")
    ] = False,
    as_known_at: Annotated[
        str | None,
        typer.Option("--as-known-at", help="Only what had been recorded by then (ISO date/time)."),
    ] = None,
    fmt: Annotated[
        GenogramFormat, typer.Option("--format", help="json (data), dot, svg or png (picture).")
    ] = GenogramFormat.JSON,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write to this file instead of standard output.")
    ] = None,
    db: DbOption = None,
) -> None:
    """The genogram: kinship, parental responsibility and households, and the emotional and
    harm overlay kept apart; professionals in a separate ecomap list."""
    moment = parse_when(as_known_at, "--as-known-at")
    if fmt is GenogramFormat.PNG and out is None and sys.stdout.isatty():
        fail("--format png writes binary data: give --out FILE")
    with open_gate(db) as (store, gate):
        # the family's records: all of them drawn with --family; else only the children
        # who share a parent with the index child (half-siblings) are taken from them;
        # of those, only the records this account may read
        read = genogram_records(store, gate, child)
    if read.left_out:
        typer.echo(LEFT_OUT, err=True)
    events, children = read.events, read.children
    model = build_genogram(
        events,
        index_child=child,
        as_known_at=moment,
        scope="family" if family else "child",
    )
    if moment is not None and not any(p.index_child for p in model.people):
        fail(f"child {child!r} was not yet registered as known at {moment.isoformat()}")
    log.info(
        "genogram_built",
        child_id=child,
        children=len(children),
        people=len(model.people),
        ties=len(model.kinship) + len(model.overlay),
        format=fmt.value,
    )
    if fmt is GenogramFormat.JSON:
        data = (model.model_dump_json(indent=2) + "\n").encode("utf-8")
    else:
        today = (moment or datetime.now(LONDON)).astimezone(LONDON).date()
        try:
            data = render(model, fmt.value, today=today)
        except Exception as error:  # noqa: BLE001  (graphviz missing or failing)
            fail(f"cannot draw the genogram with Graphviz: {type(error).__name__}: {error}")
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        out.write_bytes(data)
    except OSError as error:
        fail(f"cannot write {out}: {error.strerror}")
    typer.echo(f"wrote {out} ({fmt.value}, {len(model.people)} people)", err=True)
