"""The permission matrix: each role x each endpoint and CLI command x own / team / other /
restricted child, on both engines, with the expected answer of every cell written out.

``ok`` is allowed (HTTP 2xx, CLI exit 0); ``403`` forbidden (HTTP 403, CLI EXIT_FORBIDDEN: the
child may be known to exist, this is not allowed); ``404`` not found (HTTP 404, CLI
EXIT_NOT_FOUND with the very message a child with no record gets: no existence oracle).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from adapters.cli.common import EXIT_FORBIDDEN, EXIT_NOT_FOUND
from adapters.cli.main import app
from tests.access_world import CHILDREN, OTHER, OWN, RESTRICTED, ROLES, TEAM, build
from tests.accounts import client_as
from tests.factories import example_data

Y, F, N = "ok", "403", "404"
# role -> action -> answers for (own, team, other, restricted)
EXPECTED: dict[str, dict[str, tuple[str, str, str, str]]] = {
    "sw-1": {
        "read": (Y, F, N, N),
        "export": (Y, F, N, N),
        "replay": (F, F, N, N),
        "log": (F, F, N, N),
        "write": (Y, F, N, N),
    },
    "tm-1": {
        "read": (Y, Y, N, N),
        "export": (Y, Y, N, N),
        "replay": (Y, Y, N, N),
        "log": (Y, Y, N, Y),
        "write": (Y, Y, N, N),
    },
    "iro-1": {
        "read": (Y, N, N, N),
        "export": (F, N, N, N),
        "replay": (F, N, N, N),
        "log": (F, N, N, N),
        "write": (F, N, N, N),
    },
    "law-1": {
        "read": (Y, N, N, N),
        "export": (Y, N, N, N),
        "replay": (F, N, N, N),
        "log": (F, N, N, N),
        "write": (F, N, N, N),
    },
    "rev-1": {
        "read": (Y, N, N, Y),
        "export": (F, N, N, F),
        "replay": (Y, N, N, Y),
        "log": (F, N, N, F),
        "write": (F, N, N, F),
    },
    "ana-1": {a: (N, N, N, N) for a in ("read", "export", "replay", "log", "write")},
    "adm-1": {a: (N, N, N, N) for a in ("read", "export", "replay", "log", "write")},
    "dpo-1": {
        "read": (F, F, F, N),
        "export": (F, F, F, N),
        "replay": (F, F, F, N),
        "log": (Y, Y, Y, Y),
        "write": (F, F, F, N),
    },
}

# what each role sees in the caseload ("children") and whether it may have the feed / returns
CASELOAD: dict[str, set[str] | None] = {
    "sw-1": {OWN, TEAM},
    "tm-1": {OWN, TEAM},
    "iro-1": {OWN},
    "law-1": {OWN},
    "rev-1": {OWN, RESTRICTED},
    "ana-1": None,
    "adm-1": None,
    "dpo-1": {OWN, TEAM, OTHER},
}
FEED = {name: F for name in ROLES} | {"ana-1": "pseudonymised"}
RETURNS = {name: F for name in ROLES} | {"ana-1": Y}

HTTP_ROUTES = {
    "read": [
        ("GET", "/children/{c}/history"),
        ("GET", "/children/{c}/chronology"),
        ("GET", "/children/{c}/deadlines?at=2026-06-01"),
        ("GET", "/children/{c}/status"),
    ],
    "export": [("GET", "/children/{c}/chronology?format=json")],
    "log": [("GET", "/children/{c}/access-log")],
    "write": [("POST", "/events")],
}

CLI_COMMANDS = {
    "read": [
        ["history", "{c}", "--json"],
        ["status", "{c}", "--json"],
        ["deadlines", "{c}", "--json", "--at", "2026-06-01"],
        ["genogram", "{c}"],
        ["chronology", "{c}"],
    ],
    "export": [["chronology", "{c}", "--format", "json"]],
    "replay": [
        ["replay", "{c}", "--from", "2025-01-01", "--to", "2025-01-14", "--step", "week", "--json"],
        ["review-report", "{c}", "--from", "2025-01-01", "--to", "2025-01-14", "--out", "{out}"],
    ],
    "log": [["access-log", "{c}", "--json"]],
    "write": [["record", "{note}"]],
}

runner = CliRunner()


def _note(child: str) -> dict[str, object]:
    data = example_data("case_note_recorded", child, "2026-05-02")
    del data["recorded_by"]  # who wrote it is the signed-in account
    return data


def _http_answer(client: TestClient, method: str, path: str, child: str) -> str:
    if method == "POST":
        response = client.post(path, json=[_note(child)])
    else:
        response = client.get(path.format(c=child))
    if response.status_code in (200, 201):
        return Y
    assert response.headers["content-type"].startswith("application/problem+json")
    if response.status_code == 404:
        assert response.json()["detail"].startswith(f"no record for child {child!r}")
    return str(response.status_code)


def _cli_answer(url: str, name: str, args: list[str], child: str, tmp: Path) -> str:
    note = tmp / f"note-{name}-{child}.json"
    note.write_text(json.dumps([_note(child)]), encoding="utf-8")
    out = tmp / f"review-{name}-{child}.html"
    filled = [a.format(c=child, note=note, out=out) for a in args]
    result = runner.invoke(app, [*filled, "--db", url, "--as", name])
    if result.exit_code == 0:
        return Y
    if result.exit_code == EXIT_NOT_FOUND:
        assert result.stderr.strip().endswith(f"error: no record for child {child!r}")
        return N
    assert result.exit_code == EXIT_FORBIDDEN, (filled, result.stdout, result.stderr)
    return F


@pytest.fixture
def world(store_url: str) -> str:
    build(store_url)
    return store_url


def test_http_matrix(world: str) -> None:
    found: dict[tuple[str, str, str], str] = {}
    wanted: dict[tuple[str, str, str], str] = {}
    for name, (role, _team) in ROLES.items():
        client = client_as(world, name)
        assert client.get("/auth/me").json()["role"] == role
        for action, routes in HTTP_ROUTES.items():
            for method, path in routes:
                for child, expected in zip(CHILDREN, EXPECTED[name][action], strict=True):
                    cell = (name, f"{method} {path}", child)
                    wanted[cell] = expected
                    found[cell] = _http_answer(client, method, path, child)
    assert found == wanted


def test_cli_matrix(world: str, tmp_path: Path) -> None:
    found: dict[tuple[str, str, str], str] = {}
    wanted: dict[tuple[str, str, str], str] = {}
    for name in ROLES:
        for action, commands in CLI_COMMANDS.items():
            for args in commands:
                for child, expected in zip(CHILDREN, EXPECTED[name][action], strict=True):
                    cell = (name, args[0], child)
                    wanted[cell] = expected
                    found[cell] = _cli_answer(world, name, args, child, tmp_path)
    assert found == wanted


def test_caseload_feed_and_returns_by_role(world: str, tmp_path: Path) -> None:
    for name in ROLES:
        client = client_as(world, name)
        listed = client.get("/children")
        cli = runner.invoke(app, ["children", "--json", "--db", world, "--as", name])
        if CASELOAD[name] is None:
            assert listed.status_code == 403 and cli.exit_code == EXIT_FORBIDDEN, name
        else:
            assert {r["child_id"] for r in listed.json()} == CASELOAD[name], name
            assert {r["child_id"] for r in json.loads(cli.stdout)} == CASELOAD[name], name
        feed = client.get("/feed", params={"limit": 50})
        cli_feed = runner.invoke(app, ["feed", "--limit", "50", "--db", world, "--as", name])
        if FEED[name] == F:
            assert feed.status_code == 403 and cli_feed.exit_code == EXIT_FORBIDDEN, name
        else:
            items = feed.json()
            lines = [json.loads(line) for line in cli_feed.stdout.splitlines()]
            assert items == lines and len(items) == 17  # every event the world wrote
            assert not {i["child_id"] for i in items} & set(CHILDREN)
            assert all(len(i["child_id"]) == 32 for i in items)  # keyed hashes (the analyst rule)
            assert not any("summary" in i["payload"] for i in items)
            assert all("summary" in i["withheld"] for i in items)
            registered = [i for i in items if i["kind"] == "child_registered"]
            assert registered and not any("case_number" in i["payload"] for i in registered)
        census = runner.invoke(
            app,
            ["export", "tables", "--url", f"sqlite:///{tmp_path / name}.db", "--db", world]
            + ["--as", name],
        )
        assert census.exit_code == (0 if RETURNS[name] == Y else EXIT_FORBIDDEN), (
            name,
            census.stderr,
        )
