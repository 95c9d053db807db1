"""A schedule read after every add resumes each recurring series after the occurrences that
cannot have changed (``policies.engine._Chains``): its answer must equal judging the events
added so far afresh, after every add, whatever order they come in (late entries, visits
written down weeks after visits that came after them, stops, extensions)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.envelope import RecordedEvent
from policies.engine import Schedule, Status, evaluate
from tests.unit.deadline_helpers import ChildStream, london
from tests.unit.test_deadline_properties import PACKS, START, build

_FAR = datetime(2030, 1, 1, tzinfo=UTC)

SERIES_STEPS = [
    "icpc", "cp_start", "visit", "visit", "visit", "visit", "core", "core", "rcpc", "cp_end",
    "lac", "placement", "lac_review", "lac_review", "lac_end", "cin", "cin_review",
    "assess", "assess_ext", "assess_done",
]  # fmt: skip

series_history = st.lists(
    st.tuples(
        st.sampled_from(SERIES_STEPS),
        st.integers(min_value=0, max_value=240),  # occurred: days after START
        st.integers(min_value=0, max_value=40),  # recorded this many days later
    ),
    min_size=2,
    max_size=40,
)

amendments = st.lists(
    st.tuples(
        st.sampled_from(["registered_again", "in_error", "corrected"]),
        st.integers(min_value=0, max_value=240),  # occurred: days after START
        st.integers(min_value=0, max_value=40),  # recorded this many days later
        st.integers(min_value=0, max_value=99),  # which visit it amends
    ),
    max_size=3,
)


def _amend(child: ChildStream, steps: list[tuple[str, int, int, int]]) -> None:
    """A date of birth that moves the 18th birthday (and with it the series' stop) into the
    period, and visits recorded in error or corrected to unseen (their facts derived again)."""
    visits = [e.event_id for e in child.events if e.kind == "child_visited"]
    for name, day, delay, which in steps:
        occurred = START + timedelta(days=day)
        recorded = london((occurred + timedelta(days=delay)).isoformat())
        if name == "registered_again":
            child.add("child_registered", occurred, recorded=recorded, date_of_birth="2008-02-10")
        elif visits:
            target = visits[which % len(visits)]
            if name == "in_error":
                child.add(
                    "entry_recorded_in_error", occurred, recorded=recorded,
                    target_event_id=target, reason="Wrong child.",
                )  # fmt: skip
            else:
                child.add(
                    "entry_corrected", occurred, recorded=recorded, target_event_id=target,
                    changes={"seen": False, "seen_alone": False}, reason="Not seen.",
                )  # fmt: skip


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    authority=st.sampled_from([None, "york", "knowsley"]),
    steps=series_history,
    amended=amendments,
    order=st.randoms(use_true_random=False),
)
def test_a_schedule_read_after_every_add_equals_judging_afresh(
    authority: str | None,
    steps: list[tuple[str, int, int]],
    amended: list[tuple[str, int, int, int]],
    order: object,
) -> None:
    child = build(authority, steps)
    _amend(child, amended)
    events = list(child.events)
    head = events[: 2 if authority else 1]
    tail = events[len(head) :]
    if order.random() < 0.5:  # type: ignore[attr-defined]
        tail.sort(key=lambda e: e.recorded_at)  # as a replay feeds them
    else:
        order.shuffle(tail)  # type: ignore[attr-defined]
    schedule = Schedule(PACKS)
    added = []
    for event in [*head, *tail]:
        schedule.add(event)
        added.append(event)
        latest = max(
            max(e.recorded_at for e in added),
            max(e.event.occurred_instant for e in added),
        )
        for at in (latest, latest + timedelta(days=45)):
            assert schedule.deadlines(at) == evaluate(added, PACKS, at), f"after {len(added)}"


def _read_after_every_add(events: list[RecordedEvent]) -> None:
    schedule = Schedule(PACKS)
    for count, event in enumerate(events, start=1):
        schedule.add(event)
        added = events[:count]
        at = max(max(e.recorded_at for e in added), max(e.event.occurred_instant for e in added))
        assert schedule.deadlines(at) == evaluate(added, PACKS, at), f"after {count}"


def _looked_after_with_visits() -> ChildStream:
    return build(
        None, [("lac", 0, 0), ("icpc", 1, 0)] + [("visit", d, 0) for d in range(5, 120, 7)]
    )


def test_a_date_of_birth_recorded_late_stops_the_series_at_the_18th_birthday_it_moves() -> None:
    child = _looked_after_with_visits()
    _amend(child, [("registered_again", 100, 0, 0)])  # 18 on day 36, written down on day 100
    _read_after_every_add(child.events)
    assert any(d.status is Status.CANCELLED for d in evaluate(child.events, PACKS, _FAR))


def test_a_visit_added_after_its_correction_meets_the_series_as_corrected() -> None:
    child = _looked_after_with_visits()
    unseen = child.add(
        "child_visited", START + timedelta(days=50), seen=False, seen_alone=False, location="home"
    )
    correction = child.add(
        "entry_corrected", START + timedelta(days=52), target_event_id=unseen.event_id,
        changes={"seen": True}, reason="The child was seen.",
    )  # fmt: skip
    others = [e for e in child.events if e not in (unseen, correction)]
    _read_after_every_add([*others, correction, unseen])  # the correction first
