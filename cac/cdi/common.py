"""Helpers shared by the CDI modules: the proposed code set of an engine result, note lines."""

from __future__ import annotations

import re
from typing import Any

from cac.coding.types import Span

ICD = "ICD-10-CM"
PROCEDURE_SYSTEMS = ("CPT", "HCPCS", "ICD-10-PCS")

# What a title leaves open or only groups by: ", unspecified trimester", "NOS", "without complications", "Other".
_OPEN_DETAIL = re.compile(
    r"\bunspecified whether\b.*$|(?:(?<=, )|(?<=of ))unspecified(?:\s+[a-z]+)?|\bunspecified\b"
    r"|\bNOS\b|\bwithout complications\b|^other\b",
    re.IGNORECASE,
)
_FUNCTION_WORDS = frozenset({"of", "the", "and", "or", "with", "in", "to", "a", "an", "specified"})


def concept_words(title: str) -> frozenset[str]:
    """The words naming a code title's condition, without what it leaves open: "Acidosis, unspecified" and
    "Other acidosis" both give {"acidosis"}."""
    words = re.findall(r"[a-z0-9]+", _OPEN_DETAIL.sub(" ", title).lower())
    return frozenset(w.removesuffix("s") for w in words if w not in _FUNCTION_WORDS)


def narrows(specific_title: str, general_title: str) -> bool:
    """True when ``specific_title`` names every word of ``general_title``'s condition (and so is a more specific
    form of it): "Basal cell carcinoma of skin of nose" narrows "Basal cell carcinoma of skin, unspecified"."""
    general = concept_words(general_title)
    return bool(general) and general <= concept_words(specific_title)


def proposed(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The suggestions at or above the result's threshold (the engine's proposed code set)."""
    threshold = float(result.get("threshold", 0.0))
    return [s for s in result.get("suggestions", []) if float(s.get("score", 1.0)) >= threshold]


def spans_of(suggestion: dict[str, Any]) -> list[Span]:
    return [Span(int(e["start"]), int(e["end"]), str(e["text"])) for e in suggestion.get("evidence", [])]


def line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The start and end of the line(s) holding ``text[start:end]``."""
    lo = text.rfind("\n", 0, start) + 1
    hi = text.find("\n", end)
    return lo, (len(text) if hi < 0 else hi)


def span_at(text: str, start: int, end: int) -> Span:
    return Span(start, end, text[start:end])
