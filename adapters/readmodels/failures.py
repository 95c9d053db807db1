"""Events a read model could not take: skipped, logged and kept on record, never blocking others.

One stored event that a read model cannot decode or write (a NUL that PostgreSQL refuses in
text, a shape a projection does not expect) must not stop the read model for every other
child. The runner applies the page again one event at a time, skips the event that fails,
and records it here (model, log position, child, event id, the error's class — never the
event's content, which may be personal data). ``caseledger verify`` lists them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    select,
)

failures_metadata = MetaData()
readmodel_failures = Table(
    "readmodel_failures",
    failures_metadata,
    Column("model", String(100), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("child_id", String(64), nullable=False),
    Column("event_id", String(64), nullable=False),
    Column("error", String(200), nullable=False),
    Column("failed_at", DateTime(timezone=True), nullable=False),
)


def transient(error: BaseException) -> bool:
    """A failure of the connection or the server, not of an event: never skip events for it."""
    from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError

    if isinstance(error, OperationalError | InterfaceError | DisconnectionError):
        return True
    return bool(getattr(error, "connection_invalidated", False))


def record_failure(
    conn: Connection, model: str, position: int, child_id: str, event_id: str, error: BaseException
) -> None:
    conn.execute(
        readmodel_failures.insert().values(
            model=model,
            position=position,
            child_id=child_id[:64],
            event_id=event_id[:64],
            error=type(error).__name__[:200],
            failed_at=datetime.now(UTC),
        )
    )


def list_failures(engine: Engine) -> list[dict[str, object]]:
    """Every recorded failure (none if no read model ever failed or ran)."""
    from sqlalchemy import inspect

    if not inspect(engine).has_table("readmodel_failures"):
        return []
    with engine.connect() as conn:
        rows = conn.execute(select(readmodel_failures).order_by(readmodel_failures.c.position))
        return [dict(row._mapping) for row in rows]
