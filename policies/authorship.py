"""Who recorded an entry comes from the signed-in identity, never from the request.

:func:`attribute` takes the events as sent (JSON objects) and the principal writing them:

- for most roles a ``recorded_by`` in the request is refused (the error names the event and
  the field), and ``recorded_by`` is set to the principal's id and role;
- for a role that keeps the original author (``keeps_original_author`` in ``access.yaml``:
  a migration's import from the previous system, the local operator), a ``recorded_by`` in
  the request is kept as the original author and ``entered_by`` names the principal
  (the local operator of a store without accounts is no account, so it adds none); one
  missing is set to the principal as above.

``entered_by`` is never taken from the request.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from domain.access import Principal
from domain.errors import InvalidEvent
from policies.access import AccessPolicy


def attribute(
    policy: AccessPolicy, principal: Principal, events: Sequence[Any]
) -> list[dict[str, Any]]:
    role = policy.role(principal.role)
    keeps = role is not None and role.keeps_original_author
    me = {"user_id": principal.user_id, "role": principal.role}
    out: list[dict[str, Any]] = []
    for index, data in enumerate(events):
        if not isinstance(data, dict):
            raise InvalidEvent("expected a JSON object", field="event", index=index)
        item = dict(data)
        kind = item.get("kind") if isinstance(item.get("kind"), str) else None
        if "entered_by" in item:
            raise InvalidEvent(
                "entered_by is set by caseledger from the signed-in account; leave it out",
                field="entered_by",
                kind=kind,
                index=index,
            )
        if "recorded_by" in item:
            if not keeps:
                raise InvalidEvent(
                    "recorded_by is set from the signed-in account "
                    f"({principal.user_id}); leave it out of the request",
                    field="recorded_by",
                    kind=kind,
                    index=index,
                )
            if principal.source != "operator":
                item["entered_by"] = me
        else:
            item["recorded_by"] = me
        out.append(item)
    return out
