"""Errors as RFC 9457 problem details, for the access layer.

One implementation serves the whole API: :mod:`adapters.http_errors`. This module keeps the
short names the sign-in code uses (``problem`` for a response, ``install_problem_handlers``).
"""

from __future__ import annotations

from fastapi.responses import JSONResponse

from adapters.http_errors import PROBLEM_JSON as PROBLEM
from adapters.http_errors import install as install_problem_handlers
from adapters.http_errors import problem_response

__all__ = ["PROBLEM", "install_problem_handlers", "problem"]


def problem(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return problem_response(status, detail, headers=headers)
