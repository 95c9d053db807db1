"""``caseledger verify`` and ``caseledger checkpoint``: the log's integrity.

Both read the stored bytes and hashes, never a child's decoded record, so neither imports the
read side's projections or rich.
"""

from __future__ import annotations

import typer

from adapters import disposal_log
from adapters.cli import exit_codes
from adapters.cli.app import app
from adapters.cli.common import DbOption, JsonOption, emit_json, fail, open_gate
from adapters.db import sql_engine
from domain.access import StoreAction


@app.command()
def verify(db: DbOption = None, json_out: JsonOption = False) -> None:
    """Check every stream: its hashes and links, its head anchor, the signed checkpoints.

    Names each broken stream (an altered, removed, re-ordered, copied or relabelled event;
    a truncated or removed stream; history rewritten with its hashes recomputed) and exits
    with code 7 (exit_codes.TAMPERED) if any is found. Writes nothing.
    """
    with open_gate(db) as (store, gate):
        gate.require_store(StoreAction.OPERATE)
        report = store.verify()
        checked, problems = gate.access_log.verify()
        engine = sql_engine(store.url)
        certificates = len(disposal_log.certificates(engine))
        disposal_problems = disposal_log.verify(engine, disposal_log.destroyed_keys(store))
    if json_out:
        emit_json(
            {
                "ok": report.ok,
                "streams": report.streams,
                "events": report.events,
                "notes": report.notes,
                "access_log": {
                    "rows": checked,
                    "broken": [{"seq": p.seq, "reason": p.reason} for p in problems],
                },
                "disposal_log": {"certificates": certificates, "broken": disposal_problems},
                "broken": [
                    {
                        "child_id": b.child_id,
                        "position": b.position,
                        "event_id": b.event_id,
                        "reason": b.reason,
                    }
                    for b in report.broken
                ],
            }
        )
        if not report.ok or problems or disposal_problems:
            raise typer.Exit(exit_codes.TAMPERED)
        return
    for note in report.notes:
        typer.echo(note)
    if report.ok and not problems and not disposal_problems:
        typer.echo(f"ok: {report.events} events in {report.streams} streams, every link intact")
        typer.echo(f"ok: access log of {checked} rows, every link intact")
        if certificates:
            typer.echo(f"ok: disposal log of {certificates} certificate(s), every link intact")
        return
    for link in report.broken:
        typer.echo(f"BROKEN {link.describe()}")
    for problem in problems:
        typer.echo(f"BROKEN {problem.describe()}")
    for disposal_problem in disposal_problems:
        typer.echo(f"BROKEN disposal log: {disposal_problem}")
    if not report.ok:
        fail(
            f"{len(report.broken)} problem(s) found in {report.streams} stream(s)"
            + (f"; {len(problems)} in the access log" if problems else "")
            + (f"; {len(disposal_problems)} in the disposal log" if disposal_problems else ""),
            code=exit_codes.TAMPERED,
        )
    if problems:
        fail(
            f"{len(problems)} problem(s) found in the access log"
            + (f"; {len(disposal_problems)} in the disposal log" if disposal_problems else ""),
            code=exit_codes.TAMPERED,
        )
    fail(f"{len(disposal_problems)} problem(s) found in the disposal log", code=exit_codes.TAMPERED)


@app.command()
def checkpoint(db: DbOption = None) -> None:
    """Sign the heads of every stream written since the last checkpoint (run it from cron).

    `import` and each `tick` also write one. The key is $CASELEDGER_CHECKPOINT_KEY, else a
    key file created 0600 beside the store (see docs/resilience.md).
    """
    with open_gate(db) as (store, gate):
        gate.require_store(StoreAction.OPERATE)
        number = store.checkpoint()
    if number is None:
        typer.echo("nothing written since the last checkpoint")
    else:
        typer.echo(f"checkpoint {number} written")
