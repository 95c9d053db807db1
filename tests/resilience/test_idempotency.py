"""Breaches cannot be forged or suppressed; a reused key is a conflict; imports resume.

On both engines: the standards events are refused to ``record``, ``import`` and
``POST /events``; a case note carrying a breach's deterministic key does not stop the tick
writing that breach; a key reused with another payload, author or kind is a conflict
naming the key and the earlier event (exit code 6, HTTP 409), never a silent success; an
import killed half way is run again with ``--resume`` and stores only what is missing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from adapters.cli.exit_codes import KEY_CONFLICT as EXIT_KEY_CONFLICT
from adapters.cli.main import app
from adapters.packs import load_packs
from adapters.scheduler import PolicyHandler
from adapters.store import EventStore
from domain.events.base import LONDON
from domain.parsing import event_to_data
from policies.engine import evaluate
from policies.handler import breach_key
from tests.accounts import operator_client
from tests.conftest import Clock
from tests.factories import example, example_data
from tests.integration.test_breach_handler import seed_york_child, standards


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


def _write(path: Path, data: Any) -> str:
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


# -- policy-owned kinds -----------------------------------------------------------------------


def test_a_case_note_carrying_a_breach_key_does_not_stop_the_breach(
    store_url: str, make_store: Callable[..., EventStore], clock: Clock
) -> None:
    store = make_store(store_url)
    seed_york_child(store, clock, "C-ID-1")
    moment = at("2026-04-08T06:00")
    [deadline] = [
        d
        for d in evaluate(store.stream("C-ID-1"), load_packs(), moment)
        if d.rule_id == "strategy_discussion"
    ]
    key = breach_key(deadline)  # as `deadlines --json` shows it to anyone
    clock.set(moment.astimezone(UTC))
    squatter = store.record_one(
        example("case_note_recorded", "C-ID-1", "2026-04-07", idempotency_key=key)
    )
    report = PolicyHandler(store).tick(moment)
    assert report.breaches >= 1
    counts = standards(store, "C-ID-1")
    assert counts[("deadline_breached", "strategy_discussion")] == 1
    breach = next(
        e
        for e in store.stream("C-ID-1")
        if e.kind == "deadline_breached" and e.event.rule_id == "strategy_discussion"  # type: ignore[attr-defined]
    )
    assert breach.event.idempotency_key == key and breach.event_id != squatter.event_id
    assert breach.event.recorded_by.user_id == "caseledger-policy"
    # a second tick finds the breach by its key in the policy's scope: written once
    assert PolicyHandler(store).tick(at("2026-04-08T07:00")).breaches == 0
    assert standards(store, "C-ID-1")[("deadline_breached", "strategy_discussion")] == 1
    assert store.verify().ok


def _forged(child: str) -> dict[str, Any]:
    return example_data("deadline_breached", child, "2026-04-07")


def test_record_refuses_a_forged_breach_and_writes_nothing(store_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    registered = example_data("child_registered", "C-ID-2", "2026-03-02")
    assert (
        runner.invoke(
            app, ["record", _write(tmp_path / "r.json", [registered]), "--db", store_url]
        ).exit_code
        == 0
    )
    forged = runner.invoke(
        app, ["record", _write(tmp_path / "f.json", [_forged("C-ID-2")]), "--db", store_url]
    )
    assert forged.exit_code == 1
    assert (
        "(deadline_breached) field 'kind': deadline_breached is written only by the policy handler"
        in forged.output
    )
    store = EventStore(store_url)
    assert [e.kind for e in store.stream("C-ID-2")] == ["child_registered"]
    store.close()


def test_import_refuses_a_standards_event_naming_its_line(store_url: str, tmp_path: Path) -> None:
    lines = [
        {
            "recorded_at": "2026-03-02T10:00:00+00:00",
            "event": example_data("child_registered", "C-ID-3", "2026-03-02"),
        },
        {"recorded_at": "2026-04-08T10:00:00+00:00", "event": _forged("C-ID-3")},
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    done = CliRunner().invoke(app, ["import", str(path), "--db", store_url])
    assert done.exit_code == 1
    assert "line 2: (deadline_breached) field 'kind'" in done.output
    store = EventStore(store_url)
    assert store.max_position() == 0  # the batch was refused whole
    store.close()
    left_out = CliRunner().invoke(
        app, ["import", str(path), "--db", store_url, "--skip-standards", "--json"]
    )
    assert left_out.exit_code == 0, left_out.output
    report = json.loads(left_out.stdout)
    assert (report["written"], report["standards_left_out"]) == (1, 1)


def test_http_refuses_a_forged_breach(tmp_path: Path) -> None:
    client = operator_client(f"sqlite:///{tmp_path / 'h.db'}")
    assert (
        client.post(
            "/events", json=[example_data("child_registered", "C-ID-4", "2026-03-02")]
        ).status_code
        == 201
    )
    refused = client.post("/events", json=[_forged("C-ID-4")])
    assert refused.status_code == 422
    assert "written only by the policy handler" in refused.json()["detail"]
    assert len(client.get("/children/C-ID-4/history").json()) == 1


# -- a reused idempotency key -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "differs"),
    [
        ({"summary": "Another note."}, "content"),
        ({"recorded_by": {"user_id": "sw-other", "role": "social_worker"}}, "author (recorded_by)"),
        (
            {"kind": "child_visited", "seen_alone": True},
            "kind (case_note_recorded, now child_visited)",
        ),
    ],
)
def test_a_reused_key_with_other_content_is_a_conflict_on_the_cli(
    store_url: str, tmp_path: Path, change: dict[str, Any], differs: str
) -> None:
    runner = CliRunner()
    first = [
        example_data("child_registered", "C-ID-5", "2026-03-02"),
        example_data("case_note_recorded", "C-ID-5", "2026-03-03", idempotency_key="cn-1"),
    ]
    done = runner.invoke(
        app, ["record", _write(tmp_path / "a.json", first), "--db", store_url, "--json"]
    )
    assert done.exit_code == 0, done.output
    earlier = json.loads(done.stdout)[1]["event_id"]
    again = runner.invoke(
        app, ["record", _write(tmp_path / "b.json", first[1:]), "--db", store_url]
    )
    assert again.exit_code == 0  # the same key and content: an idempotent success
    other = {**first[1], **change}
    if other["kind"] == "child_visited":
        other = {**example_data("child_visited", "C-ID-5", "2026-03-03"), "idempotency_key": "cn-1"}
    conflict = runner.invoke(
        app, ["record", _write(tmp_path / "c.json", [other]), "--db", store_url]
    )
    assert conflict.exit_code == EXIT_KEY_CONFLICT, conflict.output
    assert "'cn-1'" in conflict.output and earlier in conflict.output
    assert f"with a different {differs}" in conflict.output
    store = EventStore(store_url)
    assert store.max_position() == 2
    store.close()


def test_a_reused_key_with_other_content_is_409_over_http(tmp_path: Path) -> None:
    client = operator_client(f"sqlite:///{tmp_path / 'h.db'}")
    note = example_data("case_note_recorded", "C-ID-6", "2026-03-03", idempotency_key="cn-9")
    first = client.post(
        "/events", json=[example_data("child_registered", "C-ID-6", "2026-03-02"), note]
    )
    assert first.status_code == 201
    assert client.post("/events", json=[note]).status_code == 201
    conflict = client.post("/events", json=[{**note, "summary": "Changed."}])
    assert conflict.status_code == 409
    assert (
        "'cn-9'" in conflict.json()["detail"]
        and first.json()[1]["event_id"] in conflict.json()["detail"]
    )
    assert len(client.get("/children/C-ID-6/history").json()) == 2


# -- imports that resume ----------------------------------------------------------------------


def _entries(children: int, notes: int) -> list[str]:
    lines = []
    for c in range(children):
        child = f"C-IR-{c}"
        lines.append(
            json.dumps(
                {
                    "recorded_at": "2026-03-02T10:00:00+00:00",
                    "event_id": f"src-{c}-0",
                    "event": event_to_data(example("child_registered", child, "2026-03-02")),
                }
            )
        )
        for n in range(1, notes + 1):
            lines.append(
                json.dumps(
                    {
                        "recorded_at": f"2026-03-02T10:{n:02d}:00+00:00",
                        "event_id": f"src-{c}-{n}",
                        "event": event_to_data(
                            example("case_note_recorded", child, "2026-03-02", summary="Same note.")
                        ),
                    }
                )
            )
    # a correction pointing at a source id: after a resume it must find the stored entry
    lines.append(
        json.dumps(
            {
                "recorded_at": "2026-03-03T09:00:00+00:00",
                "event": event_to_data(
                    example(
                        "entry_corrected",
                        "C-IR-0",
                        "2026-03-03",
                        target_event_id="src-0-1",
                        changes={"summary": "Fixed."},
                    )
                ),
            }
        )
    )
    return lines


def _streams(url: str) -> list[tuple[str, str, dict[str, Any]]]:
    store = EventStore(url)
    out = []
    for child in sorted(store.children()):
        for e in store.stream(child):
            payload = dict(e.payload())
            target = payload.get("target_event_id")
            if target:  # compare what it points at, not the new id
                payload["target_event_id"] = next(
                    x.position for x in store.stream(child) if x.event_id == target
                )
            out.append((child, e.recorded_at.isoformat(), payload))
    store.close()
    return out


def test_an_interrupted_import_resumes_and_reports_what_was_stored(
    store_url: str, tmp_path: Path
) -> None:
    lines = _entries(4, 5)  # 25 entries; the notes of each child are identical but for time
    part = tmp_path / "part.jsonl"
    part.write_text("\n".join(lines[:13]) + "\n", encoding="utf-8")  # "killed" after 13
    full = tmp_path / "full.jsonl"
    full.write_text("\n".join(lines) + "\n", encoding="utf-8")
    runner = CliRunner()
    assert (
        runner.invoke(app, ["import", str(part), "--db", store_url, "--batch-size", "4"]).exit_code
        == 0
    )
    plain = runner.invoke(app, ["import", str(full), "--db", store_url, "--batch-size", "4"])
    assert plain.exit_code == 1
    assert "line 1:" in plain.output and "--resume" in plain.output
    resumed = runner.invoke(
        app, ["import", str(full), "--db", store_url, "--batch-size", "4", "--resume", "--json"]
    )
    assert resumed.exit_code == 0, resumed.output
    report = json.loads(resumed.stdout)
    assert (report["already_stored"], report["written"]) == (13, 12)
    clean = f"sqlite:///{tmp_path / 'clean.db'}"
    assert runner.invoke(app, ["import", str(full), "--db", clean]).exit_code == 0
    assert _streams(store_url) == _streams(clean)
    again = runner.invoke(app, ["import", str(full), "--db", store_url, "--resume", "--json"])
    assert (json.loads(again.stdout)["already_stored"], json.loads(again.stdout)["written"]) == (
        25,
        0,
    )
    store = EventStore(store_url)
    assert store.max_position() == 25 and store.verify().ok
    store.close()


def test_a_source_id_given_twice_in_one_file_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    lines = _entries(1, 3)
    duplicate = json.loads(lines[3])
    duplicate["event_id"] = "src-0-1"
    lines[3] = json.dumps(duplicate)
    path = tmp_path / "dup.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = CliRunner().invoke(app, ["import", str(path), "--db", sqlite_url])
    assert done.exit_code == 1
    assert "line 4: field 'event_id': 'src-0-1' is the id of the entry on line 2 too" in done.output
    store = EventStore(sqlite_url)
    assert store.max_position() == 0
    store.close()


def test_an_import_reusing_a_key_with_other_content_is_a_conflict_naming_the_line(
    store_url: str, tmp_path: Path
) -> None:
    def line(summary: str) -> str:
        event = example(
            "case_note_recorded", "C-ID-7", "2026-03-03", summary=summary, idempotency_key="L-2"
        )
        return json.dumps(
            {"recorded_at": "2026-03-03T10:00:00+00:00", "event": event_to_data(event)}
        )

    registered = json.dumps(
        {
            "recorded_at": "2026-03-02T10:00:00+00:00",
            "event": example_data(
                "child_registered", "C-ID-7", "2026-03-02", idempotency_key="L-1"
            ),
        }
    )
    path = tmp_path / "in.jsonl"
    path.write_text(f"{registered}\n{line('First.')}\n", encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(app, ["import", str(path), "--db", store_url]).exit_code == 0
    path.write_text(f"{registered}\n{line('Second.')}\n", encoding="utf-8")
    conflict = runner.invoke(app, ["import", str(path), "--db", store_url])
    assert conflict.exit_code == EXIT_KEY_CONFLICT, conflict.output
    assert "line 2:" in conflict.output and "'L-2'" in conflict.output
    store = EventStore(store_url)
    assert [e.event.summary for e in store.stream("C-ID-7")][1] == "First."
    store.close()
