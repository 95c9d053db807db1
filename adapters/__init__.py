"""Adapters: everything that touches the outside world."""

import structlog

from adapters.logging import configure_logging

if not structlog.is_configured():
    configure_logging()
