"""The practitioners' web app: server-rendered pages on the same gate, projections and readers
as the JSON API (no rule lives here).

    /                      -> the account's home (HOMES, else the caseload), or sign in
    /sign-in, /sign-out    local accounts (form POSTs with a CSRF token)
    /caseload              the children the account may see (mine first, then the rest)
    /child/{id}         header, deadlines and the timeline, with "as known at"
    /child/{id}/chronology[/download?format=pdf|docx|csv]

and, each from its own module: /my-work (:mod:`.my_work`), /team (:mod:`.dashboard`),
/find and /find/duplicates (:mod:`.find_child`),
/child/{id}/family (:mod:`.family`), /child/{id}/status (:mod:`.status_page`),
/child/{id}/replay and /review-report (:mod:`.replay_page`).

A child the account may not see is a 404, as in the API; every read goes through
:meth:`Gate.read`, which writes the access log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.security import HTTPAuthorizationCredentials
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from adapters.auth.guard import AccessRefused, Gate
from adapters.auth.oidc import OidcConfig
from adapters.auth.sign_in import sign_in
from adapters.auth.throttle import SignInThrottle
from adapters.auth.tokens import signing_key
from adapters.chronology_document import child_chronology, chronology_document
from adapters.http_errors import Problem
from adapters.packs import load_packs, packs_key
from adapters.record_destruction import disposal_of
from adapters.schedule import child_schedule, known_by
from adapters.store import EventStore
from adapters.views import history_entry, history_notes
from adapters.web import (
    dashboard,
    family,
    find_child,
    my_work,
    new_child,
    record_pages,
    replay_page,
    session,
    status_page,
)
from adapters.web.chronology_filters import chronology_dates
from adapters.web.kit import Web, status_of
from adapters.web.sso import WebSignOn, install_sso
from domain.access import Action, Principal, StoreAction
from domain.errors import InvalidEvent
from domain.events.base import LONDON
from domain.events.corrections import EntryRecordedInError
from domain.ordering import in_occurred_order
from domain.parsing import parse_moment
from policies.access import AccessPolicy
from policies.sources import cite
from projections.caseload import caseload
from projections.chronology import IMPACT_NOT_RECORDED

HERE = Path(__file__).parent

HOMES = {"social_worker": "/my-work", "team_manager": "/team"}
"""Each role's first page after sign-in (else the caseload)."""


def home_of(principal: Principal) -> str:
    return HOMES.get(principal.role, "/caseload")


DOWNLOADS = ("pdf", "docx", "csv")
TIMELINE_PAGE = 200
"""Timeline entries the child's page shows unless asked for all (``?all=true``): the newest.
A 5,000-entry timeline was 2 MB of HTML that nobody reads from the top."""

Gated = Callable[[Principal, Request], AbstractContextManager[tuple[EventStore, Gate]]]


class _SignInNeeded(Exception):
    pass


class _Refused(Exception):
    def __init__(self, principal: Principal, status: int, message: str) -> None:
        super().__init__(message)
        self.principal = principal
        self.status = status


