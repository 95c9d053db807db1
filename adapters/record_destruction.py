"""Destroying a child's record: every check, the keys and the certificate in one transaction.

The checks (a legal hold in force, a certificate already written, which people are shared
with a sibling) read the record; the destruction blanks keys and appends a certificate. If
anything could be written between the two, a hold placed a moment earlier, or a parent added
to a sibling's record, would be missed: the record destroyed under a hold, or a sibling's
parent erased. So the destruction first takes the store's write lock — the one every event
insert takes (PostgreSQL: the recorder's transaction-scoped advisory lock; SQLite: ``BEGIN
IMMEDIATE``, the database's single writer) — then reads and checks, then destroys the keys and
appends the certificate on that same connection, and commits once. Nothing is written to
the events in between, and a crash before the commit leaves every key and no certificate:
there is never a destroyed key without its certificate, which is what
:func:`adapters.disposal_log.verify` relies on to see a certificate removed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, text

from adapters import disposal_log
from adapters.db import sql_engine
from adapters.shredding.subject_keys import metadata as subject_keys_metadata
from adapters.store import EventStore
from domain.erasure import Disposal, people_in, plan_disposal
from domain.errors import CaseLedgerError
from domain.events.base import LONDON
from domain.events.data_protection import hold_in_force
from policies.retention import Schedule as RetentionSchedule
from policies.retention import retention_of
from projections.retention_facts import retention_facts

LOCK_TIMEOUT = "30s"


class DestructionRefused(CaseLedgerError):
    """The record may not be destroyed now (what and why in the message); nothing was done."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason  # "not_found", "held" or "destroyed"


@dataclass(frozen=True)
class Destruction:
    certificate: disposal_log.Certificate
    plan: Disposal
    destroyed: list[str]
    due_now: bool
    schedule_rule: str | None


def schedule_rule_for(
    schedule: RetentionSchedule, child: str, events: list[Any]
) -> tuple[str | None, bool]:
    """The schedule's governing rule for the record today, and whether it is due.

    Read before the keys go (the birth date is needed); the certificate keeps the rule's id
    and whether it was due, never the dates (a clock start can be the birth date).
    """
    today = datetime.now(LONDON).date()
    retention = retention_of(schedule, retention_facts(child, events), today)
    governing = retention.governing
    return (governing.entry.id if governing else None), retention.due(today)


def destroy_record(
    store: EventStore,
    child: str,
    *,
    authorised_by: str,
    reason: str,
    carried_out_by: str,
    schedule: RetentionSchedule,
    rule: str | None = None,
) -> Destruction:
    """Destroy ``child``'s record (its subjects' keys) and write its disposal certificate.

    Raises :class:`DestructionRefused` (nothing done) when there is no such record, a legal
    hold is in force or the record was destroyed before, as seen under the write lock."""
    assert store.shredder is not None, "a plain store cannot be destroyed by its keys"
    engine = sql_engine(store.url)
    disposal_log.ensure(engine)  # schema first: DDL does not belong under the write lock
    subject_keys_metadata.create_all(engine)
    with _write_locked(store) as conn:
        store.forget()  # read what is stored now, under the lock, not what was cached
        events = store.stream(child)
        if not events:
            raise DestructionRefused(f"{child}: no record for that child", reason="not_found")
        held = hold_in_force(events)
        if held is not None:
            raise DestructionRefused(
                f"{child}: a legal hold is in force ({held.payload().get('reason_kind')}, "
                f"placed {held.recorded_at.date().isoformat()} by "
                f"{held.event.recorded_by.user_id}); nothing was destroyed — lift it first "
                "(`retention lift`)",
                reason="held",
            )
        earlier = disposal_log.certificate_for(conn, child)
        if earlier is not None:
            raise DestructionRefused(
                f"{child}: already destroyed (disposal certificate {earlier}); nothing was done",
                reason="destroyed",
            )
        schedule_rule, due_now = schedule_rule_for(schedule, child, events)
        people = {c: people_in(store.stream(c)) for c in store.children()}
        plan = plan_disposal(child, people)
        destroyed = store.shredder.keys.destroy(plan.subjects, by=carried_out_by, conn=conn)
        certificate = disposal_log.append_on(
            conn,
            disposal_log.certificate_content(
                child_id=child,
                subjects=plan.subjects,
                people_kept=plan.people_kept,
                rule=rule or schedule_rule or "authorised disposal",
                schedule={"rule": schedule_rule, "due": due_now},
                authorised_by=authorised_by,
                carried_out_by=carried_out_by,
                reason=reason,
                at=datetime.now(UTC),
            ),
        )
    store.forget()
    return Destruction(certificate, plan, destroyed, due_now, schedule_rule)


@contextmanager
def _write_locked(store: EventStore) -> Iterator[Connection]:
    """A connection holding the store's write lock, in a transaction committed on exit."""
    engine = sql_engine(store.url)
    if engine.dialect.name == "sqlite":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("PRAGMA secure_delete = ON")  # overwrite the freed key bytes
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.exec_driver_sql("ROLLBACK")
                raise
            conn.exec_driver_sql("COMMIT")
        return
    with engine.begin() as conn:
        conn.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
        key = getattr(store.recorder, "insert_lock_key", None)
        if key is not None:  # the lock every insert of this store's recorder takes
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        else:  # another recorder: hold back every insert into the events table
            conn.exec_driver_sql(f'LOCK TABLE "{store.events_table}" IN SHARE MODE')
        yield conn


def disposal_of(store: EventStore, child: str) -> disposal_log.Certificate | None:
    """The certificate that destroyed ``child``'s record, if it was destroyed (pages say so
    beside "[erased]"). One indexed query for a living record; none on a plain store."""
    from adapters.shredding.subject_keys import child_subject

    if store.shredder is None or not store.shredder.keys.destroyed(child_subject(child)):
        return None
    return disposal_log.certificate_of(sql_engine(store.url), child)
