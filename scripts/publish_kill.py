"""`caseledger publish` killed (SIGKILL) five times during a relay: the stream still holds every
event once, in log order (so in order per child).

    python -m scripts.publish_kill --db sqlite:///kill.db --children 3000 --kills 5

fills the store with a synthetic authority (``caseledger synth``) unless it holds events,
relays it to a new stream with a unique name, kills the relay each time the stream has
grown past the next of ``--kills`` evenly spaced marks, restarts it, lets the last run
finish (``--once``) and then reads the whole stream back and checks it against the log.
The test suite runs it on a few thousand events on both engines; the 100,000-event run's
result is in docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

import nats
import orjson
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

CLI = "from adapters.cli.main import app; app()"
SERVERS = os.environ.get("CASELEDGER_NATS", "nats://127.0.0.1:4222")


@dataclass
class KillReport:
    events: int = 0
    messages: int = 0
    kills: int = 0
    killed_at: list[int] = field(default_factory=list)
    """Messages in the stream when each kill was sent."""
    duplicates: int = 0
    missing: int = 0
    out_of_order_children: int = 0
    headers_wrong: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return (
            self.messages == self.events
            and self.duplicates == 0
            and self.missing == 0
            and self.out_of_order_children == 0
            and self.headers_wrong == 0
        )


async def stream_count(stream: str) -> int:
    nc = await nats.connect(SERVERS)
    try:
        js = nc.jetstream()
        try:
            return int((await js.stream_info(stream)).state.messages or 0)
        except nats.js.errors.NotFoundError:
            return 0
    finally:
        await nc.close()


async def read_all(stream: str) -> list[tuple[dict[str, str], dict[str, Any]]]:
    nc = await nats.connect(SERVERS)
    try:
        js = nc.jetstream()
        total = int((await js.stream_info(stream)).state.messages or 0)
        config = ConsumerConfig(ack_policy=AckPolicy.NONE, deliver_policy=DeliverPolicy.ALL)
        sub = await js.pull_subscribe(">", stream=stream, config=config)
        out: list[tuple[dict[str, str], dict[str, Any]]] = []
        while len(out) < total:
            for m in await sub.fetch(min(1000, total - len(out)), timeout=10):
                out.append((dict(m.headers or {}), orjson.loads(m.data)))
        await sub.unsubscribe()
        return out
    finally:
        await nc.close()


async def delete_stream(stream: str) -> None:
    nc = await nats.connect(SERVERS)
    try:
        try:
            await nc.jetstream().delete_stream(stream)
        except nats.js.errors.NotFoundError:
            pass
    finally:
        await nc.close()


def _publish(db: str, stream: str, prefix: str, batch: int, once: bool) -> subprocess.Popen[str]:
    args = [sys.executable, "-c", CLI, "publish", "--db", db, "--stream", stream]
    args += ["--subject-prefix", prefix, "--batch", str(batch), "--poll", "0.1"]
    if once:
        args.append("--once")
    env = {**os.environ, "PYTHONPATH": os.getcwd(), "CASELEDGER_NATS": SERVERS}
    return subprocess.Popen(
        args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True, env=env
    )


def log_order(db: str) -> list[tuple[str, str, int, int]]:
    """(event id, child id, stream position, global position) of every event, in log order."""
    from adapters.store import EventStore

    store = EventStore(db)
    try:
        return [
            (e.event_id, e.child_id, e.position, e.global_position or 0) for e in store.iter_all()
        ]
    finally:
        store.close()


def run(db: str, *, kills: int = 5, batch: int = 100, stream: str | None = None) -> KillReport:
    """Relay the store at ``db`` to a new stream, killing the relay ``kills`` times."""
    began = time.perf_counter()
    stream = stream or f"KILL_{uuid.uuid4().hex[:10].upper()}"
    prefix = f"kill{uuid.uuid4().hex[:8]}"
    log = log_order(db)
    report = KillReport(events=len(log))
    marks = [len(log) * (k + 1) // (kills + 2) for k in range(kills)]
    try:
        for mark in marks:
            proc = _publish(db, stream, prefix, batch, once=True)
            while proc.poll() is None:
                count = asyncio.run(stream_count(stream))
                if count >= mark:
                    proc.send_signal(signal.SIGKILL)
                    proc.wait()
                    report.kills += 1
                    report.killed_at.append(count)
                    break
                time.sleep(0.01)
        proc = _publish(db, stream, prefix, batch, once=True)
        if proc.wait(timeout=600) != 0:
            raise RuntimeError(f"the last publish run exited {proc.returncode}")
        messages = asyncio.run(read_all(stream))
    finally:
        asyncio.run(delete_stream(stream))
    report.messages = len(messages)
    ids = [h.get("Nats-Msg-Id", "") for h, _ in messages]
    report.duplicates = len(ids) - len(set(ids))
    report.missing = len({e[0] for e in log} - set(ids))
    by_child: dict[str, list[int]] = defaultdict(list)
    expected = {e[0]: e for e in log}
    for headers, _body in messages:
        event = expected.get(headers.get("Nats-Msg-Id", ""))
        if event is None or headers.get("Caseledger-Position") != str(event[3]):
            report.headers_wrong += 1
            continue
        by_child[event[1]].append(event[2])
    report.out_of_order_children = sum(1 for p in by_child.values() if p != sorted(p))
    if [h.get("Nats-Msg-Id") for h, _ in messages] != [e[0] for e in log]:
        report.out_of_order_children = max(report.out_of_order_children, 1)
    report.seconds = round(time.perf_counter() - began, 1)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--children", type=int, default=3000)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    from adapters.store import EventStore

    store = EventStore(args.db)
    empty = store.max_position() == 0
    store.close()
    if empty:
        subprocess.run(
            [sys.executable, "-c", CLI, "synth", "--db", args.db, "--children", str(args.children)],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
    report = run(args.db, kills=args.kills, batch=args.batch)
    print(json.dumps({**asdict(report), "ok": report.ok}, indent=2))
    sys.exit(0 if report.ok else 1)


if __name__ == "__main__":
    main()
