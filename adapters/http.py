"""The HTTP layer (FastAPI): the same record, feed, chronology, deadlines and status as the CLI.

    uvicorn adapters.http:app            # store from $CASELEDGER_DB
    caseledger serve [--db URL] [--port 8000]

Every route but ``/health`` and ``POST /auth/token`` needs a bearer token: a local account's
(``POST /auth/token`` with the OAuth2 password form) or, with single sign-on configured
(``$CASELEDGER_OIDC_CONFIG``), the identity provider's. 401 for no or bad credentials, 403
for something you may not do, 404 for a child you may not see (the same answer as for a
child who does not exist); errors are RFC 9457 problem+json. Every read of a child's record
is written to the access log.

Endpoints return the same JSON shapes as the CLI's ``--json`` output. Writing is
``POST /events`` (all or nothing, like ``caseledger record``); who recorded each event is
the signed-in account, and a body that sets ``recorded_by`` is refused (422). An invalid
event is a 422 naming the event, the field and the rule; a concurrent writer's conflict is
a 409.
"""

import os
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Body, Depends, FastAPI, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, OAuth2PasswordRequestForm

from adapters.access_policy import load_policy
from adapters.auth.accounts import Accounts
from adapters.auth.guard import AccessRefused, Gate
from adapters.auth.oidc import OidcConfig, OidcError
from adapters.auth.problems import install_problem_handlers, problem
from adapters.auth.shared_throttle import SharedThrottle
from adapters.auth.sign_in import sign_in
from adapters.auth.throttle import SignInThrottle
from adapters.auth.tokens import TokenError, is_local, verify
from adapters.chronology_document import chronology_document
from adapters.db import resolve_url
from adapters.feed import read_feed
from adapters.feed_pseudonymised import pseudonymise_item
from adapters.http_errors import Problem
from adapters.http_limits import BodyLimit
from adapters.identifiers import shared_upn_warnings
from adapters.recording import attributed_events
from adapters.schedule import child_schedule
from adapters.schedule_json import deadlines_body, served_packs
from adapters.store import EventStore
from adapters.store_pool import DEFAULT_SIZE, StoreBusy, StorePool
from adapters.stream_cache import serve_stream_cache
from adapters.views import history_entry
from domain import limits
from domain.access import Action, Principal, StoreAction
from domain.errors import ConcurrencyConflict, IdempotencyConflict, InvalidEvent, UnknownChild
from domain.events import CaseEvent
from domain.events.base import LONDON
from domain.parsing import decode_json, parse_moment
from projections.caseload import caseload
from projections.legal_status import legal_status

PURPOSE_HEADER = "X-Caseledger-Purpose"


