"""Signs and symptoms integral to a confirmed diagnosis are not coded (Section I.B.4-5, I.C.18.b).

Pairs in ``resources/integral_symptoms.tsv``; a sign there may sit outside chapter 18 (melena, pleural effusion, joint
pain with an injury). Symptoms not routinely associated with a coded diagnosis stay;
in outpatient care the symptoms of an uncertain diagnosis stay, since that diagnosis was not coded.
A symptom named only as the indication of an as-needed drug ("nitroglycerin SL prn chest pain", "ibuprofen
as needed for pain") is an instruction, not a symptom the patient has: it is held for review.
"""

from __future__ import annotations

import re

from cac.coding.guidelines.common import CONFIRMED, ICD, CodeSpec, add_rationale, hold, load_tsv, specs
from cac.coding.guidelines.context import GuidelineContext
from cac.coding.rank import DIAGNOSIS_SECTIONS
from cac.coding.types import Candidate, Span

_SYMPTOMS = CodeSpec("R00-R99")
# A confident diagnosis stated there explains the complaints that led to it (Section I.B.4-5: codes for signs and
# symptoms are reported when no definitive diagnosis is established). A symptom that the provider does not carry
# into those sections is then discounted below the usual threshold, not dropped: the coder still sees it.
ESTABLISHED_DIAGNOSIS_SCORE = 0.8
EXPLAINED_SYMPTOM_FACTOR = 0.6


def _pairs() -> list[tuple[CodeSpec, list[CodeSpec], str]]:
    return [
        (CodeSpec(row[0]), specs(row[1]), row[2] if len(row) > 2 else "") for row in load_tsv("integral_symptoms.tsv")
    ]


# The words of an as-needed drug's indication before the symptom: "prn chest pain", "PRN fever/pain", "as needed for
# nausea", "p.r.n. for itching"; or "for pain prn" with the as-needed words after it.
_AS_NEEDED_BEFORE = re.compile(
    r"\b(?:prn|p\.r\.n\.?|as\s+needed|if\s+needed|when\s+needed)\s*(?:for\s+)?(?:[\w-]+\s*(?:/|,|\bor\b|\band\b)\s*){0,2}$",
    re.IGNORECASE,
)
_FOR_BEFORE = re.compile(r"\bfor\s+$", re.IGNORECASE)
_AS_NEEDED_AFTER = re.compile(r"\s*(?:flares?\s+)?(?:prn|p\.r\.n\b|as\s+needed|if\s+needed)\b", re.IGNORECASE)


def _as_needed_indication(text: str, span: Span) -> bool:
    """The span names the indication of an as-needed drug ("nitroglycerin 0.4 mg SL prn chest pain")."""
    lead = text[max(0, span.start - 40) : span.start]
    return bool(_AS_NEEDED_BEFORE.search(lead)) or (
        bool(_FOR_BEFORE.search(lead)) and bool(_AS_NEEDED_AFTER.match(text, span.end))
    )


def _instructions_only(cand: Candidate, text: str) -> bool:
    """A symptom every mention of which is an as-needed drug's indication: no symptom the note documents."""
    return (
        cand.system == ICD
        and _SYMPTOMS.covers(cand.code)
        and bool(cand.evidence)
        and all(_as_needed_indication(text, s) for s in cand.evidence)
    )


def apply(candidates: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    pairs = _pairs()
    signs = [sym for sym, _, _ in pairs]
    diagnoses = [c for c in candidates if c.system == ICD and c.assertion in CONFIRMED and not _SYMPTOMS.covers(c.code)]
    established = [
        d
        for d in diagnoses
        if d.score >= ESTABLISHED_DIAGNOSIS_SCORE
        and d.assertion == "present"
        and DIAGNOSIS_SECTIONS.intersection(d.sections)
    ]
    out: list[Candidate] = []
    for cand in candidates:
        if ctx.text and _instructions_only(cand, ctx.text):
            out.append(hold(cand, "rule: the indication of an as-needed drug, not a documented symptom"))
            continue
        is_symptom = _SYMPTOMS.covers(cand.code)
        if cand.system != ICD or not (is_symptom or any(sym.covers(cand.code) for sym in signs)):
            out.append(cand)
            continue
        dx = next(
            (
                d
                for sym, dx_specs, _ in pairs
                if sym.covers(cand.code)
                for d in diagnoses
                if d is not cand and any(s.covers(d.code) for s in dx_specs)
            ),
            None,
        )
        if dx is None:
            if is_symptom and established and not DIAGNOSIS_SECTIONS.intersection(cand.sections) and cand.sections:
                cand.score *= EXPLAINED_SYMPTOM_FACTOR
                add_rationale(
                    cand,
                    f"rule: symptom not carried into the diagnoses, which establish {established[0].code} "
                    "(Section I.B.4-5); discounted",
                )
            out.append(cand)
            continue
        add_rationale(dx, f"rule: {cand.code} ({cand.title}) integral to {dx.code}, not coded (Section I.B.5)")
        out.append(hold(cand, f"rule: integral to {dx.code} (Section I.B.5)"))
    return out
