"""A destroyed record on the web: every page of the child renders, reads "[erased]" where the
child's personal data was, and names them nowhere; a search by the old name finds nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from adapters.cli.demo import add_demo_accounts
from adapters.http import create_app
from adapters.synthetic.demo_family import JORDAN, write_demo
from tests.e2e.test_retention_destroy import cli
from tests.e2e.test_web_app import _csrf


@pytest.fixture
def erased(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    monkeypatch.setenv("CASELEDGER_ENCRYPT", "on")
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    write_demo(url)
    password = add_demo_accounts(url)
    code, out = cli(
        "retention", "destroy", JORDAN, "--db", url, "--as", "dpo-001",
        "--authorised-by", "Head of Service (A. Cole)", "--reason", "retention period ended",
    )  # fmt: skip
    assert code == 0, out
    return url, password


def _signed_in(url: str, name: str, password: str) -> TestClient:
    client = TestClient(create_app(url), base_url="https://testserver")
    form = client.get("/sign-in")
    done = client.post(
        "/sign-in",
        data={"username": name, "password": password, "csrf_token": _csrf(form.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    return client


PAGES = (
    f"/child/{JORDAN}",
    f"/child/{JORDAN}/chronology?all=true",
    f"/child/{JORDAN}/family",
    f"/child/{JORDAN}/status",
    f"/child/{JORDAN}/replay?from=2021-05-01&to=2021-05-31&step=week",
)


def test_every_page_of_a_destroyed_record_renders_erased(erased: tuple[str, str]) -> None:
    url, password = erased
    client = _signed_in(url, "tm-003", password)
    for path in PAGES:
        page = client.get(path)
        assert page.status_code == 200, (path, page.text[-1500:])
        assert "Fairholm" not in page.text, path
        assert "12 April 2016" not in page.text and "2016-04-12" not in page.text, path
    child = client.get(f"/child/{JORDAN}").text
    assert re.search(r"<h1>\[erased\]", child) or "[erased]" in child
    banner = re.search(r'<p class="notice" role="status" id="disposal">(.*?)</p>', child, re.S)
    assert banner, "the page says the record was destroyed, and under which certificate"
    assert "disposal certificate 1" in banner.group(1)
    assert "authorised by Head of Service (A. Cole)" in banner.group(1)
    living = client.get("/child/DEMO-MIA").text
    assert 'id="disposal"' not in living and "Brantwood" in living
    found = client.get("/find", params={"q": "Fairholm"})
    assert found.status_code == 200 and JORDAN not in found.text
    assert client.get("/team").status_code == 200
    worker = _signed_in(url, "sw-014", password)
    assert worker.get("/my-work").status_code == 200


def test_nothing_can_be_recorded_on_a_destroyed_record(erased: tuple[str, str]) -> None:
    url, password = erased
    client = _signed_in(url, "tm-003", password)
    assert "Record an entry" not in client.get(f"/child/{JORDAN}").text
    form = client.get(f"/child/{JORDAN}/record/case_note_recorded")
    answer = client.post(
        f"/child/{JORDAN}/record/case_note_recorded",
        data={
            "occurred_at": "2025-01-06",
            "summary": "A note after disposal",
            "note": "should not be written",
            "csrf_token": _csrf(form.text),
            "draft_id": "after-disposal",
        },
    )
    assert answer.status_code == 422  # refused at the field, not a server error
    assert "was destroyed" in answer.text


def test_the_api_refuses_a_write_to_a_destroyed_record_naming_the_field(
    erased: tuple[str, str],
) -> None:
    url, password = erased
    client = TestClient(create_app(url), base_url="https://testserver")
    token = client.post("/auth/token", data={"username": "tm-003", "password": password})
    assert token.status_code == 200, token.text
    answer = client.post(
        "/events",
        headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        json={
            "kind": "case_note_recorded",
            "child_id": JORDAN,
            "occurred_at": "2025-01-06",
            "summary": "A note after disposal",
            "note": "should not be written",
        },
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == "child_id"
    assert "destroyed" in answer.json()["detail"]
