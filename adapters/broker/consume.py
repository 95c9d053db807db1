"""A consumer example: the reporting tables built from the JetStream stream alone.

It reads every message of the stream in order (an ephemeral pull consumer), rebuilds
each recorded event from its body (:func:`adapters.broker.message.decode_message`) and
writes the reporting tables with the same projection ``export tables`` uses
(:func:`adapters.readmodels.reporting.reporting_rows`), so the two give the same rows:
from an identifiable subscription exactly; from an analyst's, with children's ids
pseudonymised and withheld columns empty.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import nats
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from adapters.broker.message import decode_message
from adapters.broker.relay import DEFAULT_SERVERS, DEFAULT_STREAM
from adapters.logging import get_logger
from adapters.readmodels.reporting import reporting_rows, write_reporting_tables
from domain.envelope import RecordedEvent

log = get_logger("caseledger.consume")


async def read_stream(
    servers: str = DEFAULT_SERVERS,
    stream: str = DEFAULT_STREAM,
    *,
    batch: int = 500,
    progress: Callable[[int, int], None] | None = None,
) -> list[RecordedEvent]:
    """Every event in the stream, in stream order (as many as the stream held at the start)."""
    nc = await nats.connect(servers, name="caseledger-consume")
    try:
        js = nc.jetstream()
        info = await js.stream_info(stream)
        total = int(info.state.messages or 0)
        subjects = info.config.subjects or [">"]
        config = ConsumerConfig(
            ack_policy=AckPolicy.NONE,
            deliver_policy=DeliverPolicy.ALL,
            inactive_threshold=60.0,
        )
        if len(subjects) > 1:
            config.filter_subjects = list(subjects)
        sub = await js.pull_subscribe(subjects[0], stream=stream, config=config)
        events: list[RecordedEvent] = []
        while len(events) < total:
            try:
                messages = await sub.fetch(min(batch, total - len(events)), timeout=5)
            except NatsTimeout:
                raise RuntimeError(
                    f"stream {stream}: {len(events)} of {total} messages read, then none came"
                ) from None
            events.extend(decode_message(m.data) for m in messages)
            if progress is not None:
                progress(len(events), total)
        await sub.unsubscribe()
    finally:
        await nc.close()
    return events


def consume_into(
    url: str,
    *,
    servers: str = DEFAULT_SERVERS,
    stream: str = DEFAULT_STREAM,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Rebuild the reporting tables at ``url`` from the stream; rows per table."""
    events = asyncio.run(
        read_stream(
            servers,
            stream,
            progress=(lambda n, _total: progress("reading messages", n)) if progress else None,
        )
    )
    counts = write_reporting_tables(url, reporting_rows(events), progress)
    log.info("consumed", stream=stream, messages=len(events), **counts)
    return counts
