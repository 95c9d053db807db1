"""The position a relay has published up to, kept in the store beside the read models'.

One row per relay (its stream and subject prefix): the last global position the broker
acknowledged, and the broker's sequence number for it; and a row ``<relay>#purge`` for
its own sequence of purges (:mod:`adapters.purges`): the last disposal certificate number
acknowledged. Both are written in one transaction. Written in its own short
transaction once the broker has acknowledged every message up to it, so the row never
runs ahead of the stream (it may lag behind it after a crash: the relay then reads the
stream's tail, see :mod:`adapters.broker.relay`). Created by ``caseledger migrate``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, select

from adapters.db import sql_engine

metadata = MetaData()
publish_positions = Table(
    "publish_positions",
    metadata,
    Column("relay", String(200), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("stream_sequence", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


def create_tables(url: str) -> None:
    metadata.create_all(sql_engine(url))


def load(url: str, relay: str) -> tuple[int, int]:
    """(position, stream sequence) stored for ``relay``; (0, 0) before its first ack."""
    with sql_engine(url).connect() as conn:
        row = conn.execute(
            select(publish_positions.c.position, publish_positions.c.stream_sequence).where(
                publish_positions.c.relay == relay
            )
        ).first()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def purge_row(relay: str) -> str:
    """The row of a relay's purge sequence: the last disposal certificate it published."""
    return f"{relay}#purge"


def save(url: str, relay: str, position: int, sequence: int, purge: int | None = None) -> None:
    """Save the event position (and, given ``purge``, the purge number) in one transaction."""
    now = datetime.now(UTC)
    rows = [(relay, position)]
    if purge is not None:
        rows.append((purge_row(relay), purge))
    with sql_engine(url).begin() as conn:
        for name, value in rows:
            done = conn.execute(
                publish_positions.update()
                .where(publish_positions.c.relay == name)
                .values(position=value, stream_sequence=sequence, updated_at=now)
            )
            if done.rowcount == 0:
                conn.execute(
                    publish_positions.insert().values(
                        relay=name, position=value, stream_sequence=sequence, updated_at=now
                    )
                )
