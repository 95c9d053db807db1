"""Each data subject's key, in its own mutable table beside the (append-only) events.

``caseledger_subject_keys``: one row per subject (``child:<id>`` or ``person:<id>``) holding
the subject's AES-256 data key wrapped by the master key. Destroying a subject blanks the
wrapped key and records when and by whom; the events table is never touched, so the hash
chains (which cover the ciphertext as stored) verify as before. On SQLite the table's
database runs with ``secure_delete`` so the old key's bytes are overwritten, not left in a
free page.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    LargeBinary,
    MetaData,
    String,
    Table,
    inspect,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from adapters.logging import get_logger
from adapters.shredding.master_key import MasterKeyProvider

DATA_KEY_BYTES = 32
log = get_logger(__name__)

metadata = MetaData()
subject_keys = Table(
    "caseledger_subject_keys",
    metadata,
    Column("subject_id", String(80), primary_key=True),
    Column("wrapped_key", LargeBinary, nullable=True),
    Column("master_key_id", String(32), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("destroyed_at", DateTime(timezone=True), nullable=True),
    Column("destroyed_by", String(200), nullable=True),
)
destroyed_index = Index("ix_caseledger_subject_keys_destroyed_at", subject_keys.c.destroyed_at)
"""So a writer's one question per batch — was any key destroyed since I last asked? — is one
index step, whatever the number of subjects."""


def child_subject(child_id: str) -> str:
    return f"child:{child_id}"


def person_subject(person_id: str) -> str:
    return f"person:{person_id}"


_LATEST_DESTROYED = f"SELECT MAX(destroyed_at) FROM {subject_keys.name}"
"""Asked before every read and write (:meth:`SubjectKeys.forget_if_destroyed_since`); the
index on ``destroyed_at`` answers it. Unqualified: a PostgreSQL schema is the search_path."""


class SubjectKeys:
    """Create, read and destroy subjects' data keys (unwrapped keys are cached per process)."""

    def __init__(self, engine: Engine, master: MasterKeyProvider) -> None:
        self.engine = engine
        self.master = master
        self._keys: dict[str, bytes | None] = {}
        self._table_ready = False
        self._last_destroyed: object = None
        """The newest destroyed_at seen, as the driver gives it (only compared for change)."""
        self._pending: dict[str, bytes] = {}
        """Keys made for sealing and not yet in the table (:meth:`save_pending` writes them)."""
        self._absent: set[str] = set()
        """Subjects :meth:`prepare` found without a row (for the write being prepared)."""
        self._destroyed: set[str] = set()
        """Subjects :meth:`prepare` found destroyed."""

    def _ensure_table(self) -> None:
        """Create the table (and, on a store made before it, its index) on the first write
        (a read never writes)."""
        if not self._table_ready:
            metadata.create_all(self.engine)
            try:
                destroyed_index.create(self.engine, checkfirst=True)
            except DBAPIError:  # a role that may only read and insert: it is owner's to make
                log.warning("subject_keys_index_missing", index=destroyed_index.name)
            self._table_ready = True

    def forget_if_destroyed_since(self) -> None:
        """Before a write or a read: if any key was destroyed since this process last asked (by
        ``retention destroy`` in another process, say), drop every unwrapped key held in
        memory, so a destroyed subject's key is asked of the table again and refused.

        One indexed query per write batch or read (it writes nothing); without it a
        long-running server would go on decrypting a destroyed subject, and sealing new
        entries of a destroyed record, with the key it still remembers.
        """
        if not self._keys or not self._has_table():
            return
        with self.engine.connect() as conn:  # plain SQL: no statement to build and key each time
            latest = conn.exec_driver_sql(_LATEST_DESTROYED).scalar()
        if latest is not None and latest != self._last_destroyed:
            self._keys.clear()
        self._last_destroyed = latest

    def _context(self, subject: str) -> bytes:
        return f"caseledger-subject-key:{subject}".encode()

    def key_for_writing(self, subject: str) -> bytes:
        """The subject's key, created on first use; a destroyed subject cannot be written."""
        if subject in self._pending:
            self.save_pending()
        if subject in self._keys and self._keys[subject] is not None:
            return self._keys[subject]  # type: ignore[return-value]
        found = self.read(subject)
        if found is not None:
            return found
        if self.destroyed(subject):
            raise SubjectErased(subject)
        key = secrets.token_bytes(DATA_KEY_BYTES)
        self._ensure_table()
        with self.engine.begin() as conn:
            conn.execute(subject_keys.insert().values(self._row(subject, key, datetime.now(UTC))))
        self._keys[subject] = key
        return key

    # -- sealing a batch: one query for the keys it needs, one transaction for the new ones ---

    def prepare(self, subjects: Iterable[str]) -> None:
        """Read, in one query per 500, the keys of these subjects not known yet.

        For a write about to seal under them (:meth:`key_for_sealing`): instead of two
        queries and a transaction for each subject new to this process. Subjects found
        without a row are remembered as absent for this write only (the next ``prepare``
        forgets them), so a key another process makes meanwhile is not overlooked for long;
        if it is, saving ours meets the table's primary key and nothing is written.
        """
        self._absent = set()
        wanted = sorted({s for s in subjects if s not in self._keys and s not in self._pending})
        if not wanted:
            return
        found = self._fetch(wanted) if self._has_table() else set()
        self._absent.update(s for s in wanted if s not in found)

    def preload(self, subjects: Iterable[str]) -> None:
        """Read, in one query per 500, the keys of these subjects not held yet, for a page
        of rows about to be opened (:func:`adapters.decoding.decode_rows`): what
        :meth:`read` would ask one subject at a time. A subject without a row is not
        remembered (as :meth:`read` does not): its box reads ``[erased]``."""
        wanted = sorted({s for s in subjects if s not in self._keys})
        if wanted and self._has_table():
            self._fetch(wanted)

    def _fetch(self, wanted: list[str]) -> set[str]:
        """Read and unwrap the keys of ``wanted`` (None for a destroyed one) into memory;
        gives the subjects that have a row."""
        found: set[str] = set()
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), 500):
                rows = conn.execute(
                    select(
                        subject_keys.c.subject_id,
                        subject_keys.c.wrapped_key,
                        subject_keys.c.destroyed_at,
                    ).where(subject_keys.c.subject_id.in_(wanted[start : start + 500]))
                )
                for subject, wrapped, destroyed_at in rows:
                    found.add(subject)
                    self._keys[subject] = (
                        None
                        if wrapped is None
                        else self.master.unwrap(bytes(wrapped), self._context(subject))
                    )
                    if destroyed_at is not None:
                        self._destroyed.add(subject)
        return found

    def key_for_sealing(self, subject: str) -> bytes:
        """The subject's key for an event being sealed; a new one waits for :meth:`save_pending`.

        The caller saves the pending keys before it writes anything sealed under them, or
        drops them (:meth:`drop_pending`) if it writes nothing. A subject neither known nor
        prepared is asked about as :meth:`key_for_writing` asks.
        """
        key = self._keys.get(subject) or self._pending.get(subject)
        if key is not None:
            return key
        if subject in self._destroyed:
            raise SubjectErased(subject)
        if subject not in self._absent:
            found = self.read(subject)
            if found is not None:
                return found
            if self.destroyed(subject):
                raise SubjectErased(subject)
        key = secrets.token_bytes(DATA_KEY_BYTES)
        self._pending[subject] = key
        return key

    def save_pending(self) -> None:
        """Write every pending key in one transaction (before the events sealed under them).

        If another process made a key for one of the same subjects meanwhile, the table's
        primary key refuses the lot: nothing is saved, the pending keys are dropped and
        ``sqlalchemy.exc.IntegrityError`` is raised (the events must not be written).
        """
        if not self._pending:
            return
        self._ensure_table()
        now = datetime.now(UTC)
        rows = [self._row(subject, key, now) for subject, key in self._pending.items()]
        try:
            with self.engine.begin() as conn:
                conn.execute(subject_keys.insert(), rows)
        except BaseException:
            self.drop_pending()
            raise
        self._keys.update(self._pending)
        self._absent.difference_update(self._pending)
        self._pending.clear()

    def drop_pending(self) -> None:
        """Forget the keys made for a write that wrote nothing."""
        self._pending.clear()
        self._absent = set()

    def _row(self, subject: str, key: bytes, now: datetime) -> dict[str, object]:
        return {
            "subject_id": subject,
            "wrapped_key": self.master.wrap(key, self._context(subject)),
            "master_key_id": self.master.key_id,
            "created_at": now,
        }

    def read(self, subject: str) -> bytes | None:
        """The subject's key, or None when it never existed or was destroyed."""
        if subject in self._keys:
            return self._keys[subject]
        if not self._has_table():
            return None
        with self.engine.connect() as conn:
            row = conn.execute(
                select(subject_keys.c.wrapped_key).where(subject_keys.c.subject_id == subject)
            ).first()
        key = None
        if row is not None and row[0] is not None:
            key = self.master.unwrap(bytes(row[0]), self._context(subject))
        if row is not None:
            self._keys[subject] = key
        return key

    def _has_table(self) -> bool:
        if not self._table_ready:
            self._table_ready = inspect(self.engine).has_table(subject_keys.name)
        return self._table_ready

    def destroyed(self, subject: str) -> bool:
        return bool(self.destroyed_among([subject]))

    def destroyed_among(self, subjects: Iterable[str]) -> set[str]:
        """Those of ``subjects`` whose keys have been destroyed (by any process), in one query:
        a long-lived reader asks before handing out what it decrypted earlier."""
        wanted = sorted(set(subjects))
        if not wanted or not self._has_table():
            return set()
        found: set[str] = set()
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), 500):
                rows = conn.execute(
                    select(subject_keys.c.subject_id)
                    .where(subject_keys.c.subject_id.in_(wanted[start : start + 500]))
                    .where(subject_keys.c.destroyed_at.is_not(None))
                )
                found.update(row[0] for row in rows)
        return found

    def forget(self, subjects: Iterable[str]) -> None:
        """Drop these subjects' unwrapped keys from this process's memory (destroyed
        elsewhere): the next read asks the table again."""
        for subject in subjects:
            self._keys.pop(subject, None)
            self._destroyed.discard(subject)

    def destroy(
        self, subjects: Iterable[str], *, by: str, conn: Connection | None = None
    ) -> list[str]:
        """Blank each subject's key for good; returns those destroyed now (not before).

        ``conn``: the caller's transaction (a record's destruction writes its certificate in
        the same one); without it, a transaction of its own."""
        if conn is None:
            self._ensure_table()
            with self.engine.begin() as own:
                if self.engine.dialect.name == "sqlite":  # overwrite freed bytes, not unlink
                    own.exec_driver_sql("PRAGMA secure_delete = ON")
                return self.destroy(subjects, by=by, conn=own)
        done: list[str] = []
        now = datetime.now(UTC)
        for subject in subjects:
            result = conn.execute(
                update(subject_keys)
                .where(subject_keys.c.subject_id == subject)
                .where(subject_keys.c.destroyed_at.is_(None))
                .values(wrapped_key=None, destroyed_at=now, destroyed_by=by)
            )
            if result.rowcount:
                done.append(subject)
            self._keys.pop(subject, None)  # asked again after the caller's commit (or rollback)
        return done

    def destroyed_subjects(self) -> list[str]:
        """Every subject whose key has been destroyed (for the disposal log's cross-check)."""
        if not self._has_table():
            return []
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(subject_keys.c.subject_id).where(subject_keys.c.destroyed_at.is_not(None))
            )
            return sorted(row[0] for row in rows)


class SubjectErased(Exception):
    """A subject whose key was destroyed cannot have new data written under it."""

    def __init__(self, subject: str) -> None:
        super().__init__(f"{subject}: this subject's data was destroyed; nothing can be added")
        self.subject = subject
