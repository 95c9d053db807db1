"""``caseledger synth``: load a synthetic local authority through the store's own commands."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from adapters.cli.app import app
from adapters.cli.common import DbOption, JsonOption, emit_json, open_gate
from adapters.synthetic.synth import SIZES, load
from domain.access import StoreAction


@app.command()
def synth(
    children: Annotated[
        int | None,
        typer.Option("--children", min=1, help="How many children (default: --size)."),
    ] = None,
    size: Annotated[
        str | None,
        typer.Option("--size", help="small (500 children) or county (50,000)."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same authority.")] = 1,
    batch_size: Annotated[
        int,
        typer.Option("--batch-size", min=1, help="Events per transaction (about; default 2,000)."),
    ] = 2000,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Write a synthetic authority's history (every name fictional) into the store.

    Children follow realistic journeys over six years: referrals, assessments, child in
    need, child protection, care, proceedings, adoption and leaving care, with late
    write-ups and corrections. The same --seed always writes the same events. They go in
    through the import path: batches of about --batch-size events, one transaction each,
    every entry keeping the moment it was written up as its recorded-at.
    """
    if size is not None and size not in SIZES:
        raise typer.BadParameter(f"choose one of {', '.join(SIZES)}", param_hint="--size")
    count = children or SIZES[size or "small"]
    with open_gate(db, create=True) as (store, gate):
        gate.require_store(StoreAction.IMPORT)
        if store.max_position():
            typer.echo(
                f"note: {store.db.describe()} already holds events; synthetic children are "
                "added alongside them (a repeated seed fails on its first child).",
                err=True,
            )
        columns = (
            TextColumn("[bold]synth"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("children · {task.fields[events]:,} events"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, disable=json_out, transient=False) as bar:
            task = bar.add_task("synth", total=count, events=0)

            def progress(started: int, events: int) -> None:
                bar.update(task, completed=started, events=events)

            result = load(store, count, seed, batch_size=batch_size, progress=progress)
    if json_out:
        emit_json({"db": store.db.describe(), "seed": seed, **result.as_json()})
        return
    typer.echo(
        f"wrote {result.events:,} events for {result.children:,} children to "
        f"{store.db.describe()} in {result.seconds:.1f} s, {result.batches:,} batches "
        f"({result.events_per_second:,.0f} events/s in the store)"
    )
