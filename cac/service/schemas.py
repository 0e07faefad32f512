"""Request and response bodies of the API (pydantic), kept apart from the ORM models."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cac.coding.types import NOTE_TYPES, SETTINGS
from cac.service.fhir import Bundle, DocumentReference

Setting = Literal["outpatient", "inpatient", "emergency"]
NoteType = Literal[
    "progress_note",
    "discharge_summary",
    "operative_report",
    "procedure_note",
    "radiology_report",
    "ed_note",
    "consult",
    "hp",
]
assert set(Setting.__args__) == set(SETTINGS) and set(NoteType.__args__) == set(NOTE_TYPES)  # type: ignore[attr-defined]

Action = Literal["accept", "reject", "edit", "add"]
Role = Literal["coder", "cdi", "auditor", "admin"]


class EncounterCreate(BaseModel):
    """A note to code: plain ``text``, or a FHIR R4 ``DocumentReference`` or ``Bundle`` in ``fhir``."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(None, description="The note as plain text.")
    fhir: DocumentReference | Bundle | None = Field(
        None,
        description="A FHIR R4 DocumentReference, or a Bundle holding one (text/plain attachment).",
        discriminator="resourceType",
    )
    setting: Setting | None = Field(None, description="Defaults to the Bundle's Encounter class, else outpatient.")
    note_type: NoteType | None = Field(None, description="Defaults to the DocumentReference's LOINC type, if known.")
    external_id: str | None = Field(None, max_length=200, description="The caller's id for the encounter or note.")

    @model_validator(mode="after")
    def _one_source(self) -> EncounterCreate:
        if (self.text is None) == (self.fhir is None):
            raise ValueError("give exactly one of 'text' (plain note) or 'fhir' (DocumentReference or Bundle)")
        return self


class EvidenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: int = Field(..., ge=0)
    end: int = Field(..., gt=0)


class DecisionCreate(BaseModel):
    """accept / reject / edit a suggestion (``suggestion_id``), or add a code the engine missed."""

    model_config = ConfigDict(extra="forbid")

    action: Action
    suggestion_id: int | None = Field(None, description="The suggestion decided on (not for add).")
    system: str | None = Field(None, description="For edit and add: the code system of the new code.")
    code: str | None = Field(None, description="For edit and add: the new code.")
    reason: str | None = Field(None, description="For reject: one of GET /v1/reject-reasons.")
    comment: str | None = Field(None, max_length=4000)
    evidence: list[EvidenceIn] = Field(default_factory=list, description="For add (required) and edit: note spans.")
    diagnosis_links: list[str] = Field(
        default_factory=list, description="For procedure codes: the ICD-10-CM codes that justify it on the claim."
    )

    @model_validator(mode="after")
    def _fields_for_action(self) -> DecisionCreate:
        if self.action != "add" and self.suggestion_id is None:
            raise ValueError(f"'{self.action}' needs suggestion_id")
        if self.action == "add" and self.suggestion_id is not None:
            raise ValueError("'add' takes no suggestion_id; give system, code and evidence")
        if self.action in ("edit", "add") and (not self.system or not self.code):
            raise ValueError(f"'{self.action}' needs system and code")
        if self.action == "add" and not self.evidence:
            raise ValueError("'add' needs at least one evidence span")
        if self.action == "reject" and not self.reason:
            raise ValueError("'reject' needs a reason")
        if self.action != "reject" and self.reason:
            raise ValueError("only 'reject' takes a reason")
        return self


class FinalizeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    diagnosis_order: list[str] = Field(
        default_factory=list, description="ICD-10-CM codes in claim order (first-listed first); others follow."
    )


class ReopenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(..., min_length=3, max_length=4000)


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=200)
    role: Role


class UserOut(BaseModel):
    id: int
    key_id: str
    name: str
    role: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None


class UserCreated(UserOut):
    api_key: str = Field(..., description="Shown once; only its salted hash is stored.")


class Page(BaseModel):
    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int


class EncounterPage(Page):
    counts: dict[str, int] = Field(
        default_factory=dict, description="Encounters per worklist state (new, in_review, finalized)."
    )


class Me(BaseModel):
    """The caller behind the API key, and what its role may do."""

    name: str
    role: str
    can_decide: bool = Field(..., description="May accept, reject, edit, add, finalise and reopen.")
    can_submit: bool = Field(..., description="May submit notes for coding.")
    can_admin: bool = Field(..., description="May manage API keys.")
