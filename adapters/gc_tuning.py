"""Fewer garbage collections while replaying or importing many events.

CPython starts a collection every 700 net allocations of container objects. Decoding an
event allocates dozens (a pydantic model, its nested models, dicts, datetimes), so a
rebuild ran the young-generation collector every few events and a full collection over
every live object regularly: in a rebuild of 95,269 events (2,000 synthetic children,
SQLite, 2 cores) raising the threshold took the rebuild from 11,600 to 13,700 events/s and
plain decoding from 33,000 to 53,000 events/s. Almost everything a replay allocates is
freed by reference counting as soon as its page is written, so collecting less often does
not make memory grow (the bench's peak-RSS figures check that).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

REPLAY_THRESHOLDS = (50_000, 20, 100)
"""Young-generation allocations between collections, then the older generations' ratios."""


IMPORT_THRESHOLDS = (200_000, 50, 1_000)
"""For a bulk import, rarer still. An import keeps the records of every child it is writing
(tens of thousands at county size) and each collection of the older generations walks
them all; 10,000 synthetic children on SQLite: 17,860 -> 20,009 events/s (26.2 -> 23.3 s
of store time). What an import allocates per batch is freed by reference counting."""


@contextmanager
def replay_gc(thresholds: tuple[int, int, int] = REPLAY_THRESHOLDS) -> Iterator[None]:
    """Collect less often inside the block; the previous thresholds come back after it."""
    before = gc.get_threshold()
    gc.set_threshold(*thresholds)
    try:
        yield
    finally:
        gc.set_threshold(*before)
