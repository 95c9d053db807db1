"""Commands on the record itself: record, events (the catalogue), migrate."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import TypeAdapter

from adapters.auth.tables import install
from adapters.cli import exit_codes
from adapters.cli.app import app
from adapters.cli.common import (
    DbOption,
    JsonOption,
    emit_json,
    fail,
    open_gate,
)
from adapters.identifiers import shared_upn_warnings
from adapters.views import history_entry
from domain import limits
from domain.access import StoreAction
from domain.errors import IdempotencyConflict, InvalidEvent
from domain.events import EVENT_TYPES
from domain.parsing import decode_json, parse_event
from policies.authorship import attribute
from policies.conference_dates import conference_date_warnings


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
