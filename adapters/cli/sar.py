"""`caseledger sar`: subject access requests, from receipt to the released response.

    caseledger sar request PERSON --received DATE --channel email [--request-id ID]
    caseledger sar extend PERSON --request ID --reason TEXT
    caseledger sar PERSON --out FILE.pdf|FILE.docx [--request ID] [--at T] [--consents FILE]
    caseledger sar approve PERSON --request ID [--serious-harm EVENT_ID ...] [--consents FILE]
    caseledger sar release PERSON --request ID --out FILE.pdf|FILE.docx
    caseledger sar requests [PERSON]

PERSON is a child's id, or a person id on a child's record (a parent, carer, relative).
``sar PERSON --out`` writes a **draft** and writes nothing to the record (a read: each
record it reads is in that record's access log). The reviewer approves the redactions of
the draft as it stands (``approve``: the reviewer is the signed-in account, never an
option; ``--serious-harm`` withholds an entry whole under that exemption); ``release``
writes the final document from exactly what was approved (the approval pins the plan's
SHA-256 and the moment it was drawn from) and records the release with the document's
SHA-256. It refuses without an approval, and when what was approved no longer matches.

Professionals are named only when the configuration lists them as consenting:
``--consents FILE`` (or ``$CASELEDGER_SAR_CONSENTS``), a YAML file
``professionals_consented: [sw-014, ...]``; the approval records the list it used.

Where a request's events live: see :mod:`domain.events.subject_access`. Every command
needs the store action ``subject_access`` (the data protection officer).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from adapters.cli import exit_codes
from adapters.cli.app import app
from adapters.cli.common import DbOption, JsonOption, emit_json, fail, open_gate, parse_when
from adapters.logging import get_logger
from adapters.store import EventStore
from domain.access import Action, StoreAction
from domain.envelope import RecordedEvent
from domain.events.base import LONDON, RecordedBy
from domain.events.subject_access import (
    RequestChannel,
    SubjectAccessRedactionsApproved,
    SubjectAccessRequestExtended,
    SubjectAccessRequestReceived,
    SubjectAccessResponseReleased,
)
from domain.parsing import parse_event
from projections.subject_access import Person, SubjectAccessPlan, directory, plan, resolve

log = get_logger("caseledger.sar")

SUBCOMMANDS = ("request", "extend", "approve", "release", "requests", "draft")


class DraftByDefault(TyperGroup):
    """``sar PERSON ...`` means ``sar draft PERSON ...``: a person id is never a subcommand."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["draft", *args]
        return super().parse_args(ctx, args)


sar_app = typer.Typer(
    cls=DraftByDefault,
    help="Subject access requests: record one, draft the response, approve it, release it."
    "\n\n`caseledger sar PERSON --out FILE` is `caseledger sar draft PERSON --out FILE`.",
    no_args_is_help=True,
)
app.add_typer(sar_app, name="sar")

PersonArg = Annotated[
    str, typer.Argument(help="The data subject: a child's id, or a person id on a record.")
]
RequestOption = Annotated[str, typer.Option("--request", help="The request's id.")]
OutOption = Annotated[Path, typer.Option("--out", help="The document to write (.pdf or .docx).")]
ConsentsOption = Annotated[
    Path | None,
    typer.Option(
        "--consents",
        help="YAML listing the professionals who consent to be named "
        "(professionals_consented: [...]); default $CASELEDGER_SAR_CONSENTS.",
    ),
]


# -- reading the store ---------------------------------------------------------------------


def _streams(store: EventStore) -> dict[str, list[RecordedEvent]]:
    return {child: store.stream(child) for child in store.children()}


def _subject(streams: Mapping[str, Sequence[RecordedEvent]], person: str) -> Person:
    found = resolve(directory(streams), person)
    if found is None:
        fail(
            f"{person}: no record names that person (a child's id, or a person_id on a "
            "child's record)",
            code=exit_codes.NOT_FOUND,
        )
    return found


