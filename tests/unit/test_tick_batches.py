"""How a tick cuts its children into batches: full batches alone, several a process with workers."""

from __future__ import annotations

from adapters.scheduler import cut_batches


def _ids(n: int) -> list[str]:
    return [f"C-{i:05d}" for i in range(n)]


def test_one_process_takes_full_batches_in_order() -> None:
    batches = cut_batches(_ids(601), 1, 200)
    assert [len(b) for b in batches] == [200, 200, 200, 1]
    assert [c for b in batches for c in b] == _ids(601)


def test_a_next_day_tick_with_a_worker_gives_each_process_several_batches() -> None:
    # 601 children due (the county's next day): in 200s the worker got two batches of three
    batches = cut_batches(_ids(601), 2, 200)
    assert [len(b) for b in batches] == [51] * 11 + [40]
    assert [c for b in batches for c in b] == _ids(601)


def test_a_first_tick_with_a_worker_keeps_full_batches() -> None:
    assert {len(b) for b in cut_batches(_ids(50_000), 2, 200)} == {200}


def test_batches_never_fall_below_the_floor_nor_exceed_the_most() -> None:
    assert [len(b) for b in cut_batches(_ids(210), 2, 200)] == [25] * 8 + [10]
    assert [len(b) for b in cut_batches(_ids(40), 2, 8)] == [8] * 5  # a test's small batches
    assert cut_batches([], 2, 200) == []
