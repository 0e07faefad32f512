"""Uncertain diagnoses: not coded outpatient/ED (symptoms are), coded as established inpatient."""

from __future__ import annotations

import pytest

from cac.coding.guidelines import GuidelineContext, apply_guidelines, uncertainty
from tests.coding.guidelines.helpers import by_code, codes

NOTE = "CC: cough and fever x3 days.\nASSESSMENT: Probable community-acquired pneumonia."


def _cands(make):
    return [
        make("J18.9", "pneumonia", NOTE, score=0.85, assertion="possible"),
        make("R05.9", "cough", NOTE, score=0.7),
        make("R50.9", "fever", NOTE, score=0.7),
    ]


@pytest.mark.parametrize("setting", ["outpatient", "emergency"])
def test_outpatient_and_ed_code_the_symptoms_not_the_uncertain_diagnosis(make, context, setting):
    out = apply_guidelines(_cands(make), context(setting, NOTE))
    assert sorted(codes(out)) == ["R05.9", "R50.9"]


def test_inpatient_codes_the_uncertain_diagnosis_as_established(make, context):
    out = apply_guidelines(_cands(make), context("inpatient", NOTE))
    assert codes(out) == ["J18.9"]  # cough and fever are integral to the pneumonia
    pneumonia = by_code(out, "J18.9")
    assert "uncertain" in pneumonia.flags
    assert "uncertain diagnosis coded as established (inpatient, Section II.H)" in pneumonia.rationale
    assert "R05.9" in pneumonia.rationale and "R50.9" in pneumonia.rationale


def test_uncertainty_rule_leaves_confirmed_codes_alone(make, context):
    present = make("I10", "hypertension")
    out = uncertainty.apply([present, make("I21.4", "r/o NSTEMI", assertion="possible")], context("emergency"))
    assert out == [present] and present.rationale == "index: hypertension"


def test_inpatient_does_not_code_a_diagnosis_the_provider_finds_unlikely(make, context):
    note = "# Troponin flat, demand ischemia unlikely; no ACS.\n# Probable pneumonia."
    cands = [
        make("I24.89", "demand ischemia", note, score=0.85, assertion="possible"),
        make("J18.9", "pneumonia", note, score=0.85, assertion="possible"),
    ]
    assert codes(uncertainty.apply(cands, context("inpatient", note))) == ["J18.9"]


def _in(cand, *sections):
    cand.sections = list(sections)
    return cand


def test_inpatient_the_reason_for_a_work_up_is_held(make, context):
    note = "HPI: 66 yo man admitted to evaluate for PE after a long drive.\nDischarge diagnoses: dyspnea."
    pe = _in(make("I26.99", "PE", note, assertion="possible"), "history_of_present_illness")
    out = uncertainty.apply([pe], context("inpatient", note))
    assert codes(out) == [] and "reason for a work-up" in pe.rationale


def test_inpatient_a_condition_ruled_out_later_is_held(make, context):
    note = "HPI: chest pain, possible MI.\nCourse: troponins flat, MI ruled out.\nDischarge diagnoses: chest pain."
    mi = make("I21.9", "MI", note, assertion="possible")
    out = uncertainty.apply([mi], context("inpatient", note))
    assert codes(out) == [] and "ruled the diagnosis out" in mi.rationale


def test_inpatient_a_rule_out_diagnosis_at_discharge_is_still_coded(make, context):
    note = "HPI: fever and cough.\nCXR: negative for effusion, shows infiltrate.\nDischarge diagnoses: r/o pneumonia."
    pna = _in(make("J18.9", "pneumonia", note, assertion="possible"), "discharge_diagnoses")
    assert codes(uncertainty.apply([pna], context("inpatient", note))) == ["J18.9"]


def test_a_ruled_out_word_before_another_condition_rules_nothing_out(make, context):
    note = "Admitted with possible pneumonia.\nCT negative for PE but showed pneumonia.\nImpression: pneumonia."
    pna = _in(make("J18.9", "pneumonia", note, assertion="possible"), "impression")
    assert codes(uncertainty.apply([pna], context("inpatient", note))) == ["J18.9"]


@pytest.mark.parametrize(("note_type", "coded"), [("radiology_report", []), ("discharge_summary", ["I62.9"])])
def test_inpatient_imaging_report_does_not_code_what_it_is_asked_to_look_for(make, store, note_type, coded):
    """ "Evaluate for intracranial hemorrhage" in an inpatient CT's indication is no diagnosis at discharge."""
    note = "Indication: new confusion after a fall. Evaluate for intracranial hemorrhage."
    cand = make("I62.9", "intracranial hemorrhage", note, assertion="possible")
    cand.sections = ["impression"]  # stated where a diagnosis stands, so no mere reason for a work-up
    ctx = GuidelineContext(setting="inpatient", note_type=note_type, store=store, text=note)
    assert codes(uncertainty.apply([cand], ctx)) == coded
