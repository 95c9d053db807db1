"""A read never changes what the tick checks or writes (issue 14, section 1).

Each test writes the demo family to a fresh store, runs one read (a CLI command or an HTTP
GET), then ticks, then ticks a year later. The standards events the two ticks write must be
exactly those two ticks write on a demo store nobody read first: the same kinds, the same
idempotency keys, the same number. (Event ids differ between two demo stores, so keys are
compared with each event id replaced by its child and stream position, which do not.)

Before the fix, ``overdue`` saved every child in the due-date index as evaluated without
writing its breaches, and the ticks after it checked 0 children and wrote nothing.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from adapters.cli.main import app
from adapters.store import EventStore
from adapters.synthetic.demo_family import write_demo
from domain.events.base import Category
from tests.accounts import operator_client
from tests.conftest import PG_URL, require_postgres

runner = CliRunner()
FIRST_TICK = "2026-12-01T09:00:00+00:00"
YEAR_ON = "2027-12-01T09:00:00+00:00"

Written = Counter[tuple[str, str]]


def _cli(*args: str) -> None:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, (args, result.stdout, result.stderr)


def _ticks(url: str) -> tuple[Written, Written]:
    """Tick now-ish, then a year on; the standards events each wrote, keys normalised."""
    before = _standards(url)
    _cli("tick", "--at", FIRST_TICK, "--db", url)
    first = _standards(url) - before
    _cli("tick", "--at", YEAR_ON, "--db", url)
    second = _standards(url) - before - first
    return first, second


def _standards(url: str) -> Written:
    with EventStore(url) as store:
        events = list(store.iter_all())
    names = {e.event_id: f"{e.child_id}#{e.position}" for e in events}
    found: Written = Counter()
    for item in events:
        if item.event.category is not Category.STANDARDS:
            continue
        key = str(item.event.idempotency_key)
        for event_id, name in names.items():
            if event_id in key:
                key = key.replace(event_id, name)
        found[(item.kind, key)] += 1
    return found


_BASELINES: dict[str, tuple[Written, Written]] = {}


def _baseline(store_url: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Written, Written]:
    """The two ticks on an unread demo store of the same engine (once per engine)."""
    engine = "sqlite" if store_url.startswith("sqlite") else "postgres"
    if engine not in _BASELINES:
        with _other_store(engine, tmp_path_factory) as url:
            write_demo(url)
            _BASELINES[engine] = _ticks(url)
    return _BASELINES[engine]


class _other_store:
    def __init__(self, engine: str, tmp_path_factory: pytest.TempPathFactory) -> None:
        self.engine = engine
        self.schema = f"t_{uuid.uuid4().hex[:12]}"
        self.path: Path = tmp_path_factory.mktemp("unread") / "unread.db"

    def __enter__(self) -> str:
        if self.engine == "sqlite":
            return f"sqlite:///{self.path}"
        require_postgres()
        return f"{PG_URL}?schema={self.schema}"

    def __exit__(self, *exc: object) -> None:
        if self.engine == "sqlite":
            return
        from adapters.db import release_engine

        release_engine(f"{PG_URL}?schema={self.schema}")
        sql = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
        with sql.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
        sql.dispose()


@pytest.fixture
def demo_url(store_url: str) -> Iterator[str]:
    write_demo(store_url)
    yield store_url


@pytest.fixture
def unread(store_url: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Written, Written]:
    return _baseline(store_url, tmp_path_factory)


def _assert_same_as_unread(url: str, unread: tuple[Written, Written]) -> None:
    first, second = _ticks(url)
    kinds = Counter(kind for kind, _ in unread[0].elements())
    # the demo's first tick has breaches and met-late events to write: the check is not empty
    assert kinds["deadline_breached"] > 0 and kinds["deadline_met_late"] > 0
    assert first == unread[0]
    assert second == unread[1]


CHILDREN = ("DEMO-JORDAN", "DEMO-MIA", "DEMO-TWIN-A", "DEMO-TWIN-B", "DEMO-UNBORN")

CLI_READS: dict[str, Callable[[str, Path], list[list[str]]]] = {
    "overdue": lambda url, _: [["overdue", "--db", url], ["overdue", "--json", "--db", url]],
    "overdue --include-closed --team": lambda url, _: [
        ["overdue", "--include-closed", "--team", "Assessment Team North", "--db", url],
        ["overdue", "--worker", "nobody", "--at", "2021-06-01", "--db", url],
    ],
    "deadlines": lambda url, _: (
        [["deadlines", c, "--db", url] for c in CHILDREN]
        + [["deadlines", c, "--json", "--at", "2021-06-01", "--db", url] for c in CHILDREN]
    ),
    "deadlines --as-known-at": lambda url, _: [
        ["deadlines", c, "--as-known-at", "2021-06-01", "--db", url] for c in CHILDREN
    ],
    "status": lambda url, _: [["status", c, "--db", url] for c in CHILDREN],
    "chronology": lambda url, out: [
        ["chronology", "DEMO-JORDAN", "--format", "json", "--out", str(out / "c.json"), "--db", url]
    ],
    "replay": lambda url, _: [
        ["replay", "DEMO-JORDAN", "--from", "2021-05-01", "--to", "2021-07-01", "--db", url]
    ],
    "history": lambda url, _: [
        ["history", "DEMO-JORDAN", "--as-known-at", "2021-05-20", "--db", url],
        ["children", "--db", url],
    ],
    "genogram": lambda url, out: [
        [
            "genogram",
            "DEMO-JORDAN",
            "--family",
            "--format",
            "json",
            "--out",
            str(out / "g.json"),
            "--db",
            url,
        ]
    ],
    "review-report": lambda url, out: [
        [
            "review-report",
            "DEMO-JORDAN",
            "--from",
            "2021-03-01",
            "--to",
            "2021-07-31",
            "--out",
            str(out / "r.html"),
            "--db",
            url,
        ]
    ],
    "feed and verify": lambda url, _: [["feed", "--db", url], ["verify", "--db", url]],
    "retention due": lambda url, _: [
        ["retention", "due", "--db", url],
        ["retention", "due", "--all", "--json", "--at", "2124-01-01", "--db", url],
        ["retention", "verify-log", "--db", url],
    ],
}


@pytest.mark.parametrize("read", sorted(CLI_READS))
def test_a_cli_read_then_tick_writes_what_tick_alone_writes(
    read: str, demo_url: str, unread: tuple[Written, Written], tmp_path: Path
) -> None:
    for args in CLI_READS[read](demo_url, tmp_path):
        _cli(*args)
    _assert_same_as_unread(demo_url, unread)


HTTP_GETS = {
    "children and health": ["/children", "/health"],
    "history": [f"/children/{c}/history" for c in CHILDREN],
    "chronology": ["/children/DEMO-JORDAN/chronology"],
    "deadlines": [f"/children/{c}/deadlines" for c in CHILDREN]
    + [f"/children/{c}/deadlines?as_known_at=2021-06-01" for c in CHILDREN],
    "status": [f"/children/{c}/status" for c in CHILDREN],
    "feed": ["/feed?after=0&limit=5000"],
}


@pytest.mark.parametrize("read", sorted(HTTP_GETS))
def test_an_http_get_then_tick_writes_what_tick_alone_writes(
    read: str, demo_url: str, unread: tuple[Written, Written]
) -> None:
    client = operator_client(demo_url)
    for path in HTTP_GETS[read]:
        response = client.get(path)
        assert response.status_code == 200, (path, response.text)
    _assert_same_as_unread(demo_url, unread)


# -- a read leaves every table as it was (issue 15: reads never write) ----------------------


@pytest.fixture
def half_projected(demo_url: str) -> str:
    """The demo with the chronology projected to part-way: a tail for reads to fold."""
    from adapters.auth.tables import install
    from adapters.readmodels.chronology import ChronologyStore

    with EventStore(demo_url) as store:
        ChronologyStore(store).runner.create_tables()
        ChronologyStore(store).runner.catch_up(stop=store.max_position() // 2)
    install(demo_url)  # the access tables, as `migrate` makes them
    return demo_url


ACCESS_LOG = ("caseledger_access_log", "caseledger_access_log_head")
"""The one thing a read does write (issue 16): who looked. Compared apart from the rest."""


CASELOAD_READS = {
    "overdue",
    "overdue --include-closed --team",
    "children and health",
    "retention due",
}
"""Lists across children, not a read of one child's record: nothing is logged for them."""


