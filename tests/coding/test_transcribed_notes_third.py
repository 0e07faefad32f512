"""The engine on made-up snippets written as transcribed notes are (third MTSamples review, task M): return
precautions, a list of tests with one result, headings and drug or procedure words read as conditions, carotid
stenosis, "acute on chronic" kidney failure, "cervical cancer", follicular non-Hodgkin lymphoma, status words and
wordings the term lists miss."""

from __future__ import annotations

import pytest

from cac.nlp import assert_target
from cac.nlp.sections import find_sections
from tests.coding.helpers import reported, spans


@pytest.fixture()
def indexed(imported):
    if not imported:
        pytest.skip("needs the Alphabetic Index from ../shared/data")


def _codes(engine, text: str, setting: str = "outpatient", note_type: str = "consult") -> dict:
    return reported(engine.suggest(text, setting=setting, note_type=note_type))


# --- assertion (no engine)


@pytest.mark.parametrize(
    ("sentence", "target", "expected"),
    [
        (
            "Call the office or return to the emergency room for any concerns including swelling, drainage or fever.",
            "fever",
            "hypothetical",
        ),
        (
            "If increasing shortness of breath, chest pain, fever, any acute symptoms to return to emergency room.",
            "fever",
            "hypothetical",
        ),
        (
            "He should come back for repeat imaging if there are signs of stent occlusion such as fever.",
            "occlusion",
            "hypothetical",
        ),
        (
            "The benefits are ease of care and fewer urinary tract infections.",
            "urinary tract infections",
            "hypothetical",
        ),
        (
            "HIV, ANA, anti-cardiolipin antibody titer, cardiac enzymes, TFTs, B12, and lipids were unremarkable.",
            "HIV",
            "negated",
        ),
        ("He presented to the emergency room for chest pain.", "chest pain", "present"),
    ],
)
def test_return_precautions_benefits_and_test_lists(sentence: str, target: str, expected: str) -> None:
    start = sentence.index(target)
    assert assert_target(sentence, start, start + len(target)).label == expected


def test_a_header_joined_to_its_body_by_a_comma_is_a_header() -> None:
    text = (
        "LABS:  Normal.\nDIAGNOSES,1.  Concussion.\n2.  Scalp laceration.\n"
        "REVIEW OF SYSTEMS,CONSTITUTIONAL:  Negative.\n"
    )
    names = [s.name for s in find_sections(text)]
    assert names == ["labs", "assessment", "review_of_systems"]


# --- coding


def test_discharge_return_precautions_are_not_coded(engine, indexed):
    text = (
        "DISCHARGE DIAGNOSIS: Status post revision of right total knee arthroplasty.\n"
        "DISCHARGE INSTRUCTIONS: Call the office or return to the emergency room for any concerns including "
        "increased redness, swelling, drainage, or fever.\n"
    )
    codes = _codes(engine, text, "inpatient", "discharge_summary")
    assert not {"R50.9", "R60.9"} & set(codes), codes.keys()


def test_carotid_artery_stenosis_is_an_occlusion_of_the_carotid_with_its_side(engine, indexed):
    text = "ASSESSMENT:\n1. Bilateral carotid artery stenosis.\n2. Hypertension.\n"
    codes = _codes(engine, text)
    assert "I77.1" not in codes
    assert "I65.23" in codes and spans(text, codes["I65.23"]) == ["carotid artery stenosis"]
    right = _codes(engine, "ASSESSMENT: Right internal carotid artery stenosis, high grade.\n")
    assert "I65.21" in right and "I77.1" not in right


def test_acute_on_chronic_renal_failure_codes_the_chronic_kidney_disease(engine, indexed):
    text = "SECONDARY DIAGNOSES:\n1. Acute on chronic renal failure.\n2. Hypertension.\n3. CHF.\n"
    codes = _codes(engine, text, "inpatient", "discharge_summary")
    assert {"N17.9", "N18.9", "I13.0", "I50.9"} <= set(codes), codes.keys()
    assert "I11.0" not in codes
    staged = _codes(engine, "DIAGNOSES: 1. Acute on chronic renal failure. 2. CKD stage 3b.\n", "inpatient")
    assert "N18.32" in staged and "N18.9" not in staged


def test_cervical_cancer_is_of_the_cervix_uteri(engine, indexed):
    text = "ASSESSMENT: Stage IV squamous cell cancer of the cervix. She died of cervical cancer.\n"
    codes = _codes(engine, text)
    assert "C53.9" in codes and "C76.0" not in codes


def test_follicular_non_hodgkin_lymphoma_is_follicular_only(engine, indexed):
    text = "CHIEF COMPLAINT: Follicular non-Hodgkin's lymphoma.\n"
    codes = _codes(engine, text, note_type="progress_note")
    assert "C82.90" in codes and "C83.90" not in codes
    plain = _codes(engine, "ASSESSMENT: Non-Hodgkin lymphoma, on surveillance.\n", note_type="progress_note")
    assert "C85.90" in plain and "C83.90" not in plain


def test_elevated_cholesterol_is_pure_hypercholesterolemia(engine, indexed):
    text = "PAST MEDICAL HISTORY: History of hypertension and history of elevated cholesterol.\n"
    codes = _codes(engine, text)
    assert "E78.00" in codes and spans(text, codes["E78.00"]) == ["elevated cholesterol"]
    assert "E78.2" not in codes


