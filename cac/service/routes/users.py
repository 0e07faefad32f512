"""``/v1/users``: API keys and their roles (admins only)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from cac.service import keys
from cac.service.audit import Actor
from cac.service.db.session import transaction
from cac.service.deps import ADMIN_ROLES, get_db, require
from cac.service.schemas import UserCreate, UserCreated, UserOut

router = APIRouter(tags=["users"])


@router.get("/users")
def list_users(
    include_revoked: bool = False,
    _: Actor = Depends(require(*ADMIN_ROLES)),
    session: Session = Depends(get_db),
) -> list[UserOut]:
    return [keys.user_out(k) for k in keys.list_keys(session, include_revoked)]


@router.post("/users", status_code=201)
def add_user(request: Request, body: UserCreate, actor: Actor = Depends(require(*ADMIN_ROLES))) -> UserCreated:
    """Create an API key; the response shows it once."""
    with transaction(request.app.state.write_sessions) as session:
        row, plaintext = keys.add_key(session, actor, body.name, body.role)
        return UserCreated(**keys.user_out(row).model_dump(), api_key=plaintext)


@router.delete("/users/{key_id}")
def revoke_user(request: Request, key_id: str, actor: Actor = Depends(require(*ADMIN_ROLES))) -> UserOut:
    """Revoke a key (by its key id, or its numeric id); it stops working at once."""
    with transaction(request.app.state.write_sessions) as session:
        return keys.user_out(keys.revoke_key(session, actor, key_id))
