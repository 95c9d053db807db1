"""Children's decoded streams, kept per process for a long-running server (``serve``).

Decoding a child's stored rows into events (JSON, upcasting, opening sealed boxes, pydantic
validation) costs about ten times the SELECT of the rows: 157 ms against 12 ms for a
5,000-event child on a quiet machine (docs/performance.md). Every page of that child paid it.
A :class:`StreamCache` keeps each child's decoded stream, keyed by the store's URL and the
child's id, together with the stream version it was decoded at, so that an unchanged child
is decoded once per process. What makes it safe to hand out again:

- **New events** (written here, by another process or by another server on the same
  database) are seen on the next read: :meth:`adapters.store.EventStore.stream` asks the log
  for the stream's newest version first (one indexed ``MAX``) and decodes again, only the rows
  after the cached ones, when it has grown. Streams are append-only, so an unchanged
  version is unchanged content; a correction or "recorded in error" is a new event too.
- **Destroyed keys** (``retention destroy``, here or in another process) change no row. So
  the entry remembers the subjects whose boxes it opened with a live key, and every read asks
  the subject-keys table whether any of them has been destroyed since (one query by primary
  key); if so the entry is dropped, the store forgets those keys and decodes again, and the
  fields read ``[erased]``. The decrypted data of a destroyed subject is never handed out
  after the destruction is committed.
- **As known at** is a filter the caller applies to the whole stream (the cache holds the
  stream as recorded, never a filtered one).

Bounded by the number of events held (least recently used children go first); a stream
longer than the whole bound is not kept. Thread-safe: ``serve`` runs handlers in a thread
pool, and the events handed out are immutable (frozen pydantic models and dataclasses);
each caller gets its own list.

Values derived from a cached stream (the access facts) may be memoised on its entry with
:meth:`StreamCache.derived`: they live and die with the entry, so they are never older than
the stream they were computed from.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from domain.envelope import RecordedEvent
from domain.events.base import LONDON

T = TypeVar("T")

DEFAULT_MAX_EVENTS = 50_000
"""Events kept across all children: about 5 KiB each decoded (measured: 24 MiB for a
5,021-event child), so some 240 MiB at most."""


@dataclass
class StreamEntry:
    """One child's stream as decoded at ``version`` (its newest position)."""

    events: tuple[RecordedEvent, ...]
    opened: frozenset[str]
    """Subjects whose sealed boxes were opened with a live key (checked on every read)."""
    derived: dict[Hashable, Any] = field(default_factory=dict)
    latest_recorded: datetime | None = None
    latest_occurred_at: datetime | None = None
    latest_occurred_on: date | None = None

    def __post_init__(self) -> None:
        for item in self.events:
            if self.latest_recorded is None or item.recorded_at > self.latest_recorded:
                self.latest_recorded = item.recorded_at
            occurred = item.event.occurred_at
            if isinstance(occurred, datetime):
                if self.latest_occurred_at is None or occurred > self.latest_occurred_at:
                    self.latest_occurred_at = occurred
            elif self.latest_occurred_on is None or occurred > self.latest_occurred_on:
                self.latest_occurred_on = occurred

    @property
    def version(self) -> int:
        return self.events[-1].position if self.events else 0

    def settled_at(self, at: datetime) -> bool:
        """Whether everything on the stream had been recorded and had happened by ``at``: a
        fold "at ``at``" then reads every event, as it would at any later moment."""
        return (
            (self.latest_recorded is None or self.latest_recorded <= at)
            and (self.latest_occurred_at is None or self.latest_occurred_at <= at)
            and (
                self.latest_occurred_on is None
                or self.latest_occurred_on <= at.astimezone(LONDON).date()
            )
        )


class StreamCache:
    """Decoded streams by (store URL, child id), least recently used out first."""

    def __init__(self, max_events: int = DEFAULT_MAX_EVENTS) -> None:
        if max_events < 1:
            raise ValueError("a stream cache needs room for at least one event")
        self.max_events = max_events
        self._entries: OrderedDict[tuple[str, str], StreamEntry] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def events_held(self) -> int:
        return self._held

    def get(self, url: str, child_id: str) -> StreamEntry | None:
        with self._lock:
            entry = self._entries.get((url, child_id))
            if entry is not None:
                self._entries.move_to_end((url, child_id))
            return entry

    def put(self, url: str, child_id: str, entry: StreamEntry) -> None:
        """Keep ``entry`` unless one at least as new is already kept (a concurrent reader)."""
        size = len(entry.events)
        with self._lock:
            key = (url, child_id)
            old = self._entries.get(key)
            if old is not None:
                if old.version > entry.version:
                    return
                self._held -= len(old.events)
                del self._entries[key]
            if size > self.max_events:
                return
            self._entries[key] = entry
            self._held += size
            while self._held > self.max_events:
                _, evicted = self._entries.popitem(last=False)
                self._held -= len(evicted.events)

    def drop(self, url: str, child_id: str) -> None:
        with self._lock:
            old = self._entries.pop((url, child_id), None)
            if old is not None:
                self._held -= len(old.events)

    def clear(self, url: str | None = None) -> None:
        with self._lock:
            for key in [k for k in self._entries if url is None or k[0] == url]:
                self._held -= len(self._entries.pop(key).events)

    def entry_of(
        self, url: str, child_id: str, events: Sequence[RecordedEvent]
    ) -> StreamEntry | None:
        """The kept entry whose stream ``events`` is (the very objects it handed out), if any."""
        entry = self.get(url, child_id)
        if (
            entry is None
            or not events
            or len(events) != len(entry.events)
            or events[-1] is not entry.events[-1]
            or events[0] is not entry.events[0]
        ):
            return None
        return entry

    def derived(
        self,
        url: str,
        child_id: str,
        events: Sequence[RecordedEvent],
        key: Hashable,
        compute: Callable[[], T],
        *,
        when: Callable[[StreamEntry], bool] | None = None,
    ) -> T:
        """``compute()``, memoised under ``key`` on the entry ``events`` came from; computed
        afresh (and not memoised) when ``events`` is not a kept stream or ``when(entry)`` is
        false."""
        entry = self.entry_of(url, child_id, events)
        if entry is None or (when is not None and not when(entry)):
            return compute()
        with self._lock:
            if key in entry.derived:
                return entry.derived[key]  # type: ignore[no-any-return]
        value = compute()
        with self._lock:
            entry.derived[key] = value
        return value


CACHE_ENV = "CASELEDGER_STREAM_CACHE_EVENTS"
"""Events the server's cache holds (default :data:`DEFAULT_MAX_EVENTS`; 0 turns it off)."""

_shared: StreamCache | None = None
_shared_lock = threading.Lock()


def serve_stream_cache() -> StreamCache | None:
    """The process's cache, which every app's pooled stores read through; None when
    ``CASELEDGER_STREAM_CACHE_EVENTS=0``."""
    global _shared
    size = int(os.environ.get(CACHE_ENV, DEFAULT_MAX_EVENTS))
    if size <= 0:
        return None
    with _shared_lock:
        if _shared is None or _shared.max_events != size:
            _shared = StreamCache(size)
        return _shared
