"""The rebuild's split: one process unless more are predicted to be measurably faster."""

from __future__ import annotations

import pytest

from adapters.readmodels import split
from adapters.readmodels.split import ReplayCost, best_workers, predicted_seconds, spare_cores

# about what the shared machine measured on 2026-12-06: 80 us to replay an event, 6 to read one
COST = ReplayCost(replay=80e-6, read=6e-6)


@pytest.fixture(autouse=True)
def _no_measured_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(split, "seen_start_up", [])


def test_a_small_log_stays_in_one_process() -> None:
    # 31,000 events: 2.5 s alone; two workers, each starting up and reading every row: 2.3 s
    assert best_workers(31_000, COST, most=2, cores=2.0) == 1


def test_a_county_log_splits_between_spare_cores() -> None:
    assert best_workers(2_300_000, COST, most=2, cores=2.0) == 2
    assert best_workers(2_300_000, COST, most=8, cores=4.0) == 4


def test_a_busy_machine_keeps_one_process_however_long_the_log() -> None:
    assert best_workers(2_300_000, COST, most=2, cores=1.0) == 1


def test_the_split_chosen_is_never_predicted_slower_than_one_process() -> None:
    for events in (1_000, 10_000, 50_000, 100_000, 500_000, 3_000_000):
        for cores in (1.0, 1.5, 2.0, 4.0):
            chosen = best_workers(events, COST, most=8, cores=cores)
            alone = predicted_seconds(events, 1, COST, cores)
            assert predicted_seconds(events, chosen, COST, cores) <= alone
            if chosen > 1:
                assert predicted_seconds(events, chosen, COST, cores) <= split.MARGIN * alone


def test_reading_that_costs_as_much_as_replaying_never_splits() -> None:
    # each worker reads every row: if reading is the whole cost, workers only add to it
    assert best_workers(3_000_000, ReplayCost(replay=50e-6, read=50e-6), most=8, cores=8.0) == 1


def test_a_measured_start_up_replaces_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(split, "seen_start_up", [30.0])  # a very slow machine's workers
    assert best_workers(300_000, COST, most=2, cores=2.0) == 1
    monkeypatch.setattr(split, "seen_start_up", [0.5])
    assert best_workers(300_000, COST, most=2, cores=2.0) == 2


def test_spare_cores_leave_out_what_other_work_keeps_busy() -> None:
    assert spare_cores(cores=2, load=0.3) == 2.0  # quiet: this process's own load only
    assert spare_cores(cores=2, load=1.5) == 1.5
    assert spare_cores(cores=2, load=9.0) == 1.0  # never less than one
    assert spare_cores(cores=8, load=3.0) == 6.0
