"""Signs and symptoms integral to a confirmed diagnosis are not coded (Section I.B.4-5, I.C.18.b).

Pairs in ``resources/integral_symptoms.tsv``. Symptoms not routinely associated with a coded diagnosis stay;
in outpatient care the symptoms of an uncertain diagnosis stay, since that diagnosis was not coded.
"""

from __future__ import annotations

from cac.coding.guidelines.common import CONFIRMED, ICD, CodeSpec, add_rationale, load_tsv, specs
from cac.coding.guidelines.context import GuidelineContext
from cac.coding.types import Candidate

_SYMPTOMS = CodeSpec("R00-R99")


def _pairs() -> list[tuple[CodeSpec, list[CodeSpec], str]]:
    return [
        (CodeSpec(row[0]), specs(row[1]), row[2] if len(row) > 2 else "") for row in load_tsv("integral_symptoms.tsv")
    ]


def apply(candidates: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    diagnoses = [c for c in candidates if c.system == ICD and c.assertion in CONFIRMED and not _SYMPTOMS.covers(c.code)]
    pairs = _pairs()
    out: list[Candidate] = []
    for cand in candidates:
        if cand.system != ICD or not _SYMPTOMS.covers(cand.code):
            out.append(cand)
            continue
        dx = next(
            (
                d
                for sym, dx_specs, _ in pairs
                if sym.covers(cand.code)
                for d in diagnoses
                if any(s.covers(d.code) for s in dx_specs)
            ),
            None,
        )
        if dx is None:
            out.append(cand)
            continue
        add_rationale(dx, f"rule: {cand.code} ({cand.title}) integral to {dx.code}, not coded (Section I.B.5)")
    return out
