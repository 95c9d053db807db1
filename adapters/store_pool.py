"""A bounded pool of open event stores for a long-running server.

Opening an :class:`EventStore` costs a recorder and its connection pool (about 50 ms on
PostgreSQL). ``serve`` used to open one per request, so 8 busy clients opened and closed
connections faster than PostgreSQL released them: under load it ran out ("sorry, too many
clients already") and answered 500s, and each store's ``close()`` disposed the engine the
other requests' stores were still using. The pool keeps a few stores open for the life of
the server and lends each to one request at a time: a store's cached child records are
safe to reuse, because every write still asks the log whether the stream has grown.
"""

from __future__ import annotations

import queue
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from adapters.logging import get_logger
from adapters.store import EventStore
from adapters.stream_cache import StreamCache

log = get_logger()

DEFAULT_SIZE = 4
"""Stores open at once. Each holds up to 6 PostgreSQL connections (pool 2, overflow 4)."""


_POOLS: weakref.WeakSet[StorePool] = weakref.WeakSet()
"""Every pool this process has made and not yet lost: :func:`close_pools` closes them."""


def close_pools(url: str | None = None) -> None:
    """Close the stores of every pool on ``url`` (or all): a server's shutdown does it for its
    own; a process that builds apps without serving them (a test) calls this instead."""
    for pool in list(_POOLS):
        if url is None or pool.url == url:
            pool.close()


class StoreBusy(Exception):
    """Every store in the pool stayed lent for the whole wait."""


class StorePool:
    """Up to ``size`` stores on one URL, opened on first need, each lent to one borrower."""

    def __init__(
        self,
        url: str,
        size: int = DEFAULT_SIZE,
        wait_seconds: float = 30.0,
        streams: StreamCache | None = None,
    ) -> None:
        if size < 1:
            raise ValueError("a store pool needs at least one store")
        self.url = url
        self.size = size
        self.wait_seconds = wait_seconds
        self.streams = streams
        """The decoded-stream cache every store of the pool reads through (None: none)."""
        self._idle: queue.LifoQueue[EventStore] = queue.LifoQueue()
        self._opened: list[EventStore] = []
        self._lock = threading.Lock()
        _POOLS.add(self)

    @contextmanager
    def borrow(self) -> Iterator[EventStore]:
        store = self._take()
        try:
            yield store
        except BaseException:
            store.forget()  # a failed write may have left cached records half-decided
            raise
        finally:
            with self._lock:
                if any(store is kept for kept in self._opened):  # not closed meanwhile
                    self._idle.put(store)

    def _take(self) -> EventStore:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            if len(self._opened) < self.size:
                store = EventStore(self.url)
                store.streams = self.streams
                self._opened.append(store)
                log.info("store_opened", pool_size=len(self._opened), limit=self.size)
                return store
        try:
            return self._idle.get(timeout=self.wait_seconds)
        except queue.Empty:
            raise StoreBusy(
                f"all {self.size} stores stayed busy for {self.wait_seconds:g} s"
            ) from None

    def close(self) -> None:
        """Close every store; a later borrower opens new ones (the pool stays usable)."""
        with self._lock:
            opened, self._opened = self._opened, []
            while True:
                try:
                    self._idle.get_nowait()
                except queue.Empty:
                    break
        for store in opened:
            store.close()
        if self.streams is not None:  # a store made anew under this URL starts afresh
            self.streams.clear(self.url)
