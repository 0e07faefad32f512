"""Encounter-reason Z codes come from the reason for the visit (Section I.C.21.c).

Aftercare, follow-up, counseling and "encounter for" codes (``resources/encounter_reasons.tsv``) say why the
patient came. Found only in a plan or a remark ("suture removal in 7 days", "counseling by me"), they are held
for review instead of proposed.
"""

from __future__ import annotations

from functools import cache

from cac.coding.guidelines.common import ICD, CodeSpec, hold, load_tsv
from cac.coding.guidelines.context import GuidelineContext
from cac.coding.types import Candidate

REASON_SECTIONS = frozenset({"chief_complaint", "reason_for_visit", "indication", "preoperative_diagnosis"})


@cache
def encounter_specs() -> tuple[CodeSpec, ...]:
    return tuple(CodeSpec(row[0]) for row in load_tsv("encounter_reasons.tsv"))


def apply(candidates: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    reasons = encounter_specs()
    out: list[Candidate] = []
    for cand in candidates:
        if (
            cand.system == ICD
            and any(s.covers(cand.code) for s in reasons)
            and cand.sections
            and not REASON_SECTIONS.intersection(cand.sections)
        ):
            cand = hold(cand, "rule: encounter-reason code found outside the reason for the visit (Section I.C.21.c)")
        out.append(cand)
    return out
