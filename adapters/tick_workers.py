"""A tick's batches judged in worker processes; the tick's own process writes what they decide.

A county's first tick evaluates every child, and each child is independent of the others:
its stream is read and decoded, the engine judges its deadlines, and the standards events
they call for are checked against its record and sealed into its hash chain. Those steps
are most of the tick, and a worker process does them for a whole batch
(:func:`judge_batch`), reading the batch's streams itself. What comes back is small: per
child the stream version it was judged on, the deadlines the index keeps, the case state
and the sealed new events (about a dozen, never the stream).

The tick's process writes each batch as it comes back, in the order of the batches, so the
log is the one a single-process tick writes. The events were checked by
:meth:`domain.child_record.ChildRecord.record` against the child's whole record as read, and
are written at the stream version judged (:meth:`adapters.store.EventStore.append_decided`):
if anyone appended to the child in between, the (stream, version) key refuses the batch and
the tick redoes it child by child, as it does for a conflict on its own writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from adapters.readmodels.deadlines import REPORTED
from adapters.shredding.subject_keys import SubjectErased
from adapters.store import DecidedRow, EventStore
from domain.child_record import ChildRecord
from domain.envelope import RecordedEvent
from domain.errors import IdempotencyConflict, InvalidEvent
from domain.events.base import CaseEvent, Category
from domain.writers import POLICY_WRITER
from policies.engine import OPEN, Deadline, evaluate
from policies.handler import HandlerConfig, standards_events
from policies.rules import PackSet
from projections.case_state import CaseState, case_state

__all__ = ["BatchJudge", "Judged", "judge", "judge_batch", "start_worker", "standards_keys"]

KEPT = OPEN | frozenset(REPORTED)
"""The statuses the tick's process reads: open ones (the next check) and reported ones (saved)."""


@dataclass
class Judged:
    """One child as a tick judged it: what the index saves and what the log is given."""

    child_id: str
    known: int
    """The child's stream version when judged (the events are sealed on top of it)."""
    deadlines: list[Deadline]
    keys: set[str]
    new: list[CaseEvent]
    case: CaseState
    sealed: list[DecidedRow] | None = None
    """``new`` checked against the record and sealed as stored (a batch judge's), or None."""


def standards_keys(events: list[RecordedEvent]) -> set[str]:
    return {
        e.event.idempotency_key
        for e in events
        if e.event.category is Category.STANDARDS and e.event.idempotency_key
    }


def judge(
    child_id: str,
    events: list[RecordedEvent],
    packs: PackSet,
    at: datetime,
    config: HandlerConfig,
) -> Judged:
    """The deadlines of one child's stream at ``at`` and the standards events they call for."""
    deadlines = evaluate(events, packs, at)
    keys = standards_keys(events)
    new = standards_events(deadlines, keys, at, config)
    return Judged(child_id, len(events), deadlines, keys, new, case_state(events, at))


# -- judging a batch, in a worker or in the tick's own process ---------------------------


class BatchJudge:
    """Judges whole batches against one store: reads their streams, evaluates each child and
    checks and seals its new events on its record (nothing written)."""

    def __init__(self, store: EventStore, packs: PackSet, config: HandlerConfig) -> None:
        self.store = store
        self.packs = packs
        self.config = config

    def __call__(self, child_ids: list[str], at: datetime, now: datetime) -> list[Judged] | None:
        """Each child's deadlines at ``at``, and its new events sealed as recorded at ``now``.

        None if a child has no stream or its record refuses its events (the tick then does
        the batch the single-process way, so the refusal is raised as it always was).
        """
        store = self.store
        streams = store.read_streams(child_ids)
        out: list[Judged] = []
        for child_id in child_ids:
            events = streams.pop(child_id, None)
            if events is None:
                return None
            item = judge(child_id, events, self.packs, at, self.config)
            if item.new:
                try:
                    decision = ChildRecord.rebuild(child_id, events).record(
                        item.new,
                        recorded_at=now,
                        new_id=store.new_id,
                        writer=POLICY_WRITER,
                        store_as=None if store.shredder is None else store.shredder.seal,
                    )
                except (InvalidEvent, IdempotencyConflict, SubjectErased):
                    return None
                item.sealed = [DecidedRow.of(e) for e in decision.new]
            # only what the index keeps crosses back (the open deadlines and the reported ones)
            item.deadlines = [d for d in item.deadlines if d.status in KEPT]
            out.append(item)
        return out


_WORKER: BatchJudge | None = None


def start_worker(url: str, recorder: str, packs: PackSet, config: HandlerConfig) -> None:
    """A worker process's initialiser: its own store on the same log."""
    global _WORKER
    _WORKER = BatchJudge(EventStore(url, recorder=recorder), packs, config)


def judge_batch(child_ids: list[str], at: datetime, now: datetime) -> list[Judged] | None:
    """:class:`BatchJudge` in a worker process (after :func:`start_worker`)."""
    assert _WORKER is not None, "start_worker first"
    return _WORKER(child_ids, at, now)
