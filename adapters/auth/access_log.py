"""The access log: every read of a child's record, append-only and hash-chained.

Each row holds who (account and role), what (the view or export), which child, when, from
where (``cli`` and the OS user, or ``http`` and the client address), the purpose when given,
and the relation that gave the right. Row ``seq`` N's ``hash`` is the SHA-256 of its
canonical JSON including ``prev_hash``, the hash of row N-1 (64 zeros for the first): an
altered, removed or re-ordered row breaks the chain from there, and ``verify`` names it.
The table refuses UPDATE and DELETE by trigger. The last row's number and hash are kept,
signed with the store's checkpoint key (:mod:`adapters.keys`), in
``caseledger_access_log_head`` in each append's own transaction, so the last rows removed
together (which leave an intact chain behind them) are named too.

A county's exports write one row per child. Reads made at the same time in one process are
written in one transaction (:class:`GroupCommit`; each read answered only once its rows are
committed); two processes racing for the same ``seq`` collide on its primary key and the
later retries.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, exc, func, select, update

from adapters.auth.tables import access_log, access_log_head, exists, install
from adapters.db import parse_database, sql_engine
from adapters.keys import load_key, sign, signature_matches
from adapters.logging import get_logger
from domain.envelope import GENESIS_HASH, content_hash

log = get_logger("caseledger.access")
RETRIES = 8


def _head_bytes(seq: int, hash_: str) -> bytes:
    return f"caseledger access log head v1:{seq}:{hash_}".encode()


@dataclass(frozen=True)
class Access:
    """One read to log (before it has its place in the chain)."""

    user_id: str
    role: str
    action: str
    what: str
    child_id: str
    channel: str
    address: str | None
    purpose: str | None
    via: str


@dataclass(frozen=True)
class AccessRow(Access):
    """A logged read: the read, its place in the chain (seq), when, and the chain's hashes."""

    seq: int
    at: str
    prev_hash: str
    hash: str

    def content(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("hash")
        return data

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class LogProblem:
    seq: int
    reason: str

    def describe(self) -> str:
        return f"access log row {self.seq}: {self.reason}"


class AccessLog:
    def __init__(self, url: str, clock: Any = None) -> None:
        self.url = url
        self.engine: Engine = sql_engine(url)
        self.clock = clock or (lambda: datetime.now(UTC))

    def append(self, entries: Sequence[Access]) -> list[AccessRow]:
        """Write the entries at the end of the chain, all or none, committed on return.

        Concurrent appends in this process are written together (:class:`GroupCommit`):
        one transaction for every read waiting, and each caller returns only once its own
        rows are committed, so no acknowledged read goes unlogged."""
        if not entries:
            return []
        rows = _group(self.url).append(self, entries)
        log.info(
            "record_read",
            user_id=entries[0].user_id,
            action=entries[0].action,
            children=len(entries),
            first_seq=rows[0].seq,
        )
        return rows

    def _append_with_retries(
        self, batch: Sequence[tuple[str, Sequence[Access]]]
    ) -> list[AccessRow]:
        for attempt in range(RETRIES):
            try:
                return self._append(batch)
            except exc.IntegrityError:  # another process took the same seq: read it again
                if attempt == RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    def _append(self, batch: Sequence[tuple[str, Sequence[Access]]]) -> list[AccessRow]:
        """Each (moment, entries) of ``batch`` in order, in one transaction."""
        install(self.url)
        with self.engine.begin() as conn:
            last = conn.execute(
                select(access_log.c.seq, access_log.c.hash)
                .order_by(access_log.c.seq.desc())
                .limit(1)
            ).first()
            seq, prev = (int(last.seq), str(last.hash)) if last else (0, GENESIS_HASH)
            rows = []
            for at, entries in batch:
                for entry in entries:
                    seq += 1
                    content = {**asdict(entry), "seq": seq, "at": at, "prev_hash": prev}
                    prev = content_hash(content)
                    rows.append(AccessRow(**content, hash=prev))
            conn.execute(access_log.insert(), [r.as_json() for r in rows])
            self._sign_head(conn, rows[-1])
        return rows

    def _key(self) -> bytes:
        key = load_key(parse_database(self.url), create=True)
        assert key is not None
        return key

    def _sign_head(self, conn: Connection, last: AccessRow) -> None:
        values = {
            "seq": last.seq,
            "hash": last.hash,
            "signature": sign(self._key(), _head_bytes(last.seq, last.hash)),
        }
        done = conn.execute(
            update(access_log_head).where(access_log_head.c.id == 1).values(**values)
        )
        if not done.rowcount:
            conn.execute(access_log_head.insert().values(id=1, **values))

    def _head(self) -> tuple[int, str, str] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(access_log_head).where(access_log_head.c.id == 1)).first()
        return None if row is None else (int(row.seq), str(row.hash), str(row.signature))

    def rows(
        self,
        child_id: str | None = None,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[AccessRow]:
        query = select(access_log).order_by(access_log.c.seq)
        if child_id is not None:
            query = query.where(access_log.c.child_id == child_id)
        if not exists(self.url):
            return []
        with self.engine.connect() as conn:
            found = [AccessRow(**dict(r._mapping)) for r in conn.execute(query)]
        if since is not None:
            found = [r for r in found if datetime.fromisoformat(r.at) >= since]
        if until is not None:
            found = [r for r in found if datetime.fromisoformat(r.at) <= until]
        return found

    def count(self) -> int:
        if not exists(self.url):
            return 0
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(access_log)).scalar_one())

    def verify(self) -> tuple[int, list[LogProblem]]:
        """Walk the whole chain: (rows checked, problems found, each naming its row)."""
        problems: list[LogProblem] = []
        prev = GENESIS_HASH
        expected = 1
        rows = self.rows()
        for row in rows:
            if row.seq != expected:
                problems.append(
                    LogProblem(row.seq, f"expected row {expected} here: rows removed or moved")
                )
            if row.prev_hash != prev:
                problems.append(LogProblem(row.seq, "does not link to the row before it"))
            if content_hash(row.content()) != row.hash:
                problems.append(LogProblem(row.seq, "altered: its content does not match its hash"))
            prev = row.hash
            expected = row.seq + 1
        problems.extend(self._check_head(rows))
        return len(rows), problems

    def _check_head(self, rows: list[AccessRow]) -> list[LogProblem]:
        """The last row against the signed head: a removed tail, or rows added behind it."""
        head = self._head() if exists(self.url) else None
        last = rows[-1] if rows else None
        if head is None:
            if last is None:
                return []
            return [LogProblem(last.seq, "no signed head for the access log (removed?)")]
        seq, hash_, signature = head
        key = load_key(parse_database(self.url), create=False)
        if key is None or not signature_matches(key, _head_bytes(seq, hash_), signature):
            return [LogProblem(seq, "the signed head's signature does not match")]
        if last is None or last.seq < seq:
            found = last.seq if last else 0
            return [
                LogProblem(seq, f"removed: the signed head says {seq} rows, {found} are stored")
            ]
        if last.seq > seq:
            return [LogProblem(last.seq, f"added behind the application after row {seq}")]
        if last.hash != hash_:
            return [LogProblem(seq, "differs from the signed head")]
        return []


