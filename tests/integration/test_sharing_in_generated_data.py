"""The demo and the synthetic authority record what was sent to whom, so the circulation,
report-sharing and information rules (issue 14 §3) breach only where an item went late on
purpose.

Every rule met by ``minutes_circulated``, ``information_given`` or ``report_shared`` is
counted by status. The demo's two deliberate misses (the ICPC report reached the chair after
Easter, York 6.4; the placement order told two days on, York 6.5) are its only late items;
on 50 synthetic children (seed 1) the late items are the ones the generator marked late,
about one in twenty (adapters/synthetic/synth_sharing.py). A generator that stops recording these
entries, or a rule that stops reading its recipients, changes the counts.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, time

from adapters.packs import load_packs
from adapters.store import EventStore
from adapters.synthetic.demo_family import write_demo
from adapters.synthetic.synth import END, load
from domain.events.base import LONDON
from policies.engine import Deadline, Status, evaluate

SHARING = frozenset({"minutes_circulated", "information_given", "report_shared"})


def _sharing_rules() -> set[tuple[str, str]]:
    packs = load_packs()
    return {
        (pack_id, rule.id)
        for pack_id in packs.ids()
        for rule in packs.latest(pack_id).rules
        if SHARING & {m.kind for m in rule.satisfied_by}
    }


def _judged(url: str, at: datetime) -> tuple[list[Deadline], dict[str, str]]:
    """Every sharing rule's deadline at ``at``, and each event's summary by id."""
    packs = load_packs()
    rules = _sharing_rules()
    found: list[Deadline] = []
    summaries: dict[str, str] = {}
    with EventStore(url) as store:
        for child_id in store.children():
            stream = store.stream(child_id)
            summaries.update({e.event_id: e.event.summary for e in stream})
            found += [d for d in evaluate(stream, packs, at) if (d.pack, d.rule_id) in rules]
    return found, summaries


def _not_met(deadlines: list[Deadline]) -> Counter[tuple[str, str, str]]:
    return Counter(
        (d.pack, d.rule_id, d.status.value)
        for d in deadlines
        if d.status not in (Status.MET, Status.PENDING)
    )


def test_the_demo_misses_only_its_two_deliberate_items(sqlite_url: str) -> None:
    result = write_demo(sqlite_url)
    deadlines, _ = _judged(sqlite_url, datetime(2026, 12, 1, 9, tzinfo=UTC))
    met = Counter((d.pack, d.rule_id) for d in deadlines if d.status is Status.MET)
    assert met == {
        ("york", "icpc_report_shared"): 1,  # parents, 2 working days before (York 6.4)
        ("york", "cin_plan_distributed"): 1,  # Mia's plan to her mother and the nursery
        ("york", "legal_status_notified"): 3,  # into care (s20), ICO, care order
        ("national", "iro_review_record"): 3,  # Jordan's three looked-after reviews
    }
    assert _not_met(deadlines) == {
        ("york", "icpc_reports_to_chair", "met_late"): 1,
        ("york", "legal_status_notified", "met_late"): 1,
    }
    late = {d.rule_id: d for d in deadlines if d.status is Status.MET_LATE}
    assert late["icpc_reports_to_chair"].satisfied_by_event_id == result.ids["chair_report"]
    assert late["icpc_reports_to_chair"].due.astimezone(LONDON).date().isoformat() == (
        "2021-04-01"  # 3 working days before 8 April 2021: Good Friday and Easter Monday
    )
    told = late["legal_status_notified"]
    assert told.satisfied_by_event_id == result.ids["placement_order_told"]
    assert told.due.astimezone(LONDON).isoformat()[:16] == "2022-12-15T00:00"  # 24 hours


SYNTH_CHILDREN = 50
SYNTH_SEED = 1
SYNTH_LATE = {
    ("knowsley", "lac_review_report_to_iro", "met_late"): 3,
    ("national", "iro_review_record", "met_late"): 4,
    ("shropshire", "rcpc_recorded", "met_late"): 1,
    ("york", "cin_plan_distributed", "met_late"): 2,
    ("york", "icpc_report_shared", "met_late"): 1,
    ("york", "icpc_reports_to_chair", "met_late"): 1,
}
"""The deadlines seed 1's late items miss, at the end of the history (none is breached:
every late item was sent before the history ends)."""


def test_synthetic_children_miss_only_the_items_sent_late_on_purpose(sqlite_url: str) -> None:
    with EventStore(sqlite_url) as store:
        load(store, SYNTH_CHILDREN, SYNTH_SEED)
    at = datetime.combine(END, time(18, 0), tzinfo=LONDON)
    deadlines, summaries = _judged(sqlite_url, at)
    assert _not_met(deadlines) == SYNTH_LATE
    for deadline in deadlines:
        if deadline.status is Status.MET_LATE:
            assert deadline.satisfied_by_event_id is not None
            assert summaries[deadline.satisfied_by_event_id].endswith("(late)"), deadline
    met = Counter((d.pack, d.rule_id) for d in deadlines if d.status is Status.MET)
    # every sharing rule but Shropshire's two looked-after review rules (no Shropshire child
    # is looked after in these 50) judges at least one on-time item
    assert _sharing_rules() - set(met) == {
        ("shropshire", "lac_review_full_record"),
        ("shropshire", "lac_review_report_to_iro"),
    }
    assert met[("national", "iro_review_record")] == 79
    assert met[("knowsley", "rcpc_report_shared")] == 3  # parents or carers, and the child
    assert met[("shropshire", "referrer_feedback")] == 6
