"""Signs and symptoms integral to a confirmed diagnosis are not coded (Section I.B.4-5, I.C.18.b).

Pairs in ``resources/integral_symptoms.tsv``; a sign there may sit outside chapter 18 (melena, pleural effusion, joint
pain with an injury). Symptoms not routinely associated with a coded diagnosis stay;
in outpatient care the symptoms of an uncertain diagnosis stay, since that diagnosis was not coded.
"""

from __future__ import annotations

from cac.coding.guidelines.common import CONFIRMED, ICD, CodeSpec, add_rationale, hold, load_tsv, specs
from cac.coding.guidelines.context import GuidelineContext
from cac.coding.rank import DIAGNOSIS_SECTIONS
from cac.coding.types import Candidate

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
