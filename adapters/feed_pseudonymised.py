"""The feed as a performance analyst sees it: ids pseudonymised, no free text.

The same rule as the analyst's JetStream subscription, from the same place: ids are keyed
hashes (:class:`adapters.broker.pseudonym.Pseudonymiser`, under the store's key) and each
field is kept, pseudonymised or withheld by :func:`adapters.broker.redaction.analyst_payload`.
An item names the fields withheld from it. A purge (a destroyed record) carries ids only,
each pseudonymised the same way.
"""

from __future__ import annotations

import functools
from typing import Any

from adapters.broker.pseudonym import Pseudonymiser
from adapters.broker.redaction import analyst_payload
from adapters.db import parse_database
from adapters.store import EventStore


@functools.cache
def _pseudonymiser(url: str) -> Pseudonymiser:
    return Pseudonymiser.for_store(parse_database(url))


def pseudonymise_item(store: EventStore, item: dict[str, Any]) -> dict[str, Any]:
    pseudonym = _pseudonymiser(store.url)
    if item["kind"] == "purge":  # ids only: each one pseudonymised
        return {
            **item,
            "child_id": pseudonym(item["child_id"]),
            "subjects": [{**s, "id": pseudonym(s["id"])} for s in item["subjects"]],
        }
    payload, withheld = analyst_payload(item["kind"], item["payload"], pseudonym)
    return {
        **item,
        "child_id": pseudonym(item["child_id"]),
        "payload": payload,
        "withheld": withheld,
    }
