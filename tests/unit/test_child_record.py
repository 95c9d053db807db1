"""The child-record aggregate: the rules a new entry must keep, judged before anything is written."""

from __future__ import annotations

import ast
import copy
import inspect
import itertools
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import MISSING, fields
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain import child_record
from domain.child_record import CaseState, ChildRecord, Decision
from domain.codes import OrderKind
from domain.errors import IdempotencyConflict, InvalidEvent
from domain.events import EVENT_TYPES
from domain.events.proceedings import OrderMade
from tests.factories import example

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def _ids() -> itertools.count[int]:
    return itertools.count(1)


def opened(child_id: str = "C-EX-1", **overrides: object) -> ChildRecord:
    record = ChildRecord(child_id)
    counter = _ids()
    decision = record.record(
        [example("child_registered", child_id, "2026-01-05", **overrides)],
        recorded_at=NOW,
        new_id=lambda: f"e{next(counter)}",
    )
    record.commit(decision)
    return record


def append(record: ChildRecord, *events: object, at: datetime = NOW) -> list[str]:
    counter = itertools.count(record.version + 1)
    decision = record.record(list(events), recorded_at=at, new_id=lambda: f"e{next(counter)}")  # type: ignore[arg-type]
    record.commit(decision)
    return [r.event_id for r in decision.results]


def test_first_event_must_register_the_child() -> None:
    record = ChildRecord("C-EX-1")
    with pytest.raises(InvalidEvent) as raised:
        record.record([example("case_note_recorded")], recorded_at=NOW, new_id=lambda: "x")
    assert "not registered" in str(raised.value)
    assert record.version == 0


def test_event_for_another_child_is_refused() -> None:
    record = opened()
    with pytest.raises(InvalidEvent) as raised:
        append(record, example("case_note_recorded", child_id="C-OTHER"))
    assert raised.value.field == "child_id"


def test_future_occurred_at_is_refused_beyond_allowance() -> None:
    record = opened()
    append(record, example("case_note_recorded", occurred_at="2026-06-01T10:10:00+01:00"))  # 10 min
    with pytest.raises(InvalidEvent) as raised:
        append(record, example("case_note_recorded", occurred_at="2026-06-02"))
    assert raised.value.field == "occurred_at"
    assert "in the future" in str(raised.value)


def test_plan_cannot_end_before_it_starts() -> None:
    record = opened()
    append(record, example("child_protection_plan_started", occurred_at="2026-03-01"))
    with pytest.raises(InvalidEvent) as raised:
        append(record, example("child_protection_plan_ended", occurred_at="2026-02-27"))
    assert raised.value.field == "occurred_at"
    assert "cannot end before it starts" in str(raised.value)
    append(record, example("child_protection_plan_ended", occurred_at="2026-03-02"))
    assert record.state.cp_plan_since is None


def test_two_placements_at_once_are_refused() -> None:
    record = opened()
    append(record, example("became_looked_after", occurred_at="2026-02-01"))
    append(record, example("placement_started", occurred_at="2026-02-01", placement_id="pl-1"))
    with pytest.raises(InvalidEvent) as raised:
        append(record, example("placement_started", occurred_at="2026-02-10", placement_id="pl-2"))
    assert raised.value.field == "placement_id"
    assert "two placements at once" in str(raised.value)


def test_care_order_status_needs_an_order() -> None:
    record = opened()
    with pytest.raises(InvalidEvent) as raised:
        append(record, example("became_looked_after", occurred_at="2026-02-01", legal_status="C2"))
    assert raised.value.field == "legal_status"
    assert "order_made" in str(raised.value)
    append(record, example("order_made", occurred_at="2026-02-01", order="care_order"))
    append(record, example("became_looked_after", occurred_at="2026-02-01", legal_status="C2"))
    assert record.state.looked_after_since is not None


def test_correction_must_target_an_event_of_this_child() -> None:
    record = opened()
    with pytest.raises(InvalidEvent) as raised:
        append(record, example("entry_corrected", target_event_id="no-such-event"))
    assert raised.value.field == "target_event_id"
    assert "no event 'no-such-event'" in str(raised.value)


def test_correction_changes_must_be_valid_fields() -> None:
    record = opened()
    [note] = append(record, example("case_note_recorded"))
    with pytest.raises(InvalidEvent) as raised:
        append(record, example("entry_corrected", target_event_id=note, changes={"colour": "red"}))
    assert raised.value.field == "changes.colour"
    with pytest.raises(InvalidEvent) as raised:
        append(record, example("entry_corrected", target_event_id=note, changes={"child_id": "X"}))
    assert raised.value.field == "changes.child_id"


