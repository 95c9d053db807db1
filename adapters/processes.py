"""Helpers for worker processes the product starts (partitioned rebuilds, benchmarks)."""

from __future__ import annotations


def die_with_parent() -> None:
    """Ask Linux to stop this worker when the process that started it dies, however it dies.

    A worker that outlives its parent keeps writing: a bench's tick worker once outlived
    the bench stopped by hand and wrote into the next run's SQLite file. Elsewhere a no-op.
    """
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
