"""``/v1/audit``: the audit trail across encounters (who did what, when), filtered and paged."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from cac.service.audit import Actor, event_dict
from cac.service.db.models import AuditEvent
from cac.service.db.session import page
from cac.service.deps import READ_ROLES, get_db, require
from cac.service.schemas import Page

router = APIRouter(tags=["audit"])


@router.get("/audit")
def audit_trail(
    actor: str | None = Query(None, description="Only this actor (the API key's name)."),
    action: str | None = Query(None, description="Only this action, e.g. decision.reject or encounter.reopen."),
    start: dt.datetime | None = Query(None, alias="from", description="From this time (ISO 8601)."),
    end: dt.datetime | None = Query(None, alias="to", description="Before this time."),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
    _: Actor = Depends(require(*READ_ROLES)),
    session: Session = Depends(get_db),
) -> Page:
    """Audit events, oldest first."""
    stmt = select(AuditEvent)
    if actor:
        stmt = stmt.where(AuditEvent.actor == actor)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if start:
        stmt = stmt.where(AuditEvent.at >= (start if start.tzinfo else start.replace(tzinfo=dt.UTC)))
    if end:
        stmt = stmt.where(AuditEvent.at < (end if end.tzinfo else end.replace(tzinfo=dt.UTC)))
    total, rows = page(session, stmt, AuditEvent.id, limit, offset)
    return Page(items=[event_dict(e) for e in rows], total=total, limit=limit, offset=offset)
