"""Writing to the append-only audit trail, in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from cac.service.db.models import AuditEvent


@dataclass(frozen=True)
class Actor:
    """Who acts: the API key's name and role (``cli`` for the command line)."""

    name: str
    role: str
    key_pk: int | None = None


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: Any,
    *,
    encounter_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        actor=actor.name,
        role=actor.role,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        encounter_id=encounter_id,
        before=before,
        after=after,
    )
    session.add(event)
    return event


def event_dict(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": event.at.isoformat() if event.at else None,
        "actor": event.actor,
        "role": event.role,
        "action": event.action,
        "entity": event.entity,
        "entity_id": event.entity_id,
        "encounter_id": event.encounter_id,
        "before": event.before,
        "after": event.after,
    }
