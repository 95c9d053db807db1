"""The HTTP layer answers with the same record as the CLI, and refuses bad input the same way."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from adapters.store import EventStore
from adapters.synthetic.demo_family import write_demo
from tests.accounts import operator_client
from tests.factories import example_data


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('http') / 'demo.db'}"
    write_demo(url)
    return url


@pytest.fixture
def client(demo_url: str) -> TestClient:
    return operator_client(demo_url)


def test_children_and_history(client: TestClient) -> None:
    children = {row["child_id"]: row for row in client.get("/children").json()}
    assert children["DEMO-JORDAN"]["name"] == "Jordan Fairholm"
    history = client.get("/children/DEMO-JORDAN/history").json()
    assert [e["kind"] for e in history[:2]] == ["contact_received", "child_registered"]
    early = client.get("/children/DEMO-JORDAN/history", params={"as_known_at": "2021-05-20"}).json()
    assert not any(e["occurred_at"].startswith("2021-05-06") for e in early)
    assert any(e["occurred_at"].startswith("2021-05-06") for e in history)
    assert client.get("/children/NOBODY/history").status_code == 404


def test_chronology_deadlines_status_and_feed(client: TestClient) -> None:
    chronology = client.get("/children/DEMO-JORDAN/chronology").json()
    entries = chronology["chronology"]["entries"]
    assert len(entries) > 40
    assert chronology["provenance"]["store_position"] == client.get("/health").json()["position"]
    status = client.get("/children/DEMO-JORDAN/status", params={"at": "2022-07-01"}).json()
    assert status["current"]["legal_status"] == "C1"
    deadlines = client.get("/children/DEMO-JORDAN/deadlines", params={"at": "2021-05-01"}).json()
    assert {"rule_id", "citation", "due", "status"} <= set(deadlines[0])
    first = client.get("/feed", params={"after": 0, "limit": 5}).json()
    assert [item["global_position"] for item in first] == [1, 2, 3, 4, 5]
    after = client.get("/feed", params={"after": 5, "limit": 2}).json()
    assert [item["global_position"] for item in after] == [6, 7]


def test_post_events_is_all_or_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'api.db'}"
    client = operator_client(url)
    created = client.post(
        "/events", json=[example_data("child_registered", occurred_at="2025-01-06")]
    )
    assert created.status_code == 201
    assert created.json()[0]["kind"] == "child_registered"
    bad = example_data("child_visited", occurred_at="2025-01-07")
    del bad["seen"]
    refused = client.post(
        "/events", json=[example_data("case_note_recorded", occurred_at="2025-01-07"), bad]
    )
    assert refused.status_code == 422
    assert refused.json()["detail"] == "event 1 (child_visited) field 'seen': is required"
    with EventStore(url) as store:
        assert store.max_position() == 1
