"""The FastAPI application: ``create_app(settings)``; the engine is loaded once, at start-up."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response

from cac import __version__
from cac.codesets import CodeSetStore
from cac.service import errors
from cac.service.config import ServiceSettings
from cac.service.db.session import open_database
from cac.service.limits import MaxBodySize
from cac.service.routes import audit, cdi, codes, decisions, encounters, health, me, stats, users
from cac.service.workbench import workbench_files

log = logging.getLogger("cac.service")

# JSON escaping and base64 make a body longer than the note it carries; the note itself is checked exactly.
_BODY_OVERHEAD = 64 * 1024


def create_app(
    settings: ServiceSettings | None = None, engine: Any = None, store: CodeSetStore | None = None
) -> FastAPI:
    """The app. ``engine`` (anything with ``suggest(text, setting=, note_type=)``) and ``store`` may be injected;
    otherwise ``cac.load()`` runs once in the lifespan."""
    settings = settings or ServiceSettings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database = open_database(settings.database_url, migrate=settings.migrate_on_start)
        loaded = engine
        if loaded is None:
            import cac

            started = time.perf_counter()
            loaded = cac.load()
            log.info("engine loaded in %.1f s", time.perf_counter() - started)
        code_store = store or getattr(loaded, "store", None)
        if code_store is None:
            from cac.codesets import open_store

            code_store = open_store()
        app.state.settings = settings
        app.state.db = database.engine
        app.state.sessions = database.read
        app.state.write_sessions = database.write
        app.state.engine = loaded
        app.state.engine_lock = threading.Lock()
        app.state.engine_version = str(getattr(loaded, "version", __version__))
        app.state.store = code_store
        try:
            yield
        finally:
            database.dispose()

    app = FastAPI(
        title="cac coding service",
        version=__version__,
        description="Code suggestions for clinical notes, coder review, finalised code sets and an audit trail. "
        "The coder workbench page is served at /.",
        lifespan=lifespan,
    )
    errors.install(app)
    app.add_middleware(MaxBodySize, max_bytes=2 * settings.max_note_bytes + _BODY_OVERHEAD)

    @app.middleware("http")
    async def _log_requests(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        # Method, path, status and time only: never bodies, query text or note text.
        started = time.perf_counter()
        response = await call_next(request)
        ms = (time.perf_counter() - started) * 1000
        log.info("%s %s -> %d (%.0f ms)", request.method, request.url.path, response.status_code, ms)
        return response

    app.include_router(health.router)
    for module in (encounters, decisions, codes, stats, audit, users, me, cdi):
        app.include_router(module.router, prefix="/v1")
    # The coder workbench page, last, so that it never shadows an API route.
    app.mount("/", workbench_files(), name="workbench")
    return app


def app_from_env() -> FastAPI:
    """For ``uvicorn --factory cac.service.app:app_from_env``."""
    return create_app(ServiceSettings.from_env())
