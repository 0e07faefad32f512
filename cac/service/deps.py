"""Request dependencies: the database session, the caller (API key -> name and role), role checks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from cac.codesets import CodeSetStore
from cac.service.audit import Actor
from cac.service.db.models import ApiKey
from cac.service.security import split_key, verify_secret

_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key from `cac users add`.")
_bearer = HTTPBearer(auto_error=False, description="The same API key as a bearer token.")

READ_ROLES = ("coder", "cdi", "auditor", "admin")
SUBMIT_ROLES = ("coder", "cdi")
CODE_ROLES = ("coder",)
ADMIN_ROLES = ("admin",)


def get_db(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


def get_store(request: Request) -> CodeSetStore:
    store: CodeSetStore = request.app.state.store
    return store


def get_engine(request: Request) -> Any:
    return request.app.state.engine


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(401, message, headers={"WWW-Authenticate": "Bearer"})


def current_actor(
    request: Request,
    header_key: str | None = Depends(_api_key_header),
    bearer: HTTPAuthorizationCredentials | None = Depends(_bearer),
) -> Actor:
    """The caller behind the API key (``X-API-Key`` or ``Authorization: Bearer``); 401 without a valid one."""
    key = header_key or (bearer.credentials if bearer else None)
    if not key:
        raise _unauthorized("missing API key (send X-API-Key or Authorization: Bearer)")
    parts = split_key(key)
    if parts is None:
        raise _unauthorized("invalid API key")
    key_id, secret = parts
    with request.app.state.sessions() as session:
        row = session.scalars(select(ApiKey).where(ApiKey.key_id == key_id)).first()
    if row is None or row.revoked_at is not None or not verify_secret(secret, row.salt, row.key_hash):
        raise _unauthorized("invalid or revoked API key")
    actor = Actor(name=row.name, role=row.role, key_pk=row.id)
    request.state.actor = actor
    return actor


def require(*roles: str) -> Callable[..., Actor]:
    """A dependency that lets through only callers with one of ``roles`` (403 for the others)."""

    def check(actor: Actor = Depends(current_actor)) -> Actor:
        if actor.role not in roles:
            raise HTTPException(403, f"role '{actor.role}' may not do this (needs {' or '.join(roles)})")
        return actor

    return check
