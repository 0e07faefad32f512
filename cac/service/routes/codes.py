"""``/v1/codes``: look up and search the code-set store."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from cac.codesets import CodeSetError, CodeSetStore, canonical_system, normalise_code
from cac.service.audit import Actor
from cac.service.deps import READ_ROLES, get_store, require
from cac.service.errors import Invalid, NotFound

router = APIRouter(tags=["codes"])


@router.get("/codes/search")
def search_codes(
    q: str = Query(..., min_length=1, max_length=500, description="Words to look for."),
    system: str | None = Query(None, description="Only this code system."),
    limit: int = Query(10, ge=1, le=100),
    _: Actor = Depends(require(*READ_ROLES)),
    store: CodeSetStore = Depends(get_store),
) -> dict[str, Any]:
    """Codes ranked by how well their titles, inclusion terms and index terms match ``q``."""
    try:
        canon = canonical_system(system) if system else None
    except CodeSetError as exc:
        raise Invalid(str(exc)) from exc
    hits = store.search(q, system=canon, limit=limit)
    return {"query": q, "system": canon, "results": [h.to_dict() for h in hits]}


@router.get("/codes/{system}/{code}")
def get_code(
    system: str,
    code: str,
    _: Actor = Depends(require(*READ_ROLES)),
    store: CodeSetStore = Depends(get_store),
) -> dict[str, Any]:
    """Everything the store knows about a code: title, billable flag, hierarchy, notes, HCC, index terms."""
    try:
        canon = canonical_system(system)
        norm = normalise_code(canon, code)
        entry = store.get(canon, norm)
    except CodeSetError as exc:
        raise Invalid(str(exc)) from exc
    if entry is None:
        release = store.active_release(canon) or "none installed"
        raise NotFound(f"{canon} code {norm} does not exist in the active release ({release})")
    data = entry.to_dict()
    data["hcc"] = [h.category for h in entry.hcc]
    data["hcc_details"] = [h.__dict__ for h in entry.hcc]
    return data
