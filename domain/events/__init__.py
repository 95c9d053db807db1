"""The event catalogue: importing this package registers every event kind."""

from domain.events import (  # noqa: F401  (imported to register the kinds)
    access,
    adoption,
    child_in_need,
    corrections,
    cwsa2026,
    data_protection,
    direct_work,
    front_door,
    leaving_care,
    looked_after,
    management,
    people,
    proceedings,
    safeguarding,
    sharing,
    standards,
    subject_access,
)
from domain.events.base import EVENT_TYPES, CaseEvent, Category, RecordedBy, event_class

__all__ = ["EVENT_TYPES", "CaseEvent", "Category", "RecordedBy", "event_class"]
