"""Assertion rules: negated/hypothetical never code; family -> Z80-Z84; past history -> Z85-Z87 or kept."""

from __future__ import annotations

import pytest

from cac.coding.guidelines import apply_guidelines, assertion
from cac.coding.guidelines.common import CodeSpec, load_tsv
from tests.coding.guidelines.helpers import by_code, codes, held

NOTE = "FAMILY HISTORY: Mother with breast cancer. Father had an MI at 50.\nPMH: colon cancer s/p resection 2015."


@pytest.mark.parametrize("label", ["negated", "hypothetical"])
def test_negated_and_hypothetical_mentions_never_code(make, context, label):
    out = apply_guidelines([make("J18.9", "pneumonia", assertion=label)], context())
    assert out == []


def test_family_history_of_breast_cancer_becomes_z80_3(make, context):
    note = "INDICATION: screening mammogram. Mother with breast cancer. Father had an MI at 50."
    cand = make("C50.911", "breast cancer", note, assertion="family")
    out = apply_guidelines([cand], context(text=note))
    assert codes(out) == ["Z80.3"]
    assert "family history of C50.911" in out[0].rationale
    # the Z code points at the family-history mention, stretched over the relative it belongs to
    assert [e.text for e in out[0].evidence] == ["Mother with breast cancer"]


@pytest.mark.parametrize(
    ("note", "words"),
    [(NOTE, "breast cancer"), ("PMH: glioma.\nFHX: Mother with breast CA, MA with bone cancer.\n", "breast CA")],
)
def test_family_history_header_the_section_finder_missed_still_needs_relevance(make, context, note, words):
    # "FAMILY HISTORY:" / "FHX:" written in the note: the relative's cancer bears on no problem of the patient
    out = apply_guidelines([make("C50.911", words, note, assertion="family")], context(text=note))
    assert codes(out) == []


@pytest.mark.parametrize(
    "note",
    [
        "SHX/FHX: unremarkable for cancer, CAD, aneurysm, MS, stroke.",
        "Risks were discussed with the patient's parents including malunion, nonunion, stroke.",
    ],
)
def test_negated_family_list_or_relative_spoken_to_is_no_family_history(make, context, note):
    cand = make("I63.9", "stroke", note, assertion="family")
    cand.sections = ["history_of_present_illness"]
    assert assertion.apply([cand], context(text=note)) == []


def test_relative_who_agrees_to_the_plan_is_no_family_history(make, context):
    # "All" read as acute lymphoblastic leukemia of the mother: she is the one agreeing, not a relative with a disease
    note = "All questions were answered, and mother and daughter agreed to the above plans.\nFather had a stroke.\n"
    cand = make("C91.00", "All", note, assertion="family")
    cand.sections = ["history_of_present_illness"]
    assert assertion.apply([cand], context(text=note)) == []
    # the next sentence's relative with a stroke is still a family history
    cand = make("I63.9", "stroke", note, assertion="family")
    cand.sections = ["history_of_present_illness"]
    assert codes(assertion.apply([cand], context(text=note))) == ["Z82.3"]


@pytest.mark.parametrize(
    ("condition", "z_code"),
    [
        ("I21.4", "Z82.49"),
        ("E11.9", "Z83.3"),
        ("I63.9", "Z82.3"),
        ("C18.9", "Z80.0"),
        ("J45.909", "Z82.5"),
        ("I46.9", "Z82.41"),
        ("F10.20", "Z81.1"),
        ("C61", "Z80.42"),
    ],
)
def test_family_history_codes_by_condition(make, context, condition, z_code):
    note = "A/P: Family history of x in his father."
    out = assertion.apply([make(condition, "x", note, assertion="family")], context(text=note))
    assert codes(out) == [z_code]
    assert out[0].evidence[0].text == "Family history of x in his father"


FH = "HPI: 58M with CKD stage 4.\nFH: Mother had polycystic kidney disease. Brother with HTN.\n"


def _fh(make, code, words, assertion="family", note=FH):
    cand = make(code, words, note, assertion=assertion)
    cand.sections = ["family_history"]
    return cand


def test_family_history_section_risk_condition_bearing_on_a_current_problem_is_coded(make, context):
    ckd = make("N18.4", "CKD stage 4", FH)
    out = assertion.apply([ckd, _fh(make, "Q61.3", "polycystic kidney disease")], context(text=FH))
    assert codes(out) == ["N18.4", "Z82.71"]
    assert out[1].evidence[0].text == "Mother had polycystic kidney disease"
    assert "bears on the patient's N18.4" in out[1].rationale


