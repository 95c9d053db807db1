"""A real browser against a real ``caseledger serve``: Debian's Chromium driven by Playwright.

The server is a subprocess on a free loopback port over the demo store (SQLite, and PostgreSQL
in a schema of its own); the browser is ``/usr/bin/chromium`` from Debian's package (``make
system-deps`` installs it) — Playwright never downloads a browser here. Without Chromium the
tests skip, except with ``CI=true``, where a missing browser fails the run. Screenshots of each
page visited go to ``tests/artifacts/`` (``$CASELEDGER_ARTIFACTS``) to be looked at.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from scripts.serve_process import serving

CLI = [
    sys.executable,
    "-c",
    "import sys; from adapters.cli.main import app; sys.argv[0] = 'caseledger'; app()",
]
CHROMIUM = os.environ.get("CASELEDGER_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("CASELEDGER_ARTIFACTS", ROOT / "tests" / "artifacts"))
PG = os.environ.get("CASELEDGER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


@dataclass(frozen=True)
class Served:
    base: str
    password: str
    engine: str


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [*CLI, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )


@pytest.fixture(scope="module")  # Playwright's sync API holds an asyncio loop while open:
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: `make system-deps` installs Debian's chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    schema = f"browser_{uuid.uuid4().hex[:8]}"
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('browser')}/demo.db"
    else:
        from tests.conftest import require_postgres

        require_postgres()
        url = f"{PG}?schema={schema}"
    made = _cli("demo", "--db", url)
    assert made.returncode == 0, made.stderr[-2000:]
    found = re.search(r"with\s+the\s+password\s+(\S+)", made.stdout)
    assert found, "the demo names its accounts' password"
    try:
        with serving(url, log_level="WARNING") as server:
            yield Served(server.base, found.group(1), request.param)
    except RuntimeError as error:  # did not come up: a failure of the test, not an error
        pytest.fail(str(error))
    finally:
        if request.param == "postgres":
            from sqlalchemy import create_engine, text

            sql = create_engine(PG.replace("postgresql://", "postgresql+psycopg://", 1))
            with sql.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            sql.dispose()


@pytest.fixture
def page(browser: object, served: Served, request: pytest.FixtureRequest) -> Iterator[object]:
    context = browser.new_context(  # as an English council laptop is set up
        accept_downloads=True,
        viewport={"width": 1280, "height": 900},
        locale="en-GB",
        timezone_id="Europe/London",
    )  # type: ignore[attr-defined]
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    yield tab
    context.close()


def screenshot(page: object, served: Served, name: str) -> Path:
    """Save the whole page as ``tests/artifacts/<engine>-<name>.png`` and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{served.engine}-{name}.png"
    page.screenshot(path=str(path), full_page=False)  # type: ignore[attr-defined]
    return path


def serious_accessibility_problems(page: object) -> list[str]:
    """axe-core's violations of impact serious or critical on the page as it stands.

    axe-core comes in the PyPI package axe-playwright-python (it ships axe.min.js), so nothing
    is fetched at run time.
    """
    from axe_playwright_python.sync_playwright import Axe

    response = Axe().run(page).response
    assert response["passes"], "axe-core checked nothing: is the page empty?"
    found = response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} element(s), e.g. "
        f"{v['nodes'][0]['target']}"
        for v in found
        if v.get("impact") in ("serious", "critical")
    ]


def look(page: object, served: Served, name: str) -> None:
    """Screenshot the page and check it with axe-core: no serious or critical violation."""
    screenshot(page, served, name)
    problems = serious_accessibility_problems(page)
    assert problems == [], f"{name}: {problems}"
