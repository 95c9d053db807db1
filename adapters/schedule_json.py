"""A child's deadlines as the HTTP API sends them, encoded once per stream version and turn.

``GET /children/{id}/deadlines`` of the record as it stands is, for one stream version and
one set of packs, a function of the moment only through which side of each deadline's
thresholds the moment falls: :func:`policies.engine.judged_at` turns a deadline judged
against the far future into the one at ``at`` by two comparisons, whether ``at`` is before
its cancellation (``cancelled_at > at``) and whether it is not yet due (``at <=
effective_due``). So the encoded answer is memoised on the child's stream entry
(:meth:`adapters.store.EventStore.derived`) under the packs' key and that tuple of
comparisons, the *turn*: exact at every moment, however often a deadline falls due in a
day, and there are at most two turns a deadline over a stream version's life. A new event,
a correction or a destroyed key is a new stream entry, so nothing memoised outlives the
stream it was judged from.

Only the record as it stands is memoised, and only once everything on it had been recorded
and had happened by the moment (:meth:`adapters.store.EventStore.settled`, as
:func:`adapters.schedule.child_schedule`'s own memo); anything else is judged afresh.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Hashable, Sequence
from datetime import datetime

from adapters.packs import load_packs, packs_key
from adapters.schedule import child_schedule
from adapters.store import EventStore
from domain.envelope import RecordedEvent
from policies.engine import Deadline, evaluate_ahead
from policies.rules import PackSet

_SERVED: dict[Hashable, PackSet] = {}
_SERVED_LOCK = threading.Lock()


def served_packs() -> tuple[PackSet, Hashable]:
    """The packs as :func:`adapters.packs.load_packs` loads them now, and their key
    (:func:`adapters.packs.packs_key`): loaded, and their commencements applied, once per key
    in this process. Shared by every request: callers must not change the set."""
    key = packs_key()
    with _SERVED_LOCK:
        found = _SERVED.get(key)
    if found is None:
        found = load_packs()
        if packs_key() == key:  # not changed while loading: keep it for the next request
            with _SERVED_LOCK:
                _SERVED.clear()
                _SERVED[key] = found
    return found, key


def encode(items: object) -> bytes:
    """JSON as FastAPI's ``JSONResponse`` renders it (the same bytes either way)."""
    return json.dumps(
        items, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
    ).encode("utf-8")


def turn(ahead: Sequence[Deadline], at: datetime) -> tuple[tuple[bool, bool], ...]:
    """For each deadline judged ahead, the two comparisons :func:`judged_at` makes at ``at``."""
    return tuple(
        (d.cancelled_at is not None and d.cancelled_at > at, at <= d.effective_due) for d in ahead
    )


def deadlines_body(
    store: EventStore,
    child_id: str,
    packs: PackSet,
    at: datetime,
    *,
    stream: Sequence[RecordedEvent],
    packs_key: Hashable,
) -> bytes:
    """The encoded ``child_schedule(...).as_json()`` of the record as it stands (``stream``,
    as :meth:`EventStore.stream` gave it) at ``at``, with the default packs."""

    def judged() -> bytes:
        return encode(
            child_schedule(store, child_id, packs, at, stream=stream, packs_key=packs_key).as_json()
        )

    if not store.settled(child_id, stream, at):
        return judged()
    ahead = store.derived(
        child_id, stream, ("deadlines", packs_key), lambda: evaluate_ahead(stream, packs)
    )
    return store.derived(child_id, stream, ("deadlines_json", packs_key, turn(ahead, at)), judged)
