"""Entry point: import every command module in this package so each registers its commands."""

from __future__ import annotations

import importlib
import pkgutil

import adapters.cli as _package
from adapters.cli.app import app
from adapters.logging import configure_logging

_SKIP = {"app", "main", "common", "exit_codes"}

for _module in sorted(pkgutil.iter_modules(_package.__path__), key=lambda m: m.name):
    if _module.name not in _SKIP:
        importlib.import_module(f"adapters.cli.{_module.name}")


@app.callback()
def _root(
    log_level: str = "WARNING",
) -> None:
    """Event-sourced case timelines for children's social care (synthetic data only)."""
    configure_logging(log_level)


__all__ = ["app"]
