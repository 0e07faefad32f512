"""``/v1/stats``: how often coders accept the engine's suggestions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from cac.codesets import CodeSetError, canonical_system
from cac.service.audit import Actor
from cac.service.deps import READ_ROLES, get_db, require
from cac.service.errors import Invalid
from cac.service.stats import acceptance

router = APIRouter(tags=["stats"])


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


@router.get("/stats")
def stats(
    start: dt.datetime | None = Query(None, alias="from", description="Period start (ISO 8601); default 30 days ago."),
    end: dt.datetime | None = Query(None, alias="to", description="Period end (exclusive); default now."),
    system: str | None = Query(None, description="Only this code system."),
    top: int = Query(50, ge=1, le=1000, description="How many codes in by_code (most decided first)."),
    _: Actor = Depends(require(*READ_ROLES)),
    session: Session = Depends(get_db),
) -> dict[str, Any]:
    """Suggestion acceptance rate per code system and per code over a period."""
    now = dt.datetime.now(dt.UTC)
    end_ = _utc(end) if end else now + dt.timedelta(seconds=1)
    start_ = _utc(start) if start else end_ - dt.timedelta(days=30)
    if start_ >= end_:
        raise Invalid("'from' must be before 'to'")
    try:
        canon = canonical_system(system) if system else None
    except CodeSetError as exc:
        raise Invalid(str(exc)) from exc
    return acceptance(session, start_, end_, canon, top)
