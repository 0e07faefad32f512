"""The engine on made-up snippets written as transcribed notes are (second MTSamples review): a risk talk, a
service named like a condition, a differential list, a stray comma in an allergy list, anatomy words that are no
conditions, and lifelong conditions of the past history."""

from __future__ import annotations

import pytest

from tests.coding.helpers import reported, spans


def mention(result: dict, text: str) -> dict:
    return next(m for m in result["mentions"] if m["text"].lower() == text.lower())


def test_complications_explained_before_surgery_are_risks(engine, imported):
    if not imported:
        pytest.skip("needs the Alphabetic Index from ../shared/data")
    text = (
        "ASSESSMENT: Symptomatic cholelithiasis.\n"
        "PLAN: Laparoscopic cholecystectomy. I explained to him the complications including bleeding, wound "
        "infection, need for re-operation, deep vein thrombosis, pulmonary embolism, sepsis and pneumonia.\n"
    )
    result = engine.suggest(text, setting="outpatient", note_type="consult")
    codes = reported(result)
    assert not {"A41.9", "J18.9", "I26.99", "I82.409"} & set(codes), codes.keys()
    assert mention(result, "pneumonia")["assertion"] == "hypothetical"
    assert "K80.20" in codes and spans(text, codes["K80.20"]) == ["cholelithiasis"]


def test_a_procedure_without_complications_is_no_risk_talk(engine, imported):
    if not imported:
        pytest.skip("needs the Alphabetic Index from ../shared/data")
    text = (
        "PROCEDURE: Colonoscopy.\nFINDINGS: The procedure was completed without complications and the findings "
        "were discussed with the patient: sigmoid diverticulosis.\n"
    )
    result = engine.suggest(text, setting="outpatient", note_type="procedure_note")
    found = [m for m in result["mentions"] if "diverticulosis" in m["text"].lower()]
    assert found and all(m["assertion"] == "present" for m in found)


def test_a_service_named_like_a_condition(engine, imported):
    if not imported:
        pytest.skip("needs the Alphabetic Index from ../shared/data")
    text = (
        "HOSPITAL COURSE: Discussed with infectious disease, Dr. Lee, who advised no treatment. The Infectious "
        "Disease doctor will follow.\nDISCHARGE DIAGNOSES: Cellulitis of the right leg.\n"
    )
    codes = reported(engine.suggest(text, setting="inpatient", note_type="discharge_summary"))
    assert "B99.9" not in codes, codes.keys()


def test_a_differential_list_is_no_diagnosis(engine, imported):
    if not imported:
        pytest.skip("needs the Alphabetic Index from ../shared/data")
    text = (
        "CHIEF COMPLAINT: Left-sided weakness.\nDIFFERENTIAL DIAGNOSES: Stroke, brain tumor, Todd paralysis.\n"
        "IMPRESSION: Intracerebral hemorrhage.\n"
    )
    result = engine.suggest(text, setting="emergency", note_type="ed_note")
    codes = reported(result)
    assert "I63.9" not in codes and "I61.9" in codes, codes.keys()
    assert mention(result, "stroke")["assertion"] == "possible"


def test_an_allergy_list_with_a_stray_comma(engine, imported):
    if not imported:
        pytest.skip("needs the Alphabetic Index from ../shared/data")
    text = "CHIEF COMPLAINT: Cough.\nALLERGIES: ,Penicillin.\nASSESSMENT: Acute bronchitis.\n"
    codes = reported(engine.suggest(text, setting="outpatient", note_type="progress_note"))
    assert "Z88.0" in codes, codes.keys()
    assert spans(text, codes["Z88.0"])[0].endswith("Penicillin")


def test_anatomy_and_exam_words_are_no_conditions(engine, imported):
    if not imported:
        pytest.skip("needs the Alphabetic Index from ../shared/data")
    text = (
        "EXAM: Tenderness over the scaphoid tubercle. Good dentition. Normal compression of the popliteal vein. "
        "Low density in the white matter. Intellect and personality preserved.\n"
        "ASSESSMENT: His heart disease is secondary to long term hypertension.\nPLAN: Follow up.\n"
    )
    codes = reported(engine.suggest(text, setting="outpatient", note_type="consult"))
    assert not {"A18.09", "K00.7", "I87.1", "R92.30", "F60.9", "Z79.4", "Z79.810"} & set(codes), codes.keys()


def test_lifelong_conditions_and_glued_enumerators_of_the_past_history(engine, imported):
    if not imported:
        pytest.skip("needs the Alphabetic Index from ../shared/data")
    text = "CC: Headache.\nPMH: 1)Myasthenia gravis for 15 years. 2)HTN.\nIMPRESSION: Tension headache.\n"
    codes = reported(engine.suggest(text, setting="outpatient", note_type="consult"))
    assert {"G70.00", "I10"} <= set(codes), codes.keys()
    assert spans(text, codes["G70.00"]) == ["Myasthenia gravis"]


def test_phrases_the_index_spells_otherwise(engine, imported):
    if not imported:
        pytest.skip("needs the Alphabetic Index from ../shared/data")
    text = (
        "DISCHARGE DIAGNOSES:\n1. Anemia of chronic disease.\n2. Leukemoid reaction.\n3. Protein malnourishment.\n"
        "4. Pneumatosis coli.\n5. Blood in the stool.\n"
    )
    codes = reported(engine.suggest(text, setting="inpatient", note_type="discharge_summary"))
    assert {"D63.8", "D72.823", "E46", "K63.89", "K92.1"} <= set(codes), codes.keys()
    assert "D64.9" not in codes
    assert spans(text, codes["D63.8"]) == ["Anemia of chronic disease"]
