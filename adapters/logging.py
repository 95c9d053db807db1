"""Structured logs (structlog) to stderr, as JSON lines or for people.

Logs carry ids and counts only, never a child's name, date of birth or case text:
log calls in this codebase pass child ids, event ids, kinds, positions and counts.

structlog (and the rich it imports) is imported when the first line at or above the level
is logged, not when a module takes its logger: a command that logs nothing does not pay for
it (about a tenth of a light command's start-up).
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import structlog

_pending: tuple[str | None, bool | None] | None = None
"""The settings of :func:`configure_logging` called before structlog was imported."""

_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "warn": logging.WARNING,
    "error": logging.ERROR,
    "exception": logging.ERROR,
    "critical": logging.CRITICAL,
    "fatal": logging.CRITICAL,
}


def _current_stderr_logger(*_args: object) -> structlog.PrintLogger:
    """A logger on whatever sys.stderr is when the log line is written.

    PrintLoggerFactory(file=sys.stderr) keeps the stream that was stderr when logging was
    configured; once that stream is closed (a CLI run in-process by a test, a redirected
    stream) every later log line failed with "I/O operation on closed file".
    """
    import structlog

    return structlog.PrintLogger(sys.stderr)


def _level_number(level: str | None) -> int:
    name = (level or os.environ.get("CASELEDGER_LOG_LEVEL") or "WARNING").upper()
    return int(getattr(logging, name, logging.WARNING))


def configure_logging(level: str | None = None, *, json: bool | None = None) -> None:
    """Set the log level (CASELEDGER_LOG_LEVEL, default WARNING) and renderer.

    Before structlog has been imported the settings are kept, and applied when the first
    line is logged (:func:`get_logger`)."""
    global _pending
    if "structlog" not in sys.modules:
        _pending = (level, json)
        return
    _pending = None
    _configure(level, json=json)


def _configure(level: str | None = None, *, json: bool | None = None) -> None:
    import structlog

    numeric = _level_number(level)
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


def _structlog() -> Any:
    """structlog, configured: with the kept settings, else the defaults, if nothing has been."""
    global _pending
    import structlog

    pending, _pending = _pending, None
    if not structlog.is_configured():
        level, as_json = pending or (None, None)
        _configure(level, json=as_json)
    return structlog


def _dropped(*_args: Any, **_kwargs: Any) -> None:
    """A line below the level: the filtering logger structlog would be given drops it too."""


class _Logger:
    """``structlog.get_logger(*args, **initial)``, made when first used for a line that is
    kept. Until structlog is imported the level is known here (:func:`configure_logging`'s
    or the environment's), so a line below it is dropped without importing structlog."""

    def __init__(self, args: tuple[Any, ...], initial: dict[str, Any]) -> None:
        self._args = args
        self._initial = initial
        self._real: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._real is None:
            level = _LEVELS.get(name)
            if level is not None and "structlog" not in sys.modules:
                threshold = _level_number(_pending[0] if _pending else None)
                if level < threshold:
                    return _dropped
            self._real = _structlog().get_logger(*self._args, **self._initial)
        return getattr(self._real, name)


def get_logger(*args: Any, **initial: Any) -> Any:
    """``structlog.get_logger``, with the defaults above configured first if nothing has been.

    Every adapter that logs takes its logger here, so importing ``adapters`` alone (the CLI's
    ``--help``), or running a command that logs nothing, does not import structlog (and the
    rich it pulls in) at all.
    """
    return _Logger(args, initial)
