"""A store's crypto-shredding: seal payloads on the way in, open them on the way out.

A store encrypts when its subject-keys table exists (a store created with encryption on:
``CASELEDGER_ENCRYPT=on``, or ``EventStore(encrypt=True)``, when it is first written;
``caseledger demo`` does so unless ``--plain``), and then
always. A store written before encryption keeps its plain events as they are — history is
never rewritten — and reads exactly as before.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from adapters.db import Database
from adapters.shredding.master_key import MasterKeyError, MasterKeyProvider, local_master_key
from adapters.shredding.sealing import open_sealed, seal
from adapters.shredding.subject_keys import (
    SubjectKeys,
    child_subject,
    person_subject,
    subject_keys,
)
from domain.errors import CaseLedgerError
from domain.events.base import CaseEvent

ENCRYPT_ENV = "CASELEDGER_ENCRYPT"


class EncryptedStore(CaseLedgerError):
    """An encrypted event was read without the store's keys."""


class Shredder:
    """The store's side of crypto-shredding, over one table of subject keys."""

    def __init__(self, keys: SubjectKeys) -> None:
        self.keys = keys

    def prepare(self, events: Iterable[CaseEvent]) -> None:
        """Read the keys these events may be sealed under, in one query (before :meth:`seal`)."""
        subjects: set[str] = set()
        for event in events:
            subjects.add(child_subject(event.child_id))
            # a model_fields test first: pydantic's __getattr__ for a missing name is slow
            person = (
                getattr(event, "person_id", None)
                if "person_id" in type(event).model_fields
                else None
            )
            if person:
                subjects.add(person_subject(str(person)))
        self.keys.prepare(subjects)

    def preload(self, subjects: set[str]) -> None:
        """Read the keys these subjects' boxes need, in one query (before opening a page)."""
        if subjects:
            self.keys.preload(subjects)

    def seal(self, event: CaseEvent, payload: dict[str, Any]) -> dict[str, Any]:
        """The payload as stored. A subject's first key waits for :meth:`save_keys`."""
        return seal(type(event), payload, self.keys.key_for_sealing)

    def save_keys(self) -> None:
        """Save the keys made while sealing: call before writing the sealed events."""
        self.keys.save_pending()

    def drop_keys(self) -> None:
        """Forget the keys made while sealing events that will not be written."""
        self.keys.drop_pending()

    def opened_payload(
        self, event_class: type[CaseEvent], stored: dict[str, Any]
    ) -> tuple[dict[str, Any], set[str]]:
        """The stored payload with its boxes opened, and the fields that read ``[erased]``."""
        return open_sealed(event_class, stored, self.keys.read)


def encryption_wanted() -> bool:
    return os.environ.get(ENCRYPT_ENV, "").strip().lower() in {"1", "on", "yes", "true"}


def open_shredder(
    db: Database,
    engine: Engine,
    *,
    may_create: bool,
    master: MasterKeyProvider | None = None,
    encrypt: bool | None = None,
) -> Shredder | None:
    """The store's shredder when it has a subject-keys table, or is new and encryption is on
    (``encrypt``; None: as ``CASELEDGER_ENCRYPT`` says)."""
    present = inspect(engine).has_table(subject_keys.name, schema=db.schema or None)
    wanted = encryption_wanted() if encrypt is None else encrypt
    if not present and not (may_create and wanted):
        return None
    provider = master or local_master_key(db, create=not present)
    if provider is None:
        raise MasterKeyError(
            "this store's personal data is encrypted and its master key is missing: restore "
            "the key file (or set CASELEDGER_MASTER_KEY); without it the data cannot be read"
        )
    return Shredder(SubjectKeys(engine, provider))