def install_web(
    api: FastAPI,
    *,
    store_url: str,
    policy: AccessPolicy,
    throttle: SignInThrottle,
    now: Callable[[], datetime],
    authenticate: Callable[[HTTPAuthorizationCredentials | None], Principal],
    gated: Gated,
    sso: OidcConfig | None = None,
) -> None:
    templates = Jinja2Templates(directory=HERE / "templates")
    # a pack cites its seed by file name; people read the document's name (policies.sources)
    templates.env.filters["cited"] = lambda citation: cite(citation).text if citation else ""
    api.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    sign_on = WebSignOn.from_config(sso, sso.web) if sso is not None else None

    @api.exception_handler(_SignInNeeded)
    async def _to_sign_in(_: Request, __: _SignInNeeded) -> Response:
        response = RedirectResponse("/sign-in", status_code=303)
        session.end(response)
        return response

    def principal_of(request: Request) -> Principal:
        token = session.session_token(request)
        if not token:
            raise _SignInNeeded()
        try:
            return authenticate(HTTPAuthorizationCredentials(scheme="Bearer", credentials=token))
        except HTTPException:
            raise _SignInNeeded() from None

    def page(
        request: Request, template: str, principal: Principal | None, status: int = 200, **data: Any
    ) -> HTMLResponse:
        token = session.session_token(request) if principal is not None else None
        context = {"principal": principal, **data}
        if token:
            context["csrf_token"] = session.csrf_for(store_url, token)
        response = templates.TemplateResponse(request, template, context, status_code=status)
        response.headers["Cache-Control"] = "no-store"
        return response

    def not_found(request: Request, principal: Principal, message: str) -> HTMLResponse:
        return page(request, "not_found.html", principal, status=404, message=message)

    @api.exception_handler(_Refused)
    async def _refused_page(request: Request, error: _Refused) -> Response:
        if error.status == 404:
            return not_found(request, error.principal, str(error))
        return page(request, "refused.html", error.principal, status=403, message=str(error))

    @contextmanager
    def reading(principal: Principal, request: Request) -> Iterator[tuple[EventStore, Gate]]:
        """The API's gated store, with its refusals answered as pages."""
        try:
            with gated(principal, request) as opened:
                yield opened
        except Problem as problem:
            if problem.status == 404:
                raise _Refused(principal, 404, "No record for that child.") from None
            raise
        except AccessRefused as error:
            raise _Refused(principal, 403, str(error)) from None

    @api.get("/", include_in_schema=False)
    def home(request: Request) -> Response:
        try:
            principal_of(request)
        except _SignInNeeded:
            return RedirectResponse("/sign-in", status_code=303)
        return RedirectResponse(home_of(principal_of(request)), status_code=303)

    @api.get("/sign-in", include_in_schema=False)
    def sign_in_form(request: Request) -> Response:
        response = HTMLResponse("")
        secret = session.presession(request, response)
        shown = templates.TemplateResponse(
            request,
            "sign_in.html",
            {
                "principal": None,
                "csrf_token": session.csrf_for(store_url, secret),
                "error": None,
                "sso_button": sign_on.button if sign_on else None,
            },
        )
        for key, value in response.headers.items():
            if key == "set-cookie":
                shown.headers.append(key, value)
        shown.headers["Cache-Control"] = "no-store"
        return shown

    @api.post("/sign-in", include_in_schema=False)
    def sign_in_post(
        request: Request,
        username: str = Form(""),
        password: str = Form(""),
        csrf_token: str = Form(""),
    ) -> Response:
        secret = request.cookies.get(session.PRESESSION_COOKIE)
        if not session.csrf_ok(store_url, secret, csrf_token):
            return _refused_form(request)
        address = request.client.host if request.client else "unknown"
        result = sign_in(store_url, policy, throttle, username, password, address, now=now())
        if result.token is None:
            assert secret is not None
            error = (
                f"Too many failed sign-ins. Wait {result.retry_after} seconds and try again."
                if result.retry_after
                else "The account name or password is wrong."
            )
            status = 429 if result.retry_after else 401
            return templates.TemplateResponse(
                request,
                "sign_in.html",
                {
                    "principal": None,
                    "csrf_token": session.csrf_for(store_url, secret),
                    "error": error,
                    "username": username,
                    "sso_button": sign_on.button if sign_on else None,
                },
                status_code=status,
            )
        response = RedirectResponse("/", status_code=303)
        session.start(response, result.token, result.lifetime)
        return response

    def _refused_form(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(
            request,
            "refused.html",
            {"principal": None, "message": "The form had expired or did not come from this site."},
            status_code=403,
        )

    @api.post("/sign-out", include_in_schema=False)
    def sign_out(request: Request, csrf_token: str = Form("")) -> Response:
        if not session.csrf_ok(store_url, session.session_token(request), csrf_token):
            return _refused_form(request)
        response = RedirectResponse("/sign-in", status_code=303)
        session.end(response)
        return response

    @api.get("/caseload", include_in_schema=False)
    def caseload_page(request: Request) -> Response:
        principal = principal_of(request)
        with reading(principal, request) as (store, gate):
            gate.require_store(StoreAction.CASELOAD)
            facts = gate.visible(Action.SUMMARY)
            seen = None if gate.sees_everything(Action.SUMMARY) else set(facts)
            events = store.iter_all()
            rows = caseload(events if seen is None else (e for e in events if e.child_id in seen))
        mine = [
            r
            for r in rows
            if r.child_id in facts and principal.user_id in facts[r.child_id].workers
        ]
        others = [r for r in rows if r not in mine]
        return page(request, "caseload.html", principal, mine=mine, others=others, facts=facts)

    def _known_at(value: str | None) -> tuple[datetime | None, str | None]:
        if not value:
            return None, None
        try:
            return parse_moment(value, "as_known_at"), None
        except InvalidEvent as error:
            return None, str(error)

    @api.get("/child/{child_id}", include_in_schema=False)
    def child_page(
        request: Request,
        child_id: str,
        as_known_at: str | None = None,
        recorded: str | None = None,
        all: bool = False,
    ) -> Response:
        principal = principal_of(request)
        known, error = _known_at(as_known_at)
        moment = known or datetime.now(LONDON)
        with reading(principal, request) as (store, gate):
            facts = gate.read(child_id, Action.READ, "child page")
            stream = gate.stream(child_id)  # read once for the check, the page and the status
            status = status_of(store, child_id, stream, moment, known)
            schedule = child_schedule(
                store,
                child_id,
                load_packs(),
                moment,
                as_known_at=known,
                stream=stream,
                packs_key=packs_key(),
            )
            if known is None:  # the record as it stands: folded once per stream version
                items = list(
                    store.derived(
                        child_id, stream, "occurred", lambda: tuple(in_occurred_order(stream))
                    )
                )
                rows = store.derived(child_id, stream, "caseload", lambda: caseload(items))
                notes = store.derived(child_id, stream, "notes", lambda: history_notes(items))
            else:
                items = known_by(stream, known)
                rows = caseload(items)
                notes = history_notes(items)
            may_record = record_pages.may_record(gate, child_id, facts)
            disposal = disposal_of(store, child_id) if not may_record else None
        withdrawn = {
            i.event.target_event_id for i in stream if isinstance(i.event, EntryRecordedInError)
        }
        recorded_entry = next((i for i in stream if recorded and i.event_id == recorded), None)
        shown = items if all else items[-TIMELINE_PAGE:]
        if recorded_entry is not None and not any(i.event_id == recorded for i in shown):
            shown = items  # "it is in the timeline below", wherever it falls
        return page(
            request,
            "child.html",
            principal,
            child_id=child_id,
            name=rows[0].name if rows else child_id,
            facts=facts,
            current=status.current,
            deadlines=schedule.as_json(),
            timeline=[(history_entry(i), notes.get(i.event_id, [])) for i in shown],
            timeline_total=len(items),
            show_all=all,
            as_known_at=as_known_at or "",
            known_error=error,
            known=known,
            may_record=may_record,
            withdrawn=withdrawn,
            recorded_entry=recorded_entry,
            disposal=disposal,
            disposed_on=disposal.destroyed_at.astimezone(LONDON) if disposal else None,
        )

    @api.get("/child/{child_id}/chronology", include_in_schema=False)
    def chronology_page(
        request: Request,
        child_id: str,
        all: bool = False,
        as_known_at: str | None = None,
        family: bool = False,
    ) -> Response:
        principal = principal_of(request)
        known, error = _known_at(as_known_at)
        dates, date_errors = chronology_dates(request)
        with reading(principal, request) as (store, gate):
            _, result = child_chronology(
                store,
                gate,
                child_id,
                as_known_at=known,
                significant_only=not all,
                family=family,
                date_from=dates.get("from"),
                date_to=dates.get("to"),
            )
        return page(
            request,
            "chronology.html",
            principal,
            child_id=child_id,
            chronology=result,
            impact_not_recorded=IMPACT_NOT_RECORDED,
            all=all,
            family=family,
            values=dict(request.query_params),
            date_errors=date_errors,
            downloads=DOWNLOADS,
            as_known_at=as_known_at or "",
            known_error=error,
        )

    @api.get("/child/{child_id}/chronology/download", include_in_schema=False)
    def chronology_download(
        request: Request, child_id: str, format: str, all: bool = False
    ) -> Response:
        principal = principal_of(request)
        if format not in DOWNLOADS:
            return not_found(request, principal, "No such download.")
        with reading(principal, request) as (store, gate):
            data, media = chronology_document(
                store,
                gate,
                child_id,
                format=format,
                as_known_at=None,
                significant_only=not all,
                today=now().date(),
            )
        filename = f"chronology-{child_id}-{date.today().isoformat()}.{format}"
        return Response(
            data,
            media_type=media,
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "no-store",
            },
        )

    def form_ok(request: Request, given: str) -> bool:
        return session.csrf_ok(store_url, session.session_token(request), given)

    if sign_on is not None:

        def sso_failed(request: Request, message: str, status: int) -> Response:
            response = HTMLResponse("")
            secret = session.presession(request, response)
            shown = templates.TemplateResponse(
                request,
                "sign_in.html",
                {
                    "principal": None,
                    "csrf_token": session.csrf_for(store_url, secret),
                    "error": message,
                    "sso_button": sign_on.button,
                },
                status_code=status,
            )
            for key, value in response.headers.items():
                if key == "set-cookie":
                    shown.headers.append(key, value)
            shown.headers["Cache-Control"] = "no-store"
            return shown

        install_sso(
            api,
            sign_on=sign_on,
            secret_key=signing_key(store_url),
            authenticate=authenticate,
            start_session=session.start,
            failed=sso_failed,
        )

    web = Web(
        principal_of=principal_of,
        reading=reading,
        page=page,
        not_found=not_found,
        now=now,
        policy=policy,
        form_ok=form_ok,
    )
    my_work.install(api, web)
    dashboard.install(api, web)
    family.install(api, web)
    status_page.install(api, web)
    replay_page.install(api, web)
    record_pages.install(api, web)
    find_child.install(api, web)
    new_child.install(api, web)
