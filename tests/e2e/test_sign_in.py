"""Sign-in: single sign-on JWTs against a JWKS served by a local test server, local tokens,
and failed sign-ins slowed down.

The JWKS server listens on 127.0.0.1 only and serves one key set; the tokens are made here.
Refused: expired, wrong audience, wrong issuer, bad signature, ``alg: none``, an HMAC token
keyed with the provider's public key, not yet valid. Accepted: a good token, whose groups
map to a role and team by the configuration.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from adapters.auth.accounts import Accounts
from adapters.auth.oidc import OidcConfig
from adapters.auth.throttle import SignInThrottle
from adapters.auth.tokens import LIFETIME
from adapters.http import create_app
from tests.access_world import OTHER, OWN, build
from tests.accounts import PASSWORD, sign_in

ISSUER = "https://login.example.test/tenant-1/v2.0"
AUDIENCE = "api://caseledger-test"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwks() -> bytes:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))
    jwk.update({"kid": "k1", "use": "sig", "alg": "RS256"})
    return json.dumps({"keys": [jwk]}).encode()


class _Jwks(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        body = _jwks()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        return


@pytest.fixture(scope="module")
def jwks_url() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Jwks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/keys"
    server.shutdown()
    server.server_close()


def _claims(**changes: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "00000000-aaaa",
        "preferred_username": "tm-1",
        "groups": ["grp-north-managers"],
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(minutes=10),
    }
    claims.update(changes)
    return claims


def _token(key: Any = KEY, **changes: Any) -> str:
    return jwt.encode(_claims(**changes), key, algorithm="RS256", headers={"kid": "k1"})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(alg: str, secret: bytes | None = None) -> str:
    header = _b64(json.dumps({"alg": alg, "typ": "JWT", "kid": "k1"}).encode())
    claims = _claims()
    for name in ("iat", "nbf", "exp"):
        claims[name] = int(claims[name].timestamp())
    body = _b64(json.dumps(claims).encode())
    signing = f"{header}.{body}".encode()
    signature = "" if secret is None else _b64(hmac.new(secret, signing, hashlib.sha256).digest())
    return f"{header}.{body}.{signature}"


@pytest.fixture
def world(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'sso.db'}"
    build(url)
    return url


@pytest.fixture
def client(world: str, jwks_url: str) -> TestClient:
    config = OidcConfig.from_data(
        {
            "issuer": ISSUER,
            "audience": AUDIENCE,
            "jwks_url": jwks_url,
            "groups": {
                "grp-north-managers": {"role": "team_manager", "team": "north"},
                "grp-lawyers": {"role": "lawyer"},
            },
        }
    )
    return TestClient(create_app(world, oidc=config))


def _get(client: TestClient, token: str, path: str = "/auth/me") -> Any:
    return client.get(path, headers={"Authorization": f"Bearer {token}"})


def test_a_good_token_maps_its_groups_to_a_role_and_team(client: TestClient) -> None:
    me = _get(client, _token())
    assert me.status_code == 200
    assert me.json() == {"user_id": "tm-1", "role": "team_manager", "team": "north"}
    assert _get(client, _token(), f"/children/{OWN}/history").status_code == 200
    assert _get(client, _token(), f"/children/{OTHER}/history").status_code == 404
    lawyer = _token(preferred_username="law-9", groups=["grp-other", "grp-lawyers"])
    assert _get(client, lawyer).json()["role"] == "lawyer"


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (lambda: _token(exp=datetime.now(UTC) - timedelta(minutes=5)), "expired"),
        (lambda: _token(aud="api://someone-else"), "another audience"),
        (lambda: _token(iss="https://evil.example.test/v2.0"), "another issuer"),
        (lambda: _token(key=OTHER_KEY), "not valid"),
        (lambda: _token(nbf=datetime.now(UTC) + timedelta(minutes=10)), "not valid yet"),
        (lambda: _unsigned("none"), "algorithm 'none' is not accepted"),
        (
            lambda: _unsigned(
                "HS256",
                KEY.public_key().public_bytes(
                    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
                ),
            ),
            "algorithm 'HS256' is not accepted",
        ),
    ],
    ids=["expired", "wrong-aud", "wrong-iss", "bad-signature", "nbf", "alg-none", "hmac-pubkey"],
)
def test_bad_tokens_are_refused_with_401(client: TestClient, token: Any, reason: str) -> None:
    response = _get(client, token(), f"/children/{OWN}/history")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"] == "Bearer"
    assert reason in response.json()["detail"]


def test_a_token_whose_groups_map_to_no_role_is_403(client: TestClient) -> None:
    response = _get(client, _token(groups=["grp-canteen"]))
    assert response.status_code == 403
    assert response.json()["detail"] == "none of your groups has a caseledger role"


def test_no_credentials_is_401_and_health_is_open(client: TestClient) -> None:
    assert client.get(f"/children/{OWN}/history").status_code == 401
    assert client.get("/children").status_code == 401
    assert client.post("/events", json=[]).status_code == 401
    assert client.get("/health").status_code == 200


def test_local_tokens_expire_and_a_disabled_account_is_refused_at_once(world: str) -> None:
    moment = [datetime.now(UTC)]
    client = TestClient(create_app(world, clock=lambda: moment[0]))
    token = sign_in(client, "sw-1")
    assert _get(client, token).json()["user_id"] == "sw-1"
    assert _get(client, token[:-4] + "AAAA").status_code == 401  # tampered signature
    Accounts(world).set_disabled("sw-1")
    assert _get(client, token).status_code == 401
    Accounts(world).set_disabled("sw-1", False)
    old = TestClient(create_app(world, clock=lambda: moment[0] - LIFETIME - timedelta(minutes=1)))
    stale = sign_in(old, "sw-1")
    refused = _get(client, stale)
    assert refused.status_code == 401 and "expired" in refused.json()["detail"]


def test_failed_sign_ins_are_slowed_per_account_and_address(world: str) -> None:
    now = [1000.0]
    client = TestClient(create_app(world, throttle=SignInThrottle(clock=lambda: now[0])))
    form = {"username": "tm-1", "password": "not the password at all"}
    assert [client.post("/auth/token", data=form).status_code for _ in range(3)] == [401] * 3
    good = {"username": "tm-1", "password": PASSWORD}
    slowed = client.post("/auth/token", data=good)
    assert slowed.status_code == 429 and slowed.headers["retry-after"] == "3"
    # the address is slowed too: another account from the same client waits as well
    assert client.post("/auth/token", data={**good, "username": "sw-1"}).status_code == 429
    now[0] += 3
    assert client.post("/auth/token", data=good).status_code == 200
    # a wrong name costs the same answer as a wrong password: no oracle for names
    now[0] += 100
    nobody = client.post("/auth/token", data={"username": "nobody", "password": "x" * 12})
    assert nobody.status_code == 401 and nobody.json()["detail"] == "wrong name or password"