def test_headings_drugs_and_procedure_words_are_no_conditions(engine, indexed):
    text = (
        "DIAGNOSES:\n1.  Acute respiratory failure.\n"
        "LABORATORY EXAMINATION: Sodium 140.\n"
        "ASSESSMENT AND PLAN:\n6.  Infectious Disease.  Continue cefepime.\n"
        "7.  Hematology.  Restart Angiomax after surgery.\n"
        "PROCEDURE: The neck was infiltrated with 1% Xylocaine. The renal lesion was frozen, two freezing cycles.\n"
        "MRI: The conus terminates in normal position.\n"
    )
    codes = _codes(engine, text, "inpatient", "consult")
    assert not {"Z00.00", "B99.9", "D18.00", "R91.8", "T69.9XXA", "Q14.8"} & set(codes), codes.keys()
    assert "J96.00" in codes


def test_ms_heading_of_a_musculoskeletal_review_is_no_multiple_sclerosis(engine, indexed):
    text = (
        "SOCIAL HISTORY: He is a student.\nREVIEW OF SYSTEMS,CONSTITUTIONAL:  The patient denies fever.\n"
        "MS:  The patient denies joint pain/stiffness, backaches, tendon/ligaments/muscle pains/strains, bone "
        "aches/pains, muscle weakness.\nNEURO:  No seizures.\n"
    )
    assert not any(code.startswith("G35") for code in _codes(engine, text, "emergency", "ed_note"))


def test_loss_of_consciousness_is_part_of_the_concussion_code(engine, indexed):
    text = "ASSESSMENT: Concussion with loss of consciousness after a fall from his bicycle.\n"
    codes = _codes(engine, text, "emergency", "ed_note")
    assert "S06.0X9A" in codes and "R40.20" not in codes


def test_allergy_list_reaction_and_scarring_met_in_surgery_are_not_coded(engine, indexed):
    text = (
        "ALLERGIES: Heparin causing thrombocytopenia.\n"
        "PROCEDURE: There was dense scarring beneath the strap muscles.\n"
        "ASSESSMENT: Hypertension.\n"
    )
    codes = _codes(engine, text)
    assert not {"D69.6", "L90.5", "M62.89"} & set(codes), codes.keys()
    assert "I10" in codes


def test_status_words_bypass_and_artificial_valve(engine, indexed):
    text = (
        "PAST MEDICAL HISTORY: Coronary artery disease status post bypass grafting surgery. Status post artificial "
        "aortic valve implantation in 2002, on chronic Coumadin therapy.\n"
    )
    codes = _codes(engine, text)
    assert {"I25.10", "Z95.1", "Z95.2", "Z79.01"} <= set(codes), codes.keys()
    assert spans(text, codes["Z95.2"]) == ["artificial aortic valve"]


def test_aortic_aneurysm_of_the_past_history_is_still_coded_unless_repaired(engine, indexed):
    codes = _codes(engine, "PAST MEDICAL HISTORY: Severe COPD, diabetes, abdominal aortic aneurysm, hypertension.\n")
    assert "I71.40" in codes
    repaired = _codes(engine, "PAST MEDICAL HISTORY: Abdominal aortic aneurysm, repaired 2015. Hypertension.\n")
    assert "I71.40" not in repaired


@pytest.mark.parametrize(
    ("text", "code", "evidence"),
    [
        ("IMPRESSION: Sinus rhythm with episodes of Mobitz type 1 Wenckebach.\n", "I44.1", "Mobitz type 1"),
        ("REASON FOR EXAMINATION: Abnormal EKG.\n", "R94.31", "Abnormal EKG"),
        ("ASSESSMENT: Findings of Moya Moya disease on angiography.\n", "I67.5", "Moya Moya disease"),
        ("DIAGNOSES: 1. Post cervical laminectomy pain syndrome.\n", "M96.1", "cervical laminectomy pain syndrome"),
        ("ASSESSMENT: Critical condition with mesenteric ischemia.\n", "K55.9", "mesenteric ischemia"),
    ],
)
def test_wordings_the_term_lists_miss(engine, indexed, text: str, code: str, evidence: str):
    codes = _codes(engine, text)
    assert code in codes, codes.keys()
    assert evidence in spans(text, codes[code])


def test_ischemia_alone_gives_way_to_the_ischemia_the_note_names(engine, indexed):
    text = (
        "ASSESSMENT: Mesenteric ischemia secondary to venous occlusion. Given his bowel ischemia, continue "
        "antibiotics.\n"
    )
    codes = _codes(engine, text, "inpatient")
    assert "K55.9" in codes and "I99.8" not in codes


def test_coronary_disease_status_post_stent_placement_is_stent_status(engine, indexed):
    text = "DIAGNOSES: 1. History of coronary artery disease status post stent placement 2006.\n"
    codes = _codes(engine, text, "inpatient", "discharge_summary")
    assert {"I25.10", "Z95.5"} <= set(codes), codes.keys()


def test_ischemia_alone_gives_way_to_the_named_ischemia_on_the_same_footing():
    from cac.coding.guidelines.specificity import _drop_vague_across
    from cac.coding.types import Candidate, Span

    def cand(code: str, word: str, start: int) -> Candidate:
        return Candidate("ICD-10-CM", code, code, 0.9, [Span(start, start + len(word), word)])

    kept = _drop_vague_across([cand("I99.8", "ischemia", 0), cand("K55.9", "mesenteric ischemia", 20)])
    assert [c.code for c in kept] == ["K55.9"]
    alone = _drop_vague_across([cand("I99.8", "ischemia", 0), cand("I10", "hypertension", 20)])
    assert [c.code for c in alone] == ["I99.8", "I10"]
