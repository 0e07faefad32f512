"""The review workflow: store an engine result, apply coder decisions, finalise and reopen encounters."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import Session

from cac.codesets import ICD10CM, CodeSetError, CodeSetStore, canonical_system, normalise_code
from cac.service.audit import Actor, record
from cac.service.db.models import Decision, Encounter, Suggestion, utcnow
from cac.service.errors import Conflict, Invalid, NotFound
from cac.service.reasons import reject_reasons
from cac.service.schemas import DecisionCreate, EvidenceIn

STATUS_BY_ACTION = {"accept": "accepted", "reject": "rejected", "edit": "edited", "add": "added"}
KEPT = frozenset({"accepted", "edited", "added"})
# Worklist states derived from the stored status: open and untouched, open with decisions, finalized.
REVIEW_STATES = ("new", "in_review", "finalized")
_SUGGESTION_KEYS = ("evidence", "assertion", "rationale", "flags")


@dataclass(frozen=True)
class NewNote:
    text: str
    setting: str
    note_type: str | None
    external_id: str | None
    source_format: str


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


# ---------------------------------------------------------------------------------------------- create
def store_encounter(
    session: Session, actor: Actor, note: NewNote, result: dict[str, Any], engine_version: str
) -> Encounter:
    """Insert the note, the engine's result and an audit event (in the caller's transaction)."""
    threshold = float(result.get("threshold", 0.5))
    encounter = Encounter(
        external_id=note.external_id,
        status="open",
        setting=note.setting,
        note_type=note.note_type,
        note_text=note.text,
        note_sha256=hashlib.sha256(note.text.encode("utf-8")).hexdigest(),
        source_format=note.source_format,
        engine_version=engine_version,
        codeset_versions=dict(result.get("codeset_versions", {})),
        threshold=threshold,
        mentions=list(result.get("mentions", [])),
        created_by=actor.name,
    )
    for rank, item in enumerate(result.get("suggestions", [])):
        score = float(item.get("score", 0.0))
        detail = {k: v for k, v in item.items() if k not in ("system", "code", "title", "score")}
        encounter.suggestions.append(
            Suggestion(
                rank=rank,
                origin="engine",
                system=item["system"],
                code=item["code"],
                title=item.get("title", ""),
                score=score,
                proposed=score >= threshold,
                detail=detail,
            )
        )
    session.add(encounter)
    session.flush()
    record(
        session,
        actor,
        "encounter.create",
        "encounter",
        encounter.id,
        encounter_id=encounter.id,
        after={
            "external_id": note.external_id,
            "setting": note.setting,
            "note_type": note.note_type,
            "source_format": note.source_format,
            "note_sha256": encounter.note_sha256,
            "note_chars": len(note.text),
            "engine_version": engine_version,
            "codeset_versions": encounter.codeset_versions,
            "suggestions": len(encounter.suggestions),
            "proposed": [f"{s.system} {s.code}" for s in encounter.suggestions if s.proposed],
        },
    )
    return encounter


# ---------------------------------------------------------------------------------------------- read
def get_encounter(session: Session, encounter_id: int, for_update: bool = False) -> Encounter:
    stmt = select(Encounter).where(Encounter.id == encounter_id)
    if for_update:
        stmt = stmt.with_for_update()
    encounter = session.scalars(stmt).first()
    if encounter is None:
        raise NotFound(f"encounter {encounter_id} not found")
    return encounter


def latest_decisions(encounter: Encounter) -> dict[int, Decision]:
    out: dict[int, Decision] = {}
    for decision in encounter.decisions:  # ordered by id
        out[decision.suggestion_id] = decision
    return out


def decision_dict(d: Decision) -> dict[str, Any]:
    return {
        "id": d.id,
        "suggestion_id": d.suggestion_id,
        "action": d.action,
        "system": d.system,
        "code": d.code,
        "reason": d.reason,
        "comment": d.comment,
        "evidence": d.evidence,
        "diagnosis_links": d.diagnosis_links,
        "actor": d.actor,
        "role": d.role,
        "created_at": _iso(d.created_at),
    }


def suggestion_dict(s: Suggestion, latest: Decision | None) -> dict[str, Any]:
    item: dict[str, Any] = {"system": s.system, "code": s.code, "title": s.title, "score": s.score}
    item.update(s.detail)
    item.update(
        {
            "id": s.id,
            "origin": s.origin,
            "proposed": s.proposed,
            "status": STATUS_BY_ACTION[latest.action] if latest else "pending",
            "decision": decision_dict(latest) if latest else None,
        }
    )
    return item


def _has_decisions() -> ColumnElement[bool]:
    return exists().where(Decision.encounter_id == Encounter.id)


def review_condition(state: str) -> ColumnElement[bool]:
    """SQL condition for one worklist state (``REVIEW_STATES``)."""
    if state == "finalized":
        return Encounter.status == "finalized"
    if state == "in_review":
        return and_(Encounter.status == "open", _has_decisions())
    if state == "new":
        return and_(Encounter.status == "open", ~_has_decisions())
    raise ValueError(f"unknown review state {state!r}")


def review_counts(session: Session, where: list[ColumnElement[bool]]) -> dict[str, int]:
    """How many encounters (matching ``where``) are in each worklist state."""
    counts = {}
    for state in REVIEW_STATES:
        stmt = select(func.count(Encounter.id)).where(review_condition(state), *where)
        counts[state] = int(session.scalar(stmt) or 0)
    return counts


def decided_encounters(session: Session, ids: list[int]) -> set[int]:
    """The ids among ``ids`` that have at least one decision (one query for a page of the worklist)."""
    if not ids:
        return set()
    stmt = select(Decision.encounter_id).where(Decision.encounter_id.in_(ids)).distinct()
    return set(session.scalars(stmt).all())


def review_status(e: Encounter, has_decisions: bool | None = None) -> str:
    if e.status == "finalized":
        return "finalized"
    if has_decisions is None:
        has_decisions = bool(e.decisions)
    return "in_review" if has_decisions else "new"


def note_sections(text: str) -> list[dict[str, Any]]:
    """The note's sections (name, header and body offsets) for display; computed from the text, never stored."""
    try:
        from cac.nlp.sections import find_sections
    except ImportError:  # pragma: no cover - the NLP package is part of cac
        return []
    return [
        {"name": s.name, "start": s.start, "end": s.end, "header_start": s.header_start, "header_end": s.header_end}
        for s in find_sections(text)
    ]


