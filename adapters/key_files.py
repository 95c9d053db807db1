"""Key files beside a store: where one lives, how it is made, how it is read.

The checkpoint-signing key (:mod:`adapters.keys`) and the master key that wraps the subject
keys (:mod:`adapters.shredding.master_key`) are both a line of hex in a file of their own:
named by an environment variable, else ``<file><suffix>`` beside a SQLite store, else
``<host>-<port>-<db>-<schema><suffix>`` in ``CASELEDGER_KEY_DIR`` (default
``~/.caseledger/keys``). A new file is made 0600 in one exclusive create (two processes
starting together share the first one's key); a file that group or others may read is
refused, as ssh refuses a private key.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from adapters.db import Database


def key_file_path(db: Database, *, suffix: str, named_by: str) -> Path:
    """Where the store's key file is (whether or not it exists yet)."""
    named = os.environ.get(named_by)
    if named:
        return Path(named)
    if db.is_sqlite:
        return Path(f"{db.path}{suffix}")
    folder = Path(os.environ.get("CASELEDGER_KEY_DIR") or Path.home() / ".caseledger" / "keys")
    name = f"{db.host}-{db.port}-{db.dbname}-{db.schema or 'public'}{suffix}"
    return folder / name.replace("/", "_")


class ReadableByOthers(Exception):
    """A key file group or others may read (the caller says which key it is)."""

    def __init__(self, path: Path, mode: int) -> None:
        super().__init__(f"{path.name}: mode {mode:04o} lets others read it")
        self.path = path
        self.mode = mode


def read_key_text(path: Path) -> str | None:
    """The file's hex text; None when it does not exist; :class:`ReadableByOthers` when
    group or others may read it."""
    if not path.exists():
        return None
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ReadableByOthers(path, mode)
    return path.read_text(encoding="ascii").strip()


def create_key_text(path: Path, size: int) -> str:
    """A new random key of ``size`` bytes written 0600 to ``path``; if another process made
    the file first, theirs."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_bytes(size).hex()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key + "\n")
    return key
