"""Drafts of entries not yet recorded, kept server-side so a lost session loses nothing.

A draft is what a person has typed into a record form so far: the child, the event kind and
the form's values, saved as they type. It is not part of the record (it has no position,
no hash and never reaches the feed); submitting it records the event and deletes the draft.
Only the account that wrote a draft sees it.

Drafts hold a child's personal data, so in an encrypted store the values are sealed with
the child's data key (AES-GCM, as the events are): destroying the child's record leaves
them unreadable, and :func:`delete_for_child` removes them with it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import (
    Column,
    DateTime,
    Index,
    LargeBinary,
    MetaData,
    String,
    Table,
    delete,
    inspect,
    select,
)
from sqlalchemy.engine import Engine

from adapters.shredding.subject_keys import SubjectKeys, child_subject

metadata = MetaData()
drafts = Table(
    "caseledger_drafts",
    metadata,
    Column("draft_id", String(64), primary_key=True),
    Column("user_id", String(64), nullable=False),
    Column("child_id", String(64), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("target_event_id", String(64), nullable=True),
    Column("sealed", String(1), nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("caseledger_drafts_by_user", "user_id"),
)

MAX_DRAFT_BYTES = 256 * 1024
"""One draft's values, as JSON (a form's text fields are bounded far below this)."""


def new_draft_id() -> str:
    return secrets.token_urlsafe(18)


@dataclass(frozen=True)
class Draft:
    draft_id: str
    user_id: str
    child_id: str
    kind: str
    target_event_id: str | None
    values: dict[str, Any]
    """The form's values; empty when the child's key was destroyed."""
    created_at: datetime
    updated_at: datetime


class DraftTooLarge(ValueError):
    pass


class DraftClosed(ValueError):
    """The draft was submitted or discarded: a late save (a script's last keystroke) must not
    bring it back."""


CLOSED = "-"
"""``sealed`` of a draft submitted or discarded: its values are gone, its id is kept."""


class Drafts:
    """The drafts table of one store, sealing values with the child's key when it has keys."""

    def __init__(self, engine: Engine, keys: SubjectKeys | None) -> None:
        self.engine = engine
        self.keys = keys
        self._ready = False

    def _table(self, create: bool) -> bool:
        if not self._ready:
            if create:
                metadata.create_all(self.engine)
                self._ready = True
            else:
                self._ready = inspect(self.engine).has_table(drafts.name)
        return self._ready

    def _seal(self, child_id: str, values: dict[str, Any]) -> tuple[str, bytes]:
        body = orjson.dumps(values)
        if len(body) > MAX_DRAFT_BYTES:
            raise DraftTooLarge(f"a draft is at most {MAX_DRAFT_BYTES:,} bytes")
        if self.keys is None:
            return "n", body
        key = self.keys.key_for_writing(child_subject(child_id))
        nonce = secrets.token_bytes(12)
        return "y", nonce + AESGCM(key).encrypt(nonce, body, f"draft:{child_id}".encode())

    def _open(self, child_id: str, sealed: str, body: bytes) -> dict[str, Any]:
        if sealed == "n":
            values: dict[str, Any] = orjson.loads(body)
            return values
        key = self.keys.read(child_subject(child_id)) if self.keys is not None else None
        if key is None:
            return {}
        opened: dict[str, Any] = orjson.loads(
            AESGCM(key).decrypt(body[:12], body[12:], f"draft:{child_id}".encode())
        )
        return opened

    def save(
        self,
        draft_id: str,
        *,
        user_id: str,
        child_id: str,
        kind: str,
        values: dict[str, Any],
        target_event_id: str | None = None,
        now: datetime | None = None,
    ) -> Draft:
        """Create or overwrite the account's draft. A draft id held by another account, or
        by another child or kind, is never overwritten (PermissionError)."""
        moment = now or datetime.now(UTC)
        sealed, body = self._seal(child_id, values)
        self._table(create=True)
        with self.engine.begin() as conn:
            row = conn.execute(
                select(
                    drafts.c.user_id,
                    drafts.c.child_id,
                    drafts.c.kind,
                    drafts.c.created_at,
                    drafts.c.sealed,
                )
                .where(drafts.c.draft_id == draft_id)
                .with_for_update()
            ).first()
            if row is None:
                conn.execute(
                    drafts.insert().values(
                        draft_id=draft_id,
                        user_id=user_id,
                        child_id=child_id,
                        kind=kind,
                        target_event_id=target_event_id,
                        sealed=sealed,
                        body=body,
                        created_at=moment,
                        updated_at=moment,
                    )
                )
                created = moment
            else:
                if (row[0], row[1], row[2]) != (user_id, child_id, kind):
                    raise PermissionError("that draft belongs to another form")
                if row[4] == CLOSED:
                    raise DraftClosed("that draft was already recorded or discarded")
                conn.execute(
                    drafts.update()
                    .where(drafts.c.draft_id == draft_id)
                    .values(sealed=sealed, body=body, updated_at=moment)
                )
                created = row[3]
        return Draft(draft_id, user_id, child_id, kind, target_event_id, values, created, moment)

    def get(self, draft_id: str, user_id: str) -> Draft | None:
        """The account's draft (None when it is not theirs or does not exist)."""
        if not self._table(create=False):
            return None
        with self.engine.connect() as conn:
            row = conn.execute(
                select(drafts).where(
                    drafts.c.draft_id == draft_id,
                    drafts.c.user_id == user_id,
                    drafts.c.sealed != CLOSED,
                )
            ).first()
        return None if row is None else self._draft(row)

    def for_user(self, user_id: str) -> list[Draft]:
        """The account's drafts, the most recently touched first."""
        if not self._table(create=False):
            return []
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(drafts)
                .where(drafts.c.user_id == user_id, drafts.c.sealed != CLOSED)
                .order_by(drafts.c.updated_at.desc())
            ).all()
        return [self._draft(row) for row in rows]

    def delete(self, draft_id: str, user_id: str) -> bool:
        """Close the account's draft (recorded or discarded): its values are wiped, and its id
        is kept so a save arriving late cannot bring it back."""
        if not self._table(create=False):
            return False
        with self.engine.begin() as conn:
            done = conn.execute(
                drafts.update()
                .where(drafts.c.draft_id == draft_id, drafts.c.user_id == user_id)
                .values(sealed=CLOSED, body=b"", updated_at=datetime.now(UTC))
            )
        return bool(done.rowcount)

    def delete_for_child(self, child_id: str) -> int:
        """Every account's drafts for one child (its record is being destroyed)."""
        if not self._table(create=False):
            return 0
        with self.engine.begin() as conn:
            done = conn.execute(delete(drafts).where(drafts.c.child_id == child_id))
        return int(done.rowcount or 0)

    def _draft(self, row: Any) -> Draft:
        m = row._mapping
        created, updated = m["created_at"], m["updated_at"]
        if created.tzinfo is None:  # SQLite gives naive datetimes back
            created, updated = created.replace(tzinfo=UTC), updated.replace(tzinfo=UTC)
        return Draft(
            draft_id=m["draft_id"],
            user_id=m["user_id"],
            child_id=m["child_id"],
            kind=m["kind"],
            target_event_id=m["target_event_id"],
            values=self._open(m["child_id"], m["sealed"], bytes(m["body"])),
            created_at=created,
            updated_at=updated,
        )


def drafts_of(store: Any) -> Drafts:
    """The drafts of an open :class:`adapters.store.EventStore`."""
    from adapters.db import sql_engine

    keys = store.shredder.keys if store.shredder is not None else None
    return Drafts(sql_engine(store.url), keys)
