"""``/v1/me``: who the API key belongs to and what its role may do (the workbench page asks this at log-in)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from cac.service.audit import Actor
from cac.service.deps import ADMIN_ROLES, CODE_ROLES, READ_ROLES, SUBMIT_ROLES, require
from cac.service.schemas import Me

router = APIRouter(tags=["users"])


@router.get("/me")
def me(actor: Actor = Depends(require(*READ_ROLES))) -> Me:
    return Me(
        name=actor.name,
        role=actor.role,
        can_decide=actor.role in CODE_ROLES,
        can_submit=actor.role in SUBMIT_ROLES,
        can_admin=actor.role in ADMIN_ROLES,
    )
