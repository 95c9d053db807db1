"""A chronology read model written by an earlier wording is rebuilt, not mixed with the new."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from adapters.db import sql_engine
from adapters.readmodels.chronology import RENDERING_VERSION, ChronologyStore, entries_table
from adapters.store import EventStore
from adapters.synthetic.demo_family import JORDAN, write_demo
from projections.chronology import ChronologyQuery


def test_rows_rendered_by_an_older_version_are_rebuilt_on_the_next_catch_up(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    write_demo(url)
    with EventStore(url) as store:
        first = ChronologyStore(store)
        assert first.stale_rendering is False  # a new read model renders with this version
        first.catch_up()
        query = ChronologyQuery(children=(JORDAN,))
        current = [e.detail for e in first.chronology(query).entries]
        # what an older version left behind: its own wording, and no rendering table
        with sql_engine(url).begin() as conn:
            conn.execute(text(f"UPDATE {entries_table.name} SET detail = 'Outcome / action: x'"))
            conn.execute(text("DROP TABLE chronology_rendering"))
        old = ChronologyStore(store)
        assert old.stale_rendering is True
        assert old.catch_up() == store.max_position()
        assert [e.detail for e in old.chronology(query).entries] == current
        with sql_engine(url).connect() as conn:
            assert conn.execute(text("SELECT version FROM chronology_rendering")).scalar() == (
                RENDERING_VERSION
            )
        again = ChronologyStore(store)
        assert again.stale_rendering is False
        assert again.catch_up() == 0
