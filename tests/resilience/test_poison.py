"""One bad event cannot poison the record: refused at the edge, isolated if already stored.

NUL and other control characters are refused in any text on both engines (naming the field
and the rule; nothing written). An event already in the log that a read model cannot take
(here: written with a NUL behind the store's back, as a store from before the rule could
hold) is skipped and recorded for that read model, and every other child's chronology
still catches up; ``verify`` lists the skipped event.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli.main import app
from adapters.db import sql_engine
from adapters.readmodels.chronology import ChronologyStore
from adapters.readmodels.failures import list_failures
from adapters.store import EventStore
from domain.envelope import canonical_json, content_hash
from domain.errors import InvalidEvent
from tests.factories import example, example_data
from tests.resilience.tamper import Tamperer


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("summary", "nul \u0000 here", "U+0000"),
        ("summary", "bell \u0007", "U+0007"),
        ("source", "escape \u001b[31m", "U+001B"),
        ("summary", "form \u000c feed", "U+000C"),
        ("agency", "back\bspace", "U+0008"),
    ],
)
def test_control_characters_are_refused_naming_the_field(
    store: EventStore, field: str, value: str, code: str
) -> None:
    store.record([example("child_registered", "C-PO-1", "2026-03-02")])
    with pytest.raises(InvalidEvent) as raised:
        store.record([example("case_note_recorded", "C-PO-1", "2026-03-03", **{field: value})])
    assert raised.value.field == field
    assert (
        code in raised.value.rule
        and "control character" in raised.value.rule
        or "surrogate" in raised.value.rule
    )
    assert value not in str(raised.value)  # the text itself is never echoed
    assert len(store.stream("C-PO-1")) == 1


def test_tab_newline_and_carriage_return_are_text(store: EventStore) -> None:
    store.record([example("child_registered", "C-PO-2", "2026-03-02")])
    note = "Line one.\r\n\tLine two."
    store.record([example("case_note_recorded", "C-PO-2", "2026-03-03", summary=note)])
    assert store.stream("C-PO-2")[1].event.summary == note


def test_nested_text_is_refused_with_its_path(store: EventStore) -> None:
    store.record([example("child_registered", "C-PO-3", "2026-03-02")])
    [written] = store.record([example("case_note_recorded", "C-PO-3", "2026-03-03")])
    with pytest.raises(InvalidEvent) as raised:
        store.record(
            [
                example(
                    "entry_corrected",
                    "C-PO-3",
                    "2026-03-04",
                    target_event_id=written.event_id,
                    changes={"summary": "fixed\u0000"},
                )
            ]
        )
    assert raised.value.field == "changes.summary"


def test_record_cli_refuses_a_nul_and_writes_nothing(store_url: str, tmp_path: Path) -> None:
    data = [
        example_data("child_registered", "C-PO-4", "2026-03-02"),
        example_data("case_note_recorded", "C-PO-4", "2026-03-03", summary="nul \u0000 here"),
    ]
    path = tmp_path / "in.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    done = CliRunner().invoke(app, ["record", str(path), "--db", store_url])
    assert done.exit_code == 1
    assert (
        "event 1 (case_note_recorded) field 'summary': contains a control character (U+0000)"
        in done.output
    )
    store = EventStore(store_url)
    assert store.max_position() == 0
    store.close()


def test_a_poison_event_already_stored_does_not_stop_other_children(store_url: str) -> None:
    store = EventStore(store_url)
    for child in ("C-PO-5", "C-PO-6", "C-PO-7"):
        store.record([example("child_registered", child, "2026-03-02")])
        store.record([example("case_note_recorded", child, "2026-03-03", summary=f"{child} note.")])
    tamperer = Tamperer(store)
    with tamperer.unguarded() as conn:  # as a store from before the rule could hold it
        position, topic, state = tamperer.rows(conn, "C-PO-6")[1]
        data = json.loads(state)
        data.pop("hash")
        data["payload"]["summary"] = "nul \u0000 here"
        tamperer.set_state(
            conn, "C-PO-6", position, canonical_json({**data, "hash": content_hash(data)})
        )
    store.close()
    store = EventStore(store_url)
    # the later events of every other child are still taken in
    store.record([example("case_note_recorded", "C-PO-7", "2026-03-04", summary="Later.")])
    chronology = ChronologyStore(store)
    chronology.catch_up()
    assert chronology.is_child("C-PO-5") and chronology.is_child("C-PO-7")
    failures = list_failures(sql_engine(store_url))
    if store.db.is_sqlite:  # SQLite stores a NUL in text: nothing to skip
        assert failures == []
    else:
        assert [(f["child_id"], f["model"]) for f in failures] == [("C-PO-6", "chronology")]
        notes = store.verify().notes
        assert any("skipped the event" in note and "C-PO-6" in note for note in notes)
    chronology.catch_up()  # and again: nothing is retried forever, nothing blocks
    store.close()
