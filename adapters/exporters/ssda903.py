"""SSDA903 CSV files for a collection year, from the store's events.

One CSV per DfE table, with the DfE's column names in the DfE's order, dates
dd/mm/yyyy, empty cells for missing values: header.csv, episodes.csv, reviews.csv,
uasc.csv, oc2.csv, oc3.csv, ad1.csv, placed_for_adoption.csv, previous_permanence.csv,
missing.csv, social_worker_episodes.csv.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

from adapters.exporters.cin_census import choose_la
from adapters.logging import get_logger
from adapters.store import EventStore
from domain.envelope import RecordedEvent
from projections.returns_903 import COLUMNS, Row, ssda903_tables

log = get_logger("caseledger.export")

FILE_NAMES = {
    "Header": "header.csv",
    "Episodes": "episodes.csv",
    "Reviews": "reviews.csv",
    "UASC": "uasc.csv",
    "OC2": "oc2.csv",
    "OC3": "oc3.csv",
    "AD1": "ad1.csv",
    "PlacedAdoption": "placed_for_adoption.csv",
    "PrevPerm": "previous_permanence.csv",
    "Missing": "missing.csv",
    "SWEpisodes": "social_worker_episodes.csv",
}


def to_csv(table: str, rows: list[Row]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS[table], lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def ssda903_files(
    events: list[RecordedEvent], year: int, la: str | None = None
) -> tuple[dict[str, bytes], dict[str, int]]:
    """{file name: CSV bytes} and {table: rows} for one LA's children (see choose_la)."""
    _, members = choose_la(events, la)
    tables = ssda903_tables((e for e in events if e.child_id in members), year)
    files = {FILE_NAMES[name]: to_csv(name, rows) for name, rows in tables.items()}
    return files, {name: len(rows) for name, rows in tables.items()}


def export_ssda903(
    store: EventStore,
    year: int,
    out_dir: Path,
    la: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Write the CSVs into ``out_dir``; returns rows per table."""
    events: list[RecordedEvent] = []
    for item in store.iter_all():
        events.append(item)
        if progress is not None and len(events) % 2000 == 0:
            progress(len(events))
    files, counts = ssda903_files(events, year, la)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (out_dir / name).write_bytes(content)
    log.info("ssda903_exported", year=year, children=counts["Header"], events=len(events))
    return counts
