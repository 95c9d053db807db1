"""`caseledger export annex-a`: Ofsted ILACS Annex A lists 1 to 11 for a period, as .xlsx."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from adapters.cli.common import DbOption, fail, open_gate, parse_day
from adapters.cli.export import _progress, export_app
from domain.access import Action, StoreAction


@export_app.command("annex-a")
def annex_a(
    start: Annotated[str, typer.Option("--from", help="First day of the period (ISO date).")],
    end: Annotated[str, typer.Option("--to", help="Last day of the period (ISO date).")],
    out: Annotated[Path, typer.Option("--out", help="The workbook to write (.xlsx).")] = Path(
        "annex-a.xlsx"
    ),
    db: DbOption = None,
) -> None:
    """Annex A lists 1-11 (the data map's headings and codes), derived from events alone."""
    from adapters.exporters.annex_a import export_annex_a

    if out.suffix.lower() != ".xlsx":
        fail(f"--out {out}: an Annex A workbook is an .xlsx file")
    first, last = parse_day(start, "--from"), parse_day(end, "--to")
    assert first is not None and last is not None
    if last < first:
        fail(f"--to {last} is before --from {first}: give a period forwards")
    with open_gate(db) as (store, gate), _progress() as bar:
        gate.require_store(StoreAction.RETURNS)
        task = bar.add_task("reading events", total=None)
        result = export_annex_a(
            store, first, last, out, progress=lambda n: bar.update(task, completed=n)
        )
        gate.log_reads(store.children(), Action.READ, f"Annex A {first} to {last}")
    rows = ", ".join(f"{name} {n}" for name, n in result.rows.items())
    typer.echo(f"wrote {out}: Annex A {first} to {last}: {rows}")
    if result.rows.get("List 11"):
        typer.echo(
            "List 11: the adopters' disability and the adoption agency's steps (date enquiry "
            "received, stages 1 and 2, application, approval) are not on a child's record: "
            "fill them from the agency's records (the data map requires the first two)"
        )
