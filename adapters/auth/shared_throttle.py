"""The sign-in throttle held in the store's database, shared by every serving process.

:class:`adapters.auth.throttle.SignInThrottle` counts failures in the process's memory, so
behind several worker processes (``caseledger serve --workers N``) an attacker would get
``free`` tries from each. :class:`SharedThrottle` has the same rules and interface but keeps
each key's failures in ``caseledger_sign_in_failures``: a failure is one atomic
``UPDATE ... SET failures = failures + 1`` (or the key's first INSERT), so concurrent
failures in different processes are all counted, and every process reads the same count.
Keys are stored as their SHA-256 (an account name or client address is not kept as typed);
times are wall-clock seconds (processes share no monotonic clock across hosts).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterable

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, delete, exc, select, update

from adapters.auth.throttle import SignInThrottle
from adapters.db import sql_engine

metadata = MetaData()

sign_in_failures = Table(
    "caseledger_sign_in_failures",
    metadata,
    Column("key_hash", String(64), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last", Float, nullable=False),
)

_READY: set[str] = set()
_READY_LOCK = threading.Lock()


def install(url: str) -> None:
    """Create the failures table where missing (once per process and URL)."""
    with _READY_LOCK:
        if url in _READY:
            return
        metadata.create_all(sql_engine(url), checkfirst=True)
        _READY.add(url)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class SharedThrottle(SignInThrottle):
    """:class:`~adapters.auth.throttle.SignInThrottle`'s rules, counted in the database."""

    def __init__(
        self,
        url: str,
        *,
        free: int = 3,
        cap: float = 900.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(free=free, cap=cap, clock=clock)
        self.url = url

    def wait(self, keys: Iterable[str]) -> float:
        """Seconds until any of ``keys`` may try again (0: now)."""
        install(self.url)
        hashes = [_hash(k) for k in keys]
        with sql_engine(self.url).connect() as conn:
            rows = conn.execute(
                select(sign_in_failures.c.failures, sign_in_failures.c.last).where(
                    sign_in_failures.c.key_hash.in_(hashes)
                )
            ).all()
        now = self.clock()
        longest = 0.0
        for failures, last in rows:
            if failures < self.free:
                continue
            delay = min(self.cap, 2.0 ** (failures - self.free + 1))
            longest = max(longest, float(last) + delay - now)
        return max(0.0, longest)

    def failed(self, keys: Iterable[str]) -> None:
        install(self.url)
        now = self.clock()
        for key_hash in (_hash(k) for k in keys):
            for _ in range(3):  # a first failure raced by another process: count it again
                try:
                    with sql_engine(self.url).begin() as conn:
                        done = conn.execute(
                            update(sign_in_failures)
                            .where(sign_in_failures.c.key_hash == key_hash)
                            .values(failures=sign_in_failures.c.failures + 1, last=now)
                        )
                        if not done.rowcount:
                            conn.execute(
                                sign_in_failures.insert().values(
                                    key_hash=key_hash, failures=1, last=now
                                )
                            )
                    break
                except exc.IntegrityError:
                    continue

    def succeeded(self, key: str) -> None:
        install(self.url)
        with sql_engine(self.url).begin() as conn:
            conn.execute(delete(sign_in_failures).where(sign_in_failures.c.key_hash == _hash(key)))
