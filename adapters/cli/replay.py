"""`caseledger replay` and `caseledger review-report`: practice reviews, without hindsight.

    caseledger replay CHILD|--family ID --from DATE --to DATE [--step event|day|week]
        [--pack OTHER] [--full-chronology] [--json] [--db URL]
    caseledger review-report CHILD|--family ID --from DATE --to DATE --format html|docx
        [--out FILE] [--pack OTHER] [--db URL]

``--from``/``--to`` bound the reviewer's clock (recorded-at, London days). ``--json`` writes one
JSON object per step (JSON Lines).
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from adapters.auth.guard import LEFT_OUT
from adapters.cli import exit_codes
from adapters.cli.app import app
from adapters.cli.common import DbOption, JsonOption, fail, open_gate, parse_day
from adapters.exporters.review_report import FORMATS, build_report, render
from adapters.logging import get_logger
from adapters.packs import load_packs
from adapters.store import EventStore
from domain.access import Action
from domain.envelope import RecordedEvent
from domain.events.base import LONDON
from policies.rules import PackError, PackSet
from projections.replay import STEPS, Snapshot, moments, replay

log = get_logger("caseledger.replay")

ChildArg = Annotated[str | None, typer.Argument(help="The child's id (or use --family).")]
FamilyOption = Annotated[
    str | None, typer.Option("--family", help="A family id: every child registered with it.")
]
FromOption = Annotated[str, typer.Option("--from", help="First day of the period (ISO date).")]
ToOption = Annotated[str, typer.Option("--to", help="Last day of the period (ISO date).")]
PackOption = Annotated[
    str | None,
    typer.Option("--pack", help="What-if: judge the same history by this rule pack as well."),
]


def _packs() -> PackSet:
    try:
        return load_packs()
    except PackError as error:
        fail(str(error))


def _subjects(
    store: EventStore, child: str | None, family: str | None
) -> tuple[list[str], str | None]:
    """The children to replay: one child, or every child registered with the family id."""
    if (child is None) == (family is None):
        fail("give a CHILD or --family ID (one of them)")
    known = store.children()
    if child is not None:
        if child not in known:
            fail(f"no record for child {child!r}", code=exit_codes.NOT_FOUND)
        return [child], None
    members = []
    for candidate in known:
        for item in store.stream(candidate):
            if item.kind == "child_registered":
                if getattr(item.event, "family_id", None) == family:
                    members.append(candidate)
                break
    if not members:
        fail(
            f"--family {family!r}: no child is registered with that family id",
            code=exit_codes.NOT_FOUND,
        )
    return sorted(members), family


def _period(start: str, end: str) -> tuple[date, date]:
    first = parse_day(start, "--from")
    last = parse_day(end, "--to")
    assert first is not None and last is not None
    if last < first:
        fail(f"--to {last} is before --from {first}")
    return first, last


def _events(store: EventStore, children: list[str]) -> list[RecordedEvent]:
    found: list[RecordedEvent] = []
    for child in children:
        found.extend(store.stream(child))
    return found


def _print_step(console: Console, snap: Snapshot, previous: dict[str, int], full: bool) -> None:
    at = snap.at.astimezone(LONDON).strftime("%a %d/%m/%Y %H:%M")
    console.rule(f"[bold]As known at {at}[/bold] (step {snap.step})")
    if snap.new_rows:
        console.print(f"Recorded in this step ({len(snap.new_rows)}):")
        for row in snap.new_rows:
            console.print(f"  • {_row(row)}", markup=False, highlight=False)
    for child, state in snap.children.items():
        console.print(f"[bold]{child}[/bold] — {state.events_known} entries known")
        console.print("  status: " + ("; ".join(state.status.summary) or "no status"))
        if state.allocation:
            a = state.allocation
            console.print(f"  allocated: worker {a.worker_id or '—'}, team {a.team or '—'}")
        seen = state.last_seen.day.isoformat() if state.last_seen else "never"
        alone = state.last_seen_alone.day.isoformat() if state.last_seen_alone else "never"
        console.print(f"  last seen {seen}; last seen alone {alone}")
        for d in state.open_deadlines:
            due = d.effective_due.astimezone(LONDON).strftime("%d/%m/%Y %H:%M")
            console.print(f"  open: {d.rule_id} due {due} ({d.pack} {d.pack_version})")
        for b in state.breaches:
            due = b.due.astimezone(LONDON).strftime("%d/%m/%Y")
            console.print(
                f"  {b.status.replace('_', ' ')}: {b.rule_id} due {due} [{b.source}]", markup=False
            )
        for decision in state.decisions[previous.get(child, 0) :]:
            console.print(
                f"  decision {decision.occurred.isoformat()} {decision.kind}: {decision.decision}"
                f" — because: {decision.rationale}",
                markup=False,
            )
        previous[child] = len(state.decisions)
    if full:
        for entry in snap.chronology().entries:
            console.print(f"  {entry.serial:>3} {entry.date} {entry.detail}", markup=False)


def _row(row: object) -> str:
    content = getattr(row, "content", None)
    if hasattr(row, "action"):
        return f"{row.child_id}: {row.action.replace('_', ' ')} of {row.target_event_id[:8]} — {row.reason}"  # type: ignore[attr-defined]
    assert content is not None
    late = " (recorded late)" if content.late else ""
    return f"{row.child_id}: {content.date_display} {content.detail}{late}"  # type: ignore[attr-defined]


def _load(
    db: str | None, child: str | None, family: str | None, pack: str | None, what: str
) -> tuple[PackSet, list[str], str | None, list[RecordedEvent]]:
    """The rule packs (checking --pack), the children in scope and their events.

    One child must be the principal's to replay; a family's children are those of them the
    principal may replay (none: as if no child had that family id).
    """
    packs = _packs()
    if pack is not None and pack not in packs.versions:
        fail(f"--pack {pack!r}: no such rule pack; known: {', '.join(packs.ids())}")
    with open_gate(db) as (store, gate):
        if child is not None:
            gate.read(child, Action.REPLAY, what)
        children, family_id = _subjects(store, child, family)
        if family is not None:
            allowed = gate.readable(children, Action.REPLAY)
            if not allowed:
                fail(f"--family {family!r}: no child is registered with that family id")
            if len(allowed) < len(children):
                typer.echo(LEFT_OUT, err=True)
            gate.read_many(allowed, Action.REPLAY, what + " (family)")
            children = allowed
        events = _events(store, children)
    return packs, children, family_id, events


@app.command("replay")
def replay_command(
    child: ChildArg = None,
    family: FamilyOption = None,
    start: FromOption = ...,  # type: ignore[assignment]
    end: ToOption = ...,  # type: ignore[assignment]
    step: Annotated[str, typer.Option("--step", help="event | day | week")] = "day",
    pack: PackOption = None,
    full_chronology: Annotated[
        bool, typer.Option("--full-chronology", help="Show the whole chronology at every step.")
    ] = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """The record as known at each step: chronology, status, deadlines, breaches, decisions."""
    if step not in STEPS:
        fail(f"--step {step!r}: choose one of {', '.join(STEPS)}")
    first, last = _period(start, end)
    packs, children, family_id, events = _load(db, child, family, pack, "replay")
    log.info("replay", children=children, steps=step, events=len(events))
    total = len(moments(first, last, step, (e.recorded_at for e in events)))
    console = Console()
    previous: dict[str, int] = {}
    snapshots = replay(
        events,
        packs,
        start=first,
        end=last,
        step=step,
        children=children,
        family_id=family_id,
        pack=pack,
    )
    if as_json:
        with Progress(
            TextColumn("Replaying"),
            BarColumn(),
            MofNCompleteColumn(),
            console=Console(stderr=True),
            transient=True,
        ) as bar:
            task = bar.add_task("replay", total=total)
            for snap in snapshots:
                sys.stdout.write(snap.as_json_text(full_chronology=full_chronology) + "\n")
                bar.advance(task)
        return
    for snap in snapshots:
        _print_step(console, snap, previous, full_chronology)


@app.command("review-report")
def review_report_command(
    child: ChildArg = None,
    family: FamilyOption = None,
    start: FromOption = ...,  # type: ignore[assignment]
    end: ToOption = ...,  # type: ignore[assignment]
    fmt: Annotated[str, typer.Option("--format", help="html | docx")] = "html",
    out: Annotated[Path | None, typer.Option("--out", help="Output file.")] = None,
    pack: PackOption = None,
    db: DbOption = None,
) -> None:
    """A practice review timeline: both dates of every event, standards met, gaps, decisions."""
    if fmt not in FORMATS:
        fail(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")
    first, last = _period(start, end)
    packs, children, family_id, events = _load(db, child, family, pack, "review report")
    report = build_report(
        events,
        packs,
        start=first,
        end=last,
        children=children,
        family_id=family_id,
        other_pack=pack,
        prepared_on=datetime.now(LONDON).date(),
    )
    data = render(report, fmt)
    target = out or Path(f"review-{family_id or children[0]}-{first}-{last}.{fmt}")
    target.write_bytes(data)
    log.info("review_report", children=children, format=fmt, bytes=len(data))
    typer.echo(
        f"wrote {target} ({len(report.timeline)} events, {len(report.standards)} deadlines"
        + (
            f", {sum(len(w.differences) for w in report.what_if)} what-if differences"
            if pack
            else ""
        )
        + ")"
    )
