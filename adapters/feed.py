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


def read_feed(
    store: EventStore,
    after: int = 0,
    limit: int | None = None,
    after_purge: int | None = None,
) -> Iterator[FeedItem]:
    """Feed items after ``after`` in global order; at most ``limit`` of them (None: all).

    With them, the purges (destroyed records, :mod:`adapters.purges`) numbered after
    ``after_purge``, each right after the event it follows. A purge item has ``kind``
    ``purge``, the event it follows in ``global_position`` and its number in
    ``purge_position``.

    Read from the start (``after`` 0) every purge is given at once, the last ones too: a
    whole read of the feed shows a record destroyed a moment ago. Resuming with ``after``
    alone (a reader that keeps only an event position) the purges placed after event
    ``after`` are given, each only together with the event after it and outside ``limit``:
    the reader's next ``after`` (the last item's position) is then past them, so it
    neither gets them again nor, caught up at the log's end, is given the same purge on
    every call. A reader that keeps ``purge_position`` too gets each at once, exactly once.
    """
    from adapters.purges import Purge, interleave, purge_item, purges, seen_before

    if after < 0:
        raise ValueError(f"--after {after}: a feed position is 0 or more")
    if limit is not None and limit < 1:
        raise ValueError(f"--limit {limit}: give 1 or more")
    if after_purge is not None and after_purge < 0:
        raise ValueError(f"--after-purge {after_purge}: a purge position is 0 or more")
    if after_purge is None and after == 0:
        after_purge = 0  # from the start: no purge seen yet, so the pair (0, 0) is exact
    by_position_alone = after_purge is None
    if after_purge is None:
        after_purge = seen_before(store, after)
    pending = purges(store, after=after_purge)

    def pages() -> Iterator[list[RecordedEvent]]:
        position = after
        while True:
            page = store.notifications(after=position, limit=min(1000, limit or 1000))
            yield page
            if not page:
                return
            position = page[-1].global_position or position

    given = 0
    held: list[Purge] = []
    for item in interleave(pages(), lambda e: e.global_position or 0, pending):
        if limit is not None and given >= limit:
            return
        if isinstance(item, Purge):
            if not by_position_alone:
                yield purge_item(item)
                given += 1
            else:
                held.append(item)
            continue
        for purge in held:  # (by position alone: only with the event after them)
            yield purge_item(purge)
        held.clear()
        yield feed_item(item)
        given += 1


# -- consumer positions --------------------------------------------------------------------


class PositionStore(Protocol):
    """Where a consumer keeps the last position it acknowledged."""

    def load(self) -> int: ...

    def load_purge(self) -> int | None:
        """The last purge number acknowledged (None: none stored, go by the event position)."""
        ...

    def save(self, position: int, purge: int | None = None) -> None: ...


class FilePositionStore:
    """The position in a small JSON file, replaced atomically (write, fsync, rename)."""

    def __init__(self, path: str | Path, name: str = "default") -> None:
        self.path = Path(path)
        self.name = name

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            raise ValueError(f"{self.path}: not a feed position file ({error})") from None
        if not isinstance(data, dict):
            raise ValueError(f"{self.path}: not a feed position file (not an object)")
        return data

    def load(self) -> int:
        data = self._read()
        if not data:
            return 0
        value = data.get("position")
        if not isinstance(value, int) or value < 0:
            raise ValueError(f"{self.path}: 'position' must be a whole number 0 or more")
        return value

    def load_purge(self) -> int | None:
        value = self._read().get("purge_position")
        if value is not None and (not isinstance(value, int) or value < 0):
            raise ValueError(f"{self.path}: 'purge_position' must be a whole number 0 or more")
        return value

    def save(self, position: int, purge: int | None = None) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        record: dict[str, Any] = {"consumer": self.name, "position": position}
        if purge is not None:
            record["purge_position"] = purge
        record["updated_at"] = datetime.now(UTC).isoformat()
        body = json.dumps(record)
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

    def _value(self, name: str) -> int | None:
        with self.engine.connect() as conn:
            value = conn.execute(
                select(feed_positions.c.position).where(feed_positions.c.consumer == name)
            ).scalar()
        return None if value is None else int(value)

    def load(self) -> int:
        return self._value(self.name) or 0

    def load_purge(self) -> int | None:
        """Kept in a row of its own (``<name>#purge``), written with the event position."""
        return self._value(f"{self.name}#purge")

    def save(self, position: int, purge: int | None = None, conn: Connection | None = None) -> None:
        """Save; with ``conn``, inside the caller's transaction (effects and position together)."""
        if conn is None:
            with self.engine.begin() as own:
                self._write(own, position, purge)
        else:
            self._write(conn, position, purge)

    def _write(self, conn: Connection, position: int, purge: int | None) -> None:
        now = datetime.now(UTC)
        rows = [(self.name, position)]
        if purge is not None:
            rows.append((f"{self.name}#purge", purge))
        for name, value in rows:
            done = conn.execute(
                feed_positions.update()
                .where(feed_positions.c.consumer == name)
                .values(position=value, updated_at=now)
            )
            if done.rowcount == 0:
                conn.execute(
                    feed_positions.insert().values(consumer=name, position=value, updated_at=now)
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

        The position is a pair: the last event's global position and the last purge's
        number (:mod:`adapters.purges`). If ``handle`` raises (or the process dies), it
        stays at the last item acknowledged, so the failed item is the first one given next time. Returns the
        number of items acknowledged in this run.
        """
        start = self.positions.load()
        purge = self.positions.load_purge()
        if purge is None:  # a position stored before purges were carried
            from adapters.purges import seen_before

            purge = seen_before(self.store, start)
        done = 0
        last = start
        for item in read_feed(self.store, after=start, limit=limit, after_purge=purge):
            handle(item)
            if item["kind"] == "purge":  # a purge moves only the purge position
                purge = int(item["purge_position"])
            else:
                last = int(item["global_position"])
            self.positions.save(last, purge)
            done += 1
            if progress is not None:
                progress(done)
        if done:
            log.info("feed_consumed", items=done, start=start, position=last)
        return done
