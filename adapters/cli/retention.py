"""``caseledger retention``: the schedule's due list, legal holds, and destruction.

- ``retention due [--at DAY] [--json]``: every record whose retention has ended by DAY, with
  the rule (``policies/retention.yaml``), its clock start, the destroy-on day and whether a
  legal hold keeps it. Writes nothing.
- ``retention hold CHILD --reason-kind litigation|inquiry|review --reason TEXT`` and
  ``retention lift CHILD --reason TEXT``: a legal hold on the record (an event on it, written
  as the signed-in account); while one is in force ``destroy`` refuses.
- ``retention verify-log``: the disposal log's hash chain.
- ``retention destroy CHILD --authorised-by NAME --reason TEXT``:

Destroys the keys of the child and of every person who appears only in that child's record
(a person also in a sibling's record keeps theirs), so their personal data reads
``[erased]`` everywhere from now on while every hash chain still verifies; rebuilds the
chronology read model so no plain text of theirs survives in it, compacts a SQLite file so
freed pages hold none either, and writes a disposal certificate to the disposal log. Who
carried it out is the signed-in account; who authorised it is named.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer

from adapters import disposal_log
from adapters.cli import exit_codes
from adapters.cli.app import app
from adapters.cli.common import DbOption, JsonOption, fail, open_gate
from adapters.db import sql_engine
from adapters.logging import get_logger
from domain.access import StoreAction
from domain.events.data_protection import (
    HoldReason,
    LegalHoldLifted,
    LegalHoldPlaced,
    hold_in_force,
)

retention_app = typer.Typer(
    help="Records at the end of their retention: what is due, legal holds, destroy one (its "
    "keys) with a certificate.",
    no_args_is_help=True,
)
app.add_typer(retention_app, name="retention")
log = get_logger(__name__)


@retention_app.command("destroy")
def destroy(
    child: Annotated[str, typer.Argument(help="The child whose record is destroyed.")],
    authorised_by: Annotated[
        str, typer.Option("--authorised-by", help="Who authorised the disposal (named).")
    ],
    reason: Annotated[str, typer.Option("--reason", help="Why, e.g. the retention rule met.")],
    rule: Annotated[
        str | None,
        typer.Option(
            "--rule",
            help="The retention rule applied (default: the schedule's rule for the record).",
        ),
    ] = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Destroy a child's record: its subjects' keys go, a certificate stays."""
    import json

    from adapters.cli.chronology import catch_up
    from adapters.readmodels.chronology import ChronologyStore
    from adapters.record_destruction import DestructionRefused, destroy_record
    from adapters.retention_schedule import load_schedule
    from policies.retention import ScheduleError

    if not authorised_by.strip() or not reason.strip():
        fail("--authorised-by and --reason: both must say something")
    with open_gate(db) as (store, gate):
        gate.require_store(StoreAction.DISPOSE)
        if store.shredder is None:
            fail(
                "this store keeps personal data in plain text (it was written before "
                "encryption): destroying keys cannot erase it; nothing was destroyed"
            )
        try:
            schedule = load_schedule()
        except ScheduleError as error:
            fail(f"{error}; nothing was destroyed")
        try:
            done = destroy_record(
                store,
                child,
                authorised_by=authorised_by,
                reason=reason,
                carried_out_by=gate.recorded_by().user_id,
                schedule=schedule,
                rule=rule,
            )
        except DestructionRefused as refused:
            code = exit_codes.NOT_FOUND if refused.reason == "not_found" else exit_codes.CONFLICT
            fail(str(refused), code=code)
        certificate, plan, destroyed = done.certificate, done.plan, done.destroyed
        schedule_rule, due_now = done.schedule_rule, done.due_now
        catch_up(ChronologyStore(store), rebuild=True)
        rebuilt = ["chronology"]
        if _has_reporting_tables(store.url):  # `export tables --url` into the store's database
            from adapters.readmodels.reporting import rebuild_reporting_tables

            rebuild_reporting_tables(store, store.url)
            rebuilt.append("reporting tables")
        if store.db.is_sqlite:
            with sql_engine(store.url).connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            with (
                sql_engine(store.url)
                .connect()
                .execution_options(isolation_level="AUTOCOMMIT") as conn
            ):
                conn.exec_driver_sql("VACUUM")
    log.info(
        "record_destroyed",
        child_id=child,
        certificate=certificate.number,
        keys=len(destroyed),
        by=certificate.content["carried_out_by"],
    )
    if json_out:
        typer.echo(json.dumps({"certificate": certificate.number, **certificate.content}))
        return
    typer.echo(
        f"destroyed the record of {child}: {len(destroyed)} key(s) "
        f"({', '.join(plan.subjects)}); disposal certificate {certificate.number} "
        f"({certificate.hash[:16]}); rebuilt {', '.join(rebuilt)}"
    )
    for person, others in plan.people_kept.items():
        typer.echo(f"kept {person}: also in the record of {', '.join(others)}")
    if not due_now:
        typer.echo(
            f"note: the retention schedule did not yet have this record due "
            f"({schedule_rule or 'no rule'}); destroyed as authorised"
        )


