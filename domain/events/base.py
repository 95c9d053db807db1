"""The shape every case event shares, and the registry of event kinds.

A case event is what the caller says happened. The store wraps it in a
:class:`domain.envelope.RecordedEvent` that adds what only the store knows: the
event id, the position in the child's stream, the recorded-at time and the hash
chain. Callers never set recorded-at.

Two clocks:
- ``occurred_at``: when the thing happened in the child's life (a date, or a
  datetime in Europe/London; a naive datetime is taken to be London time);
- ``recorded_at``: when it was written down (set by the store, UTC).

Each concrete event class declares, as class variables:
- ``kind``: the stable snake_case name used in JSON and on the command line
  (derived from the class name unless set);
- ``title``: plain English for people;
- ``category``: the chronology category;
- ``significant_by_default``: whether the chronology includes it unless the
  recorder says otherwise;
- ``data_protection``: each field it adds, classified as personal data or not, and whose
  (``domain/personal_data.py`` says how; a test holds every catalogue field to it);
- ``class_version``: bumped when the shape changes; ``upcast_vN_to_vM``
  static methods turn old stored payloads into the current shape on read.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from domain.events.catalogue import KIND_MODULES

LONDON = ZoneInfo("Europe/London")

ChildId = str
"""A child's id in the authority's system: letters, digits, '-' and '_' (e.g. ``LA370-000123``)."""

CHILD_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
PERSON_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"
IMPACT_MAX_LENGTH = 2000
NEW_INPUT = "new_input"
"""Validation context key set by :func:`domain.parsing.parse_event`: the event is new input."""
"""The longest impact-on-the-child note: a paragraph of analysis, not a report."""


class Category(StrEnum):
    """Chronology categories: the filter a reader of the chronology uses."""

    PEOPLE = "people"
    FRONT_DOOR = "front_door"
    SAFEGUARDING = "safeguarding"
    CHILD_IN_NEED = "child_in_need"
    DIRECT_WORK = "direct_work"
    LOOKED_AFTER = "looked_after"
    PROCEEDINGS = "proceedings"
    ADOPTION = "adoption"
    LEAVING_CARE = "leaving_care"
    MANAGEMENT = "management"
    CORRECTIONS = "corrections"
    STANDARDS = "standards"


class DatePrecision(StrEnum):
    """How much of the occurred-at date is known (chronologies show '?' or a month)."""

    TIME = "time"
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


class RecordedBy(BaseModel):
    """Who wrote the entry down: a user id and the role they held."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    user_id: str = Field(min_length=1, max_length=64, pattern=PERSON_ID_PATTERN)
    role: str = Field(min_length=1, max_length=64)


class EventCatalogue(Mapping[str, "type[CaseEvent]"]):
    """Every concrete event kind, by ``kind``: a kind's module is imported on first lookup.

    :data:`domain.events.catalogue.KIND_MODULES` names the module of each kind, so looking
    up ``"child_visited"`` imports only ``domain.events.direct_work``; iterating (or ``len``)
    imports every module and lists the catalogue's kinds in its order, then any other
    registered class (a test's own). Importing an event module registers its kinds.
    """

    def __init__(self) -> None:
        self._registered: dict[str, type[CaseEvent]] = {}

    def register(self, cls: type[CaseEvent]) -> None:
        module = KIND_MODULES.get(cls.kind)
        if module is not None and module != cls.__module__:
            importlib.import_module(module)  # so a second declaration is caught as before
        existing = self._registered.get(cls.kind)
        if existing is not None and existing.__qualname__ != cls.__qualname__:
            raise TypeError(f"event kind {cls.kind!r} is declared twice")
        self._registered[cls.kind] = cls

    def __getitem__(self, kind: str) -> type[CaseEvent]:
        found = self._registered.get(kind)
        if found is None:
            module = KIND_MODULES.get(kind) if isinstance(kind, str) else None
            if module is None:
                raise KeyError(kind)
            importlib.import_module(module)
            found = self._registered.get(kind)
            if found is None:
                raise KeyError(kind)
        return found

    def __contains__(self, kind: object) -> bool:
        if kind in self._registered:
            return True
        try:
            return isinstance(kind, str) and self[kind] is not None
        except KeyError:
            return False

    def load_all(self) -> None:
        """Import every event module (each registers its kinds)."""
        for module in dict.fromkeys(KIND_MODULES.values()):
            importlib.import_module(module)

    def __iter__(self) -> Iterator[str]:
        self.load_all()
        return iter(dict.fromkeys([*KIND_MODULES, *self._registered]))

    def __len__(self) -> int:
        self.load_all()
        return len(set(KIND_MODULES) | set(self._registered))


EVENT_TYPES = EventCatalogue()
"""Every concrete event kind, by ``kind`` (see :class:`EventCatalogue`)."""

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def _snake(name: str) -> str:
    return _CAMEL.sub("_", name).lower()


