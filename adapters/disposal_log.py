"""The disposal log: a certificate for each destroyed record, append-only and hash-chained.

Its own table (``caseledger_disposals``), apart from the events and the subject keys, so it
outlives the record it certifies: what was destroyed (the child's id and the subjects whose
keys went), when, under which rule, who authorised it and who carried it out, and why. Each
certificate's hash covers its content and the previous certificate's hash, like the event
streams; :func:`verify` walks the chain. It names ids, never a name.

**Its place in the feed.** Each certificate is also a purge message for downstream
consumers (:mod:`adapters.purges`). A certificate records ``feed_position``: the last
event position in the store's notification log when it was written (read in the same
transaction), inside the hashed content. The feed puts the purge right after that event,
so it follows every event of the child written before the destruction, and a reader
resuming from a stored (event position, purge number) pair gets it exactly once.

The database itself refuses to change a certificate: triggers on SQLite and PostgreSQL abort
any UPDATE or DELETE (and TRUNCATE on PostgreSQL), as they do for the events and the access
log. Someone who can drop a trigger (the schema's owner) can still rewrite a row; the chain
then shows it to ``verify``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Engine

from domain.envelope import GENESIS_HASH, canonical_json

metadata = MetaData()
disposals = Table(
    "caseledger_disposals",
    metadata,
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("certificate", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)


@dataclass(frozen=True)
class Certificate:
    number: int
    content: dict[str, Any]
    hash: str

    @property
    def destroyed_at(self) -> datetime:
        """When the record's keys were destroyed (as the certificate states it, aware)."""
        return datetime.fromisoformat(self.content["destroyed_at"])


def _hash(number: int, content: dict[str, Any], prev_hash: str) -> str:
    body = canonical_json({"number": number, "content": content, "prev_hash": prev_hash})
    return hashlib.sha256(body).hexdigest()


EVENT_TABLES = {"caseledger_events": "notification_id", "stored_events": None}
"""The store's events table and its notification id column (SQLite's is the rowid)."""


def log_head(conn: Connection) -> int | None:
    """The last position of the store's notification log (None: no events table here)."""
    names = set(inspect(conn).get_table_names())
    for table, column in EVENT_TABLES.items():
        if table in names:
            if column is None:
                column = "rowid" if conn.dialect.name == "sqlite" else "notification_id"
            value = conn.exec_driver_sql(f"SELECT MAX({column}) FROM {table}").scalar()
            return int(value or 0)
    return None


APPEND_ONLY = "the disposal log is append-only"


def ensure(engine: Engine) -> None:
    """The table and the triggers that make it append-only (idempotent)."""
    metadata.create_all(engine)
    table = disposals.name
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            for verb in ("UPDATE", "DELETE"):
                conn.execute(
                    text(
                        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()} BEFORE {verb} "
                        f"ON {table} BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}: {verb} "
                        "refused'); END"
                    )
                )
            return
        exists = conn.execute(
            text(
                "SELECT 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = :name AND c.oid = to_regclass(:table)"
            ),
            {"name": f"{table}_append_only", "table": table},
        ).first()
        if exists is not None:  # (an application role that does not own the table skips this)
            return
        conn.execute(
            text(
                f"CREATE OR REPLACE FUNCTION {table}_refuse() RETURNS trigger AS $$ BEGIN "
                f"RAISE EXCEPTION '{APPEND_ONLY}: % refused', TG_OP; END $$ LANGUAGE plpgsql"
            )
        )
        conn.execute(
            text(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {table}_refuse()"
            )
        )


def append(engine: Engine, content: dict[str, Any]) -> Certificate:
    """Write the next certificate in a transaction of its own."""
    ensure(engine)
    with engine.begin() as conn:
        return append_on(conn, content)


