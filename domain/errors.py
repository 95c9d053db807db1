"""Errors a caller can act on: each names the event, the field and the rule broken."""

from __future__ import annotations


class CaseLedgerError(Exception):
    """Base class for errors the product reports to its users."""


class InvalidEvent(CaseLedgerError):
    """An event (or a command that would write one) breaks a rule; nothing was written."""

    def __init__(
        self,
        rule: str,
        *,
        field: str | None = None,
        kind: str | None = None,
        index: int | None = None,
    ) -> None:
        self.rule = rule
        self.field = field
        self.kind = kind
        self.index = index
        super().__init__(self.describe())

    def describe(self) -> str:
        where = []
        if self.index is not None:
            where.append(f"event {self.index}")
        if self.kind:
            where.append(f"({self.kind})")
        if self.field:
            where.append(f"field '{self.field}'")
        prefix = " ".join(where)
        return f"{prefix}: {self.rule}" if prefix else self.rule

    def at(self, index: int) -> InvalidEvent:
        """The same error, numbered by its place in the caller's batch."""
        return InvalidEvent(self.rule, field=self.field, kind=self.kind, index=index)


class ConcurrencyConflict(CaseLedgerError):
    """Another writer appended to the same child's stream first; reload and try again."""


class UnknownChild(CaseLedgerError):
    """No stream exists for that child id."""


class IdempotencyConflict(CaseLedgerError):
    """An idempotency key already stored with different content: nothing was written.

    Names the key, the earlier event (its id and position) and what differs, so the caller
    can tell a retried command (same key, same content: an idempotent success) from two
    different entries given one key (a conflict, never a silent "recorded").
    """

    def __init__(
        self,
        key: str,
        *,
        earlier_event_id: str,
        earlier_position: int,
        child_id: str,
        differs: str,
        index: int | None = None,
    ) -> None:
        self.key = key
        self.earlier_event_id = earlier_event_id
        self.earlier_position = earlier_position
        self.child_id = child_id
        self.differs = differs
        self.index = index
        where = f"event {index}: " if index is not None else ""
        super().__init__(
            f"{where}field 'idempotency_key': {key!r} was already used on the record of child "
            f"{child_id!r} by event {earlier_event_id} (position {earlier_position}) with a "
            f"different {differs}; nothing was written — give a new key for a new entry"
        )

    def at(self, index: int) -> IdempotencyConflict:
        return IdempotencyConflict(
            self.key,
            earlier_event_id=self.earlier_event_id,
            earlier_position=self.earlier_position,
            child_id=self.child_id,
            differs=self.differs,
            index=index,
        )
