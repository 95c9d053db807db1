"""Deadlines, overdue work, rule packs, the policy tick and the scheduler."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from adapters.cli.app import app
from adapters.cli.common import DbOption, JsonOption, emit_json, fail, open_store, parse_when
from adapters.packs import load_pack, load_packs
from adapters.readmodels.deadlines import overdue_rows
from adapters.scheduler import PolicyHandler, run_scheduler
from adapters.store import EventStore
from domain.events.base import LONDON
from policies.engine import Status, evaluate
from policies.handler import HandlerConfig
from policies.rules import PackError

console = Console()
AtOption = Annotated[
    str | None,
    typer.Option("--at", help="ISO date (end of that London day) or datetime; default now."),
]
PackOverride = Annotated[
    str | None, typer.Option("--pack", help="Judge by this pack instead (what-if).")
]
DueSoonOption = Annotated[
    int, typer.Option("--due-soon-days", help="Warn this many working days ahead.", min=0)
]


def _now(value: str | None) -> datetime:
    return parse_when(value, "--at") or datetime.now(UTC).astimezone(LONDON)


def _packs():  # type: ignore[no-untyped-def]
    try:
        return load_packs()
    except PackError as error:
        fail(str(error))


def _fmt(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(LONDON).strftime("%a %d %b %Y %H:%M")


STYLE = {
    Status.BREACHED: "bold red",
    Status.MET_LATE: "yellow",
    Status.PENDING: "",
    Status.EXTENDED: "cyan",
    Status.MET: "green",
    Status.CANCELLED: "dim",
}


@app.command()
def deadlines(
    child: Annotated[str, typer.Argument(help="The child's id.")],
    at: AtOption = None,
    pack: PackOverride = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Every deadline for a child at a moment: pending, met, met late, breached, cancelled, extended."""
    moment = _now(at)
    packs = _packs()
    if pack is not None and pack not in packs.versions:
        fail(f"--pack {pack!r}: no such pack; known: {', '.join(packs.ids())}")
    with open_store(db) as store:
        events = store.stream(child)
    result = evaluate(events, packs, moment, pack=pack)
    if json_out:
        emit_json([d.as_json() for d in result])
        return
    table = Table(title=f"Deadlines for {child} at {_fmt(moment)}")
    for name in ("status", "due", "rule", "pack", "met / cancelled / extended by", "citation"):
        table.add_column(name, overflow="fold")
    for d in result:
        by = d.satisfied_by_event_id or d.cancelled_by_event_id or ""
        if d.extended_to:
            by = f"{by} extended to {_fmt(d.extended_to)} by {d.extended_by_event_id}".strip()
        table.add_row(
            f"[{STYLE[d.status]}]{d.status.value}[/]" if STYLE[d.status] else d.status.value,
            _fmt(d.due),
            f"{d.rule_id}: {d.title}",
            d.pack,
            by,
            d.citation[:120],
        )
    console.print(table)


