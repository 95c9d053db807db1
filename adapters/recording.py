"""Recording events for a signed-in account: the one path the API and the web forms share.

Who recorded them is the principal (:func:`policies.authorship.attribute`); each event is
parsed strictly, checked against the access rules for a write (:meth:`Gate.check_write`),
then appended in one transaction. Any refusal raises and nothing is written:
InvalidEvent (naming the field and rule), AccessRefused, IdempotencyConflict or
ConcurrencyConflict.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from adapters.auth.guard import Gate
from adapters.store import EventStore
from domain.access import Principal
from domain.envelope import RecordedEvent
from domain.errors import InvalidEvent
from domain.events import CaseEvent
from domain.parsing import parse_event
from policies.access import AccessPolicy
from policies.authorship import attribute


def attributed_events(
    policy: AccessPolicy, principal: Principal, items: Sequence[Any]
) -> list[CaseEvent]:
    """The items as events written by ``principal`` (InvalidEvent naming the item otherwise)."""
    parsed = []
    for index, item in enumerate(attribute(policy, principal, items)):
        try:
            parsed.append(parse_event(item))
        except InvalidEvent as error:
            raise error.at(index) from None
    return parsed


def record_checked(
    store: EventStore, gate: Gate, events: Sequence[CaseEvent]
) -> list[RecordedEvent]:
    """Append events the account may write; refused as a whole otherwise."""
    gate.check_write(events)
    return store.record(events)
