"""A stand-in OpenID Connect provider on 127.0.0.1, for the web app's single sign-on tests.

It serves discovery, a JWKS, an authorize endpoint that signs in whoever ``Provider.user``
names at once (no page) and a token endpoint that checks the code, the redirect URI, the
client's secret and the PKCE verifier, then issues an ID token (audience: the web client,
with the nonce it was given) and an access token for caseledger's API audience. Synthetic
identities only.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

API_AUDIENCE = "api://caseledger-test"
CLIENT_ID = "caseledger-web-test"
CLIENT_SECRET = "not-a-real-secret"
GROUP = "grp-north-workers"


@dataclass
class Provider:
    base: str = ""
    user: str = "sw-1"
    groups: list[str] = field(default_factory=lambda: [GROUP])
    key: Any = field(default_factory=lambda: rsa.generate_private_key(65537, 2048))
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    token_requests: int = 0

    def config(self) -> dict[str, Any]:
        """The single sign-on YAML's content for this provider."""
        return {
            "issuer": self.base,
            "audience": API_AUDIENCE,
            "jwks_url": f"{self.base}/keys",
            "groups": {GROUP: {"role": "social_worker", "team": "north"}},
            "web": {
                "client_id": CLIENT_ID,
                "client_secret_env": "CASELEDGER_TEST_SSO_SECRET",
                "scope": f"openid profile {API_AUDIENCE}/user",
                "button": "Sign in with your council account",
            },
        }

    def _jwt(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "k1"})

    def tokens(self, grant: dict[str, str]) -> dict[str, Any]:
        now = datetime.now(UTC)
        common = {"iss": self.base, "sub": f"sub-{grant['user']}", "iat": now, "nbf": now}
        access = {
            **common,
            "aud": API_AUDIENCE,
            "exp": now + timedelta(minutes=10),
            "preferred_username": grant["user"],
            "groups": grant["groups"].split(","),
        }
        ident = {
            **common,
            "aud": CLIENT_ID,
            "exp": now + timedelta(minutes=10),
            "nonce": grant["nonce"],
            "preferred_username": grant["user"],
        }
        return {
            "access_token": self._jwt(access),
            "id_token": self._jwt(ident),
            "token_type": "Bearer",
            "expires_in": 600,
        }


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _json(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802
            url = urlparse(self.path)
            if url.path == "/.well-known/openid-configuration":
                self._json(
                    200,
                    {
                        "issuer": provider.base,
                        "authorization_endpoint": f"{provider.base}/authorize",
                        "token_endpoint": f"{provider.base}/token",
                        "jwks_uri": f"{provider.base}/keys",
                        "response_types_supported": ["code"],
                        "subject_types_supported": ["public"],
                        "id_token_signing_alg_values_supported": ["RS256"],
                        "code_challenge_methods_supported": ["S256"],
                    },
                )
            elif url.path == "/keys":
                jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(provider.key.public_key()))
                jwk.update({"kid": "k1", "use": "sig", "alg": "RS256"})
                self._json(200, {"keys": [jwk]})
            elif url.path == "/authorize":
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                code = secrets.token_urlsafe(16)
                provider.codes[code] = {
                    "redirect_uri": query["redirect_uri"],
                    "nonce": query.get("nonce", ""),
                    "challenge": query.get("code_challenge", ""),
                    "user": provider.user,
                    "groups": ",".join(provider.groups),
                }
                back = (
                    query["redirect_uri"] + "?" + urlencode({"code": code, "state": query["state"]})
                )
                self.send_response(302)
                self.send_header("Location", back)
                self.end_headers()
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:  # noqa: N802
            if urlparse(self.path).path != "/token":
                self._json(404, {"error": "not_found"})
                return
            provider.token_requests += 1
            length = int(self.headers.get("Content-Length", 0))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            basic = self.headers.get("Authorization", "")
            given = base64.b64decode(basic[6:]).decode() if basic.startswith("Basic ") else ""
            if given != f"{CLIENT_ID}:{CLIENT_SECRET}":
                self._json(401, {"error": "invalid_client"})
                return
            grant = provider.codes.pop(form.get("code", ""), None)
            if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
                self._json(400, {"error": "invalid_grant"})
                return
            verifier = form.get("code_verifier", "")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            if digest.rstrip(b"=").decode() != grant["challenge"]:
                self._json(400, {"error": "invalid_grant", "error_description": "PKCE"})
                return
            self._json(200, provider.tokens(grant))

        def log_message(self, *_: Any) -> None:
            return

    return Handler


@contextmanager
def running_provider() -> Iterator[Provider]:
    provider = Provider()
    server = HTTPServer(("127.0.0.1", 0), _handler(provider))
    provider.base = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
