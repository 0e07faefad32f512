"""Uncertain diagnoses ("probable", "suspected", "likely", "rule out").

Outpatient and emergency (Section IV.H): not coded; the signs and symptoms documented are coded instead.
Inpatient (Section II.H / III.C): an uncertain diagnosis documented at discharge is coded as if established.
"""

from __future__ import annotations

from cac.coding.guidelines.common import ICD, add_flag, add_rationale
from cac.coding.guidelines.context import GuidelineContext
from cac.coding.types import Candidate


def apply(candidates: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    out: list[Candidate] = []
    for cand in candidates:
        if cand.assertion != "possible" or cand.system != ICD:
            out.append(cand)
            continue
        if ctx.inpatient:
            add_flag(cand, "uncertain")
            add_rationale(cand, "rule: uncertain diagnosis coded as established (inpatient, Section II.H)")
            out.append(cand)
        # outpatient / emergency: dropped (Section IV.H); its documented symptoms stay as their own candidates
    return out
