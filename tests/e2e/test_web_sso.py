"""Single sign-on in the web app against a stand-in provider (tests/sso_provider.py): the
authorization-code flow with PKCE and a nonce, the session holding the provider's access
token, the role from the groups, and the refusals (no role, a forged state, a replayed code)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from adapters.auth.oidc import OidcConfig
from adapters.http import create_app
from tests.access_world import OTHER, OWN, build
from tests.sso_provider import CLIENT_SECRET, Provider, running_provider


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[Provider]:
    monkeypatch.setenv("CASELEDGER_TEST_SSO_SECRET", CLIENT_SECRET)
    with running_provider() as running:
        yield running


@pytest.fixture
def client(tmp_path: Path, provider: Provider) -> TestClient:
    url = f"sqlite:///{tmp_path / 'sso-web.db'}"
    build(url)
    app = create_app(url, oidc=OidcConfig.from_data(provider.config()))
    return TestClient(app, base_url="https://testserver")


def _through_provider(client: TestClient) -> httpx.Response:
    """Start the flow, let the provider sign the person in, and follow it back."""
    start = client.get("/sign-in/sso", follow_redirects=False)
    assert start.status_code == 302, start.text
    at_provider = httpx.get(start.headers["location"], follow_redirects=False)
    assert at_provider.status_code == 302
    back = at_provider.headers["location"]
    assert back.startswith("https://testserver/sign-in/sso/callback?")
    return client.get(back, follow_redirects=False)


def test_the_sign_in_page_offers_single_sign_on(client: TestClient) -> None:
    page = client.get("/sign-in")
    assert 'href="/sign-in/sso"' in page.text
    assert "Sign in with your council account" in page.text


def test_a_worker_signs_in_through_the_provider_and_gets_their_role(
    client: TestClient, provider: Provider
) -> None:
    done = _through_provider(client)
    assert done.status_code == 200, done.text
    assert "Signed in" in done.text
    assert provider.token_requests == 1  # the code was exchanged (with PKCE and the secret)
    work = client.get("/my-work")
    assert work.status_code == 200
    assert "Signed in as <strong>sw-1</strong>" in work.text and "social worker" in work.text
    assert client.get(f"/child/{OWN}").status_code == 200
    assert client.get(f"/child/{OTHER}").status_code == 404  # the same access rules


def test_an_account_whose_groups_have_no_role_is_refused(
    client: TestClient, provider: Provider
) -> None:
    provider.groups = ["grp-canteen"]
    done = _through_provider(client)
    assert done.status_code == 403
    assert "no caseledger role" in done.text
    assert client.get("/my-work", follow_redirects=False).headers["location"] == "/sign-in"


def test_a_forged_state_or_a_replayed_code_signs_nobody_in(
    client: TestClient, provider: Provider
) -> None:
    start = client.get("/sign-in/sso", follow_redirects=False)
    at_provider = httpx.get(start.headers["location"], follow_redirects=False)
    back = at_provider.headers["location"]
    code = back.split("code=")[1].split("&")[0]
    forged = client.get(f"/sign-in/sso/callback?code={code}&state=forged", follow_redirects=False)
    assert forged.status_code == 401
    assert client.get("/my-work", follow_redirects=False).status_code == 303

    first = _through_provider(client)
    assert first.status_code == 200
    other = TestClient(client.app, base_url="https://testserver")
    replay = other.get(str(first.request.url))
    assert replay.status_code == 401  # another browser, no flow of its own: refused
    assert other.get("/my-work", follow_redirects=False).status_code == 303