def encounter_summary(e: Encounter, has_decisions: bool | None = None) -> dict[str, Any]:
    return {
        "id": e.id,
        "encounter_id": e.id,
        "external_id": e.external_id,
        "status": e.status,
        "review_status": review_status(e, has_decisions),
        "setting": e.setting,
        "note_type": e.note_type,
        "source_format": e.source_format,
        "engine_version": e.engine_version,
        "codeset_versions": e.codeset_versions,
        "threshold": e.threshold,
        "created_at": _iso(e.created_at),
        "created_by": e.created_by,
        "finalized_at": _iso(e.finalized_at),
        "finalized_by": e.finalized_by,
    }


def encounter_dict(e: Encounter, include_text: bool = True) -> dict[str, Any]:
    """The interfaces.md section 2 result (threshold, codeset_versions, suggestions, mentions) plus review state."""
    latest = latest_decisions(e)
    data = encounter_summary(e)
    data["suggestions"] = [suggestion_dict(s, latest.get(s.id)) for s in e.suggestions]
    data["mentions"] = e.mentions
    data["decisions"] = [decision_dict(d) for d in e.decisions]
    data["final"] = e.final_codes
    if include_text:
        data["text"] = e.note_text
        data["sections"] = note_sections(e.note_text)
    return data


# ---------------------------------------------------------------------------------------------- decide
def _valid_code(store: CodeSetStore, system: str, code: str) -> tuple[str, str]:
    try:
        system = canonical_system(system)
        code = normalise_code(system, code)
    except CodeSetError as exc:
        raise Invalid(str(exc)) from exc
    if not store.is_valid(system, code):
        release = store.active_release(system) or "none installed"
        raise Invalid(f"{system} code {code} does not exist in the active release ({release})")
    if not store.is_billable(system, code):
        raise Invalid(f"{system} code {code} is a category, not a billable code; choose a more specific code")
    return system, code


def _spans(text: str, evidence: list[EvidenceIn]) -> list[dict[str, Any]]:
    out = []
    for span in evidence:
        if span.end <= span.start or span.end > len(text):
            raise Invalid(f"evidence span [{span.start}, {span.end}) is outside the note (0-{len(text)})")
        out.append({"start": span.start, "end": span.end, "text": text[span.start : span.end]})
    return out


