"""``/v1/encounters/{id}/decisions``: accept, reject, edit or add codes; ``/v1/reject-reasons``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from cac.service import workflow
from cac.service.audit import Actor
from cac.service.db.session import transaction
from cac.service.deps import CODE_ROLES, READ_ROLES, get_db, get_store, require
from cac.service.reasons import reject_reasons
from cac.service.schemas import DecisionCreate

router = APIRouter(tags=["decisions"])


@router.post("/encounters/{encounter_id}/decisions", status_code=201)
def decide(
    request: Request,
    encounter_id: int,
    body: DecisionCreate,
    actor: Actor = Depends(require(*CODE_ROLES)),
) -> dict[str, Any]:
    """Record one coder decision. Codes of edits and additions are checked against the code set (422 if
    unknown or not billable); a finalized encounter answers 409."""
    with transaction(request.app.state.write_sessions) as session:
        encounter = workflow.get_encounter(session, encounter_id, for_update=True)
        decision, suggestion = workflow.apply_decision(session, get_store(request), actor, encounter, body)
        latest = workflow.latest_decisions(encounter)
        return {
            "decision": workflow.decision_dict(decision),
            "suggestion": workflow.suggestion_dict(suggestion, latest.get(suggestion.id)),
        }


@router.get("/encounters/{encounter_id}/decisions")
def list_decisions(
    encounter_id: int,
    _: Actor = Depends(require(*READ_ROLES)),
    session: Session = Depends(get_db),
) -> dict[str, Any]:
    encounter = workflow.get_encounter(session, encounter_id)
    return {"encounter_id": encounter_id, "decisions": [workflow.decision_dict(d) for d in encounter.decisions]}


@router.get("/reject-reasons")
def reasons(_: Actor = Depends(require(*READ_ROLES))) -> dict[str, str]:
    """The fixed list of reasons a rejection must name."""
    return reject_reasons()
