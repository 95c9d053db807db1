"""Stream heads anchored outside the events table, and signed checkpoints of every head.

A hash chain alone shows an altered event, but not the last events of a stream removed
(the chain that is left is whole) nor a stream rewritten with its hashes recomputed. Two
anchors outside the events table close those gaps:

- ``caseledger_heads``: one row per stream (its number of events and its head hash),
  written in the same transaction as the append and without a round trip per event
  (PostgreSQL: a trigger, one statement per insert from its transition table; SQLite's
  built-in recorder: one upsert per batch, :mod:`adapters.sqlite_recorder`; the
  eventsourcing-sqlalchemy recorder: a trigger on either engine). ``verify`` compares each stream's
  walked chain with its head: a shorter chain is tail truncation, a head without events a
  removed stream. On PostgreSQL the trigger function runs as the schema's owner (SECURITY
  DEFINER): the application's role may only read the heads.
- ``caseledger_checkpoints``: now and then (after an import, after a tick, or with
  ``caseledger checkpoint``) every head is copied into a checkpoint signed with HMAC-SHA256
  under a key only the application holds (:mod:`adapters.keys`). ``verify`` checks the
  latest checkpoint's signature and that every stream still has, at the checkpoint's
  count, the event whose hash it signed: rewriting history before a checkpoint, even with
  every hash recomputed and the heads table edited to match, is caught without the key.

Both tables refuse UPDATE and DELETE like the events table (the heads' own upsert aside).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, text

from adapters.db import SQLITE_MARKS, sqlite_key_chunks
from adapters.keys import sign, signature_matches

HEADS = "caseledger_heads"
CHECKPOINTS = "caseledger_checkpoints"
CHECKPOINT_FORMAT = "caseledger-checkpoint-v1"


def _names(schema: str) -> tuple[str, str, str]:
    prefix = f'"{schema}".' if schema else ""
    return prefix, f"{prefix}{HEADS}", f"{prefix}{CHECKPOINTS}"


def table_exists(conn: Connection, name: str, schema: str) -> bool:
    if conn.dialect.name == "sqlite":
        query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"
        return conn.execute(text(query), {"name": name}).first() is not None
    query = (
        "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relname = :name AND n.nspname = :schema"
    )
    found = conn.execute(text(query), {"name": name, "schema": schema or "public"}).first()
    return found is not None


def _trigger_exists(conn: Connection, name: str, schema: str) -> bool:
    if conn.dialect.name == "sqlite":
        query = "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = :name"
        return conn.execute(text(query), {"name": name}).first() is not None
    query = (
        "SELECT 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE t.tgname = :name AND n.nspname = :s"
    )
    return conn.execute(text(query), {"name": name, "s": schema or "public"}).first() is not None


def install(
    conn: Connection,
    events_table: str,
    qualified_events: str,
    schema: str,
    *,
    trigger: bool = True,
) -> bool:
    """Create the heads and checkpoints tables and the head trigger, if missing.

    ``trigger=False`` (SQLite only) is for a recorder that writes the heads itself
    (:mod:`adapters.sqlite_recorder`): no trigger, and one left by an older version is
    dropped. Heads are filled from the events already stored when the heads table is new (a
    store written before anchors existed). Returns True if anything was created.
    """
    anchor = f"{events_table}_head_anchor"
    has_trigger = _trigger_exists(conn, anchor, schema)
    if has_trigger == trigger and table_exists(conn, CHECKPOINTS, schema):
        return False
    new_heads = not table_exists(conn, HEADS, schema)
    if conn.dialect.name == "sqlite":
        _install_sqlite(conn, events_table, trigger)
        if has_trigger and not trigger:
            conn.execute(text(f"DROP TRIGGER {anchor}"))
    else:
        _install_postgres(conn, events_table, qualified_events, schema)
    if new_heads:
        _backfill(conn, qualified_events, schema)
    return True


_SQLITE_HASH = (
    'CAST(substr({row}.state, instr({row}.state, CAST(\'"hash":"\' AS BLOB)) + 8, 64) AS TEXT)'
)
_SQLITE_CHILD = (
    'CAST(substr({row}.state, 14, instr({row}.state, CAST(\'","event_id":\' AS BLOB)) - 14) '
    "AS TEXT)"
)
_PG_HASH = (
    "encode(substring(state from position('\\x2268617368223a22'::bytea in state) + 8 for 64), "
    "'escape')"
)
_PG_CHILD = (
    "encode(substring(state from 14 for position('\\x222c226576656e745f6964223a'::bytea "
    "in state) - 14), 'escape')"
)
"""The top-level hash and child id of a stored state, found in its bytes (no copy of the whole
state, no UTF-8 decoding): keys are sorted, so the state starts ``{"child_id":"`` and the first
``"hash":"`` is the top-level one (only ``child_id`` and ``event_id``, JSON strings with their
quotes escaped, come before it). PostgreSQL spells the two markers as bytea hex:
``"hash":"`` and ``","event_id":``."""


def _install_sqlite(conn: Connection, events_table: str, trigger: bool) -> None:
    conn.execute(
        text(
            f"CREATE TABLE IF NOT EXISTS {HEADS} (stream_id TEXT PRIMARY KEY, "
            "child_id TEXT NOT NULL, events INTEGER NOT NULL, head TEXT NOT NULL)"
        )
    )
    conn.execute(
        text(
            f"CREATE TABLE IF NOT EXISTS {CHECKPOINTS} (id INTEGER PRIMARY KEY AUTOINCREMENT, "
            "created_at TEXT NOT NULL, position INTEGER NOT NULL, streams INTEGER NOT NULL, "
            "events INTEGER NOT NULL, heads BLOB NOT NULL, key_id TEXT NOT NULL, "
            "signature TEXT NOT NULL)"
        )
    )
    if trigger:
        _sqlite_head_trigger(conn, events_table)
    _sqlite_guards(conn)


def _sqlite_head_trigger(conn: Connection, events_table: str) -> None:
    conn.execute(
        text(
            f"CREATE TRIGGER IF NOT EXISTS {events_table}_head_anchor AFTER INSERT ON "
            f"{events_table} BEGIN INSERT INTO {HEADS} (stream_id, child_id, events, head) VALUES "
            f"(NEW.originator_id, {_SQLITE_CHILD.format(row='NEW')}, NEW.originator_version, "
            f"{_SQLITE_HASH.format(row='NEW')}) "
            "ON CONFLICT (stream_id) DO UPDATE SET events = excluded.events, head = excluded.head "
            f"WHERE excluded.events > {HEADS}.events; END"
        )
    )


def _sqlite_guards(conn: Connection) -> None:
    conn.execute(
        text(
            f"CREATE TRIGGER IF NOT EXISTS {HEADS}_no_delete BEFORE DELETE ON {HEADS} BEGIN "
            "SELECT RAISE(ABORT, 'caseledger stream heads are kept: DELETE refused'); END"
        )
    )
    for action in ("UPDATE", "DELETE"):
        conn.execute(
            text(
                f"CREATE TRIGGER IF NOT EXISTS {CHECKPOINTS}_no_{action.lower()} BEFORE {action} "
                f"ON {CHECKPOINTS} BEGIN SELECT RAISE(ABORT, 'caseledger checkpoints are "
                f"append-only: {action} refused'); END"
            )
        )


def _install_postgres(
    conn: Connection, events_table: str, qualified_events: str, schema: str
) -> None:
    prefix, heads, checkpoints = _names(schema)
    conn.execute(
        text(
            f"CREATE TABLE IF NOT EXISTS {heads} (stream_id uuid PRIMARY KEY, "
            "child_id text NOT NULL, events bigint NOT NULL, head text NOT NULL)"
        )
    )
    conn.execute(
        text(
            f"CREATE TABLE IF NOT EXISTS {checkpoints} (id bigserial PRIMARY KEY, "
            "created_at text NOT NULL, position bigint NOT NULL, streams bigint NOT NULL, "
            "events bigint NOT NULL, heads bytea NOT NULL, key_id text NOT NULL, "
            "signature text NOT NULL)"
        )
    )
    search = f'"{schema}"' if schema else "public"
    conn.execute(
        text(
            f"CREATE OR REPLACE FUNCTION {prefix}caseledger_anchor_heads() RETURNS trigger "
            f"LANGUAGE plpgsql SECURITY DEFINER SET search_path = {search}, pg_temp AS $$ BEGIN "
            f"INSERT INTO {heads} (stream_id, child_id, events, head) "
            f"SELECT originator_id, {_PG_CHILD}, originator_version, {_PG_HASH} FROM "
            "(SELECT DISTINCT ON (originator_id) originator_id, originator_version, state "
            "FROM new_rows ORDER BY originator_id, originator_version DESC) AS last "
            "ON CONFLICT (stream_id) DO UPDATE SET events = EXCLUDED.events, head = EXCLUDED.head "
            f"WHERE {HEADS}.events < EXCLUDED.events; RETURN NULL; END $$"
        )
    )
    conn.execute(
        text(
            f"CREATE TRIGGER {events_table}_head_anchor AFTER INSERT ON {qualified_events} "
            "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
            f"EXECUTE FUNCTION {prefix}caseledger_anchor_heads()"
        )
    )
    conn.execute(
        text(
            f"CREATE OR REPLACE FUNCTION {prefix}caseledger_refuse_anchor_change() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'caseledger anchors are kept: % refused', TG_OP; END $$"
        )
    )
    conn.execute(
        text(
            f"CREATE TRIGGER {HEADS}_no_delete BEFORE DELETE ON {heads} FOR EACH ROW "
            f"EXECUTE FUNCTION {prefix}caseledger_refuse_anchor_change()"
        )
    )
    conn.execute(
        text(
            f"CREATE TRIGGER {CHECKPOINTS}_append_only BEFORE UPDATE OR DELETE ON {checkpoints} "
            f"FOR EACH ROW EXECUTE FUNCTION {prefix}caseledger_refuse_anchor_change()"
        )
    )
    for table in (heads, checkpoints):
        conn.execute(
            text(
                f"CREATE TRIGGER {table.split('.')[-1].strip(chr(34))}_no_truncate BEFORE TRUNCATE "
                f"ON {table} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION {prefix}caseledger_refuse_anchor_change()"
            )
        )


def _backfill(conn: Connection, qualified_events: str, schema: str) -> None:
    """Heads for the streams already stored (a store written before anchors existed)."""
    _, heads, _ = _names(schema)
    if conn.dialect.name == "sqlite":
        conn.execute(
            text(
                f"INSERT INTO {HEADS} (stream_id, child_id, events, head) SELECT e.originator_id, "
                f"{_SQLITE_CHILD.format(row='e')}, e.originator_version, "
                f"{_SQLITE_HASH.format(row='e')} FROM {qualified_events} e "
                "JOIN (SELECT originator_id AS o, MAX(originator_version) AS v FROM "
                f"{qualified_events} GROUP BY originator_id) m "
                "ON m.o = e.originator_id AND m.v = e.originator_version"
            )
        )
        return
    conn.execute(
        text(
            f"INSERT INTO {heads} (stream_id, child_id, events, head) "
            f"SELECT DISTINCT ON (originator_id) originator_id, {_PG_CHILD}, originator_version, "
            f"{_PG_HASH} FROM {qualified_events} ORDER BY originator_id, originator_version DESC "
            "ON CONFLICT (stream_id) DO NOTHING"
        )
    )


@dataclass(frozen=True)
class Head:
    child_id: str
    events: int
    head: str


def read_heads(
    conn: Connection, schema: str, streams: Iterable[uuid.UUID] | None = None
) -> dict[uuid.UUID, Head]:
    """Every stream's anchor (or only those of ``streams``): its child, number of events and
    head hash. A checkpoint after a day's tick asks for the few hundred streams written
    since the last, not the county's 50,000 (0.12 s of a 10,000-child tick was this read)."""
    _, heads, _ = _names(schema)
    query = f"SELECT stream_id, child_id, events, head FROM {heads}"
    if streams is None:
        rows = conn.execute(text(query))
        return {_uuid(s): Head(str(c), int(n), str(h)) for s, c, n, h in rows}
    wanted = sorted(set(streams))
    found: dict[uuid.UUID, Head] = {}
    if conn.dialect.name == "sqlite":  # the events table keeps a stream id as its hex text
        for chunk in sqlite_key_chunks([stream.hex for stream in wanted]):
            rows = conn.exec_driver_sql(f"{query} WHERE stream_id IN ({SQLITE_MARKS})", chunk)
            found.update((_uuid(s), Head(str(c), int(n), str(h))) for s, c, n, h in rows)
    elif wanted:
        rows = conn.exec_driver_sql(f"{query} WHERE stream_id = ANY(%(ids)s)", {"ids": wanted})
        found.update((_uuid(s), Head(str(c), int(n), str(h))) for s, c, n, h in rows)
    return found


