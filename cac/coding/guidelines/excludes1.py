"""Excludes1 (Section I.A.12.a): two codes where one's Excludes1 note covers the other are never both coded.

The note may sit on the code or on any ancestor (category, block); its texts name codes as "(E10.-)",
"(P70.2)", "(N18.1-N18.6)" or "(E08-E13 with .42)". Of a conflicting pair the confirmed, then higher-scoring,
then more specific code is kept.
"""

from __future__ import annotations

from cac.coding.guidelines.coderefs import parse_refs
from cac.coding.guidelines.common import ICD, CodeSpec, add_rationale, bare
from cac.coding.guidelines.context import GuidelineContext
from cac.coding.types import Candidate


def excludes1_specs(code: str, ctx: GuidelineContext) -> list[CodeSpec]:
    """Every code range the Excludes1 notes of ``code`` and its ancestors exclude (never the code itself)."""
    entry = ctx.entry(code)
    if entry is None:
        return []
    texts = list(entry.notes.get("excludes1", [])) + [n["text"] for n in entry.inherited_notes.get("excludes1", [])]
    out: list[CodeSpec] = []
    for text in texts:
        out.extend(s for s in parse_refs(text) if not s.covers(code))
    return out


def conflicts(a: Candidate, b: Candidate, ctx: GuidelineContext) -> bool:
    return any(s.covers(b.code) for s in excludes1_specs(a.code, ctx)) or any(
        s.covers(a.code) for s in excludes1_specs(b.code, ctx)
    )


def apply(candidates: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    icd = [c for c in candidates if c.system == ICD]
    preference = sorted(icd, key=lambda c: (c.assertion != "present", -c.score, -len(bare(c.code)), c.code))
    kept: list[Candidate] = []
    dropped: set[int] = set()
    for cand in preference:
        winner = next((k for k in kept if conflicts(k, cand, ctx)), None)
        if winner is None:
            kept.append(cand)
            continue
        add_rationale(winner, f"rule: Excludes1 with {cand.code} ({cand.code} not coded, Section I.A.12.a)")
        dropped.add(id(cand))
    return [c for c in candidates if id(c) not in dropped]