def test_correction_rewrites_effective_state_not_history() -> None:
    record = opened()
    [start] = append(record, example("child_protection_plan_started", occurred_at="2026-03-01"))
    append(
        record,
        example(
            "entry_corrected",
            occurred_at="2026-03-05",
            target_event_id=start,
            changes={"occurred_at": "2026-02-20"},
            reason="Wrong date typed.",
        ),
    )
    assert str(record.state.cp_plan_since) == "2026-02-20"
    assert str(record.by_id[start].event.occurred_at) == "2026-03-01"  # the original stays


def test_recorded_in_error_entry_no_longer_counts() -> None:
    record = opened()
    [start] = append(record, example("child_protection_plan_started", occurred_at="2026-03-01"))
    append(
        record, example("entry_recorded_in_error", occurred_at="2026-03-02", target_event_id=start)
    )
    assert record.state.cp_plan_since is None
    with pytest.raises(InvalidEvent):
        append(
            record,
            example("entry_recorded_in_error", occurred_at="2026-03-02", target_event_id=start),
        )


def test_pre_birth_events_only_for_an_unborn_child() -> None:
    born = opened(date_of_birth="2026-01-01")
    with pytest.raises(InvalidEvent) as raised:
        append(born, example("referral_received", occurred_at="2025-12-01"))
    assert "before the child's date of birth" in str(raised.value)
    unborn = ChildRecord("C-EX-2")
    counter = _ids()
    decision = unborn.record(
        [
            example(
                "child_registered",
                "C-EX-2",
                "2025-11-01",
                date_of_birth=None,
                expected_date_of_birth="2026-01-10",
                upn=None,
            ),
            example("referral_received", "C-EX-2", "2025-11-02"),
            example("child_born", "C-EX-2", "2026-01-08", date_of_birth="2026-01-08"),
            example("child_visited", "C-EX-2", "2026-01-09"),
        ],
        recorded_at=NOW,
        new_id=lambda: f"e{next(counter)}",
    )
    assert len(decision.new) == 4


def test_repeated_idempotency_key_returns_the_first_result() -> None:
    record = opened()
    [first] = append(record, example("case_note_recorded", idempotency_key="k-1"))
    version = record.version
    decision = record.record(
        [example("case_note_recorded", idempotency_key="k-1")],
        recorded_at=NOW,
        new_id=lambda: "never-used",
    )
    assert decision.new == []
    assert decision.results[0].event_id == first
    assert record.version == version


def test_a_repeated_key_with_other_content_is_a_conflict_naming_the_earlier_event() -> None:
    record = opened()
    [first] = append(record, example("case_note_recorded", idempotency_key="k-1"))
    version = record.version
    with pytest.raises(IdempotencyConflict) as raised:
        record.record(
            [example("case_note_recorded", idempotency_key="k-1", summary="different")],
            recorded_at=NOW,
            new_id=lambda: "never-used",
        )
    assert raised.value.key == "k-1"
    assert raised.value.earlier_event_id == first
    assert raised.value.differs == "content"
    assert first in str(raised.value) and "'k-1'" in str(raised.value)
    assert record.version == version


def _refused_batch(record: ChildRecord, *, in_place: bool) -> InvalidEvent:
    """A note, then the end of a plan the child never had: the second event is refused."""
    with pytest.raises(InvalidEvent) as raised:
        record.record(
            [example("case_note_recorded"), example("child_protection_plan_ended")],
            recorded_at=NOW,
            new_id=lambda: "x",
            in_place=in_place,
        )
    return raised.value


def test_a_failed_batch_leaves_the_record_untouched() -> None:
    record = opened()
    refused = _refused_batch(record, in_place=False)
    assert refused.index == 1
    assert record.version == 1


def test_a_decision_in_place_advances_the_record_itself_with_the_same_events() -> None:
    copied, in_place = opened(), opened()
    events = [example("case_note_recorded"), example("child_visited")]
    counter = itertools.count(2)
    expected = copied.record(events, recorded_at=NOW, new_id=lambda: f"e{next(counter)}")
    copied.commit(expected)
    counter = itertools.count(2)
    decision = in_place.record(
        events, recorded_at=NOW, new_id=lambda: f"e{next(counter)}", in_place=True
    )
    assert in_place.version == 3  # advanced before any commit
    assert decision.new == expected.new
    in_place.commit(decision)  # already applied: committing does not apply them twice
    assert in_place.version == 3
    assert in_place.history == copied.history
    assert in_place.last_hash == copied.last_hash == copied.history[-1].hash


