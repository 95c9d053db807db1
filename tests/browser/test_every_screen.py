"""Every read-only screen in a real browser, each screenshotted and checked with axe-core
(:func:`tests.browser.conftest.look`), as the role that has it, over the demo family:

- a social worker finds Jordan by name (and is told which field is wrong when the date of
  birth is not one), opens his record from the results, and reads My work;
- a team manager reads the team dashboard, Jordan's family and genogram, his legal status on
  a date and the replay of the week of the referral.

Each page asserts a value the practitioner relies on there.
"""

from __future__ import annotations

from tests.browser.conftest import Served, look

JORDAN = "DEMO-JORDAN"


def _sign_in(page, served: Served, name: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(served.base + "/sign-in")
    page.fill("#username", name)
    page.fill("#password", served.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/sign-in" not in page.url, page.content()[:500]


def test_a_social_worker_finds_a_child_and_reads_my_work(page, served: Served) -> None:  # type: ignore[no-untyped-def]
    _sign_in(page, served, "sw-014")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Find a child").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Find a child"
    current = page.locator('nav[aria-label="Main"] a[aria-current="page"]')
    assert current.inner_text() == "Find a child"

    # a date of birth that is not one: the summary and the field both say so
    page.get_by_label("Date of birth").fill("31/02/2016")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    summary = page.locator(".error-summary").inner_text()
    assert "Date of birth" in summary and "not a real date" in summary
    assert page.get_by_label("Date of birth").get_attribute("aria-invalid") == "true"
    look(page, served, "every-find-error")

    page.get_by_label("Date of birth").fill("")
    page.get_by_label("Name or child id").fill("fairholm jordan")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    assert page.locator("#results").inner_text() == "1 child found"
    row = page.locator("#results ~ table tbody tr").first.inner_text()
    assert "Jordan Fairholm" in row and JORDAN in row and "12/04/2016" in row
    assert "adoption order" in row  # his legal status as the record now stands
    look(page, served, "every-find-results")

    page.get_by_role("link", name="Jordan Fairholm").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/child/{JORDAN}")
    assert "Jordan Fairholm" in page.locator("h1").inner_text()

    page.goto(f"{served.base}/my-work")
    assert page.locator("h1").inner_text() == "My work"
    children = page.locator("#children").locator("xpath=..").inner_text()
    assert "Jordan Fairholm" in children and "Mia Brantwood" in children
    look(page, served, "every-my-work")


def test_a_team_manager_reads_the_dashboard_family_status_and_replay(page, served: Served) -> None:  # type: ignore[no-untyped-def]
    _sign_in(page, served, "tm-003")
    assert page.url.endswith("/team")  # the manager's home
    assert page.locator("h1").count() == 1
    assert page.locator('th[scope="row"]', has_text="sw-014").count() == 1
    look(page, served, "every-team")

    page.goto(f"{served.base}/child/{JORDAN}/family")
    assert page.locator("svg.genogram").count() == 1
    people = page.locator("#people").locator("xpath=..").inner_text()
    assert "Kerry Ashdown" in people and "Dean Fairholm" in people
    siblings = page.locator("#siblings").locator("xpath=..").inner_text()
    assert "Mia Brantwood" in siblings
    look(page, served, "every-family")

    page.goto(f"{served.base}/child/{JORDAN}/status?at=2021-06-01")
    assert "child protection plan: physical abuse since 2021-04-08" in (
        page.locator("#status-summary").inner_text()
    )
    look(page, served, "every-status")

    page.goto(f"{served.base}/child/{JORDAN}/replay?from=2021-03-08&to=2021-03-12")
    assert "replay without hindsight" in page.locator("h1").inner_text()
    body = page.locator("main").inner_text()
    assert "Step 1: as known at Tue 09 Mar 2021" in body
    assert "Child registered" in body
    look(page, served, "every-replay")