def test_family_history_section_unrelated_or_common_condition_is_not_coded(make, context):
    # the patient's own hypertension does not make a brother's a family history the note weighs
    out = assertion.apply([make("I10", "CKD stage 4", FH), _fh(make, "I10", "HTN")], context(text=FH))
    assert codes(out) == ["I10"]
    # a heritable risk of another organ system than the patient's problems
    out = assertion.apply([_fh(make, "Q61.3", "polycystic kidney disease")], context(text=FH))
    assert codes(out) == []
    assert held(out) == ["Z82.71"]  # still ranked, below the threshold, for the coder to see


def test_relative_with_an_acute_infection_is_an_exposure_not_a_family_history(make, context):
    note = "HPI: 4 yo with sore throat. Older sister recently had strep throat."
    cand = make("J02.0", "strep throat", note, assertion="family")
    cand.sections = ["history_of_present_illness"]
    assert assertion.apply([cand], context(text=note)) == []


def test_relative_heritable_risk_stated_in_the_indication_is_coded(make, context):
    note = "Indication: EGD for dysphagia. Father had esophageal cancer at 70.\n"
    cand = make("C15.9", "esophageal cancer", note, assertion="family")
    cand.sections = ["indications"]
    out = assertion.apply([cand], context(text=note))
    assert codes(out) == ["Z80.0"]
    assert out[0].evidence[0].text == "Father had esophageal cancer"


def test_relative_cancer_bears_on_the_patients_past_polyps(make, context):
    note = "PMH: history of colon polyps, with father who had colon cancer at 60.\n"
    polyps = make("K63.5", "colon polyps", note, assertion="historical")
    cancer = make("C18.9", "colon cancer", note, assertion="family")
    for c in (polyps, cancer):
        c.sections = ["past_medical_history"]
    out = assertion.apply([polyps, cancer], context(text=note))
    assert codes(out) == ["Z86.0100", "Z80.0"]
    assert "bears on the patient's Z86.0100" in by_code(out, "Z80.0").rationale
    assert by_code(out, "Z80.0").evidence[0].text == "father who had colon cancer"


def test_relative_attached_to_a_history_is_a_family_history(make, context):
    note = "HPI: here for screening colonoscopy; history of colon cancer, with mother diagnosed at 50.\n"
    cand = make("C18.9", "colon cancer", note, assertion="family")
    cand.sections = ["history_of_present_illness"]
    out = assertion.apply([cand], context(text=note))
    assert codes(out) == ["Z80.0"]
    assert "Z85.038" not in codes(out)


def test_family_words_cross_a_wrapped_line(make, context):
    note = "HISTORY: screening. Mother with breast cancer at 52; maternal aunt with\novarian cancer.\n"
    cand = make("C56.9", "ovarian cancer", note, assertion="family")
    cand.sections = ["history_of_present_illness"]
    out = assertion.apply([cand], context(text=note))
    assert codes(out) == ["Z80.41"]
    assert out[0].evidence[0].text == "maternal aunt with\novarian cancer"


def test_family_history_z_code_found_directly_is_kept(make, context):
    out = assertion.apply([make("Z83.3", "family history of diabetes", assertion="family")], context())
    assert codes(out) == ["Z83.3"]


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        # a wrapped line goes on with the same sentence; an "-ectomy" removed the cancer
        ("History: R breast cancer, lumpectomy 2012 with adjuvant\nradiation; no evidence of disease since.", "Z85.3"),
        ("History: R breast cancer, lumpectomy 2012.\nNo evidence of disease on the scan.", "C50.911"),
    ],
)
def test_cancer_removed_by_an_ectomy_over_a_wrapped_line_is_history(make, context, note, expected):
    out = assertion.apply([make("C50.911", "breast cancer", note)], context(text=note))
    assert codes(out) == [expected]


@pytest.mark.parametrize(
    ("condition", "history"),
    [
        ("C18.9", "Z85.038"),
        ("C50.911", "Z85.3"),
        ("I63.9", "Z86.73"),
        ("I26.99", "Z86.711"),
        ("F17.210", "Z87.891"),
        ("N20.0", "Z87.442"),
        ("N39.0", "Z87.440"),
        ("J18.9", "Z87.01"),
        ("I21.4", "I25.2"),
        ("K63.5", "Z86.0100"),
    ],
)
def test_resolved_past_condition_becomes_personal_history(make, context, condition, history):
    out = apply_guidelines([make(condition, "history of it", assertion="historical")], context())
    assert codes(out) == [history]
    assert f"history of {condition}" in out[0].rationale


