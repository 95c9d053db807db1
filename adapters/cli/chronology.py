"""`caseledger chronology`: the court-bundle chronology, its exports, and checking an export.

    caseledger chronology CHILD [--family] [--from D] [--to D] [--as-known-at T]
        [--category C ...] [--significant-only | --all] [--format pdf|docx|csv|html|json]
        [--out FILE] [--prepared-on D]
    caseledger chronology verify FILE
    caseledger chronology rebuild

``verify``, ``rebuild`` and ``update`` (catch the read model up; ``tick`` does too) are
reserved words in the CHILD position. Reading a chronology never writes: what the read model
has not projected yet is folded in memory.
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from adapters.auth.guard import LEFT_OUT, Gate
from adapters.chronology_document import readable_family
from adapters.cli import exit_codes
from adapters.cli.app import app
from adapters.cli.common import DbOption, emit_json, fail, open_gate, parse_day, parse_when
from adapters.exporters.chronology import (
    COURT_FORMATS,
    FORMATS,
    Bundle,
    ProvenanceError,
    bundle_from,
    export,
    query_from,
    read_provenance,
)
from adapters.logging import get_logger
from adapters.readmodels.chronology import ChronologyStore
from domain.access import Action, StoreAction
from domain.events.base import LONDON, Category
from projections.chronology import Chronology, ChronologyEntry, ChronologyQuery, impact_cell

log = get_logger("caseledger.chronology")


def _progress_bar(label: str) -> Progress:
    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )


def catch_up(chronologies: ChronologyStore, *, rebuild: bool = False) -> int:
    """Bring the read model up to date, with a progress bar when there is work to do."""
    rebuild = rebuild or chronologies.stale_rendering
    behind = chronologies.store.max_position() - (0 if rebuild else chronologies.position)
    if behind <= 0 and not rebuild:
        return 0
    label = "Rebuilding chronology" if rebuild else "Updating chronology"
    with _progress_bar(label) as bar:
        task = bar.add_task(label, total=max(behind, 1))

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=max(total, 1))

        if rebuild:
            return chronologies.rebuild(tick)
        return chronologies.catch_up(tick)


def build_query(
    chronologies: ChronologyStore,
    child: str,
    *,
    family: bool,
    date_from: date | None,
    date_to: date | None,
    as_known_at: datetime | None,
    categories: tuple[str, ...],
    significant_only: bool,
) -> ChronologyQuery:
    if not chronologies.is_child(child):
        fail(f"no record for child {child!r}", code=exit_codes.NOT_FOUND)
    children: tuple[str, ...] = (child,)
    family_id = None
    if family:
        family_id = chronologies.family_of(child)
        if family_id is None:
            fail(
                f"--family: child {child!r} has no family_id on child_registered; "
                "record one (correct the registration) to group siblings"
            )
        children = tuple(chronologies.family_members(family_id))
    if date_from and date_to and date_from > date_to:
        fail(f"--from {date_from} is after --to {date_to}")
    known = {c.value for c in Category}
    for category in categories:
        if category not in known:
            fail(f"--category {category!r}: choose from {', '.join(sorted(known))}")
    return ChronologyQuery(
        children=children,
        family_id=family_id,
        date_from=date_from,
        date_to=date_to,
        as_known_at=as_known_at,
        categories=categories,
        significant_only=significant_only,
    )


# -- verify ------------------------------------------------------------------------------------


@dataclass
class VerifyResult:
    path: str
    format: str
    position: int
    current_position: int
    file_intact: bool
    store_agrees: bool
    new_entries: list[ChronologyEntry] = field(default_factory=list)
    removed_entries: list[ChronologyEntry] = field(default_factory=list)
    changed_entries: list[ChronologyEntry] = field(default_factory=list)
    new_corrections: list[dict[str, Any]] = field(default_factory=list)

    @property
    def changed_since(self) -> bool:
        return bool(
            self.new_entries or self.removed_entries or self.changed_entries or self.new_corrections
        )

    def as_dict(self) -> dict[str, Any]:
        def brief(e: ChronologyEntry) -> dict[str, Any]:
            return {
                "date": e.date,
                "children": list(e.children),
                "kind": e.kind,
                "detail": e.detail,
            }

        return {
            "file": self.path,
            "format": self.format,
            "store_position": self.position,
            "current_position": self.current_position,
            "file_intact": self.file_intact,
            "store_agrees": self.store_agrees,
            "changed_since": self.changed_since,
            "new_entries": [brief(e) for e in self.new_entries],
            "removed_entries": [brief(e) for e in self.removed_entries],
            "changed_entries": [brief(e) for e in self.changed_entries],
            "new_corrections": self.new_corrections,
        }


_COMPARED = ("date", "detail", "outcome", "impact", "source", "children")


def diff(then: Chronology, now: Chronology, result: VerifyResult) -> None:
    old = {e.event_ids: e for e in then.entries}
    new = {e.event_ids: e for e in now.entries}
    result.new_entries = [e for k, e in new.items() if k not in old]
    result.removed_entries = [e for k, e in old.items() if k not in new]
    result.changed_entries = [
        e
        for k, e in new.items()
        if k in old and any(getattr(e, f) != getattr(old[k], f) for f in _COMPARED)
    ]
    seen = {a.event_id for a in then.appendix}
    result.new_corrections = [
        {"action": a.action, "entry_date": a.entry_date, "reason": a.reason, "original": a.original}
        for a in now.appendix
        if a.event_id not in seen
    ]


def verify_export(
    chronologies: ChronologyStore, path: Path, gate: Gate | None = None
) -> VerifyResult:
    """Check an exported chronology against the store; see the module doc of the exporters.

    With ``gate``, the children the export covers must be readable by its principal (the
    comparison shows their entries), and the check is in each one's access log.
    """
    prov = read_provenance(path)
    query = query_from(prov)
    if gate is not None:
        gate.read_many(list(query.children), Action.READ, "chronology verify")
    position = int(prov["store_position"] or 0)
    then = chronologies.chronology(query)
    prepared = date.fromisoformat(prov["prepared_on"]) if prov.get("prepared_on") else None
    data, _ = export(
        then,
        prov["format"],
        store_time=chronologies.position_time(position),
        prepared_on=prepared,
        bundle=bundle_from(prov),
    )
    file_bytes = path.read_bytes()
    current = chronologies.current
    now = chronologies.chronology(replace(query, position=current))
    result = VerifyResult(
        path=str(path),
        format=prov["format"],
        position=position,
        current_position=current,
        file_intact=hashlib.sha256(data).digest() == hashlib.sha256(file_bytes).digest(),
        store_agrees=then.content_sha256() == prov["content_sha256"],
    )
    diff(then, now, result)
    return result


def _print_verify(result: VerifyResult) -> None:
    echo = typer.echo
    echo(f"{result.path}: {result.format} chronology from event-store position {result.position}")
    if result.file_intact:
        echo("file: matches what the store gives at that position, byte for byte")
    elif result.store_agrees:
        echo("file: ALTERED — its content hash matches the store but the file's bytes do not")
    else:
        echo(
            "file: DOES NOT MATCH — the store no longer gives this content at that position "
            "(the file was edited, or the store's history differs; run `caseledger verify`)"
        )
    if not result.changed_since:
        echo(f"record: unchanged since (store now at position {result.current_position})")
        return
    echo(f"record: CHANGED since (store now at position {result.current_position}):")
    for e in result.new_entries:
        echo(f"  new entry: {e.date} {', '.join(e.children)} — {e.detail}")
    for e in result.changed_entries:
        echo(f"  entry now reads differently: {e.date} {', '.join(e.children)} — {e.detail}")
    for e in result.removed_entries:
        echo(f"  entry no longer in the chronology: {e.date} {', '.join(e.children)} — {e.detail}")
    for c in result.new_corrections:
        echo(f"  {c['action'].lower()}: entry of {c['entry_date']} — reason: {c['reason']}")


# -- the command -------------------------------------------------------------------------------


def _table(chronology: Chronology) -> None:
    table = Table(title=chronology.title, show_lines=True)
    for column in ("No.", "Date", "Event detail", "Impact", "Source"):
        table.add_column(column, overflow="fold")
    for e in chronology.entries:
        detail = e.detail + (f"\n{e.outcome}" if e.outcome else "")
        if len(chronology.children) > 1:
            detail = "Children: " + ", ".join(e.child_names) + "\n" + detail
        for note in e.notes:
            detail += f"\n[{note}]"
        table.add_row(str(e.serial), e.date, detail, impact_cell(e), e.source)
    Console(width=160, markup=False).print(table)
    if chronology.appendix:
        typer.echo(f"audit appendix: {len(chronology.appendix)} item(s)")
        for a in chronology.appendix:
            change = "; ".join(f"{f}: {b} → {c}" for f, b, c in a.changes) or a.action
            typer.echo(f"  {a.ref} {a.original} — {change} — why: {a.reason} ({a.recorded_by})")
    for line in chronology.quality.lines():
        typer.echo(f"quality: {line}")
    typer.echo(
        f"{len(chronology.entries)} entries; store position {chronology.position}; "
        f"content SHA-256 {chronology.content_sha256()}"
    )


@app.command("chronology")
def chronology_command(
    child: Annotated[
        str,
        typer.Argument(
            help="The child's id; or `verify` (then FILE) to check an export; or `rebuild` "
            "or `update` (catch the read model up).",
            show_default=False,
        ),
    ],
    file: Annotated[
        str | None, typer.Argument(help="With `verify`: the exported chronology file.")
    ] = None,
    family: Annotated[
        bool, typer.Option("--family", help="The family chronology: the child and siblings.")
    ] = False,
    date_from: Annotated[
        str | None, typer.Option("--from", help="Entries on or after this date (ISO).")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Entries on or before this date (ISO).")
    ] = None,
    as_known_at: Annotated[
        str | None,
        typer.Option("--as-known-at", help="Only what had been recorded by then (ISO date/time)."),
    ] = None,
    category: Annotated[
        list[str] | None,
        typer.Option("--category", help="Only these categories (repeatable)."),
    ] = None,
    significant_only: Annotated[
        bool,
        typer.Option(
            "--significant-only/--all", help="Significant entries only (default), or all."
        ),
    ] = True,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help=f"Export format: {'|'.join(FORMATS)}; none prints a table."),
    ] = None,
    out: Annotated[
        str | None, typer.Option("--out", help="File to write (default: stdout).")
    ] = None,
    prepared_on: Annotated[
        str | None,
        typer.Option(
            "--prepared-on",
            help="Date prepared shown on the document (PD27A); default today. Fix it to "
            "regenerate a byte-identical document on another day.",
        ),
    ] = None,
    bundle_section: Annotated[
        str | None,
        typer.Option(
            "--bundle-section",
            help="PDF/DOCX: the court-bundle section letter (PD27A), e.g. C: pages read C1, "
            "C2... (with --first-page, from that number).",
        ),
    ] = None,
    first_page: Annotated[
        int | None,
        typer.Option("--first-page", help="With --bundle-section: the first page's number."),
    ] = None,
    db: DbOption = None,
    json_out: Annotated[bool, typer.Option("--json", help="verify: machine-readable.")] = False,
) -> None:
    """The chronology of a child (or family), on screen or exported for a court bundle."""
    if fmt is None and out is not None and child not in ("rebuild", "update", "verify"):
        fmt = _format_of(out)
    with open_gate(db) as (store, gate):
        chronologies = ChronologyStore(store)
        if child == "rebuild":
            gate.require_store(StoreAction.OPERATE)
            count = catch_up(chronologies, rebuild=True)
            typer.echo(f"chronology read model rebuilt from {count} events")
            return
        if child == "update":
            count = catch_up(chronologies)
            typer.echo(f"chronology read model caught up by {count} events")
            return
        # a read: never catches the read model up (the tick does); the tail is folded in memory
        if child == "verify":
            if not file:
                fail("verify: give the exported chronology file, e.g. chronology verify out.pdf")
            path = Path(file)
            if not path.is_file():
                fail(f"verify: {file}: no such file", code=exit_codes.NOT_FOUND)
            try:
                checked = verify_export(chronologies, path, gate)
            except ProvenanceError as error:
                fail(str(error))
            if json_out:
                emit_json(checked.as_dict())
            else:
                _print_verify(checked)
            if not checked.file_intact:
                raise typer.Exit(exit_codes.TAMPERED)
            if checked.changed_since:
                raise typer.Exit(exit_codes.STALE)
            return
        if file:
            fail(f"unexpected argument {file!r} (only `verify` takes a file)")
        action = Action.READ if fmt is None else Action.EXPORT_CHRONOLOGY
        what = "chronology" if fmt is None else f"chronology export {fmt}"
        gate.read(child, action, what + (" (family)" if family else ""))
        query = build_query(
            chronologies,
            child,
            family=family,
            date_from=parse_day(date_from, "--from"),
            date_to=parse_day(date_to, "--to"),
            as_known_at=parse_when(as_known_at, "--as-known-at"),
            categories=tuple(category or ()),
            significant_only=significant_only,
        )
        if family:
            kept, left_out = readable_family(gate, child, query.children, action, what)
            if left_out:
                typer.echo(LEFT_OUT, err=True)
            query = replace(query, children=kept)
        result = chronologies.chronology(query)
        if fmt is None:
            _table(result)
            return
        if fmt not in FORMATS:
            fail(f"--format {fmt!r}: choose one of {', '.join(FORMATS)}")
        bundle = None
        if first_page is not None and bundle_section is None:
            fail("--first-page numbers a bundle section: give --bundle-section too (e.g. C)")
        if bundle_section is not None:
            try:
                bundle = Bundle(bundle_section, 1 if first_page is None else first_page)
            except ValueError as error:
                fail(str(error))
        prepared = parse_day(prepared_on, "--prepared-on")
        if prepared is None and fmt in COURT_FORMATS:
            prepared = datetime.now(LONDON).date()
        assert result.position is not None
        try:
            data, prov = export(
                result,
                fmt,
                store_time=chronologies.position_time(result.position),
                prepared_on=prepared,
                bundle=bundle,
            )
        except ValueError as error:
            fail(str(error))
    log.info(
        "chronology_exported",
        format=fmt,
        entries=len(result.entries),
        position=prov["store_position"],
        children=len(result.children),
    )
    if out is None:
        if fmt in ("pdf", "docx"):
            fail(f"--format {fmt} writes a binary file: give --out FILE")
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    Path(out).write_bytes(data)
    typer.echo(
        f"wrote {out}: {len(result.entries)} entries, {len(result.appendix)} appendix item(s), "
        f"store position {prov['store_position']}, content SHA-256 {prov['content_sha256']}",
        err=True,
    )


def _format_of(out: str) -> str:
    """``--out bundle.pdf`` without ``--format``: the file's ending says which (a table
    cannot be written to a file, and printing it instead would leave no file and no error)."""
    ending = Path(out).suffix.lower().lstrip(".")
    if ending not in FORMATS:
        fail(f"--out {out}: give --format ({'|'.join(FORMATS)}), or a file ending in one of them")
    return ending
