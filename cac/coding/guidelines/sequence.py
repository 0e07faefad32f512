"""Guideline sequencing of a final code set (Section I.C.1.d.4, I.A.13): sepsis first, etiology before manifestation."""

from __future__ import annotations

from cac.coding.guidelines.common import CONFIRMED, ICD, load_yaml, specs
from cac.coding.guidelines.context import GuidelineContext
from cac.coding.guidelines.pairs import etiologies, is_manifestation
from cac.coding.types import Candidate


def _is_sepsis(cand: Candidate) -> bool:
    sepsis_specs = [s for s in specs(load_yaml("combination.yaml")["sepsis"]["codes"]) if s.text != "R65.2"]
    return cand.system == ICD and cand.assertion in CONFIRMED and any(s.covers(cand.code) for s in sepsis_specs)


def principal_first(candidates: list[Candidate], ctx: GuidelineContext | None = None) -> list[Candidate]:
    """Sepsis codes first, then by score; each manifestation right after its etiology, never first."""
    ctx = ctx or GuidelineContext()
    ordered = sorted(candidates, key=lambda c: (not _is_sepsis(c), -c.score, c.system, c.code))
    after: dict[int, list[Candidate]] = {}
    placed: list[Candidate] = []
    for cand in ordered:
        ets = etiologies(cand, ordered, ctx) if cand.system == ICD else []
        if ets:  # after the last of its etiologies
            last = max(ets, key=lambda e: next(i for i, o in enumerate(ordered) if o is e))
            after.setdefault(id(last), []).append(cand)
        else:
            placed.append(cand)
    result: list[Candidate] = []

    def put(c: Candidate) -> None:
        if any(c is r for r in result):
            return
        result.append(c)
        for m in after.pop(id(c), []):
            put(m)

    for cand in placed:
        put(cand)
    for waiting in list(after.values()):  # an etiology cycle: keep them, in score order
        for m in waiting:
            put(m)
    if result and result[0].system == ICD and is_manifestation(result[0].code, ctx):
        first_other = next(
            (i for i, c in enumerate(result) if not (c.system == ICD and is_manifestation(c.code, ctx))), None
        )
        if first_other is not None:
            result.insert(0, result.pop(first_other))
    return result
