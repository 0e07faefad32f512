"""Codes a rule family removes stay in the ranked list, held and flagged, when the context collects them;
negated, hypothetical and family conditions never do."""

from __future__ import annotations

from cac.coding.guidelines import SET_ASIDE, GuidelineContext, apply_guidelines
from cac.coding.guidelines.common import HELD_SCORE, SET_ASIDE_FACTOR, is_held
from tests.coding.guidelines.helpers import codes

NOTE = (
    "CC: cough and fever x3 days.\nHPI: seizure 2 weeks ago, none since. Brother with strep throat.\n"
    "ASSESSMENT: Probable community-acquired pneumonia. No pulmonary embolism.\n"
)


def _context(store, setting: str = "outpatient") -> GuidelineContext:
    return GuidelineContext(setting=setting, store=store, text=NOTE, set_aside=[])


def _cands(make):
    return [
        make("J18.9", "pneumonia", NOTE, score=0.85, assertion="possible"),
        make("R05.9", "cough", NOTE, score=0.7),
        make("R56.9", "seizure", NOTE, score=0.75, assertion="historical"),
        make("J02.0", "strep throat", NOTE, score=0.8, assertion="family"),
        make("I26.99", "pulmonary embolism", NOTE, score=0.8, assertion="negated"),
    ]


def test_an_uncertain_outpatient_diagnosis_is_set_aside_below_the_threshold(make, store):
    ctx = _context(store)
    out = apply_guidelines(_cands(make), ctx)
    assert "J18.9" not in [c.code for c in out] and "R05.9" in codes(out)
    assert ctx.set_aside is not None
    aside = {c.code: c for c in ctx.set_aside}
    pneumonia = aside["J18.9"]
    assert SET_ASIDE in pneumonia.flags and is_held(pneumonia.rationale)
    assert "not reported by the uncertainty rules" in pneumonia.rationale
    assert pneumonia.score <= HELD_SCORE * SET_ASIDE_FACTOR
    span = pneumonia.evidence[0]
    assert NOTE[span.start : span.end] == "pneumonia"


def test_a_past_condition_without_a_history_code_is_set_aside(make, store):
    ctx = _context(store)
    apply_guidelines(_cands(make), ctx)
    aside = {c.code: c for c in ctx.set_aside or []}
    assert "R56.9" in aside and "not reported by the assertion rules" in aside["R56.9"].rationale
    assert NOTE[aside["R56.9"].evidence[0].start : aside["R56.9"].evidence[0].end] == "seizure"


def test_negated_hypothetical_and_family_conditions_are_never_set_aside(make, store):
    ctx = _context(store)
    cands = _cands(make) + [make("R07.9", "chest pain", "If chest pain recurs, return.", assertion="hypothetical")]
    out = apply_guidelines(cands, ctx)
    listed = {c.code for c in out} | {c.code for c in ctx.set_aside or []}
    assert not listed & {"J02.0", "I26.99", "R07.9"}


def test_without_a_set_aside_list_the_rules_report_as_before(make, store):
    plain = apply_guidelines(_cands(make), GuidelineContext(setting="outpatient", store=store, text=NOTE))
    collected = apply_guidelines(_cands(make), _context(store))
    assert [(c.code, c.score) for c in plain] == [(c.code, c.score) for c in collected]
    assert not any(SET_ASIDE in c.flags for c in plain)
