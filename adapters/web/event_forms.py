"""Record-event forms generated from the event catalogue's JSON schemas.

Each kind's form is read from its model's schema (the same one ``caseledger events`` prints
and the API validates against), so a field added to an event appears in its form with no
web change. :func:`form_for` turns a kind into fields with widgets; :func:`event_data` turns
a submitted form back into the JSON an API caller would send, which the same parser
(:func:`domain.parsing.parse_event`) then accepts or refuses, field by field.

The kinds a person records are grouped by stage of the child's journey (:data:`STAGES`).
Kinds nobody types in are left out: the standards events (only the policy handler writes
them), the access events (written by restricting a record or breaking the glass) and the
corrections (made from the entry they correct).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any, get_args

from pydantic import TypeAdapter

from domain import limits
from domain.events import EVENT_TYPES, CaseEvent
from domain.events.base import Category
from domain.events.data_protection import HOLD_KINDS
from domain.events.subject_access import SUBJECT_ACCESS_KINDS

STAGES: tuple[tuple[str, tuple[Category, ...]], ...] = (
    ("Front door", (Category.FRONT_DOOR,)),
    ("Safeguarding", (Category.SAFEGUARDING,)),
    ("Child in need and direct work", (Category.CHILD_IN_NEED, Category.DIRECT_WORK)),
    ("Looked after and adoption", (Category.LOOKED_AFTER, Category.ADOPTION)),
    ("Proceedings", (Category.PROCEEDINGS,)),
    ("Leaving care", (Category.LEAVING_CARE,)),
    ("People", (Category.PEOPLE,)),
    ("Management", (Category.MANAGEMENT,)),
)
"""The stages of the journey, in order, and the chronology categories in each."""

NOT_TYPED_IN = (
    frozenset({"record_restricted", "record_restriction_lifted", "restricted_record_opened"})
    | HOLD_KINDS
    | frozenset(SUBJECT_ACCESS_KINDS)
)
"""Access events, legal holds and subject access requests: written by the restrict and
break-glass actions, by ``retention hold`` / ``lift`` and by ``caseledger sar``, not by a form."""

SET_BY_CASELEDGER = frozenset(
    {"child_id", "recorded_by", "entered_by", "idempotency_key", "correlation_id"}
)
"""Fields the form never shows: the child is the page's, the author the signed-in account,
the idempotency key the draft's."""

FIRST_FIELDS = ("occurred_at", "occurred_precision", "summary")
LAST_FIELDS = ("impact_on_child", "significant", "source", "agency")
LABELS = {
    "occurred_at": ("When it happened", "The date, and the time if it is known (UK time)."),
    "occurred_precision": (
        "How exact the date is",
        "Leave as it is when the date is known; choose month or year when only that is known.",
    ),
    "summary": ("Summary", "A short factual summary of what happened."),
    "impact_on_child": (
        "Impact on the child",
        "Your analysis of what this meant for the child: the chronology's impact column.",
    ),
    "significant": (
        "Significant for the chronology",
        "Leave as it is for this kind of entry's usual setting.",
    ),
    "source": ("Source document", "The document or case-note reference."),
    "agency": ("Recording agency", ""),
}
"""Plain words for the fields every entry has (the schema's descriptions are for developers)."""

LONG_TEXT = 200
"""Text fields allowed more characters than this get a multi-line box."""


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class FormField:
    """One field of a form: its name in the event, how it is asked, and what it allows."""

    name: str
    label: str
    widget: str
    """text, textarea, date, datetime, occurred (a date with an optional time), yes_no,
    select, choices (several of a code list), lines (one item per line), number, json."""
    required: bool
    hint: str = ""
    choices: tuple[Choice, ...] = ()
    max_length: int | None = None
    default: str = ""
    """The form's starting value: the model's default as the widget shows it."""


@dataclass(frozen=True)
class EventForm:
    kind: str
    title: str
    description: str
    fields: tuple[FormField, ...] = field(default_factory=tuple)

    def starting_values(self) -> dict[str, Any]:
        """A new form's values: each field's default (a visit is statutory unless unticked)."""
        return {f.name: f.default for f in self.fields if f.default}


