"""Replay the demo family from the store: the record as known at chosen moments, value by value.

The demo (authority york) has a visit to Jordan on 6 May 2021 written up on 27 May 2021, an
entry recorded in error on 10 June 2021 and a correction of the 19 April core group recorded on
9 July 2021. York's cp_visits standard: first visit within 7 working days of the plan starting
(8 April 2021 -> due 19 April), then every 20 working days from the last visit.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from adapters.packs import load_packs
from adapters.store import EventStore
from adapters.synthetic.demo_family import JORDAN, MIA, DemoResult, write_demo
from domain.events.base import LONDON
from policies.engine import Status
from policies.rules import PackSet
from projections.legal_status import legal_status
from projections.replay import STATUS_KINDS, Snapshot, replay


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DemoResult, EventStore]]:
    path: Path = tmp_path_factory.mktemp("replay") / "demo.db"
    result = write_demo(f"sqlite:///{path}")
    store = EventStore(result.url)
    yield result, store
    store.close()


@pytest.fixture(scope="module")
def packs() -> PackSet:
    return load_packs()


@pytest.fixture(scope="module")
def days(demo: tuple[DemoResult, EventStore], packs: PackSet) -> dict[date, Snapshot]:
    _, store = demo
    events = store.stream(JORDAN) + store.stream(MIA)
    snaps = replay(
        events,
        packs,
        start=date(2021, 5, 20),
        end=date(2021, 7, 12),
        step="day",
        children=[JORDAN, MIA],
        family_id="FAM-DEMO",
    )
    return {s.at.astimezone(LONDON).date(): s for s in snaps}


def _due(d: datetime) -> date:
    return d.astimezone(LONDON).date()


def test_before_the_late_visit_was_written_up(
    demo: tuple[DemoResult, EventStore], days: dict[date, Snapshot]
) -> None:
    result, _ = demo
    snap = days[date(2021, 5, 26)]
    jordan = snap.children[JORDAN]
    assert jordan.last_seen is not None and jordan.last_seen.day == date(2021, 3, 11)
    assert jordan.last_seen_alone is not None and jordan.last_seen_alone.day == date(2021, 3, 11)
    visits = jordan.deadline("cp_visits")
    assert [(d.counted_from, _due(d.due), d.status) for d in visits] == [
        (date(2021, 4, 8), date(2021, 4, 19), Status.BREACHED)
    ]
    # (York Standards 2 and 3: the assessment of 20 April 2021 is updated within 12 months)
    assert [(d.rule_id, _due(d.due)) for d in jordan.open_deadlines] == [
        ("review_conferences", date(2021, 7, 8)),
        ("assessment_update", date(2022, 4, 20)),
    ]
    # York 6.3 (child seen in 24 hours; s47 in 5 working days), 6.1 (manager review day 5),
    # 6.4 (reports with the chair 3 working days before: the chair's copy went after Easter)
    # and Standard 6 (CP case supervision every 4 weeks) are judged as well as the statutory
    # ones
    assert [(b.rule_id, b.status, b.source, _due(b.due)) for b in jordan.breaches] == [
        ("child_seen_after_strategy", "met_late", "computed", date(2021, 3, 11)),
        ("assessment_manager_review_day5", "met_late", "computed", date(2021, 3, 17)),
        ("s47_completion_day5", "met_late", "computed", date(2021, 3, 17)),
        ("icpc", "met_late", "computed", date(2021, 3, 31)),
        ("icpc_reports_to_chair", "met_late", "computed", date(2021, 4, 1)),
        ("cp_visits", "breached", "computed", date(2021, 4, 19)),
        ("case_supervision_cp", "breached", "computed", date(2021, 5, 6)),
        ("core_groups", "breached", "computed", date(2021, 5, 19)),
    ]
    assert jordan.status.cp_plan_since == date(2021, 4, 8)
    assert jordan.status.cp_category is not None and jordan.status.cp_category.value == "PHY"
    assert jordan.status.legal_status is None
    assert jordan.allocation is not None and jordan.allocation.worker_id == "sw-014"
    ids = {i for e in snap.chronology(significant_only=False).entries for i in e.event_ids}
    assert result.ids["late_visit"] not in ids
    assert result.ids["cp_plan"] in ids


def test_after_the_late_visit_was_written_up(
    demo: tuple[DemoResult, EventStore], days: dict[date, Snapshot]
) -> None:
    result, _ = demo
    snap = days[date(2021, 5, 27)]
    jordan = snap.children[JORDAN]
    assert [r.event_id for r in snap.new_rows][0] == result.ids["late_visit"]
    assert jordan.last_seen is not None and jordan.last_seen.day == date(2021, 5, 27)
    assert jordan.last_seen_alone is not None
    assert jordan.last_seen_alone.event_id == result.ids["late_visit"]
    assert jordan.last_seen_alone.day == date(2021, 5, 6)
    visits = jordan.deadline("cp_visits")
    assert [(d.counted_from, _due(d.due), d.status) for d in visits] == [
        (date(2021, 4, 8), date(2021, 4, 19), Status.MET_LATE),
        (date(2021, 5, 6), date(2021, 6, 4), Status.MET),
        (date(2021, 5, 27), date(2021, 6, 25), Status.PENDING),
    ]
    assert visits[0].satisfied_by_event_id == result.ids["late_visit"]
    assert [(d.rule_id, _due(d.due)) for d in jordan.open_deadlines] == [
        ("cp_visits", date(2021, 6, 25)),
        ("review_conferences", date(2021, 7, 8)),
        ("assessment_update", date(2022, 4, 20)),
    ]
    late = [b for b in jordan.breaches if b.rule_id == "visit_recording"]
    assert [(b.status, _due(b.due)) for b in late] == [("met_late", date(2021, 5, 11))]
    entry = next(
        e
        for e in snap.chronology(significant_only=False).entries
        if result.ids["late_visit"] in e.event_ids
    )
    assert entry.late and entry.date == "06/05/2021 16:00"
    assert any(n.startswith("Recorded late: occurred 06/05/2021") for n in entry.notes)


def test_a_correction_shows_only_from_the_moment_it_was_recorded(
    demo: tuple[DemoResult, EventStore], days: dict[date, Snapshot]
) -> None:
    result, _ = demo
    core_group = result.ids["core_group"]
    before = days[date(2021, 7, 8)].chronology(significant_only=False)
    after = days[date(2021, 7, 9)].chronology(significant_only=False)
    entry_before = next(e for e in before.entries if core_group in e.event_ids)
    entry_after = next(e for e in after.entries if core_group in e.event_ids)
    assert not entry_before.corrected and entry_before.notes == ()
    assert entry_after.corrected
    assert [(a.action, a.target_event_id) for a in before.appendix] == [
        ("Recorded in error", result.ids["wrong_note"])
    ]
    assert [(a.action, a.target_event_id, a.reason) for a in after.appendix] == [
        ("Recorded in error", result.ids["wrong_note"], "Recorded on the wrong child's record."),
        ("Corrected", core_group, "Father attended; omitted from the original entry."),
    ]
    # the note recorded in error shows until 10 June, then is gone
    wrong = result.ids["wrong_note"]
    june9 = days[date(2021, 6, 9)].chronology(significant_only=False)
    june10 = days[date(2021, 6, 10)].chronology(significant_only=False)
    assert any(wrong in e.event_ids for e in june9.entries)
    assert not any(wrong in e.event_ids for e in june10.entries)


def test_mia_in_the_same_replay(days: dict[date, Snapshot]) -> None:
    mia = days[date(2021, 6, 1)].children[MIA]
    assert mia.status.child_in_need_plan_since == date(2021, 4, 26)
    assert mia.last_seen is not None and mia.last_seen.day == date(2021, 3, 11)
    assert mia.last_seen_alone is None
    assert [(d.counted_from, _due(d.due), d.status) for d in mia.deadline("cin_visits")] == [
        (date(2021, 4, 26), date(2021, 5, 25), Status.BREACHED)
    ]
    kinds = [d.kind for d in mia.decisions]
    assert kinds[:3] == ["referral_decision", "strategy_discussion_held", "section_47_concluded"]
    assert mia.decisions[2].decision == "cin"


def test_status_from_status_kinds_alone_equals_status_from_the_whole_record(
    demo: tuple[DemoResult, EventStore],
) -> None:
    """The replay folds legal status from STATUS_KINDS only: that must lose nothing."""
    result, store = demo
    for child in result.children:
        events = store.stream(child)
        relevant_ids = {e.event_id for e in events if e.kind in STATUS_KINDS}
        subset = [
            e
            for e in events
            if e.kind in STATUS_KINDS or getattr(e.event, "target_event_id", None) in relevant_ids
        ]
        moments = sorted({e.recorded_at for e in events})
        for at in moments[:: max(1, len(moments) // 40)] + [datetime(2027, 6, 1, tzinfo=UTC)]:
            full = legal_status(events, at=at, as_known_at=at)
            part = legal_status(subset, at=at, as_known_at=at)
            assert full.current == part.current, (child, at)
            assert full.timeline == part.timeline, (child, at)
