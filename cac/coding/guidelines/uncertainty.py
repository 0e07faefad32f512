"""Uncertain diagnoses ("probable", "suspected", "likely", "rule out").

Outpatient and emergency (Section IV.H): not coded; the signs and symptoms documented are coded instead.
Inpatient (Section II.H / III.C): an uncertain diagnosis documented at discharge is coded as if established (not on
an imaging report, which codes its confirmed findings),
but not one the provider leans against ("demand ischemia unlikely", "doubt PE"): that is no working diagnosis.
Nor is the reason for a work-up ("admitted to evaluate for PE", "to rule out MI") stated only outside the
diagnoses and assessment, or a condition the note later says was ruled out ("CTA negative for PE"): the
diagnosis the stay ends with is what is coded, and the work-up's findings and symptoms are coded instead.
"""

from __future__ import annotations

import re

from cac.coding.guidelines.common import ICD, add_flag, add_rationale, clause_at, clause_bounds, hold
from cac.coding.guidelines.context import GuidelineContext
from cac.coding.rank import DIAGNOSIS_SECTIONS
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


# The reason for a test or an admission, not a diagnosis: "admitted to evaluate for PE", "CTA to rule out
# dissection", "serial troponins to r/o MI", "work-up for malignancy".
_WORKUP_BEFORE = re.compile(
    r"(?:\b(?:evaluat(?:e|ed|ing|ion)|assess(?:ed|ing|ment)?|work[- ]?(?:ed )?up|screen(?:ed|ing)?|"
    r"monitor(?:ed|ing)?|observ(?:ed|ation))\s+(?:\w+\s+){0,2}?(?:for|of)|"
    r"\b(?:to\s+)?(?:rule\s+out|r/o|exclude|excluding))\s+(?:\w+\s+){0,4}$",
    re.IGNORECASE,
)
# What the work-up showed, before the condition or after it: "CTA negative for PE", "no evidence of MI", "PE was
# ruled out" (not past a turn of the sentence: "negative for PE but showed pneumonia").
_RULED_OUT_BEFORE = re.compile(
    r"\b(?:ruled\s+out|negative\s+for|no\s+(?:evidence|signs?|findings?)\s+(?:of|for)|without\s+evidence\s+of|"
    r"not\s+consistent\s+with)\b(?:(?!\b(?:but|however|although|showed|shows|revealed|with|which)\b)[^.;\n]){0,40}$",
    re.IGNORECASE,
)
_RULED_OUT_AFTER = re.compile(
    r"\s*(?:(?:was|were|is|has\s+been|had\s+been|now|also)\s+)*(?:ruled\s+out|excluded)\b", re.IGNORECASE
)


def _workup_reason(cand: Candidate, text: str) -> bool:
    """Every mention is the reason for a work-up ("to rule out MI") stated outside the diagnoses and assessment."""
    if not cand.evidence or DIAGNOSIS_SECTIONS.intersection(cand.sections):
        return False
    return all(_WORKUP_BEFORE.search(text, clause_bounds(text, s.start, s.end)[0], s.start) for s in cand.evidence)


def _ruled_out_later(cand: Candidate, text: str) -> bool:
    """The note names the condition again, from its first mention on, as ruled out ("CTA negative for PE")."""
    if not cand.evidence:
        return False
    first = min(s.start for s in cand.evidence)
    for name in {s.text.strip() for s in cand.evidence if len(s.text.strip()) >= 2}:
        for m in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text[first:], re.IGNORECASE):
            start, end = first + m.start(), first + m.end()
            if _RULED_OUT_BEFORE.search(text, max(0, start - 80), start) or _RULED_OUT_AFTER.match(text, end):
                return True
    return False


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
        elif established and ctx.text and _ruled_out_later(cand, ctx.text):
            out.append(hold(cand, "rule: the work-up ruled the diagnosis out (not coded, Section II.H)"))
        elif established and ctx.text and _workup_reason(cand, ctx.text):
            out.append(hold(cand, "rule: the reason for a work-up, not a diagnosis at discharge (Section II.H)"))
        elif established:
            add_flag(cand, "uncertain")
            add_rationale(cand, "rule: uncertain diagnosis coded as established (inpatient, Section II.H)")
            out.append(cand)
        # outpatient / emergency: dropped (Section IV.H); its documented symptoms stay as their own candidates.
    return out
