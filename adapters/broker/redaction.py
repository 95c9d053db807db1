"""What an analyst's subscription may carry: every event field classified, in one place.

The access rule for a performance analyst is "ids pseudonymised and no free text". Each
field of each event kind is one of:

- **pseudonymised**: ids of children and the people around them (``child_id``,
  ``family_id``, ``person_id``, ...) and a record's own ids (``placement_id``,
  ``episode_id``: an authority's system may build them from the child's) become keyed
  hashes (:mod:`adapters.broker.pseudonym`), the same id always the same hash;
- **withheld**: free text (any string field that is not a code, a pattern-checked value or
  a staff or event id: summaries, notes, reasons, names of courts and providers) and
  personal identifiers (names, UPN, NHS number, postcodes); the message lists their names;
- **kept**: codes, dates, flags, numbers, event ids (random) and staff ids.

A field is classified from its declaration (type and pattern), so a new event kind is
covered without touching this module; the explicit sets below only name exceptions.
A correction's ``changes`` are classified by the fields of the event it corrects.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Literal, get_args

from pydantic import TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from domain.events.base import CaseEvent, event_class

Treatment = Literal["keep", "pseudonymise", "withhold"]

PSEUDONYMISED = frozenset(
    {"child_id", "family_id", "person_id", "from_person", "to_person", "household_id"}
)
PERSONAL = frozenset(
    {
        "upn",
        "nhs_number",
        "case_number",
        "first_name",
        "last_name",
        "gender_identity",
        "postcode",
        "home_postcode",
        "referrer_name",
        "carer",
    }
)
STAFF_IDS = frozenset(
    {"worker_id", "visitor_id", "supervisor_id", "manager_id", "adviser_id", "iro_id", "rule_id"}
)
"""Ids of staff (and of rules): kept, as the returns and the reporting tables keep them."""
KEPT = frozenset({"team", "disabilities", "recorded_by"})
"""Strings kept although unconstrained: a team's name, disability codes, the staff member."""

WITHHELD_TEXT = "[withheld]"
"""What a consumer puts in a required field the message withheld, to rebuild the event."""


def _has_str(annotation: Any) -> bool:
    if annotation is str:
        return True
    return any(_has_str(arg) for arg in get_args(annotation) if not isinstance(arg, str))


def _treatment(name: str, info: FieldInfo) -> Treatment:
    if name in PSEUDONYMISED:
        return "pseudonymise"
    if name in PERSONAL:
        return "withhold"
    if name in KEPT:
        return "keep"
    if not _has_str(info.annotation):
        return "keep"
    if any(getattr(m, "pattern", None) for m in info.metadata):
        return "keep"
    if name.endswith("_by") or name in STAFF_IDS or name.endswith("event_id"):
        return "keep"
    if name.endswith("_id"):  # a record's own ids (placements, episodes) may embed the child's
        return "pseudonymise"
    return "withhold"


@functools.cache
def treatments(cls: type[CaseEvent]) -> dict[str, Treatment]:
    """Every field of an event kind and what an analyst's message does with it."""
    return {name: _treatment(name, info) for name, info in cls.model_fields.items()}


TargetKind = Callable[[str], str | None]
"""The kind of the event with this id (for a correction's ``changes``), None if unknown."""


def analyst_payload(
    kind: str,
    payload: dict[str, Any],
    pseudonym: Callable[[str], str],
    target_kind: TargetKind | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """The payload an analyst may see, and the names of the fields withheld from it."""
    cls = event_class(kind)
    out, withheld = _apply(treatments(cls), payload, pseudonym, "")
    changes = payload.get("changes")
    if kind == "entry_corrected" and isinstance(changes, dict):
        target = target_kind(str(payload.get("target_event_id"))) if target_kind else None
        if target is None:  # the corrected field's nature is unknown: carry none of them
            out["changes"] = {}
            withheld += [f"changes.{name}" for name in sorted(changes)]
        else:
            fields = treatments(event_class(target))
            out["changes"], more = _apply(fields, changes, pseudonym, "changes.")
            withheld += more
    return out, withheld


def _apply(
    fields: dict[str, Treatment],
    data: dict[str, Any],
    pseudonym: Callable[[str], str],
    prefix: str,
) -> tuple[dict[str, Any], list[str]]:
    out: dict[str, Any] = {}
    withheld: list[str] = []
    for name, value in data.items():
        treatment = fields.get(name, "withhold")
        if name == "changes" and not prefix:
            treatment = "keep"  # classified by the corrected event's fields (above)
        if treatment == "withhold":
            withheld.append(prefix + name)
        elif treatment == "pseudonymise" and isinstance(value, str):
            out[name] = pseudonym(value)
        else:
            out[name] = value
    return out, withheld


def rebuild_event(kind: str, payload: dict[str, Any], withheld: list[str]) -> CaseEvent:
    """The event a consumer can rebuild from a message (withheld text as ``[withheld]``).

    A required field that was withheld gets the placeholder (a one-item list for a list).
    One whose rules the placeholder cannot meet (an NHS number's check digit) is kept as
    the placeholder unchecked, every other field converted to its type as usual: the
    consumer has no way to know the value and no read of it needs it.
    """
    cls = event_class(kind)
    data = dict(payload)
    for name in withheld:
        info = cls.model_fields.get(name)
        if info is not None and info.is_required():
            data[name] = [WITHHELD_TEXT] if _is_list(info.annotation) else WITHHELD_TEXT
    try:
        return cls.model_validate(data)
    except ValidationError as error:
        refused = {str(e["loc"][0]) for e in error.errors() if e["loc"]}
        if not refused <= {name.split(".")[0] for name in withheld}:
            raise
    values = {
        name: value if name in refused else _adapter(cls, name).validate_python(value)
        for name, value in data.items()
    }
    return cls.model_construct(**values)


def _is_list(annotation: Any) -> bool:
    return getattr(annotation, "__origin__", None) is list


@functools.cache
def _adapter(cls: type[CaseEvent], name: str) -> TypeAdapter[Any]:
    annotation: Any = cls.model_fields[name].annotation
    return TypeAdapter(annotation)
