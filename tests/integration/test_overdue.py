"""`caseledger overdue`: the open work a team manager can act on (issue 14, section 2).

On the demo (every case closed but the unborn baby's), on both engines: only open cases' work
by default, the same list before a tick, after it and after entries recorded since (the list
is worked out, never saved), grouped by team then worker, oldest first, every citation whole
and named by its document; ``--include-closed`` shows the history; a ``--team`` that matches
nothing says so; a cancelled deadline is never listed and ``deadlines`` says "cancelled".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import inspect
from typer.testing import CliRunner

from adapters.cli.main import app
from adapters.db import sql_engine
from adapters.packs import load_packs
from adapters.readmodels.deadlines import REPORTED, deadline_children
from adapters.scheduler import PolicyHandler
from adapters.store import EventStore
from adapters.synthetic.demo_family import write_demo
from domain.events.base import LONDON
from policies.engine import Status, evaluate
from policies.sources import cite
from projections.case_state import case_state
from tests.conftest import Clock
from tests.factories import example

runner = CliRunner()
AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TEAM = "Assessment Team North"
OPEN_CHILD = "DEMO-UNBORN"


@pytest.fixture
def demo_url(store_url: str) -> Iterator[str]:
    result = write_demo(store_url)
    assert OPEN_CHILD in result.children
    yield store_url


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def overdue_json(url: str, *extra: str, at: datetime = AT) -> dict[str, Any]:
    code, out, err = run("overdue", "--at", at.isoformat(), "--json", "--db", url, *extra)
    assert code == 0, err
    return dict(json.loads(out))


def items(listing: dict[str, Any]) -> list[dict[str, Any]]:
    return [i for t in listing["teams"] for w in t["workers"] for i in w["items"]]


def keyed(listing: dict[str, Any]) -> set[tuple[str, str, str, str]]:
    return {(i["child_id"], i["rule_id"], i["trigger_event_id"], i["due"]) for i in items(listing)}


def expected(
    url: str, *, include_closed: bool, at: datetime = AT
) -> set[tuple[str, str, str, str]]:
    """From the engine and the case fold directly: open/breached work due by the week's end."""
    day = at.astimezone(LONDON).date()
    week_end = datetime.combine(
        day + timedelta(days=6 - day.weekday()), time(23, 59, 59), tzinfo=LONDON
    )
    packs = load_packs()
    out: set[tuple[str, str, str, str]] = set()
    with EventStore(url) as store:
        children = sorted({e.child_id for e in store.iter_all()})
        for child_id in children:
            events = store.stream(child_id)
            case = case_state(events, at)
            for d in evaluate(events, packs, at):
                due = d.effective_due
                if (
                    d.status in REPORTED
                    and due <= week_end
                    and (include_closed or case.covers(due))
                ):
                    out.add((child_id, d.rule_id, d.trigger_event_id, due.isoformat()))
    return out


def test_only_open_cases_work_by_default_and_the_history_with_include_closed(
    demo_url: str,
) -> None:
    listing = overdue_json(demo_url)
    history = overdue_json(demo_url, "--include-closed")
    assert keyed(listing) == expected(demo_url, include_closed=False)
    assert keyed(history) == expected(demo_url, include_closed=True)
    assert {i["child_id"] for i in items(listing)} == {OPEN_CHILD}
    # the closed cases' breaches (some from 2021) are history, not this week's work
    closed = {i["child_id"] for i in items(history) if not i["case_open"]}
    assert {"DEMO-JORDAN", "DEMO-MIA"} <= closed
    assert all(i["case_open"] for i in items(listing))
    assert min(i["due"] for i in items(history)) < "2022"


def test_the_list_is_the_same_before_a_tick_after_it_and_after_new_entries(
    demo_url: str, make_store: Any
) -> None:
    before = overdue_json(demo_url, "--include-closed")
    code, _, err = run("tick", "--at", AT.isoformat(), "--db", demo_url)
    assert code == 0, err
    after = overdue_json(demo_url, "--include-closed")
    assert keyed(after) == keyed(before) and keyed(after)
    assert keyed(overdue_json(demo_url)) == expected(demo_url, include_closed=False)
    # --team and --worker, read from the stored rows: that team's or worker's items only
    for option, field, value in (("--team", "team", TEAM), ("--worker", "worker_id", "sw-014")):
        mine = overdue_json(demo_url, "--include-closed", option, value)
        assert keyed(mine) == keyed(
            {"teams": [{"workers": [{"items": [i for i in items(after) if i[field] == value]}]}]}
        )
        assert keyed(mine)
    # a closure recorded after the tick shows at once (the log after the index's position)
    store = make_store(demo_url, clock=Clock(AT - timedelta(days=2)))
    store.record_one(example("case_closed", OPEN_CHILD, "2026-11-28"))
    assert items(overdue_json(demo_url)) == []
    assert keyed(overdue_json(demo_url, "--include-closed")) == expected(
        demo_url, include_closed=True
    )
    code, _, err = run("tick", "--at", AT.isoformat(), "--db", demo_url)
    assert code == 0, err
    assert items(overdue_json(demo_url)) == []
    # a new referral opens the case again: its work is listed, the closed episode's is not
    store.record_one(example("referral_received", OPEN_CHILD, "2026-11-29T10:00:00+00:00"))
    reopened = overdue_json(demo_url)
    assert keyed(reopened) == expected(demo_url, include_closed=False)
    assert reopened and all(i["due"] > "2026-11-28T23:59" for i in items(reopened))


