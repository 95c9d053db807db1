"""Deadlines, overdue work, rule packs, the policy tick and the scheduler."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from adapters.cli.app import app
from adapters.cli.common import (
    DbOption,
    JsonOption,
    cli_errors,
    emit_json,
    fail,
    open_gate,
    parse_when,
)
from adapters.commencement import commencement_notices, precedes_clock, rule_force_text
from adapters.packs import load_pack, load_packs
from adapters.readmodels.deadline_view import IndexView, OpenDeadline, by_team_and_worker
from adapters.schedule import child_schedule, deadline_json
from adapters.scheduler import PolicyHandler, catch_up_chronology, run_scheduler
from adapters.store import EventStore
from adapters.work import open_work
from domain.access import Action, StoreAction
from domain.events.base import LONDON
from policies.engine import Status
from policies.handler import HandlerConfig
from policies.rules import NATIONAL, EventMatch, Pack, PackError, PackSet
from policies.sources import cite

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


def _packs() -> PackSet:
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
LABEL = {
    Status.BREACHED: "BREACHED",
    Status.MET_LATE: "met late",
    Status.PENDING: "pending",
    Status.EXTENDED: "extended",
    Status.MET: "met",
    Status.CANCELLED: "cancelled",
}


@app.command()
def deadlines(
    child: Annotated[str, typer.Argument(help="The child's id.")],
    at: AtOption = None,
    as_known_at: Annotated[
        str | None,
        typer.Option(
            "--as-known-at",
            help="Only what had been recorded by then (less what was marked recorded in error "
            "by then); judged at --at, else at this moment.",
        ),
    ] = None,
    pack: PackOverride = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Every deadline for a child at a moment: pending, met, met late, breached, cancelled, extended."""
    known = parse_when(as_known_at, "--as-known-at")
    moment = _now(at) if at is not None or known is None else known
    packs = _packs()
    if pack is not None and pack not in packs.versions:
        fail(f"--pack {pack!r}: no such pack; known: {', '.join(packs.ids())}")
    with open_gate(db) as (store, gate):
        gate.read(child, Action.READ, "deadlines")
        found = child_schedule(
            store,
            child,
            packs,
            moment,
            as_known_at=known,
            pack=pack,
            stream=gate.stream(child) if known is None else None,
        )
    notices = commencement_notices(packs, moment.astimezone(LONDON).date())
    if json_out:
        emit_json(found.as_json())
        for line in notices:  # stderr: the JSON on stdout stays the list of deadlines
            typer.echo(line, err=True)
        return
    title = f"Deadlines for {child} at {_fmt(moment)}"
    if known is not None:
        title += f", as known at {_fmt(known)}"
    console.print(f"[bold]{title}[/]: {_count(len(found.deadlines), 'deadline')}")
    for d in found.deadlines:
        item = deadline_json(d, found.events)
        label = f"{LABEL[d.status]:<9}"
        styled = f"[{STYLE[d.status]}]{label}[/]" if STYLE[d.status] else label
        console.print()
        console.print(f"{styled} due {_fmt(d.due)}  {d.title} [dim]({d.pack}: {d.rule_id})[/]")
        if item["met_by_text"]:
            console.print(f"          met by {item['met_by_text']}")
        if item["cancelled_by_text"]:
            console.print(f"          cancelled by {item['cancelled_by_text']}: no longer due")
        if d.extended_to:
            console.print(
                f"          extended to {_fmt(d.extended_to)} by {item['extended_by_text']}"
            )
        console.print(f"          [dim]{item['citation_text']}[/]")
    for line in notices:
        typer.echo(line)


