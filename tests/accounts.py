"""Accounts for tests: add one, sign in over HTTP, act as one on the CLI.

- :func:`add_account` adds a local account with a known password;
- :func:`client_as` a TestClient signed in as that account (a real token from
  ``POST /auth/token``), adding the account first when a role is given;
- :func:`operator_client` a TestClient acting as the local operator, for tests of other
  features than access: it stands in for sign-in by overriding the app's authentication
  dependency (the permission, JWT and spoofing tests never use it);
- :func:`as_user` / :func:`cli_env` the CLI arguments (``--as NAME``) or environment
  (``$CASELEDGER_USER``) that act as an account.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from adapters.auth.accounts import Accounts
from adapters.auth.guard import operator_principal
from adapters.http import create_app

PASSWORD = "correct horse battery staple"


def add_account(
    url: str, name: str, role: str, team: str | None = None, password: str | None = PASSWORD
) -> None:
    accounts = Accounts(url)
    if accounts.get(name) is None:
        accounts.add(name, role, team=team, password=password, created_by="tests")


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> str:
    response = client.post("/auth/token", data={"username": name, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def client_as(
    url: str,
    name: str,
    role: str | None = None,
    team: str | None = None,
    **app_options: Any,
) -> TestClient:
    if role is not None:
        add_account(url, name, role, team)
    client = TestClient(create_app(url, **app_options))
    client.headers["Authorization"] = f"Bearer {sign_in(client, name)}"
    return client


def operator_app(url: str, **app_options: Any) -> FastAPI:
    """The app with sign-in stood in by the local operator of a store without accounts."""
    app = create_app(url, **app_options)
    app.dependency_overrides[app.state.authenticate] = operator_principal
    return app


def operator_client(url: str, **app_options: Any) -> TestClient:
    return TestClient(operator_app(url, **app_options))


def as_user(name: str) -> list[str]:
    return ["--as", name]


def cli_env(name: str) -> dict[str, str]:
    """The environment that makes the CLI act as ``name`` (``$CASELEDGER_USER``)."""
    return {"CASELEDGER_USER": name}
