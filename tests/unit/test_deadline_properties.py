"""Property tests: random histories never give a deadline that is both met and breached, and the
incremental schedule equals a full replay."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.packs import load_packs
from policies.engine import Schedule, Status, evaluate
from tests.unit.deadline_helpers import ChildStream, london

PACKS = load_packs()
START = date(2026, 1, 5)

STEPS = {
    "referral": ("referral_received", {}),
    "referral_psa": ("referral_received", {"alleged_penetrative_sexual_abuse": True}),
    "decision_nfa": ("referral_decision", {"outcome": "no_further_action"}),
    "strategy": ("strategy_discussion_held", {}),
    "s47": ("section_47_started", {}),
    "s47_end": ("section_47_concluded", {"outcome": "icpc"}),
    "icpc": ("initial_child_protection_conference_held", {}),
    "cp_start": ("child_protection_plan_started", {"category_of_abuse": "NEG"}),
    "cp_end": ("child_protection_plan_ended", {"reason": "ok"}),
    "core": ("core_group_held", {}),
    "rcpc": ("review_child_protection_conference_held", {"decision": "continue_plan"}),
    "visit": ("child_visited", {"seen": True, "location": "home"}),
    "lac": (
        "became_looked_after",
        {"legal_status": "V2", "legal_basis": "s20", "category_of_need": "N1"},
    ),
    "lac_review": ("looked_after_review_held", {"participation": "PN1"}),
    "lac_end": ("ceased_to_be_looked_after", {"reason": "E4A"}),
    "placement": (
        "placement_started",
        {"placement_id": "PL-1", "placement_type": "U6", "provider": "PR1"},
    ),
    "assess": ("assessment_started", {}),
    "assess_ext": ("assessment_extended", {"agreed_new_date": "2026-06-30"}),
    "assess_done": ("assessment_completed", {}),
    "cin": ("child_in_need_plan_agreed", {}),
    "cin_review": ("child_in_need_plan_reviewed", {"outcome": "continue"}),
    # issue 14 §3: circulated minutes, recipients that must all be reached, and a care plan
    # judged when recorded
    "minutes": (
        "minutes_circulated",
        {"meeting_type": "strategy", "meeting_date": START.isoformat(), "recipients": ["agencies"]},
    ),
    "booked": (
        "meeting_scheduled",
        {"meeting_type": "initial_conference", "scheduled_for": "2026-03-20"},
    ),
    "report": (
        "report_shared",
        {
            "meeting_type": "initial_conference",
            "meeting_date": "2026-03-20",
            "recipients": ["parents"],
        },
    ),
    "report_chair": (
        "report_shared",
        {
            "meeting_type": "initial_conference",
            "meeting_date": "2026-03-20",
            "recipients": ["chair"],
        },
    ),
    "care_plan": ("care_plan_agreed", {}),
}

history = st.lists(
    st.tuples(
        st.sampled_from(sorted(STEPS)),
        st.integers(min_value=0, max_value=200),  # occurred: days after START
        st.integers(min_value=0, max_value=20),  # recorded this many days later
    ),
    min_size=1,
    max_size=25,
)


def build(authority: str | None, steps: list[tuple[str, int, int]]) -> ChildStream:
    child = ChildStream(authority=authority)
    for name, day, delay in steps:
        kind, fields = STEPS[name]
        occurred = START + timedelta(days=day)
        child.add(
            kind,
            occurred,
            recorded=london((occurred + timedelta(days=delay)).isoformat()),
            **fields,
        )
    return child


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    authority=st.sampled_from([None, "shropshire", "wiltshire", "sussex", "york", "knowsley"]),
    steps=history,
    at_day=st.integers(min_value=0, max_value=400),
)
def test_no_deadline_is_both_met_and_breached(
    authority: str | None, steps: list[tuple[str, int, int]], at_day: int
) -> None:
    child = build(authority, steps)
    at = london((START + timedelta(days=at_day)).isoformat())
    result = evaluate(child.events, PACKS, at)
    keys = [(d.key, d.occurrence) for d in result]
    assert len(keys) == len(set(keys))
    for d in result:
        met = d.satisfied_by_event_id is not None
        if d.status is Status.MET:
            assert met and d.satisfied_at is not None and d.satisfied_at <= d.effective_due
        elif d.status is Status.MET_LATE:
            assert met and d.satisfied_at is not None and d.satisfied_at > d.effective_due
        elif d.status is Status.BREACHED:
            assert not met and at > d.effective_due
        elif d.status in (Status.PENDING, Status.EXTENDED):
            assert not met and at <= d.effective_due
            assert (d.status is Status.EXTENDED) == (d.extended_to is not None)
        else:
            assert d.status is Status.CANCELLED and d.cancelled_by_event_id and not met


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    authority=st.sampled_from([None, "shropshire", "york", "knowsley"]),
    steps=history,
    order=st.randoms(use_true_random=False),
)
def test_incremental_schedule_equals_full_replay(
    authority: str | None, steps: list[tuple[str, int, int]], order: object
) -> None:
    child = build(authority, steps)
    events = list(child.events)
    tail = events[2 if authority else 1 :]
    order.shuffle(tail)  # type: ignore[attr-defined]
    schedule = Schedule(PACKS)
    for event in [*events[: 2 if authority else 1], *tail]:
        schedule.add(event)
    latest = max(
        max(e.recorded_at for e in events),
        max(london(e.event.occurred_date.isoformat()) for e in events),
    )
    at = latest + timedelta(days=30)
    assert schedule.deadlines(at) == evaluate(events, PACKS, at)
