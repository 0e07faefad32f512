"""Builders of realistic candidates (real codes, titles from the store, spans into a note) for the rule tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cac.coding.guidelines import GuidelineContext
from cac.coding.types import Candidate, Span

ICD = "ICD-10-CM"


@pytest.fixture
def make(store) -> Callable[..., Candidate]:
    """make(code, evidence="text", note=..., score=..., assertion=...) -> Candidate with a real title and span."""

    def _make(
        code: str,
        evidence: str = "",
        note: str | None = None,
        score: float = 0.8,
        assertion: str = "present",
        system: str = ICD,
    ) -> Candidate:
        spans = []
        if evidence:
            start = note.lower().find(evidence.lower()) if note else 0
            assert start >= 0, f"{evidence!r} not in the note"
            spans = [Span(start, start + len(evidence), note[start : start + len(evidence)] if note else evidence)]
        return Candidate(
            system=system,
            code=code,
            title=store.title(system, code) or "",
            score=score,
            evidence=spans,
            assertion=assertion,
            rationale=f"index: {evidence}" if evidence else "",
            mention_text=evidence,
        )

    return _make


@pytest.fixture
def context(store) -> Callable[..., GuidelineContext]:
    def _context(setting: str = "outpatient", text: str | None = None) -> GuidelineContext:
        return GuidelineContext(setting=setting, note_type=None, store=store, text=text)

    return _context
