"""Assertion rules: negated and hypothetical mentions never code; family and past history become Z codes.

Section I.C.21.c.4 (history codes): family history -> Z80-Z84; a resolved past condition -> Z85-Z87 (or
I25.2 for an old MI); a chronic condition documented in the past history that still affects care stays coded.
"""

from __future__ import annotations

import re
from dataclasses import replace

from cac.coding.guidelines.common import ICD, CodeSpec, add_rationale, derive, lookup
from cac.coding.guidelines.context import GuidelineContext
from cac.coding.rank import HISTORY_SECTION_WEIGHT, HISTORY_SECTIONS, section_weight
from cac.coding.types import Candidate, Span

NEVER_CODED = frozenset({"negated", "hypothetical"})
_FAMILY_Z = CodeSpec("Z80-Z84")
_HISTORY_Z = CodeSpec("Z85-Z87")


# A family history is coded when the note presents it as relevant (Section I.C.21.c.4, GUIDE.md 2.2): an explicit
# "family history of X" statement; a heritable risk stated outside the history sections (a screening indication,
# the HPI, risk factors, the assessment); or a heritable risk in the family history section that bears on a
# current or past condition of the patient of the same organ system (``family_history.tsv``, kind and related).
# A relative's condition the note does not present as relevant is not coded; a relative's acute infection is an
# exposure, never a family history.
_EXPLICIT_FAMILY = re.compile(
    r"\b(?:family\s+(?:history|hx)|FHx|FH)\s*(?:of|for|is\s+(?:significant|positive|notable)\s+for|"
    r"(?:significant|positive|notable|remarkable)\s+for|includes?|[:-]\s*(?:strong|significant|positive)\b)"
    r"|\b(?:strong|significant|positive|\+)\s+(?:family\s+(?:history|hx)|FHx|FH)\b",
    re.IGNORECASE,
)
RELATIVE = re.compile(
    r"\b(?:(?:maternal|paternal)\s+)?(?:(?:great[- ])?grand(?:mother|father|parents?)|mother|father|mom|dad|"
    r"sister|brother|siblings?|aunt|uncle|cousin|daughter|son|parents?|twin)(?:'s)?\b",
    re.IGNORECASE,
)
# Where the words about one relative's condition end: a sentence or clause end, a blank line, a new header.
_FAMILY_CUT = re.compile(r"[.;](?:\s|$)|\n\s*\n|\n(?=\s*[A-Z][A-Za-z /&]{0,30}:)")
# How far (characters, within _FAMILY_CUT) the relative or the "family history of" words may stand from the mention.
_FAMILY_REACH = 60


def apply(candidates: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    out: list[Candidate] = []
    # the patient's conditions a relative's may bear on: current ones, and past cancers (surveillance, screening)
    current = {
        c.code
        for c in candidates
        if c.system == ICD
        and (c.assertion in ("present", "possible") or (c.assertion == "historical" and c.code[0] == "C"))
    }
    if any(c.assertion == "family" for c in candidates):
        # the encounter's reasons read from the note's words (screening colonoscopy -> Z12.11) count as well
        from cac.coding.guidelines import status  # status reads this module's RELATIVE

        current |= {c.code for c in status.apply([], ctx) if c.system == ICD}
    for cand in candidates:
        if cand.assertion in NEVER_CODED:
            continue
        if cand.assertion == "family":
            out.extend(_family(cand, ctx, current))
        elif cand.assertion == "historical":
            out.extend(_historical(cand, ctx))
        else:
            out.append(cand)
    return out


def _family_words(text: str, span: Span) -> tuple[Span, bool]:
    """The mention's span stretched over its relative or "family history of" words on the same line
    ("Mother with breast cancer", "Family history of colon cancer (father"), and whether the words say
    "family history of" explicitly."""
    lo = max(0, span.start - _FAMILY_REACH)
    cuts = list(_FAMILY_CUT.finditer(text, lo, span.start))
    lo = cuts[-1].end() if cuts else lo
    cut_after = _FAMILY_CUT.search(text, span.end, span.end + _FAMILY_REACH)
    hi = cut_after.start() if cut_after else min(len(text), span.end + _FAMILY_REACH)
    before = text[lo : span.start]
    explicit = list(_EXPLICIT_FAMILY.finditer(before))
    relatives_before = list(RELATIVE.finditer(before))
    start, end = span.start, span.end
    if explicit:
        start = lo + explicit[-1].start()
    elif relatives_before:
        start = lo + relatives_before[-1].start()
    after = RELATIVE.search(text, span.end, hi)
    if after and not relatives_before:
        end = after.end()
    if start == span.start and end == span.end:
        return span, bool(explicit)
    return Span(start, end, text[start:end]), bool(explicit)


def _family_relevance(cand: Candidate, row: tuple[str, ...], explicit: bool, current: set[str]) -> str | None:
    """Why the family history is coded, or None when the note does not present it as relevant."""
    kind = row[3] if len(row) > 3 else "risk"
    if kind == "never":
        return None
    if explicit:
        return "stated as a family history"
    if kind != "risk":
        return None
    if not cand.sections or any(s not in HISTORY_SECTIONS for s in cand.sections):
        return "stated outside the family history section"
    related = [CodeSpec(s) for s in (row[4] if len(row) > 4 else "").split(",") if s.strip()]
    same = sorted(c for c in current if any(spec.covers(c) for spec in related))
    if same:
        return f"bears on the patient's {same[0]}"
    return None


def _history_score(cand: Candidate) -> float:
    """A history mentioned where history belongs is not discounted for its section: the Z code is its place."""
    if cand.sections and all(s in HISTORY_SECTIONS for s in cand.sections):
        return min(1.0, cand.score / section_weight(cand.sections) * HISTORY_SECTION_WEIGHT)
    return cand.score


def _family(cand: Candidate, ctx: GuidelineContext, current: set[str]) -> list[Candidate]:
    if cand.system != ICD:
        return []
    text = ctx.text or ""
    found = [_family_words(text, e) for e in cand.evidence] if text else [(e, False) for e in cand.evidence]
    explicit = any(flag for _, flag in found)
    evidence = sorted({span for span, _ in found}, key=lambda s: s.start)
    if _FAMILY_Z.covers(cand.code):
        return [replace(cand, evidence=evidence or list(cand.evidence))]
    row = lookup("family_history.tsv", cand.code)
    if row is None or not ctx.store.is_billable(ICD, row[1]):
        return []
    relevant = _family_relevance(cand, row, explicit, current)
    if relevant is None:
        return []
    why = f"rule: family history of {cand.code} ({row[2]}) -> {row[1]}, {relevant} (Section I.C.21.c.4)"
    z = derive(cand, row[1], ctx, why, score=_history_score(cand))
    z.evidence = evidence or z.evidence
    return [z]


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
