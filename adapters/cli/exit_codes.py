"""The exit codes of every ``caseledger`` command, one meaning each (README: "Exit codes").

A script can tell what to do from the code alone: fix the input (1, 2), check the id (3),
run the same command again (4, 5), give a new idempotency key (6), raise the alarm (7),
name an account (9), ask for the right (10).
"""

from __future__ import annotations

OK = 0
"""Done."""
INVALID = 1
"""Invalid input: an event, line, file or option broke a rule; nothing was written."""
USAGE = 2
"""Usage: an unknown command or option, a missing argument (typer's own code)."""
NOT_FOUND = 3
"""No record for that child (or no such file to verify)."""
CONFLICT = 4
"""Retryable: another writer appended to the same child's record first; run it again."""
UNAVAILABLE = 5
"""The store cannot be reached or written (database down, disk full); retry later."""
KEY_CONFLICT = 6
"""An idempotency key already used with other content: not retryable as it is."""
TAMPERED = 7
"""`verify` (or `chronology verify`) found a broken stream, anchor, checkpoint or file."""
STALE = 8
"""`chronology verify`: the file is intact but the record has changed since it was made."""
NO_IDENTITY = 9
"""The store has accounts and the command named none (or one disabled or unknown): give --as."""
FORBIDDEN = 10
"""The account may not do this. A child it may not see exits 3, as for a child with no record."""

ALL = {
    OK: "ok",
    INVALID: "invalid input (nothing written)",
    USAGE: "usage error (unknown command or option)",
    NOT_FOUND: "not found (no record for that child)",
    CONFLICT: "retryable conflict (a concurrent writer won): run it again",
    UNAVAILABLE: "store unavailable (database down, disk full): retry later",
    KEY_CONFLICT: "idempotency key reused with other content: give a new key",
    TAMPERED: "verify found tampering",
    STALE: "chronology verify: the record changed since the export",
    NO_IDENTITY: "no account named (--as USER or $CASELEDGER_USER)",
    FORBIDDEN: "the account may not do this",
}