def _uuid(value: Any) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    if isinstance(value, bytes | memoryview) and len(value) == 16:  # a binary UUID column
        return uuid.UUID(bytes=bytes(value))
    return uuid.UUID(str(value))


# -- checkpoints ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """One signed checkpoint: the heads of the streams written since the one before it.

    The first checkpoint holds every head; each later one only the streams written since
    (``position``: the log position it covers), so checkpoints grow with what is written,
    not with the store. Each signature covers the one before it, so the checkpoints fold
    into one map of every stream's signed head (:func:`fold_checkpoints`) that cannot be
    edited, reordered or cut in the middle without the key.
    """

    id: int
    created_at: str
    position: int
    streams: int
    events: int
    heads: bytes
    key_id: str
    signature: str

    def head_map(self) -> dict[uuid.UUID, Head]:
        return {
            uuid.UUID(s): Head(str(c), int(n), str(h)) for s, c, n, h in orjson.loads(self.heads)
        }


def _signed_bytes(
    previous: str, created_at: str, position: int, streams: int, events: int, heads: bytes
) -> bytes:
    header = f"{CHECKPOINT_FORMAT}\n{previous}\n{created_at}\n{position}\n{streams}\n{events}\n"
    return header.encode() + heads


def write_checkpoint(
    conn: Connection,
    schema: str,
    key: bytes,
    key_id: str,
    position: int,
    streams: set[uuid.UUID] | None,
) -> int:
    """Sign the heads of ``streams`` (None: every stream); returns the checkpoint's id."""
    heads = read_heads(conn, schema, streams)
    listed = sorted((str(s), h.child_id, h.events, h.head) for s, h in heads.items())
    blob = orjson.dumps(listed)
    created = datetime.now(UTC).isoformat()
    events = sum(row[2] for row in listed)
    latest = latest_checkpoint(conn, schema)
    previous = latest.signature if latest is not None else ""
    signature = sign(key, _signed_bytes(previous, created, position, len(listed), events, blob))
    _, _, checkpoints = _names(schema)
    params = {
        "created": created,
        "position": position,
        "streams": len(listed),
        "events": events,
        "heads": blob,
        "key_id": key_id,
        "signature": signature,
    }
    row = conn.execute(
        text(
            f"INSERT INTO {checkpoints} (created_at, position, streams, events, heads, key_id, "
            "signature) VALUES (:created, :position, :streams, :events, :heads, :key_id, "
            ":signature) RETURNING id"
        ),
        params,
    ).first()
    assert row is not None
    return int(row[0])