@pytest.mark.parametrize("code", ["I10", "E11.9", "N18.4", "J44.9", "I50.22", "E03.9"])
def test_chronic_condition_in_past_history_stays_coded(make, context, code):
    out = assertion.apply([make(code, "PMH", assertion="historical")], context())
    assert codes(out) == [code]
    assert "chronic condition" in out[0].rationale


@pytest.mark.parametrize(
    ("note", "code", "evidence"),
    [
        ("PMH: chronic bronchitis, appendectomy.", "J42", "chronic bronchitis"),
        ("History of long-standing venous insufficiency.", "I87.2", "venous insufficiency"),
    ],
)
def test_condition_the_note_calls_chronic_in_past_history_stays_coded(make, context, note, code, evidence):
    out = assertion.apply([make(code, evidence, note, assertion="historical")], context(text=note))
    assert codes(out) == [code]
    assert "calls chronic" in out[0].rationale


def test_past_procedure_is_not_coded(make, context):
    out = assertion.apply([make("44950", "s/p appendectomy", assertion="historical", system="CPT")], context())
    assert out == []


def test_present_codes_pass_untouched(make, context):
    cand = make("I10", "hypertension")
    out = assertion.apply([cand], context())
    assert out == [cand] and out[0].rationale == cand.rationale


@pytest.mark.parametrize("table", ["family_history.tsv", "personal_history.tsv"])
def test_history_tables_point_at_billable_codes_of_the_store(store, table):
    for row in load_tsv(table):
        spec = CodeSpec(row[0])
        assert store.is_valid("ICD-10-CM", _dotted(spec.lo)), f"{table}: {row[0]} is not a code"
        assert store.is_valid("ICD-10-CM", _dotted(spec.hi)), f"{table}: {row[0]} is not a code"
        assert store.is_billable("ICD-10-CM", row[1]), f"{table}: {row[1]} is not billable"


def test_chronic_table_names_real_codes(store):
    for row in load_tsv("chronic_conditions.tsv"):
        spec = CodeSpec(row[0])
        assert store.is_valid("ICD-10-CM", _dotted(spec.lo)) and store.is_valid("ICD-10-CM", _dotted(spec.hi)), row


def _dotted(bare: str) -> str:
    return bare if len(bare) <= 3 else f"{bare[:3]}.{bare[3:]}"


def test_a_reported_family_history_code_is_not_held_back_by_a_second_relative(make, context):
    note = "FAMILY HISTORY: She described a family history of hypertension. Her mother died after an MI at 59.\n"
    htn = make("I10", "hypertension", note, assertion="family")
    mi = make("I21.9", "an MI at 59", note, assertion="family")
    out = assertion.apply([htn, mi], context(text=note))
    assert codes(out) == ["Z82.49"] and len(out) == 1


def test_relative_spoken_with_who_has_a_condition_is_no_family_history_unless_stated(make, context):
    # the daughter has the cancer (an aside in a talk with her), not the patient: no C50, no Z80.3 reported
    note = "HPI: 60 yo woman with cough. Discussed with daughter, who has breast cancer.\n"
    cand = make("C50.911", "breast cancer", note, assertion="family")
    cand.sections = ["history_of_present_illness"]
    out = assertion.apply([cand], context(text=note))
    assert codes(out) == [] and held(out) == ["Z80.3"]
    # "family history of" stated makes it relevant
    note = "HPI: screening. Discussed with daughter; family history of breast cancer.\n"
    cand = make("C50.911", "breast cancer", note, assertion="family")
    cand.sections = ["history_of_present_illness"]
    assert codes(assertion.apply([cand], context(text=note))) == ["Z80.3"]


def test_spouse_condition_is_no_family_history(make, context):
    note = "HPI: 70 yo man with chest pain. Wife has COPD.\n"
    cand = make("J44.9", "COPD", note, assertion="family")
    cand.sections = ["history_of_present_illness"]
    assert assertion.apply([cand], context(text=note)) == []


def test_relative_reporting_for_the_patient_leaves_the_patients_condition(make, context):
    note = "HPI: Mother at bedside reports patient had fever.\n"
    out = apply_guidelines([make("R50.9", "fever", note)], context(text=note))
    assert codes(out) == ["R50.9"]


