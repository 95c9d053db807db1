"""The chronology read model on SQLite and PostgreSQL: same rows as the pure fold, rebuilds."""

from __future__ import annotations

from dataclasses import replace

from adapters.readmodels.chronology import ChronologyStore
from adapters.store import EventStore
from projections.chronology import ChronologyQuery, compose, fold
from tests.conftest import Clock
from tests.factories import example


def _write_family(store: EventStore, clock: Clock) -> dict[str, str]:
    ids: dict[str, str] = {}
    store.record(
        [
            example("child_registered", "K1", "2024-01-08", family_id="FAM-K", first_name="Ada"),
            example("child_registered", "K2", "2024-01-08", family_id="FAM-K", first_name="Ben"),
        ]
    )
    clock.advance(days=1)
    shared = store.record(
        [
            example("strategy_discussion_held", child, "2024-01-09", correlation_id="SD-K")
            for child in ("K1", "K2")
        ]
    )
    ids["strategy_k1"] = shared[0].event_id
    clock.advance(days=1)
    ids["visit"] = store.record_one(
        example("child_visited", "K1", "2024-01-10", significant=True, summary="Seen.")
    ).event_id
    return ids


def _sorted(rows: tuple[list, list]) -> tuple[list, list]:  # type: ignore[type-arg]
    return sorted(rows[0], key=lambda r: r.event_id), sorted(rows[1], key=lambda r: r.event_id)


def test_read_model_follows_appends_and_matches_the_pure_fold(
    store: EventStore, clock: Clock
) -> None:
    ids = _write_family(store, clock)
    chronologies = ChronologyStore(store, batch=2)
    chronologies.catch_up()
    first_position = chronologies.position
    query = ChronologyQuery(children=("K1", "K2"), family_id="FAM-K")
    before = chronologies.chronology(query)
    assert before.position == first_position == 5

    # later appends, including corrections whose targets were applied in earlier batches
    clock.advance(days=10)
    store.record_one(
        example(
            "entry_corrected",
            "K1",
            "2024-01-20",
            target_event_id=ids["visit"],
            changes={"summary": "Seen at home, alone."},
            reason="Detail added.",
        )
    )
    store.record_one(
        example(
            "entry_corrected",
            "K1",
            "2024-01-20",
            target_event_id=ids["visit"],
            changes={"impact_on_child": "Said she feels safe."},
            reason="Impact added.",
        )
    )
    store.record_one(
        example(
            "entry_recorded_in_error",
            "K1",
            "2024-01-20",
            target_event_id=ids["strategy_k1"],
            reason="Ada was not discussed.",
        )
    )
    assert chronologies.catch_up() == 3

    pure = fold(store.iter_all())
    assert _sorted(chronologies.all_rows()) == _sorted(pure)
    now = chronologies.chronology(replace(query, position=None))
    assert now == compose(*pure, replace(query, position=now.position))
    visit = next(e for e in now.entries if e.kind == "child_visited")
    assert visit.detail == "Child visited. Seen at home, alone."
    assert visit.impact == "Said she feels safe."
    shared = next(e for e in now.entries if e.kind == "strategy_discussion_held")
    assert shared.children == ("K2",)
    assert [a.action for a in now.appendix] == ["Corrected", "Corrected", "Recorded in error"]

    # the chronology as the store stood at the earlier position is unchanged
    again = chronologies.chronology(replace(query, position=first_position))
    assert again == before
    assert again.content_sha256() == before.content_sha256()


def test_rebuild_gives_identical_rows_and_reports_progress(store: EventStore, clock: Clock) -> None:
    _write_family(store, clock)
    chronologies = ChronologyStore(store, batch=2)
    chronologies.catch_up()
    rows = _sorted(chronologies.all_rows())
    seen: list[tuple[int, int]] = []
    assert chronologies.rebuild(lambda done, total: seen.append((done, total))) == 5
    assert _sorted(chronologies.all_rows()) == rows
    assert seen[-1] == (5, 5) and len(seen) == 3
    assert chronologies.family_members("FAM-K") == ["K1", "K2"]
    assert chronologies.family_of("K2") == "FAM-K"


def test_correcting_the_family_id_moves_the_child(store: EventStore, clock: Clock) -> None:
    _write_family(store, clock)
    registration = store.stream("K2")[0]
    clock.advance(days=1)
    store.record_one(
        example(
            "entry_corrected",
            "K2",
            "2024-01-20",
            target_event_id=registration.event_id,
            changes={"family_id": "FAM-OTHER"},
            reason="Not a sibling.",
        )
    )
    chronologies = ChronologyStore(store)
    chronologies.catch_up()
    assert chronologies.family_members("FAM-K") == ["K1"]
    assert chronologies.family_of("K2") == "FAM-OTHER"
