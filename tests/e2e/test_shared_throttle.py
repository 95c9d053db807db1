"""The sign-in throttle holds across server processes (adapters/auth/shared_throttle.py):
failures made through one process's app slow the next sign-in through another's, failures
made at once by several processes are all counted, and a success clears the account's
count for every process. Both engines."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap

from fastapi.testclient import TestClient
from sqlalchemy import select

from adapters.auth.shared_throttle import SharedThrottle, sign_in_failures
from adapters.db import sql_engine
from adapters.http import create_app
from tests.access_world import build
from tests.accounts import PASSWORD

WRONG = {"username": "tm-1", "password": "not the password at all"}
GOOD = {"username": "tm-1", "password": PASSWORD}

_FAIL_IN_ANOTHER_PROCESS = textwrap.dedent(
    """
    import sys
    from fastapi.testclient import TestClient
    from adapters.http import create_app
    from adapters.store_pool import close_pools
    url, name, times = sys.argv[1], sys.argv[2], int(sys.argv[3])
    client = TestClient(create_app(url))
    form = {"username": name, "password": "not the password at all"}
    codes = [client.post("/auth/token", data=form).status_code for _ in range(times)]
    close_pools(url)
    print(",".join(map(str, codes)))
    """
)


def _fail_elsewhere(url: str, name: str, times: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.getcwd(), "CASELEDGER_LOG_LEVEL": "ERROR"}
    return subprocess.Popen(
        [sys.executable, "-c", _FAIL_IN_ANOTHER_PROCESS, url, name, str(times)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _codes(process: subprocess.Popen[str]) -> list[int]:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return [int(c) for c in out.strip().split(",")]


def test_failures_in_another_process_slow_this_one(store_url: str) -> None:
    build(store_url)
    assert _codes(_fail_elsewhere(store_url, "tm-1", 3)) == [401, 401, 401]
    here = TestClient(create_app(store_url))
    slowed = here.post("/auth/token", data=GOOD)
    assert slowed.status_code == 429 and int(slowed.headers["retry-after"]) >= 1
    # the address is slowed too: another account from the same client waits as well
    assert here.post("/auth/token", data={**GOOD, "username": "sw-1"}).status_code == 429


def test_failures_at_once_in_several_processes_are_all_counted(store_url: str) -> None:
    build(store_url)
    throttle = SharedThrottle(store_url)
    throttle.wait(["warm"])  # the table exists before the race
    running = [_fail_elsewhere(store_url, "nobody-at-all", 2) for _ in range(3)]
    codes = [c for process in running for c in _codes(process)]
    assert sorted(set(codes)) <= [401, 429] and codes.count(401) >= 3
    # every failure that was checked was counted, under the account and the address
    assert _stored(store_url, "account:nobody-at-all") == codes.count(401)
    assert _stored(store_url, "address:testclient") == codes.count(401)


def _stored(url: str, key: str) -> int:
    with sql_engine(url).connect() as conn:
        return int(
            conn.execute(
                select(sign_in_failures.c.failures).where(
                    sign_in_failures.c.key_hash == hashlib.sha256(key.encode()).hexdigest()
                )
            ).scalar_one()
        )


def test_a_success_clears_the_account_for_every_process(store_url: str) -> None:
    build(store_url)
    now = [1000.0]
    one = SharedThrottle(store_url, clock=lambda: now[0])
    other = SharedThrottle(store_url, clock=lambda: now[0])
    keys = ["account:tm-1", "address:10.0.0.1"]
    for _ in range(3):
        one.failed(keys)
    assert other.wait(keys) == 2.0  # three in a row: the next waits 2 s
    now[0] += 2
    assert other.wait(keys) == 0
    one.failed(keys)
    assert other.wait(keys) == 4.0
    other.succeeded("account:tm-1")
    assert one.wait(["account:tm-1"]) == 0
    assert one.wait(["address:10.0.0.1"]) == 4.0  # the address still counts its failures
