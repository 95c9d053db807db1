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
import secrets
import stat
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, hmac

from adapters.db import Database
from domain.errors import CaseLedgerError

KEY_BYTES = 32


class CheckpointKeyError(CaseLedgerError):
    """The checkpoint key is unusable (bad hex, too short, a file others can read)."""


def key_path(db: Database) -> Path:
    """Where the store's key file is (whether or not it exists yet)."""
    named = os.environ.get("CASELEDGER_KEY_FILE")
    if named:
        return Path(named)
    if db.is_sqlite:
        return Path(f"{db.path}.key")
    folder = Path(os.environ.get("CASELEDGER_KEY_DIR") or Path.home() / ".caseledger" / "keys")
    name = f"{db.host}-{db.port}-{db.dbname}-{db.schema or 'public'}.key"
    return folder / name.replace("/", "_")


def load_key(db: Database, *, create: bool) -> bytes | None:
    """The store's checkpoint key; created (0600) when missing and ``create``, else None."""
    given = os.environ.get("CASELEDGER_CHECKPOINT_KEY")
    if given:
        return _parse(given.strip(), "CASELEDGER_CHECKPOINT_KEY")
    path = key_path(db)
    if not path.exists():
        if not create:
            return None
        return _create(path)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise CheckpointKeyError(
            f"checkpoint key file {path.name}: mode {mode:04o} lets others read it; "
            "make it 0600 (chmod 600)"
        )
    return _parse(path.read_text(encoding="ascii").strip(), f"key file {path.name}")


def _create(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_bytes(KEY_BYTES)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return _parse(path.read_text(encoding="ascii").strip(), f"key file {path.name}")
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key.hex() + "\n")
    return key


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
