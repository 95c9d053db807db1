"""``caseledger retention destroy CHILD --authorised-by NAME --reason TEXT``.

Destroys the keys of the child and of every person who appears only in that child's record
(a person also in a sibling's record keeps theirs), so their personal data reads
``[erased]`` everywhere from now on while every hash chain still verifies; rebuilds the
chronology read model so no plain text of theirs survives in it, compacts a SQLite file so
freed pages hold none either, and writes a disposal certificate to the disposal log. Who
carried it out is the signed-in account; who authorised it is named.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from adapters import disposal_log
from adapters.cli import exit_codes
from adapters.cli.app import app
from adapters.cli.common import DbOption, JsonOption, fail, open_gate
from adapters.db import sql_engine
from domain.access import StoreAction
from domain.erasure import people_in, plan_disposal

retention_app = typer.Typer(
    help="Records at the end of their retention: destroy one (its keys), with a certificate.",
    no_args_is_help=True,
)
app.add_typer(retention_app, name="retention")


@retention_app.command("destroy")
def destroy(
    child: Annotated[str, typer.Argument(help="The child whose record is destroyed.")],
    authorised_by: Annotated[
        str, typer.Option("--authorised-by", help="Who authorised the disposal (named).")
    ],
    reason: Annotated[str, typer.Option("--reason", help="Why, e.g. the retention rule met.")],
    rule: Annotated[
        str, typer.Option("--rule", help="The retention rule applied (its id and source).")
    ] = "authorised disposal",
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Destroy a child's record: its subjects' keys go, a certificate stays."""
    import json

    from adapters.cli.chronology import catch_up
    from adapters.readmodels.chronology import ChronologyStore

    if not authorised_by.strip() or not reason.strip():
        fail("--authorised-by and --reason: both must say something")
    with open_gate(db) as (store, gate):
        gate.require_store(StoreAction.DISPOSE)
        if store.shredder is None:
            fail(
                "this store keeps personal data in plain text (it was written before "
                "encryption): destroying keys cannot erase it; nothing was destroyed"
            )
        if not store.stream(child):
            fail(f"{child}: no record for that child", code=exit_codes.NOT_FOUND)
        people = {c: people_in(store.stream(c)) for c in store.children()}
        plan = plan_disposal(child, people)
        now = datetime.now(UTC)
        destroyed = store.shredder.keys.destroy(plan.subjects, by=gate.recorded_by().user_id)
        certificate = disposal_log.append(
            sql_engine(store.url),
            disposal_log.certificate_content(
                child_id=child,
                subjects=plan.subjects,
                people_kept=plan.people_kept,
                rule=rule,
                authorised_by=authorised_by,
                carried_out_by=gate.recorded_by().user_id,
                reason=reason,
                at=now,
            ),
        )
        store.forget()
        catch_up(ChronologyStore(store), rebuild=True)
        if store.db.is_sqlite:
            with sql_engine(store.url).connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            with (
                sql_engine(store.url)
                .connect()
                .execution_options(isolation_level="AUTOCOMMIT") as conn
            ):
                conn.exec_driver_sql("VACUUM")
    if json_out:
        typer.echo(json.dumps({"certificate": certificate.number, **certificate.content}))
        return
    typer.echo(
        f"destroyed the record of {child}: {len(destroyed)} key(s) "
        f"({', '.join(plan.subjects)}); disposal certificate {certificate.number} "
        f"({certificate.hash[:16]})"
    )
    for person, others in plan.people_kept.items():
        typer.echo(f"kept {person}: also in the record of {', '.join(others)}")
