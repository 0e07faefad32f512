"""Small assertions helpers shared by the rule tests."""

from __future__ import annotations

from cac.coding.guidelines.common import HELD_SCORE, is_held
from cac.coding.types import Candidate


def codes(cands: list[Candidate]) -> list[str]:
    """The codes the rules report (those held below the threshold for review left out)."""
    return [c.code for c in cands if not is_held(c.rationale)]


def held(cands: list[Candidate]) -> list[str]:
    """The codes a rule kept in the list for review only, each scored at most HELD_SCORE."""
    out = [c for c in cands if is_held(c.rationale)]
    assert all(c.score <= HELD_SCORE for c in out)
    return [c.code for c in out]


def by_code(cands: list[Candidate], code: str) -> Candidate:
    return next(c for c in cands if c.code == code)
