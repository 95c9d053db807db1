"""What a page module needs from the web app: who is signed in, the gated store, and the
page renderer; handed to each module's ``install`` by :func:`adapters.web.app.install_web`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime

from fastapi import Request
from fastapi.responses import HTMLResponse

from adapters.auth.guard import Gate
from adapters.store import EventStore
from domain.access import Principal
from policies.access import AccessPolicy


@dataclass(frozen=True)
class Web:
    principal_of: Callable[[Request], Principal]
    """The signed-in account (else the visitor is sent to sign in)."""
    reading: Callable[[Principal, Request], AbstractContextManager[tuple[EventStore, Gate]]]
    """The API's gated store; a child the account may not see is answered as a 404 page."""
    page: Callable[..., HTMLResponse]
    """``page(request, template, principal, status=200, **data)``."""
    not_found: Callable[[Request, Principal, str], HTMLResponse]
    now: Callable[[], datetime]
    policy: AccessPolicy
    """The access policy (who may record what, whose authorship is kept)."""
    form_ok: Callable[[Request, str], bool]
    """Whether a POSTed form's CSRF token is the signed-in session's."""

    def name_of(self, gate: Gate, child_id: str) -> str:
        """The child's name, read through the gate (its stream is cached per request)."""
        from adapters.web.work_rows import name_of

        return name_of(gate.stream(child_id), child_id)
