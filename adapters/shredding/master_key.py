"""The master key that wraps every data subject's key: where it comes from.

A :class:`MasterKeyProvider` wraps and unwraps data keys; it never hands out the master key
itself, so a real KMS (which keeps its key inside) fits the same interface. The embedded
default holds a 256-bit key and wraps with AES-GCM (``cryptography``), taken, in order, from:

1. ``CASELEDGER_MASTER_KEY``: the key as hex (32 bytes);
2. ``CASELEDGER_MASTER_KEY_FILE``: a file holding it;
3. ``<store file>.master-key`` beside a SQLite store (for PostgreSQL
   ``<host>-<port>-<db>-<schema>.master-key`` in ``CASELEDGER_KEY_DIR``, default
   ``~/.caseledger/keys``), created 0600 on first use.

Lose the master key and every subject's data is unreadable (as if all were erased): back it
up apart from the database. A copy of the database alone cannot decrypt anything.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from adapters.db import Database
from adapters.key_files import ReadableByOthers, create_key_text, key_file_path, read_key_text
from domain.errors import CaseLedgerError

MASTER_KEY_BYTES = 32
NONCE_BYTES = 12


class MasterKeyError(CaseLedgerError):
    """The master key is unusable, or a wrapped key was not wrapped by it."""


class MasterKeyProvider(Protocol):
    """Wraps and unwraps data keys (a key file here; a KMS's encrypt/decrypt elsewhere)."""

    key_id: str

    def wrap(self, data_key: bytes, context: bytes) -> bytes: ...

    def unwrap(self, wrapped: bytes, context: bytes) -> bytes: ...


class LocalMasterKey:
    """The embedded provider: AES-256-GCM under a key held in a file or the environment."""

    def __init__(self, key: bytes) -> None:
        if len(key) != MASTER_KEY_BYTES:
            raise MasterKeyError(f"master key: {len(key)} bytes; it must be {MASTER_KEY_BYTES}")
        self._aead = AESGCM(key)
        self.key_id = hashlib.sha256(b"caseledger-master:" + key).hexdigest()[:16]

    def wrap(self, data_key: bytes, context: bytes) -> bytes:
        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, data_key, context)

    def unwrap(self, wrapped: bytes, context: bytes) -> bytes:
        try:
            return self._aead.decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], context)
        except InvalidTag:
            raise MasterKeyError(
                f"a subject key was not wrapped by master key {self.key_id} (wrong key file?)"
            ) from None


def master_key_path(db: Database) -> Path:
    return key_file_path(db, suffix=".master-key", named_by="CASELEDGER_MASTER_KEY_FILE")


def master_key_location(db: Database) -> str:
    """Where the embedded provider takes the store's master key from, for a person to read."""
    if os.environ.get("CASELEDGER_MASTER_KEY"):
        return "$CASELEDGER_MASTER_KEY"
    return str(master_key_path(db))


def local_master_key(db: Database, *, create: bool) -> LocalMasterKey | None:
    """The embedded provider for a store; None when there is no key and not ``create``."""
    given = os.environ.get("CASELEDGER_MASTER_KEY")
    if given:
        return LocalMasterKey(_parse(given.strip(), "CASELEDGER_MASTER_KEY"))
    path = master_key_path(db)
    try:
        text = read_key_text(path)
    except ReadableByOthers as refused:
        raise MasterKeyError(
            f"master key file {path.name}: mode {refused.mode:04o} lets others read it; chmod 600"
        ) from None
    if text is None:
        if not create:
            return None
        text = create_key_text(path, MASTER_KEY_BYTES)
    return LocalMasterKey(_parse(text, path.name))


def _parse(value: str, where: str) -> bytes:
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise MasterKeyError(f"{where}: not hex") from None
