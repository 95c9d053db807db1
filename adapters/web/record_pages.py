"""Recording on the web: an event from its catalogue form, and corrections from the entry.

    /child/{id}/record                       the kinds the account may record, by stage
    /child/{id}/record/{kind}[?draft=ID]     the kind's form (a draft resumed)
    /child/{id}/entry/{event_id}/correct     the entry's form, filled in, and a reason
    /child/{id}/entry/{event_id}/in-error    "recorded in error", with a reason
    POST .../draft                           save the form as typed (the page's script)
    POST /drafts/{id}/discard                throw a draft away

Every form is saved server-side as a draft while it is typed (:mod:`adapters.drafts`), so a
session that times out or a tab that closes loses nothing: the draft is listed on My work
and reopens where it was. Submitting parses the form with the API's own parser and access
rules (:mod:`adapters.recording`); refused, the form comes back with each error beside its
field and nothing is written. The draft's id is the entry's idempotency key, so a form
submitted twice (a double click, a resent request) writes once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from adapters.auth.guard import Gate
from adapters.drafts import Draft, DraftClosed, Drafts, DraftTooLarge, drafts_of, new_draft_id
from adapters.recording import attributed_events, record_checked
from adapters.store import EventStore
from adapters.views import history_entry
from adapters.web.event_forms import (
    EventForm,
    FormProblem,
    event_data,
    form_for,
    form_values,
    kinds_by_stage,
    readable,
    recordable_kinds,
)
from adapters.web.kit import Web
from domain.access import Action, Principal
from domain.child_record import corrected
from domain.envelope import RecordedEvent
from domain.errors import ConcurrencyConflict, IdempotencyConflict, InvalidEvent
from domain.events import EVENT_TYPES
from domain.events.base import LONDON
from domain.events.corrections import EntryCorrected, EntryRecordedInError
from domain.parsing import every_problem

CORRECTION = EntryCorrected.kind
IN_ERROR = EntryRecordedInError.kind
REASON_MAX = 2000


@dataclass(frozen=True)
class FieldError:
    field: str | None
    message: str

    @property
    def anchor(self) -> str:
        return f"f-{self.field.split('.')[0]}" if self.field else "form-top"


def _errors(problems: list[InvalidEvent] | list[FormProblem]) -> list[FieldError]:
    out = []
    for problem in problems:
        name = problem.field
        if name and name.startswith("changes."):
            name = name[len("changes.") :]
        if name == "event":
            name = None
        out.append(FieldError(name, problem.rule))
    return out


def _values(form: FormData) -> dict[str, Any]:
    """The submitted form as a dict: one value per field, a list where a field repeats."""
    values: dict[str, Any] = {}
    for key in form:
        items = [str(v) for v in form.getlist(key)]
        values[key] = items if len(items) > 1 else items[0]
    return values


def _by_field(errors: list[FieldError]) -> dict[str, str]:
    shown: dict[str, str] = {}
    for error in errors:
        if error.field:
            shown.setdefault(error.field.split(".")[0], error.message)
    return shown


def _allowed_kinds(gate: Gate, child_id: str) -> set[str]:
    facts = gate.facts(child_id)
    return {
        cls.kind
        for cls in recordable_kinds()
        if gate.decide(child_id, Action.WRITE, kind=cls.kind, facts=facts).allowed
    }


REGISTRATION = "child_registered"
NEW_CHILD = "New child"
PREFILL = ("first_name", "last_name", "date_of_birth", "nhs_number")
"""What the new-child page hands the registration form (:mod:`adapters.web.new_child`)."""


def _opened(gate: Gate, web: Web, child_id: str, kind: str) -> tuple[str, bool]:
    """Open the child's record for a form of ``kind``: its name and whether it is on record.

    A child on record is read through the gate (logged); a new child's id may only be given
    the registration form, by a role that may create records (else it is "not found")."""
    facts = gate.facts(child_id)
    if facts.exists:
        gate.read(child_id, Action.READ, "record an event")
        return web.name_of(gate, child_id), True
    if (
        kind != REGISTRATION
        or not gate.decide(child_id, Action.WRITE, kind=kind, facts=facts).allowed
    ):
        gate.read(child_id, Action.READ, "record an event")  # refused as the gate refuses
    return NEW_CHILD, False


def destroyed(store: EventStore, child_id: str) -> bool:
    """Whether the child's record was destroyed (its key is gone): nothing can be added."""
    from adapters.shredding.subject_keys import child_subject

    return store.shredder is not None and store.shredder.keys.destroyed(child_subject(child_id))