_COLUMNS = "id, created_at, position, streams, events, heads, key_id, signature"


def _checkpoint(row: Any) -> Checkpoint:
    return Checkpoint(
        int(row[0]), str(row[1]), int(row[2]), int(row[3]), int(row[4]), bytes(row[5]),
        str(row[6]), str(row[7]),
    )  # fmt: skip


def latest_checkpoint(conn: Connection, schema: str) -> Checkpoint | None:
    _, _, checkpoints = _names(schema)
    query = f"SELECT {_COLUMNS} FROM {checkpoints} ORDER BY id DESC LIMIT 1"
    row = conn.execute(text(query)).first()
    return None if row is None else _checkpoint(row)


def all_checkpoints(conn: Connection, schema: str) -> list[Checkpoint]:
    _, _, checkpoints = _names(schema)
    rows = conn.execute(text(f"SELECT {_COLUMNS} FROM {checkpoints} ORDER BY id"))
    return [_checkpoint(row) for row in rows]


def fold_checkpoints(
    checkpoints: list[Checkpoint], key: bytes, key_id: str
) -> tuple[dict[uuid.UUID, Head], str | None]:
    """Every stream's signed head, from the checkpoints in order; or the first problem."""
    heads: dict[uuid.UUID, Head] = {}
    previous = ""
    for checkpoint in checkpoints:
        if checkpoint.key_id != key_id:
            return {}, f"checkpoint {checkpoint.id} was signed under another key"
        data = _signed_bytes(
            previous,
            checkpoint.created_at,
            checkpoint.position,
            checkpoint.streams,
            checkpoint.events,
            checkpoint.heads,
        )
        if not signature_matches(key, data, checkpoint.signature):
            return {}, (
                f"checkpoint {checkpoint.id}: signature does not match (the checkpoint, or "
                "one before it, was altered, removed or forged)"
            )
        heads.update(checkpoint.head_map())
        previous = checkpoint.signature
    return heads, None
