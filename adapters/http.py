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

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Annotated, Any

import structlog
from fastapi import Body, Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, OAuth2PasswordRequestForm

from adapters.auth.accounts import Accounts
from adapters.auth.guard import AccessRefused, Gate
from adapters.auth.oidc import OidcConfig, OidcError
from adapters.auth.problems import install_problem_handlers, problem
from adapters.auth.throttle import SignInThrottle
from adapters.auth.tokens import TokenError, is_local, issue, verify
from adapters.db import resolve_url
from adapters.feed import read_feed
from adapters.feed_pseudonymised import pseudonymise_item
from adapters.packs import load_packs
from adapters.readmodels.chronology import ChronologyStore
from adapters.schedule import child_schedule
from adapters.store import EventStore
from adapters.views import history_entry
from domain.access import Action, Principal, StoreAction
from domain.errors import ConcurrencyConflict, IdempotencyConflict, InvalidEvent, UnknownChild
from domain.events.base import LONDON
from domain.parsing import parse_event
from policies.access import load_policy
from policies.authorship import attribute
from projections.caseload import caseload
from projections.chronology import ChronologyQuery
from projections.legal_status import legal_status

PURPOSE_HEADER = "X-Caseledger-Purpose"


def _moment(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime(day.year, day.month, day.day, 23, 59, 59, 999999, tzinfo=LONDON)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise HTTPException(422, f"{name} {value!r}: expected an ISO date or datetime") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=LONDON)


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
    slow_down = throttle or SignInThrottle()
    now = clock or (lambda: datetime.now(UTC))
    policy = load_policy()
    api = FastAPI(title="caseledger", version="0.1.0", description=__doc__)
    install_problem_handlers(api)
    bearer = HTTPBearer(auto_error=False)

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
        store = EventStore(store_url)
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
            raise HTTPException(404, str(error)) from None
        finally:
            store.close()

    @api.get("/health")
    def health() -> dict[str, Any]:
        store = EventStore(store_url)
        try:
            return {"ok": True, "position": store.max_position()}
        finally:
            store.close()

    @api.post("/auth/token")
    def token(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Response:
        """A short-lived bearer token for a local account (OAuth2 password grant)."""
        address = request.client.host if request.client else "unknown"
        keys = [f"account:{form.username}", f"address:{address}"]
        wait = slow_down.wait(keys)
        if wait > 0:
            return problem(
                429,
                "too many failed sign-ins: wait and try again",
                headers={"Retry-After": str(int(wait) + 1)},
            )
        account = Accounts(store_url, policy).check_password(form.username, form.password)
        if account is None:
            slow_down.failed(keys)
            _log_failed_sign_in(form.username, address)
            return problem(401, "wrong name or password", headers={"WWW-Authenticate": "Bearer"})
        slow_down.succeeded(keys[0])
        value, lifetime = issue(store_url, account.name, now=now())
        return JSONResponse(
            {"access_token": value, "token_type": "bearer", "expires_in": lifetime},
            headers={"Cache-Control": "no-store"},
        )

    @api.get("/auth/me")
    def me(principal: Who) -> dict[str, Any]:
        return {"user_id": principal.user_id, "role": principal.role, "team": principal.team}

    @api.post("/events", status_code=201)
    def record(
        principal: Who, request: Request, events: list[dict[str, Any]] = Body(...)
    ) -> list[dict[str, Any]]:
        try:
            attributed = attribute(policy, principal, events)
        except InvalidEvent as error:
            raise HTTPException(422, str(error)) from None
        parsed = []
        for index, data in enumerate(attributed):
            try:
                parsed.append(parse_event(data))
            except InvalidEvent as error:
                raise HTTPException(422, str(error.at(index))) from None
        with gated(principal, request) as (store, gate):
            gate.check_write(parsed)
            try:
                return [history_entry(item) for item in store.record(parsed)]
            except InvalidEvent as error:
                raise HTTPException(422, str(error)) from None
            except (ConcurrencyConflict, IdempotencyConflict) as error:
                raise HTTPException(409, str(error)) from None

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
        from adapters.exporters.chronology import FORMATS, export

        if format is not None and format not in FORMATS:
            raise HTTPException(422, f"format {format!r}: choose one of {', '.join(FORMATS)}")
        with gated(principal, request) as (store, gate):
            if format is None:
                gate.read(child_id, Action.READ, "chronology")
            else:
                gate.read(child_id, Action.EXPORT_CHRONOLOGY, f"chronology export {format}")
            chronologies = ChronologyStore(store)
            chronologies.catch_up()
            if not chronologies.is_child(child_id):
                raise HTTPException(404, f"no record for child {child_id!r}")
            result = chronologies.chronology(
                ChronologyQuery(
                    children=(child_id,),
                    as_known_at=_moment(as_known_at, "as_known_at"),
                    significant_only=significant_only,
                )
            )
            assert result.position is not None
            data, _ = export(
                result,
                format or "json",
                store_time=chronologies.position_time(result.position),
                prepared_on=None if format in (None, "json", "csv") else now().date(),
            )
        media = {
            "json": "application/json",
            "csv": "text/csv",
            "html": "text/html",
            "pdf": "application/pdf",
            "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        }[format or "json"]
        return Response(content=data, media_type=media)

    @api.get("/children/{child_id}/deadlines")
    def deadlines(
        child_id: str,
        principal: Who,
        request: Request,
        at: str | None = None,
        as_known_at: str | None = None,
        pack: str | None = None,
    ) -> list[dict[str, Any]]:
        """The child's deadlines at ``at`` (default: ``as_known_at``, else now), judged from
        what had been recorded by ``as_known_at`` (default: everything), as the CLI's
        ``deadlines --json``."""
        known = _moment(as_known_at, "as_known_at")
        moment = _moment(at, "at") or known or datetime.now(LONDON)
        packs = load_packs()
        if pack is not None and pack not in packs.versions:
            raise HTTPException(
                422, f"pack {pack!r}: no such pack; known: {', '.join(packs.ids())}"
            )
        with gated(principal, request) as (store, gate):
            gate.read(child_id, Action.READ, "deadlines")
            found = child_schedule(store, child_id, packs, moment, as_known_at=known, pack=pack)
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
    ) -> list[dict[str, Any]]:
        """The event feed; a performance analyst's has ids pseudonymised and no free text."""
        with gated(principal, request) as (store, gate):
            if gate.may_store(StoreAction.FEED):
                items = list(read_feed(store, after=after, limit=limit))
                what = "feed"
            else:
                gate.require_store(StoreAction.FEED_PSEUDONYMISED)
                items = list(read_feed(store, after=after, limit=limit))
                what = "feed (pseudonymised)"
            gate.log_reads(sorted({i["child_id"] for i in items}), Action.READ, what)
            if what == "feed":
                return items
            return [pseudonymise_item(store, item) for item in items]

    return api


def _log_failed_sign_in(name: str, address: str) -> None:
    structlog.get_logger("caseledger.access").warning(
        "sign_in_failed", account=name[:64], address=address
    )


app = create_app()