class CaseEvent(BaseModel):
    """The fields every case event carries."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False, defer_build=True)

    data_protection: ClassVar[dict[str, str]] = {
        "child_id": "-",
        "occurred_at": "-",
        "occurred_precision": "-",
        "recorded_by": "professional:identifier",
        "entered_by": "professional:identifier",
        "summary": "child:free_text",
        "source": "-",
        "agency": "-",
        "impact_on_child": "child:free_text",
        "significant": "-",
        "correlation_id": "-",
        "idempotency_key": "-",
    }

    kind: ClassVar[str] = ""
    title: ClassVar[str] = ""
    category: ClassVar[Category] = Category.MANAGEMENT
    significant_by_default: ClassVar[bool] = False
    class_version: ClassVar[int] = 1

    child_id: ChildId = Field(
        pattern=CHILD_ID_PATTERN, description="The child whose record this is."
    )
    occurred_at: datetime | date = Field(
        description="When it happened: a date, or a datetime (naive means Europe/London)."
    )
    occurred_precision: DatePrecision | None = Field(
        default=None,
        description="How much of occurred_at is known; defaults to 'time' for a datetime, "
        "'day' for a date.",
    )
    recorded_by: RecordedBy
    entered_by: RecordedBy | None = Field(
        default=None,
        description="Who entered it when that is not its author: the account that imported "
        "it from another system (recorded_by stays the original author). Set by caseledger "
        "from the signed-in account, never by the request.",
    )
    summary: str = Field(min_length=1, max_length=4000, description="A short factual summary.")
    source: str | None = Field(
        default=None, max_length=200, description="Document or case-note reference."
    )
    agency: str | None = Field(default=None, max_length=120, description="Recording agency.")
    impact_on_child: str | None = Field(
        default=None,
        max_length=IMPACT_MAX_LENGTH,
        description="The worker's analysis of what this meant for the child (the chronology's "
        "'impact on the child' column); optional, for significant events.",
    )
    significant: bool | None = Field(
        default=None, description="Overrides the kind's default chronology significance."
    )
    correlation_id: str | None = Field(
        default=None,
        max_length=100,
        description="Shared by the events one action wrote on several children's records.",
    )
    idempotency_key: str | None = Field(
        default=None,
        max_length=200,
        description="A repeated command with the same key writes once and returns the same result.",
    )

    def __init_subclass__(cls, register: bool = True, **kwargs: Any) -> None:
        """Register each concrete kind; ``register=False`` keeps a class out (tests, bases)."""
        super().__init_subclass__(**kwargs)
        if cls.__name__.startswith("_") or not register:
            if "kind" not in cls.__dict__:
                cls.kind = _snake(cls.__name__.lstrip("_"))
            return
        if "kind" not in cls.__dict__:
            cls.kind = _snake(cls.__name__)
        if "title" not in cls.__dict__:
            cls.title = cls.kind.replace("_", " ").capitalize()
        EVENT_TYPES.register(cls)

    @field_validator("occurred_at", mode="before")
    @classmethod
    def _date_or_datetime(cls, value: Any) -> Any:
        """A bare ISO date stays a date; anything with a time is a datetime."""
        if isinstance(value, str):
            text = value.strip()
            try:
                return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
            except ValueError:
                raise ValueError(
                    "is not an ISO date (2026-04-07) or datetime (2026-04-07T09:30)"
                ) from None
        return value

    @field_validator("impact_on_child", mode="after")
    @classmethod
    def _impact_is_words(cls, value: str | None, info: ValidationInfo) -> str | None:
        """A note of only spaces is refused when recorded: it would read as an analysis.

        Only new input is checked (``parse_event`` passes the context): a stored entry is
        read back exactly as it was written, whatever it holds.
        """
        if value is not None and not value.strip() and (info.context or {}).get(NEW_INPUT):
            raise ValueError("is blank: leave impact_on_child out, or say what the impact was")
        return value

    @field_validator("occurred_at", mode="after")
    @classmethod
    def _london_time(cls, value: datetime | date) -> datetime | date:
        if isinstance(value, datetime):
            try:
                if value.tzinfo is None:
                    value = value.replace(tzinfo=LONDON)
                    value.utcoffset()  # fails here for the extremes of year 1 and 9999
                    return value
                return value.astimezone(LONDON)
            except (OverflowError, ValueError):
                raise ValueError(
                    "its offset takes it outside the years 1 to 9999; give a moment in range"
                ) from None
        return value

    @property
    def occurred_date(self) -> date:
        """The calendar day (Europe/London) on which it happened."""
        if isinstance(self.occurred_at, datetime):
            return self.occurred_at.astimezone(LONDON).date()
        return self.occurred_at

    @property
    def occurred_instant(self) -> datetime:
        """A comparable aware datetime: a bare date counts as London midnight."""
        if isinstance(self.occurred_at, datetime):
            return self.occurred_at
        return datetime(
            self.occurred_at.year, self.occurred_at.month, self.occurred_at.day, tzinfo=LONDON
        )

    @property
    def precision(self) -> DatePrecision:
        if self.occurred_precision is not None:
            return self.occurred_precision
        return DatePrecision.TIME if isinstance(self.occurred_at, datetime) else DatePrecision.DAY

    @property
    def is_significant(self) -> bool:
        """The chronology's answer: the recorder's override, else the kind's default."""
        if self.significant is not None:
            return self.significant
        return self.significant_by_default

    def payload(self) -> dict[str, Any]:
        """The event's fields as JSON-ready data (what is stored and hashed)."""
        return self.model_dump(mode="json", exclude_none=True)

    @classmethod
    def upcast(cls, data: dict[str, Any], from_version: int) -> dict[str, Any]:
        """Bring a stored payload written at ``from_version`` up to ``class_version``."""
        version = from_version
        while version < cls.class_version:
            step = getattr(cls, f"upcast_v{version}_to_v{version + 1}", None)
            if step is None:
                raise TypeError(f"{cls.kind}: no upcast from version {version}")
            data = step(data)
            version += 1
        return data


def event_class(kind: str) -> type[CaseEvent]:
    """The event class for a kind, or KeyError naming the known kinds."""
    try:
        return EVENT_TYPES[kind]
    except KeyError:
        raise KeyError(kind) from None


YesNo = Literal["yes", "no"]
