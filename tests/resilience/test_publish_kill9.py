"""`caseledger publish` killed with SIGKILL five times during a relay, on both engines.

The stream ends up holding every event of the log once, in log order (so in order per
child), each message's position header the event's. CI-sized (about 3,000 events);
``python -m scripts.publish_kill`` runs the 100,000-event version (docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from adapters.store import EventStore
from adapters.synthetic.synth import load
from scripts.publish_kill import run
from tests.jetstream import require_nats

pytestmark = pytest.mark.slow


def test_five_kills_leave_every_event_once_in_order(
    store_url: str, make_store: Callable[..., EventStore]
) -> None:
    require_nats()
    store = make_store(store_url)
    load(store, 65, seed=21)
    events = store.max_position()
    assert events > 2000

    report = run(store_url, kills=5, batch=50)

    assert report.kills == 5
    assert all(0 < at < events for at in report.killed_at), report.killed_at
    assert report.messages == events
    assert report.duplicates == 0 and report.missing == 0
    assert report.out_of_order_children == 0 and report.headers_wrong == 0
