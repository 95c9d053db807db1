"""Identifiers another child already holds: accepted, with a warning (issue 15, item 10).

A UPN is meant to be one pupil's for life, but records do meet a shared one (a typing
slip, a sibling's number, a merged record); refusing would stop a worker recording what
the school gave. So the entry is written and the caller is warned, naming the field and
the other child's id, never the UPN itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from adapters.store import EventStore
from domain.events import CaseEvent
from domain.events.people import ChildRegistered


def shared_upn_warnings(store: EventStore, events: Sequence[CaseEvent]) -> dict[int, str]:
    """For each event (by index) registering a UPN another child holds: the warning text.

    Reads the registrations once, and only when the batch registers a UPN.
    """
    wanted = {
        index: event.upn
        for index, event in enumerate(events)
        if isinstance(event, ChildRegistered) and event.upn
    }
    if not wanted:
        return {}
    holders: dict[str, set[str]] = {}
    for data in store.registrations():
        upn = data.get("upn")
        if isinstance(upn, str) and upn in wanted.values():
            holders.setdefault(upn, set()).add(data["child_id"])
    for index, upn in wanted.items():  # two children given one UPN in the same batch
        holders.setdefault(upn, set()).add(events[index].child_id)
    warnings: dict[int, str] = {}
    for index, upn in wanted.items():
        others = sorted(holders[upn] - {events[index].child_id})
        if others:
            warnings[index] = (
                f"event {index} ({events[index].kind}) field 'upn': already held by "
                f"child {', '.join(repr(o) for o in others)}; recorded — check which record "
                "the UPN belongs to"
            )
    return warnings
