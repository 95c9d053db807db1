"""The key that signs checkpoints: where it lives, how it is made, how it signs.

A checkpoint of every stream head is signed with HMAC-SHA256 (the ``cryptography``
package) under a key the application holds and the database does not: someone who can
rewrite the database, hashes and all, cannot sign the result.

The key comes from, in order:

1. ``CASELEDGER_CHECKPOINT_KEY``: the key itself, as hex (at least 32 bytes);
2. ``CASELEDGER_KEY_FILE``: a file holding it;
3. a file beside the store, created on first use with mode 0600: ``<file>.key`` for a
   SQLite store; for PostgreSQL ``<host>-<port>-<db>-<schema>.key`` in
   ``CASELEDGER_KEY_DIR`` (default ``~/.caseledger/keys``).

A key file readable by group or others is refused (like ssh does a private key). The key's
id (the first 16 hex digits of its SHA-256) is stored with each checkpoint, so a checkpoint
signed under another key says so instead of looking forged.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, hmac

from adapters.db import Database
from adapters.key_files import ReadableByOthers, create_key_text, key_file_path, read_key_text
from domain.errors import CaseLedgerError

KEY_BYTES = 32


class CheckpointKeyError(CaseLedgerError):
    """The checkpoint key is unusable (bad hex, too short, a file others can read)."""


def key_path(db: Database) -> Path:
    """Where the store's key file is (whether or not it exists yet)."""
    return key_file_path(db, suffix=".key", named_by="CASELEDGER_KEY_FILE")


def load_key(db: Database, *, create: bool) -> bytes | None:
    """The store's checkpoint key; created (0600) when missing and ``create``, else None."""
    given = os.environ.get("CASELEDGER_CHECKPOINT_KEY")
    if given:
        return _parse(given.strip(), "CASELEDGER_CHECKPOINT_KEY")
    path = key_path(db)
    try:
        text = read_key_text(path)
    except ReadableByOthers as refused:
        raise CheckpointKeyError(
            f"checkpoint key file {path.name}: mode {refused.mode:04o} lets others read it; "
            "make it 0600 (chmod 600)"
        ) from None
    if text is None:
        if not create:
            return None
        text = create_key_text(path, KEY_BYTES)
    return _parse(text, f"key file {path.name}")


def _parse(value: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(value)
    except ValueError:
        raise CheckpointKeyError(f"{where}: not hex") from None
    if len(key) < KEY_BYTES:
        raise CheckpointKeyError(f"{where}: {len(key)} bytes; give at least {KEY_BYTES}")
    return key


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:16]


def sign(key: bytes, data: bytes) -> str:
    mac = hmac.HMAC(key, hashes.SHA256())
    mac.update(data)
    return mac.finalize().hex()


def signature_matches(key: bytes, data: bytes, signature: str) -> bool:
    mac = hmac.HMAC(key, hashes.SHA256())
    mac.update(data)
    try:
        mac.verify(bytes.fromhex(signature))
    except (InvalidSignature, ValueError):
        return False
    return True