def _links(store: CodeSetStore, system: str, links: list[str]) -> list[str]:
    if not links:
        return []
    if system == ICD10CM:
        raise Invalid("diagnosis_links belong on procedure codes (ICD-10-PCS, CPT, HCPCS), not on diagnoses")
    out = []
    for link in links:
        try:
            code = normalise_code(ICD10CM, link)
        except CodeSetError as exc:
            raise Invalid(f"diagnosis_links: {exc}") from exc
        if code not in out:
            out.append(code)
    return out


def apply_decision(
    session: Session, store: CodeSetStore, actor: Actor, encounter: Encounter, req: DecisionCreate
) -> tuple[Decision, Suggestion]:
    if encounter.status != "open":
        raise Conflict(f"encounter {encounter.id} is finalized; reopen it to change its codes")
    latest = latest_decisions(encounter)
    if req.action == "add":
        assert req.system and req.code
        system, code = _valid_code(store, req.system, req.code)
        for s in encounter.suggestions:
            if (s.system, s.code) != (system, code):
                continue
            state = latest.get(s.id)
            if s.origin == "engine":
                raise Conflict(f"{system} {code} is already suggestion {s.id}; accept it instead of adding it")
            if state and STATUS_BY_ACTION[state.action] in KEPT:
                raise Conflict(f"{system} {code} was already added (suggestion {s.id})")
        evidence = _spans(encounter.note_text, req.evidence)
        suggestion = Suggestion(
            rank=len(encounter.suggestions),
            origin="coder",
            system=system,
            code=code,
            title=store.title(system, code) or "",
            score=None,
            proposed=False,
            detail={"evidence": evidence, "assertion": "present", "rationale": "added by coder", "flags": []},
        )
        encounter.suggestions.append(suggestion)
        session.flush()
        before: dict[str, Any] | None = None
    else:
        found = next((s for s in encounter.suggestions if s.id == req.suggestion_id), None)
        if found is None:
            raise NotFound(f"suggestion {req.suggestion_id} is not part of encounter {encounter.id}")
        suggestion = found
        prior = latest.get(suggestion.id)
        before = {
            "status": STATUS_BY_ACTION[prior.action] if prior else "pending",
            "system": prior.system if prior else suggestion.system,
            "code": prior.code if prior else suggestion.code,
        }
        system, code = suggestion.system, suggestion.code
        evidence = list(suggestion.detail.get("evidence", []))
        if req.action == "reject":
            reasons = reject_reasons()
            if req.reason not in reasons:
                raise Invalid(f"unknown reason {req.reason!r}; expected one of: {', '.join(reasons)}")
            if req.reason == "other" and not (req.comment or "").strip():
                raise Invalid("reason 'other' needs a comment")
        if req.action == "edit":
            assert req.system and req.code
            system, code = _valid_code(store, req.system, req.code)
            if (system, code) == (suggestion.system, suggestion.code):
                raise Invalid(f"edit replaces {system} {code} with itself; use accept")
        if req.evidence:
            evidence = _spans(encounter.note_text, req.evidence)
    links = _links(store, system, req.diagnosis_links)
    decision = Decision(
        encounter_id=encounter.id,
        suggestion_id=suggestion.id,
        action=req.action,
        system=system,
        code=code,
        reason=req.reason,
        comment=req.comment,
        evidence=evidence,
        diagnosis_links=links,
        actor=actor.name,
        role=actor.role,
    )
    encounter.decisions.append(decision)
    session.flush()
    after = decision_dict(decision)
    after.pop("actor")
    after.pop("role")
    after["original"] = f"{suggestion.system} {suggestion.code}"
    record(
        session,
        actor,
        f"decision.{req.action}",
        "decision",
        decision.id,
        encounter_id=encounter.id,
        before=before,
        after=after,
    )
    return decision, suggestion