class _Waiting:
    """One caller's entries waiting for their transaction."""

    def __init__(self, at: str, entries: Sequence[Access]) -> None:
        self.at = at
        self.entries = entries
        self.rows: list[AccessRow] | None = None
        self.error: BaseException | None = None
        self.lead = False
        """Woken to write the queue (the writer before it has finished its own)."""
        self.woken = threading.Event()


class GroupCommit:
    """The appends of one store's access log in this process, written a batch at a time.

    A caller queues its entries; if no one is writing, it writes everything queued in one
    transaction (retried as a whole on a collision with another process), hands the rows
    out and wakes their callers, and, if more have queued meanwhile, wakes the first of
    them to write the next batch. A failed transaction fails every caller in it: a read
    that is not logged is not answered. Rows are chained in queue order; each row's ``at``
    is when its caller queued it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: list[_Waiting] = []
        self._writing = False
        self.batches = 0

    def append(self, target: AccessLog, entries: Sequence[Access]) -> list[AccessRow]:
        with self._lock:
            mine = _Waiting(target.clock().astimezone(UTC).isoformat(), entries)
            self._queue.append(mine)
            lead = not self._writing
            self._writing = True
        if not lead:
            mine.woken.wait()
        if lead or mine.lead:  # this caller writes what is queued, its own entries with it
            self._write(target)
        if mine.error is not None:
            raise mine.error
        assert mine.rows is not None
        return mine.rows

    def _write(self, target: AccessLog) -> None:
        with self._lock:
            batch, self._queue = self._queue, []
        try:
            rows = target._append_with_retries([(w.at, w.entries) for w in batch])
        except BaseException as error:  # noqa: BLE001 - handed to every caller in the batch
            for waiting in batch:
                waiting.error = error
        else:
            start = 0
            for waiting in batch:
                waiting.rows = rows[start : start + len(waiting.entries)]
                start += len(waiting.entries)
        self.batches += 1
        with self._lock:
            if self._queue:
                self._queue[0].lead = True
            else:
                self._writing = False
            following = self._queue[0] if self._queue else None
        for waiting in batch:
            waiting.woken.set()
        if following is not None:
            following.woken.set()


_GROUPS: dict[str, GroupCommit] = {}
_GROUPS_LOCK = threading.Lock()


def _group(url: str) -> GroupCommit:
    with _GROUPS_LOCK:
        found = _GROUPS.get(url)
        if found is None:
            found = _GROUPS[url] = GroupCommit()
        return found
