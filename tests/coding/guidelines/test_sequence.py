"""Guideline sequencing and the whole pipeline on a realistic inpatient note."""

from __future__ import annotations

import pytest

from cac.coding.guidelines import FAMILIES, GuidelineContext, apply_guidelines, principal_first
from tests.coding.guidelines.helpers import by_code, codes

DISCHARGE = """DISCHARGE DIAGNOSES:
1. Acute on chronic diastolic heart failure.
2. Hypertension.
3. Type 2 diabetes mellitus with CKD stage 4.
4. Possible community-acquired pneumonia.
5. No evidence of pulmonary embolism.
HISTORY: prostate cancer s/p prostatectomy 2012. Family history of colon cancer (father).
SYMPTOMS ON ADMISSION: shortness of breath, cough, lower extremity edema.
"""


def test_sepsis_first_then_manifestation_after_etiology(make, context):
    cands = [
        make("N39.0", "UTI", score=0.95),
        make("A41.9", "sepsis", score=0.7),
        make("F02.80", "dementia", score=0.9),
        make("G30.9", "Alzheimer", score=0.5),
    ]
    out = principal_first(cands, context())
    assert codes(out) == ["A41.9", "N39.0", "G30.9", "F02.80"]


def test_family_order_is_documented():
    assert [name for name, _ in FAMILIES] == [
        "sequelae",
        "assertion",
        "uncertainty",
        "status",
        "detail",
        "specificity",
        "injury",
        "combination",
        "symptoms",
        "pregnancy",
        "encounter",
        "excludes1",
        "pairs",
    ]


def test_whole_pipeline_on_a_discharge_summary(make, context):
    note = DISCHARGE
    cands = [
        make("I50", "Acute on chronic diastolic heart failure", note, score=0.9),
        make("I10", "Hypertension", note, score=0.85),
        make("E11.9", "Type 2 diabetes mellitus", note, score=0.88),
        make("N18", "CKD stage 4", note, score=0.8),
        make("J18.9", "community-acquired pneumonia", note, score=0.75, assertion="possible"),
        make("I26.99", "pulmonary embolism", note, score=0.7, assertion="negated"),
        make("C61", "prostate cancer", note, score=0.7, assertion="historical"),
        make("C18.9", "colon cancer", note, score=0.6, assertion="family"),
        make("R06.02", "shortness of breath", note, score=0.7),
        make("R05.9", "cough", note, score=0.7),
        make("R60.0", "lower extremity edema", note, score=0.65),
    ]
    before = [(c.code, c.rationale) for c in cands]
    out = apply_guidelines(cands, context("inpatient", note))
    assert sorted(codes(out)) == ["E11.22", "I13.0", "I50.33", "J18.9", "N18.4", "Z80.0", "Z85.46"]
    assert "hypertension with heart failure and CKD -> I13.0" in by_code(out, "I13.0").rationale
    assert "uncertain" in by_code(out, "J18.9").flags
    assert codes(out).index("I13.0") < codes(out).index("I50.33")  # code first I13.0 before the I50 code
    assert codes(out).index("E11.22") < codes(out).index("N18.4")
    assert [(c.code, c.rationale) for c in cands] == before  # the input is not modified


def test_context_rejects_an_unknown_setting(store):
    with pytest.raises(ValueError, match="unknown setting"):
        GuidelineContext(setting="clinic", store=store)
    assert GuidelineContext(setting="emergency", store=store).entry("E11.99") is None


def test_etiology_cycle_keeps_every_code(monkeypatch, context):
    """Two codes that each name the other as etiology (a cycle) must both survive sequencing."""
    from cac.coding.guidelines import sequence
    from cac.coding.types import Candidate, Span

    a = Candidate("ICD-10-CM", "E11.22", "a", 0.9, [Span(0, 1, "a")])
    b = Candidate("ICD-10-CM", "N18.31", "b", 0.8, [Span(2, 3, "b")])
    monkeypatch.setattr(sequence, "etiologies", lambda cand, ordered, ctx: [b] if cand is a else [a])
    assert {c.code for c in sequence.principal_first([a, b], context())} == {"E11.22", "N18.31"}