# ---------------------------------------------------------------------------------------------- finalise
def _gap(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> float:
    best = float("inf")
    for x in a:
        for y in b:
            best = min(best, max(0, max(x["start"], y["start"]) - min(x["end"], y["end"])))
    return best


def final_code_set(store: CodeSetStore, encounter: Encounter, order: list[str]) -> dict[str, Any]:
    """Diagnoses first (in ``order``, then the engine's rank, then coder additions), then procedures with the
    diagnoses that justify them (the coder's links; else the diagnosis whose evidence is nearest; else the
    first-listed)."""
    latest = latest_decisions(encounter)
    pending = [s for s in encounter.suggestions if s.proposed and s.id not in latest]
    if pending:
        listed = ", ".join(f"{s.id} ({s.system} {s.code})" for s in pending)
        raise Conflict(f"decide every proposed suggestion before finalizing; pending: {listed}")
    kept: dict[tuple[str, str], dict[str, Any]] = {}
    for s in encounter.suggestions:
        d = latest.get(s.id)
        if d is None or STATUS_BY_ACTION[d.action] not in KEPT:
            continue
        key = (d.system, d.code)
        if key in kept:
            kept[key]["evidence"] += [e for e in d.evidence if e not in kept[key]["evidence"]]
            kept[key]["decision_ids"].append(d.id)
            kept[key]["diagnosis_links"] += [c for c in d.diagnosis_links if c not in kept[key]["diagnosis_links"]]
            continue
        kept[key] = {
            "system": d.system,
            "code": d.code,
            "title": store.title(d.system, d.code) or s.title,
            "evidence": list(d.evidence),
            "origin": s.origin,
            "action": d.action,
            "decision_ids": [d.id],
            "diagnosis_links": list(d.diagnosis_links),
        }
    diagnoses = [v for v in kept.values() if v["system"] == ICD10CM]
    procedures = [v for v in kept.values() if v["system"] != ICD10CM]
    dx_codes = [d["code"] for d in diagnoses]
    wanted: list[str] = []
    for raw in order:
        try:
            code = normalise_code(ICD10CM, raw)
        except CodeSetError as exc:
            raise Invalid(f"diagnosis_order: {exc}") from exc
        if code not in dx_codes:
            raise Invalid(f"diagnosis_order names {code}, which is not in the final diagnoses ({', '.join(dx_codes)})")
        if code not in wanted:
            wanted.append(code)
    diagnoses.sort(key=lambda d: wanted.index(d["code"]) if d["code"] in wanted else len(wanted))
    warnings: list[str] = []
    for seq, dx in enumerate(diagnoses, 1):
        dx["sequence"] = seq
        dx.pop("diagnosis_links")
    position = {d["code"]: d["sequence"] for d in diagnoses}
    for proc in procedures:
        links = proc.pop("diagnosis_links")
        missing = [c for c in links if c not in position]
        if missing:
            raise Conflict(
                f"{proc['system']} {proc['code']} is linked to {', '.join(missing)}, not in the final diagnoses"
            )
        source = "coder"
        if not links and diagnoses:
            nearest = min(diagnoses, key=lambda d: (_gap(proc["evidence"], d["evidence"]), d["sequence"]))
            if proc["evidence"] and nearest["evidence"]:
                links, source = [nearest["code"]], "nearest_evidence"
            else:
                links, source = [diagnoses[0]["code"]], "first_listed"
        if not links:
            source = "none"
            warnings.append(f"{proc['system']} {proc['code']} has no diagnosis to justify it")
        proc["linked_diagnoses"] = links
        proc["diagnosis_pointers"] = [position[c] for c in links][:4]
        proc["link_source"] = source
    if not diagnoses:
        warnings.append("no diagnosis codes in the final code set")
    return {"diagnoses": diagnoses, "procedures": procedures, "warnings": warnings}


def finalize(
    session: Session, store: CodeSetStore, actor: Actor, encounter: Encounter, order: list[str]
) -> dict[str, Any]:
    if encounter.status != "open":
        raise Conflict(f"encounter {encounter.id} is already finalized")
    final = final_code_set(store, encounter, order)
    now = utcnow()
    final.update({"encounter_id": encounter.id, "finalized_at": now.isoformat(), "finalized_by": actor.name})
    encounter.status = "finalized"
    encounter.finalized_at = now
    encounter.finalized_by = actor.name
    encounter.final_codes = final
    record(
        session,
        actor,
        "encounter.finalize",
        "encounter",
        encounter.id,
        encounter_id=encounter.id,
        before={"status": "open"},
        after={"status": "finalized", "final": final},
    )
    return final


def reopen(session: Session, actor: Actor, encounter: Encounter, reason: str) -> None:
    if encounter.status != "finalized":
        raise Conflict(f"encounter {encounter.id} is not finalized")
    before = {"status": "finalized", "final": encounter.final_codes, "finalized_by": encounter.finalized_by}
    encounter.status = "open"
    encounter.final_codes = None
    encounter.finalized_at = None
    encounter.finalized_by = None
    record(
        session,
        actor,
        "encounter.reopen",
        "encounter",
        encounter.id,
        encounter_id=encounter.id,
        before=before,
        after={"status": "open", "reason": reason},
    )
