"""Building procedure candidates: valid codes only, evidence that slices the note, attributes in the rationale."""

from __future__ import annotations

import re
from typing import Any

from cac.coding.types import Candidate, Span

SOURCE = "rule"


def span(text: str, start: int, end: int) -> Span:
    """A Span of the note, trimmed of surrounding white space."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end, text[start:end])


def attributes_text(attrs: dict[str, Any]) -> str:
    """``approach: laparoscopic; units: 2`` from the extracted attributes (empty values left out)."""
    return "; ".join(f"{k}: {v}" for k, v in attrs.items() if v not in (None, "", []))


def make_candidate(
    store: Any,
    system: str,
    code: str,
    score: float,
    evidence: list[Span],
    rationale: str,
    attrs: dict[str, Any] | None = None,
    flags: list[str] | None = None,
    sections: list[str] | None = None,
) -> Candidate | None:
    """A candidate for ``code``, or None when the code is not in the active release of ``system``."""
    if not store.is_valid(system, code):
        return None
    attr_text = attributes_text(attrs or {})
    full = rationale + (f" [{attr_text}]" if attr_text else "")
    evidence = sorted({(s.start, s.end): s for s in evidence if s.end > s.start}.values(), key=lambda s: s.start)
    return Candidate(
        system=system,
        code=code,
        title=store.title(system, code) or "",
        score=max(0.0, min(1.0, score)),
        evidence=evidence,
        assertion="present",
        sections=sorted(set(sections or [])),
        source=SOURCE,
        rationale=full,
        flags=list(flags or []),
        mention_text=evidence[0].text if evidence else "",
    )


_LATERALITY = (
    ("bilateral", re.compile(r"\b(bilateral(ly)?|both)\b", re.I)),
    ("right", re.compile(r"\b(right|rt\.?|R)\b(?![-/])", re.I)),
    ("left", re.compile(r"\b(left|lt\.?|L)\b(?![-/])", re.I)),
)


def laterality(text: str) -> str | None:
    """right / left / bilateral from a phrase, when it says."""
    for name, pattern in _LATERALITY:
        if pattern.search(text):
            return name
    return None


def merge(cands: list[Candidate]) -> list[Candidate]:
    """One candidate per (system, code): the best score, all evidence."""
    out: dict[tuple[str, str], Candidate] = {}
    for c in cands:
        key = (c.system, c.code)
        if key not in out:
            out[key] = c
            continue
        kept = out[key]
        spans = {(s.start, s.end): s for s in kept.evidence + c.evidence}
        kept.evidence = sorted(spans.values(), key=lambda s: s.start)
        if c.score > kept.score:
            kept.score, kept.rationale, kept.flags = c.score, c.rationale, c.flags
    return list(out.values())