def test_a_refused_decision_in_place_leaves_the_record_part_advanced() -> None:
    # what the store relies on: it drops such a record and reloads it from the log
    record = opened()
    refused = _refused_batch(record, in_place=True)
    assert refused.index == 1
    assert record.version == 2


def test_hash_chain_links_each_event_to_the_one_before() -> None:
    record = opened()
    append(record, example("case_note_recorded"), example("child_visited"))
    first, second, third = record.history
    assert first.prev_hash == "0" * 64
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3


# -- per-event recorded times (imports keep each entry's own "written down" time) ---------

HOUR = timedelta(hours=1)


def seal_with_times(
    record: ChildRecord, events: Sequence[object], times: list[datetime]
) -> Decision:
    counter = itertools.count(record.version + 1)
    return record.record(events, recorded_at=times, new_id=lambda: f"e{next(counter)}")  # type: ignore[arg-type]


def test_each_imported_event_keeps_its_own_recorded_time() -> None:
    record = opened()
    times = [NOW + HOUR, NOW + HOUR, NOW + 26 * HOUR]
    decision = seal_with_times(
        record,
        [
            example("case_note_recorded", occurred_at="2026-05-20"),
            example("child_visited", occurred_at="2026-05-21"),
            example("case_note_recorded", occurred_at="2026-05-22"),
        ],
        times,
    )
    assert [item.recorded_at for item in decision.new] == times
    assert [item.position for item in decision.new] == [2, 3, 4]
    record.commit(decision)
    assert record.last_recorded_at == NOW + 26 * HOUR


def test_imported_times_must_follow_the_order_they_were_written_down() -> None:
    record = opened()
    with pytest.raises(InvalidEvent) as raised:
        seal_with_times(
            record,
            [
                example("case_note_recorded"),
                example("child_visited"),
                example("case_note_recorded"),
            ],
            [NOW + 2 * HOUR, NOW + 3 * HOUR, NOW + HOUR],
        )
    assert raised.value.index == 2
    assert raised.value.field == "recorded_at"
    assert raised.value.kind == "case_note_recorded"
    assert "entries are imported in the order they were written down" in str(raised.value)
    assert str(raised.value).startswith("event 2 (case_note_recorded) field 'recorded_at': is ")
    assert record.version == 1  # nothing sealed


def test_an_imported_time_cannot_precede_the_record_last_entry() -> None:
    record = opened()  # registered, written down at NOW
    with pytest.raises(InvalidEvent) as raised:
        seal_with_times(record, [example("case_note_recorded")], [NOW - timedelta(seconds=1)])
    assert (raised.value.index, raised.value.field) == (0, "recorded_at")
    assert f"earlier than {NOW.isoformat()}" in str(raised.value)
    # the same moment as the last entry is fine (written down together)
    decision = seal_with_times(record, [example("case_note_recorded")], [NOW])
    assert decision.new[0].recorded_at == NOW


def test_a_single_time_behind_the_record_is_still_clamped_up() -> None:
    record = opened()
    decision = record.record(
        [example("case_note_recorded")], recorded_at=NOW - HOUR, new_id=lambda: "e2"
    )
    assert decision.new[0].recorded_at == NOW


def test_imported_times_must_be_aware_and_one_per_event() -> None:
    record = opened()
    with pytest.raises(InvalidEvent) as raised:
        seal_with_times(
            record,
            [example("case_note_recorded"), example("child_visited")],
            [NOW + HOUR, datetime(2026, 6, 1, 12, 0)],
        )
    assert (raised.value.index, raised.value.field) == (1, "recorded_at")
    assert "without a timezone" in str(raised.value)
    with pytest.raises(InvalidEvent) as raised:
        seal_with_times(record, [example("case_note_recorded")], [NOW, NOW])
    assert raised.value.field == "recorded_at"
    assert "2 times for 1 events" in str(raised.value)


def test_future_rule_judges_each_event_against_its_own_recorded_time() -> None:
    record = opened()
    # 12:00 London on 1 June is three hours after NOW (09:00 UTC = 10:00 London)
    noon = example("case_note_recorded", occurred_at="2026-06-01T12:00:00+01:00")
    later = NOW + 3 * HOUR
    with pytest.raises(InvalidEvent):  # one time for the call: noon is in its future
        record.record([noon], recorded_at=NOW, new_id=lambda: "x")
    decision = seal_with_times(record, [example("case_note_recorded"), noon], [NOW, later])
    assert [item.recorded_at for item in decision.new] == [NOW, later]
    # a later neighbour's time does not cover an earlier entry written before noon
    with pytest.raises(InvalidEvent) as raised:
        seal_with_times(record, [noon, example("case_note_recorded")], [NOW, later])
    assert (raised.value.index, raised.value.field) == (0, "occurred_at")
    assert "in the future" in str(raised.value)


