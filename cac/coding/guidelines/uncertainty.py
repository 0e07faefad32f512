"""Uncertain diagnoses ("probable", "suspected", "likely", "rule out").

Outpatient and emergency (Section IV.H): not coded; the signs and symptoms documented are coded instead.
Inpatient (Section II.H / III.C): an uncertain diagnosis documented at discharge is coded as if established (not on
an imaging report, which codes its confirmed findings),
but not one the provider leans against ("demand ischemia unlikely", "doubt PE"): that is no working diagnosis.
"""

from __future__ import annotations

import re

from cac.coding.guidelines.common import ICD, add_flag, add_rationale, clause_at, hold
from cac.coding.guidelines.context import GuidelineContext
from cac.coding.types import Candidate

_LEANS_AGAINST = re.compile(
    r"\b(?:unlikely|not likely|less likely|doubt(?:ful|ed)?|low (?:suspicion|probability|likelihood)|"
    r"not suspected|not favou?red|felt not to be|no longer suspected)\b",
    re.IGNORECASE,
)


def _leans_against(cand: Candidate, text: str) -> bool:
    """Every clause that documents the candidate says the diagnosis is improbable."""
    spans = cand.evidence
    return bool(spans) and all(_LEANS_AGAINST.search(clause_at(text, s.start, s.end)) for s in spans)


def _coded_as_established(ctx: GuidelineContext) -> bool:
    """An inpatient note other than an imaging report: a radiologist's "evaluate for X" or "suspicious for X" is no
    diagnosis documented at discharge; the report codes its confirmed findings (Section IV.K)."""
    return ctx.inpatient and ctx.note_type != "radiology_report"


def apply(candidates: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    out: list[Candidate] = []
    established = _coded_as_established(ctx)
    for cand in candidates:
        if cand.assertion != "possible" or cand.system != ICD:
            out.append(cand)
            continue
        if established and ctx.text and _leans_against(cand, ctx.text):
            out.append(hold(cand, "rule: the provider finds the diagnosis improbable (not coded, Section II.H)"))
        elif established:
            add_flag(cand, "uncertain")
            add_rationale(cand, "rule: uncertain diagnosis coded as established (inpatient, Section II.H)")
            out.append(cand)
        # outpatient / emergency: dropped (Section IV.H); its documented symptoms stay as their own candidates.
    return out
