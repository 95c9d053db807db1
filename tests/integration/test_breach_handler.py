"""The breach handler on a real store (SQLite and PostgreSQL): exactly once, whatever happens."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

from adapters.scheduler import PolicyHandler
from adapters.store import EventStore
from domain.events.base import LONDON
from tests.conftest import Clock
from tests.factories import example


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


def standards(store: EventStore, child_id: str) -> Counter[tuple[str, str]]:
    return Counter(
        (e.kind, e.event.rule_id)  # type: ignore[attr-defined]
        for e in store.stream(child_id)
        if e.kind.startswith("deadline_")
    )


def seed_york_child(store: EventStore, clock: Clock, child_id: str) -> None:
    clock.set(at("2026-04-02T11:00").astimezone(UTC))
    store.record(
        [
            example("child_registered", child_id, "2019-04-01"),
            example("authority_recorded", child_id, "2019-04-01", authority="york"),
            example("allocated_to_worker", child_id, "2026-04-02", worker_id="sw-7", team="North"),
            example("referral_received", child_id, at("2026-04-02T10:00")),
        ]
    )


def test_ticks_repeated_and_restarted_mid_batch_write_each_breach_once(
    store_url: str, make_store: Callable[..., EventStore], clock: Clock
) -> None:
    store = make_store(store_url)
    for n in range(3):
        seed_york_child(store, clock, f"C-BR-{n}")
    # York: strategy discussion within 1 working day -> due end of Tuesday 7 April 2026.
    clock.set(at("2026-04-07T06:00").astimezone(UTC))
    report = PolicyHandler(store).tick(at("2026-04-07T06:00"))
    assert report.due_soon >= 3 and report.breaches == 0
    assert standards(store, "C-BR-0")[("deadline_due_soon", "strategy_discussion")] == 1

    # a handler "killed" after one child, then restarted: a fresh handler on a fresh store
    clock.set(at("2026-04-08T06:00").astimezone(UTC))
    first = PolicyHandler(store).tick(at("2026-04-08T06:00"), stop_after=1)
    assert first.children_checked == 1
    restarted_store = make_store(store_url)
    PolicyHandler(restarted_store).tick(at("2026-04-08T06:00"))
    PolicyHandler(restarted_store).tick(at("2026-04-08T07:00"))  # and repeated
    for n in range(3):
        counts = standards(restarted_store, f"C-BR-{n}")
        assert counts[("deadline_breached", "strategy_discussion")] == 1, counts
        assert counts[("deadline_due_soon", "strategy_discussion")] == 1
    breach = next(
        e
        for e in restarted_store.stream("C-BR-0")
        if e.kind == "deadline_breached" and e.event.rule_id == "strategy_discussion"  # type: ignore[attr-defined]
    )
    assert breach.event.recorded_by.user_id == "caseledger-policy"
    assert breach.event.due == at("2026-04-07T23:59:59.999999")  # type: ignore[attr-defined]
    assert breach.event.detected_at == at("2026-04-08T06:00")  # type: ignore[attr-defined]
    assert "003_8160ba9d01af632f.txt" in breach.event.citation  # type: ignore[attr-defined]


def test_late_recorded_event_reveals_breach_and_met_late_with_both_dates(
    store_url: str, make_store: Callable[..., EventStore], clock: Clock
) -> None:
    store = make_store(store_url)
    seed_york_child(store, clock, "C-LATE")
    handler = PolicyHandler(store)
    # the strategy discussion happened on Thursday 9 April (late) but is written up on the 14th;
    # no tick ran while it was overdue.
    clock.set(at("2026-04-14T09:00").astimezone(UTC))
    store.record_one(
        example(
            "strategy_discussion_held",
            "C-LATE",
            at("2026-04-09T15:00"),
            agencies_present=["police", "health", "social_care"],
            decision="no_further_action",
        )
    )
    handler.tick(at("2026-04-14T09:05"))
    handler.tick(at("2026-04-14T09:10"))
    events = [e for e in store.stream("C-LATE") if e.kind.startswith("deadline_")]
    kinds = Counter((e.kind, e.event.rule_id) for e in events)  # type: ignore[attr-defined]
    assert kinds[("deadline_breached", "strategy_discussion")] == 1
    assert kinds[("deadline_met_late", "strategy_discussion")] == 1
    met = next(
        e
        for e in events
        if e.kind == "deadline_met_late"
        and getattr(e.event, "rule_id", None) == "strategy_discussion"
    )
    assert met.event.met_at == at("2026-04-09T15:00")  # type: ignore[attr-defined]
    breach = next(
        e
        for e in events
        if e.kind == "deadline_breached"
        and getattr(e.event, "rule_id", None) == "strategy_discussion"
    )
    assert breach.event.occurred_at == at("2026-04-07T23:59:59.999999")
    assert breach.event.detected_at == at("2026-04-14T09:05")  # type: ignore[attr-defined]


def test_events_out_of_order_give_one_breach_and_the_index_finds_due_children(
    store_url: str, make_store: Callable[..., EventStore], clock: Clock
) -> None:
    store = make_store(store_url)
    clock.set(at("2026-03-20T10:00").astimezone(UTC))
    # the visit is recorded before the placement it belongs to (entered out of order)
    store.record(
        [
            example("child_registered", "C-OOO", "2019-04-01"),
            example("authority_recorded", "C-OOO", "2019-04-01", authority="york"),
            example(
                "became_looked_after",
                "C-OOO",
                "2026-03-02",
                legal_status="V2",
                legal_basis="s20",
                category_of_need="N1",
            ),
        ]
    )
    handler = PolicyHandler(store)
    handler.tick(at("2026-03-20T10:00"))
    store.record_one(example("child_visited", "C-OOO", "2026-03-04", seen=True, location="home"))
    handler.tick(at("2026-03-20T11:00"))
    store.record_one(
        example(
            "placement_started",
            "C-OOO",
            "2026-03-02",
            placement_id="PL-9",
            placement_type="U6",
            provider="PR1",
        )
    )
    handler.tick(at("2026-03-20T12:00"))
    handler.tick(at("2026-03-20T13:00"))
    counts = standards(store, "C-OOO")
    assert all(n == 1 for n in counts.values()), counts
    # the placement visit within 24 hours (York) was missed: the visit came 2 days later
    assert counts[("deadline_breached", "placement_visit")] == 1
    assert counts[("deadline_met_late", "placement_visit")] == 1
    # a later tick with nothing new and nothing due checks no child at all
    assert handler.tick(at("2026-03-20T13:05")).children_checked == 0


def test_a_tick_counts_what_it_wrote_and_keeps_no_child_records_afterwards(
    store_url: str, make_store: Callable[..., EventStore], clock: Clock
) -> None:
    """A tick's memory follows one batch of children: a county's first tick checks 50,000."""
    store = make_store(store_url)
    for n in range(3):
        seed_york_child(store, clock, f"C-MEM-{n}")
    clock.set(at("2026-04-08T06:00").astimezone(UTC))
    store.forget()
    report = PolicyHandler(store).tick(at("2026-04-08T06:00"))
    assert report.children_checked == 3
    assert report.breaches >= 3
    assert report.written == report.breaches + report.due_soon + report.met_late
    assert report.as_json()["written"] == report.written
    written = sum(sum(standards(store, f"C-MEM-{n}").values()) for n in range(3))
    assert report.written == written
    assert store._records == {}  # the records cached for the write were let go
