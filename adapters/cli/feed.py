"""`caseledger feed`: every event in global order as JSON lines, resumable."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from adapters.cli.app import app
from adapters.cli.common import DbOption, fail, open_gate
from adapters.feed import FeedConsumer, FeedItem, FilePositionStore, read_feed
from adapters.feed_pseudonymised import pseudonymise_item
from domain.access import Action, StoreAction


def _write_line(item: FeedItem) -> None:
    sys.stdout.write(json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n")
    sys.stdout.flush()


@app.command()
def feed(
    after: Annotated[
        int | None,
        typer.Option("--after", help="Give events after this global position (default 0)."),
    ] = None,
    after_purge: Annotated[
        int | None,
        typer.Option(
            "--after-purge",
            help="Give purges (destroyed records) numbered after this one (default: those "
            "placed after --after's event).",
        ),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", help="Give at most this many events.")
    ] = None,
    position_file: Annotated[
        str | None,
        typer.Option(
            "--position-file",
            help="Resume after the position stored in this file, and store each position "
            "once its line is written (a resumable consumer).",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Every event in global order as JSON lines: position, child, kind, occurred, recorded, payload.

    A destroyed record's purge (kind "purge": the disposal certificate, the ids to erase)
    comes right after the event it follows, numbered in "purge_position".
    """
    if after is not None and after < 0:
        fail(f"--after {after}: a feed position is 0 or more")
    if limit is not None and limit < 1:
        fail(f"--limit {limit}: give 1 or more")
    if after_purge is not None and after_purge < 0:
        fail(f"--after-purge {after_purge}: a purge position is 0 or more")
    if (after is not None or after_purge is not None) and position_file is not None:
        fail("give --after/--after-purge or --position-file, not both")
    with open_gate(db) as (store, gate):
        full = gate.may_store(StoreAction.FEED)
        if not full:
            gate.require_store(StoreAction.FEED_PSEUDONYMISED)
        seen: set[str] = set()

        def write(item: FeedItem) -> None:
            seen.add(item["child_id"])
            _write_line(item if full else pseudonymise_item(store, item))

        what = "feed" if full else "feed (pseudonymised)"
        try:
            if position_file is not None:
                positions = FilePositionStore(position_file, name="cli")
                try:
                    positions.load()
                except ValueError as error:
                    fail(str(error))
                FeedConsumer(store, positions).run(write, limit=limit)
                return
            try:
                items = read_feed(store, after=after or 0, limit=limit, after_purge=after_purge)
                for item in items:
                    write(item)
            except BrokenPipeError:  # the reader stopped (e.g. `| head`); not an error
                raise typer.Exit(0) from None
        finally:
            gate.log_reads(sorted(seen), Action.READ, what)
