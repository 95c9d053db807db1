"""Password hashes: argon2id (argon2-cffi's defaults, RFC 9106's second recommended setting)."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()
MIN_LENGTH = 12


@cache
def _dummy() -> str:
    """Checked against when an account does not exist, so a wrong name costs what a wrong
    password does (no timing oracle for which names exist). Hashed on first use, not at
    import: an argon2id hash costs as much as a CLI's start-up."""
    return _HASHER.hash("caseledger-no-such-account")


def hash_password(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise ValueError(f"password: at least {MIN_LENGTH} characters")
    return _HASHER.hash(password)


def password_matches(stored: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored or _dummy(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False
