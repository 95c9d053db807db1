"""What a read model is, for the runner and the partitioned rebuild alike.

A read model is any object with:
- ``name``: a stable name (its row in ``readmodel_positions``);
- ``metadata``: the SQLAlchemy ``MetaData`` holding its tables;
- ``apply(conn, events)``: write the rows for a batch of recorded events (in global order).

It may also name ``replay_indexes``: the indexes its ``apply`` reads through. A partitioned
rebuild stages rows with only those and builds the others after the merge; without it, every
index is kept while staging.

Its own module so that :mod:`adapters.readmodels.runner` (which calls the partitioned rebuild)
and :mod:`adapters.readmodels.partitioned` (which replays read models) both depend on it
rather than on each other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from sqlalchemy import Connection, MetaData

from domain.envelope import RecordedEvent

Progress = Callable[[int, int], None]
"""Called with (events processed so far, events to process in all)."""


class ReadModel(Protocol):
    name: str
    metadata: MetaData

    def apply(self, conn: Connection, events: Sequence[RecordedEvent]) -> None: ...
