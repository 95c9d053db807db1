"""The practitioners' web app through its forms, on each engine: sign in with the CSRF
token, the caseload lists exactly the permitted children, the child's page shows its header,
deadlines and timeline, "as known at" hides what was recorded later, another team's child is
a 404, a POST without the CSRF token is refused, signing out ends the session."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from adapters.http import create_app
from adapters.store import EventStore
from adapters.web.session import SESSION_COOKIE
from domain.parsing import parse_event
from tests.access_world import OTHER, OWN, RESTRICTED, TEAM, build
from tests.accounts import PASSWORD
from tests.factories import example_data

LATER_VISIT = "Visit recorded an hour after everything else."


@pytest.fixture
def world(store_url: str) -> tuple[str, datetime]:
    """The access world, plus one visit to C-OWN recorded an hour later than the rest;
    returns the store and a moment between the two writes."""
    build(store_url)
    later = datetime.now(UTC) + timedelta(hours=1)
    visit = example_data("child_visited", OWN, "2025-01-20", summary=LATER_VISIT)
    with EventStore(store_url, clock=lambda: later) as store:
        store.record([parse_event(visit)])
    return store_url, later - timedelta(minutes=30)


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def _client(url: str) -> TestClient:
    # https: the session cookie is Secure, so the client sends it over https only
    return TestClient(create_app(url), base_url="https://testserver")


def _signed_in(url: str, name: str) -> TestClient:
    client = _client(url)
    form = client.get("/sign-in")
    assert form.status_code == 200
    response = client.post(
        "/sign-in",
        data={"username": name, "password": PASSWORD, "csrf_token": _csrf(form.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert SESSION_COOKIE in cookie
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=strict" in cookie
    return client


def _children(html: str) -> set[str]:
    return set(re.findall(r'href="/child/(C-[A-Z]+)"', html))


def test_home_sends_a_visitor_to_sign_in_and_each_role_to_its_home(world):
    url, _ = world
    visitor = _client(url)
    assert visitor.get("/", follow_redirects=False).headers["location"] == "/sign-in"
    assert visitor.get("/caseload", follow_redirects=False).headers["location"] == "/sign-in"
    homes = {"sw-1": "/my-work", "tm-1": "/team", "rev-1": "/caseload"}
    for name, home in homes.items():
        assert _signed_in(url, name).get("/", follow_redirects=False).headers["location"] == home


def test_the_sign_in_form_is_accessible_and_loads_nothing_from_elsewhere(world):
    url, _ = world
    html = _client(url).get("/sign-in").text
    assert '<label for="username">' in html and '<label for="password">' in html
    assert 'class="skip-link" href="#main"' in html and '<main id="main"' in html
    assert not re.search(r'(?:href|src)="(?:https?:)?//', html)  # nothing from elsewhere
    assert _client(url).get("/static/app.css").status_code == 200


def test_a_wrong_password_is_refused_and_throttled(world):
    url, _ = world
    client = _client(url)
    statuses = []
    for _ in range(5):
        token = _csrf(client.get("/sign-in").text)
        answer = client.post(
            "/sign-in", data={"username": "sw-1", "password": "wrong", "csrf_token": token}
        )
        statuses.append(answer.status_code)
        assert SESSION_COOKIE not in client.cookies
    assert statuses[:3] == [401, 401, 401]
    assert statuses[4] == 429
    assert "Too many failed sign-ins" in answer.text


def test_a_post_without_the_csrf_token_is_refused(world):
    url, _ = world
    client = _client(url)
    client.get("/sign-in")
    refused = client.post("/sign-in", data={"username": "sw-1", "password": PASSWORD})
    assert refused.status_code == 403
    assert SESSION_COOKIE not in client.cookies
    forged = client.post(
        "/sign-in", data={"username": "sw-1", "password": PASSWORD, "csrf_token": "0" * 64}
    )
    assert forged.status_code == 403
    worker = _signed_in(url, "sw-1")
    assert worker.post("/sign-out", data={}).status_code == 403
    assert worker.get("/caseload", follow_redirects=False).status_code == 200  # still in


def _api_children(url: str, name: str) -> set[str]:
    api = TestClient(create_app(url))
    token = api.post("/auth/token", data={"username": name, "password": PASSWORD}).json()
    rows = api.get("/children", headers={"Authorization": f"Bearer {token['access_token']}"})
    return {row["child_id"] for row in rows.json()}


def test_the_caseload_lists_exactly_the_permitted_children(world):
    url, _ = world
    worker = _signed_in(url, "sw-1").get("/caseload")
    assert worker.status_code == 200
    assert _children(worker.text) == {OWN, TEAM}  # not another team's, nor the restricted one
    mine = worker.text.split('id="others"')[0]
    assert _children(mine) == {OWN}
    for name in ("sw-1", "tm-1", "rev-1"):
        page = _signed_in(url, name).get("/caseload").text
        assert _children(page) == _api_children(url, name), name
    reviewer = _signed_in(url, "rev-1").get("/caseload").text
    assert RESTRICTED in _children(reviewer)
    assert 'class="tag tag-restricted"' in reviewer


def test_the_childs_page_shows_the_header_deadlines_and_timeline(world):
    url, _ = world
    page = _signed_in(url, "sw-1").get(f"/child/{OWN}")
    assert page.status_code == 200
    html = page.text
    assert '<dd id="worker">sw-1</dd>' in html
    assert '<dd id="team">north</dd>' in html
    assert re.search(r'<dd id="age">\d+', html)
    assert 'id="legal-status"' in html
    assert "child registered" in html and "allocated to worker" in html
    assert LATER_VISIT in html
    assert '<h2 id="deadlines">Deadlines</h2>' in html
    assert "2025-01-06" in html  # the occurred clock
    assert datetime.now(UTC).date().isoformat() in html  # the recorded clock


def test_as_known_at_hides_what_was_recorded_later(world):
    url, between = world
    client = _signed_in(url, "sw-1")
    everything = client.get(f"/child/{OWN}").text
    then = client.get(f"/child/{OWN}", params={"as_known_at": between.isoformat()}).text
    assert LATER_VISIT in everything
    assert LATER_VISIT not in then
    assert "child registered" in then
    assert "as known at" in then
    bad = client.get(f"/child/{OWN}", params={"as_known_at": "yesterday"}).text
    assert "expected an ISO date or datetime" in bad


def test_another_teams_child_is_not_found(world):
    url, _ = world
    client = _signed_in(url, "sw-1")
    for path in (
        f"/child/{OTHER}",
        f"/child/{OTHER}/chronology",
        f"/child/{RESTRICTED}",
        "/child/C-NOBODY",
    ):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert "No record for that child." in answer.text
    download = client.get(f"/child/{OTHER}/chronology/download", params={"format": "csv"})
    assert download.status_code == 404


def test_the_chronology_toggles_all_entries_and_downloads(world):
    url, _ = world
    client = _signed_in(url, "sw-1")
    significant = client.get(f"/child/{OWN}/chronology")
    everything = client.get(f"/child/{OWN}/chronology", params={"all": "true"})
    assert significant.status_code == everything.status_code == 200
    count = re.compile(r"Entries \((\d+)\)")
    few = int(count.search(significant.text).group(1))
    many = int(count.search(everything.text).group(1))
    assert many > few
    for fmt, media in (("csv", "text/csv"), ("pdf", "application/pdf"), ("docx", "officedocument")):
        assert f"format={fmt}" in significant.text
        got = client.get(f"/child/{OWN}/chronology/download", params={"format": fmt})
        assert got.status_code == 200, fmt
        assert media in got.headers["content-type"]
        assert "attachment" in got.headers["content-disposition"]
    assert client.get(f"/child/{OWN}/chronology/download?format=pdf").content[:4] == b"%PDF"


def test_signing_out_ends_the_session(world):
    url, _ = world
    client = _signed_in(url, "sw-1")
    page = client.get("/caseload").text
    answer = client.post("/sign-out", data={"csrf_token": _csrf(page)}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/sign-in"
    assert SESSION_COOKIE not in client.cookies
    assert client.get("/caseload", follow_redirects=False).headers["location"] == "/sign-in"


def test_the_api_docs_load_nothing_from_the_internet(world):
    url, _ = world
    client = _client(url)
    page = client.get("/docs")
    assert page.status_code == 200
    assets = re.findall(r'(?:href|src)=["\']([^"\']+)', page.text)
    assert assets and all(a.startswith("/docs-assets/") for a in assets), assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert "swagger-ui-bundle.js" in page.text and "https://" not in page.text
    assert client.get("/openapi.json").json()["info"]["title"] == "caseledger"
    assert client.get("/redoc").status_code == 404
