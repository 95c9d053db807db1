"""Structured logs (structlog) to stderr, as JSON lines or for people.

Logs carry ids and counts only, never a child's name, date of birth or case text:
log calls in this codebase pass child ids, event ids, kinds, positions and counts.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import structlog


def _current_stderr_logger(*_args: object) -> structlog.PrintLogger:
    """A logger on whatever sys.stderr is when the log line is written.

    PrintLoggerFactory(file=sys.stderr) keeps the stream that was stderr when logging was
    configured; once that stream is closed (a CLI run in-process by a test, a redirected
    stream) every later log line failed with "I/O operation on closed file".
    """
    return structlog.PrintLogger(sys.stderr)


def configure_logging(level: str | None = None, *, json: bool | None = None) -> None:
    """Set the log level (CASELEDGER_LOG_LEVEL, default WARNING) and renderer."""
    name = (level or os.environ.get("CASELEDGER_LOG_LEVEL") or "WARNING").upper()
    numeric = getattr(logging, name, logging.WARNING)
    as_json = json if json is not None else os.environ.get("CASELEDGER_LOG_JSON", "1") == "1"
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if as_json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=_current_stderr_logger,
        cache_logger_on_first_use=False,
    )


def get_logger(*args: Any, **initial: Any) -> Any:
    """``structlog.get_logger``, with the defaults above configured first if nothing has been.

    Every adapter that logs takes its logger here, so importing ``adapters`` alone (the CLI's
    ``--help``) does not import structlog (and the rich it pulls in) at all.
    """
    if not structlog.is_configured():
        configure_logging()
    return structlog.get_logger(*args, **initial)
