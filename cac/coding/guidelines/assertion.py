"""Assertion rules: negated and hypothetical mentions never code; family and past history become Z codes.

Section I.C.21.c.4 (history codes): family history -> Z80-Z84; a resolved past condition -> Z85-Z87 (or
I25.2 for an old MI); a chronic condition documented in the past history that still affects care stays coded.
"""

from __future__ import annotations

from cac.coding.guidelines.common import ICD, CodeSpec, add_rationale, derive, lookup
from cac.coding.guidelines.context import GuidelineContext
from cac.coding.rank import HISTORY_SECTION_WEIGHT, HISTORY_SECTIONS, section_weight
from cac.coding.types import Candidate

NEVER_CODED = frozenset({"negated", "hypothetical"})
_FAMILY_Z = CodeSpec("Z80-Z84")
_HISTORY_Z = CodeSpec("Z85-Z87")


# A family history is coded when the note presents it as relevant (Section I.C.21.c.4): stated outside the
# family history section (a screening indication, the HPI, the assessment), or about the same condition
# (ICD-10-CM category) as one the patient has now. Otherwise its score is discounted below the usual threshold.
FAMILY_NOT_RELEVANT = 0.6


def apply(candidates: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    out: list[Candidate] = []
    current = {c.code for c in candidates if c.system == ICD and c.assertion in ("present", "possible")}
    for cand in candidates:
        if cand.assertion in NEVER_CODED:
            continue
        if cand.assertion == "family":
            for z in _family(cand, ctx):
                if not _family_relevant(cand, current):
                    z.score *= FAMILY_NOT_RELEVANT
                    add_rationale(z, "family history only in the family history section, unrelated to a current code")
                out.append(z)
        elif cand.assertion == "historical":
            out.extend(_historical(cand, ctx))
        else:
            out.append(cand)
    return out


def _family_relevant(cand: Candidate, current: set[str]) -> bool:
    """Stated outside the family history section, or of the same category as one of the patient's current codes."""
    if any(s not in HISTORY_SECTIONS for s in cand.sections):
        return True
    return any(code[:3] == cand.code[:3] for code in current)


def _history_score(cand: Candidate) -> float:
    """A history mentioned where history belongs is not discounted for its section: the Z code is its place."""
    if cand.sections and all(s in HISTORY_SECTIONS for s in cand.sections):
        return min(1.0, cand.score / section_weight(cand.sections) * HISTORY_SECTION_WEIGHT)
    return cand.score


def _family(cand: Candidate, ctx: GuidelineContext) -> list[Candidate]:
    if cand.system != ICD:
        return []
    if _FAMILY_Z.covers(cand.code):
        return [cand]
    row = lookup("family_history.tsv", cand.code)
    if row is None or not ctx.store.is_billable(ICD, row[1]):
        return []
    why = f"rule: family history of {cand.code} ({row[2]}) -> {row[1]} (Section I.C.21.c.4)"
    return [derive(cand, row[1], ctx, why, score=_history_score(cand))]


def _historical(cand: Candidate, ctx: GuidelineContext) -> list[Candidate]:
    if cand.system != ICD:
        return []  # a procedure done in the past is not a procedure of this encounter
    if _HISTORY_Z.covers(cand.code) or cand.code == "I25.2":
        return [cand]
    chronic = lookup("chronic_conditions.tsv", cand.code)
    if chronic is not None:
        add_rationale(cand, f"rule: chronic condition ({chronic[1]}) in past history still coded as current")
        return [cand]
    row = lookup("personal_history.tsv", cand.code)
    if row is None or not ctx.store.is_billable(ICD, row[1]):
        return []
    why = f"rule: personal history of {cand.code} ({row[2]}) -> {row[1]} (Section I.C.21.c.4)"
    return [derive(cand, row[1], ctx, why, score=_history_score(cand))]
