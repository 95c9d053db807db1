"""`caseledger publish` (the feed onto NATS JetStream) and `caseledger consume` (its example)."""

from __future__ import annotations

import asyncio
import os
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from adapters.cli.app import app
from adapters.cli.common import DbOption, fail, open_gate
from domain.access import StoreAction

ServersOption = Annotated[
    str | None,
    typer.Option(
        "--servers", help="NATS server URL(s); default $CASELEDGER_NATS or nats://127.0.0.1:4222."
    ),
]
StreamOption = Annotated[
    str, typer.Option("--stream", help="The JetStream stream's name (created if missing).")
]


def _servers(value: str | None) -> str:
    from adapters.broker.relay import DEFAULT_SERVERS

    return value or os.environ.get("CASELEDGER_NATS") or DEFAULT_SERVERS


@app.command()
def publish(
    once: Annotated[
        bool, typer.Option("--once", help="Publish what the stream lacks, then stop.")
    ] = False,
    subject_prefix: Annotated[
        str,
        typer.Option(
            "--subject-prefix",
            help="Subjects are <prefix>.<la>.<child>.<kind> (default caseledger).",
        ),
    ] = "caseledger",
    stream: StreamOption = "CASELEDGER",
    identifiable: Annotated[
        bool,
        typer.Option(
            "--identifiable",
            help="The subscription may carry children's ids and free text (default: ids "
            "pseudonymised, free text withheld: the analyst rule).",
        ),
    ] = False,
    batch: Annotated[int, typer.Option("--batch", min=1, max=4000, help="Events a page.")] = 500,
    poll: Annotated[
        float, typer.Option("--poll", min=0.05, help="Seconds between looks at the log when idle.")
    ] = 1.0,
    servers: ServersOption = None,
    db: DbOption = None,
) -> None:
    """Relay the notification log to a NATS JetStream stream: one message per event, once each.

    The position published is kept in the store and advanced only after the server's
    acknowledgement; killed and restarted, the relay goes on without a gap or a repeat.
    """
    from adapters.broker.relay import Relay, RelayError

    with open_gate(db) as (store, gate):
        # identifiable messages are the whole feed; the analyst content, the pseudonymised one
        gate.require_store(StoreAction.FEED if identifiable else StoreAction.FEED_PSEUDONYMISED)
        try:
            relay = Relay(
                store,
                servers=_servers(servers),
                stream=stream,
                prefix=subject_prefix,
                content="identifiable" if identifiable else "analyst",
                batch=batch,
            )
        except ValueError as error:
            fail(str(error))
        columns = (
            TextColumn("[bold]publish"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("position · {task.fields[sent]:,} sent"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("publish", total=store.max_position(), sent=0)

            def progress(position: int, end: int, sent: int) -> None:
                bar.update(task, completed=position, total=end, sent=sent)

            try:
                stats = asyncio.run(relay.run(once=once, poll=poll, progress=progress))
            except KeyboardInterrupt:
                raise typer.Exit(130) from None
            except RelayError as error:
                fail(str(error))
            except (OSError, TimeoutError) as error:
                fail(f"cannot reach NATS at {relay.servers}: {type(error).__name__}: {error}")
    purged = f", {stats.purges:,} of them purges" if stats.purges else ""
    typer.echo(
        f"published {stats.published:,} events{purged} to {stream} up to position "
        f"{stats.position:,}, purge {stats.purge:,} (stream sequence {stats.sequence:,}) "
        f"in {stats.seconds:.1f} s",
        err=True,
    )


@app.command()
def consume(
    into: Annotated[
        str,
        typer.Option(
            "--into", help="Build the reporting tables here: sqlite:///f.db or postgresql://..."
        ),
    ],
    stream: StreamOption = "CASELEDGER",
    servers: ServersOption = None,
) -> None:
    """A consumer example: the reporting tables of `export tables`, built from the stream alone.

    A purge message (a destroyed record) deletes that child's rows from every table.
    """
    from adapters.broker.consume import consume_into
    from adapters.db import parse_database

    try:
        target = parse_database(into)
    except ValueError as error:
        fail(str(error).replace("--db", "--into"))
    try:
        counts = consume_into(into, servers=_servers(servers), stream=stream)
    except Exception as error:  # noqa: BLE001  (broker and database failures alike)
        fail(f"cannot consume {stream} into {target.describe()}: {type(error).__name__}: {error}")
    rows = ", ".join(f"{name} {n}" for name, n in counts.items())
    typer.echo(f"built reporting tables in {target.describe()} from {stream}: {rows}")
