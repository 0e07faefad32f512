"""Managing API keys (shared by the ``/v1/users`` routes and the ``cac users`` command)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cac.service.audit import Actor, record
from cac.service.db.models import ApiKey, utcnow
from cac.service.errors import Conflict, Invalid, NotFound
from cac.service.schemas import UserOut
from cac.service.security import ROLES, generate_key


def user_out(row: ApiKey) -> UserOut:
    return UserOut(
        id=row.id, key_id=row.key_id, name=row.name, role=row.role, created_at=row.created_at, revoked_at=row.revoked_at
    )


def add_key(session: Session, actor: Actor, name: str, role: str) -> tuple[ApiKey, str]:
    """A new key for ``name`` with ``role``; returns the row and the plaintext key (shown once)."""
    if role not in ROLES:
        raise Invalid(f"unknown role {role!r}; expected one of: {', '.join(ROLES)}")
    new = generate_key()
    row = ApiKey(key_id=new.key_id, name=name.strip(), role=role, salt=new.salt, key_hash=new.key_hash)
    session.add(row)
    session.flush()
    record(session, actor, "user.add", "api_key", row.key_id, after={"name": row.name, "role": role})
    return row, new.plaintext


def list_keys(session: Session, include_revoked: bool = False) -> Sequence[ApiKey]:
    stmt = select(ApiKey).order_by(ApiKey.id)
    if not include_revoked:
        stmt = stmt.where(ApiKey.revoked_at.is_(None))
    return session.scalars(stmt).all()


def revoke_key(session: Session, actor: Actor, ident: str) -> ApiKey:
    """Revoke the key with this key id, numeric id or (when unique among active keys) name."""
    cond = [ApiKey.key_id == ident, ApiKey.name == ident]
    if ident.isdigit():
        cond.append(ApiKey.id == int(ident))
    rows = session.scalars(select(ApiKey).where(or_(*cond))).all()
    active = [r for r in rows if r.revoked_at is None]
    exact = [r for r in rows if r.key_id == ident or str(r.id) == ident]
    if exact:
        row = exact[0]
    elif len(active) == 1:
        row = active[0]
    elif len(active) > 1:
        raise Conflict(f"{len(active)} active keys are named {ident!r}; revoke by key id")
    else:
        raise NotFound(f"no API key {ident!r}")
    if row.revoked_at is not None:
        raise Conflict(f"key {row.key_id} is already revoked")
    row.revoked_at = utcnow()
    record(
        session,
        actor,
        "user.revoke",
        "api_key",
        row.key_id,
        before={"name": row.name, "role": row.role},
        after={"revoked": True},
    )
    return row
