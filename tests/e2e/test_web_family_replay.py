"""The reviewer's replay of a whole family from one child's page: the brothers and sisters the
account may replay are in each step, each logged; the others are left out and it says so."""

from __future__ import annotations

import re

from adapters.auth.access_log import AccessLog
from tests.e2e.test_web_app import _signed_in
from tests.e2e.test_web_screens import FAR, KIN, SIBLING, world

__all__ = ["world"]


def test_a_family_is_replayed_from_one_childs_page_without_the_records_one_may_not_see(world):
    client = _signed_in(world, "tm-1")  # team north: Alex and Jo, not Kit (south's)
    period = {"from": "2025-01-06", "to": "2025-01-10", "step": "day"}
    alone = client.get(f"/child/{SIBLING}/replay", params=period).text
    assert 'class="step-child"' not in alone and 'id="family-scope"' not in alone
    family = client.get(f"/child/{SIBLING}/replay", params={**period, "family": "true"})
    assert family.status_code == 200
    html = family.text
    scope = re.search(r'id="family-scope">(.*?)</p>', html, re.S)
    assert scope and "2 records" in scope.group(1) and "left out" in scope.group(1)
    heads = set(re.findall(r'<h4 class="step-child">([^<]+)</h4>', html))
    assert heads == {"Alex", "Jo"} or {h.split()[0] for h in heads} == {"Alex", "Jo"}
    assert "Kit" not in html and FAR not in html
    assert "family=true" in html  # the review report keeps the family scope
    report = client.get(
        f"/child/{SIBLING}/review-report",
        params={"from": "2025-01-06", "to": "2025-01-10", "format": "html", "family": "true"},
    )
    assert report.status_code == 200 and "Jo" in report.text and "Kit" not in report.text
    logged = AccessLog(world).rows(KIN)
    assert any(r.user_id == "tm-1" and r.what == "replay (family)" for r in logged)
    assert not [r for r in AccessLog(world).rows(FAR) if r.user_id == "tm-1"]
