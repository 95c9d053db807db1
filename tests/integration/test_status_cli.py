"""`caseledger status` on a real store (SQLite and PostgreSQL), and the contradictions
`caseledger record` refuses (naming field and rule, writing nothing)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli.main import app
from adapters.store import EventStore
from tests.blended_family import adoption_path, write_to_store
from tests.conftest import Clock
from tests.factories import example_data

runner = CliRunner()
CHILD = "C-ADOPT"


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def adopt_url(store_url: str, make_store: Callable[..., EventStore], clock: Clock) -> str:
    write_to_store(adoption_path(), make_store(store_url), clock)
    return store_url


def test_status_json_gives_current_status_timeline_and_episodes(adopt_url: str) -> None:
    code, out, err = run("status", CHILD, "--at", "2023-06-01", "--db", adopt_url, "--json")
    assert code == 0, err
    view = json.loads(out)
    now = view["current"]
    assert (now["legal_status"], now["proceedings_stage"], now["placed_for_adoption_since"]) == (
        "E1",
        "final_order",
        "2023-03-01",
    )
    assert now["placement"]["placement_id"] == "pl-3"
    assert [
        (e["DECOM"], e["RNE"], e["LS"], e["PLACE"], e["DEC"], e["REC"]) for e in view["episodes"]
    ] == [
        ("2022-03-01", "S", "V2", "U6", "2022-04-08", "X1"),
        ("2022-04-08", "L", "C1", "U6", "2022-06-20", "X1"),
        ("2022-06-20", "P", "C1", "U4", "2022-09-15", "X1"),
        ("2022-09-15", "L", "C2", "U4", "2023-01-10", "X1"),
        ("2023-01-10", "L", "E1", "U4", "2023-03-01", "X1"),
        ("2023-03-01", "P", "E1", "A4", None, None),
    ]


def test_status_at_a_past_moment_ignores_entries_recorded_later(adopt_url: str) -> None:
    code, out, _ = run("status", CHILD, "--at", "2022-04-10", "--db", adopt_url, "--json")
    assert code == 0
    assert json.loads(out)["current"]["legal_status"] == "V2"
    code, out, _ = run(
        "status", CHILD, "--at", "2022-04-10", "--as-known-at", "2022-04-21",
        "--db", adopt_url, "--json",
    )  # fmt: skip
    assert json.loads(out)["current"]["legal_status"] == "C1"


def test_status_table_for_people(adopt_url: str) -> None:
    code, out, _ = run("status", CHILD, "--at", "2024-01-01", "--db", adopt_url)
    assert code == 0
    assert "adopted (adoption order) since 2023-09-01" in out
    assert "SSDA903 episodes" in out and "01/09/2023" in out and "E11" in out


def test_status_of_unknown_child_is_a_clear_error(adopt_url: str) -> None:
    code, _, err = run("status", "C-NOBODY", "--db", adopt_url)
    assert code == 3 and "C-NOBODY" in err  # exit_codes.NOT_FOUND


def _record(url: str, tmp_path: Path, events: list[dict]) -> tuple[int, str]:
    path = tmp_path / "in.json"
    path.write_text(json.dumps(events), encoding="utf-8")
    result = runner.invoke(app, ["record", str(path), "--db", url])
    return result.exit_code, result.stderr


def _count(url: str, child: str) -> int:
    result = runner.invoke(app, ["history", child, "--db", url, "--json"])
    return len(json.loads(result.stdout))


REGISTER = example_data("child_registered", "C-X", "2024-01-01")
LOOKED_AFTER = example_data("became_looked_after", "C-X", "2024-02-01")
PLACEMENT_A = example_data("placement_started", "C-X", "2024-02-01", placement_id="pl-a")


@pytest.mark.parametrize(
    ("events", "message"),
    [
        (
            [example_data("placement_started", "C-X", "2024-03-01", placement_id="pl-b")],
            "event 0 (placement_started) field 'placement_id': two placements at once: "
            "'pl-a' (started 2024-02-01) is still open; end it first",
        ),
        (
            [
                example_data("child_protection_plan_started", "C-X", "2024-04-01"),
                example_data("child_protection_plan_ended", "C-X", "2024-03-15"),
            ],
            "event 1 (child_protection_plan_ended) field 'occurred_at': is 2024-03-15, before "
            "the child protection plan started on 2024-04-01: it cannot end before it starts",
        ),
        (
            [example_data("legal_status_changed", "C-X", "2024-03-01", legal_status="C2")],
            "event 0 (legal_status_changed) field 'legal_status': C2 needs an order in force "
            "(care_order); record order_made first",
        ),
        (
            [
                example_data("order_made", "C-X", "2024-03-01", order="interim_care_order"),
                example_data("legal_status_changed", "C-X", "2024-03-02", legal_status="E1"),
            ],
            "event 1 (legal_status_changed) field 'legal_status': E1 needs an order in force "
            "(placement_order); record order_made first",
        ),
    ],
)
def test_record_refuses_contradictions_and_writes_nothing(
    store_url: str, tmp_path: Path, events: list[dict], message: str
) -> None:
    code, _ = _record(store_url, tmp_path, [REGISTER, LOOKED_AFTER, PLACEMENT_A])
    assert code == 0
    before = _count(store_url, "C-X")
    code, err = _record(store_url, tmp_path, events)
    assert code == 1
    assert message in err
    assert _count(store_url, "C-X") == before == 3
