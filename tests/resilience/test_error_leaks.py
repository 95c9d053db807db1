"""Errors name the field and the rule, never personal values or the store (issue 15, item 9).

A refusal must be safe to show on a screen, log or ticket: no name, date of birth or UPN
from the request, no echo of the body, and no path or URL of the store.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from adapters.cli.main import app
from adapters.store import EventStore
from tests.accounts import operator_app
from tests.factories import example, example_data

runner = CliRunner()
PERSONAL = ("Zebedee", "Quillfeather", "2019-03-14", "B123456789012", "A123456789012")


def _registered(**fields: object) -> dict[str, object]:
    data: dict[str, object] = {
        "first_name": "Zebedee",
        "last_name": "Quillfeather",
        "date_of_birth": "2019-03-14",
        "upn": "A123456789012",
    }
    data.update(fields)
    return example_data("child_registered", child_id="C-LEAK-1", **data)


BAD = {
    "a wrong UPN check letter": [_registered(upn="B123456789012")],
    "a wrong sex code": [_registered(sex="Q")],
    "a number for the name": [_registered(first_name=7)],
    "an event before the date of birth": [
        _registered(),
        example_data("case_note_recorded", child_id="C-LEAK-1", occurred_at="2018-01-01"),
    ],
    "not a list of objects": ["Zebedee Quillfeather 2019-03-14"],
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_http_422_names_field_and_rule_without_personal_values(name: str, sqlite_url: str) -> None:
    client = TestClient(operator_app(sqlite_url))
    response = client.post("/events", json=BAD[name])
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["errors"][0]["rule"] and "field" in problem["errors"][0]
    for value in PERSONAL:
        assert value not in response.text, (name, response.text)


@pytest.mark.parametrize("name", sorted(BAD))
def test_cli_refusal_names_field_and_rule_without_personal_values(
    name: str, sqlite_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "events.json"
    path.write_text(json.dumps(BAD[name]))
    result = runner.invoke(app, ["record", str(path), "--db", sqlite_url])
    assert result.exit_code == 1
    assert _without_notes(result.stderr).startswith("error: ")
    for value in PERSONAL:
        assert value not in result.stderr, (name, result.stderr)


def test_not_found_never_shows_the_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'secret-location.db'}"
    with EventStore(url) as store:
        store.record([example("child_registered", child_id="C-THERE")])
    client = TestClient(operator_app(url))
    for path in ("/children/NOBODY/history", "/children/NOBODY/chronology"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert "secret-location" not in response.text and "sqlite" not in response.text
        assert response.json()["detail"] == "no record for child 'NOBODY'"
    result = runner.invoke(app, ["history", "NOBODY", "--db", url])
    assert "secret-location" not in result.stderr


def _without_notes(stderr: str) -> str:
    """Stderr without the CLI's notices (a store without accounts says it acts as the local
    operator before anything else): the refusal is what follows."""
    return "\n".join(line for line in stderr.splitlines() if not line.startswith("note: "))
