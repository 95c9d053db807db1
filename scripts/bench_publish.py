"""`caseledger publish` throughput beside a raw JetStream publish loop, in the same run.

    python -m scripts.bench_publish --children 1000 [--engines sqlite,postgresql]

For each engine: a synthetic authority (``caseledger synth``'s generator) in a fresh
store, then

- **raw**: the same number of messages, bodies of the relay's average size, published
  with ``publish_async`` in pages of the relay's page size, each page's acks awaited
  (the broker's limit for this client, this connection and this page size);
- **relay**: :class:`adapters.broker.relay.Relay` (what ``caseledger publish --once``
  runs): reading the log, pseudonymising, withholding free text, one message per event
  with the expected-sequence check, the position saved after each page's acks.

Each on a new stream, deleted after. Prints one JSON object (figures, machine, data size).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import nats
from nats.js.api import StorageType, StreamConfig
from sqlalchemy import create_engine, text

from adapters.broker.relay import Relay
from adapters.store import EventStore
from adapters.synthetic.synth import load

SERVERS = os.environ.get("CASELEDGER_NATS", "nats://127.0.0.1:4222")
PG = os.environ.get("CASELEDGER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


async def raw_loop(count: int, size: int, page: int) -> float:
    """Messages per second for a plain pipelined JetStream publish loop."""
    stream = f"RAW_{uuid.uuid4().hex[:8].upper()}"
    nc = await nats.connect(SERVERS)
    js = nc.jetstream()
    await js.add_stream(
        StreamConfig(name=stream, subjects=[f"{stream.lower()}.>"], storage=StorageType.FILE)
    )
    body = b"x" * size
    try:
        began = time.perf_counter()
        for start in range(0, count, page):
            futures = [
                await js.publish_async(
                    f"{stream.lower()}.a.b.c", body, headers={"Nats-Msg-Id": str(n)}
                )
                for n in range(start, min(start + page, count))
            ]
            await asyncio.gather(*futures)
        seconds = time.perf_counter() - began
    finally:
        await js.delete_stream(stream)
        await nc.close()
    return count / seconds


async def relay_run(store: EventStore, page: int) -> tuple[float, int]:
    stream = f"BENCH_{uuid.uuid4().hex[:8].upper()}"
    relay = Relay(store, servers=SERVERS, stream=stream, prefix=stream.lower(), batch=page)
    try:
        stats = await relay.run(once=True)
    finally:
        nc = await nats.connect(SERVERS)
        try:
            info = await nc.jetstream().stream_info(stream)
            size = int(info.state.bytes or 0) // max(int(info.state.messages or 1), 1)
            await nc.jetstream().delete_stream(stream)
        finally:
            await nc.close()
    return stats.per_second, size


def _pg_url() -> tuple[str, str]:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    return f"{PG}?schema={schema}", schema


def bench(engine: str, children: int, page: int, folder: Path) -> dict[str, Any]:
    url, schema = (f"sqlite:///{folder / 'bench.db'}", "") if engine == "sqlite" else _pg_url()
    store = EventStore(url)
    try:
        load(store, children, seed=7)
        events = store.max_position()
        relay, size = asyncio.run(relay_run(store, page))
        raw = asyncio.run(raw_loop(events, size, page))
    finally:
        store.close()
        if schema:
            pg = create_engine(PG.replace("postgresql://", "postgresql+psycopg://", 1))
            with pg.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            pg.dispose()
    return {
        "engine": engine,
        "children": children,
        "events": events,
        "page": page,
        "message_bytes": size,
        "publish_events_per_s": round(relay),
        "raw_jetstream_msgs_per_s": round(raw),
        "of_raw": round(relay / raw, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=1000)
    parser.add_argument("--page", type=int, default=500)
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for engine in args.engines.split(","):
            results.append(bench(engine, args.children, args.page, Path(folder)))
    machine = {
        "cpus": os.cpu_count(),
        "processor": _cpu(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "nats_server": "local, 127.0.0.1:4222, file storage",
    }
    print(json.dumps({"machine": machine, "results": results}, indent=2))


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


if __name__ == "__main__":
    main()
