"""Pure replay on a small synthetic record (york): what was known at each moment, value by value.

Timeline (2026; the CP plan starts Monday 12 January, york's cp_visits standard is 7 working days
then every 20 working days from the last visit):

- 15 Jan visit, seen alone (recorded the same day) -> next visit due 12 Feb;
- 13 Feb 06:00 the breach handler records cp_visits breached (nothing known for 12 Feb);
- 20 Feb a visit that happened on 10 Feb is written up: the standard was in fact met;
- 16 Feb a manager's decision, its rationale corrected on 2 March;
- 23 Feb reallocated to sw-002, recorded in error on 3 March;
- 4 March the 15 January visit corrected: Jordan was not seen alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from adapters.packs import load_packs
from domain.envelope import RecordedEvent, seal
from domain.events.base import LONDON
from policies.engine import Status
from policies.rules import PackSet
from projections.replay import Replay, Snapshot, decision_of, moments, replay, what_if
from tests.factories import example

CHILD = "C-R1"


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LONDON)


def end_of(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=LONDON)


class Log:
    def __init__(self) -> None:
        self.items: list[RecordedEvent] = []
        self.ids: dict[str, str] = {}

    def add(
        self, name: str, kind: str, occurred: Any, recorded: datetime, **fields: Any
    ) -> RecordedEvent:
        event = example(kind, CHILD, occurred, **fields)
        item = seal(
            event_id=f"{len(self.items) + 1:08d}-0000-0000-0000-{name[:12]:0>12}",
            position=len(self.items) + 1,
            recorded_at=recorded.astimezone(UTC),
            event=event,
            prev_hash="0" * 64,
        )
        self.items.append(item)
        self.ids[name] = item.event_id
        return item


@pytest.fixture(scope="module")
def packs() -> PackSet:
    return load_packs()


@pytest.fixture(scope="module")
def log() -> Log:
    log = Log()
    jan5 = date(2026, 1, 5)
    log.add("registered", "child_registered", "2026-01-05", at(jan5))
    log.add("authority", "authority_recorded", "2026-01-05", at(jan5))
    log.add("alloc1", "allocated_to_worker", "2026-01-05", at(jan5), worker_id="sw-001")
    log.add("plan", "child_protection_plan_started", "2026-01-12", at(date(2026, 1, 12)))
    log.add("visit1", "child_visited", "2026-01-15T10:00", at(date(2026, 1, 15), 15))
    log.add(
        "breach",
        "deadline_breached",
        "2026-02-13T06:00",
        at(date(2026, 2, 13), 6),
        rule_id="cp_visits",
        pack="york",
        pack_version="2026.1",
        citation="york cp visits",
        trigger_event_id=log.ids["visit1"],
        due="2026-02-12T23:59:59.999999+00:00",
        detected_at="2026-02-13T06:00:00+00:00",
    )
    log.add(
        "decision",
        "management_decision_recorded",
        "2026-02-16",
        at(date(2026, 2, 16)),
        decision="Keep the plan.",
        rationale="Progress seen.",
    )
    log.add(
        "visit2",
        "child_visited",
        "2026-02-10T11:00",
        at(date(2026, 2, 20), 17),
        seen_alone=False,
    )
    log.add(
        "alloc2", "allocated_to_worker", "2026-02-23", at(date(2026, 2, 23)), worker_id="sw-002"
    )
    log.add(
        "fix_decision",
        "entry_corrected",
        "2026-03-02",
        at(date(2026, 3, 2)),
        target_event_id=log.ids["decision"],
        changes={"rationale": "Progress seen; school attendance up to 95%."},
        reason="Rationale incomplete.",
    )
    log.add(
        "in_error",
        "entry_recorded_in_error",
        "2026-03-03",
        at(date(2026, 3, 3)),
        target_event_id=log.ids["alloc2"],
        reason="Wrong child.",
    )
    log.add(
        "fix_visit",
        "entry_corrected",
        "2026-03-04",
        at(date(2026, 3, 4)),
        target_event_id=log.ids["visit1"],
        changes={"seen_alone": False},
        reason="Mother was present throughout.",
    )
    log.add("late_record", "case_note_recorded", "2026-03-05", at(date(2026, 4, 1)))
    return log


@pytest.fixture(scope="module")
def run(log: Log, packs: PackSet) -> tuple[Replay, dict[date, Snapshot]]:
    state = Replay(log.items, packs)
    snaps = replay(
        log.items, packs, start=date(2026, 2, 1), end=date(2026, 3, 10), step="day", state=state
    )
    return state, {s.at.date(): s for s in snaps}


def _due(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def test_moments_for_each_step() -> None:
    assert moments(date(2026, 3, 1), date(2026, 3, 3), "day") == [
        end_of(date(2026, 3, 1)),
        end_of(date(2026, 3, 2)),
        end_of(date(2026, 3, 3)),
    ]
    assert moments(date(2026, 3, 1), date(2026, 3, 16), "week") == [
        end_of(date(2026, 3, 7)),
        end_of(date(2026, 3, 14)),
        end_of(date(2026, 3, 16)),
    ]
    recorded = [
        at(date(2026, 2, 28)),
        at(date(2026, 3, 2)),
        at(date(2026, 3, 2)),
        at(date(2026, 3, 9)),
    ]
    assert moments(date(2026, 3, 1), date(2026, 3, 5), "event", recorded) == [at(date(2026, 3, 2))]
    with pytest.raises(ValueError, match="step 'hour'"):
        moments(date(2026, 3, 1), date(2026, 3, 2), "hour")
    with pytest.raises(ValueError, match="before it starts"):
        moments(date(2026, 3, 2), date(2026, 3, 1), "day")


def test_a_recorded_breach_then_the_late_visit_that_meets_the_standard(
    run: tuple[Replay, dict[date, Snapshot]], log: Log
) -> None:
    _, days = run
    feb13 = days[date(2026, 2, 13)].children[CHILD]
    assert [(d.counted_from, _due(d.due), d.status) for d in feb13.deadline("cp_visits")] == [
        (date(2026, 1, 12), date(2026, 1, 21), Status.MET),
        (date(2026, 1, 15), date(2026, 2, 12), Status.BREACHED),
    ]
    # the handler's breach event is listed once, as recorded: no duplicate computed one
    # (York Standard 6: case supervision every 4 weeks on a CP plan — none was recorded)
    assert [(b.rule_id, b.status, b.source, b.event_id) for b in feb13.breaches] == [
        ("case_supervision_cp", "breached", "computed", None),
        ("cp_visits", "breached", "recorded", log.ids["breach"]),
    ]
    assert feb13.open_deadlines == ()
    assert feb13.last_seen is not None and feb13.last_seen.day == date(2026, 1, 15)

    feb20 = days[date(2026, 2, 20)].children[CHILD]
    assert [(d.counted_from, _due(d.due), d.status) for d in feb20.deadline("cp_visits")] == [
        (date(2026, 1, 12), date(2026, 1, 21), Status.MET),
        (date(2026, 1, 15), date(2026, 2, 12), Status.MET),
        (date(2026, 2, 10), date(2026, 3, 10), Status.PENDING),
    ]
    assert [(d.rule_id, _due(d.due)) for d in feb20.open_deadlines] == [
        ("cp_visits", date(2026, 3, 10))
    ]
    assert [(b.rule_id, b.status, b.source, _due(b.due)) for b in feb20.breaches] == [
        ("case_supervision_cp", "breached", "computed", date(2026, 2, 9)),
        ("cp_visits", "breached", "recorded", date(2026, 2, 12)),
        ("visit_recording", "met_late", "computed", date(2026, 2, 13)),
    ]
    assert feb20.last_seen is not None and feb20.last_seen.day == date(2026, 2, 10)
    assert feb20.last_seen_alone is not None and feb20.last_seen_alone.day == date(2026, 1, 15)


def test_corrections_and_in_error_entries_show_from_when_they_were_recorded(
    run: tuple[Replay, dict[date, Snapshot]], log: Log
) -> None:
    _, days = run
    before, after = days[date(2026, 3, 1)].children[CHILD], days[date(2026, 3, 2)].children[CHILD]
    assert [(d.decision, d.rationale, d.corrected) for d in before.decisions] == [
        ("Keep the plan.", "Progress seen.", False)
    ]
    assert [(d.rationale, d.corrected) for d in after.decisions] == [
        ("Progress seen; school attendance up to 95%.", True)
    ]
    alloc = days[date(2026, 3, 2)].children[CHILD].allocation
    assert alloc is not None and (alloc.worker_id, alloc.since) == ("sw-002", date(2026, 2, 23))
    alloc = days[date(2026, 3, 3)].children[CHILD].allocation
    assert alloc is not None and (alloc.worker_id, alloc.since) == ("sw-001", date(2026, 1, 5))
    mar3, mar4 = days[date(2026, 3, 3)].children[CHILD], days[date(2026, 3, 4)].children[CHILD]
    assert mar3.last_seen_alone is not None and mar3.last_seen_alone.day == date(2026, 1, 15)
    assert mar4.last_seen_alone is None
    assert mar4.last_seen is not None and mar4.last_seen.day == date(2026, 2, 10)


def test_each_event_is_fed_once_and_nothing_after_the_period_is_read(
    run: tuple[Replay, dict[date, Snapshot]], log: Log
) -> None:
    state, days = run
    assert len(days) == 38
    # the note recorded on 1 April (after the period) is never fed
    assert state.stats.events_fed == len(log.items) - 1
    assert state.folds[CHILD].count == len(log.items) - 1
    assert len(state.folds[CHILD].schedule.events) == len(log.items) - 1
    # status is recomputed at most once a day, never once per event per day
    assert state.stats.status_recomputes <= len(days)
    # a snapshot taken earlier keeps showing only what was known then
    feb1 = days[date(2026, 2, 1)]
    assert {
        r.event_id for e in feb1.chronology(significant_only=False).entries for r in []
    } == set()
    assert [e.kind for e in feb1.chronology(significant_only=False).entries] == [
        "child_registered",
        "authority_recorded",
        "allocated_to_worker",
        "child_protection_plan_started",
        "child_visited",
    ]
    assert [r.event_id for r in days[date(2026, 2, 20)].new_rows] == [log.ids["visit2"]]


def test_snapshot_refuses_a_moment_it_has_not_advanced_to(log: Log, packs: PackSet) -> None:
    state = Replay(log.items, packs)
    state.advance(end_of(date(2026, 1, 31)))
    with pytest.raises(ValueError, match="advance"):
        state.snapshot(end_of(date(2026, 3, 1)))


def test_decision_of_reads_what_and_why() -> None:
    item = seal(
        event_id="d1",
        position=1,
        recorded_at=datetime(2026, 1, 2, tzinfo=UTC),
        event=example("referral_decision", CHILD, "2026-01-02"),
        prev_hash="0" * 64,
    )
    found = decision_of(item)
    assert found is not None
    assert (found.decision, found.rationale, found.decided_by) == (
        "strategy discussion",
        "Possible physical abuse.",
        "tm-001",
    )
    visit = seal(
        event_id="v1",
        position=2,
        recorded_at=datetime(2026, 1, 2, tzinfo=UTC),
        event=example("child_visited", CHILD, "2026-01-02"),
        prev_hash="0" * 64,
    )
    assert decision_of(visit) is None


def test_what_if_names_each_rule_whose_outcome_differs_and_why(log: Log, packs: PackSet) -> None:
    cutoff = end_of(date(2026, 3, 10))
    _, _, diffs = what_if(log.items, packs, cutoff, "knowsley")
    by_rule = {d.rule_id: d for d in diffs}
    cp = by_rule["cp_visits"]
    assert cp.reasons == (
        "different timescale: york 2026.1 7 working days, then 20 working days; "
        "knowsley 2026.1 4 weeks, then 4 weeks",
    )
    assert [(d.counted_from, _due(d.due), d.status.value) for d in cp.other_deadlines] == [
        (date(2026, 1, 12), date(2026, 2, 9), "met"),
        (date(2026, 1, 15), date(2026, 2, 12), "met"),
        (date(2026, 2, 10), date(2026, 3, 10), "pending"),
    ]
    # york's visit_recording: 3 working days; knowsley's: 5 working days — the 10 Feb visit
    # written up on 20 Feb is late under both, but the due dates differ
    assert by_rule["visit_recording"].reasons[0].startswith("different timescale: york 2026.1 3")
    # knowsley supervises allocated cases every 28 days; york has no such rule
    assert by_rule["case_supervision"].reasons[0].startswith("rule absent in york")
    _, _, national = what_if(log.items, packs, cutoff, "national")
    assert {d.rule_id: d.reasons[0] for d in national}["cp_visits"].startswith(
        "rule absent in national; york 2026.1 sets 7 working days, then 20 working days"
    )
    with pytest.raises(KeyError, match="no rule pack 'nowhere'"):
        what_if(log.items, packs, cutoff, "nowhere")


def test_a_family_replay_keeps_children_apart(packs: PackSet) -> None:
    a, b = Log(), Log()
    a.add("r", "child_registered", "2026-01-05", at(date(2026, 1, 5)))
    b_item = example("child_visited", "C-R2", "2026-01-06T10:00")
    b.items.append(
        seal(
            event_id="b1",
            position=1,
            recorded_at=at(date(2026, 1, 6)).astimezone(UTC),
            event=b_item,
            prev_hash="0" * 64,
        )
    )
    snaps: Iterator[Snapshot] = replay(
        a.items + b.items, packs, start=date(2026, 1, 6), end=date(2026, 1, 6), step="day"
    )
    snap = next(snaps)
    assert set(snap.children) == {CHILD, "C-R2"}
    assert snap.children[CHILD].last_seen is None
    seen = snap.children["C-R2"].last_seen
    assert seen is not None and seen.day == date(2026, 1, 6)
