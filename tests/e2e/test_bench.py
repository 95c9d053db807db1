"""The bench runs end to end at its tiny size and writes its JSON, table and PNG.

No timing is asserted here (figures depend on the machine); the test proves the bench
measures every figure on both engines and writes what the README's Performance section
is built from.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PG_URL, require_postgres

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow  # about a minute: two engines, four rebuilds each in a fresh process
def test_tiny_bench_writes_json_table_and_png_for_both_engines(tmp_path: Path) -> None:
    require_postgres()
    out = tmp_path / "bench"
    env = {**os.environ, "CASELEDGER_BENCH_PG": PG_URL}
    done = subprocess.run(
        [sys.executable, "-m", "scripts.bench", "--size", "tiny", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((out / "bench-tiny.json").read_text())
    assert result["size"] == "tiny"
    assert result["machine"]["cores"] == os.cpu_count()
    assert [e["engine"] for e in result["engines"]] == ["sqlite", "postgresql"]
    for engine in result["engines"]:
        bulk = engine["bulk_import"]
        assert bulk["children"] == 20
        assert bulk["events"] > 20 * 10
        assert bulk["events_per_second"] > 0 and bulk["raw_insert_per_second"] > 0
        assert engine["single_append"]["events"] == 50
        assert engine["single_append"]["raw_insert_per_second"] > 0
        rebuild = engine["rebuild"]
        assert rebuild["models"] == ["chronology", "deadline_index"]
        # the whole log: the synthetic children, the long child and the appends
        assert rebuild["events"] == bulk["events"] + 200 + 50
        assert rebuild["rss_peak_mib"] >= rebuild["rss_start_mib"] > 0
        assert [g["log_events"] for g in engine["growth"]] == [
            rebuild["events"] // 8,
            rebuild["events"] // 4,
            rebuild["events"] // 2,
            rebuild["events"],
        ]
        chronology = engine["chronology"]
        assert chronology["child_events"] == 200
        assert chronology["entries"] > 0
        assert chronology["p95_ms"] >= chronology["p50_ms"] > 0
        tick = engine["tick"]
        assert tick["first"]["children_checked"] >= 21  # every child is dirty at first
        assert tick["next_day"]["children_checked"] < tick["first"]["children_checked"]
    table = (out / "bench-tiny.md").read_text()
    assert table.startswith("| measure | engine | caseledger | raw DB limit |")
    assert table.count("| sqlite |") >= 6 and table.count("| postgresql |") >= 6
    png = (out / "bench-tiny.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    assert not list(out.glob("*.db"))  # the bench store is removed afterwards