@app.command()
def overdue(
    team: Annotated[str | None, typer.Option("--team", help="Only this team.")] = None,
    worker: Annotated[str | None, typer.Option("--worker", help="Only this worker's id.")] = None,
    at: AtOption = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Overdue and due-this-week deadlines, grouped by worker (a Monday-morning list)."""
    moment = _now(at)
    day = moment.astimezone(LONDON).date()
    week_end = day + timedelta(days=6 - day.weekday())
    until = datetime(week_end.year, week_end.month, week_end.day, 23, 59, 59, tzinfo=LONDON)
    with open_store(db) as store:
        handler = PolicyHandler(store, _packs())
        handler.tick(moment, write=False)  # refresh the index; appends nothing
        with handler.engine.connect() as conn:
            rows = overdue_rows(conn, until, team=team, worker=worker)
    now_epoch = moment.timestamp()
    grouped: dict[str, list[dict[str, object]]] = defaultdict(list)
    for row in rows:
        due = datetime.fromisoformat(row.due)
        grouped[row.worker_id or "(unallocated)"].append(
            {
                "child_id": row.child_id,
                "team": row.team,
                "rule_id": row.rule_id,
                "pack": row.pack,
                "title": row.title,
                "citation": row.citation,
                "severity": row.severity,
                "due": row.due,
                "overdue": due.timestamp() < now_epoch,
            }
        )
    if json_out:
        emit_json({"at": moment.isoformat(), "week_ends": week_end.isoformat(), "workers": grouped})
        return
    if not grouped:
        console.print(f"Nothing overdue or due by {week_end:%a %d %b %Y}.")
        return
    for name, items in grouped.items():
        table = Table(
            title=f"{name}: {sum(1 for i in items if i['overdue'])} overdue, "
            f"{sum(1 for i in items if not i['overdue'])} due by {week_end:%a %d %b}"
        )
        for col in ("", "due", "child", "team", "standard", "citation"):
            table.add_column(col, overflow="fold")
        for item in items:
            table.add_row(
                "[bold red]OVERDUE[/]" if item["overdue"] else "due",
                _fmt(datetime.fromisoformat(str(item["due"]))),
                str(item["child_id"]),
                str(item["team"] or ""),
                str(item["title"]),
                str(item["citation"])[:90],
            )
        console.print(table)


@app.command()
def tick(
    at: AtOption = None,
    due_soon_days: DueSoonOption = 2,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """One deterministic pass of the breach handler at --at (default now).

    With --at the pass runs as if the clock read that moment: events it appends are recorded at
    --at (or now, if later).
    """
    moment = _now(at)
    with open_store(db) as probe:
        url = probe.url
    store = EventStore(url, clock=lambda: max(moment, datetime.now(UTC)) if at is None else moment)
    try:
        handler = PolicyHandler(store, _packs(), HandlerConfig(due_soon_days))
        with console.status("ticking") if not json_out else _null():
            report = handler.tick(moment)
    finally:
        store.close()
    if json_out:
        emit_json(report.as_json())
        return
    console.print(
        f"tick at {_fmt(moment)}: {report.children_checked} children checked, "
        f"{report.breaches} breaches, {report.met_late} met late, {report.due_soon} due-soon warnings"
    )


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


@app.command()
def scheduler(
    interval: Annotated[
        int, typer.Option("--interval", help="Seconds between ticks.", min=1)
    ] = 300,
    due_soon_days: DueSoonOption = 2,
    max_ticks: Annotated[
        int | None, typer.Option("--max-ticks", help="Stop after this many ticks.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Run the breach handler on the wall clock with APScheduler until interrupted."""
    with open_store(db) as probe:
        url = probe.url
    ticks = run_scheduler(
        url, interval_seconds=interval, config=HandlerConfig(due_soon_days), max_ticks=max_ticks
    )
    console.print(f"scheduler stopped after {ticks} ticks")


packs_app = typer.Typer(help="Rule packs: list, show, check.", no_args_is_help=True)
app.add_typer(packs_app, name="packs")


@packs_app.command("list")
def packs_list(json_out: JsonOption = False) -> None:
    """Every pack and version, with its source and rule count."""
    packs = _packs()
    rows = [
        {
            "pack": p.pack,
            "version": p.version,
            "effective_from": p.effective_from.isoformat(),
            "rules": len(p.rules),
            "source": p.source,
            "title": p.title,
        }
        for pack_id in packs.ids()
        for p in packs.versions[pack_id]
    ]
    if json_out:
        emit_json(rows)
        return
    table = Table(title="Rule packs")
    for col in ("pack", "version", "effective from", "rules", "source"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            str(r["pack"]),
            str(r["version"]),
            str(r["effective_from"]),
            str(r["rules"]),
            str(r["source"]),
        )
    console.print(table)


@packs_app.command("show")
def packs_show(
    pack: Annotated[str, typer.Argument(help="Pack id, e.g. york.")],
    json_out: JsonOption = False,
) -> None:
    """A pack's rules: clock, trigger, what meets it, and the citation."""
    packs = _packs()
    if pack not in packs.versions:
        fail(f"no pack {pack!r}; known: {', '.join(packs.ids())}")
    chosen = packs.latest(pack)
    if json_out:
        emit_json(chosen.model_dump(mode="json"))
        return
    table = Table(title=f"{chosen.title} (version {chosen.version}, from {chosen.effective_from})")
    for col in ("rule", "clock", "trigger", "met by", "citation"):
        table.add_column(col, overflow="fold")
    for rule in chosen.rules:
        clock = rule.clock.describe()
        if rule.recurrence:
            clock += ", then " + ", ".join(c.describe() for c in rule.recurrence.then)
        met = (
            "its own recording"
            if rule.measures.value == "recording_delay"
            else ", ".join(m.kind for m in rule.satisfied_by)
        )
        table.add_row(rule.id, clock, rule.trigger.describe(), met, rule.citation)
    console.print(table)


@packs_app.command("check")
def packs_check(file: Annotated[Path, typer.Argument(help="A pack YAML file.")]) -> None:
    """Validate a pack file; errors name the file, the rule and the field."""
    try:
        pack = load_pack(file)
    except PackError as error:
        fail(str(error))
    console.print(f"{file}: ok — pack {pack.pack} version {pack.version}, {len(pack.rules)} rules")


def packs_readme_text() -> str:
    """The pack README: per pack, rule id -> seed section, and each timescale not encoded, why."""
    import yaml

    from adapters.packs import PACKS_DIR, uncovered

    packs = load_packs()
    out = [
        "# Rule packs",
        "",
        "Generated by `caseledger packs readme --write` from the pack files and the timescale",
        "inventory in `inventory/` (one entry per timescale found in each seed document). Each",
        "authority pack is judged together with the national baseline: a statutory rule the",
        "authority's pack does not define itself (by rule id) comes from `national.yaml`.",
        "",
        "Every timescale in the inventory is either encoded (the rule's `inventory` list names",
        "it) or listed under 'Not encoded' with the reason given in the pack file's",
        "`not_encoded` map; `tests/unit/test_rules_coverage.py` fails if one is neither.",
        "",
        "Conventions: the trigger day is day 0; 'within N working days' is due by the end of the",
        "Nth working day after it (see `policies/calendar.py`). Recurring rules count each",
        "interval from the event that met the previous one.",
        "",
        "Worked example checked against the seed: Shropshire 000_397ef79c2e214697.txt §3.1 says a",
        "strategy discussion 'within a maximum of 2 working days of referral', so a referral on",
        "Thursday 2 April 2026 is due by the end of Wednesday 8 April 2026 (Good Friday 3rd and",
        "Easter Monday 6th skipped). The end of Tuesday 7 April is York's 1 working day",
        "(003_8160ba9d01af632f.txt Standard 4). Both are tests in",
        "`tests/unit/test_rules_worked_examples.py`. The issue's own example (Shropshire, due",
        "Tuesday 7 April) is an open point: the pack follows the seed's 2 working days.",
        "",
    ]
    for pack_id in packs.ids():
        pack = packs.latest(pack_id)
        out += [
            f"## {pack.title} (`{pack.pack}`, version {pack.version}, from {pack.effective_from})",
            "",
        ]
        out += [
            f"Source: `{pack.source}`"
            if pack.source != "statute"
            else "Source: statute and statutory guidance.",
            "",
        ]
        out += ["| rule id | clock | trigger | met by | citation |", "|---|---|---|---|---|"]
        for rule in pack.rules:
            clock = rule.clock.describe()
            if rule.recurrence:
                clock += ", then " + ", ".join(c.describe() for c in rule.recurrence.then)
            if rule.trigger.direction == "before":
                clock += " before"
            if rule.from_birthday:
                clock += f", from the {rule.from_birthday}th birthday"
            if rule.until_birthday:
                clock += f", until the {rule.until_birthday}th birthday"
            met = (
                "its own recording (recorded_at − occurred_at)"
                if rule.measures.value == "recording_delay"
                else ", ".join(m.kind for m in rule.satisfied_by)
            )
            cell = rule.citation.replace("|", "/")
            out.append(f"| `{rule.id}` | {clock} | {rule.trigger.describe()} | {met} | {cell} |")
        inventory_file = PACKS_DIR / "inventory" / f"{pack_id}.yaml"
        entries = (
            yaml.safe_load(inventory_file.read_text(encoding="utf-8"))
            if inventory_file.exists()
            else None
        )
        items = {str(e["id"]): e for e in entries or []}
        if items:
            encoded = [i for i in items if i in pack.encoded()]
            missing = uncovered(pack)
            out += [
                "",
                f"Inventory: {len(items)} timescales; {len(encoded)} encoded by the rules above, "
                f"{len(pack.not_encoded)} deliberately not encoded (below)"
                + (f", {len(missing)} NOT YET DECIDED: {', '.join(missing)}" if missing else "")
                + ".",
            ]
        if pack.not_encoded:
            out += [
                "",
                "Not encoded, and why (from `not_encoded` in the pack file):",
                "",
                "| inventory id | section | why not |",
                "|---|---|---|",
            ]
            for item, reason in pack.not_encoded.items():
                section = str(items.get(item, {}).get("section", "")).replace("|", "/")
                why = reason.replace("|", "/").replace("\n", " ").strip()
                out.append(f"| `{item}` | {section} | {why} |")
        out.append("")
    return "\n".join(out)


@packs_app.command("readme")
def packs_readme(
    write: Annotated[bool, typer.Option("--write", help="Write policies/packs/README.md.")] = False,
) -> None:
    """Print (or write) the packs README: rule -> seed section, and what is not encoded and why."""
    from adapters.packs import PACKS_DIR

    text = packs_readme_text()
    if write:
        (PACKS_DIR / "README.md").write_text(text, encoding="utf-8")
        console.print(f"wrote {PACKS_DIR / 'README.md'}")
    else:
        typer.echo(text)
