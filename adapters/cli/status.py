"""`caseledger status`: a child's legal status now (or at a moment), placements and 903 episodes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from adapters.cli.app import app
from adapters.cli.common import DbOption, JsonOption, emit_json, fail, open_gate, parse_when
from adapters.logging import get_logger
from domain.access import Action
from domain.events.base import LONDON
from projections.legal_status import legal_status

log = get_logger("caseledger.status")


@app.command()
def status(
    child: Annotated[str, typer.Argument(help="The child's id.")],
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help="The moment (ISO date = end of that day, or datetime); default now. "
            "Shows the record as it stood then.",
        ),
    ] = None,
    as_known_at: Annotated[
        str | None,
        typer.Option(
            "--as-known-at",
            help="Judge --at with what was recorded by this moment instead (e.g. hindsight).",
        ),
    ] = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Legal status now and over time: CIN, CP plan, looked after (SSDA903 LS), proceedings,
    placed for adoption, care leaver; placements; SSDA903 episodes."""
    moment = parse_when(at, "--at") or datetime.now(LONDON)
    known = parse_when(as_known_at, "--as-known-at")
    with open_gate(db) as (store, gate):
        gate.read(child, Action.READ, "status")
        events = store.stream(child)
    view = legal_status(events, at=moment, as_known_at=known)
    if not view.child_id:
        fail(f"child {child!r} has no entries recorded by {moment.isoformat()}")
    log.info("status_built", child_id=child, episodes=len(view.episodes))
    if json_out:
        emit_json(view.model_dump(mode="json"))
        return
    now = view.current
    console = Console(width=160, markup=False)
    console.print(f"[bold]{child}[/bold] at {moment.isoformat()}", highlight=False)
    if known:
        console.print(f"as known at {known.isoformat()}", highlight=False)
    for line in now.summary or ["no statutory status (not CIN, CP, looked after or a care leaver)"]:
        console.print(f"  • {line}", highlight=False)
    if now.orders_in_force:
        orders = ", ".join(
            f"{o.order.value.replace('_', ' ')} ({o.made_on.isoformat()})"
            for o in now.orders_in_force
        )
        console.print(f"  orders in force: {orders}", highlight=False)
    timeline = Table(title="Status over time")
    for column in ("strand", "status", "from", "to", "what"):
        timeline.add_column(column)
    for period in view.timeline:
        timeline.add_row(
            period.strand.value,
            period.status,
            period.start.isoformat(),
            period.end.isoformat() if period.end else "now",
            period.label,
        )
    console.print(timeline)
    if view.placements:
        table = Table(title="Placements")
        for column in ("id", "type", "provider", "carer", "postcode", "from", "to", "reason"):
            table.add_column(column)
        for p in view.placements:
            table.add_row(
                p.placement_id,
                p.placement_type.value,
                p.provider,
                p.carer or "-",
                p.postcode or "-",
                p.start.isoformat(),
                p.end.isoformat() if p.end else "now",
                p.reason_ended or "-",
            )
        console.print(table)
    if view.episodes:
        table = Table(title="SSDA903 episodes")
        columns = ("DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC")
        for column in (*columns, "REASON_PLACE_CHANGE", "PL_POST"):
            table.add_column(column)
        for episode in view.episodes:
            row = episode.as_903_row()
            table.add_row(*(row[c] or "-" for c in (*columns, "REASON_PLACE_CHANGE", "PL_POST")))
        console.print(table)
    for warning in view.warnings:
        typer.echo(f"warning: {warning}", err=True)
