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
