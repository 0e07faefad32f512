"""``cac serve``: run the coding service (FastAPI on uvicorn); the database is upgraded at start-up."""

from __future__ import annotations

import logging

import typer

from cac.cli._common import fail


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
    database_url: str | None = typer.Option(
        None, "--database-url", help="SQLAlchemy URL (default: CAC_DATABASE_URL, else a SQLite file in CAC_HOME)."
    ),
    log_level: str = typer.Option("info", "--log-level", help="debug, info, warning or error."),
) -> None:
    """Serve the engine over HTTP: the coder workbench page at /, /v1 routes, OpenAPI docs at /docs, /health
    without a key."""
    import uvicorn

    from cac.service import ServiceSettings, create_app

    try:
        settings = ServiceSettings.from_env()
    except ValueError as exc:
        fail(str(exc))
    if database_url:
        settings = ServiceSettings(database_url=database_url, max_note_bytes=settings.max_note_bytes)
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # The app logs method, path, status and time of each request. uvicorn's own access log is off: it would
    # write query strings, and the workbench's code search sends words selected in the note as ?q=.
    uvicorn.run(create_app(settings), host=host, port=port, log_level=log_level.lower(), access_log=False)


if __name__ == "__main__":
    typer.run(serve)
