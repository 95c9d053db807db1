"""``caseledger import``: entries from another case system, each keeping when it was written down.

The input is JSON lines, one entry a line, in the order the entries were written down
(for each child at least)::

    {"recorded_at": "2024-03-04T16:20:00+00:00", "event": {"kind": "child_visited", ...}}

``recorded_at`` is when the entry was written down in the source system (the record's
second clock, kept as it is); ``event`` is a case event as ``caseledger record`` takes it.
An optional ``"event_id"`` beside them is the entry's id in the source: a later correction
whose ``target_event_id`` names it is pointed at the entry as stored here.

Lines of ``caseledger feed`` are read as they are (``kind`` and ``payload``, ``recorded_at``,
``event_id``), so ``caseledger feed > all.jsonl`` then ``caseledger import all.jsonl`` into
another store writes the same records: same children, kinds, payloads, positions and
recorded-at times (event ids are new; corrections point at the new ids).

Entries are written in batches, each all or nothing. If one is refused (or the import is
killed), the entries of earlier batches are already stored: run the same file again with
``--resume`` and only the entries not yet stored are written (an entry counts as stored when
its child's record already holds an event of the same kind, content and recorded-at; the
report gives how many were). Entries that carry an ``idempotency_key`` (the source system's
id, say) are not written twice even without ``--resume``; the same key with other content is
a conflict. An ``event_id`` given twice in one file is refused.

Standards events (``deadline_breached``, ``deadline_met_late``, ``deadline_due_soon``) are
written only by the policy handler and are refused here: leave them out, or give
``--skip-standards`` (a ``feed`` of a store that has been ticked holds them); ``caseledger
tick`` writes them again from the imported record.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from adapters.cli import exit_codes
from adapters.cli.app import app
from adapters.cli.common import (
    DbOption,
    JsonOption,
    emit_json,
    fail,
    open_gate,
)
from adapters.store import EventStore, ImportRefused, ImportResult
from domain import limits
from domain.access import StoreAction
from domain.envelope import RecordedEvent, canonical_json
from domain.errors import CaseLedgerError, IdempotencyConflict, InvalidEvent
from domain.events import CaseEvent
from domain.events.base import RecordedBy
from domain.parsing import decode_json, parse_event
from domain.writers import policy_owned


class LineError(CaseLedgerError):
    """A line of the import file is not an entry; names the line, the field and the rule."""


@dataclass
class Entry:
    line: int
    event: CaseEvent
    recorded_at: datetime
    source_id: str | None


def parse_line(number: int, raw: bytes | str) -> Entry | None:
    """One line as an entry (None for a blank line); LineError naming the line otherwise."""
    if not raw.strip():
        return None
    if len(raw) > limits.MAX_IMPORT_LINE_BYTES:
        raise LineError(
            f"line {number}: longer than {limits.MAX_IMPORT_LINE_BYTES:,} bytes (the line limit)"
        )
    try:
        data = decode_json(raw, what="line")
    except InvalidEvent as error:
        raise LineError(f"line {number}: {error.rule}") from None
    if not isinstance(data, dict):
        raise LineError(f"line {number}: expected a JSON object")
    if isinstance(data.get("event"), dict):
        event_data: Any = data["event"]
    elif "kind" in data and isinstance(data.get("payload"), dict):  # a `caseledger feed` line
        event_data = {"kind": data["kind"], **data["payload"]}
    else:
        raise LineError(
            f"line {number}: field 'event': is required (an object with the event's kind and "
            "fields), or a `caseledger feed` line with 'kind' and 'payload'"
        )
    try:
        event = parse_event(event_data)
    except InvalidEvent as error:
        raise LineError(f"line {number}: {error}") from None
    recorded_at = _recorded_at(number, data.get("recorded_at"))
    source = data.get("event_id")
    if source is not None and not (isinstance(source, str | int) and len(str(source)) <= 200):
        raise LineError(f"line {number}: field 'event_id': must be text of at most 200 characters")
    return Entry(number, event, recorded_at, str(source) if source is not None else None)


def _recorded_at(number: int, raw: Any) -> datetime:
    """The entry's recorded-at: ISO text with an offset, a moment in the record's range."""
    try:
        recorded_at = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        recorded_at = None
    if recorded_at is None:
        raise LineError(
            f"line {number}: field 'recorded_at': is not an ISO date and time as text "
            "(e.g. 2024-03-04T16:20:00+00:00): give when the entry was written down"
        )
    if recorded_at.tzinfo is None:
        raise LineError(
            f"line {number}: field 'recorded_at': has no timezone; give an offset "
            "(e.g. +00:00) so the moment is unambiguous"
        )
    try:
        rule = limits.date_out_of_range(recorded_at.astimezone(UTC).date())
    except OverflowError:
        rule = "its offset takes it outside the years 1 to 9999"
    if rule is not None:
        raise LineError(f"line {number}: field 'recorded_at': {rule}")
    return recorded_at


def read_entries(lines: Iterable[bytes | str]) -> Iterator[Entry]:
    for number, text in enumerate(lines, start=1):
        entry = parse_line(number, text)
        if entry is not None:
            yield entry


class Importer:
    """Feeds entries to :meth:`EventStore.import_events`, pointing corrections at stored ids.

    A correction whose target (by source id) is in the batch not yet written has no stored
    id yet: its child's entries wait for the next batch, so each child's entries keep their
    order and batches stay full. The map of source ids to stored ids holds one pair per
    entry that had an ``event_id`` (about 150 bytes each).
    """

    def __init__(
        self,
        store: EventStore,
        batch_size: int,
        *,
        resume: bool = False,
        skip_standards: bool = False,
    ) -> None:
        self.store = store
        self.batch_size = batch_size
        self.resume = resume
        self.skip_standards = skip_standards
        self.standards_left_out = 0
        self.already_stored = 0  # entries --resume found stored before this run
        self.prior: dict[str, dict[bytes, list[RecordedEvent]]] = {}
        self.first_line: dict[str, int] = {}  # source id -> the line that gave it
        self.ids: dict[str, str] = {}
        self.total = ImportResult()
        self.stored = 0
        self.batches_written = 0
        self.pending: list[Entry] = []  # handed to the store, not yet written, in order
        self.unwritten: set[str] = set()  # source ids of ``pending``
        self.held: list[Entry] = []
        self.blocked: set[str] = set()
        self.held_back = 0  # times a child's entries waited for their correction's target

    def run(self, entries: Iterable[Entry], progress: Any = None) -> ImportResult:
        began = time.perf_counter()
        source: Iterator[Entry] = self._unique(entries)
        while True:
            self._call(self._items(source), progress)
            if not self.held:
                self.total.seconds = time.perf_counter() - began
                return self.total
            source = iter(())  # what is left: the held entries, now their targets are written

    def _unique(self, entries: Iterable[Entry]) -> Iterator[Entry]:
        """The entries, refusing a source ``event_id`` given twice in the file."""
        for entry in entries:
            if self.skip_standards and policy_owned(entry.event):
                self.standards_left_out += 1
                continue
            if entry.source_id is not None:
                first = self.first_line.setdefault(entry.source_id, entry.line)
                if first != entry.line:
                    raise LineError(
                        f"line {entry.line}: field 'event_id': {entry.source_id!r} is the id "
                        f"of the entry on line {first} too; each entry's id is its own"
                    )
            yield entry

    def _call(self, items: Iterator[tuple[CaseEvent, datetime]], progress: Any) -> None:
        done = self.total.events

        def step(result: ImportResult) -> None:
            self.stored = done + result.events
            if progress is not None:
                progress(self.stored)

        try:
            result = self.store.import_events(
                items, batch_size=self.batch_size, progress=step, on_batch=self._written
            )
        except ImportRefused as error:
            assert error.index is not None
            entry = self.pending[error.index - error.done]
            plain = InvalidEvent(error.reason, field=error.field, kind=error.kind)
            raise LineError(f"line {entry.line}: {plain}{self._stored_note()}") from None
        except IdempotencyConflict as error:
            assert error.index is not None
            entry = self.pending[error.index - (self.stored - done)]
            raise LineConflict(f"line {entry.line}: {error}{self._stored_note()}") from None
        except LineError as error:
            raise LineError(f"{error}{self._stored_note()}") from None
        self.total.events += result.events
        self.total.written += result.written
        self.total.batches += result.batches
        self.total.store_seconds += result.store_seconds

    def _stored_note(self) -> str:
        before = self.stored + self.already_stored
        return (
            f" — nothing of its batch was written; the {before:,} entries before it in this "
            f"run are stored ({self.already_stored:,} of them from an earlier run); fix it and "
            "run the file again with --resume to write only the entries not yet stored"
        )

    def _written(self, recorded: Iterable[RecordedEvent]) -> None:
        for entry, item in zip(self.pending, recorded, strict=True):
            if entry.source_id is not None:
                self.ids[entry.source_id] = item.event_id
        self.pending.clear()
        self.unwritten.clear()
        self.batches_written += 1

    def _items(self, entries: Iterator[Entry]) -> Iterator[tuple[CaseEvent, datetime]]:
        released = -1
        for entry in entries:
            if self.held and self.batches_written != released:
                released = self.batches_written
                yield from self._release()
            yield from self._offer(entry)
        if self.held and self.batches_written != released:
            yield from self._release()

    def _release(self) -> Iterator[tuple[CaseEvent, datetime]]:
        held, self.held = self.held, []
        self.blocked.clear()
        for entry in held:
            yield from self._offer(entry)

    def _offer(self, entry: Entry) -> Iterator[tuple[CaseEvent, datetime]]:
        event = entry.event
        target = getattr(event, "target_event_id", None)
        child = event.child_id
        if child in self.blocked or (target is not None and target in self.unwritten):
            if child not in self.blocked:
                self.held_back += 1
            self.blocked.add(child)
            self.held.append(entry)
            return
        if target is not None and target in self.ids:
            event = event.model_copy(update={"target_event_id": self.ids[target]})
        if self.resume:
            stored = self._stored_before(entry, event)
            if stored is not None:
                if entry.source_id is not None:
                    self.ids[entry.source_id] = stored.event_id
                self.already_stored += 1
                return
        self.pending.append(entry)
        if entry.source_id is not None:
            self.unwritten.add(entry.source_id)
        yield event, entry.recorded_at

    def _stored_before(self, entry: Entry, event: CaseEvent) -> RecordedEvent | None:
        """The event an earlier run stored for this entry (same kind, content, recorded-at).

        Each stored event answers for one entry only, and only events on the record before
        this run are looked at (read once per child, at its first entry).
        """
        child = event.child_id
        prior = self.prior.get(child)
        if prior is None:
            prior = defaultdict(list)
            record = self.store.child_record(child)
            for item in record.history:
                prior[_fingerprint(item.kind, item.recorded_at, item.payload())].append(item)
            self.prior[child] = prior
        matches = prior.get(_fingerprint(event.kind, entry.recorded_at, event.payload()))
        return matches.pop(0) if matches else None


class LineConflict(IdempotencyConflict):
    """An entry's idempotency key was already used with other content; names the line."""

    def __init__(self, message: str) -> None:
        Exception.__init__(self, message)