def append_on(conn: Connection, content: dict[str, Any]) -> Certificate:
    """Write the next certificate in the caller's transaction (its table exists: ``ensure``).

    The head is read in that transaction. The content gains ``feed_position`` (the log's
    last position now; never before the previous certificate's) unless the caller gave one.
    """
    last = conn.execute(
        select(disposals.c.number, disposals.c.hash, disposals.c.certificate).order_by(
            disposals.c.number.desc()
        )
    ).first()
    number, prev = (1, GENESIS_HASH) if last is None else (last[0] + 1, last[1])
    if "feed_position" not in content:
        import json

        head = log_head(conn) or 0
        before = json.loads(last[2]).get("feed_position", 0) if last is not None else 0
        content = {**content, "feed_position": max(head, int(before or 0))}
    digest = _hash(number, content, prev)
    conn.execute(
        disposals.insert().values(
            number=number,
            certificate=canonical_json(content).decode(),
            prev_hash=prev,
            hash=digest,
        )
    )
    return Certificate(number, content, digest)


def certificates(source: Engine | Connection) -> list[Certificate]:
    """Every certificate, oldest first. ``source``: an engine, or a connection already inside
    a transaction (the destroy command reads under its write lock)."""
    import json

    from sqlalchemy import inspect

    if not inspect(source).has_table(disposals.name):
        return []
    query = select(disposals).order_by(disposals.c.number)
    if isinstance(source, Connection):
        rows = source.execute(query).all()
    else:
        with source.connect() as conn:
            rows = conn.execute(query).all()
    return [Certificate(r.number, json.loads(r.certificate), r.hash) for r in rows]


def certificate_of(source: Engine | Connection, child: str) -> Certificate | None:
    """The certificate that destroyed ``child``'s record, if any."""
    return next((c for c in certificates(source) if c.content.get("child_id") == child), None)


def certificate_for(source: Engine | Connection, child: str) -> int | None:
    """The number of the certificate that destroyed ``child``'s record, if any."""
    found = certificate_of(source, child)
    return None if found is None else found.number


def destroyed_keys(store: Any) -> list[str]:
    """The subjects whose keys ``store`` (an ``EventStore``) has destroyed, for :func:`verify`."""
    shredder = getattr(store, "shredder", None)
    return [] if shredder is None else list(shredder.keys.destroyed_subjects())


def verify(engine: Engine, destroyed_subjects: Iterable[str] = ()) -> list[str]:
    """Problems in the chain (empty when every certificate matches its hash and link, and
    every subject whose key is destroyed is named by a certificate).

    ``destroyed_subjects``: the subjects-key table's destroyed rows. A record's keys and its
    certificate are written in one transaction (:mod:`adapters.record_destruction`), so a
    destroyed key that no certificate names means a certificate was removed — the chain of
    those left cannot show the last one gone."""
    import json

    from sqlalchemy import inspect

    rows: list[Any] = []
    if inspect(engine).has_table(disposals.name):
        with engine.connect() as conn:
            rows = list(conn.execute(select(disposals).order_by(disposals.c.number)).all())
    problems = []
    prev = GENESIS_HASH
    for expected, row in enumerate(rows, start=1):
        if row.number != expected:
            problems.append(f"certificate {expected} is missing")
        if (
            row.prev_hash != prev
            or _hash(row.number, json.loads(row.certificate), prev) != row.hash
        ):
            problems.append(f"certificate {row.number} does not match its hash (altered)")
        prev = row.hash
    certified = {
        subject
        for row in rows
        for subject in json.loads(row.certificate).get("subjects_destroyed", [])
    }
    uncertified = sorted(set(destroyed_subjects) - certified)
    if uncertified:
        shown = ", ".join(uncertified[:5]) + (" …" if len(uncertified) > 5 else "")
        problems.append(
            f"{len(uncertified)} destroyed key(s) with no certificate ({shown}): a certificate "
            "was removed from the log, or keys were destroyed outside `retention destroy`"
        )
    return problems


def certificate_content(
    *,
    child_id: str,
    subjects: list[str],
    people_kept: dict[str, tuple[str, ...]],
    rule: str,
    authorised_by: str,
    carried_out_by: str,
    reason: str,
    at: datetime,
    schedule: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A certificate's content. ``schedule``: the retention schedule's rule for the record
    and whether it was due that day (ids and a flag only: no date, which could be a birth)."""
    return {
        "child_id": child_id,
        "subjects_destroyed": subjects,
        "people_kept": {p: list(c) for p, c in people_kept.items()},
        "rule": rule,
        **({"schedule": schedule} if schedule is not None else {}),
        "authorised_by": authorised_by,
        "carried_out_by": carried_out_by,
        "reason": reason,
        "destroyed_at": at.isoformat(),
    }
