"""Build one child's recorded events in memory (no store) for the pure engine tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from domain.envelope import GENESIS_HASH, RecordedEvent, seal
from domain.events.base import LONDON
from tests.factories import example


class ChildStream:
    """A child's stream: events appended with a recorded-at a little after they happened."""

    def __init__(self, child_id: str = "C-DL-1", authority: str | None = None) -> None:
        self.child_id = child_id
        self.events: list[RecordedEvent] = []
        self.add(
            "child_registered", date(2015, 5, 1), recorded=datetime(2015, 5, 1, 12, tzinfo=UTC)
        )
        if authority:
            self.add("authority_recorded", date(2015, 5, 1), authority=authority)

    def add(
        self,
        kind: str,
        occurred: date | datetime | str,
        *,
        recorded: datetime | None = None,
        **fields: Any,
    ) -> RecordedEvent:
        if isinstance(occurred, str):
            occurred = (
                datetime.fromisoformat(occurred).replace(tzinfo=LONDON)
                if "T" in occurred
                else date.fromisoformat(occurred)
            )
        event = example(kind, self.child_id, occurred, **fields)
        if recorded is None:
            base = (
                occurred
                if isinstance(occurred, datetime)
                else datetime(occurred.year, occurred.month, occurred.day, 17, tzinfo=LONDON)
            )
            recorded = base.astimezone(UTC) + timedelta(minutes=30)
        item = seal(
            event_id=f"{self.child_id}-e{len(self.events) + 1}",
            position=len(self.events) + 1,
            recorded_at=recorded,
            event=event,
            prev_hash=self.events[-1].hash if self.events else GENESIS_HASH,
        )
        self.events.append(item)
        return item


def london(text: str) -> datetime:
    """An ISO date (end of that London day) or datetime (London wall clock)."""
    if "T" not in text:
        d = date.fromisoformat(text)
        return datetime(d.year, d.month, d.day, 23, 59, 59, 999999, tzinfo=LONDON)
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)