def _moment(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_moment(value, name)
    except InvalidEvent as error:
        raise Problem(422, str(error), errors=[{"field": name, "rule": error.rule}]) from None


def _invalid(error: InvalidEvent) -> Problem:
    """A refused event as a 422 naming the event, the field and the rule (never the value)."""
    item: dict[str, Any] = {"field": error.field or "event", "rule": error.rule}
    if error.index is not None:
        item["event"] = error.index
    return Problem(422, str(error), errors=[item])


def _events(raw: bytes, attributed: Callable[[list[Any]], list[CaseEvent]]) -> list[CaseEvent]:
    """The request's events, attributed to the signed-in account, strictly parsed and bounded
    (InvalidEvent otherwise)."""
    data = decode_json(raw, what="body")
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise InvalidEvent("expected a JSON list of events (or one event object)", field="body")
    if len(data) > limits.MAX_BATCH_EVENTS:
        raise InvalidEvent(
            f"more than {limits.MAX_BATCH_EVENTS:,} events in one request", field="body"
        )
    parsed = attributed(data)
    if not parsed:
        raise InvalidEvent("no events to record", field="body")
    return parsed


def _unauthorised(detail: str) -> HTTPException:
    return HTTPException(401, detail, headers={"WWW-Authenticate": "Bearer"})


def create_app(
    url: str | None = None,
    *,
    oidc: OidcConfig | None = None,
    throttle: SignInThrottle | None = None,
    clock: Callable[[], datetime] | None = None,
) -> FastAPI:
    """An app bound to one store URL (default: $CASELEDGER_DB or the default SQLite file)."""
    store_url = resolve_url(url)
    sso = oidc if oidc is not None else OidcConfig.from_environment()
    slow_down = throttle or SharedThrottle(store_url)  # one count for every worker process
    now = clock or (lambda: datetime.now(UTC))
    policy = load_policy()
    stores = StorePool(
        store_url,
        int(os.environ.get("CASELEDGER_SERVE_STORES", DEFAULT_SIZE)),
        streams=serve_stream_cache(),
    )
    # /health has a store of its own: it answers while every pooled store is lent out
    health_store = StorePool(store_url, 1)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        stores.close()
        health_store.close()

    api = FastAPI(
        lifespan=lifespan,
        title="caseledger",
        version="0.1.0",
        description=__doc__,
        docs_url=None,  # served from local assets by adapters.web.docs
        redoc_url=None,  # ReDoc would load from a CDN
    )
    install_problem_handlers(api)
    api.add_middleware(BodyLimit, limit=limits.MAX_BODY_BYTES)  # 413 while reading
    bearer = HTTPBearer(auto_error=False)

    @api.exception_handler(StoreBusy)
    async def _busy(_: Request, error: StoreBusy) -> Response:
        return problem(503, f"the server is busy: {error}", headers={"Retry-After": "1"})

    @api.exception_handler(AccessRefused)
    async def _refused(_: Request, error: AccessRefused) -> Response:
        return problem(403, str(error))

    def authenticate(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Principal:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise _unauthorised("sign in: send Authorization: Bearer <token>")
        token = credentials.credentials
        if is_local(token):
            try:
                name = verify(store_url, token)
            except TokenError as error:
                raise _unauthorised(str(error)) from None
            account = Accounts(store_url, policy).get(name)
            if account is None or account.disabled:
                raise _unauthorised("the account is disabled or gone; sign in again")
            return account.principal()
        if sso is None:
            raise _unauthorised("the token is not valid here")
        try:
            return sso.principal(token)
        except OidcError as error:
            if error.forbidden:
                raise HTTPException(403, str(error)) from None
            raise _unauthorised(str(error)) from None

    api.state.authenticate = authenticate  # tests may stand in for sign-in (tests/accounts.py)
    Who = Annotated[Principal, Depends(authenticate)]

    @contextmanager
    def gated(principal: Principal, request: Request) -> Iterator[tuple[EventStore, Gate]]:
        with stores.borrow() as store:
            try:
                gate = Gate(
                    store,
                    principal,
                    channel="http",
                    address=request.client.host if request.client else None,
                    purpose=request.headers.get(PURPOSE_HEADER),
                    policy=policy,
                    clock=now,
                )
                yield store, gate
            except UnknownChild as error:
                raise Problem(404, str(error)) from None

    @api.get("/health")
    async def health() -> dict[str, Any]:
        # on the event loop, not the threadpool: under load a threadpool route waits for a
        # worker thread and then for the GIL with every busy request; one indexed MAX on a
        # store of its own is short enough to run in place
        with health_store.borrow() as store:
            return {"ok": True, "position": store.max_position()}

    @api.post("/auth/token")
    def token(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Response:
        """A short-lived bearer token for a local account (OAuth2 password grant)."""
        address = request.client.host if request.client else "unknown"
        result = sign_in(
            store_url, policy, slow_down, form.username, form.password, address, now=now()
        )
        if result.retry_after:
            return problem(
                429,
                "too many failed sign-ins: wait and try again",
                headers={"Retry-After": str(result.retry_after)},
            )
        if result.token is None:
            return problem(401, "wrong name or password", headers={"WWW-Authenticate": "Bearer"})
        return JSONResponse(
            {"access_token": result.token, "token_type": "bearer", "expires_in": result.lifetime},
            headers={"Cache-Control": "no-store"},
        )

    @api.get("/auth/me")
    def me(principal: Who) -> dict[str, Any]:
        return {"user_id": principal.user_id, "role": principal.role, "team": principal.team}

    @api.post(
        "/events",
        status_code=201,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"type": "array"}}},
                "description": "Events as `caseledger record` takes them (see `caseledger "
                f"events`); at most {limits.MAX_BODY_BYTES:,} bytes. Who recorded them is "
                "the signed-in account: a body that sets recorded_by is refused.",
            }
        },
    )
    async def record(principal: Who, request: Request) -> list[dict[str, Any]]:
        raw = await request.body()  # bounded by the body limit as it is read
        return await run_in_threadpool(_record, raw, principal, request)

    def _record(raw: bytes, principal: Principal, request: Request) -> list[dict[str, Any]]:
        try:
            parsed = _events(raw, lambda data: attributed_events(policy, principal, data))
        except InvalidEvent as error:
            raise _invalid(error) from None
        with gated(principal, request) as (store, gate):
            gate.check_write(parsed)
            warnings = shared_upn_warnings(store, parsed)
            try:
                recorded = store.record(parsed)
            except InvalidEvent as error:
                raise _invalid(error) from None
            except IdempotencyConflict as error:
                raise Problem(409, str(error), title="Idempotency key conflict") from None
            except ConcurrencyConflict as error:
                raise Problem(
                    409, str(error), title="Concurrent write", headers={"Retry-After": "1"}
                ) from None
        entries = [history_entry(item) for item in recorded]
        for index, warning in warnings.items():  # accepted, with a warning beside the entry
            entries[index] = {**entries[index], "warnings": [warning]}
        return entries

    @api.get("/children")
    def children(principal: Who, request: Request) -> list[dict[str, Any]]:
        with gated(principal, request) as (store, gate):
            gate.require_store(StoreAction.CASELOAD)
            seen = gate.visible_ids(Action.SUMMARY)
            events = store.iter_all()
            rows = caseload(events if seen is None else (e for e in events if e.child_id in seen))
            return [row.model_dump(mode="json") for row in rows]

    @api.get("/children/{child_id}/history")
    def history(
        child_id: str, principal: Who, request: Request, as_known_at: str | None = None
    ) -> list[dict[str, Any]]:
        moment = _moment(as_known_at, "as_known_at")
        with gated(principal, request) as (store, gate):
            gate.read(child_id, Action.READ, "history")
            return [history_entry(e) for e in store.history(child_id, as_known_at=moment)]

    @api.get("/children/{child_id}/chronology")
    def chronology(
        child_id: str,
        principal: Who,
        request: Request,
        as_known_at: str | None = None,
        significant_only: bool = True,
        format: str | None = None,
    ) -> Response:
        """The chronology as JSON (a view); with ``format`` (json, csv, html, pdf, docx) an
        export, which needs the right to export chronologies."""
        from adapters.exporters.chronology import FORMATS

        if format is not None and format not in FORMATS:
            raise Problem(
                422,
                f"field 'format': choose one of {', '.join(FORMATS)}",
                errors=[{"field": "format", "rule": "is not a known format"}],
            )
        with gated(principal, request) as (store, gate):
            data, media = chronology_document(
                store,
                gate,
                child_id,
                format=format,
                as_known_at=_moment(as_known_at, "as_known_at"),
                significant_only=significant_only,
                today=now().date(),
            )
        return Response(content=data, media_type=media)

    @api.get("/children/{child_id}/deadlines", response_model=list[dict[str, Any]])
    def deadlines(
        child_id: str,
        principal: Who,
        request: Request,
        at: str | None = None,
        as_known_at: str | None = None,
        pack: str | None = None,
    ) -> Any:
        """The child's deadlines at ``at`` (default: ``as_known_at``, else now), judged from
        what had been recorded by ``as_known_at`` (default: everything), as the CLI's
        ``deadlines --json``."""
        known = _moment(as_known_at, "as_known_at")
        moment = _moment(at, "at") or known or datetime.now(LONDON)
        packs, key = served_packs()
        if pack is not None and pack not in packs.versions:
            raise Problem(
                422,
                f"field 'pack': no such pack; known: {', '.join(packs.ids())}",
                errors=[{"field": "pack", "rule": "is not a known pack"}],
            )
        with gated(principal, request) as (store, gate):
            gate.read(child_id, Action.READ, "deadlines")
            if known is None and pack is None:  # the record as it stands: memoised
                body = deadlines_body(
                    store,
                    child_id,
                    packs,
                    moment,
                    stream=gate.stream(child_id),
                    packs_key=key,
                )
                return Response(content=body, media_type="application/json")
            found = child_schedule(
                store,
                child_id,
                packs,
                moment,
                as_known_at=known,
                pack=pack,
                stream=gate.stream(child_id) if known is None else None,
            )
        return found.as_json()

    @api.get("/children/{child_id}/status")
    def status(
        child_id: str, principal: Who, request: Request, at: str | None = None
    ) -> dict[str, Any]:
        moment = _moment(at, "at") or datetime.now(LONDON)
        with gated(principal, request) as (store, gate):
            gate.read(child_id, Action.READ, "status")
            events = store.stream(child_id)
        return legal_status(events, at=moment).model_dump(mode="json")

    @api.get("/children/{child_id}/access-log")
    def access_log(
        child_id: str,
        principal: Who,
        request: Request,
        since: Annotated[str | None, Query(alias="from")] = None,
        until: Annotated[str | None, Query(alias="to")] = None,
    ) -> list[dict[str, Any]]:
        """Who has looked at this record (team managers and the data protection officer)."""
        start, end = _moment(since, "from"), _moment(until, "to")
        with gated(principal, request) as (_, gate):
            gate.require(child_id, Action.ACCESS_LOG)
            rows = gate.access_log.rows(child_id, since=start, until=end)
        return [row.as_json() for row in rows]

    @api.post("/children/{child_id}/break-glass", status_code=201)
    def break_glass(
        child_id: str,
        principal: Who,
        request: Request,
        reason: Annotated[str, Body(embed=True, min_length=10, max_length=2000)],
    ) -> dict[str, Any]:
        """Open a restricted record with a written reason: allowed for a while, logged, and
        an alert event on the record its manager sees."""
        with gated(principal, request) as (_, gate):
            grant = gate.break_glass(child_id, reason)
        return {
            "child_id": child_id,
            "until": grant.ends_at.isoformat() if grant.ends_at else None,
        }

    @api.get("/feed")
    def feed(
        principal: Who,
        request: Request,
        after: int = Query(0, ge=0),
        limit: int = Query(100, ge=1, le=5000),
        after_purge: int | None = Query(None, ge=0),
    ) -> list[dict[str, Any]]:
        """The event feed; a performance analyst's has ids pseudonymised and no free text.

        With the events, purges (destroyed records: kind ``purge``, ids only) numbered
        after ``after_purge``, each right after the event it follows.
        """
        with gated(principal, request) as (store, gate):
            if gate.may_store(StoreAction.FEED):
                items = list(read_feed(store, after=after, limit=limit, after_purge=after_purge))
                what = "feed"
            else:
                gate.require_store(StoreAction.FEED_PSEUDONYMISED)
                items = list(read_feed(store, after=after, limit=limit, after_purge=after_purge))
                what = "feed (pseudonymised)"
            gate.log_reads(sorted({i["child_id"] for i in items}), Action.READ, what)
            if what == "feed":
                return items
            return [pseudonymise_item(store, item) for item in items]

    from adapters.web.app import install_web
    from adapters.web.docs import install_docs

    install_docs(api)
    install_web(
        api,
        store_url=store_url,
        policy=policy,
        throttle=slow_down,
        now=now,
        authenticate=authenticate,
        gated=gated,
        sso=sso,
    )
    return api


app = create_app()
