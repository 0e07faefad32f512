"""Small assertions helpers shared by the rule tests."""

from __future__ import annotations

from cac.coding.types import Candidate


def codes(cands: list[Candidate]) -> list[str]:
    return [c.code for c in cands]


def by_code(cands: list[Candidate], code: str) -> Candidate:
    return next(c for c in cands if c.code == code)
