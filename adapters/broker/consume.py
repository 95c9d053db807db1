"""A consumer example: the reporting tables built from the JetStream stream alone.

It reads every message of the stream in order (an ephemeral pull consumer), rebuilds
each recorded event from its body (:func:`adapters.broker.message.decode_message`) and
writes the reporting tables with the same projection ``export tables`` uses
(:func:`adapters.readmodels.reporting.reporting_rows`), so the two give the same rows:
from an identifiable subscription exactly; from an analyst's, with children's ids
pseudonymised and withheld columns empty.

A purge message (a record destroyed at the source, :mod:`adapters.purges`) deletes every
row of that child from every table built: the child's events read before it are dropped
from the fold, so the tables equal ``export tables`` of the store after the destruction,
less the destroyed child's rows. (Events of that child published after the purge, if the
record ever had any, are new and are kept.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import nats
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from adapters.broker.message import PurgeNotice, decode_any
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
) -> list[RecordedEvent | PurgeNotice]:
    """Every event and purge in the stream, in stream order (as many as it held at the start)."""
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
        events: list[RecordedEvent | PurgeNotice] = []
        while len(events) < total:
            try:
                messages = await sub.fetch(min(batch, total - len(events)), timeout=5)
            except NatsTimeout:
                raise RuntimeError(
                    f"stream {stream}: {len(events)} of {total} messages read, then none came"
                ) from None
            events.extend(decode_any(m.data) for m in messages)
            if progress is not None:
                progress(len(events), total)
        await sub.unsubscribe()
    finally:
        await nc.close()
    return events


def apply_purges(items: list[RecordedEvent | PurgeNotice]) -> tuple[list[RecordedEvent], int]:
    """The events left once each purge has erased its child's events before it; purges seen."""
    kept: list[RecordedEvent] = []
    seen = 0
    for item in items:
        if isinstance(item, PurgeNotice):
            seen += 1
            kept = [e for e in kept if e.child_id != item.child_id]
            log.info("purged", certificate=item.certificate, subjects=len(item.subjects))
        else:
            kept.append(item)
    return kept, seen


def consume_into(
    url: str,
    *,
    servers: str = DEFAULT_SERVERS,
    stream: str = DEFAULT_STREAM,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Rebuild the reporting tables at ``url`` from the stream; rows per table."""
    messages = asyncio.run(
        read_stream(
            servers,
            stream,
            progress=(lambda n, _total: progress("reading messages", n)) if progress else None,
        )
    )
    events, purged = apply_purges(messages)
    counts = write_reporting_tables(url, reporting_rows(events), progress)
    log.info("consumed", stream=stream, messages=len(messages), purges=purged, **counts)
    return counts