@pytest.mark.parametrize(
    ("note", "evidence", "stretched"),
    [
        ("IMPRESSION: No acute infarct. Old right thalamic lacunar infarct.", "lacunar infarct", "Old right thalamic"),
        ("FINDINGS: Chronic lacunar infarct in the left basal ganglia.", "lacunar infarct", "Chronic"),
    ],
)
def test_old_cerebral_infarct_is_personal_history(make, context, note, evidence, stretched):
    out = assertion.apply([make("I63.81", evidence, note)], context(text=note))
    assert codes(out) == ["Z86.73"] and out[0].assertion == "historical"
    assert out[0].evidence[0].text.startswith(stretched) and out[0].evidence[0].text.endswith(evidence)


def test_acute_infarct_stays_current(make, context):
    note = "IMPRESSION: Acute lacunar infarct in the left internal capsule."
    assert codes(assertion.apply([make("I63.81", "lacunar infarct", note)], context(text=note))) == ["I63.81"]


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("A/P: Basal cell carcinoma of the nose s/p Mohs 2019, margins clear, no further treatment.", "Z85.828"),
        ("A/P: Basal cell carcinoma of the nose - excised today, await margins.", "C44.311"),
        ("A/P: Basal cell carcinoma of the nose s/p excision, margins clear; re-excision planned.", "C44.311"),
    ],
)
def test_removed_cancer_without_treatment_is_history(make, context, note, expected):
    out = assertion.apply([make("C44.311", "Basal cell carcinoma", note)], context(text=note))
    assert codes(out) == [expected]


@pytest.mark.parametrize(
    ("condition", "history"),
    [("D05.12", "Z86.000"), ("D04.5", "Z86.007"), ("D06.9", "Z86.001"), ("D33.0", "Z86.011"), ("D17.1", "Z86.018")],
)
def test_past_in_situ_and_benign_neoplasms_become_their_history_codes(make, context, condition, history):
    out = apply_guidelines([make(condition, "history of it", assertion="historical")], context())
    assert codes(out) == [history]


def test_cancer_under_treatment_is_no_history(make, context):
    note = "PMH: breast cancer as above.\nA/P: Malignant neoplasm of upper-outer quadrant of left breast, on chemo."
    past = make("C50.919", "breast cancer", note, assertion="historical")
    now = make("C50.412", "Malignant neoplasm of upper-outer quadrant of left breast", note)
    assert codes(assertion.apply([past, now], context(text=note))) == ["C50.412"]
    # a past skin cancer is its own history beside a current one (skin cancers recur as new primaries)
    note = "Hx of SCC of the forearm excised 2019.\nA/P: basal cell carcinoma of the back, excised today."
    past = make("C44.92", "SCC", note, assertion="historical")
    now = make("C44.519", "basal cell carcinoma", note)
    assert sorted(codes(assertion.apply([past, now], context(text=note)))) == ["C44.519", "Z85.828"]


@pytest.mark.parametrize(
    ("code", "note", "evidence"),
    [
        ("C92.01", "AML in remission after induction.", "AML"),
        ("F10.21", "Alcohol dependence, in sustained remission.", "Alcohol dependence"),
    ],
)
def test_in_remission_is_the_current_status_code_not_a_history(make, context, code, note, evidence):
    """A leukemia or a dependence "in remission" keeps its remission code (C92.01, F10.21), not Z85.6 / history."""
    out = assertion.apply([make(code, evidence, note, assertion="historical")], context(text=note))
    assert codes(out) == [code]
    assert out[0].evidence[0].text == evidence


@pytest.mark.parametrize(
    ("note", "code", "words"),
    [
        ("Allergies: PCN (hives), sulfa - rash, codeine (nausea)\nAssessment: hypertension.", "L50.9", "hives"),
        ("Allergies: PCN (hives), sulfa - rash, codeine (nausea)\nAssessment: hypertension.", "R21", "rash"),
        ("ALLERGIES:\n- Codeine: nausea\n\nHPI: knee pain.", "R11.0", "nausea"),
        ("She is allergic to latex (hives). Knee pain today.", "L50.9", "hives"),
    ],
)
def test_a_reaction_in_an_allergy_list_is_no_current_problem(make, context, note, code, words):
    out = assertion.apply([make(code, words, note)], context(text=note))
    assert codes(out) == []


