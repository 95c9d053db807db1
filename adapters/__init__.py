"""Adapters: everything that touches the outside world.

Logging is configured by the first ``adapters.logging.get_logger`` (every adapter that logs
takes its logger there), or by the CLI's root command, not on importing this package.
"""