def _has_reporting_tables(url: str) -> bool:
    """Whether the store's own database holds the reporting tables (they copy birth dates)."""
    from sqlalchemy import inspect

    from adapters.readmodels.reporting import TABLES

    names = set(inspect(sql_engine(url)).get_table_names())
    return bool(names & set(TABLES))


@retention_app.command("due")
def due(
    at: Annotated[
        str | None,
        typer.Option("--at", help="The day to judge by (ISO date; default today, in London)."),
    ] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="Every record with its retention, due or not.")
    ] = False,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Records whose retention has ended: rule, clock start, destroy-on day, legal hold."""
    import json

    from adapters.cli.common import parse_day
    from adapters.retention_schedule import load_schedule
    from domain.events.base import LONDON
    from policies.retention import ScheduleError, retention_of
    from projections.retention_facts import retention_facts

    day = parse_day(at, "--at") or datetime.now(LONDON).date()
    try:
        schedule = load_schedule()
    except ScheduleError as error:
        fail(str(error))
    rows: list[dict[str, object]] = []
    with open_gate(db) as (store, gate):
        gate.require_store(StoreAction.DISPOSE)
        destroyed = {
            str(c.content.get("child_id")): c.number
            for c in disposal_log.certificates(sql_engine(store.url))
        }
        for child in store.children():
            if child in destroyed:
                continue
            events = store.stream(child)
            retention = retention_of(schedule, retention_facts(child, events), day)
            if not show_all and not retention.due(day):
                continue
            rule = retention.governing
            in_force = hold_in_force(events)
            rows.append(
                {
                    "child_id": child,
                    "due": retention.due(day),
                    "record_types": [str(t) for t in retention.record_types],
                    "rule": rule.entry.id if rule else None,
                    "clock": str(rule.entry.clock) if rule else None,
                    "clock_start": rule.clock_start.isoformat()
                    if rule and rule.clock_start
                    else None,
                    "period": rule.entry.period.describe() if rule else None,
                    "destroy_on": retention.destroy_on.isoformat()
                    if retention.destroy_on
                    else None,
                    "citation": rule.entry.citation if rule else None,
                    "legal_hold": None
                    if in_force is None
                    else {
                        "reason_kind": str(in_force.payload().get("reason_kind")),
                        "placed_by": in_force.event.recorded_by.user_id,
                        "placed_at": in_force.recorded_at.isoformat(),
                    },
                }
            )
    if json_out:
        typer.echo(
            json.dumps(
                {"at": day.isoformat(), "records": rows, "already_destroyed": len(destroyed)},
                indent=2,
            )
        )
        return
    if not rows:
        typer.echo(f"no record is past its retention on {day.isoformat()}")
    for row in rows:
        on_hold: Any = row["legal_hold"]
        state = (
            f"HELD ({on_hold['reason_kind']}, by {on_hold['placed_by']})"
            if on_hold
            else ("due" if row["due"] else "kept")
        )
        start = row["clock_start"] or "not started"
        typer.echo(
            f"{row['child_id']}: {state}; destroy on {row['destroy_on'] or '—'} under "
            f"{row['rule']} ({row['period']} from {row['clock']} {start})"
        )
    if destroyed:
        typer.echo(f"({len(destroyed)} record(s) already destroyed, not listed)")


@retention_app.command("hold")
def hold(
    child: Annotated[str, typer.Argument(help="The child whose record is held.")],
    reason_kind: Annotated[
        str, typer.Option("--reason-kind", help="litigation, inquiry or review.")
    ],
    reason: Annotated[str, typer.Option("--reason", help="What the hold is for (the case).")],
    db: DbOption = None,
) -> None:
    """Place a legal hold: the record is kept past its retention until the hold is lifted."""
    try:
        kind = HoldReason(reason_kind)
    except ValueError:
        fail(f"--reason-kind {reason_kind!r}: choose {', '.join(HoldReason)}")
    if not reason.strip():
        fail("--reason: say what the hold is for")
    with open_gate(db) as (store, gate):
        gate.require_store(StoreAction.DISPOSE)
        events = store.stream(child)
        if not events:
            fail(f"{child}: no record for that child", code=exit_codes.NOT_FOUND)
        if disposal_log.certificate_for(sql_engine(store.url), child) is not None:
            fail(f"{child}: the record was destroyed; there is nothing to hold")
        held = hold_in_force(events)
        if held is not None:
            fail(
                f"{child}: a legal hold is already in force (placed "
                f"{held.recorded_at.date().isoformat()}); nothing was written",
                code=exit_codes.CONFLICT,
            )
        store.record(
            [
                LegalHoldPlaced(
                    child_id=child,
                    occurred_at=gate.clock(),
                    recorded_by=gate.recorded_by(),
                    summary=f"Legal hold placed ({kind.value})",
                    reason_kind=kind,
                    reason=reason.strip(),
                )
            ]
        )
    log.info("legal_hold_placed", child_id=child, reason_kind=kind.value, by=gate.principal.user_id)
    typer.echo(f"{child}: legal hold in force ({kind.value}); it will not be destroyed")


@retention_app.command("lift")
def lift(
    child: Annotated[str, typer.Argument(help="The child whose record's hold is lifted.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the hold can end.")],
    db: DbOption = None,
) -> None:
    """Lift the legal hold: the record's retention applies again."""
    if not reason.strip():
        fail("--reason: say why the hold can end")
    with open_gate(db) as (store, gate):
        gate.require_store(StoreAction.DISPOSE)
        events = store.stream(child)
        if not events:
            fail(f"{child}: no record for that child", code=exit_codes.NOT_FOUND)
        if hold_in_force(events) is None:
            fail(f"{child}: no legal hold is in force; nothing was written")
        store.record(
            [
                LegalHoldLifted(
                    child_id=child,
                    occurred_at=gate.clock(),
                    recorded_by=gate.recorded_by(),
                    summary="Legal hold lifted",
                    reason=reason.strip(),
                )
            ]
        )
    log.info("legal_hold_lifted", child_id=child, by=gate.principal.user_id)
    typer.echo(f"{child}: legal hold lifted; its retention applies again")


@retention_app.command("verify-log")
def verify_log(db: DbOption = None) -> None:
    """Check the disposal log: every certificate matches its hash and the one before, and
    every destroyed key is named by a certificate (so none was removed)."""
    with open_gate(db) as (store, gate):
        if not gate.may_store(StoreAction.OPERATE):
            gate.require_store(StoreAction.DISPOSE)
        engine = sql_engine(store.url)
        count = len(disposal_log.certificates(engine))
        problems = disposal_log.verify(engine, disposal_log.destroyed_keys(store))
    for problem in problems:
        typer.echo(f"BROKEN {problem}")
    if problems:
        fail(f"{len(problems)} problem(s) in the disposal log", code=exit_codes.TAMPERED)
    typer.echo(f"ok: disposal log of {count} certificate(s), every link intact")
