"""``caseledger serve`` in a child process, for benchmarks and end-to-end tests.

A free port, the server started as the CLI starts it, ``/health`` waited for, and the server
stopped afterwards however the caller's block ends (a benchmark's figures, a failed assert).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-c", "from adapters.cli.main import app; app()"]


@dataclass(frozen=True)
class Server:
    base: str  # http://127.0.0.1:PORT
    process: subprocess.Popen[Any]

    @property
    def pid(self) -> int:
        return self.process.pid


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(
    url: str,
    *,
    workers: int = 1,
    log_level: str = "ERROR",
    stderr: int | IO[Any] | None = subprocess.DEVNULL,
    wait_seconds: float = 30.0,
) -> Iterator[Server]:
    """``caseledger serve --db URL`` on a free port, answering ``/health`` (else RuntimeError
    naming the wait and the exit code); SIGTERM when the block ends, SIGKILL if it lingers."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CASELEDGER_LOG_LEVEL": log_level}
    command = [*CLI, "serve", "--db", url, "--port", str(port)]
    if workers > 1:
        command += ["--workers", str(workers)]
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr, text=True
    )
    server = Server(f"http://127.0.0.1:{port}", process)
    try:
        _wait_for_health(server, wait_seconds)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_health(server: Server, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"caseledger serve exited with code {server.process.returncode} before "
                "answering /health"
            )
        try:
            if httpx.get(f"{server.base}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"caseledger serve did not answer /health within {seconds:.0f} s")
