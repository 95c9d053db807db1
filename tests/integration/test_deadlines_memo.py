"""``GET /children/{id}/deadlines`` of the record as it stands is memoised per stream version
and turn (adapters/schedule_json.py): the memoised answer is byte for byte a fresh
evaluation at every moment around each deadline's thresholds, and a new event is in the
very next answer (recorded over HTTP, or by another store on the same database)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from adapters.packs import load_packs, packs_key
from adapters.schedule import child_schedule
from adapters.schedule_json import deadlines_body, encode, served_packs
from adapters.store import EventStore
from adapters.stream_cache import StreamCache
from adapters.synthetic.demo_family import CHILDREN, JORDAN, write_demo
from domain.parsing import parse_event
from policies.engine import evaluate_ahead
from tests.accounts import operator_client
from tests.factories import example_data

_TICK = timedelta(microseconds=1)


def test_the_memoised_answer_is_a_fresh_evaluation_at_every_turn(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    write_demo(url)
    packs, key = load_packs(), packs_key()
    cached = EventStore(url)
    cached.streams = StreamCache()
    plain = EventStore(url)
    checked = memoised = 0
    try:
        for child in CHILDREN:
            stream = cached.stream(child)
            settled = max(e.recorded_at for e in stream) + _TICK
            edges = {settled, datetime(8999, 1, 1, tzinfo=UTC)}
            for d in evaluate_ahead(stream, packs):
                for edge in (d.effective_due, d.cancelled_at):
                    if edge is not None:
                        edges |= {edge - _TICK, edge, edge + _TICK}
            for at in sorted(e for e in edges if e >= settled):
                fresh = encode(child_schedule(plain, child, packs, at).as_json())
                stream = cached.stream(child)
                assert deadlines_body(cached, child, packs, at, stream=stream, packs_key=key) == (
                    fresh
                ), (child, at)
                again = deadlines_body(cached, child, packs, at, stream=stream, packs_key=key)
                assert again == fresh  # the memoised bytes, the second time
                checked += 1
                memoised += cached.settled(child, stream, at)
    finally:
        cached.close()
        plain.close()
    assert checked > 20 and memoised == checked


def _visit(child: str, day: str) -> dict[str, object]:
    return example_data("child_visited", child, day, summary="Visit for the memo test.")


def test_a_new_event_is_in_the_next_answer(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    write_demo(url)
    client = operator_client(url)
    at = (datetime.now(UTC) + timedelta(days=3)).isoformat()

    def deadlines() -> list[dict[str, object]]:
        response = client.get(f"/children/{JORDAN}/deadlines", params={"at": at})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        return list(response.json())

    before = deadlines()
    assert deadlines() == before  # memoised, and the same
    today = datetime.now(UTC).date().isoformat()
    recorded = client.post("/events", json=[_visit(JORDAN, today)])
    assert recorded.status_code == 201, recorded.text
    visit_id = recorded.json()[0]["event_id"]
    after = deadlines()
    assert after != before
    assert visit_id in json.dumps(after)  # the visit meets (or starts) a deadline

    # written by another store on the same database (another server process, say)
    with EventStore(url) as other:
        other.record([parse_event(example_data("child_visited", JORDAN, today))])
        other_id = other.stream(JORDAN)[-1].event_id
    assert other_id in json.dumps(deadlines())


def test_the_served_packs_follow_a_commencement_date_set_or_changed(monkeypatch) -> None:
    monkeypatch.setenv("CASELEDGER_COMMENCEMENTS", "")
    unset, key = served_packs()
    assert served_packs() == (unset, key) and served_packs()[0] is unset  # loaded once
    assert unset.versions.keys() == load_packs().versions.keys()
    monkeypatch.setenv("CASELEDGER_COMMENCEMENTS", "cwsa_2026_s1=2026-09-01")
    commenced, other = served_packs()
    assert other != key and commenced is not unset
    assert commenced == load_packs()  # what a fresh load gives with the new date
    assert commenced != unset
