"""Resident memory of this process (and its workers), sampled while a measurement runs (Linux /proc)."""

from __future__ import annotations

import os
import resource
import threading
import time
from dataclasses import dataclass, field

_PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes(children: bool = False) -> int:
    """Current resident set size (falls back to the peak where /proc is missing).

    With ``children``, of this process and every process it started, at any depth.
    """
    try:
        total = _rss_of(os.getpid())
        if children:
            total += sum(_rss_of(pid, gone=0) for pid in _descendants(os.getpid()))
        return total
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _rss_of(pid: int, gone: int | None = None) -> int:
    """A process's resident set size; ``gone`` if given is returned for one that has exited."""
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * _PAGE
    except OSError:
        if gone is None:
            raise
        return gone


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            direct = [int(p) for p in handle.read().split()]
    except OSError:
        return found
    for child in direct:
        found.append(child)
        found.extend(_descendants(child))
    return found


@dataclass
class RssSampler:
    """Samples RSS every ``interval`` seconds on a thread; ``peak`` and ``samples`` after."""

    interval: float = 0.05
    children: bool = False
    """Count the processes this one started too (a partitioned rebuild's workers)."""
    samples: list[tuple[float, int]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _start: float = 0.0

    def __enter__(self) -> RssSampler:
        self._start = time.perf_counter()
        self.samples.append((0.0, rss_bytes(self.children)))
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.samples.append((time.perf_counter() - self._start, rss_bytes(self.children)))

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.samples.append((time.perf_counter() - self._start, rss_bytes(self.children)))

    @property
    def start(self) -> int:
        return self.samples[0][1]

    @property
    def peak(self) -> int:
        return max(value for _, value in self.samples)
