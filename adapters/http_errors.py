"""HTTP errors as RFC 9457 problem details (``application/problem+json``).

Every error the API gives has the same shape: ``type``, ``title``, ``status``, ``detail``
and, for invalid input, ``errors`` (each a field and a rule). No error echoes the request
body or a value given (names, dates of birth, UPNs are personal data), and none names the
store's location. Raise :class:`Problem` from an endpoint, or let :func:`install` turn
FastAPI's and Starlette's own errors into problems.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from adapters.logging import get_logger

PROBLEM_JSON = "application/problem+json"
log = get_logger(__name__)


class Problem(Exception):
    """An error answered as problem details; ``extra`` members are added as they are."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.headers = headers
        self.status = status
        self.detail = detail
        self.title = title or HTTPStatus(status).phrase
        self.extra = extra


def problem_body(
    status: int, detail: str, *, title: str | None = None, **extra: Any
) -> dict[str, Any]:
    """The problem details object for a status (``type`` is about:blank: the status says it)."""
    return {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **extra,
    }


def problem_response(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    return JSONResponse(
        problem_body(status, detail, title=title, **extra),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("query", "path", "body", "header", "cookie"):
        parts = parts[1:] or parts
    return ".".join(parts)


def install(api: FastAPI) -> None:
    """Answer every error of ``api`` as problem details."""

    @api.exception_handler(Problem)
    async def _problem(request: Request, error: Problem) -> JSONResponse:
        return problem_response(
            error.status, error.detail, title=error.title, headers=error.headers, **error.extra
        )

    @api.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        detail = (
            error.detail if isinstance(error.detail, str) else HTTPStatus(error.status_code).phrase
        )
        headers = dict(error.headers) if error.headers else None
        return problem_response(error.status_code, detail, headers=headers)

    @api.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        # FastAPI's own answer echoes each input value: this one names field and rule only
        errors = [
            {"field": _location(item.get("loc", ())), "rule": str(item.get("msg", "is invalid"))}
            for item in error.errors()
        ]
        first = errors[0] if errors else {"field": "request", "rule": "is invalid"}
        return problem_response(422, f"field '{first['field']}': {first['rule']}", errors=errors)

    @api.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        log.error("http_unexpected_error", error=type(error).__name__, path=request.url.path)
        return problem_response(500, "the server could not answer; the error is logged")
