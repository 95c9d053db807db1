"""Short-lived bearer tokens for local accounts (HS256 JWTs, PyJWT).

The signing key is derived from the store's checkpoint key (:mod:`adapters.keys`): every
process serving the same store accepts the same tokens, and the database does not hold the
key. A token names the account only; its role and team are read from the account on every
request, so disabling an account or changing its role takes effect at once.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import jwt

from adapters.db import parse_database
from adapters.keys import load_key, sign

LOCAL_ISSUER = "caseledger-local"
AUDIENCE = "caseledger"
LIFETIME = timedelta(minutes=15)


class TokenError(ValueError):
    """A token that is not valid: the message says why, without echoing it."""


def signing_key(url: str) -> bytes:
    key = load_key(parse_database(url), create=True)
    assert key is not None
    return hashlib.sha256(sign(key, b"caseledger bearer tokens v1").encode()).digest()


def issue(url: str, user_id: str, *, now: datetime | None = None) -> tuple[str, int]:
    """A token for ``user_id`` and its lifetime in seconds."""
    moment = now or datetime.now(UTC)
    claims = {
        "iss": LOCAL_ISSUER,
        "aud": AUDIENCE,
        "sub": user_id,
        "iat": moment,
        "nbf": moment,
        "exp": moment + LIFETIME,
        "jti": uuid.uuid4().hex,
    }
    token = jwt.encode(claims, signing_key(url), algorithm="HS256")
    return token, int(LIFETIME.total_seconds())


def is_local(token: str) -> bool:
    """Whether the token claims to be ours (its signature is checked by :func:`verify`)."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return False
    return claims.get("iss") == LOCAL_ISSUER


def verify(url: str, token: str) -> str:
    """The account name a valid local token was issued to, or TokenError."""
    try:
        claims = jwt.decode(
            token,
            signing_key(url),
            algorithms=["HS256"],
            audience=AUDIENCE,
            issuer=LOCAL_ISSUER,
            options={"require": ["exp", "nbf", "iat", "sub", "iss", "aud"]},
        )
    except jwt.ExpiredSignatureError:
        raise TokenError("the token has expired; sign in again") from None
    except jwt.PyJWTError as error:
        raise TokenError(f"the token is not valid ({type(error).__name__})") from None
    return str(claims["sub"])
