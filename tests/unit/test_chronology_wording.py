"""Every event kind, with every optional field set and unset, reads as plain English.

The scan looks for what a lawyer would otherwise repair by hand: a repeated phrase, a raw
code or enum value, doubled punctuation, an authority by its pack id.
"""

from __future__ import annotations

import re
import types
import typing
from datetime import date, datetime
from enum import Enum
from typing import Any

import pytest
from pydantic import ValidationError

from adapters.exporters.chronology import event_cell, header_lines
from domain.errors import InvalidEvent
from domain.events import EVENT_TYPES
from domain.parsing import parse_event
from policies.sources import AUTHORITIES
from projections.chronology import CORRECTION_KINDS, OUTCOME_FIELDS, ChronologyQuery, compose, fold
from tests.factories import example_data
from tests.unit.test_chronology import Log, at

BASE = {
    "kind",
    "child_id",
    "occurred_at",
    "occurred_precision",
    "recorded_by",
    "summary",
    "source",
    "agency",
    "impact_on_child",
    "significant",
    "correlation_id",
    "idempotency_key",
}
DOUBLED = re.compile(r"\.\.|,,|;;|::|[.,;:][.,;:]|\s[.,;:]|\(\s*\)|\(\(|\)\)")


def _candidates(annotation: Any, name: str) -> list[Any]:
    """Values to try for an optional field, from its type (every member of an enum)."""
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin in (typing.Union, types.UnionType):
        return [v for a in args for v in _candidates(a, name)]
    if origin is typing.Literal:
        return list(args)
    if origin in (list, tuple, set):
        inner = _candidates(args[0], name) if args else ["x"]
        return [inner[:2]] if inner else []
    if origin is dict:
        return [{"summary": "Changed."}]
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return [m.value for m in annotation]
    if annotation is bool:
        return [True, False]
    if annotation is int:
        return [3]
    if annotation is date:
        return ["2026-05-02"]
    if annotation is datetime:
        return ["2026-05-02T10:00:00+01:00"]
    if annotation is str:
        return [f"Example {name.replace('_', ' ')}, given in full.", "p-other", "ABC123"]
    return []


def _variants(kind: str) -> list[dict[str, Any]]:
    """The example, then each optional field set in turn (each enum member once)."""
    cls = EVENT_TYPES[kind]
    base = example_data(kind, "C1", "2026-05-01")
    out = [base]
    for name, info in cls.model_fields.items():
        if name in BASE or info.is_required():
            continue
        for value in _candidates(info.annotation, name):
            data = {**base, name: value}
            try:
                parse_event(data)
            except (ValidationError, InvalidEvent):
                continue
            out.append(data)
            if not (name in OUTCOME_FIELDS and isinstance(value, str | list)):
                break
    return out


def _raw_values(event: Any) -> set[str]:
    """The code values an event carries in the fields the chronology shows."""
    found: set[str] = set()
    for name in OUTCOME_FIELDS:
        value = getattr(event, name, None)
        values = value if isinstance(value, list) else [value]
        for v in values:
            if isinstance(v, Enum):
                found.add(str(v.value))
    return found


def _clauses(text: str) -> list[str]:
    parts = re.split(r"[.;:!?\n]", text.lower())
    return [" ".join(re.findall(r"[a-z0-9]+", p)) for p in parts if len(p.split()) >= 2]


def defects(text: str, raw: set[str]) -> list[str]:
    found = []
    if DOUBLED.search(text):
        found.append(f"doubled punctuation: {DOUBLED.search(text).group(0)!r}")  # type: ignore[union-attr]
    if "_" in text:
        found.append("a snake_case value")
    for value in raw:
        if re.search(rf"(?<![\w-]){re.escape(value)}(?![\w-])", text):
            found.append(f"raw code {value!r}")
    clauses = _clauses(text)
    repeated = {c for c in clauses if clauses.count(c) > 1}
    if repeated:
        found.append(f"repeated: {sorted(repeated)}")
    return found


