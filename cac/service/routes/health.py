"""``/health``: the one route that needs no key."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import text

router = APIRouter(tags=["health"])


@router.get("/health")
@router.get("/v1/health", include_in_schema=False)
def health(request: Request) -> dict[str, Any]:
    """Liveness and readiness: the engine is loaded and the database answers."""
    database = "ok"
    try:
        with request.app.state.db.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - reported, not raised
        database = "unavailable"
    return {
        "status": "ok" if database == "ok" else "degraded",
        "engine_version": request.app.state.engine_version,
        "database": database,
    }
