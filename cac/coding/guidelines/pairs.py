"""'Code first' and 'use additional code' notes (Section I.A.13, I.B.7): etiology/manifestation pairs.

When a proposed code's note (its own or an ancestor's) names another proposed code, both are kept and the
etiology ("code first") is raised to at least the manifestation's score so the pair is suggested together and
sequenced etiology first. When the named companion is not proposed, nothing is added: the rationale carries a
hint ("code first: ..." always; "use additional code: ..." when the note text mentions what the note names).
"""

from __future__ import annotations

import re

from cac.coding.guidelines.coderefs import note_items, parse_refs
from cac.coding.guidelines.common import ICD, CodeSpec, add_rationale, covers_any, load_yaml, specs
from cac.coding.guidelines.context import GuidelineContext
from cac.coding.types import Candidate

_SEVERE_SEPSIS = CodeSpec("R65.2")
_STOP = frozenset(
    {
        "code",
        "codes",
        "identify",
        "using",
        "such",
        "applicable",
        "associated",
        "other",
        "additional",
        "underlying",
        "disease",
        "known",
        "condition",
        "conditions",
        "with",
        "without",
        "type",
        "from",
        "that",
        "this",
        "when",
        "where",
        "which",
        "cause",
        "history",
        "status",
        "appropriate",
    }
)


def note_texts(code: str, kind: str, ctx: GuidelineContext) -> list[str]:
    """The texts of one kind of note on ``code`` and its ancestors."""
    entry = ctx.entry(code)
    if entry is None:
        return []
    return list(entry.notes.get(kind, [])) + [n["text"] for n in entry.inherited_notes.get(kind, [])]


def is_manifestation(code: str, ctx: GuidelineContext) -> bool:
    """A code never sequenced first: "in diseases classified elsewhere", or 'code first underlying ...'."""
    entry = ctx.entry(code)
    title = entry.title.lower() if entry else ""
    if "classified elsewhere" in title:
        return True
    return any(t.lower().lstrip().startswith("underlying") for t in note_texts(code, "code_first", ctx))


def etiologies(cand: Candidate, candidates: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """The proposed codes that ``cand``'s "code first" notes ask to sequence before it."""
    refs = [r for t in note_texts(cand.code, "code_first", ctx) for r in parse_refs(t)]
    if _SEVERE_SEPSIS.covers(cand.code):  # "code first underlying infection": any sepsis code is one
        refs += specs(load_yaml("combination.yaml")["sepsis"]["codes"])
    return [o for o in candidates if o is not cand and o.system == ICD and covers_any(refs, o.code)]


def _documented(item_text: str, note: str) -> bool:
    """True when every content word of a note line (parentheses aside) occurs in the note text."""
    words = [w for w in re.findall(r"[a-z]+", re.sub(r"\([^)]*\)", " ", item_text.lower())) if len(w) > 3]
    words = [w for w in words if w not in _STOP]
    return bool(words) and all(re.search(rf"\b{re.escape(w)}", note) for w in words)


def apply(candidates: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    note = (ctx.text or "").lower()
    for cand in candidates:
        if cand.system != ICD:
            continue
        code_first = note_texts(cand.code, "code_first", ctx)
        if code_first:
            found = etiologies(cand, candidates, ctx)
            for et in found:
                if et.score < cand.score:
                    et.score = cand.score
                add_rationale(et, f"rule: code first {et.code} before {cand.code} (etiology/manifestation)")
                add_rationale(cand, f"rule: sequenced after {et.code} (code first note)")
            if not found and is_manifestation(cand.code, ctx):
                first_line = code_first[0].splitlines()[0].rstrip(":, ")
                add_rationale(cand, f"hint: code first {first_line} (not proposed)")
        for text in note_texts(cand.code, "use_additional_code", ctx):
            for item in note_items(text):
                if not item.specs:
                    continue
                partners = [
                    o for o in candidates if o is not cand and o.system == ICD and covers_any(list(item.specs), o.code)
                ]
                if partners:
                    add_rationale(cand, f"rule: use additional code {partners[0].code} (both kept)")
                elif note and _documented(item.text, note):
                    add_rationale(cand, f"hint: use additional code for {item.text} (documented, not proposed)")
    return candidates
