"""Single sign-on in the web app: the OpenID Connect authorization-code flow, through Authlib.

The API already accepts the provider's access tokens for caseledger's audience
(:mod:`adapters.auth.oidc`). The web app gets one for the person at the browser:

    GET /sign-in/sso            -> the provider's sign-in (state, nonce and PKCE, by Authlib)
    GET /sign-in/sso/callback   <- the code, exchanged for tokens; the ID token is checked
                                   (signature from the provider's JWKS, issuer, audience =
                                   the web client, nonce) and the access token is mapped to a
                                   role by the same groups as the API

The session cookie then holds that access token, so every page authenticates exactly as an
API call with it would, and the session ends when the token does. The flow's state lives in
a signed, short-lived cookie of its own (Starlette's SessionMiddleware, SameSite=Lax so the
provider's redirect back carries it), never in the page.

Configuration: the ``web`` section of the single sign-on YAML (``$CASELEDGER_OIDC_CONFIG``)::

    web:
      client_id: 5f0c...-web-app-registration
      client_secret_env: CASELEDGER_OIDC_CLIENT_SECRET   # the secret itself never in a file
      scope: openid profile api://caseledger/user.access # the API scope: an access token for it
      button: Sign in with your council account
      # metadata_url defaults to <issuer>/.well-known/openid-configuration
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.security import HTTPAuthorizationCredentials

from adapters.auth.oidc import OidcConfig
from adapters.logging import get_logger
from domain.access import Principal

log = get_logger(__name__)

FLOW_COOKIE = "caseledger_sso_flow"
FLOW_SECONDS = 600
"""How long a person has at the provider's sign-in page before the flow must start again."""


@dataclass(frozen=True)
class WebSignOn:
    client_id: str
    client_secret: str | None
    scope: str
    metadata_url: str
    button: str = "Sign in with single sign-on"

    @classmethod
    def from_config(cls, config: OidcConfig, data: dict[str, Any] | None) -> WebSignOn | None:
        if not data:
            return None
        client_id = data.get("client_id")
        if not client_id:
            raise ValueError("single sign-on configuration: web.client_id is required")
        secret_env = data.get("client_secret_env")
        secret = os.environ.get(str(secret_env)) if secret_env else None
        if secret_env and not secret:
            raise ValueError(
                f"single sign-on configuration: web.client_secret_env names ${secret_env}, "
                "which is not set"
            )
        scope = str(data.get("scope") or "openid profile")
        if "openid" not in scope.split():
            raise ValueError("single sign-on configuration: web.scope must include openid")
        metadata = data.get("metadata_url") or (
            config.issuer.rstrip("/") + "/.well-known/openid-configuration"
        )
        return cls(
            client_id=str(client_id),
            client_secret=secret,
            scope=scope,
            metadata_url=str(metadata),
            button=str(data.get("button") or cls.button),
        )


def install_sso(
    api: FastAPI,
    *,
    sign_on: WebSignOn,
    secret_key: bytes,
    authenticate: Callable[[HTTPAuthorizationCredentials | None], Principal],
    start_session: Callable[[Response, str, int], None],
    failed: Callable[[Request, str, int], Response],
) -> None:
    """Add the two routes and the flow's cookie; ``failed(request, message, status)`` answers
    a refused sign-in as the sign-in page does."""
    from authlib.integrations.starlette_client import OAuth, OAuthError
    from starlette.middleware.sessions import SessionMiddleware

    api.add_middleware(
        SessionMiddleware,
        secret_key=secret_key.hex(),
        session_cookie=FLOW_COOKIE,
        max_age=FLOW_SECONDS,
        same_site="lax",  # the provider's redirect back is a cross-site top-level GET
        https_only=True,
    )
    oauth = OAuth()
    client_kwargs: dict[str, Any] = {"scope": sign_on.scope, "code_challenge_method": "S256"}
    oauth.register(
        name="sso",
        client_id=sign_on.client_id,
        client_secret=sign_on.client_secret,
        server_metadata_url=sign_on.metadata_url,
        client_kwargs=client_kwargs,
    )
    provider = oauth.create_client("sso")

    @api.get("/sign-in/sso", include_in_schema=False)
    async def sso_start(request: Request) -> Response:
        callback = str(request.url_for("sso_callback"))
        try:
            redirect: Response = await provider.authorize_redirect(request, callback)
        except Exception as error:  # the provider's metadata cannot be read
            log.warning("sso_provider_unreachable", error=type(error).__name__)
            return failed(request, "Single sign-on is not reachable just now.", 503)
        return redirect

    @api.get("/sign-in/sso/callback", include_in_schema=False, name="sso_callback")
    async def sso_callback(request: Request) -> Response:
        try:
            token = await provider.authorize_access_token(request)
        except OAuthError as error:
            log.warning("sso_refused", error=error.error)
            return failed(request, "Single sign-on did not complete; try again.", 401)
        except Exception as error:  # the token endpoint or JWKS cannot be read
            log.warning("sso_provider_unreachable", error=type(error).__name__)
            return failed(request, "Single sign-on is not reachable just now.", 503)
        access = token.get("access_token")
        if not isinstance(access, str) or not token.get("userinfo"):
            return failed(request, "Single sign-on gave no usable sign-in.", 401)
        try:
            principal: Principal = authenticate(
                HTTPAuthorizationCredentials(scheme="Bearer", credentials=access)
            )
        except HTTPException as refused:
            forbidden = refused.status_code == 403
            message = (
                "Your account has no caseledger role: ask your manager to add you to a group."
                if forbidden
                else "Single sign-on's token is not valid for caseledger."
            )
            log.warning("sso_token_refused", status=refused.status_code)
            return failed(request, message, refused.status_code)
        lifetime = int(token.get("expires_in") or 3600)
        log.info("sso_signed_in", user_id=principal.user_id, role=principal.role)
        # a same-site page continues: the session cookie is SameSite=Strict, which a redirect
        # chain the provider started would not carry on its first request
        response = HTMLResponse(
            '<!doctype html><html lang="en-GB"><head><meta charset="utf-8">'
            '<meta http-equiv="refresh" content="0;url=/"><title>Signed in – caseledger</title>'
            '</head><body><main><p>Signed in. <a href="/">Continue</a></p></main></body></html>'
        )
        response.headers["Cache-Control"] = "no-store"
        start_session(response, access, lifetime)
        return response
