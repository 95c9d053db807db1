"""A local account's sign-in, shared by ``POST /auth/token`` and the web app's form.

Failed attempts go through the :class:`SignInThrottle` (per account name and per client
address) and are logged with the name (cut short) and address only; a success issues a
short-lived local token (:mod:`adapters.auth.tokens`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from adapters.auth.accounts import Accounts
from adapters.auth.throttle import SignInThrottle
from adapters.auth.tokens import issue
from adapters.logging import get_logger
from policies.access import AccessPolicy


@dataclass(frozen=True)
class SignInResult:
    token: str | None = None
    """The bearer token (None: refused)."""
    lifetime: int = 0
    retry_after: int = 0
    """Seconds to wait before trying again (throttled; the password was not checked)."""


def sign_in(
    url: str,
    policy: AccessPolicy,
    throttle: SignInThrottle,
    name: str,
    password: str,
    address: str,
    *,
    now: datetime,
) -> SignInResult:
    keys = [f"account:{name}", f"address:{address}"]
    wait = throttle.wait(keys)
    if wait > 0:
        return SignInResult(retry_after=int(wait) + 1)
    account = Accounts(url, policy).check_password(name, password)
    if account is None:
        throttle.failed(keys)
        get_logger("caseledger.access").warning(
            "sign_in_failed", account=name[:64], address=address
        )
        return SignInResult()
    throttle.succeeded(keys[0])
    token, lifetime = issue(url, account.name, now=now)
    return SignInResult(token=token, lifetime=lifetime)
