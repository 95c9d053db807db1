"""Shared fixtures: a fresh store on each engine.

Tests marked ``postgres`` (and every test using the ``any_store`` fixture) run on the
local PostgreSQL server in a schema of their own, dropped afterwards. Without a
reachable server they are skipped locally; with ``CI=true`` that is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from adapters.store import EventStore

PG_URL = os.environ.get("CASELEDGER_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _postgres_reachable() -> str | None:
    try:
        engine = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as error:  # noqa: BLE001
        return f"{type(error).__name__}: {error}"


_PG_PROBLEM = _postgres_reachable()


def require_postgres() -> None:
    if _PG_PROBLEM is None:
        return
    message = f"PostgreSQL at {PG_URL} is not reachable ({_PG_PROBLEM})"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " — with CI=true a missing PostgreSQL is a failure")
    pytest.skip(message)


class Clock:
    """A controllable clock for the store: recorded-at times tests can predict."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 6, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now = self.now + timedelta(**kwargs)
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'caseledger.db'}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    url = f"{PG_URL}?schema={schema}"
    yield url
    from adapters.db import release_engine
    from adapters.store_pool import close_pools

    close_pools(url)  # apps a test built hold stores open until their server would stop
    release_engine(url)
    engine = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store URL on each engine in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'caseledger.db'}"
        return
    yield request.getfixturevalue("pg_url")


@pytest.fixture
def make_store(clock: Clock) -> Iterator[Callable[..., EventStore]]:
    """Open stores (closed at teardown) with the test clock."""
    opened: list[EventStore] = []

    def _open(url: str, **kwargs: object) -> EventStore:
        kwargs.setdefault("clock", clock)
        store = EventStore(url, **kwargs)  # type: ignore[arg-type]
        opened.append(store)
        return store

    yield _open
    for store in opened:
        store.close()


@pytest.fixture
def store(store_url: str, make_store: Callable[..., EventStore]) -> EventStore:
    return make_store(store_url)


@pytest.fixture(autouse=True, scope="session")
def _checkpoint_keys_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    """PostgreSQL stores' checkpoint keys go to a folder of the run, not ~/.caseledger."""
    os.environ["CASELEDGER_KEY_DIR"] = str(tmp_path_factory.mktemp("keys"))


@pytest.fixture(autouse=True)
def _close_store_pools() -> Iterator[None]:
    """Close the stores of the apps a test built (a served app closes them at shutdown)."""
    yield
    from adapters.store_pool import close_pools

    close_pools()


@pytest.fixture(autouse=True, scope="session")
def _quiet_logs() -> None:
    from adapters.logging import configure_logging

    configure_logging("WARNING")