def _fingerprint(kind: str, recorded_at: datetime, payload: dict[str, Any]) -> bytes:
    """What makes an entry the same entry (who typed it in, ``entered_by``, does not)."""
    moment = recorded_at.astimezone(UTC).isoformat()
    content = {k: v for k, v in payload.items() if k != "entered_by"}
    return canonical_json([kind, moment, content])


def entered(entries: Iterable[Entry], by: RecordedBy | None) -> Iterator[Entry]:
    """Each entry with ``entered_by`` set to the importing account (kept as it is when None).

    ``recorded_by`` stays the original author from the file; ``entered_by`` is never taken
    from the file when an account imports.
    """
    for entry in entries:
        if by is not None:
            entry.event = entry.event.model_copy(update={"entered_by": by})
        yield entry


def bounded_lines(stream: IO[bytes]) -> Iterator[bytes]:
    """The stream's lines, none read past the line limit (a line without end stays bounded)."""
    while True:
        line = stream.readline(limits.MAX_IMPORT_LINE_BYTES + 2)
        if not line:
            return
        yield line


def _open(file: str) -> IO[bytes]:
    """The file as bytes: each line is decoded (and its UTF-8 checked) on its own."""
    if file == "-":
        return sys.stdin.buffer
    try:
        return Path(file).open("rb")
    except OSError as error:
        fail(f"cannot read {file}: {error.strerror}")


