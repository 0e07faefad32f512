"""Excludes1 (Section I.A.12.a): two codes where one's Excludes1 note covers the other are never both coded.

The note may sit on the code or on any ancestor (category, block); its texts name codes as "(E10.-)",
"(P70.2)", "(N18.1-N18.6)" or "(E08-E13 with .42)". Of a conflicting pair the confirmed code is kept; a sign or symptom
(chapter 18, R codes) gives way to a diagnosis (Section I.B.5); a code whose own Excludes1 note sends the other's
condition elsewhere gives way to it within ``REDIRECTED_SCORES``; of two scores within ``CLOSE_SCORES`` the code
named by more of the note's words wins ("Reflux esophagitis" over "esophagitis", "HIV disease" over "HIV");
otherwise the higher-scoring, then more specific code. The other stays in the list held below the threshold.
"""

from __future__ import annotations

import re

from cac.coding.guidelines.coderefs import parse_refs
from cac.coding.guidelines.common import ICD, CodeSpec, add_rationale, bare, hold, is_held
from cac.coding.guidelines.context import GuidelineContext
from cac.coding.types import Candidate


def excludes1_specs(code: str, ctx: GuidelineContext, unqualified: bool = True) -> list[CodeSpec]:
    """Every code range the Excludes1 notes of ``code`` and its ancestors exclude (never the code itself).
    ``unqualified=False`` leaves out the notes about a condition "NOS" ("lumbar radiculitis NOS (M54.16)" under
    M51.1): they send the condition named without its cause elsewhere, not the combination this code names."""
    entry = ctx.entry(code)
    if entry is None:
        return []
    texts = list(entry.notes.get("excludes1", [])) + [n["text"] for n in entry.inherited_notes.get("excludes1", [])]
    out: list[CodeSpec] = []
    for text in texts:
        if not unqualified and _NOS.search(text):
            continue
        out.extend(s for s in parse_refs(text) if not s.covers(code))
    return out


_NOS = re.compile(r"\bNOS\b")


def conflicts(a: Candidate, b: Candidate, ctx: GuidelineContext) -> bool:
    return any(s.covers(b.code) for s in excludes1_specs(a.code, ctx)) or any(
        s.covers(a.code) for s in excludes1_specs(b.code, ctx)
    )


CLOSE_SCORES = 0.1


def _is_symptom(cand: Candidate) -> bool:
    return cand.code.startswith("R")


def _named_words(cand: Candidate) -> int:
    """How many words of the note name the code: the longest of its evidence spans."""
    return max((len(span.text.split()) for span in cand.evidence), default=0)


def _current(cand: Candidate) -> bool:
    """Present, or a chronic condition of the past history that the assertion rules still code as current."""
    return cand.assertion == "present" or "coded as current" in cand.rationale


# A reading of the whole words ("Ex-smoker") wins over a reading of a part of them ("smoker") unless it scores this
# much lower.
WHOLE_READING_SCORES = 0.35


def _reads_whole(challenger: Candidate, holder: Candidate) -> bool:
    """Whether every evidence span of holder lies inside a longer span of challenger: holder read a part of the words
    challenger reads whole ("smoker" in "Ex-smoker")."""
    if not holder.evidence or not challenger.evidence:
        return False
    return all(
        any(
            c.start <= h.start and h.end <= c.end and len(c.text) > len(h.text) and h.text.lower() in c.text.lower()
            for c in challenger.evidence
        )
        for h in holder.evidence
    )


def _prefer(challenger: Candidate, holder: Candidate, ctx: GuidelineContext) -> bool:
    """Whether challenger, considered after holder (a later position in the preference order), should replace it."""
    if (
        holder.score - challenger.score <= WHOLE_READING_SCORES
        and _reads_whole(challenger, holder)
        and not _reads_whole(holder, challenger)
    ):
        return True
    if _current(challenger) != _current(holder):
        return False
    if _is_symptom(challenger) != _is_symptom(holder):
        return False
    if holder.score - challenger.score <= REDIRECTED_SCORES and _redirects(holder, challenger, ctx):
        return True
    if _redirects(challenger, holder, ctx):
        return False  # the challenger's own note sends its condition to the holder (K81.1 -> K80.10)
    return holder.score - challenger.score <= CLOSE_SCORES and _named_words(challenger) > _named_words(holder)


# An Excludes1 note names the condition that is coded elsewhere: "J02 Acute pharyngitis, Excludes1: peritonsillar
# abscess (J36)" sends a documented peritonsillar abscess to J36. When only the holder's note names the challenger,
# the challenger wins unless it scores this much lower.
REDIRECTED_SCORES = 0.35


def _redirects(holder: Candidate, challenger: Candidate, ctx: GuidelineContext) -> bool:
    """Whether holder's Excludes1 notes send challenger's condition elsewhere, and not the other way round."""
    return any(s.covers(challenger.code) for s in excludes1_specs(holder.code, ctx)) and not any(
        s.covers(holder.code) for s in excludes1_specs(challenger.code, ctx, unqualified=False)
    )


def apply(candidates: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    icd = [c for c in candidates if c.system == ICD]
    preference = sorted(
        icd,
        key=lambda c: (
            is_held(c.rationale),
            not _current(c),
            _is_symptom(c),
            -c.score,
            -len(bare(c.code)),
            c.code,
        ),
    )
    kept: list[Candidate] = []
    held: dict[int, str] = {}
    for cand in preference:
        winner = next((k for k in kept if conflicts(k, cand, ctx)), None)
        if winner is None:
            kept.append(cand)
            continue
        loser = cand
        if _prefer(cand, winner, ctx) and not any(conflicts(k, cand, ctx) for k in kept if k is not winner):
            kept[kept.index(winner)] = cand
            winner, loser = cand, winner
        add_rationale(winner, f"rule: Excludes1 with {loser.code} ({loser.code} not coded, Section I.A.12.a)")
        held[id(loser)] = winner.code
    for cand in candidates:
        if id(cand) in held:
            hold(cand, f"rule: Excludes1 of {held[id(cand)]} (Section I.A.12.a)")
    return candidates
