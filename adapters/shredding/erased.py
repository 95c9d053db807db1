"""An event read back when some of its subjects' keys were destroyed.

The erased fields are known (their names are stored in plain text beside each box) but not
their values. The event is still built, so projections, exports and pages keep working:
a text field reads ``ERASED``; a field with a default takes it (an unknown ethnicity, no
disabilities, no date); a required date reads None; a required code its "unknown" member.
"""

from __future__ import annotations

import types
import typing
from datetime import date, datetime
from enum import Enum
from typing import Any

from pydantic import ValidationError

from adapters.shredding.sealing import ERASED

_STAND_IN_DATE = date(2000, 1, 1)
_VALID_NHS_NUMBER = "9434765919"  # passes the modulus-11 check; overwritten after validation


def _arms(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return [arm for a in typing.get_args(annotation) for arm in _arms(a)]
    if origin is typing.Annotated:
        return _arms(typing.get_args(annotation)[0])
    return [annotation]


def _stand_in(annotation: Any, name: str) -> Any:
    """A value that passes validation, for a field whose value is gone."""
    arms = _arms(annotation)
    if "nhs" in name:
        return _VALID_NHS_NUMBER
    if str in arms:
        return ERASED
    for arm in arms:
        if isinstance(arm, type) and issubclass(arm, Enum):
            return _unknown_member(arm)
        if arm is date or arm is datetime:
            return _STAND_IN_DATE
        if typing.get_origin(arm) is list or arm is list:
            return []
        if typing.get_origin(arm) is dict or arm is dict:
            return {"summary": ERASED}  # a correction whose content is gone: it reads erased
    return None


def _unknown_member(enum: type[Enum]) -> Any:
    for member in enum:
        if member.name in {"UNKNOWN", "NOT_KNOWN", "NOT_OBTAINED", "OTHER"}:
            return member.value
    return next(iter(enum)).value


def _shown(annotation: Any, field_info: Any, stand_in: Any) -> Any:
    """What the event holds for an erased field once built."""
    arms = _arms(annotation)
    if str in arms:
        return ERASED
    if not field_info.is_required():
        return field_info.get_default(call_default_factory=True)
    for arm in arms:
        if isinstance(arm, type) and issubclass(arm, Enum):
            return arm(stand_in)
    if isinstance(stand_in, list):
        return []
    if isinstance(stand_in, dict):
        return stand_in
    return None


def erased_event(event_class: type[Any], payload: dict[str, Any], erased: set[str]) -> Any:
    """Build the event from a payload whose ``erased`` fields hold only ``ERASED``."""
    fields = event_class.model_fields
    filled = dict(payload)
    stand_ins: dict[str, Any] = {}
    for name in erased:
        info = fields.get(name)
        if info is None:
            continue
        stand_ins[name] = _stand_in(info.annotation, name)
        if info.is_required():
            filled[name] = stand_ins[name]
        else:  # validated at its default: no pattern or rule to satisfy
            filled.pop(name, None)
    if (
        "date_of_birth" in erased
        and "date_of_birth" in fields
        and not filled.get("expected_date_of_birth")
    ):  # the record's rule wants one of the two: a stand-in, shown as None below
        filled["date_of_birth"] = _STAND_IN_DATE
    try:
        event = event_class.model_validate(filled)
    except ValidationError:
        # a rule tying fields together ("a rationale when acting without consent") wants the
        # optional ones too: every erased field then takes its stand-in, shown as erased below
        for name, stand_in in stand_ins.items():
            if stand_in is not None:
                filled[name] = stand_in
        event = event_class.model_validate(filled)
    for name, stand_in in stand_ins.items():
        object.__setattr__(event, name, _shown(fields[name].annotation, fields[name], stand_in))
    return event
