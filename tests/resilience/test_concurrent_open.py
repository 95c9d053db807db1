"""Many requests opening the store at once do not exhaust the connection pool (PostgreSQL).

Found by scripts/bench_serve.py: eight concurrent requests each opened an EventStore, which
held a pooled connection for the schema lock while it needed more from the same pool of
six, so every request waited out the pool's 30 s timeout. The lock now has a connection of
its own, and a URL this process has prepared is not prepared (nor locked) again.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from adapters.db import PREPARED, release_engine
from adapters.store import EventStore


@pytest.mark.postgres
def test_sixteen_stores_opened_at_once_on_a_fresh_process(pg_url: str) -> None:
    release_engine()  # as a fresh server process: nothing prepared, an empty pool
    assert pg_url not in PREPARED

    def open_and_read(_: int) -> int:
        store = EventStore(pg_url)
        try:
            return store.max_position()
        finally:
            store.close()

    with ThreadPoolExecutor(max_workers=16) as pool:
        positions = list(pool.map(open_and_read, range(32)))
    assert positions == [0] * 32
    assert pg_url in PREPARED
