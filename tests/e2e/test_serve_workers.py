"""`caseledger serve --workers 2`: two server processes on one port answer reads, every
read is in the access log (one chained row each), and failed sign-ins are throttled as
one count whichever process answers."""

from __future__ import annotations

from pathlib import Path

import httpx

from adapters.auth.access_log import AccessLog
from scripts.serve_process import serving
from tests.access_world import OWN, build
from tests.accounts import PASSWORD


def test_two_worker_processes_log_every_read_and_share_the_throttle(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'workers.db'}"
    build(url)
    with serving(url, workers=2, wait_seconds=60) as server:
        base = server.base
        logged = AccessLog(url).count()
        token = httpx.post(
            f"{base}/auth/token", data={"username": "tm-1", "password": PASSWORD}, timeout=30
        ).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        reads = 12
        for _ in range(reads):  # a new connection each: either process may answer
            answer = httpx.get(f"{base}/children/{OWN}/deadlines", headers=auth, timeout=30)
            assert answer.status_code == 200, answer.text
        log = AccessLog(url)
        assert log.count() == logged + reads
        assert [r.what for r in log.rows(OWN)][-reads:] == ["deadlines"] * reads
        assert log.verify()[1] == []

        wrong = {"username": "sw-1", "password": "not the password at all"}
        codes = [
            httpx.post(f"{base}/auth/token", data=wrong, timeout=30).status_code for _ in range(4)
        ]
        assert codes == [401, 401, 401, 429]
