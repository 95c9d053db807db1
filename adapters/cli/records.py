"""Commands on the record itself: record, history, children, events, verify."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import TypeAdapter
from rich.console import Console
from rich.table import Table

from adapters import disposal_log
from adapters.auth.tables import install
from adapters.cli import exit_codes
from adapters.cli.app import app
from adapters.cli.common import (
    DbOption,
    JsonOption,
    emit_json,
    fail,
    open_gate,
    parse_when,
)
from adapters.cli.long_table import print_table
from adapters.db import sql_engine
from adapters.identifiers import shared_upn_warnings
from adapters.views import history_entry, history_notes
from domain import limits
from domain.access import Action, StoreAction
from domain.errors import IdempotencyConflict, InvalidEvent
from domain.events import EVENT_TYPES
from domain.nhs_number import NhsNumber
from domain.parsing import decode_json, parse_event
from policies.authorship import attribute
from policies.conference_dates import conference_date_warnings
from projections.caseload import caseload


def _load_input(file: str) -> list[Any]:
    """The events of a JSON file (or stdin), read no further than the input limit."""
    limit = limits.MAX_BODY_BYTES
    try:
        if file == "-":
            raw = sys.stdin.buffer.read(limit + 1)
        else:
            with Path(file).open("rb") as handle:
                raw = handle.read(limit + 1)
    except OSError as error:
        fail(f"cannot read {file}: {error.strerror}")
    if len(raw) > limit:
        fail(f"{file}: larger than {limit:,} bytes (the input limit); split it")
    try:
        data = decode_json(raw, what=file)
    except InvalidEvent as error:
        fail(str(error))
    if isinstance(data, dict):
        data = data.get("events", [data])
    if not isinstance(data, list):
        fail(f'{file}: expected a JSON object, a list of objects, or {{"events": [...]}}')
    if len(data) > limits.MAX_BATCH_EVENTS:
        fail(f"{file}: more than {limits.MAX_BATCH_EVENTS:,} events in one call; split it")
    return data


def _check_before_opening(data: list[Any]) -> None:
    """Refuse an invalid event before the store is opened (so none is created for it).

    Who recorded the events is known only once the store says which account acts; until
    then a stand-in author lets the rest of each event be checked.
    """
    stand_in = {"user_id": "checking", "role": "checking"}
    for index, item in enumerate(data):
        candidate = {"recorded_by": stand_in, **item} if isinstance(item, dict) else item
        if isinstance(candidate, dict):
            candidate.pop("entered_by", None)
        try:
            parse_event(candidate)
        except InvalidEvent as error:
            fail(str(error.at(index)))


@app.command()
def record(
    file: Annotated[str, typer.Argument(help="JSON file of events, or - for standard input.")],
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Append events from JSON. All or nothing: any invalid event writes none of them.

    Who recorded them is the account (--as); an event that sets recorded_by is refused,
    except for a migration account or the local operator of a store without accounts,
    whose recorded_by is kept as the original author.
    """
    data = _load_input(file)
    if not data:
        fail(f"{file}: no events to record")
    _check_before_opening(data)
    with open_gate(db, create=True) as (store, gate):
        try:
            attributed = attribute(gate.policy, gate.principal, data)
        except InvalidEvent as error:
            fail(str(error))
        events = []
        for index, item in enumerate(attributed):
            try:
                events.append(parse_event(item))
            except InvalidEvent as error:
                fail(str(error.at(index)))
        gate.check_write(events)
        warnings = shared_upn_warnings(store, events)
        try:
            recorded = store.record(events)
        except InvalidEvent as error:
            fail(str(error))
        except IdempotencyConflict as error:
            fail(str(error), code=exit_codes.KEY_CONFLICT)
        for warning in warnings.values():
            typer.echo(f"warning: {warning}", err=True)
        for line in conference_date_warnings(events):  # stderr: stdout stays the result
            typer.echo(f"warning: {line}", err=True)
        if json_out:
            emit_json(
                [
                    _with_warning(history_entry(item), warnings.get(i))
                    for i, item in enumerate(recorded)
                ]
            )
        else:
            typer.echo(f"recorded {len(recorded)} event(s) in {store.db.describe()}")


def _with_warning(entry: dict[str, Any], warning: str | None) -> dict[str, Any]:
    return {**entry, "warnings": [warning]} if warning else entry


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
    with open_gate(db) as (store, gate):
        gate.read(child, Action.READ, "history")
        items = store.history(child, as_known_at=moment)
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


@app.command()
def children(db: DbOption = None, json_out: JsonOption = False) -> None:
    """The children you may see: id, name, NHS number, authority, events, last event date."""
    with open_gate(db) as (store, gate):
        gate.require_store(StoreAction.CASELOAD)
        seen = gate.visible_ids(Action.SUMMARY)
        events = store.iter_all()
        rows = caseload(events if seen is None else (e for e in events if e.child_id in seen))
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


@app.command()
def events(
    json_out: JsonOption = False,
    show_limits: Annotated[
        bool, typer.Option("--limits", help="Only the input limits (JSON), from domain/limits.py.")
    ] = False,
) -> None:
    """The event catalogue, with each kind's JSON schema and the input limits in it."""
    if show_limits:
        emit_json(limits.catalogue())
        return
    catalogue = [
        {
            "kind": kind,
            "title": cls.title,
            "category": cls.category.value,
            "significant_by_default": cls.significant_by_default,
            "version": cls.class_version,
            "schema": limits.bounded_schema(TypeAdapter(cls).json_schema()),
        }
        for kind, cls in sorted(EVENT_TYPES.items())
    ]
    if json_out:
        emit_json(catalogue)
        return
    for entry in catalogue:
        schema: dict[str, Any] = entry["schema"]  # type: ignore[assignment]
        required = schema.get("required", [])
        typer.echo(f"{entry['kind']:<45} {entry['category']:<14} requires: {', '.join(required)}")
    bounds = limits.catalogue()
    typer.echo(
        "limits: "
        + ", ".join(
            f"{name.replace('_', ' ')} {value:,}"
            if isinstance(value, int)
            else f"{name.replace('_', ' ')} {value}"
            for name, value in bounds.items()
        )
        + " (`caseledger events --limits` for JSON)"
    )


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


@app.command()
def migrate(
    db: DbOption = None,
    app_role: Annotated[
        str | None,
        typer.Option(
            "--app-role",
            help="PostgreSQL: the role the application runs as; granted SELECT and INSERT "
            "on the events, never ownership.",
        ),
    ] = None,
) -> None:
    """Create the store's tables, triggers and anchors (run as the schema's owner role).

    With --app-role, grant that role only what the application needs, so it cannot
    update, delete or truncate events, or disable or drop the append-only triggers.
    """
    from adapters.broker.positions import create_tables as create_publish_positions
    from adapters.roles import grant_application_role

    with open_gate(db, create=True) as (store, gate):
        gate.require_store(StoreAction.OPERATE)
        install(store.url)
        create_publish_positions(store.url)
        if app_role is None:
            typer.echo(f"store ready: {store.db.describe()}")
            return
        try:
            grant_application_role(store, app_role)
        except ValueError as error:
            fail(str(error))
    typer.echo(f"store ready: {store.db.describe()}; {app_role} may read and append events only")
