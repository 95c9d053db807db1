"""The local NATS JetStream server for the broker tests, and a unique stream per test.

A test module takes the ``jetstream`` fixture by importing ``jetstream_fixture``.

Without a reachable server the tests are skipped locally; with ``CI=true`` that is a
failure (``make pytest`` starts one first: scripts/ci/ensure_nats.sh).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import nats
import orjson
import pytest
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

SERVERS = os.environ.get("CASELEDGER_NATS", "nats://127.0.0.1:4222")


async def _probe() -> None:
    nc = await nats.connect(SERVERS, connect_timeout=2, max_reconnect_attempts=0)
    try:
        await nc.jetstream().account_info()
    finally:
        await nc.close()


def _problem() -> str | None:
    try:
        asyncio.run(_probe())
        return None
    except Exception as error:  # noqa: BLE001
        return f"{type(error).__name__}: {error}"


_NATS_PROBLEM: str | None | bool = False


def require_nats() -> None:
    global _NATS_PROBLEM
    if _NATS_PROBLEM is False:
        _NATS_PROBLEM = _problem()
    if _NATS_PROBLEM is None:
        return
    message = f"NATS JetStream at {SERVERS} is not reachable ({_NATS_PROBLEM})"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " — with CI=true a missing NATS server is a failure")
    pytest.skip(message)


@dataclass(frozen=True)
class Subscription:
    servers: str
    stream: str
    prefix: str


@dataclass(frozen=True)
class Received:
    subject: str
    headers: dict[str, str]
    body: dict[str, Any]
    raw: bytes


async def _read(stream: str) -> list[Received]:
    nc = await nats.connect(SERVERS)
    try:
        js = nc.jetstream()
        total = int((await js.stream_info(stream)).state.messages or 0)
        config = ConsumerConfig(ack_policy=AckPolicy.NONE, deliver_policy=DeliverPolicy.ALL)
        sub = await js.pull_subscribe(">", stream=stream, config=config)
        out: list[Received] = []
        while len(out) < total:
            for m in await sub.fetch(min(500, total - len(out)), timeout=5):
                out.append(Received(m.subject, dict(m.headers or {}), orjson.loads(m.data), m.data))
        await sub.unsubscribe()
        return out
    finally:
        await nc.close()


def read_stream(stream: str) -> list[Received]:
    return asyncio.run(_read(stream))


async def _delete(stream: str) -> None:
    nc = await nats.connect(SERVERS)
    try:
        try:
            await nc.jetstream().delete_stream(stream)
        except nats.js.errors.NotFoundError:
            pass
    finally:
        await nc.close()


@pytest.fixture(name="jetstream")
def jetstream_fixture() -> Iterator[Subscription]:
    """A stream name and subject prefix no other test uses; the stream is deleted after."""
    require_nats()
    tag = uuid.uuid4().hex[:10]
    sub = Subscription(SERVERS, f"T_{tag.upper()}", f"t{tag}")
    yield sub
    asyncio.run(_delete(sub.stream))
