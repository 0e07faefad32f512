"""``/v1/encounters/{id}/cdi`` and ``/v1/encounters/{id}/edits``: documentation improvement and pre-bill checks."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from cac.codesets import CodeSetStore
from cac.service import workflow
from cac.service.audit import Actor
from cac.service.db.models import Encounter
from cac.service.deps import READ_ROLES, get_db, get_store, require
from cac.service.errors import Invalid

router = APIRouter(tags=["cdi"])


def _result(encounter: Encounter) -> dict[str, Any]:
    """The encounter as an engine result for ``cac.cdi``: a code a coder added has no engine score, and counts
    as proposed."""
    result = workflow.encounter_dict(encounter, include_text=False)
    result["suggestions"] = [
        {**s, "score": 1.0} if s.get("score") is None else s for s in result.get("suggestions", [])
    ]
    return result


@router.get("/encounters/{encounter_id}/cdi")
def encounter_cdi(
    encounter_id: int,
    _: Actor = Depends(require(*READ_ROLES)),
    session: Session = Depends(get_db),
    store: CodeSetStore = Depends(get_store),
) -> dict[str, Any]:
    """Specificity gaps, compliant physician queries, HCC flags and MEAT support for the encounter's note."""
    from cac.cdi import cdi_from_result

    encounter = workflow.get_encounter(session, encounter_id)
    return {"encounter_id": encounter_id, **cdi_from_result(encounter.note_text, _result(encounter), store=store)}


@router.get("/encounters/{encounter_id}/edits")
def encounter_edits(
    encounter_id: int,
    age: int | None = Query(None, ge=0, le=130, description="Patient age in years, for age edits."),
    sex: Literal["F", "M"] | None = Query(None, description="Patient sex, for sex edits."),
    _: Actor = Depends(require(*READ_ROLES)),
    session: Session = Depends(get_db),
    store: CodeSetStore = Depends(get_store),
) -> dict[str, Any]:
    """Pre-bill edits on the final code set (or, before finalisation, on the proposed codes)."""
    from cac.cdi import prebill_edits

    encounter = workflow.get_encounter(session, encounter_id)
    final = encounter.final_codes
    if final:
        codes: Any = [{"system": d["system"], "code": d["code"]} for d in final.get("diagnoses", [])] + [
            {"system": p["system"], "code": p["code"], "links": p.get("linked_diagnoses", [])}
            for p in final.get("procedures", [])
        ]
    else:
        codes = _result(encounter)
    try:
        report = prebill_edits(codes, age=age, sex=sex, store=store, text=encounter.note_text)
    except ValueError as exc:
        raise Invalid(str(exc)) from exc
    return {"encounter_id": encounter_id, "finalized": bool(final), **report}
