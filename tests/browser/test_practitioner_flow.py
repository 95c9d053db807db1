"""A team manager's day in a real browser: sign in, the caseload, a child's timeline with
"as known at", the chronology and its PDF, the team dashboard, sign out."""

from __future__ import annotations

import re
import subprocess

from tests.browser.conftest import Served, look

CHILD = "DEMO-JORDAN"
LATE_VISIT = "2021-05-06"  # a visit on 6 May 2021 written up late, on 27 May 2021


def _sign_in(page, served: Served, name: str = "tm-003") -> None:  # type: ignore[no-untyped-def]
    page.goto(served.base + "/")
    assert page.url.endswith("/sign-in") or "/sign-in" in page.url
    look(page, served, "sign-in")
    page.fill("#username", name)
    page.fill("#password", served.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/sign-in" not in page.url, page.content()[:500]


def _timeline_count(page) -> int:  # type: ignore[no-untyped-def]
    heading = page.locator("#timeline").inner_text()
    found = re.search(r"\((\d+) entries\)", heading)
    assert found, heading
    return int(found.group(1))


def test_a_manager_reads_a_childs_record_as_known_then_and_downloads_the_chronology(
    page, served: Served, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    _sign_in(page, served)
    look(page, served, "home")

    page.goto(f"{served.base}/caseload")
    assert CHILD in page.content()
    look(page, served, "caseload")

    page.goto(f"{served.base}/child/{CHILD}")
    everything = _timeline_count(page)
    assert LATE_VISIT in page.locator("table.timeline").inner_text()
    deadlines = page.locator("table").first.inner_text()
    assert "Working Together to Safeguard Children 2023" in deadlines
    assert ".txt" not in deadlines  # seeds are cited by document name, not by file name
    look(page, served, "child")

    # as known at 20 May 2021: the visit written up on 27 May is not yet on the record
    page.fill("#as_known_at", "2021-05-20T12:00:00")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    then = _timeline_count(page)
    assert 0 < then < everything
    assert LATE_VISIT not in page.locator("table.timeline").inner_text()
    look(page, served, "child-as-known-at")

    page.goto(f"{served.base}/child/{CHILD}/chronology")
    assert "Chronology" in page.locator("h1").inner_text()
    look(page, served, "chronology")
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF").click()
    pdf = tmp_path / "chronology.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Jordan" in text and "Strategy discussion held" in text

    page.goto(f"{served.base}/team")
    assert page.locator("h1").count() == 1
    look(page, served, "team")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    page.goto(f"{served.base}/child/{CHILD}")
    assert "/sign-in" in page.url  # signed out: the record is behind sign-in again
