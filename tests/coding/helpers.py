"""Helpers of the coding tests: the ICD-10-CM codes a result reports at or above its threshold."""

from __future__ import annotations

from typing import Any


def reported(result: dict[str, Any], system: str = "ICD-10-CM") -> dict[str, dict[str, Any]]:
    """The suggestions of ``system`` at or above the result's threshold, by code."""
    return {s["code"]: s for s in result["suggestions"] if s["system"] == system and s["score"] >= result["threshold"]}


def coded(engine: Any, text: str, setting: str = "outpatient") -> dict[str, dict[str, Any]]:
    """The ICD-10-CM codes ``engine`` reports for ``text``, by code."""
    return reported(engine.suggest(text, setting=setting))


def spans(text: str, suggestion: dict[str, Any]) -> list[str]:
    """The evidence texts of a suggestion, each checked to slice the note at its offsets."""
    assert all(text[e["start"] : e["end"]] == e["text"] for e in suggestion["evidence"])
    return [e["text"] for e in suggestion["evidence"]]
