"""Logs go to the stderr of the moment, as JSON lines with ids and counts."""

from __future__ import annotations

import io
import json
import sys

import pytest
import structlog

from adapters.logging import configure_logging


def test_a_log_line_goes_to_the_current_stderr_even_after_the_old_one_closed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    configure_logging("INFO", json=True)
    log = structlog.get_logger("caseledger.test")
    log.info("import_refused", index=7, done=2000)
    first.close()  # as when an in-process CLI run's captured stream is closed
    second = io.StringIO()
    monkeypatch.setattr(sys, "stderr", second)
    log.warning("events_recorded", count=3)
    line = json.loads(second.getvalue())
    assert line["event"] == "events_recorded" and line["count"] == 3
    assert line["level"] == "warning"
    configure_logging("WARNING")
