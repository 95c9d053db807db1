"""Readable at 200% zoom (WCAG 2.2, 1.4.4 and 1.4.10 reflow): at half the width a 1280-pixel
screen gives at 200%, each screen a worker uses reflows into one column; nothing but a wide
table (which scrolls inside itself) needs scrolling sideways."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Served, screenshot
from tests.browser.test_practitioner_flow import _sign_in

CHILD = "DEMO-JORDAN"
PAGES = (
    ("my-work", "/my-work"),
    ("child", f"/child/{CHILD}"),
    ("record", f"/child/{CHILD}/record/child_visited"),
    ("chronology", f"/child/{CHILD}/chronology"),
    ("family", f"/child/{CHILD}/family"),
)

OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('table, svg, pre')) continue;  // these scroll inside themselves
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 1) wide.push(el.tagName + '.' + el.className);
  }
  return {page: document.documentElement.scrollWidth - width, wide: wide.slice(0, 5)};
}"""


@pytest.fixture
def zoomed(browser, served: Served):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        viewport={"width": 640, "height": 450},  # 1280 x 900 at 200%
        device_scale_factor=2,
        locale="en-GB",
        timezone_id="Europe/London",
    )
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    yield tab
    context.close()


def test_the_workers_screens_reflow_at_200_percent(zoomed, served: Served) -> None:  # type: ignore[no-untyped-def]
    _sign_in(zoomed, served, "sw-014")
    for name, path in PAGES:
        zoomed.goto(served.base + path)
        found = zoomed.evaluate(OVERFLOW)
        screenshot(zoomed, served, f"zoom-200-{name}")
        assert found["page"] <= 1 and not found["wide"], f"{name}: {found}"
