"""The event catalogue. A kind's module is imported when the kind is first looked up in
:data:`EVENT_TYPES` (or when a module imports its classes); iterating the catalogue imports
every kind (``domain/events/catalogue.py`` names each kind's module)."""

from domain.events.base import EVENT_TYPES, CaseEvent, Category, RecordedBy, event_class

__all__ = ["EVENT_TYPES", "CaseEvent", "Category", "RecordedBy", "event_class"]