@app.command()
def overdue(
    team: Annotated[str | None, typer.Option("--team", help="Only this team.")] = None,
    worker: Annotated[str | None, typer.Option("--worker", help="Only this worker's id.")] = None,
    include_closed: Annotated[
        bool,
        typer.Option(
            "--include-closed",
            help="Also the work of closed cases (and of case episodes closed since).",
        ),
    ] = False,
    at: AtOption = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Overdue and due-this-week work of open cases, by team and worker, oldest first.

    Reads only: the list is worked out from the deadline index and the log without saving
    anything, so what the next tick checks and writes is the same as without this list.
    """
    moment = _now(at)
    with open_gate(db) as (store, gate):
        work = open_work(
            store,
            gate,
            _packs(),
            moment,
            team=team,
            worker=worker,
            include_closed=include_closed,
        )
    view, items, week_end = work.view, work.items, work.week_ends
    warnings = _unmatched(view, team, worker)
    for warning in warnings:
        typer.echo(f"warning: {warning}", err=True)
    grouped = by_team_and_worker(items)
    now = moment.timestamp()
    if json_out:
        emit_json(
            {
                "at": moment.isoformat(),
                "week_ends": week_end.isoformat(),
                "include_closed": include_closed,
                "warnings": warnings,
                "teams": [
                    {
                        "team": team_name,
                        "workers": [
                            {
                                "worker_id": worker_id,
                                "items": [_item_json(d, now) for d in found],
                            }
                            for worker_id, found in workers.items()
                        ],
                    }
                    for team_name, workers in grouped.items()
                ],
                # the earlier shape, grouped by worker only (kept for existing readers)
                "workers": _by_worker(items, now),
            }
        )
        return
    scope = "" if include_closed else " in open cases"
    if not items:
        console.print(f"Nothing overdue or due by {week_end:%a %d %b %Y}{scope}.")
        return
    console.print(
        f"[bold]Overdue and due by {week_end:%a %d %b %Y}{scope}[/] (at {_fmt(moment)}): "
        f"{_count(sum(1 for d in items if d.due < now), 'item')} overdue, "
        f"{_count(sum(1 for d in items if d.due >= now), 'item')} due this week"
    )
    for team_name, workers in grouped.items():
        console.print()
        console.rule(f"[bold]Team: {team_name or '(no team)'}[/]", align="left")
        for worker_id, found in workers.items():
            late = sum(1 for d in found if d.due < now)
            console.print(
                f"[bold]{worker_id or '(unallocated)'}[/]: {_count(late, 'item')} overdue, "
                f"{_count(len(found) - late, 'item')} due by {week_end:%a %d %b}"
            )
            for d in found:
                flag = "[bold red]OVERDUE[/]" if d.due < now else "due    "
                closed = "" if d.case_open else " [dim](case closed)[/]"
                console.print(
                    f"  {flag} {_fmt(datetime.fromisoformat(d.due_iso))}  {d.child_id}  "
                    f"{d.title}{closed}",
                    soft_wrap=False,
                )
                console.print(f"      [dim]{cite(d.citation).text}[/]")


def _count(number: int, noun: str, plural: str | None = None) -> str:
    """``number`` and the noun as English has it: "1 item", "2 items"."""
    return f"{number} {noun}" if number == 1 else f"{number} {plural or noun + 's'}"


def _unmatched(view: IndexView, team: str | None, worker: str | None) -> list[str]:
    """A warning for a --team or --worker no child in the store has."""
    out: list[str] = []
    teams = view.teams()
    if team is not None and team not in teams:
        out.append(f"--team {team!r} matches no team; known teams: {', '.join(teams) or 'none'}")
    if worker is not None and worker not in view.workers():
        out.append(
            f"--worker {worker!r} matches no allocated worker; "
            f"known teams: {', '.join(teams) or 'none'}"
        )
    return out


def _item_json(d: OpenDeadline, now: float) -> dict[str, object]:
    cited = cite(d.citation)
    return {
        "child_id": d.child_id,
        "team": d.team,
        "worker_id": d.worker_id,
        "rule_id": d.rule_id,
        "pack": d.pack,
        "title": d.title,
        "citation": d.citation,
        "source": cited.source,
        "citation_text": cited.text,
        "severity": d.severity,
        "status": d.status,
        "due": d.due_iso,
        "trigger_event_id": d.trigger_event_id,
        "overdue": d.due < now,
        "case_open": d.case_open,
    }


def _by_worker(items: list[OpenDeadline], now: float) -> dict[str, list[dict[str, object]]]:
    grouped: dict[str, list[dict[str, object]]] = defaultdict(list)
    for d in sorted(items, key=lambda d: (d.worker_id or "", d.due, d.child_id)):
        grouped[d.worker_id or "(unallocated)"].append(_item_json(d, now))
    return grouped


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
    with open_gate(db) as (probe, gate):
        gate.require_store(StoreAction.OPERATE)
        url = probe.url
    store = EventStore(url, clock=lambda: max(moment, datetime.now(UTC)) if at is None else moment)
    try:
        handler = PolicyHandler(store, _packs(), HandlerConfig(due_soon_days))
        with cli_errors(url), console.status("ticking") if not json_out else _null():
            report = handler.tick(moment)
            catch_up_chronology(store)  # reads never catch up: the tick does
    finally:
        store.close()
    if json_out:
        emit_json(report.as_json())
        return
    console.print(
        f"tick at {_fmt(moment)}: {_count(report.children_checked, 'child', 'children')} checked, "
        f"{_count(report.breaches, 'breach', 'breaches')}, {report.met_late} met late, "
        f"{_count(report.due_soon, 'due-soon warning')}"
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
    with open_gate(db) as (probe, gate):
        gate.require_store(StoreAction.OPERATE)
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
    today = datetime.now(UTC).astimezone(LONDON).date()
    if json_out:
        data = chosen.model_dump(mode="json")
        for rule, shown in zip(chosen.rules, data["rules"], strict=True):
            if rule.commencement:  # whether it judges anything today
                shown["in_force"] = rule.in_force_on(today)
        emit_json(data)
        return
    table = Table(title=f"{chosen.title} (version {chosen.version}, from {chosen.effective_from})")
    for col in ("rule", "clock", "trigger", "met by", "citation"):
        table.add_column(col, overflow="fold")
    for rule in chosen.rules:
        clock = rule.clock.describe()
        if rule.recurrence:
            clock += ", then " + ", ".join(c.describe() for c in rule.recurrence.then)
        clock = precedes_clock(rule, clock)
        met = (
            "its own recording"
            if rule.measures.value == "recording_delay"
            else ", ".join(_match_text(m) for m in rule.satisfied_by)
        )
        if rule.measures.value == "recorded":
            met += " (when recorded)"
        rule_cell = rule.id
        if rule.commencement:
            rule_cell += " (" + rule_force_text(rule, today) + ")"
        if rule.replaces:
            rule_cell += " (replaces " + ", ".join(rule.replaces) + ")"
        table.add_row(rule_cell, clock, rule.trigger.describe(), met, rule.citation)
    console.print(table)


@packs_app.command("check")
def packs_check(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Pack YAML files (default: every pack shipped in policies/packs)."),
    ] = None,
) -> None:
    """Validate pack files and judge each against the national baseline: errors name the file,
    the rule and the field; a standard judged twice, or a national rule neither applied nor
    replaced, fails naming the rule (policies/baseline.py)."""
    from adapters.packs import PACKS_DIR
    from policies.baseline import baseline_problems

    chosen = files or sorted(PACKS_DIR.glob("*.yaml"))
    failed = False
    for file in chosen:
        try:
            pack = load_pack(file)
            nationals = [pack] if pack.pack == NATIONAL else _national_versions(file.parent)
        except PackError as error:
            typer.echo(f"error: {error}", err=True)
            failed = True
            continue
        problems = [str(p) for n in nationals for p in baseline_problems(pack, n)]
        for problem in dict.fromkeys(problems):
            typer.echo(f"error: {file.name}: {problem}", err=True)
        if problems:
            failed = True
            continue
        console.print(
            f"{file}: ok — pack {pack.pack} version {pack.version}, {len(pack.rules)} rules"
        )
    if failed:
        raise typer.Exit(1)


def _national_versions(folder: Path) -> list[Pack]:
    """The national baseline a pack in ``folder`` is judged with: the national files beside
    it, else the shipped ones."""
    from adapters.packs import PACKS_DIR

    found = [p for p in map(load_pack, sorted(folder.glob("national*.yaml"))) if p.pack == NATIONAL]
    if found or folder.resolve() == PACKS_DIR.resolve():
        return found
    return [p for p in map(load_pack, sorted(PACKS_DIR.glob("national*.yaml")))]


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
        "authority pack is judged together with the national baseline: a statutory rule in",
        "`national.yaml` judges the authority's children unless one of the authority's rules",
        "says `replaces: national:<id>` (one standard, judged once: `caseledger packs check`",
        "fails when a standard would be judged twice; see `policies/baseline.py`).",
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
            clock = precedes_clock(rule, clock)
            if rule.commencement:
                clock += f", from the commencement of `{rule.commencement}`"
            met = (
                "its own recording (recorded_at − occurred_at)"
                if rule.measures.value == "recording_delay"
                else ", ".join(_match_text(m) for m in rule.satisfied_by)
            )
            if rule.measures.value == "recorded":
                met += " (when recorded)"
            cell = rule.citation.replace("|", "/")
            name = f"`{rule.id}`"
            if rule.replaces:
                name += " (replaces " + ", ".join(f"`{r}`" for r in rule.replaces) + ")"
            out.append(f"| {name} | {clock} | {rule.trigger.describe()} | {met} | {cell} |")
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


def _match_text(match: EventMatch) -> str:
    """What meets a rule, with the recipients it must reach ("report_shared to iro")."""
    text = match.kind
    named = match.where.get("recipients")
    if named:
        text += " to " + " or ".join(
            str(n) for n in (named if isinstance(named, list) else [named])
        )
    for items in match.covers.values():
        text += " reaching " + " and ".join(
            "/".join(str(v) for v in item) if isinstance(item, list) else str(item)
            for item in items
        )
    return text


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
