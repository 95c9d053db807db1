"""How many processes a rebuild should use, from what its work measurably costs.

A partitioned rebuild (:mod:`adapters.readmodels.partitioned`) pays for its parallelism:
each worker starts an interpreter and imports the read models (``START_UP_SECONDS``), and
each reads every row of the log to keep its own share (``read`` a row, kept or not). Only
the replay of its own rows (decoding, rendering, inserting: ``replay`` an event) divides
between the workers, and only as far as the machine has cores to spare. So a small log, or
a machine busy with other work, is faster in one process (the second session's bench: two
workers took 6-7 thousand events a second on a 31,000-event store where one process took
11-16 thousand).

The rebuild measures ``replay`` and ``read`` on the log's second page before it decides
(:func:`adapters.readmodels.partitioned.rebuild_partitioned`), and :func:`best_workers`
picks the count whose predicted time is lowest, splitting only when that beats one process
by ``MARGIN``. All figures are CPU seconds; the cores to spare come from the load average.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

START_UP_SECONDS = 1.0
"""CPU seconds a worker costs before its first event: a spawned interpreter importing the
read models and opening its staging area (0.68 s measured on the shared 2-core machine at
load 7, 2026-12-06; the parent replaces it with what it has seen workers cost, see
:data:`seen_start_up`)."""

MARGIN = 0.85
"""Split only when the prediction is at most this fraction of one process's: the figures
are measured on one page, and a split that only ties is slower once the merge reads more
staging files."""

seen_start_up: list[float] = []
"""Start-up costs measured in this process (a worker's time from being started to its first
page); their mean replaces ``START_UP_SECONDS`` once there is one."""


@dataclass(frozen=True)
class ReplayCost:
    """What one event costs a rebuild, in CPU seconds, as measured on a page of the log."""

    replay: float
    """Reading, decoding and applying one event to every read model (one process's cost)."""
    read: float
    """Reading one row of the log without decoding it (what a worker pays for the others')."""


def start_up_seconds() -> float:
    if seen_start_up:
        return sum(seen_start_up) / len(seen_start_up)
    return START_UP_SECONDS


def spare_cores(cores: int | None = None, load: float | None = None) -> float:
    """Cores this rebuild can have: the machine's, less what other work keeps busy.

    The one-minute load average counts this process too (it is replaying the probe page).
    """
    cores = cores if cores is not None else os.cpu_count() or 1
    if load is None:
        try:
            load = os.getloadavg()[0]
        except OSError:  # not every platform has one
            load = 0.0
    return max(1.0, min(float(cores), cores - max(0.0, load - 1.0)))


MIN_SAMPLE_SECONDS = 0.1
"""The shortest probe a sample of the machine is believed for (its clock ticks 100 times a
second: 0.1 s tells other work to within a tenth of a core)."""


@dataclass(frozen=True)
class MachineSample:
    """The machine's and this process's CPU time at one moment (:func:`machine_sample`)."""

    wall: float
    busy: float | None
    """CPU seconds every core has been busy since boot (Linux ``/proc/stat``); None elsewhere."""
    own: float
    """This process's CPU seconds."""


def _busy_seconds() -> float | None:
    try:
        with open("/proc/stat") as stat:
            fields = [int(v) for v in stat.readline().split()[1:9]]
        ticks = os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        return None
    if len(fields) < 5:
        return None
    idle = fields[3] + fields[4]  # idle and iowait; user, nice, system, irq, softirq, steal busy
    return (sum(fields) - idle) / ticks


def machine_sample() -> MachineSample:
    return MachineSample(time.perf_counter(), _busy_seconds(), time.process_time())


def spare_cores_between(
    before: MachineSample, after: MachineSample, cores: int | None = None
) -> float | None:
    """Cores this rebuild can have, from what other work kept busy while it measured its
    probe page (the machine's busy time less this process's own, over the wall time).

    Where it can be measured this replaces the load average, a one-minute average that
    still counts what this very process did before the rebuild (a county bench's import
    kept the load at 1.2-1.5 and a two-core machine was judged to have no core to spare:
    the encrypted rebuild ran in one process, 320 s against 231 s in two). None when the
    machine's time is unknown or the page too short to tell (then :func:`spare_cores`).
    """
    cores = cores if cores is not None else os.cpu_count() or 1
    wall = after.wall - before.wall
    if before.busy is None or after.busy is None or wall < MIN_SAMPLE_SECONDS:
        return None
    others = max(0.0, (after.busy - before.busy) - (after.own - before.own)) / wall
    return max(1.0, min(float(cores), cores - others))


def predicted_seconds(events: int, workers: int, cost: ReplayCost, cores: float) -> float:
    """The replay's predicted time with ``workers`` processes (one: in this process).

    Each worker reads all ``events`` rows and replays its share; together they need
    ``workers`` start-ups, ``workers`` reads of the log and one replay of every event, spread
    over as many cores as there are workers and cores to spare.
    """
    if workers <= 1:
        return events * cost.replay
    own = max(cost.replay - cost.read, 0.0)  # replaying a kept row, beyond reading it
    total = workers * (start_up_seconds() + events * cost.read) + events * own
    return total / min(float(workers), cores)


def best_workers(events: int, cost: ReplayCost, most: int, cores: float) -> int:
    """The number of processes (1..``most``) predicted to replay ``events`` soonest."""
    single = predicted_seconds(events, 1, cost, cores)
    best, best_time = 1, single
    for workers in range(2, most + 1):
        predicted = predicted_seconds(events, workers, cost, cores)
        if predicted < best_time and predicted <= MARGIN * single:
            best, best_time = workers, predicted
    return best