def recordable_kinds() -> list[type[CaseEvent]]:
    """Every kind a person records through a form."""
    stage_categories = {c for _, categories in STAGES for c in categories}
    return [
        cls
        for cls in EVENT_TYPES.values()
        if cls.category in stage_categories and cls.kind not in NOT_TYPED_IN
    ]


def kinds_by_stage(allowed: set[str] | None = None) -> list[tuple[str, list[type[CaseEvent]]]]:
    """The recordable kinds (those in ``allowed`` when given) under their stage, by title."""
    kinds = [k for k in recordable_kinds() if allowed is None or k.kind in allowed]
    grouped = []
    for stage, categories in STAGES:
        members = sorted((k for k in kinds if k.category in categories), key=lambda k: k.title)
        if members:
            grouped.append((stage, members))
    return grouped


def readable(code: str) -> str:
    """A code as words: ``section_47`` -> "Section 47"."""
    text = str(code).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in node:
        resolved: dict[str, Any] = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
        return resolved
    return node


def _arms(node: dict[str, Any], root: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    """The non-null alternatives of a schema node, and whether null is allowed."""
    options = node.get("anyOf") or node.get("oneOf")
    if not options:
        return [_resolve(node, root)], False
    arms = [_resolve(option, root) for option in options]
    real = [arm for arm in arms if arm.get("type") != "null"]
    return real, len(real) < len(arms)


def _enum_in(annotation: Any) -> type[Enum] | None:
    """The code list a field's type holds (``Location | None`` -> Location), if any."""
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return annotation
    for arg in get_args(annotation):
        found = _enum_in(arg)
        if found is not None:
            return found
    return None


def _choices(codes: type[Enum]) -> tuple[Choice, ...]:
    """A code list as readable choices: the member's name in words, and the code itself
    where it is not those words (``SCHOOLS = "2A"`` -> "Schools (2A)")."""
    out = []
    for member in codes:
        words = readable(member.name.lower())
        value = str(member.value)
        shown = words if value.replace("_", " ").lower() == words.lower() else f"{words} ({value})"
        out.append(Choice(value, shown))
    return tuple(out)


def _field(
    name: str, node: dict[str, Any], root: dict[str, Any], required: bool, annotation: Any = None
) -> FormField:
    made = _widget(name, node, root, required)
    if name in LABELS:
        label, hint = LABELS[name]
        made = replace(made, label=label, hint=hint)
    codes = _enum_in(annotation)
    if codes is not None and made.widget in ("select", "choices"):
        made = replace(made, choices=_choices(codes))
    default = node.get("default")
    if isinstance(default, bool) and made.widget == "yes_no":
        return replace(made, default="yes" if default else "no")
    if isinstance(default, str) and made.widget == "select":
        return replace(made, default=default)
    return made


def _widget(name: str, node: dict[str, Any], root: dict[str, Any], required: bool) -> FormField:
    arms, _nullable = _arms(node, root)
    hint = str(node.get("description", ""))
    label = readable(name)
    formats = {arm.get("format") for arm in arms}
    if formats >= {"date", "date-time"}:
        return FormField(name, label, "occurred", required, hint)
    arm = arms[0] if arms else {}
    kind = arm.get("type")
    if "enum" in arm:
        choices = tuple(Choice(str(v), readable(str(v))) for v in arm["enum"])
        return FormField(
            name, label, "select", required, hint or arm.get("description", ""), choices
        )
    if kind == "boolean":
        return FormField(name, label, "yes_no", required, hint)
    if kind == "integer":
        return FormField(name, label, "number", required, hint)
    if kind == "string" and arm.get("format") == "date":
        return FormField(name, label, "date", required, hint)
    if kind == "string" and arm.get("format") == "date-time":
        return FormField(name, label, "datetime", required, hint)
    if kind == "string":
        most = arm.get("maxLength", node.get("maxLength", limits.MAX_TEXT_CHARS))
        identifier = "pattern" in arm or name.endswith(("_id", "_number")) or name == "upn"
        widget = "textarea" if most > LONG_TEXT and not identifier else "text"
        return FormField(name, label, widget, required, hint, max_length=most)
    if kind == "array":
        items = _resolve(arm.get("items", {}), root)
        if "enum" in items:
            choices = tuple(Choice(str(v), readable(str(v))) for v in items["enum"])
            return FormField(name, label, "choices", required, hint, choices)
        if items.get("type") == "string":
            hint = (hint + " " if hint else "") + "One per line."
            return FormField(name, label, "lines", required, hint)
    hint = (hint + " " if hint else "") + "As JSON."
    return FormField(name, label, "json", required, hint)


@functools.cache
def form_for(kind: str) -> EventForm:
    """The form of one event kind (KeyError for a kind not in the catalogue)."""
    cls = EVENT_TYPES[kind]
    schema = limits.bounded_schema(TypeAdapter(cls).json_schema())
    required = set(schema.get("required", ()))
    properties = {k: v for k, v in schema["properties"].items() if k not in SET_BY_CASELEDGER}
    order = (
        [n for n in FIRST_FIELDS if n in properties]
        + [n for n in properties if n not in FIRST_FIELDS and n not in LAST_FIELDS]
        + [n for n in LAST_FIELDS if n in properties]
    )
    annotations = {n: f.annotation for n, f in cls.model_fields.items()}
    fields = tuple(
        _field(n, properties[n], schema, n in required, annotations.get(n)) for n in order
    )
    description = " ".join((cls.__doc__ or "").split())
    return EventForm(kind=kind, title=cls.title, description=description, fields=fields)


class FormProblem(ValueError):
    """A form value that cannot become the field's JSON (a whole number typed as words)."""

    def __init__(self, field_name: str, rule: str) -> None:
        super().__init__(rule)
        self.field = field_name
        self.rule = rule


def event_data(
    form: EventForm, values: Mapping[str, Any]
) -> tuple[dict[str, Any], list[FormProblem]]:
    """The submitted form as event JSON (``kind`` and the fields given), and the values that
    could not be read as their field's type. A field left blank is left out, so the parser
    says "is required" of a required one."""
    data: dict[str, Any] = {"kind": form.kind}
    problems: list[FormProblem] = []
    for item in form.fields:
        try:
            value = _value(item, values)
        except FormProblem as problem:
            problems.append(problem)
            continue
        if value is not None:
            data[item.name] = value
    return data, problems


def _text(values: Mapping[str, Any], name: str) -> str:
    raw = values.get(name, "")
    if isinstance(raw, list):
        raw = raw[0] if raw else ""
    return str(raw).strip()


def _value(item: FormField, values: Mapping[str, Any]) -> Any:
    name = item.name
    if item.widget == "occurred":
        day, time = _text(values, name), _text(values, f"{name}__time")
        if not day:
            return None
        return f"{day}T{time}" if time else day
    if item.widget == "choices":
        chosen = values.get(name, [])
        chosen = chosen if isinstance(chosen, list) else [chosen]
        return [str(c) for c in chosen if str(c)] or None
    text = _text(values, name)
    if not text:
        return None
    if item.widget == "yes_no":
        if text not in ("yes", "no"):
            raise FormProblem(name, "must be yes or no")
        return text == "yes"
    if item.widget == "number":
        try:
            return int(text)
        except ValueError:
            raise FormProblem(name, "must be a whole number") from None
    if item.widget == "lines":
        return [line.strip() for line in text.splitlines() if line.strip()]
    if item.widget == "json":
        import orjson

        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            raise FormProblem(name, "must be valid JSON") from None
    if item.widget == "datetime" and len(text) == 16:
        return text  # the browser's datetime-local: London time, as the API takes it
    return text


def form_values(event_payload: Mapping[str, Any], form: EventForm) -> dict[str, Any]:
    """An entry's fields as the form's values (to correct it in the same form)."""
    import orjson

    values: dict[str, Any] = {}
    for item in form.fields:
        value = event_payload.get(item.name)
        if value is None:
            continue
        if item.widget == "occurred":
            text = str(value)
            values[item.name] = text[:10]
            if len(text) > 10:
                values[f"{item.name}__time"] = text[11:16]
        elif item.widget == "yes_no":
            values[item.name] = "yes" if value else "no"
        elif item.widget == "choices":
            values[item.name] = [str(v) for v in value]
        elif item.widget == "lines":
            values[item.name] = "\n".join(str(v) for v in value)
        elif item.widget == "json":
            values[item.name] = orjson.dumps(value).decode()
        elif item.widget == "datetime":
            values[item.name] = str(value)[:16]
        else:
            values[item.name] = str(value)
    return values