def test_a_rerun_import_passes_over_entries_already_written() -> None:
    record = opened()
    notes = [example("case_note_recorded", idempotency_key=f"legacy-{n}") for n in (1, 2, 3)]
    times = [NOW + HOUR, NOW + 2 * HOUR, NOW + 3 * HOUR]
    first = seal_with_times(record, notes[:2], times[:2])
    record.commit(first)
    # legacy-1's time is before the record's last entry (legacy-2), but it is not written again
    again = seal_with_times(record, notes, times)
    assert [r.event_id for r in again.results[:2]] == [r.event_id for r in first.new]
    assert [(item.position, item.recorded_at) for item in again.new] == [(4, NOW + 3 * HOUR)]


# -- the shortcuts that keep a bulk import fast -----------------------------------------------


def _mutate(container: Any) -> None:
    if isinstance(container, list):
        container.append("added to the copy")
    elif isinstance(container, dict):
        container["added to the copy"] = None
    elif isinstance(container, set):
        container.add("added to the copy")
    else:
        raise AssertionError(f"no way to change a {type(container).__name__}")


def test_a_copied_state_shares_no_container_with_the_original() -> None:
    state = CaseState(people={"p-1"}, relationships={"r-1": None}, orders={OrderKind.CARE_ORDER})
    before = copy.deepcopy(state)
    clone = state.copy()
    assert clone == state
    containers = [f.name for f in fields(CaseState) if f.default_factory is not MISSING]
    assert len(containers) == 5
    for name in containers:
        assert getattr(clone, name) is not getattr(state, name), name
        _mutate(getattr(clone, name))
    clone.s47_open = True
    assert state == before


def test_a_forked_record_shares_no_container_with_the_record() -> None:
    record = opened()
    ids = append(
        record,
        example("person_added"),
        example("case_note_recorded", idempotency_key="k-1"),
        example("order_made"),
    )
    append(
        record, example("entry_corrected", target_event_id=ids[1], changes={"summary": "Fixed."})
    )
    append(record, example("entry_recorded_in_error", target_event_id=ids[2]))
    before = copy.deepcopy(vars(record))
    trial = record._fork()
    assert vars(trial) == vars(record)
    assert trial.state is not record.state
    assert trial.corrections and all(
        trial.corrections[k] is not record.corrections[k] for k in record.corrections
    )
    for targets in trial.corrections.values():
        targets.append("added to the copy")  # type: ignore[arg-type]
    for name, value in vars(record).items():
        if isinstance(value, list | dict | set):
            assert getattr(trial, name) is not value, name
            _mutate(getattr(trial, name))
    trial.state.people.add("p-copy")
    trial.version += 1
    assert vars(record) == before


def _classes_tested(function: Callable[..., object]) -> set[str]:
    """The class names in the function's ``isinstance(event, ...)`` checks."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    names: set[str] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "isinstance"
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id == "event"
        ):
            names |= {n.id for n in ast.walk(node.args[1]) if isinstance(n, ast.Name)}
    return names


@pytest.mark.parametrize(
    ("function", "handled", "passed_by"),
    [
        (child_record._advance, child_record._ADVANCED, child_record._NOT_ADVANCED),
        (
            child_record._check_against_state,
            child_record._CHECKED,
            child_record._NOT_CHECKED,
        ),
    ],
)
def test_the_kinds_passed_by_at_once_are_exactly_those_the_chain_never_tests(
    function: Callable[..., object], handled: tuple[type, ...], passed_by: frozenset[type]
) -> None:
    tested = _classes_tested(function)
    assert len(tested) > 15
    assert {cls.__name__ for cls in handled} == tested
    assert passed_by == {cls for cls in EVENT_TYPES.values() if cls.__name__ not in tested}


class _CourtOrder(OrderMade, register=False):
    """A class the module did not know when it listed the kinds to pass by."""


def test_a_subclass_of_a_handled_kind_still_walks_the_chain() -> None:
    order = _CourtOrder.model_validate(example("order_made", order="care_order").model_dump())
    state = CaseState()
    child_record._advance(state, order)
    assert state.orders == {OrderKind.CARE_ORDER}
