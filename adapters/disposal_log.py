"""The disposal log: a certificate for each destroyed record, append-only and hash-chained.

Its own table (``caseledger_disposals``), apart from the events and the subject keys, so it
outlives the record it certifies: what was destroyed (the child's id and the subjects whose
keys went), when, under which rule, who authorised it and who carried it out, and why. Each
certificate's hash covers its content and the previous certificate's hash, like the event
streams; :func:`verify` walks the chain. It names ids, never a name.

The database itself refuses to change a certificate: triggers on SQLite and PostgreSQL abort
any UPDATE or DELETE (and TRUNCATE on PostgreSQL), as they do for the events and the access
log. Someone who can drop a trigger (the schema's owner) can still rewrite a row; the chain
then shows it to ``verify``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, select, text
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


def _hash(number: int, content: dict[str, Any], prev_hash: str) -> str:
    body = canonical_json({"number": number, "content": content, "prev_hash": prev_hash})
    return hashlib.sha256(body).hexdigest()


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
    """Write the next certificate (in one transaction with the caller's reads of the head)."""
    ensure(engine)
    with engine.begin() as conn:
        last = conn.execute(
            select(disposals.c.number, disposals.c.hash).order_by(disposals.c.number.desc())
        ).first()
        number, prev = (1, GENESIS_HASH) if last is None else (last[0] + 1, last[1])
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


def certificates(engine: Engine) -> list[Certificate]:
    import json

    from sqlalchemy import inspect

    if not inspect(engine).has_table(disposals.name):
        return []
    with engine.connect() as conn:
        rows = conn.execute(select(disposals).order_by(disposals.c.number)).all()
    return [Certificate(r.number, json.loads(r.certificate), r.hash) for r in rows]


def verify(engine: Engine) -> list[str]:
    """Problems in the chain (empty when every certificate matches its hash and link)."""
    import json

    from sqlalchemy import inspect

    if not inspect(engine).has_table(disposals.name):
        return []
    problems = []
    prev = GENESIS_HASH
    with engine.connect() as conn:
        rows = conn.execute(select(disposals).order_by(disposals.c.number)).all()
    for expected, row in enumerate(rows, start=1):
        if row.number != expected:
            problems.append(f"certificate {expected} is missing")
        if (
            row.prev_hash != prev
            or _hash(row.number, json.loads(row.certificate), prev) != row.hash
        ):
            problems.append(f"certificate {row.number} does not match its hash (altered)")
        prev = row.hash
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
