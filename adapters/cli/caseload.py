"""``caseledger children``: the caseload the account may see, one row per child.

The log is read and decoded once: the same events give the gate the children the account
may see and the caseload its rows.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from adapters.cli.app import app
from adapters.cli.common import DbOption, JsonOption, emit_json, open_gate
from domain.access import Action, StoreAction
from domain.nhs_number import NhsNumber
from projections.caseload import caseload


@app.command()
def children(db: DbOption = None, json_out: JsonOption = False) -> None:
    """The children you may see: id, name, NHS number, authority, events, last event date."""
    with open_gate(db) as (store, gate):
        gate.require_store(StoreAction.CASELOAD)
        if gate.sees_everything(Action.SUMMARY):
            rows = caseload(store.iter_all())  # streamed: every child is shown
        else:
            events = list(store.iter_all())  # the gate's facts and the rows fold the same read
            seen = gate.visible_ids(Action.SUMMARY, events=events)
            rows = caseload(e for e in events if seen is None or e.child_id in seen)
    if json_out:
        emit_json([row.model_dump(mode="json") for row in rows])
        return
    table = Table(title="Children")
    for column in ("child", "name", "NHS number", "authority", "events", "last event"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row.child_id,
            row.name,
            NhsNumber(row.nhs_number).formatted if row.nhs_number else "-",
            row.authority or "-",
            str(row.events),
            row.last_event_date.isoformat() if row.last_event_date else "-",
        )
    Console(width=160, markup=False).print(table)