@pytest.mark.parametrize(
    ("note", "code", "words"),
    [
        (
            "Allergies: none\nPatient presents with two days of hives on the trunk and arms after a new soap.",
            "L50.9",
            "hives",
        ),
        ("Allergic reaction with hives after eating peanuts.", "L50.9", "hives"),
        ("Allergies: sulfa (rash). Today: nausea since last night.", "R11.0", "nausea"),
    ],
)
def test_a_current_reaction_outside_the_allergy_list_stays(make, context, note, code, words):
    out = assertion.apply([make(code, words, note)], context(text=note))
    assert codes(out) == [code]


@pytest.mark.parametrize(
    ("note", "words", "code"),
    [
        ("Assessment: HTN. S/p AVR for aortic stenosis 2015, on warfarin.", "aortic stenosis", "I35.0"),
        ("PMH: AF, AVR (mechanical) for bicuspid AS, HTN.", "bicuspid AS", "Q23.1"),
        ("Aortic stenosis, status post TAVR 2019. Doing well.", "Aortic stenosis", "I35.0"),
        ("PSH: s/p R TKA for osteoarthritis of right knee.", "osteoarthritis of right knee", "M17.11"),
        ("History: s/p lap cholecystectomy for acute cholecystitis.", "acute cholecystitis", "K81.0"),
    ],
)
def test_a_condition_a_past_procedure_fixed_is_not_coded(make, context, note, words, code):
    cand = make(code, words, note)
    assert assertion.fixed_by_past_procedure(cand, context(text=note)) is not None
    assert codes(assertion.apply([cand], context(text=note))) == []


@pytest.mark.parametrize(
    ("note", "words", "code", "setting"),
    [
        ("Severe aortic stenosis, scheduled for TAVR next week.", "aortic stenosis", "I35.0", "outpatient"),
        ("Recurrent right inguinal hernia s/p hernia repair 2019.", "inguinal hernia", "K40.91", "outpatient"),
        ("CAD s/p CABG for triple vessel disease.", "CAD", "I25.10", "outpatient"),
        ("Acute cholecystitis - s/p laparoscopic cholecystectomy, POD 1.", "Acute cholecystitis", "K81.0", "inpatient"),
        ("Acute cholecystitis - s/p laparoscopic cholecystectomy.", "Acute cholecystitis", "K81.0", "inpatient"),
        ("Bilateral knee OA s/p right TKA.", "Bilateral knee OA", "M17.0", "outpatient"),
    ],
)
def test_a_condition_still_there_or_fixed_in_this_stay_stays(make, context, note, words, code, setting):
    cand = make(code, words, note)
    assert codes(assertion.apply([cand], context(setting, note))) == [code]


def test_chronic_condition_the_note_says_is_over_is_not_coded_as_current(make, context):
    """ "(resolved)", "outgrown", "in the past": the chronic-condition exception does not keep it coded."""
    note = "PMH: depression (resolved), childhood asthma, outgrown. Anxiety in the past, HTN on lisinopril."
    cands = [
        make("F32.A", "depression", note, assertion="historical"),
        make("J45.909", "childhood asthma", note, assertion="historical"),
        make("F41.9", "Anxiety", note, assertion="historical"),
        make("I10", "HTN", note, assertion="historical"),
    ]
    out = assertion.apply(cands, context(text=note))
    assert codes(out) == ["I10"]


def test_asthma_since_childhood_stays_coded(make, context):
    note = "PMH: asthma since childhood, never intubated."
    out = assertion.apply([make("J45.909", "asthma", note, assertion="historical")], context(text=note))
    assert codes(out) == ["J45.909"]


def test_a_condition_treated_now_is_no_personal_history_of_itself(make, context):
    """Pneumonia in the past history list and pneumonia treated this stay: J18.9, not also Z87.01."""
    note = "PAST MEDICAL HISTORY: COPD, pneumonia.\nASSESSMENT: Pneumonia, on ceftriaxone."
    past = make("J18.9", "pneumonia", note, assertion="historical")
    now = make("J18.9", "Pneumonia", note)
    out = apply_guidelines([past, now], context(text=note))
    assert "J18.9" in codes(out) and "Z87.01" not in codes(out)


def test_a_past_condition_alone_is_still_a_personal_history(make, context):
    note = "PAST MEDICAL HISTORY: pneumonia 2019.\nASSESSMENT: Hypertension."
    out = apply_guidelines([make("J18.9", "pneumonia", note, assertion="historical")], context(text=note))
    assert "Z87.01" in codes(out)