def _unchanged_but_logged(url: str, before: dict[str, tuple[int, str]], read: str) -> None:
    from tests.resilience.snapshot import snapshot

    after = snapshot(url)
    assert {k: v for k, v in after.items() if k not in ACCESS_LOG} == {
        k: v for k, v in before.items() if k not in ACCESS_LOG
    }
    grew = after["caseledger_access_log"][0] > before["caseledger_access_log"][0]
    assert grew == (read not in CASELOAD_READS), "access log rows for this read"


@pytest.mark.parametrize("read", sorted(CLI_READS))
def test_a_cli_read_leaves_every_table_unchanged(
    read: str, half_projected: str, tmp_path: Path
) -> None:
    from tests.resilience.snapshot import snapshot

    before = snapshot(half_projected)
    for args in CLI_READS[read](half_projected, tmp_path):
        _cli(*args)
    _unchanged_but_logged(half_projected, before, read)


@pytest.mark.parametrize("read", sorted(HTTP_GETS))
def test_an_http_get_leaves_every_table_unchanged(read: str, half_projected: str) -> None:
    from tests.resilience.snapshot import snapshot

    before = snapshot(half_projected)
    client = operator_client(half_projected)
    for path in HTTP_GETS[read]:
        assert client.get(path).status_code == 200, path
    _unchanged_but_logged(half_projected, before, read)


def test_a_chronology_read_serves_the_unprojected_tail(half_projected: str) -> None:
    """What the read model has not projected yet is in the answer all the same."""
    client = operator_client(half_projected)
    served = client.get("/children/DEMO-JORDAN/chronology", params={"significant_only": False})
    from adapters.readmodels.chronology import ChronologyStore
    from projections.chronology import ChronologyQuery

    with EventStore(half_projected) as store:
        chronologies = ChronologyStore(store)
        chronologies.catch_up()  # a writer's catch-up, then the same read
        full = chronologies.chronology(
            ChronologyQuery(children=("DEMO-JORDAN",), significant_only=False)
        )
    entries = served.json()["chronology"]["entries"]
    assert len(entries) == len(full.entries) > 40
