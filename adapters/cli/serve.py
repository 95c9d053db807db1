"""`caseledger serve`: the HTTP layer on one store."""

from __future__ import annotations

from typing import Annotated

import typer

from adapters.cli.app import app
from adapters.cli.common import DbOption


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the practitioners' web app (at /) and the JSON API (docs at /docs) over HTTP.

    Every request needs a bearer token (see README, "Accounts and sign-in"); sign-ins,
    refusals and reads are logged at INFO (ids only).
    """
    import uvicorn

    from adapters.logging import configure_logging

    configure_logging("INFO")
    from adapters.http import create_app

    served = create_app(db)
    typer.echo(f"caseledger: web app at http://{host}:{port}/ (API docs at /docs); Ctrl-C stops")
    uvicorn.run(served, host=host, port=port, log_level="warning")
