"""The child's page shows the newest entries of a long timeline, with the count and a link
to all of them; ``?all=true`` shows every entry (and keeps "as known at")."""

from __future__ import annotations

import re
from datetime import date, timedelta

from adapters.store import EventStore
from adapters.web.app import TIMELINE_PAGE
from domain.parsing import parse_event
from tests.access_world import OWN, build
from tests.e2e.test_web_app import _signed_in
from tests.factories import example_data

EXTRA = TIMELINE_PAGE + 15
ROW = re.compile(r"<tr[^>]*>\s*<td>(\d+)</td>")


def _positions(html: str) -> list[int]:
    timeline = html[html.index('<table class="timeline">') :]
    return [int(p) for p in ROW.findall(timeline[: timeline.index("</table>")])]


def test_a_long_timeline_shows_the_newest_entries_and_all_on_asking(store_url: str) -> None:
    build(store_url)
    first = date(2025, 2, 1)
    visits = [
        parse_event(
            example_data(
                "child_visited", OWN, (first + timedelta(days=i)).isoformat(), summary=f"Visit {i}."
            )
        )
        for i in range(EXTRA)
    ]
    with EventStore(store_url) as store:
        store.record(visits)
        total = len(store.stream(OWN))
        newest = [e.position for e in store.history(OWN)][-TIMELINE_PAGE:]
    client = _signed_in(store_url, "sw-1")

    page = client.get(f"/child/{OWN}")
    assert page.status_code == 200
    html = page.text
    assert f"Timeline ({total} entries)" in html
    assert f"Showing the newest {TIMELINE_PAGE} of {total:,} entries." in html
    assert f'<a href="?all=true">Show all {total:,} entries</a>' in html
    assert _positions(html) == newest  # the newest, in the timeline's order
    assert f"Visit {EXTRA - 1}." in html and "child registered" not in html

    everything = client.get(f"/child/{OWN}", params={"all": "true"}).text
    assert len(_positions(everything)) == total
    assert "child registered" in everything and "Show all" not in everything
    assert '<input type="hidden" name="all" value="true">' in everything  # as known at keeps it

    # an entry just recorded (the record form's redirect names it) is shown wherever it falls
    with EventStore(store_url) as store:
        oldest = store.history(OWN)[0]
    named = client.get(f"/child/{OWN}", params={"recorded": oldest.event_id}).text
    assert f'id="entry-{oldest.event_id}"' in named and len(_positions(named)) == total

    # the count and link are for the record as known at the moment asked for
    known = client.get(f"/child/{OWN}", params={"as_known_at": "2000-01-01T00:00:00"}).text
    assert "Show all" not in known and _positions(known) == []
