"""Helpers for the procedure coding tests: run the NLP and the proposer on a short note."""

from __future__ import annotations

import pytest

from cac.coding.procedures import propose_procedures
from cac.coding.types import Candidate


@pytest.fixture(scope="session")
def propose(store):
    """propose(text, setting="outpatient", note_type=None) -> {code: Candidate}, evidence checked against text."""
    from cac.nlp import analyze

    def run(text: str, setting: str = "outpatient", note_type: str | None = None) -> dict[str, Candidate]:
        cands = propose_procedures(text, analyze(text), setting, note_type, store)
        for c in cands:
            assert store.is_valid(c.system, c.code), (c.system, c.code)
            assert 0.0 <= c.score <= 1.0
            assert c.evidence, c.code
            for e in c.evidence:
                assert text[e.start : e.end] == e.text
        return {c.code: c for c in cands}

    return run


@pytest.fixture(scope="session")
def hcpcs(imported):
    """Skip when the HCPCS release was not imported into the session store."""
    if not imported:
        pytest.skip("HCPCS release not imported (../shared/data/codesets absent)")