def _rendered(data: dict[str, Any], summary: str) -> tuple[str, set[str]]:
    """The entry's event-detail cell and impact, as the exports show them."""
    log = Log()
    fields = {k: v for k, v in data.items() if k not in ("kind", "child_id", "occurred_at")}
    log.add(
        data["kind"],
        "C1",
        data["occurred_at"],
        at("2026-05-01"),
        **{**fields, "summary": summary, "significant": True},
    )
    [entry] = log.chronology("C1").entries
    raw = _raw_values(log.events[0].event)
    return "\n".join([event_cell(entry, family=False), entry.impact]), raw


@pytest.mark.parametrize("kind", sorted(set(EVENT_TYPES) - CORRECTION_KINDS))
def test_every_kind_reads_as_plain_english(kind: str) -> None:
    title = EVENT_TYPES[kind].title
    problems = []
    variants = _variants(kind)
    for data in variants:
        for summary in (title + ".", f"{title}: as agreed.", "Seen with the family."):
            text, raw = _rendered(data, summary)
            for problem in defects(text, raw):
                problems.append(f"{problem} in {text!r}")
    assert not problems, "\n".join(problems[:10])


def test_optional_fields_are_all_exercised() -> None:
    """The scan sets every optional outcome field of every kind at least once."""
    unset = []
    for kind, cls in EVENT_TYPES.items():
        covered = {k for data in _variants(kind) for k in data}
        for name in cls.model_fields:
            if name in OUTCOME_FIELDS and name not in covered:
                unset.append(f"{kind}.{name}")
    assert unset == []


def test_the_issues_examples_now_read_plainly() -> None:
    log = Log()
    log.add(
        "child_registered",
        "C1",
        "2024-01-08",
        at("2024-01-08"),
        first_name="Robin",
        date_of_birth="2019-03-14",
    )
    log.add("authority_recorded", "C1", "2024-01-08", at("2024-01-08"), authority="york")
    log.add(
        "referral_decision",
        "C1",
        "2024-01-09",
        at("2024-01-09"),
        summary="Threshold met.",
        outcome="strategy_discussion",
        rationale="Injury with a disclosure.",
    )
    log.add(
        "section_47_started",
        "C1",
        "2024-01-10",
        at("2024-01-10"),
        summary="Section 47 enquiry started.",
    )
    log.add(
        "management_decision_recorded",
        "C1",
        "2024-01-11",
        at("2024-01-11"),
        summary="Manager agrees.",
        decision="Convene ICPC within 15 working days.",
    )
    log.add(
        "section_47_concluded",
        "C1",
        "2024-01-12",
        at("2024-01-12"),
        summary="Done.",
        outcome="icpc",
    )
    entries, amendments = fold(log.events)
    chron = compose(entries, amendments, ChronologyQuery(children=("C1",)))
    cells = {e.kind: event_cell(e, family=False) for e in chron.entries}
    assert cells["referral_decision"] == (
        "Referral decision. Threshold met.\n"
        "Outcome: Strategy discussion. Rationale: Injury with a disclosure."
    )
    assert cells["section_47_started"] == "Section 47 enquiry started."
    assert (
        "\nDecision: Convene initial child protection conference (ICPC) within 15 working days. "
        in cells["management_decision_recorded"]
    )
    assert cells["section_47_concluded"].endswith("Outcome: Initial child protection conference.")
    assert header_lines(chron)[0].endswith("Local authority: City of York Council")
    for text in cells.values():
        assert defects(text, {"icpc", "strategy_discussion"}) == []


@pytest.mark.parametrize("authority", sorted(AUTHORITIES))
def test_the_header_names_every_authority(authority: str) -> None:
    log = Log()
    log.add("child_registered", "C1", "2024-01-08", at("2024-01-08"), first_name="Robin")
    log.add("authority_recorded", "C1", "2024-01-08", at("2024-01-08"), authority=authority)
    [line] = header_lines(log.chronology("C1"))
    assert line.endswith(f"Local authority: {AUTHORITIES[authority]}")
