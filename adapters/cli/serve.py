"""`caseledger serve`: the HTTP layer on one store."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer

from adapters.cli.app import app
from adapters.cli.common import DbOption

if TYPE_CHECKING:
    from fastapi import FastAPI

WORKERS_ENV = "CASELEDGER_SERVE_WORKERS"


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            envvar=WORKERS_ENV,
            help="Server processes sharing the port (the sign-in throttle and the access "
            "log are shared through the database; each process keeps its own caches).",
        ),
    ] = 1,
) -> None:
    """Serve the practitioners' web app (at /) and the JSON API (docs at /docs) over HTTP.

    Every request needs a bearer token (see README, "Accounts and sign-in"); sign-ins,
    refusals and reads are logged at INFO (ids only).
    """
    import uvicorn

    typer.echo(f"caseledger: web app at http://{host}:{port}/ (API docs at /docs); Ctrl-C stops")
    if workers == 1:
        uvicorn.run(served_app(db), host=host, port=port, log_level="warning")
        return
    from adapters.db import resolve_url

    os.environ["CASELEDGER_DB"] = resolve_url(db)  # each worker process opens the same store
    uvicorn.run(
        "adapters.cli.serve:served_app",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="warning",
    )


def served_app(db: str | None = None) -> FastAPI:
    """The app ``serve`` runs, logging at INFO (a worker process's factory: $CASELEDGER_DB)."""
    from adapters.http import create_app
    from adapters.logging import configure_logging

    configure_logging("INFO")
    return create_app(db)
