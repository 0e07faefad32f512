"""Fresh batch 10 misses, each on a made-up snippet: stroke sequelae across wrapped lines, abbreviation senses,
specialty wordings (eye, gyn, vascular, OB, psychiatry)."""

from __future__ import annotations

from typing import Any

from tests.coding.helpers import coded, spans


def test_a_stroke_dated_on_a_wrapped_line_keeps_its_residual_deficits(engine: Any) -> None:
    text = (
        "INDICATION: The patient is a 74-year-old woman who had a left middle cerebral artery infarction in\n"
        "March, with residual right hemiparesis and expressive aphasia, admitted for poor oral intake.\n"
        "IMPRESSION:\n"
        "1. Severe oropharyngeal dysphagia following left MCA stroke, with right hemiparesis and aphasia as residual "
        "deficits.\n"
    )
    codes = coded(engine, text, setting="inpatient")
    assert {"I69.351", "I69.320", "I69.391"} <= set(codes)
    assert not any(c.startswith(("I63", "G81", "R47")) for c in codes)
    assert "dysphagia" in " ".join(spans(text, codes["I69.391"]))


def test_nph_beside_fasting_sugars_is_insulin_not_hydrocephalus(engine: Any) -> None:
    text = (
        "Prenatal visit at 31 weeks.\n"
        "FSBG log: fastings 84-92 on NPH.\n"
        "Assessment: GDM A2 on NPH 12 u qHS, good control.\n"
    )
    codes = coded(engine, text)
    assert not any(c.startswith(("G91", "O99.35")) for c in codes)


def test_af_in_an_infant_exam_is_the_anterior_fontanelle(engine: Any) -> None:
    text = (
        "ED note. 4-month-old with cough.\n"
        "Exam: HEENT: AF soft, slightly sunken; dry mucosa. TMs clear.\n"
        "HEENT: AF open/soft/flat.\n"
        "Assessment: RSV bronchiolitis.\n"
    )
    codes = coded(engine, text, setting="emergency")
    assert "J21.0" in codes
    assert not any(c.startswith("I48") for c in codes)


def test_af_on_anticoagulation_is_still_atrial_fibrillation(engine: Any) -> None:
    codes = coded(engine, "Assessment: paroxysmal AF on apixaban, rate controlled.\n")
    assert "I48.0" in codes


def test_carotid_stenosis_by_side_in_words_and_abbreviation(engine: Any) -> None:
    assert "I65.22" in coded(
        engine, "Preoperative diagnosis: Symptomatic left internal carotid artery stenosis, 80%.\n"
    )
    assert "I65.21" in coded(engine, "Problem list:\n- R ICA stenosis 50-69% on duplex, asymptomatic\n")
    assert "I77.1" not in coded(engine, "Assessment: bilateral carotid artery stenosis.\n")


def test_alcohol_intoxication_is_the_use_disorder_not_a_poisoning(engine: Any) -> None:
    codes = coded(engine, "Assessment:\n1. Acute alcohol intoxication with alcohol dependence.\n", setting="emergency")
    assert any(c.startswith("F10.22") for c in codes)
    assert not any(c.startswith("T51") for c in codes)
    assert any(
        c.startswith("T42.4X2") for c in coded(engine, "Assessment: intentional lorazepam overdose.\n", "emergency")
    )


def test_an_overdose_in_a_past_year_is_no_current_poisoning(engine: Any) -> None:
    text = (
        "HPI: Third depressive episode. In 2017 he took an overdose of amitriptyline with the intent to die.\n"
        "Assessment: Major depressive disorder, recurrent, moderate.\n"
    )
    codes = coded(engine, text)
    assert "F33.1" in codes
    assert not any(c.startswith("T43") for c in codes)


def test_an_intentional_drug_ingestion_is_a_poisoning_with_its_intent(engine: Any) -> None:
    codes = coded(
        engine, "Assessment:\n1. Intentional alprazolam ingestion - somnolent, protecting airway.\n", "emergency"
    )
    assert "T42.4X2A" in codes


def test_eye_abbreviations_and_combined_cataract(engine: Any) -> None:
    assert "H40.1132" in coded(engine, "Assessment/Plan:\n1. POAG OU, moderate stage - IOP at target.\n")
    assert "H25.811" in coded(engine, "Assessment/Plan:\n1. Combined age-related cataract OD (nuclear + cortical).\n")
    assert any(c.startswith("H35.32") for c in coded(engine, "Assessment: Exudative AMD OS with active CNV.\n"))


