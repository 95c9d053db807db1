"""Helpers for worker processes the product starts (partitioned rebuilds, benchmarks)."""

from __future__ import annotations

import os


def die_with_parent(parent: int | None = None) -> None:
    """Ask Linux to stop this worker when the process that started it dies, however it dies.

    A worker that outlives its parent keeps writing: a bench's tick worker once outlived
    the bench stopped by hand and wrote into the next run's SQLite file, and orphaned
    rebuild workers kept running. SIGKILL (PR_SET_PDEATHSIG), which no handler can catch.
    With ``parent`` (the pid that started it): if that parent already died before the
    request was made (the signal would never come), the worker stops at once. Elsewhere
    than Linux a no-op.
    """
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if parent is not None and os.getppid() != parent:
        os._exit(1)  # the parent is gone already
