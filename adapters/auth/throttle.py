"""Repeated failed sign-ins are slowed down, per account name and per client address.

After ``free`` failures in a row for a key (``account:NAME`` or ``address:IP``), each further
attempt must wait 2, 4, 8... seconds (at most ``cap``) after the last failure; an attempt
made sooner is refused (HTTP 429 with Retry-After) without checking the password at all.
A success clears the account's key. Counted in this process's memory; a server counts in
the database instead (:class:`adapters.auth.shared_throttle.SharedThrottle`, the same
rules), so that several worker processes share one count.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass
class _Failures:
    count: int
    last: float


class SignInThrottle:
    def __init__(
        self, *, free: int = 3, cap: float = 900.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.free = free
        self.cap = cap
        self.clock = clock
        self._seen: dict[str, _Failures] = {}
        self._lock = threading.Lock()

    def wait(self, keys: Iterable[str]) -> float:
        """Seconds until any of ``keys`` may try again (0: now)."""
        now = self.clock()
        longest = 0.0
        with self._lock:
            for key in keys:
                seen = self._seen.get(key)
                if seen is None or seen.count < self.free:
                    continue
                delay = min(self.cap, 2.0 ** (seen.count - self.free + 1))
                longest = max(longest, seen.last + delay - now)
        return max(0.0, longest)

    def failed(self, keys: Iterable[str]) -> None:
        now = self.clock()
        with self._lock:
            for key in keys:
                seen = self._seen.setdefault(key, _Failures(0, now))
                seen.count += 1
                seen.last = now

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._seen.pop(key, None)
