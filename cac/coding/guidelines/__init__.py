"""The ICD-10-CM Official Guidelines for Coding and Reporting as explicit rules over a note's candidates.

``apply_guidelines(candidates, GuidelineContext(setting=..., store=..., text=...))`` runs one pure rule
family after the other, in this order (each change is appended to the candidate's ``rationale``):

0. ``sequelae``    a deficit remaining from an old stroke -> I69.- (Section I.C.9.d), not Z86.73 + the deficit.
1. ``assertion``   negated/hypothetical dropped; family -> Z80-Z84; past history -> Z85-Z87 unless chronic; a
                   reaction in an allergy list and a disease named in a list of vaccines are no conditions.
2. ``uncertainty`` "possible" diagnoses: dropped outpatient/ED, coded as established inpatient.
   ``status``      status, long-term drug therapy and history Z codes read from the note's words; tobacco
                   dependence (F17.2-) and breast density (R92.3-) statements.
   ``detail``      heart failure, respiratory failure, pulmonary hypertension, influenza detail from every clause.
3. ``specificity`` only billable codes; non-billable codes extended to the documented detail; 7th character.
   ``injury``      fractures, wounds, sprains coded from their clause (site, side, displacement, 7th character).
4. ``combination`` diabetes, hypertension, COPD, sepsis combination codes.
5. ``symptoms``    signs and symptoms integral to a confirmed diagnosis dropped.
   ``pregnancy``   chapter 15 codes first in a pregnant patient, by trimester or childbirth (Section I.C.15).
   ``encounter``   aftercare, follow-up and counseling Z codes only from the reason for the visit; a well-child
                   or newborn check -> Z00.1-.
6. ``excludes1``   never both codes of an Excludes1 pair.
7. ``pairs``       "code first" / "use additional code" pairs kept together (etiology score >= manifestation).

The result is then ordered by ``sequence.principal_first`` (sepsis first, etiology before manifestation).

A billable code of the patient's own condition (present, possible, historical) that a family removes, and no later
family brings back, is collected in ``ctx.set_aside`` when the context has that list: held below the threshold
and flagged ``set_aside``, for the coder's review and the ranked list (R@15). Negated, hypothetical and family
mentions are never set aside.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from cac.coding.guidelines import (
    assertion,
    combination,
    detail,
    encounter,
    excludes1,
    injury,
    pairs,
    pregnancy,
    specificity,
    status,
    symptoms,
    uncertainty,
)
from cac.coding.guidelines.common import (
    CONFIRMED,
    ICD,
    SET_ASIDE,
    SET_ASIDE_FACTOR,
    add_flag,
    hold,
    merge_duplicates,
)
from cac.coding.guidelines.context import GuidelineContext
from cac.coding.guidelines.sequence import principal_first
from cac.coding.types import Candidate

Rule = Callable[[list[Candidate], GuidelineContext], list[Candidate]]

FAMILIES: tuple[tuple[str, Rule], ...] = (
    ("sequelae", combination.stroke_sequelae),
    ("assertion", assertion.apply),
    ("uncertainty", uncertainty.apply),
    ("status", status.apply),
    ("detail", detail.apply),
    ("specificity", specificity.apply),
    ("injury", injury.apply),
    ("combination", combination.apply),
    ("symptoms", symptoms.apply),
    ("pregnancy", pregnancy.apply),
    ("encounter", encounter.apply),
    ("excludes1", excludes1.apply),
    ("pairs", pairs.apply),
)


_BEFORE_ASSERTION = frozenset({"sequelae"})


def apply_guidelines(candidates: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """The candidates after every rule family, in guideline sequence; the input list is not modified.
    ``ctx.set_aside``, when a list, receives the removed codes worth the coder's eye (held, flagged, see above)."""
    out = [replace(c, evidence=list(c.evidence), sections=list(c.sections), flags=list(c.flags)) for c in candidates]
    out = merge_duplicates(out, keep_history_apart=True)
    removed: dict[str, tuple[str, Candidate]] = {}
    for name, rule in FAMILIES:
        before = out
        # before the assertion rules a past or family mention stays apart from a current one of the same code
        out = merge_duplicates(rule(out, ctx), keep_history_apart=name in _BEFORE_ASSERTION)
        if ctx.set_aside is not None:
            _note_removed(before, out, name, ctx, removed)
    if ctx.set_aside is not None:
        ctx.set_aside.extend(_held_set_aside(removed, out))
    return principal_first(out, ctx)


def _note_removed(
    before: list[Candidate],
    after: list[Candidate],
    family: str,
    ctx: GuidelineContext,
    removed: dict[str, tuple[str, Candidate]],
) -> None:
    """Record the billable ICD-10-CM codes of the patient's own conditions that ``family`` removed (first removal)."""
    kept = {c.code for c in after if c.system == ICD}
    for cand in before:
        if (
            cand.system == ICD
            and cand.code not in kept
            and cand.code not in removed
            and cand.assertion in CONFIRMED
            and ctx.store.is_billable(ICD, cand.code)
        ):
            removed[cand.code] = (family, cand)


def _held_set_aside(removed: dict[str, tuple[str, Candidate]], final: list[Candidate]) -> list[Candidate]:
    """The removed codes no later family brought back, held below the threshold and flagged ``set_aside``."""
    present = {c.code for c in final if c.system == ICD}
    out = []
    for code, (family, cand) in removed.items():
        if code in present:
            continue
        held = replace(cand, evidence=list(cand.evidence), sections=list(cand.sections), flags=list(cand.flags))
        hold(held, f"rule: not reported by the {family} rules")
        held.score *= SET_ASIDE_FACTOR  # behind the codes a rule held for review
        add_flag(held, SET_ASIDE)
        out.append(held)
    return out


__all__ = ["FAMILIES", "SET_ASIDE", "GuidelineContext", "apply_guidelines", "principal_first"]
