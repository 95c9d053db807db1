"""`caseledger export dfe-api`: the CSC API payloads validate against the spec's schema; purges."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from typer.testing import CliRunner

from adapters.cli.main import app
from adapters.exporters.dfe_api import SCHEMA_PATH, DfePayloadError, check_payload
from adapters.store import EventStore
from adapters.synthetic.demo_family import write_demo
from adapters.synthetic.synth import load
from tests.conftest import Clock
from tests.factories import example

runner = CliRunner()
SPEC = Draft202012Validator(json.loads(SCHEMA_PATH.read_text()), format_checker=FormatChecker())


def _export(url: str, since: str, out: Path) -> dict[str, dict[str, Any]]:
    result = runner.invoke(
        app, ["export", "dfe-api", "--db", url, "--since", since, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    payloads = {p.stem: json.loads(p.read_text()) for p in sorted(out.glob("*.json"))}
    for name, payload in payloads.items():
        errors = [e.message for e in SPEC.iter_errors(payload)]
        assert errors == [], (name, errors)
    return payloads


def test_the_demo_family_validates(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    write_demo(url)
    payloads = _export(url, "2000-01-01", tmp_path / "out")
    store = EventStore(url)
    try:
        assert set(payloads) == set(store.children())
    finally:
        store.close()
    episodes = [e for p in payloads.values() for e in p["social_care_episodes"]]
    assert episodes and all(e["purge"] is False for e in episodes)
    assert any(e.get("child_protection_plans") for e in episodes)
    assert any(e.get("child_looked_after_placements") for e in episodes)


@pytest.mark.slow
def test_a_500_child_store_validates(sqlite_url: str, tmp_path: Path) -> None:
    store = EventStore(sqlite_url)
    try:
        load(store, 500, seed=1)
        children = store.children()
    finally:
        store.close()
    payloads = _export(sqlite_url, "2000-01-01", tmp_path / "out")
    assert len(payloads) == len(children) == 500
    kinds = {k for p in payloads.values() for e in p["social_care_episodes"] for k in e}
    assert {
        "child_and_family_assessments",
        "section_47_assessments",
        "care_worker_details",
    } <= kinds


def test_recorded_in_error_and_corrections_send_purges(
    store_url: str, make_store: Callable[..., EventStore], clock: Clock, tmp_path: Path
) -> None:
    store = make_store(store_url)
    store.record([example("child_registered", "C-DFE-1", "2026-01-05")])
    referral = store.record_one(example("referral_received", "C-DFE-1", "2026-01-06"))
    assessment = store.record_one(example("assessment_started", "C-DFE-1", "2026-01-07"))
    store.record([example("child_registered", "C-DFE-2", "2026-01-05")])
    store.record_one(example("referral_received", "C-DFE-2", "2026-01-06"))
    store.record([example("child_registered", "C-DFE-3", "2026-01-05")])

    first = _export(store_url, "2026-06-01", tmp_path / "first")
    assert set(first) == {"C-DFE-1", "C-DFE-2", "C-DFE-3"}
    [episode] = first["C-DFE-1"]["social_care_episodes"]
    assert episode["social_care_episode_id"] == referral.event_id
    assert episode["child_and_family_assessments"][0]["child_and_family_assessment_id"] == (
        assessment.event_id
    )

    clock.advance(days=3)  # 2026-06-04: the assessment and C-DFE-2's whole record withdrawn
    store.record_one(
        example(
            "entry_recorded_in_error", "C-DFE-1", "2026-06-04", target_event_id=assessment.event_id
        )
    )
    registration = store.stream("C-DFE-2")[0]
    store.record_one(
        example(
            "entry_recorded_in_error",
            "C-DFE-2",
            "2026-06-04",
            target_event_id=registration.event_id,
        )
    )
    second = _export(store_url, "2026-06-03", tmp_path / "second")
    assert set(second) == {"C-DFE-1", "C-DFE-2"}  # C-DFE-3 did not change
    [episode] = second["C-DFE-1"]["social_care_episodes"]
    assert episode["child_and_family_assessments"] == [
        {"child_and_family_assessment_id": assessment.event_id, "purge": True}
    ]
    assert second["C-DFE-2"] == {
        "la_child_id": "C-DFE-2",
        "mis_child_id": "LA-000001",
        "purge": True,
    }

    clock.advance(days=3)  # a correction that moves the referral: same item, no purge
    store.record_one(
        example(
            "entry_corrected",
            "C-DFE-1",
            "2026-06-07",
            target_event_id=referral.event_id,
            changes={"referral_source": "3A"},
        )
    )
    third = _export(store_url, "2026-06-06", tmp_path / "third")
    [episode] = third["C-DFE-1"]["social_care_episodes"]
    assert episode["referral_source"] == "3A" and episode["purge"] is False
    assert "child_and_family_assessments" not in episode


def test_a_payload_the_schema_refuses_names_the_child_field_and_rule(tmp_path: Path) -> None:
    payload = {
        "la_child_id": "C-1",
        "mis_child_id": "C-1",
        "purge": False,
        "child_details": {"sex": "M", "unique_pupil_number": "short", "purge": False},
    }
    with pytest.raises(DfePayloadError) as refused:
        check_payload(payload)
    message = str(refused.value)
    assert message.startswith("child C-1: child_details.unique_pupil_number breaks")
    assert "pattern" in message and "short" not in message  # the value itself is not echoed


def test_an_id_longer_than_the_spec_allows_writes_nothing(
    sqlite_url: str, make_store: Callable[..., EventStore], tmp_path: Path
) -> None:
    store = make_store(sqlite_url)
    store.record([example("child_registered", "C-" + "X" * 40, "2026-01-05")])
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["export", "dfe-api", "--db", sqlite_url, "--since", "2000-01-01", "--out", str(out)]
    )
    assert result.exit_code == 1
    assert "la_child_id breaks the DfE API schema rule" in result.output
    assert not out.exists()
