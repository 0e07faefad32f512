"""Section header detection."""

from __future__ import annotations

import pytest

from cac.nlp.sections import find_sections, header_names


def names(text: str) -> list[str]:
    return [s.name for s in find_sections(text)]


def test_lexicon_has_many_variants() -> None:
    assert len(header_names()) >= 40


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("CHIEF COMPLAINT:", "chief_complaint"),
        ("History of Present Illness:", "history_of_present_illness"),
        ("HPI:", "history_of_present_illness"),
        ("PAST MEDICAL HISTORY:", "past_medical_history"),
        ("PMH:", "past_medical_history"),
        ("Past Surgical History", "past_surgical_history"),
        ("FAMILY HISTORY", "family_history"),
        ("Social History:", "social_history"),
        ("MEDICATIONS:", "medications"),
        ("Allergies:", "allergies"),
        ("REVIEW OF SYSTEMS:", "review_of_systems"),
        ("ROS:", "review_of_systems"),
        ("PHYSICAL EXAMINATION:", "physical_exam"),
        ("Labs:", "labs"),
        ("IMAGING:", "imaging"),
        ("FINDINGS:", "findings"),
        ("IMPRESSION:", "impression"),
        ("Assessment:", "assessment"),
        ("PLAN:", "plan"),
        ("Assessment and Plan:", "assessment_and_plan"),
        ("A/P:", "assessment_and_plan"),
        ("PREOPERATIVE DIAGNOSIS:", "preoperative_diagnosis"),
        ("Postoperative Diagnosis:", "postoperative_diagnosis"),
        ("PROCEDURE PERFORMED:", "procedure_performed"),
        ("HOSPITAL COURSE:", "hospital_course"),
        ("DISCHARGE DIAGNOSES:", "discharge_diagnoses"),
    ],
)
def test_header_variants(header: str, name: str) -> None:
    text = f"{header}\nSome text here.\n"
    secs = find_sections(text)
    assert secs and secs[0].name == name
    assert secs[0].header_start == 0
    assert text[secs[0].start : secs[0].end].strip() == "Some text here."


def test_body_offsets_and_order() -> None:
    text = "HPI: Cough for 3 days.\nPMH: COPD.\nPLAN: Albuterol.\n"
    secs = find_sections(text)
    assert [s.name for s in secs] == ["history_of_present_illness", "past_medical_history", "plan"]
    assert text[secs[1].header_start : secs[1].header_end] == "PMH"
    assert text[secs[1].start : secs[1].end] == "COPD.\n"


def test_inline_uppercase_headers_mtsamples_style() -> None:
    text = "SUBJECTIVE:,  Cough.,PAST MEDICAL HISTORY:, Asthma.,MEDICATIONS: , Albuterol."
    assert names(text) == ["subjective", "past_medical_history", "medications"]


def test_lowercase_prose_is_not_a_header() -> None:
    assert names("the plan is to discharge her\nshe has a history\n") == []


def test_unknown_subheaders_do_not_split_sections() -> None:
    text = "PHYSICAL EXAM:\nHEENT: normal.\nLungs: clear.\n"
    assert names(text) == ["physical_exam"]