def _sar_events(
    streams: Mapping[str, Sequence[RecordedEvent]], subject: Person
) -> Iterator[RecordedEvent]:
    """Every subject access event of the subject's requests, wherever they live."""
    requests: set[str] = set()
    for events in streams.values():
        for e in events:
            if e.kind == SubjectAccessRequestReceived.kind and (
                e.payload()["requester_person_id"] in subject.ids
            ):
                requests.add(str(e.payload()["request_id"]))
    for events in streams.values():
        for e in events:
            if e.kind.startswith("subject_access_") and e.payload().get("request_id") in requests:
                yield e


class Request:
    """One request and what has happened to it."""

    def __init__(self, events: list[RecordedEvent]) -> None:
        self.events = events
        self.received = next(e for e in events if e.kind == SubjectAccessRequestReceived.kind)
        self.id = str(self.received.payload()["request_id"])
        self.child_id = self.received.child_id

    def _of(self, kind: str) -> list[RecordedEvent]:
        return [e for e in self.events if e.kind == kind]

    @property
    def received_on(self) -> date:
        return self.received.event.occurred_date

    @property
    def extension(self) -> RecordedEvent | None:
        found = self._of(SubjectAccessRequestExtended.kind)
        return found[-1] if found else None

    @property
    def approval(self) -> RecordedEvent | None:
        found = self._of(SubjectAccessRedactionsApproved.kind)
        return found[-1] if found else None

    @property
    def release(self) -> RecordedEvent | None:
        found = self._of(SubjectAccessResponseReleased.kind)
        return found[-1] if found else None

    @property
    def state(self) -> str:
        if self.release is not None:
            return "released"
        if self.approval is not None:
            return "approved"
        return "extended" if self.extension is not None else "open"


def _requests(streams: Mapping[str, Sequence[RecordedEvent]], subject: Person) -> list[Request]:
    by_id: dict[str, list[RecordedEvent]] = {}
    for e in _sar_events(streams, subject):
        by_id.setdefault(str(e.payload()["request_id"]), []).append(e)
    found = [Request(events) for events in by_id.values()]
    return sorted(found, key=lambda r: (r.received_on, r.id))


def _request(
    streams: Mapping[str, Sequence[RecordedEvent]], subject: Person, request_id: str
) -> Request:
    for found in _requests(streams, subject):
        if found.id == request_id:
            return found
    fail(
        f"--request {request_id!r}: no subject access request with that id for {subject.id}",
        code=exit_codes.NOT_FOUND,
    )


def home_record(streams: Mapping[str, Sequence[RecordedEvent]], subject: Person) -> str:
    """The record a new request of this subject is written to (domain/events/subject_access)."""
    own = [c for c in streams if c in subject.ids]
    if own:
        return own[0]
    existing = sorted({r.child_id for r in _requests(streams, subject)})
    if existing:
        return existing[0]
    naming = sorted(
        child
        for child, events in streams.items()
        if any(e.kind == "person_added" and e.payload()["person_id"] in subject.ids for e in events)
    )
    if not naming:
        fail(f"{subject.id}: no child's record adds this person; nowhere to record the request")
    return naming[0]


def _consents(path: Path | None) -> list[str]:
    if path is None:
        configured = os.environ.get("CASELEDGER_SAR_CONSENTS")
        path = Path(configured) if configured else None
    if path is None:
        return []
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        fail(f"--consents {path}: cannot read it ({error.strerror})")
    except yaml.YAMLError:
        fail(f"--consents {path}: not YAML")
    listed = data.get("professionals_consented") if isinstance(data, dict) else None
    if not isinstance(listed, list) or not all(isinstance(i, str) and i for i in listed):
        fail(
            f"--consents {path}: field 'professionals_consented' must be a list of "
            "professional ids (e.g. [sw-014])"
        )
    return sorted(set(listed))


def _format(out: Path) -> str:
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("pdf", "docx"):
        fail(f"--out {out}: the response is written as .pdf or .docx")
    return fmt


def _now() -> datetime:
    return datetime.now(UTC)


def _write(store: EventStore, event_data: dict[str, Any]) -> RecordedEvent:
    (written,) = store.record([parse_event(event_data)])
    return written


