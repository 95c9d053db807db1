"""The request body limit, enforced while the body is read (a small ASGI middleware).

A declared ``Content-Length`` over the limit is answered 413 before any of the body is
read; a body sent without one (chunked) is counted as it arrives and refused the moment it
passes the limit, so no request makes the server hold more than the limit. Both answers
are problem details (:mod:`adapters.http_errors`).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.http_errors import Problem, problem_response


def too_large(limit: int) -> Problem:
    return Problem(
        413,
        f"the request body is larger than {limit:,} bytes (the limit); "
        "send fewer events per request",
        headers={"Connection": "close"},
    )


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes (413), reading no further than the limit."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            problem = too_large(self.limit)
            response = problem_response(problem.status, problem.detail, headers=problem.headers)
            await response(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise too_large(self.limit)  # answered by the Problem handler
            return message

        await self.app(scope, counted, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
