"""Helpers shared by the CDI modules: the proposed code set of an engine result, note lines."""

from __future__ import annotations

from typing import Any

from cac.coding.types import Span

ICD = "ICD-10-CM"
PROCEDURE_SYSTEMS = ("CPT", "HCPCS", "ICD-10-PCS")


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
