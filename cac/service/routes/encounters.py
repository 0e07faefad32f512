"""``/v1/encounters``: submit a note for coding, read encounters, finalise and reopen them, read their audit trail."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cac.service import workflow
from cac.service.audit import Actor, event_dict
from cac.service.db.models import AuditEvent, Encounter
from cac.service.db.session import page, transaction
from cac.service.deps import CODE_ROLES, READ_ROLES, SUBMIT_ROLES, get_db, get_store, require
from cac.service.errors import Invalid, TooLarge
from cac.service.fhir import FhirInputError, extract
from cac.service.schemas import EncounterCreate, EncounterPage, FinalizeRequest, ReopenRequest

router = APIRouter(tags=["encounters"])


def _note_from(req: EncounterCreate) -> workflow.NewNote:
    if req.fhir is not None:
        try:
            got = extract(req.fhir)
        except FhirInputError as exc:
            raise Invalid(str(exc)) from exc
        return workflow.NewNote(
            text=got.text,
            setting=req.setting or got.setting or "outpatient",
            note_type=req.note_type or got.note_type,
            external_id=req.external_id or got.external_id,
            source_format=got.source_format,
        )
    assert req.text is not None
    return workflow.NewNote(
        text=req.text,
        setting=req.setting or "outpatient",
        note_type=req.note_type,
        external_id=req.external_id,
        source_format="text",
    )


@router.post("/encounters", status_code=201)
def create_encounter(
    request: Request,
    body: EncounterCreate,
    actor: Actor = Depends(require(*SUBMIT_ROLES)),
) -> dict[str, Any]:
    """Code a note: runs the engine, stores the note, engine version, code-set releases and suggestions, and
    returns the suggestions (interfaces.md section 2) with the encounter id."""
    from cac.coding import InvalidRequestError

    note = _note_from(body)
    limit = request.app.state.settings.max_note_bytes
    size = len(note.text.encode("utf-8"))
    if size > limit:
        raise TooLarge(f"note is {size} bytes; the limit is {limit}")
    if not note.text.strip():
        raise Invalid("the note is empty")
    try:
        with request.app.state.engine_lock:
            result = request.app.state.engine.suggest(note.text, setting=note.setting, note_type=note.note_type)
    except InvalidRequestError as exc:
        raise Invalid(str(exc)) from exc
    with transaction(request.app.state.write_sessions) as session:
        encounter = workflow.store_encounter(session, actor, note, result, request.app.state.engine_version)
        data = workflow.encounter_dict(encounter, include_text=False)
    return data


@router.get("/encounters")
def list_encounters(
    status: Literal["open", "finalized"] | None = Query(None),
    review_status: Literal["new", "in_review", "finalized"] | None = Query(
        None, description="Worklist state: new (open, undecided), in_review (open, with decisions) or finalized."
    ),
    external_id: str | None = Query(None, max_length=200),
    q: str | None = Query(None, max_length=200, description="External ids containing this text (any case)."),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    _: Actor = Depends(require(*READ_ROLES)),
    session: Session = Depends(get_db),
) -> EncounterPage:
    """Encounters, newest first, optionally by status, worklist state or external id; ``counts`` gives the
    number in each worklist state among those matching the external-id filters."""
    where: list[Any] = []
    if external_id:
        where.append(Encounter.external_id == external_id)
    if q and q.strip():
        pattern = "%" + q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(func.lower(Encounter.external_id).like(pattern, escape="\\"))
    stmt = select(Encounter).where(*where)
    if status:
        stmt = stmt.where(Encounter.status == status)
    if review_status:
        stmt = stmt.where(workflow.review_condition(review_status))
    total, rows = page(session, stmt, Encounter.id.desc(), limit, offset)
    decided = workflow.decided_encounters(session, [e.id for e in rows])
    return EncounterPage(
        items=[workflow.encounter_summary(e, e.id in decided) for e in rows],
        total=total,
        limit=limit,
        offset=offset,
        counts=workflow.review_counts(session, where),
    )


@router.get("/encounters/{encounter_id}")
def get_encounter(
    encounter_id: int,
    _: Actor = Depends(require(*READ_ROLES)),
    session: Session = Depends(get_db),
) -> dict[str, Any]:
    """The encounter with its note, suggestions and their review status, every decision, and the final codes."""
    return workflow.encounter_dict(workflow.get_encounter(session, encounter_id))


@router.post("/encounters/{encounter_id}/finalize")
def finalize_encounter(
    request: Request,
    encounter_id: int,
    body: FinalizeRequest | None = Body(None),
    actor: Actor = Depends(require(*CODE_ROLES)),
) -> dict[str, Any]:
    """Lock the encounter and return its final code set: diagnoses first, procedures with their diagnosis links.
    409 while a proposed suggestion is undecided or when already finalized."""
    order = body.diagnosis_order if body else []
    with transaction(request.app.state.write_sessions) as session:
        encounter = workflow.get_encounter(session, encounter_id, for_update=True)
        return workflow.finalize(session, get_store(request), actor, encounter, order)


@router.post("/encounters/{encounter_id}/reopen")
def reopen_encounter(
    request: Request,
    encounter_id: int,
    body: ReopenRequest,
    actor: Actor = Depends(require(*CODE_ROLES)),
) -> dict[str, Any]:
    """Reopen a finalized encounter for changes; the reason and the former final codes go to the audit trail."""
    with transaction(request.app.state.write_sessions) as session:
        encounter = workflow.get_encounter(session, encounter_id, for_update=True)
        workflow.reopen(session, actor, encounter, body.reason)
        return workflow.encounter_summary(encounter)


@router.get("/encounters/{encounter_id}/audit")
def encounter_audit(
    encounter_id: int,
    _: Actor = Depends(require(*READ_ROLES)),
    session: Session = Depends(get_db),
) -> dict[str, Any]:
    """Every audit event of the encounter, oldest first: who did what, when, before and after."""
    workflow.get_encounter(session, encounter_id)
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.encounter_id == encounter_id).order_by(AuditEvent.id)
    ).all()
    return {"encounter_id": encounter_id, "events": [event_dict(e) for e in events]}
