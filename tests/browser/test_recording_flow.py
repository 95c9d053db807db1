"""A social worker records in a real browser: a visit with a mistake (the error at the field),
fixed and recorded; it is in the timeline and the chronology and gone "as known at" a moment
before; a session lost mid-form keeps the draft; and the manager's dashboard shows the new
overdue item a late-recorded referral brings."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.browser.conftest import Served, look
from tests.browser.test_practitioner_flow import _sign_in, _timeline_count

CHILD = "DEMO-JORDAN"
WORKER, MANAGER = "sw-014", "tm-003"
LONDON = ZoneInfo("Europe/London")


def _overdue_for(page, served: Served, worker: str) -> int:  # type: ignore[no-untyped-def]
    page.goto(f"{served.base}/team")
    row = page.locator("#by-worker").locator("xpath=..").locator("tr", has_text=worker)
    if row.count() == 0:
        return 0
    cells = row.first.locator("td")
    found = re.search(r"\d+", cells.nth(0).inner_text())
    return int(found.group(0)) if found else 0


def test_a_worker_records_a_visit_fixes_a_mistake_and_the_manager_sees_new_overdue_work(
    browser, served: Served
) -> None:  # type: ignore[no-untyped-def]
    manager = browser.new_context(locale="en-GB", timezone_id="Europe/London")
    boss = manager.new_page()
    _sign_in(boss, served, MANAGER)
    overdue_before = _overdue_for(boss, served, WORKER)

    context = browser.new_context(
        locale="en-GB", timezone_id="Europe/London", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    _sign_in(page, served, WORKER)

    # the child's page offers "Record an entry"; the choice is grouped by stage
    page.goto(f"{served.base}/child/{CHILD}")
    before = _timeline_count(page)
    page.get_by_role("link", name="Record an entry").click()
    assert page.get_by_role("heading", name="Child in need and direct work").count() == 1
    look(page, served, "record-choose")
    page.get_by_role("link", name="Child visited").click()
    assert "/record/child_visited" in page.url

    # a visit with a mistake: no location chosen
    visited = datetime.now(LONDON) - timedelta(hours=1)  # in the past at any hour of the day
    page.fill("#f-occurred_at", visited.date().isoformat())
    page.fill("#f-occurred_at-time", visited.strftime("%H:%M"))
    page.fill("#f-summary", "Visited Jordan at home; saw the new bedroom")
    page.check("#f-seen")
    page.check("#f-seen_alone")
    page.get_by_role("button", name="Record", exact=True).click()
    page.wait_for_load_state()
    error = page.locator("#f-location-error")
    assert error.count() == 1 and "required" in error.inner_text()
    assert "nothing was recorded" in page.locator(".error-summary").inner_text()
    assert page.locator("#f-location").get_attribute("aria-invalid") == "true"
    assert page.input_value("#f-summary") == "Visited Jordan at home; saw the new bedroom"
    look(page, served, "record-error")

    # fixed and recorded
    moment_before = datetime.now(LONDON) - timedelta(seconds=2)
    page.select_option("#f-location", "home")
    page.get_by_role("button", name="Record", exact=True).click()
    page.wait_for_load_state()
    assert f"/child/{CHILD}" in page.url and "recorded=" in page.url
    assert "Recorded: entry" in page.locator("#recorded").inner_text()
    assert _timeline_count(page) == before + 1
    assert "Visited Jordan at home" in page.locator("table.timeline").inner_text()
    look(page, served, "recorded")

    page.goto(f"{served.base}/child/{CHILD}/chronology?all=true")
    assert "Visited Jordan at home" in page.locator("main").inner_text()

    # "as known at" a moment before: the visit is not yet on the record
    page.goto(f"{served.base}/child/{CHILD}")
    page.fill("#as_known_at", moment_before.strftime("%Y-%m-%dT%H:%M:%S"))
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    assert _timeline_count(page) == before
    assert "Visited Jordan at home" not in page.locator("table.timeline").inner_text()

    # a referral recorded late, written half-way when the session is lost
    page.goto(f"{served.base}/child/{CHILD}/record/referral_received")
    ten_days_ago = (datetime.now(LONDON) - timedelta(days=10)).date().isoformat()
    page.fill("#f-occurred_at", ten_days_ago)
    page.fill("#f-summary", "Referral from school about bruising")
    page.wait_for_function(
        "document.getElementById('draft-status').textContent.includes('Draft saved')"
    )
    context.clear_cookies()  # the session times out mid-form
    page.fill("#f-reason", "Teacher noticed bruising on the arm")
    page.wait_for_function(
        "document.getElementById('draft-status').textContent.includes('session has ended')"
    )
    look(page, served, "record-session-ended")
    _sign_in(page, served, WORKER)
    page.goto(f"{served.base}/my-work")
    drafts = page.locator("#drafts").locator("xpath=..")
    assert "Referral received" in drafts.inner_text()
    look(page, served, "my-work-drafts")
    drafts.get_by_role("link", name=re.compile("Referral received")).click()
    assert page.input_value("#f-summary") == "Referral from school about bruising"
    assert page.input_value("#f-occurred_at") == ten_days_ago
    page.fill("#f-reason", "Teacher noticed bruising on the arm")
    page.select_option("#f-referral_source", index=1)
    page.select_option("#f-consent", index=1)
    page.get_by_role("button", name="Record", exact=True).click()
    page.wait_for_load_state()
    assert "recorded=" in page.url, page.locator("main").inner_text()[:1000]
    page.goto(f"{served.base}/my-work")
    assert "No drafts" in page.locator("#drafts").locator("xpath=..").inner_text()
    context.close()

    # the referral's deadlines are already past: the manager sees new overdue work
    assert _overdue_for(boss, served, WORKER) > overdue_before
    look(boss, served, "team-after")
    manager.close()
