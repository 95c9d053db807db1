"""The bench runs end to end at its small size (500 children) and writes its JSON, table and PNG.

This is the issue's "runs at small size inside CI time": CI runs it on every submission
(a few minutes). No timing is asserted (figures depend on the machine); the test proves the
bench measures every figure on both engines and writes what the README's Performance
section is built from. The figures of the run are printed (``pytest -s``) and kept in the
JSON under ``$CASELEDGER_BENCH_OUT`` when that is set.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.bench.run import SIZES
from tests.conftest import PG_URL, require_postgres

ROOT = Path(__file__).resolve().parents[2]


SIZE = "small"


@pytest.mark.slow  # a few minutes: 500 children on two engines, four rebuilds each
def test_small_bench_writes_json_table_and_png_for_both_engines(tmp_path: Path) -> None:
    require_postgres()
    params = SIZES[SIZE]
    out = Path(os.environ.get("CASELEDGER_BENCH_OUT") or tmp_path / "bench")
    env = {**os.environ, "CASELEDGER_BENCH_PG": PG_URL}
    done = subprocess.run(
        [sys.executable, "-m", "scripts.bench", "--size", SIZE, "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=40 * 60,
    )
    print(done.stdout)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((out / f"bench-{SIZE}.json").read_text())
    assert result["size"] == SIZE
    assert result["machine"]["cores"] == os.cpu_count()
    assert [e["engine"] for e in result["engines"]] == ["sqlite", "postgresql"]
    startup = result["startup"]
    assert set(startup["seconds"]) == {"--help", "children", "verify"}
    assert min(startup["seconds"].values()) > startup["raw_python_s"] > 0
    for engine in result["engines"]:
        bulk = engine["bulk_import"]
        assert bulk["children"] == params["children"]
        assert bulk["events"] > params["children"] * 10
        assert bulk["events_per_second"] > 0 and bulk["raw_insert_per_second"] > 0
        assert engine["single_append"]["events"] == params["appends"]
        assert engine["single_append"]["raw_insert_per_second"] > 0
        rebuild = engine["rebuild"]
        assert rebuild["models"] == ["chronology", "deadline_index"]
        # the whole log: the synthetic children, the long child and the appends
        assert rebuild["events"] == bulk["events"] + params["long_events"] + params["appends"]
        assert rebuild["rss_peak_mib"] >= rebuild["rss_start_mib"] > 0
        assert [g["log_events"] for g in engine["growth"]] == [
            rebuild["events"] // 8,
            rebuild["events"] // 4,
            rebuild["events"] // 2,
            rebuild["events"],
        ]
        chronology = engine["chronology"]
        assert chronology["child_events"] == params["long_events"]
        assert chronology["entries"] > 0
        assert chronology["p95_ms"] >= chronology["p50_ms"] > 0
        tick = engine["tick"]
        # every child is dirty at first (the synthetic ones and the long child)
        assert tick["first"]["children_checked"] >= params["children"] + 1
        assert tick["next_day"]["children_checked"] < tick["first"]["children_checked"]
    table = (out / f"bench-{SIZE}.md").read_text()
    assert table.startswith("| measure | engine | caseledger | raw DB limit |")
    assert table.count("| sqlite |") >= 6 and table.count("| postgresql |") >= 6
    png = (out / f"bench-{SIZE}.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    assert not list(out.glob("*.db"))  # the bench store is removed afterwards
