"""`deadlines --as-known-at T` is the schedule as it was known at T (issue 14, section 4).

For every child of the demo and a run of moments through the demo's late entry (a visit on
6 May 2021 written up on 27 May), its entry recorded in error (10 June 2021) and correction
(9 July 2021), the CLI's ``deadlines --as-known-at T --json`` and the HTTP
``GET /children/{id}/deadlines?as_known_at=T`` give exactly the deadlines of the replay's
snapshot at T, on both engines; the same schedule judged later (``--at``) from what was known
at T differs from the one judged from everything.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from typer.testing import CliRunner

from adapters.cli.main import app
from adapters.packs import load_packs
from adapters.store import EventStore
from adapters.synthetic.demo_family import JORDAN, DemoResult, write_demo
from projections.replay import replay
from tests.accounts import operator_client

runner = CliRunner()
DAYS = (
    date(2021, 3, 1),
    date(2021, 4, 20),
    date(2021, 5, 26),
    date(2021, 5, 27),
    date(2021, 6, 9),
    date(2021, 6, 10),
    date(2021, 7, 8),
    date(2021, 7, 9),
    date(2022, 3, 1),
    date(2024, 2, 1),
    date(2026, 11, 30),
)
FIELDS = ("rule_id", "title", "citation", "trigger_event_id", "due", "status", "met_by")


@pytest.fixture
def demo(store_url: str) -> Iterator[tuple[DemoResult, list[str]]]:
    result = write_demo(store_url)
    yield result, list(result.children)


def _cli(*args: str) -> Any:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return json.loads(result.stdout)


def _replayed(url: str, children: list[str]) -> dict[tuple[date, str], list[dict[str, Any]]]:
    """Each child's deadlines in the replay's end-of-day snapshot of each day in DAYS."""
    with EventStore(url) as store:
        events = [e for c in children for e in store.stream(c)]
    out: dict[tuple[date, str], list[dict[str, Any]]] = {}
    packs = load_packs()
    for day in DAYS:
        (snap,) = replay(events, packs, start=day, end=day, step="day", children=children)
        for child_id, child in snap.children.items():
            out[(day, child_id)] = [_stable(d.as_json()) for d in child.deadlines]
    return out


def _stable(item: dict[str, Any]) -> dict[str, Any]:
    item = dict(item)
    item.setdefault("met_by", item["satisfied_by_event_id"])
    return {name: item[name] for name in FIELDS}


def test_deadlines_as_known_at_equals_the_replay_for_every_child(
    store_url: str, demo: tuple[DemoResult, list[str]]
) -> None:
    _, children = demo
    expected = _replayed(store_url, children)
    client = operator_client(store_url)
    compared = 0
    for (day, child_id), deadlines in expected.items():
        cli = _cli(
            "deadlines", child_id, "--as-known-at", day.isoformat(), "--json", "--db", store_url
        )
        assert [_stable(d) for d in cli] == deadlines, (day, child_id)
        http = client.get(
            f"/children/{child_id}/deadlines", params={"as_known_at": day.isoformat()}
        )
        assert http.status_code == 200
        assert [_stable(d) for d in http.json()] == deadlines, (day, child_id)
        compared += len(deadlines)
    assert compared > 100  # the demo's children have schedules at these moments


def test_the_late_visit_meets_the_deadline_only_once_it_was_recorded(
    store_url: str, demo: tuple[DemoResult, list[str]]
) -> None:
    result, _ = demo

    def first_visit(known: str, *extra: str) -> dict[str, Any]:
        found = _cli(
            "deadlines", JORDAN, "--as-known-at", known, *extra, "--json", "--db", store_url
        )
        return next(d for d in found if d["rule_id"] == "cp_visits")

    before = first_visit("2021-05-26")
    assert (before["due"][:10], before["status"], before["met_by"]) == (
        "2021-04-19",
        "breached",
        None,
    )
    # judged a year later, what was known on 26 May still has no visit to meet it
    assert first_visit("2021-05-26", "--at", "2022-05-26")["status"] == "breached"
    after = first_visit("2021-05-27")
    assert (after["status"], after["met_by"]) == ("met_late", result.ids["late_visit"])
    assert after["met_by_text"] == "child visited on Thu 06 May 2021 16:00"
    assert after["source"].startswith("City of York Social Work Practice Standards §")


def test_the_http_schedule_refuses_a_bad_moment_or_pack_naming_the_parameter(
    store_url: str, demo: tuple[DemoResult, list[str]]
) -> None:
    client = operator_client(store_url)
    bad = client.get(f"/children/{JORDAN}/deadlines", params={"as_known_at": "26 May"})
    assert (
        bad.status_code == 422
        and "field 'as_known_at': expected an ISO date" in bad.json()["detail"]
    )
    bad = client.get(f"/children/{JORDAN}/deadlines", params={"pack": "atlantis"})
    assert bad.status_code == 422 and "field 'pack': no such pack" in bad.json()["detail"]
    assert client.get("/children/NOBODY/deadlines").status_code == 404
    what_if = client.get(
        f"/children/{JORDAN}/deadlines", params={"pack": "national", "at": "2021-06-01"}
    ).json()
    assert what_if and {d["pack"] for d in what_if} == {"national"}
