"""``caseledger history``: a child's events in occurred order, as a table or JSON.

The gate reads the child's stream once for its check; the history is ordered from that same
read (``Gate.stream``), not read and decoded a second time.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from adapters.cli.app import app
from adapters.cli.common import DbOption, JsonOption, emit_json, open_gate, parse_when
from adapters.cli.long_table import print_table
from adapters.views import history_entry, history_notes
from domain.access import Action
from domain.ordering import known_history


@app.command()
def history(
    child: Annotated[str, typer.Argument(help="The child's id.")],
    db: DbOption = None,
    as_known_at: Annotated[
        str | None, typer.Option("--as-known-at", help="Only what had been recorded by then.")
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """A child's events in occurred order, with recorded-at beside occurred-at."""
    moment = parse_when(as_known_at, "--as-known-at")
    with open_gate(db) as (_store, gate):
        gate.read(child, Action.READ, "history")
        items = known_history(gate.stream(child), moment)
    if json_out:
        emit_json([history_entry(item) for item in items])
        return
    notes = history_notes(items)
    rows = [
        (
            str(item.position),
            item.event.occurred_at.isoformat()[:16],
            item.recorded_at.isoformat()[:16],
            item.event.kind,
            item.event.recorded_by.user_id,
            item.event.summary,
            "; ".join(notes.get(item.event_id, [])),
        )
        for item in items
    ]
    print_table(
        Console(width=160, markup=False),
        f"History of {child}" + (f" as known at {moment}" if moment else ""),
        ("#", "occurred", "recorded", "kind", "by", "summary", "notes"),
        rows,
    )
    typer.echo(f"{len(items)} events, {len({i.event.kind for i in items})} kinds")
