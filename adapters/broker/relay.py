"""The relay: the store's notification log onto a NATS JetStream stream, each event once.

Each page of the log is published as one message per event, pipelined on one
connection, every message carrying ``Nats-Expected-Last-Sequence``: the server appends
it only if the stream's last message is the one this relay published just before. So
the stream is always a prefix of the log, in log order (per child and overall), with no
gap and no repeat whatever fails: a message the server refuses makes every later one in
the page refused too, and the relay carries on from the last one stored.

The published position is saved in the store (:mod:`adapters.broker.positions`) only
after the server acknowledged every message up to it. After a crash (``kill -9``) the
stream may hold a few messages past the saved position; at start the relay reads the
stream's last message (its ``Caseledger-Position`` header) and goes on after it. The
message id is the event id as well, so JetStream's de-duplication drops a repeat from
any other path within its window.

Destroyed records' purges (:mod:`adapters.purges`) go into the same stream in feed
order, each right after the event its certificate follows, under the same expected-
sequence check, with the certificate's id as the message id. Their own sequence (the
certificate number) is saved beside the event position in the same transaction, and
every message carries both (``Caseledger-Position``, ``Caseledger-Purge``), so the
stream's last message says where each stands after a crash: no purge is lost or repeated.

One relay writes to one stream (the expected-sequence check refuses a second writer).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import nats
from eventsourcing.utils import get_topic
from nats.js import JetStreamContext
from nats.js.api import Header, StorageType, StreamConfig
from nats.js.errors import NotFoundError

from adapters.broker import positions
from adapters.broker.message import (
    POSITION,
    PURGES,
    Content,
    build_message,
    build_purge_message,
)
from adapters.broker.pseudonym import Pseudonymiser
from adapters.logging import get_logger
from adapters.purges import Purge, due, merge, purges
from adapters.store import EventStore
from domain.envelope import RecordedEvent
from domain.events.management import AuthorityRecorded

log = get_logger("caseledger.publish")

DEFAULT_SERVERS = "nats://127.0.0.1:4222"
DEFAULT_STREAM = "CASELEDGER"
DEFAULT_PREFIX = "caseledger"
DUPLICATE_WINDOW = 600.0
"""Seconds JetStream remembers message ids (its default is 120)."""
ACK_TIMEOUT = 30.0
"""Seconds to wait for a page's acknowledgements before reading the stream's tail again."""
KINDS_KEPT = 500_000
"""Event kinds remembered for corrections (beyond it, the target is read from its stream)."""
MAX_RETRIES = 5
"""Pages in a row refused without progress before the relay gives up (a non-zero exit)."""

Progress = Callable[[int, int, int], None]
"""Called with (position published, last position in the store, messages this run)."""


class RelayError(RuntimeError):
    """The broker refused messages repeatedly; the saved position is where to go on from."""


@dataclass
class RelayStats:
    published: int = 0
    position: int = 0
    sequence: int = 0
    purge: int = 0
    purges: int = 0
    seconds: float = 0.0
    retries: int = 0
    pages: int = field(default=0)

    @property
    def per_second(self) -> float:
        return self.published / self.seconds if self.seconds else 0.0


def check_subject_token(value: str, option: str) -> str:
    """A subject prefix: dot-separated tokens of letters, digits, '-' and '_'."""
    tokens = value.split(".")
    if not value or any(not t or not all(c.isalnum() or c in "-_" for c in t) for t in tokens):
        raise ValueError(
            f"{option} {value!r}: dot-separated words of letters, digits, '-' and '_' "
            "(no spaces, '*' or '>')"
        )
    return value


class Relay:
    def __init__(
        self,
        store: EventStore,
        *,
        servers: str = DEFAULT_SERVERS,
        stream: str = DEFAULT_STREAM,
        prefix: str = DEFAULT_PREFIX,
        content: Content = "analyst",
        batch: int = 500,
        default_la: str = "none",
    ) -> None:
        self.store = store
        self.servers = servers
        self.stream = check_subject_token(stream, "--stream")
        if "." in stream:
            raise ValueError(f"--stream {stream!r}: a stream name has no '.'")
        self.prefix = check_subject_token(prefix, "--subject-prefix")
        self.content: Content = content
        self.batch = batch
        self.default_la = default_la
        self.name = f"{stream}:{prefix}"
        self.pseudonym: Any = Pseudonymiser.for_store(store.db) if content == "analyst" else str
        self._la: dict[str, list[tuple[int, str]]] = {}
        self._kinds: dict[str, str] = {}
        """Kinds of the events relayed this run, by event id (what a correction corrects)."""
        positions.create_tables(store.url)

    # -- the child's authority and a correction's target, from the store ------------------

    def _load_authorities(self) -> None:
        """Every child's recorded authorities, read once (one query for the whole log)."""
        topic = get_topic(AuthorityRecorded)
        after = 0
        while True:
            page = self.store.notifications(after=after, limit=2000, topics=[topic])
            if not page:
                return
            for item in page:
                if isinstance(item.event, AuthorityRecorded):
                    code = item.event.la_code or self.default_la
                    self._la.setdefault(item.child_id, []).append((item.position, code))
            after = page[-1].global_position or after

    def _la_code(self, item: RecordedEvent) -> str:
        """The child's DfE LA code for this event's subject.

        The authority recorded last at or before the event; for an event before the
        child's first authority (a registration), that first authority, so every event
        of a child's record is under its authority's subjects; ``none`` if none is known.
        """
        changes = self._la.get(item.child_id)
        if changes is None:
            changes = self._la[item.child_id] = [
                (e.position, e.event.la_code or self.default_la)
                for e in self.store.stream(item.child_id)
                if isinstance(e.event, AuthorityRecorded)
            ]
        event = item.event
        if isinstance(event, AuthorityRecorded) and all(p != item.position for p, _ in changes):
            changes.append((item.position, event.la_code or self.default_la))
            changes.sort()
        if not changes:
            return self.default_la
        code = changes[0][1]
        for position, la in changes:
            if position > item.position:
                break
            code = la
        return code

    def _child_la(self, child_id: str) -> str:
        """The child's authority recorded last (a purge's subject)."""
        changes = self._la.get(child_id)
        if changes is None:
            changes = self._la[child_id] = [
                (e.position, e.event.la_code or self.default_la)
                for e in self.store.stream(child_id)
                if isinstance(e.event, AuthorityRecorded)
            ]
        return max(changes)[1] if changes else self.default_la

    def _target_kind(self, child_id: str) -> Callable[[str], str | None]:
        def find(event_id: str) -> str | None:
            known = self._kinds.get(event_id)
            if known is not None:
                return known
            for earlier in self.store.stream(child_id):
                if earlier.event_id == event_id:
                    return earlier.kind
            return None

        return find

    # -- JetStream -------------------------------------------------------------------------

    async def _ensure_stream(self, js: JetStreamContext) -> None:
        try:
            await js.stream_info(self.stream)
        except NotFoundError:
            await js.add_stream(
                StreamConfig(
                    name=self.stream,
                    subjects=[f"{self.prefix}.>"],
                    storage=StorageType.FILE,
                    duplicate_window=DUPLICATE_WINDOW,
                )
            )
            log.info("stream_created", stream=self.stream, subjects=f"{self.prefix}.>")

    async def _tail(self, js: JetStreamContext) -> tuple[int, int, int]:
        """(position, purge, sequence) to go on after: the stream's last message, or the store's.

        ``position`` is the last event published, ``purge`` the last purge (certificate
        number), both from the last message's headers (a message from before purges were
        carried has no purge header: none was published).
        """
        saved_position, saved_sequence = positions.load(self.store.url, self.name)
        saved_purge, _ = positions.load(self.store.url, positions.purge_row(self.name))
        info = await js.stream_info(self.stream)
        sequence = int(info.state.last_seq or 0)
        position = purge = 0
        if sequence:
            last = await js.get_msg(self.stream, seq=sequence)
            position = int((last.headers or {}).get(POSITION, 0))
            purge = int((last.headers or {}).get(PURGES, 0))
        if position < saved_position or purge < saved_purge:
            log.warning(
                "stream_behind_store",
                stream=self.stream,
                stream_position=position,
                saved_position=saved_position,
                stream_purge=purge,
                saved_purge=saved_purge,
            )
            return max(position, saved_position), max(purge, saved_purge), sequence
        if (position, purge, sequence) != (saved_position, saved_purge, saved_sequence):
            positions.save(self.store.url, self.name, position, sequence, purge)
            if (position, purge) != (saved_position, saved_purge):
                log.info("position_from_stream", stream=self.stream, position=position, purge=purge)
        return position, purge, sequence

    async def run(
        self,
        *,
        once: bool = True,
        poll: float = 1.0,
        progress: Progress | None = None,
        stop: asyncio.Event | None = None,
    ) -> RelayStats:
        """Publish what the stream lacks; with ``once`` stop at the end of the log."""
        stats = RelayStats()
        began = time.perf_counter()
        nc = await nats.connect(self.servers, name=f"caseledger-publish:{self.name}")
        try:
            js = nc.jetstream()
            self._load_authorities()
            await self._ensure_stream(js)
            position, purge, sequence = await self._tail(js)
            stats.position, stats.sequence, stats.purge = position, sequence, purge
            failures = 0
            while stop is None or not stop.is_set():
                page = self.store.notifications(after=position, limit=self.batch)
                pending = due(
                    purges(self.store, after=purge),
                    (page[-1].global_position or position) if page else None,
                )
                items = merge(page, lambda e: e.global_position or 0, pending)
                if not items:
                    if once:
                        break
                    await asyncio.sleep(poll)
                    continue
                stored, error = await self._publish_page(js, items, sequence, position, purge)
                if stored:
                    for item in items[:stored]:
                        if isinstance(item, Purge):
                            purge = item.number
                            stats.purges += 1
                        else:
                            position = item.global_position or position
                    sequence += stored
                    positions.save(self.store.url, self.name, position, sequence, purge)
                    stats.published += stored
                    stats.position, stats.sequence, stats.purge = position, sequence, purge
                    stats.pages += 1
                    failures = 0
                    log.info(
                        "published",
                        stream=self.stream,
                        messages=stored,
                        first=page[0].global_position if page else position,
                        position=position,
                        purge=purge,
                        sequence=sequence,
                    )
                    if progress is not None:
                        progress(position, self.store.max_position(), stats.published)
                if error is not None:
                    failures += 1
                    stats.retries += 1
                    log.warning(
                        "publish_refused",
                        stream=self.stream,
                        position=position,
                        error=type(error).__name__,
                        detail=str(error)[:200],
                    )
                    if failures > MAX_RETRIES:
                        raise RelayError(
                            f"JetStream refused the message after position {position} "
                            f"{failures} times: {error}"
                        )
                    await asyncio.sleep(min(0.2 * failures, 2.0))
                    position, purge, sequence = await self._tail(js)
        finally:
            await nc.close()
        stats.seconds = time.perf_counter() - began
        return stats

    async def _publish_page(
        self,
        js: JetStreamContext,
        page: list[RecordedEvent | Purge],
        sequence: int,
        position: int,
        purge: int,
    ) -> tuple[int, BaseException | None]:
        """Publish a page; (messages stored, in order from the first; the first refusal).

        ``position`` and ``purge``: the last event and purge published before the page.
        """
        futures = []
        if len(self._kinds) > KINDS_KEPT:
            self._kinds.clear()
        for offset, item in enumerate(page):
            if isinstance(item, Purge):
                purge = item.number
                message = build_purge_message(
                    item,
                    prefix=self.prefix,
                    la=self._child_la(item.child_id),
                    content=self.content,
                    pseudonym=self.pseudonym,
                    position=position,
                )
            else:
                position = item.global_position or position
                self._kinds[item.event_id] = item.kind
                message = build_message(
                    item,
                    prefix=self.prefix,
                    la=self._la_code(item),
                    content=self.content,
                    pseudonym=self.pseudonym,
                    target_kind=self._target_kind(item.child_id)
                    if item.kind == "entry_corrected"
                    else None,
                    purged=purge,
                )
            headers = dict(message.headers)
            headers[Header.EXPECTED_LAST_SEQUENCE] = str(sequence + offset)
            futures.append(await js.publish_async(message.subject, message.body, headers=headers))
        await asyncio.wait(futures, timeout=ACK_TIMEOUT)
        stored = 0
        for offset, future in enumerate(futures):
            if not future.done():
                for waiting in futures[offset:]:
                    waiting.cancel()
                return stored, TimeoutError(f"no acknowledgement in {ACK_TIMEOUT:.0f} s")
            result = future.exception() or future.result()
            if isinstance(result, BaseException):
                return stored, result
            if result.duplicate or result.seq != sequence + offset + 1:
                return stored, RuntimeError(
                    f"stream sequence {result.seq} (duplicate={result.duplicate}), "
                    f"expected {sequence + offset + 1}"
                )
            stored += 1
        return stored, None