def may_record(gate: Gate, child_id: str, facts: Any) -> bool:
    """Whether the account may record any entry on this child (the page shows the links)."""
    if destroyed(gate.store, child_id):
        return False
    return any(
        gate.decide(child_id, Action.WRITE, kind=cls.kind, facts=facts).allowed
        for cls in recordable_kinds()
    )


def _target(stream: list[RecordedEvent], event_id: str) -> RecordedEvent | None:
    return next((item for item in stream if item.event_id == event_id), None)


def _effective(stream: list[RecordedEvent], target: RecordedEvent) -> dict[str, Any]:
    """The entry as it reads now: the original with its corrections applied."""
    fixes = [
        item.event
        for item in stream
        if isinstance(item.event, EntryCorrected) and item.event.target_event_id == target.event_id
    ]
    current = corrected(target.event, fixes)
    payload: dict[str, Any] = current.model_dump(mode="json", exclude_none=True)
    return payload


def _in_error(stream: list[RecordedEvent], event_id: str) -> bool:
    return any(
        isinstance(item.event, EntryRecordedInError) and item.event.target_event_id == event_id
        for item in stream
    )


def _changes(
    form: EventForm, values: dict[str, Any], current: dict[str, Any]
) -> tuple[dict[str, Any], list[FieldError]]:
    """What the corrected form changes in the entry as it reads now, or why it cannot.

    The entry is rebuilt from its current fields with the form's values over them and parsed
    as a new entry would be; the changes are the fields whose value then differs (a field
    emptied becomes null), so retyping a date in another notation changes nothing.
    """
    data, unreadable = event_data(form, values)
    if unreadable:
        return {}, _errors(unreadable)
    asked = {item.name for item in form.fields}
    whole = {k: v for k, v in current.items() if k not in asked and k != "entered_by"}
    whole.update(data)
    problems = every_problem(whole)
    if problems:
        return {}, _errors(problems)
    from domain.parsing import parse_event

    now = parse_event(whole).model_dump(mode="json", exclude_none=True)
    changes = {name: now.get(name) for name in asked if now.get(name) != current.get(name)}
    return changes, []


def _starting(form: EventForm, request: Request, on_record: bool) -> dict[str, Any]:
    """A new form's values: the defaults, and for a new child what the search was given."""
    values = form.starting_values()
    if not on_record and form.kind == REGISTRATION:
        for name in PREFILL:
            given = request.query_params.get(name)
            if given:
                values[name] = given
    return values