def _base(child_id: str, by: RecordedBy, summary: str, when: date | datetime) -> dict[str, Any]:
    occurred = (
        when.isoformat()
        if isinstance(when, date) and not isinstance(when, datetime)
        else (when.astimezone(LONDON).isoformat())
    )
    return {
        "child_id": child_id,
        "occurred_at": occurred,
        "recorded_by": by.model_dump(),
        "summary": summary,
    }


def _log_reads(
    gate: Any, found: SubjectAccessPlan, streams: Mapping[str, Sequence[RecordedEvent]]
) -> None:
    """Each record the response draws on, in that record's access log."""
    ids = _ids(found)
    records = sorted(
        {child for child, events in streams.items() if any(e.event_id in ids for e in events)}
    )
    gate.log_reads(records, Action.READ, "subject access")


def _ids(found: SubjectAccessPlan) -> set[str]:
    return {e.event_id for e in found.entries}


# -- commands ------------------------------------------------------------------------------


@sar_app.command("request")
def request(
    person: PersonArg,
    received: Annotated[
        str, typer.Option("--received", help="The day it was received (day 0), e.g. 2026-01-31.")
    ],
    channel: Annotated[
        str, typer.Option("--channel", help=f"How: {', '.join(c.value for c in RequestChannel)}.")
    ],
    request_id: Annotated[
        str | None, typer.Option("--request-id", help="Its reference (default SAR-<n>).")
    ] = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Record a subject access request: the one-month clock starts on the day received."""
    try:
        day = date.fromisoformat(received)
    except ValueError:
        fail(f"--received {received!r}: expected an ISO date, e.g. 2026-01-31")
    with open_gate(db) as (store, gate):
        gate.require_store(StoreAction.SUBJECT_ACCESS)
        streams = _streams(store)
        subject = _subject(streams, person)
        taken = {
            str(e.payload()["request_id"])
            for events in streams.values()
            for e in events
            if e.kind == SubjectAccessRequestReceived.kind
        }
        rid = request_id or f"SAR-{len(taken) + 1}"
        while request_id is None and rid in taken:
            rid = f"SAR-{len(taken) + 2}"
            taken.add(rid)
        if rid in taken and request_id is not None:
            fail(f"--request-id {rid!r}: a request already has that id; give another")
        child = home_record(streams, subject)
        written = _write(
            store,
            {
                "kind": SubjectAccessRequestReceived.kind,
                **_base(child, gate.recorded_by(), "Subject access request received.", day),
                "request_id": rid,
                "requester_person_id": subject.id,
                "channel": channel,
            },
        )
    log.info("sar_request_recorded", request_id=rid, child_id=child, event_id=written.event_id)
    if json_out:
        emit_json({"request_id": rid, "record": child, "event_id": written.event_id})
        return
    typer.echo(f"recorded subject access request {rid} (received {day}) on the record of {child}")


@sar_app.command("extend")
def extend(
    person: PersonArg,
    request_id: RequestOption,
    reason: Annotated[
        str, typer.Option("--reason", help="Why it is complex enough for two further months.")
    ],
    on: Annotated[
        str | None,
        typer.Option(
            "--on",
            help="The day it was extended and the requester told (default today); it counts "
            "only within the first month.",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Extend a request by two further months (three from receipt), with the reason."""
    when: date | datetime = _now()
    if on is not None:
        try:
            when = date.fromisoformat(on)
        except ValueError:
            fail(f"--on {on!r}: expected an ISO date, e.g. 2026-02-20")
    with open_gate(db) as (store, gate):
        gate.require_store(StoreAction.SUBJECT_ACCESS)
        streams = _streams(store)
        found = _request(streams, _subject(streams, person), request_id)
        if found.release is not None:
            fail(f"--request {request_id}: already released; nothing to extend")
        _write(
            store,
            {
                "kind": SubjectAccessRequestExtended.kind,
                **_base(
                    found.child_id,
                    gate.recorded_by(),
                    "Subject access request extended by two months.",
                    when,
                ),
                "request_id": request_id,
                "reason": reason,
            },
        )
    typer.echo(f"extended subject access request {request_id}: due three months from receipt")


@sar_app.command("draft")
def draft(
    person: PersonArg,
    out: OutOption,
    request_id: Annotated[
        str | None, typer.Option("--request", help="The request it answers (named on it).")
    ] = None,
    at: Annotated[
        str | None,
        typer.Option("--at", help="The record as it stood then (default now; a date: its end)."),
    ] = None,
    consents: ConsentsOption = None,
    db: DbOption = None,
) -> None:
    """Write a draft of the response for the reviewer. Writes nothing to the record."""
    from adapters.exporters.subject_access import Cover, render

    fmt = _format(out)
    moment = parse_when(at, "--at") or _now()
    consented = _consents(consents)
    with open_gate(db) as (store, gate):
        gate.require_store(StoreAction.SUBJECT_ACCESS)
        streams = _streams(store)
        subject = _subject(streams, person)
        found = _request(streams, subject, request_id) if request_id else None
        result = plan(streams, subject.id, as_known_at=moment, professionals_consented=consented)
        _log_reads(gate, result, streams)
    cover = Cover(
        request_id=found.id if found else None,
        received_on=found.received_on.isoformat() if found else None,
        prepared_at=_now(),
        final=False,
    )
    out.write_bytes(render(result, cover, fmt))
    typer.echo(
        f"draft written to {out}: {len(result.entries)} entries, {result.redactions} "
        f"redactions ({_counts(result)}); approve what it shows with `caseledger sar approve "
        f"{person} --request {found.id if found else 'ID'} --at {moment.isoformat()}`"
    )


def _counts(result: SubjectAccessPlan) -> str:
    return ", ".join(f"{code} {n}" for code, n in result.redaction_counts().items())


@sar_app.command("approve")
def approve(
    person: PersonArg,
    request_id: RequestOption,
    serious_harm: Annotated[
        list[str] | None,
        typer.Option(
            "--serious-harm",
            help="An entry (event id) to withhold whole under the serious harm exemption; "
            "repeat for more.",
        ),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help="The moment of the draft you reviewed (the draft command prints it); default now.",
        ),
    ] = None,
    consents: ConsentsOption = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Approve the redactions of the response (you, the signed-in account, are the reviewer)."""
    consented = _consents(consents)
    moment = parse_when(at, "--at") or _now()
    if moment > _now():
        fail(f"--at {at}: in the future; give the moment of the draft you reviewed")
    harm = sorted(set(serious_harm or []))
    with open_gate(db) as (store, gate):
        gate.require_store(StoreAction.SUBJECT_ACCESS)
        streams = _streams(store)
        subject = _subject(streams, person)
        found = _request(streams, subject, request_id)
        if found.release is not None:
            fail(f"--request {request_id}: already released; a new request starts a new response")
        result = plan(
            streams,
            subject.id,
            as_known_at=moment,
            professionals_consented=consented,
            serious_harm_event_ids=harm,
        )
        unknown = sorted(set(harm) - _ids(result))
        if unknown:
            fail(
                f"--serious-harm {', '.join(unknown)}: not an entry of this response "
                "(give the event id of an entry about the subject); nothing was approved"
            )
        _log_reads(gate, result, streams)
        written = _write(
            store,
            {
                "kind": SubjectAccessRedactionsApproved.kind,
                **_base(
                    found.child_id,
                    gate.recorded_by(),
                    "Subject access redactions approved.",
                    _now(),
                ),
                "request_id": request_id,
                "as_known_at": moment.isoformat(),
                "redaction_digest": result.digest(),
                "serious_harm_event_ids": harm,
                "professionals_consented": consented,
                "entries": len(result.entries),
                "redactions": result.redactions,
            },
        )
    log.info("sar_approved", request_id=request_id, event_id=written.event_id)
    if json_out:
        emit_json(
            {
                "request_id": request_id,
                "approval_event_id": written.event_id,
                "as_known_at": moment.isoformat(),
                "entries": len(result.entries),
                "redactions": result.redaction_counts(),
                "digest": result.digest(),
            }
        )
        return
    typer.echo(
        f"approved the redactions of {request_id}: {len(result.entries)} entries, "
        f"{result.redactions} redactions ({_counts(result)}); release with "
        f"`caseledger sar release {person} --request {request_id} --out FILE`"
    )


@sar_app.command("release")
def release(
    person: PersonArg,
    request_id: RequestOption,
    out: OutOption,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Write the approved response and record its release (with the document's SHA-256)."""
    from adapters.exporters.subject_access import Cover, render

    fmt = _format(out)
    with open_gate(db) as (store, gate):
        gate.require_store(StoreAction.SUBJECT_ACCESS)
        streams = _streams(store)
        subject = _subject(streams, person)
        found = _request(streams, subject, request_id)
        if found.release is not None:
            sha = found.release.payload()["document_sha256"]
            fail(f"--request {request_id}: already released (document {sha[:16]}); not again")
        approval = found.approval
        if approval is None:
            fail(
                f"--request {request_id}: the redactions have not been approved; a reviewer "
                f"runs `caseledger sar approve {person} --request {request_id}` first. "
                "Nothing was released."
            )
        approved = approval.payload()
        cutoff = datetime.fromisoformat(approved["as_known_at"])
        result = plan(
            streams,
            subject.id,
            as_known_at=cutoff,
            professionals_consented=approved.get("professionals_consented", []),
            serious_harm_event_ids=approved.get("serious_harm_event_ids", []),
        )
        if result.digest() != approved["redaction_digest"]:
            fail(
                f"--request {request_id}: the response no longer matches what was approved "
                "(the record as it stood then has changed, e.g. a key destroyed); draft it "
                "again and approve it again. Nothing was released."
            )
        _log_reads(gate, result, streams)
        now = _now()
        cover = Cover(
            request_id=request_id,
            received_on=found.received_on.isoformat(),
            prepared_at=now,
            final=True,
            approved_on=approval.event.occurred_date.isoformat(),
        )
        data = render(result, cover, fmt)
        sha = hashlib.sha256(data).hexdigest()
        tmp = out.with_name(out.name + ".part")
        tmp.write_bytes(data)
        written = _write(
            store,
            {
                "kind": SubjectAccessResponseReleased.kind,
                **_base(
                    found.child_id, gate.recorded_by(), "Subject access response released.", now
                ),
                "request_id": request_id,
                "released_at": now.isoformat(),
                "document_sha256": sha,
                "document_format": fmt,
                "approval_event_id": approval.event_id,
            },
        )
        tmp.replace(out)
    log.info("sar_released", request_id=request_id, event_id=written.event_id, sha256=sha)
    if json_out:
        emit_json(
            {
                "request_id": request_id,
                "file": str(out),
                "sha256": sha,
                "event_id": written.event_id,
            }
        )
        return
    typer.echo(f"released {request_id}: {out} (SHA-256 {sha}); the release is on the record")


@sar_app.command("requests")
def requests(
    person: Annotated[str | None, typer.Argument(help="Only this person's requests.")] = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Subject access requests: received, state, the record they are on."""
    with open_gate(db) as (store, gate):
        gate.require_store(StoreAction.SUBJECT_ACCESS)
        streams = _streams(store)
        if person:
            subjects = [_subject(streams, person)]
        else:  # only those who have asked: one pass for the requesters, not one per person
            people = directory(streams)
            asked = {
                str(e.payload()["requester_person_id"])
                for events in streams.values()
                for e in events
                if e.kind == SubjectAccessRequestReceived.kind
            }
            found = (resolve(people, pid) for pid in sorted(asked))
            subjects = list({s.id: s for s in found if s is not None}.values())
        rows = [
            {
                "request_id": r.id,
                "person": s.id,
                "received_on": r.received_on.isoformat(),
                "state": r.state,
                "record": r.child_id,
            }
            for s in subjects
            for r in _requests(streams, s)
        ]
    rows.sort(key=lambda row: (row["received_on"], row["request_id"]))
    if json_out:
        emit_json(rows)
        return
    if not rows:
        typer.echo("no subject access requests")
    for row in rows:
        typer.echo(
            f"{row['request_id']}  {row['person']}  received {row['received_on']}  "
            f"{row['state']}  (on the record of {row['record']})"
        )
