"""The web app's session: a short-lived local token in a cookie, and its CSRF token.

The cookie (``Secure``, ``HttpOnly``, ``SameSite=Strict``) holds the bearer token the API
issues (:mod:`adapters.auth.tokens`), so a session ends when the token does. Every form
carries a CSRF token in a hidden field: an HMAC of the session's token (or, before sign-in,
of a random pre-session cookie) under the store's token key, checked on every POST.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request, Response

from adapters.auth.tokens import signing_key

SESSION_COOKIE = "caseledger_session"
PRESESSION_COOKIE = "caseledger_presession"
CSRF_FIELD = "csrf_token"


def _cookie(response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name, value, max_age=max_age, secure=True, httponly=True, samesite="strict", path="/"
    )


def csrf_for(url: str, secret: str) -> str:
    mac = hmac.new(signing_key(url), b"csrf:" + secret.encode(), hashlib.sha256)
    return mac.hexdigest()


def csrf_ok(url: str, secret: str | None, given: str | None) -> bool:
    if not secret or not given:
        return False
    return hmac.compare_digest(csrf_for(url, secret), given)


def session_token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE)


def presession(request: Request, response: Response) -> str:
    """The pre-session secret of a visitor not signed in (set when missing)."""
    value = request.cookies.get(PRESESSION_COOKIE)
    if not value:
        value = secrets.token_urlsafe(32)
        _cookie(response, PRESESSION_COOKIE, value, 3600)
    return value


def start(response: Response, token: str, lifetime: int) -> None:
    _cookie(response, SESSION_COOKIE, token, lifetime)
    response.delete_cookie(PRESESSION_COOKIE, path="/")


def end(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True, samesite="strict")
