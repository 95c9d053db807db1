"""The feed: every event in global order, for downstream reporting, and a resumable consumer.

A feed item is stable JSON: the global position (the store's notification id), the
event id, the child id, the kind, occurred-at, recorded-at and the payload as stored.
Positions only grow; ``after=N`` gives everything written after position ``N``.

A consumer keeps its own position (a small file, or a row in any SQL database) and
acknowledges each item once it has dealt with it. Restarted after a crash it resumes
after the last acknowledged position, so it misses nothing and is never given an item
it had acknowledged again. An item it was handling when it died (not acknowledged) is
given again: delivery is at least once for that one item, exactly once for the rest.
A consumer that writes its effects to SQL can make even that exactly once by saving the
position in the same transaction (see :class:`SqlPositionStore.save` with ``conn``).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Column, Connection, DateTime, Integer, MetaData, String, Table, select

from adapters.db import sql_engine
from adapters.logging import get_logger
from adapters.store import EventStore
from domain.envelope import RecordedEvent

log = get_logger("caseledger.feed")

FeedItem = dict[str, Any]


def feed_item(item: RecordedEvent) -> FeedItem:
    """One feed line: what a downstream reporting system needs, and nothing it must derive."""
    event = item.event
    return {
        "global_position": item.global_position,
        "event_id": item.event_id,
        "child_id": item.child_id,
        "stream_position": item.position,
        "kind": event.kind,
        "version": item.stored_version,
        "occurred_at": event.occurred_at.isoformat(),
        "recorded_at": item.recorded_at.isoformat(),
        "payload": event.payload(),
    }


def read_feed(store: EventStore, after: int = 0, limit: int | None = None) -> Iterator[FeedItem]:
    """Feed items after ``after`` in global order; at most ``limit`` of them (None: all)."""
    if after < 0:
        raise ValueError(f"--after {after}: a feed position is 0 or more")
    if limit is not None and limit < 1:
        raise ValueError(f"--limit {limit}: give 1 or more")
    given = 0
    position = after
    while limit is None or given < limit:
        want = 1000 if limit is None else min(1000, limit - given)
        page = store.notifications(after=position, limit=want)
        if not page:
            return
        for item in page:
            yield feed_item(item)
        given += len(page)
        position = page[-1].global_position or position


# -- consumer positions --------------------------------------------------------------------


class PositionStore(Protocol):
    """Where a consumer keeps the last position it acknowledged."""

    def load(self) -> int: ...

    def save(self, position: int) -> None: ...


class FilePositionStore:
    """The position in a small JSON file, replaced atomically (write, fsync, rename)."""

    def __init__(self, path: str | Path, name: str = "default") -> None:
        self.path = Path(path)
        self.name = name

    def load(self) -> int:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return 0
        except (OSError, ValueError) as error:
            raise ValueError(f"{self.path}: not a feed position file ({error})") from None
        value = data.get("position") if isinstance(data, dict) else None
        if not isinstance(value, int) or value < 0:
            raise ValueError(f"{self.path}: 'position' must be a whole number 0 or more")
        return value

    def save(self, position: int) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = json.dumps(
            {
                "consumer": self.name,
                "position": position,
                "updated_at": datetime.now(UTC).isoformat(),
            }
        )
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(body)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


positions_metadata = MetaData()
feed_positions = Table(
    "feed_consumer_positions",
    positions_metadata,
    Column("consumer", String(100), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


class SqlPositionStore:
    """The position as a row in a SQL database (the consumer's own, or the store's)."""

    def __init__(self, url: str, name: str) -> None:
        self.engine = sql_engine(url)
        self.name = name
        positions_metadata.create_all(self.engine)

    def load(self) -> int:
        with self.engine.connect() as conn:
            value = conn.execute(
                select(feed_positions.c.position).where(feed_positions.c.consumer == self.name)
            ).scalar()
        return int(value or 0)

    def save(self, position: int, conn: Connection | None = None) -> None:
        """Save; with ``conn``, inside the caller's transaction (effects and position together)."""
        if conn is None:
            with self.engine.begin() as own:
                self._write(own, position)
        else:
            self._write(conn, position)

    def _write(self, conn: Connection, position: int) -> None:
        now = datetime.now(UTC)
        done = conn.execute(
            feed_positions.update()
            .where(feed_positions.c.consumer == self.name)
            .values(position=position, updated_at=now)
        )
        if done.rowcount == 0:
            conn.execute(
                feed_positions.insert().values(
                    consumer=self.name, position=position, updated_at=now
                )
            )


# -- the consumer --------------------------------------------------------------------------


class FeedConsumer:
    """Reads the feed from its stored position, hands each item over, then acknowledges it."""

    def __init__(self, store: EventStore, positions: PositionStore, batch: int = 500) -> None:
        self.store = store
        self.positions = positions
        self.batch = batch

    @property
    def position(self) -> int:
        return self.positions.load()

    def run(
        self,
        handle: Callable[[FeedItem], None],
        limit: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Handle items after the stored position; each is acknowledged once ``handle`` returns.

        If ``handle`` raises (or the process dies), the position stays at the last item
        acknowledged, so the failed item is the first one given next time. Returns the
        number of items acknowledged in this run.
        """
        start = self.positions.load()
        done = 0
        last = start
        for item in read_feed(self.store, after=start, limit=limit):
            handle(item)
            last = int(item["global_position"])
            self.positions.save(last)
            done += 1
            if progress is not None:
                progress(done)
        if done:
            log.info("feed_consumed", items=done, start=start, position=last)
        return done
