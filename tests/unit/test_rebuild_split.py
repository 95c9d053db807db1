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


def _sample(wall: float, busy: float | None, own: float) -> split.MachineSample:
    return split.MachineSample(wall=wall, busy=busy, own=own)


def test_spare_cores_measured_over_the_probe_count_only_other_work() -> None:
    start = _sample(100.0, 5_000.0, 10.0)
    # the probe kept one core busy itself for 0.5 s, nothing else ran: both cores are spare
    # (the one-minute load average could still read 1.5 from this process's own import)
    assert split.spare_cores_between(start, _sample(100.5, 5_000.5, 10.5), cores=2) == 2.0
    # something else kept the other core 80% busy meanwhile
    spare = split.spare_cores_between(start, _sample(100.5, 5_000.9, 10.5), cores=2)
    assert spare is not None and abs(spare - 1.2) < 1e-9
    # a machine busy with much more than it has cores still leaves this process its one
    assert split.spare_cores_between(start, _sample(100.5, 5_004.0, 10.5), cores=2) == 1.0


def test_spare_cores_are_not_guessed_from_a_sample_that_cannot_tell() -> None:
    start = _sample(100.0, 5_000.0, 10.0)
    assert split.spare_cores_between(start, _sample(100.05, 5_000.05, 10.05), cores=2) is None
    assert split.spare_cores_between(_sample(100.0, None, 10.0), start, cores=2) is None


def test_the_machine_sample_reads_this_machines_clock() -> None:
    first = split.machine_sample()
    sum(i * i for i in range(300_000))  # some CPU of this process's own
    second = split.machine_sample()
    assert second.wall > first.wall and second.own > first.own
    if first.busy is not None:  # Linux: the machine was at least as busy as this process
        assert second.busy is not None and second.busy >= first.busy