def test_grouped_by_team_then_worker_oldest_first(demo_url: str) -> None:
    listing = overdue_json(demo_url, "--include-closed")
    teams = [t["team"] for t in listing["teams"]]
    assert teams == sorted(t for t in teams if t) + ([None] if None in teams else [])
    assert TEAM in teams
    for team in listing["teams"]:
        workers = [w["worker_id"] for w in team["workers"]]
        assert workers == sorted(w for w in workers if w) + ([None] if None in workers else [])
        for worker in team["workers"]:
            dues = [datetime.fromisoformat(i["due"]) for i in worker["items"]]
            assert dues == sorted(dues)
            assert {i["team"] for i in worker["items"]} == {team["team"]}


def test_every_citation_whole_and_named_by_its_document(demo_url: str) -> None:
    listing = overdue_json(demo_url, "--include-closed")
    code, out, err = run("overdue", "--at", AT.isoformat(), "--include-closed", "--db", demo_url)
    assert code == 0, err
    flat = "".join(out.split())
    assert "_397ef79c" not in out and ".txt" not in out  # no seed file names
    for item in items(listing):
        assert item["citation_text"] == cite(item["citation"]).text
        assert "".join(item["citation_text"].split()) in flat, item["citation"]
        assert item["source"] == cite(item["citation"]).source
        if item["pack"] == "york":
            assert item["source"].startswith("City of York Social Work Practice Standards §")
    assert {i["pack"] for i in items(listing)} >= {"york"}
    assert f"Team: {TEAM}" in out


def test_a_team_or_worker_that_matches_nothing_says_so(demo_url: str) -> None:
    code, out, err = run("overdue", "--at", AT.isoformat(), "--team", "Nowhere", "--db", demo_url)
    assert code == 0
    assert f"--team 'Nowhere' matches no team; known teams: {TEAM}" in err
    assert "Nothing overdue" in out
    listing = overdue_json(demo_url, "--worker", "sw-999")
    assert listing["warnings"] == [
        f"--worker 'sw-999' matches no allocated worker; known teams: {TEAM}"
    ]
    assert overdue_json(demo_url, "--team", TEAM)["warnings"] == []


def test_a_cancelled_deadline_is_shown_as_cancelled_and_never_listed(demo_url: str) -> None:
    with EventStore(demo_url) as store:
        events = store.stream("DEMO-MIA")
    cancelled = [d for d in evaluate(events, load_packs(), AT) if d.status is Status.CANCELLED]
    assert cancelled
    code, out, err = run(
        "deadlines", "DEMO-MIA", "--at", AT.isoformat(), "--json", "--db", demo_url
    )
    assert code == 0, err
    shown = {(d["rule_id"], d["trigger_event_id"]): d for d in json.loads(out)}
    by_id = {e.event_id: e for e in events}
    for d in cancelled:
        item = shown[(d.rule_id, d.trigger_event_id)]
        cause = by_id[str(d.cancelled_by_event_id)]
        assert item["status"] == "cancelled"
        assert item["cancelled_by_text"].startswith(cause.kind.replace("_", " ") + " on ")
    code, table, _ = run("deadlines", "DEMO-MIA", "--at", AT.isoformat(), "--db", demo_url)
    flat = "".join(table.split())
    assert sum(line.startswith("cancelled ") for line in table.splitlines()) == len(cancelled)
    for d in cancelled:
        reason = shown[(d.rule_id, d.trigger_event_id)]["cancelled_by_text"]
        assert "".join(f"cancelled by {reason}: no longer due".split()) in flat
    history = keyed(overdue_json(demo_url, "--include-closed", at=datetime(2030, 1, 1, tzinfo=UTC)))
    assert not {("DEMO-MIA", d.rule_id, d.trigger_event_id) for d in cancelled} & {
        k[:3] for k in history
    }


def test_a_store_indexed_before_case_state_was_kept_is_listed_and_upgraded(
    demo_url: str,
) -> None:
    code, _, err = run("tick", "--at", AT.isoformat(), "--db", demo_url)
    assert code == 0, err
    engine = sql_engine(demo_url)
    with engine.begin() as conn:  # the index as an older version left it
        for column in ("case_open", "closed_at"):
            conn.exec_driver_sql(f"ALTER TABLE deadline_children DROP COLUMN {column}")
    assert keyed(overdue_json(demo_url)) == expected(demo_url, include_closed=False)
    with engine.connect() as conn:  # the read added nothing
        columns = {c["name"] for c in inspect(conn).get_columns("deadline_children")}
    assert "case_open" not in columns
    with EventStore(demo_url) as store:
        handler = PolicyHandler(store)
        with engine.connect() as conn:
            dirty = conn.execute(deadline_children.select()).all()
        assert dirty and all(row.dirty for row in dirty)
        assert handler.tick(AT).children_checked == len(dirty)
    assert keyed(overdue_json(demo_url)) == expected(demo_url, include_closed=False)


def test_after_a_tick_a_past_moment_and_a_new_allocation_are_listed_as_they_stand(
    demo_url: str, make_store: Any
) -> None:
    code, _, err = run("tick", "--at", AT.isoformat(), "--db", demo_url)
    assert code == 0, err
    earlier = datetime(2021, 5, 26, 12, tzinfo=UTC)  # the index was saved later than this
    past = overdue_json(demo_url, "--include-closed", at=earlier)
    assert keyed(past) == expected(demo_url, include_closed=True, at=earlier)
    assert {i["child_id"] for i in items(past)} >= {"DEMO-JORDAN", "DEMO-MIA"}
    store = make_store(demo_url, clock=Clock(AT - timedelta(days=1)))
    store.record_one(
        example("allocated_to_worker", OPEN_CHILD, "2026-11-30", worker_id="sw-077", team="Team B")
    )
    listing = overdue_json(demo_url)
    assert [(t["team"], [w["worker_id"] for w in t["workers"]]) for t in listing["teams"]] == [
        ("Team B", ["sw-077"])
    ]
    assert overdue_json(demo_url, "--team", "Team B")["warnings"] == []
