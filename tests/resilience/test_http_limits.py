"""The HTTP request body limit holds while the body is read, and errors leak nothing.

A body over ``MAX_BODY_BYTES`` is refused with 413 problem details: at once when its
Content-Length says so, and part-way when it is streamed without one (a 300 MB body is
never read whole: the client is stopped long before it has sent it).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from domain import limits
from tests.accounts import operator_app
from tests.resilience.snapshot import snapshot


@pytest.fixture
def served(sqlite_url: str) -> Iterator[str]:
    """``serve`` on a free loopback port, in this process; stopped afterwards."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(operator_app(sqlite_url), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_a_declared_oversize_body_is_refused_before_it_is_read(sqlite_url: str) -> None:
    client = TestClient(operator_app(sqlite_url))
    body = b"[" + b" " * limits.MAX_BODY_BYTES + b"]"
    response = client.post("/events", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert f"larger than {limits.MAX_BODY_BYTES:,} bytes" in response.json()["detail"]


def test_a_streamed_300_mb_body_is_stopped_at_the_limit(served: str, sqlite_url: str) -> None:
    sent = 0
    chunk = b" " * (1024 * 1024)

    def body() -> Iterator[bytes]:
        nonlocal sent
        yield b"["
        for _ in range(300):
            sent += len(chunk)
            yield chunk
        yield b"]"

    status = None
    try:
        response = httpx.post(
            f"{served}/events",
            content=body(),
            headers={"Content-Type": "application/json"},
            timeout=30,
        )
        status = response.status_code
    except httpx.TransportError:
        pass  # the server answered 413 and closed while the client was still sending
    assert status in (413, None)
    # the server stopped reading at the limit: the client could not send the rest
    assert sent < 300 * len(chunk)
    assert sent <= limits.MAX_BODY_BYTES + 16 * len(chunk)  # the limit plus socket buffers
    assert httpx.get(f"{served}/health").json()["position"] == 0  # still serving, nothing written
    assert snapshot(sqlite_url)["stored_events"][0] == 0


def test_fastapi_validation_errors_are_problem_details_without_the_input(
    sqlite_url: str,
) -> None:
    client = TestClient(operator_app(sqlite_url))
    response = client.get("/feed", params={"after": "Robin-Testchild-2019-03-14"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "Robin" not in response.text
    assert response.json()["errors"][0]["field"] == "after"


def test_a_bad_moment_is_refused_naming_the_option_not_an_overflow(sqlite_url: str) -> None:
    client = TestClient(operator_app(sqlite_url), raise_server_exceptions=False)
    for value in ("9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+05:00", "yesterday"):
        response = client.get("/children/C-1/deadlines", params={"at": value})
        assert response.status_code == 422, (value, response.text)
        assert response.json()["errors"][0]["field"] == "at"
        assert value not in response.text