@app.command("import")
def import_(
    file: Annotated[
        str, typer.Argument(help="JSON lines file of entries, or - for standard input.")
    ],
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Entries per transaction.")
    ] = 2000,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="After a refusal or a kill: write only the entries not yet stored "
            "(same child, kind, content and recorded-at), and say how many were.",
        ),
    ] = False,
    skip_standards: Annotated[
        bool,
        typer.Option(
            "--skip-standards",
            help="Leave out standards events (breaches, met late, due soon: only the policy "
            "handler writes them; `caseledger tick` writes them again) instead of refusing.",
        ),
    ] = False,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Import entries from another case system, each keeping when it was written down.

    One JSON object a line: {"recorded_at": "<ISO time>", "event": {...}} (optionally
    "event_id": the entry's id in the source), or the lines `caseledger feed` writes.
    Lines come in the order they were written down; each batch is all or nothing.
    """
    stream = _open(file)
    with open_gate(db, create=True) as (store, gate):
        gate.require_store(StoreAction.IMPORT)
        entered_by = None if gate.principal.source == "operator" else gate.recorded_by()
        importer = Importer(store, batch_size, resume=resume, skip_standards=skip_standards)
        columns = (
            SpinnerColumn(),
            TextColumn("[bold]import"),
            TextColumn("{task.fields[events]:,} entries"),
            TimeElapsedColumn(),
        )
        try:
            with Progress(*columns, disable=json_out, transient=False) as bar:
                task = bar.add_task("import", total=None, events=0)
                result = importer.run(
                    entered(read_entries(bounded_lines(stream)), entered_by),
                    progress=lambda n: bar.update(task, events=n),
                )
        except LineConflict as error:
            fail(str(error), code=exit_codes.KEY_CONFLICT)
        finally:
            if stream is not sys.stdin.buffer:
                stream.close()
        store.checkpoint()  # sign the heads of what was imported
    if json_out:
        emit_json(
            {
                "db": store.db.describe(),
                **result.as_json(),
                "already_stored": importer.already_stored,
                "standards_left_out": importer.standards_left_out,
            }
        )
        return
    earlier = f", {importer.already_stored:,} already stored" if resume else ""
    if skip_standards:
        earlier += f", {importer.standards_left_out:,} standards events left out"
    typer.echo(
        f"imported {result.events:,} entries ({result.written:,} new{earlier}) into "
        f"{store.db.describe()} in {result.batches:,} batches "
        f"({result.events_per_second:,.0f} entries/s in the store)"
    )