def test_an_unspecified_code_stays_beside_a_different_condition_of_its_category(engine: Any) -> None:
    codes = coded(engine, "Impression:\n1. Dysmenorrhea and deep dyspareunia, rule out endometriosis.\n")
    assert {"N94.6", "N94.12"} <= set(codes)
    assert "N80.9" not in codes  # "rule out" is not coded outside the hospital


def test_fibroid_words_and_history_of_cervical_dysplasia(engine: Any) -> None:
    assert "D25.9" in coded(engine, "Impression:\n1. Uterine leiomyomata, symptomatic.\n")
    assert "Z87.410" in coded(engine, "Impression:\n1. History of CIN 2, status post LEEP.\n")


def test_hb_ss_crisis_keeps_its_crisis_and_its_pain_is_integral(engine: Any) -> None:
    text = "IMPRESSION:\n1. Hemoglobin SS disease with acute vaso-occlusive pain crisis.\n"
    codes = coded(engine, text, setting="emergency")
    assert "D57.00" in codes
    assert "R52" not in codes and "D57.1" not in codes
    assert "D57.00" in coded(engine, "Assessment: Sickle cell disease with pain crisis.\n", setting="emergency")


def test_prescribed_opioids_for_pain_are_drug_therapy_not_a_use_disorder(engine: Any) -> None:
    codes = coded(engine, "Impression:\n1. Sickle cell disease.\n2. Chronic opioid use for crisis pain, prescribed.\n")
    assert "Z79.891" in codes
    assert "F11.90" not in codes


def test_withdrawal_hallucinations_and_wernicke_signs_are_integral(engine: Any) -> None:
    text = (
        "Exam: nystagmus on lateral gaze, truncal ataxia, confusion; visual hallucinations.\n"
        "Assessment:\n1. Alcohol withdrawal with perceptual disturbance, severe alcohol use disorder.\n"
        "2. Probable Wernicke encephalopathy - high-dose IV thiamine.\n"
    )
    codes = coded(engine, text, setting="inpatient")
    assert {"F10.232", "E51.2"} <= set(codes)
    assert not any(c.startswith(("R44", "H55", "R27", "R41.0")) for c in codes)


def test_a_prior_fragility_fracture_leaves_osteoporosis_without_current_fracture(engine: Any) -> None:
    text = (
        "IMPRESSION:\n1. Osteoporosis by WHO criteria, lumbar spine T-score -2.8.\n"
        "2. Elevated fracture risk given the prior fragility fracture and glucocorticoid therapy.\n"
    )
    codes = coded(engine, text)
    assert "M81.0" in codes
    assert not any(c.startswith("M80") for c in codes)


def test_a_code_without_a_complication_gives_way_to_its_sibling_with_it(engine: Any) -> None:
    text = (
        "HPI: 24-year-old man with hemoglobin SS disease presents with pain in both thighs.\n"
        "IMPRESSION:\n1. Hemoglobin SS disease with acute vaso-occlusive pain crisis.\n"
    )
    codes = coded(engine, text, setting="emergency")
    assert "D57.00" in codes and "D57.1" not in codes
    codes = coded(engine, "Assessment: BPH with LUTS - nocturia x3. Benign prostatic hyperplasia, on tamsulosin.\n")
    assert "N40.1" in codes and "N40.0" not in codes


def test_two_numbered_ribs_are_multiple_rib_fractures(engine: Any) -> None:
    text = "Assessment:\n1. Closed nondisplaced fractures of left 8th and 9th ribs.\n"
    assert "S22.42XA" in coded(engine, text, setting="emergency")
    assert "S22.32XA" in coded(engine, "Assessment: fracture of the left 7th rib.\n", setting="emergency")


def test_a_little_cerumen_in_an_ear_exam_is_no_impaction(engine: Any) -> None:
    codes = coded(engine, "Exam: TMs clear, small amount of cerumen in the right canal.\nAssessment: URI.\n")
    assert "J06.9" in codes and not any(c.startswith("H61") for c in codes)
    assert "H61.23" in coded(engine, "Assessment: cerumen impaction bilaterally.\n")