def install(api: FastAPI, web: Web) -> None:
    def drafts(store: EventStore) -> Drafts:
        return drafts_of(store)

    def expired(request: Request, principal: Principal) -> Response:
        """A POST whose CSRF token is not this session's: refused, nothing saved."""
        return web.page(
            request,
            "refused.html",
            principal,
            status=403,
            message="The form had expired or did not come from this site.",
        )

    def choose(request: Request, child_id: str) -> Response:
        principal = web.principal_of(request)
        with web.reading(principal, request) as (_store, gate):
            facts = gate.read(child_id, Action.READ, "record an event")
            allowed = _allowed_kinds(gate, child_id)
            name = web.name_of(gate, child_id)
        if not allowed:
            return web.page(
                request,
                "refused.html",
                principal,
                status=403,
                message="Your role may not record on this child's record.",
            )
        return web.page(
            request,
            "record_choose.html",
            principal,
            child_id=child_id,
            name=name,
            facts=facts,
            stages=kinds_by_stage(allowed),
        )

    api.get("/child/{child_id}/record", include_in_schema=False)(choose)

    def _form_page(
        request: Request,
        principal: Principal,
        *,
        child_id: str,
        name: str,
        form: EventForm,
        action: str,
        draft_id: str,
        values: dict[str, Any],
        errors: list[FieldError] | None = None,
        status: int = 200,
        saved: Draft | None = None,
        target: dict[str, Any] | None = None,
        reason_needed: bool = False,
        heading: str | None = None,
    ) -> Response:
        errors = errors or []
        return web.page(
            request,
            "record_form.html",
            principal,
            status=status,
            child_id=child_id,
            name=name,
            form=form,
            action=action,
            draft_id=draft_id,
            values=values,
            errors=errors,
            field_errors=_by_field(errors),
            saved=saved,
            saved_at=saved.updated_at.astimezone(LONDON) if saved else None,
            target=target,
            reason_needed=reason_needed,
            heading=heading or form.title,
        )

    def _recordable(kind: str) -> EventForm | None:
        if kind not in {cls.kind for cls in recordable_kinds()}:
            return None
        return form_for(kind)

    @api.get("/child/{child_id}/record/{kind}", include_in_schema=False)
    def record_form(
        request: Request, child_id: str, kind: str, draft: str | None = None
    ) -> Response:
        principal = web.principal_of(request)
        form = _recordable(kind)
        if form is None:
            return web.not_found(request, principal, "No such kind of entry.")
        with web.reading(principal, request) as (store, gate):
            name, on_record = _opened(gate, web, child_id, kind)
            if on_record and kind not in _allowed_kinds(gate, child_id):
                return web.page(
                    request,
                    "refused.html",
                    principal,
                    status=403,
                    message=f"Your role may not record {form.title.lower()} on this record.",
                )
            found = drafts(store).get(draft, principal.user_id) if draft else None
        if draft and (found is None or (found.child_id, found.kind) != (child_id, kind)):
            return web.not_found(request, principal, "That draft is not yours or was submitted.")
        return _form_page(
            request,
            principal,
            child_id=child_id,
            name=name,
            form=form,
            action=f"/child/{child_id}/record/{kind}",
            draft_id=found.draft_id if found else new_draft_id(),
            values=found.values if found else _starting(form, request, on_record),
            saved=found,
        )

    def _save_draft(
        store: EventStore,
        principal: Principal,
        *,
        draft_id: str,
        child_id: str,
        kind: str,
        values: dict[str, Any],
        target_event_id: str | None = None,
        submitting: bool = False,
    ) -> Draft:
        """Save what was typed. A form submitted again after it was recorded (a double click)
        finds its draft closed: ``submitting`` carries on to the idempotent record."""
        kept = {k: v for k, v in values.items() if k not in ("csrf_token", "draft_id", "action")}
        try:
            return drafts(store).save(
                draft_id,
                user_id=principal.user_id,
                child_id=child_id,
                kind=kind,
                values=kept,
                target_event_id=target_event_id,
            )
        except DraftClosed:
            if not submitting:
                raise
            moment = web.now()
            return Draft(
                draft_id, principal.user_id, child_id, kind, target_event_id, kept, moment, moment
            )

    @api.post("/child/{child_id}/record/{kind}/draft", include_in_schema=False)
    async def autosave(request: Request, child_id: str, kind: str) -> Response:
        """The page's script saves the form as it is typed (no script: the Save draft button)."""
        principal = web.principal_of(request)
        values = _values(await request.form())
        if not web.form_ok(request, str(values.get("csrf_token", ""))):
            return JSONResponse({"saved": False, "error": "the form had expired"}, status_code=403)
        draft_id = str(values.get("draft_id", ""))
        if not draft_id or kind not in (
            *(c.kind for c in recordable_kinds()),
            CORRECTION,
            IN_ERROR,
        ):
            return JSONResponse({"saved": False, "error": "no such form"}, status_code=404)
        with web.reading(principal, request) as (store, gate):
            gate.read(child_id, Action.READ, "draft saved")
            target = str(values.get("target_event_id") or "") or None
            try:
                saved = _save_draft(
                    store,
                    principal,
                    draft_id=draft_id,
                    child_id=child_id,
                    kind=kind,
                    values=values,
                    target_event_id=target,
                )
            except PermissionError:
                return JSONResponse({"saved": False, "error": "not your draft"}, status_code=403)
            except DraftTooLarge as error:
                return JSONResponse({"saved": False, "error": str(error)}, status_code=413)
            except DraftClosed as error:
                return JSONResponse({"saved": False, "error": str(error)}, status_code=409)
        return JSONResponse(
            {"saved": True, "at": saved.updated_at.astimezone(LONDON).strftime("%H:%M:%S")}
        )

    def _record(
        store: EventStore,
        gate: Gate,
        principal: Principal,
        data: dict[str, Any],
    ) -> tuple[RecordedEvent | None, list[FieldError]]:
        """Record one event from form data, or say why not (nothing written)."""
        problems = every_problem({"recorded_by": {"user_id": "x", "role": "x"}, **data})
        if problems:
            return None, _errors(problems)
        try:
            events = attributed_events(web.policy, principal, [data])
            recorded = record_checked(store, gate, events)
        except InvalidEvent as error:
            return None, _errors([error])
        except IdempotencyConflict:
            return None, [
                FieldError(None, "this form was already submitted with different content")
            ]
        except ConcurrencyConflict:
            return None, [FieldError(None, "someone recorded on this child at the same moment")]
        return recorded[0], []

    @api.post("/child/{child_id}/record/{kind}", include_in_schema=False)
    async def record_submit(request: Request, child_id: str, kind: str) -> Response:
        principal = web.principal_of(request)
        values = _values(await request.form())
        if not web.form_ok(request, str(values.get("csrf_token", ""))):
            return expired(request, principal)
        form = _recordable(kind)
        draft_id = str(values.get("draft_id", "")) or new_draft_id()
        if form is None:
            return web.not_found(request, principal, "No such kind of entry.")
        with web.reading(principal, request) as (store, gate):
            name, on_record = _opened(gate, web, child_id, kind)
            saved = _save_draft(
                store,
                principal,
                draft_id=draft_id,
                child_id=child_id,
                kind=kind,
                values=values,
                submitting=True,
            )
            if values.get("action") == "save":
                return _form_page(
                    request,
                    principal,
                    child_id=child_id,
                    name=name,
                    form=form,
                    action=f"/child/{child_id}/record/{kind}",
                    draft_id=draft_id,
                    values=saved.values,
                    saved=saved,
                )
            data, unreadable = event_data(form, values)
            data.update(child_id=child_id, idempotency_key=f"web-draft:{draft_id}")
            if unreadable:
                recorded, errors = None, _errors(unreadable)
            else:
                recorded, errors = _record(store, gate, principal, data)
            readable = False
            if recorded is not None:
                drafts(store).delete(draft_id, principal.user_id)
                gate.forget(child_id)
                readable = gate.decide(child_id, Action.READ).allowed
        if recorded is not None and not readable:  # a new child, not yet allocated to anyone
            return web.page(
                request,
                "registered.html",
                principal,
                child_id=child_id,
                entry=history_entry(recorded),
            )
        if recorded is None:
            return _form_page(
                request,
                principal,
                child_id=child_id,
                name=name,
                form=form,
                action=f"/child/{child_id}/record/{kind}",
                draft_id=draft_id,
                values=saved.values,
                errors=errors,
                status=422,
                saved=saved,
            )
        return RedirectResponse(
            f"/child/{child_id}?recorded={recorded.event_id}#entry-{recorded.event_id}",
            status_code=303,
        )

    # -- corrections, from the entry ------------------------------------------------------

    def _entry(
        gate: Gate, child_id: str, event_id: str, what: str
    ) -> tuple[RecordedEvent | None, list[RecordedEvent], str | None]:
        """The entry to correct or withdraw, read through the gate (logged as ``what``), the
        child's stream, and why it cannot be changed (None when it can)."""
        gate.read(child_id, Action.READ, what)
        stream = gate.stream(child_id)
        target = _target(stream, event_id)
        return target, stream, _correctable(target, stream)

    def _correctable(target: RecordedEvent | None, stream: list[RecordedEvent]) -> str | None:
        if target is None:
            return "No such entry on this record."
        if isinstance(target.event, EntryCorrected | EntryRecordedInError):
            return "A correction cannot itself be corrected; correct the original entry."
        if _in_error(stream, target.event_id):
            return "This entry is already marked as recorded in error."
        if target.kind not in EVENT_TYPES:
            return "No such kind of entry."
        return None

    def _entry_summary(target: RecordedEvent) -> dict[str, Any]:
        entry = history_entry(target)
        entry["title"] = readable(target.kind)
        return entry

    @api.get("/child/{child_id}/entry/{event_id}/correct", include_in_schema=False)
    def correct_form(
        request: Request, child_id: str, event_id: str, draft: str | None = None
    ) -> Response:
        principal = web.principal_of(request)
        with web.reading(principal, request) as (store, gate):
            target, stream, problem = _entry(gate, child_id, event_id, "correct an entry")
            if problem is not None or target is None:
                return web.not_found(request, principal, problem or "No such entry.")
            name = web.name_of(gate, child_id)
            found = drafts(store).get(draft, principal.user_id) if draft else None
            current = _effective(stream, target)
        form = form_for(target.kind)
        values = found.values if found else form_values(current, form)
        return _form_page(
            request,
            principal,
            child_id=child_id,
            name=name,
            form=form,
            action=f"/child/{child_id}/entry/{event_id}/correct",
            draft_id=found.draft_id if found else new_draft_id(),
            values=values,
            saved=found,
            target=_entry_summary(target),
            reason_needed=True,
            heading=f"Correct: {form.title}",
        )

    @api.post("/child/{child_id}/entry/{event_id}/correct", include_in_schema=False)
    async def correct_submit(request: Request, child_id: str, event_id: str) -> Response:
        principal = web.principal_of(request)
        values = _values(await request.form())
        if not web.form_ok(request, str(values.get("csrf_token", ""))):
            return expired(request, principal)
        draft_id = str(values.get("draft_id", "")) or new_draft_id()
        with web.reading(principal, request) as (store, gate):
            target, stream, problem = _entry(gate, child_id, event_id, "correct an entry")
            if problem is not None or target is None:
                return web.not_found(request, principal, problem or "No such entry.")
            name = web.name_of(gate, child_id)
            form = form_for(target.kind)
            saved = _save_draft(
                store,
                principal,
                draft_id=draft_id,
                child_id=child_id,
                kind=CORRECTION,
                values=values,
                target_event_id=event_id,
                submitting=True,
            )
            current = _effective(stream, target)
            recorded: RecordedEvent | None = None
            errors: list[FieldError] = []
            reason = str(values.get("reason", "")).strip()
            if values.get("action") != "save":
                changes, errors = _changes(form, values, current)
                if not reason:
                    errors.append(FieldError("reason", "is required: say why it is corrected"))
                if not errors and not changes:
                    errors.append(FieldError(None, "nothing was changed: change a field first"))
                if not errors:
                    recorded, errors = _record(
                        store,
                        gate,
                        principal,
                        {
                            "kind": CORRECTION,
                            "child_id": child_id,
                            "occurred_at": web.now().astimezone(LONDON).isoformat(),
                            "summary": f"Correction to the {readable(target.kind).lower()} "
                            f"entry (#{target.position})",
                            "target_event_id": event_id,
                            "changes": changes,
                            "reason": reason,
                            "idempotency_key": f"web-draft:{draft_id}",
                        },
                    )
            if recorded is not None:
                drafts(store).delete(draft_id, principal.user_id)
        if recorded is None:
            return _form_page(
                request,
                principal,
                child_id=child_id,
                name=name,
                form=form,
                action=f"/child/{child_id}/entry/{event_id}/correct",
                draft_id=draft_id,
                values=saved.values,
                errors=errors,
                status=200 if values.get("action") == "save" else 422,
                saved=saved,
                target=_entry_summary(target),
                reason_needed=True,
                heading=f"Correct: {form.title}",
            )
        return RedirectResponse(
            f"/child/{child_id}?recorded={recorded.event_id}#entry-{event_id}", status_code=303
        )

    @api.get("/child/{child_id}/entry/{event_id}/in-error", include_in_schema=False)
    def in_error_form(request: Request, child_id: str, event_id: str) -> Response:
        principal = web.principal_of(request)
        with web.reading(principal, request) as (_store, gate):
            target, stream, problem = _entry(gate, child_id, event_id, "mark recorded in error")
            if problem is not None or target is None:
                return web.not_found(request, principal, problem or "No such entry.")
            name = web.name_of(gate, child_id)
        return web.page(
            request,
            "record_in_error.html",
            principal,
            child_id=child_id,
            name=name,
            target=_entry_summary(target),
            draft_id=new_draft_id(),
            errors=[],
            reason="",
        )

    @api.post("/child/{child_id}/entry/{event_id}/in-error", include_in_schema=False)
    async def in_error_submit(request: Request, child_id: str, event_id: str) -> Response:
        principal = web.principal_of(request)
        values = _values(await request.form())
        if not web.form_ok(request, str(values.get("csrf_token", ""))):
            return expired(request, principal)
        draft_id = str(values.get("draft_id", "")) or new_draft_id()
        reason = str(values.get("reason", "")).strip()
        with web.reading(principal, request) as (store, gate):
            target, stream, problem = _entry(gate, child_id, event_id, "mark recorded in error")
            if problem is not None or target is None:
                return web.not_found(request, principal, problem or "No such entry.")
            name = web.name_of(gate, child_id)
            errors: list[FieldError] = []
            recorded = None
            if not reason:
                errors = [FieldError("reason", "is required: say why it was recorded in error")]
            else:
                recorded, errors = _record(
                    store,
                    gate,
                    principal,
                    {
                        "kind": IN_ERROR,
                        "child_id": child_id,
                        "occurred_at": web.now().astimezone(LONDON).isoformat(timespec="seconds"),
                        "summary": f"The {readable(target.kind).lower()} entry (#{target.position}) "
                        "was recorded in error",
                        "target_event_id": event_id,
                        "reason": reason,
                        "idempotency_key": f"web-draft:{draft_id}",
                    },
                )
        if recorded is None:
            return web.page(
                request,
                "record_in_error.html",
                principal,
                status=422,
                child_id=child_id,
                name=name,
                target=_entry_summary(target),
                draft_id=draft_id,
                errors=errors,
                field_errors=_by_field(errors),
                reason=reason,
            )
        return RedirectResponse(
            f"/child/{child_id}?recorded={recorded.event_id}#entry-{event_id}", status_code=303
        )

    @api.post("/drafts/{draft_id}/discard", include_in_schema=False)
    async def discard(request: Request, draft_id: str) -> Response:
        principal = web.principal_of(request)
        values = _values(await request.form())
        if not web.form_ok(request, str(values.get("csrf_token", ""))):
            return expired(request, principal)
        with web.reading(principal, request) as (store, _gate):
            drafts(store).delete(draft_id, principal.user_id)
        return RedirectResponse("/my-work#drafts", status_code=303)


def draft_rows(drafts: list[Draft], names: dict[str, str]) -> list[dict[str, Any]]:
    """The account's drafts for My work: child, what, when last saved, where to resume."""
    rows = []
    for draft in drafts:
        if draft.kind == CORRECTION and draft.target_event_id:
            link = f"/child/{draft.child_id}/entry/{draft.target_event_id}/correct?draft={draft.draft_id}"
            what = "Correction"
        else:
            link = f"/child/{draft.child_id}/record/{draft.kind}?draft={draft.draft_id}"
            what = EVENT_TYPES[draft.kind].title if draft.kind in EVENT_TYPES else draft.kind
        rows.append(
            {
                "draft_id": draft.draft_id,
                "child_id": draft.child_id,
                "name": names.get(draft.child_id, draft.child_id),
                "what": what,
                "saved_at": draft.updated_at.astimezone(LONDON),
                "link": link,
            }
        )
    return rows
