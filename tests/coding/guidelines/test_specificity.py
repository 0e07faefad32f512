"""Specificity: billable codes only, extended to the documented detail; 7th character; parents and unspecified."""

from __future__ import annotations

import pytest

from cac.coding.guidelines import apply_guidelines, specificity
from tests.coding.guidelines.helpers import by_code, codes


@pytest.mark.parametrize(
    ("code", "note", "evidence", "expected"),
    [
        ("S72.001", "Right femoral neck fracture, initial encounter.", "Right femoral neck fracture", "S72.001A"),
        (
            "S72.001",
            "Seen for routine follow-up of right hip fracture, healing well.",
            "right hip fracture",
            "S72.001D",
        ),
        ("S72.001", "Sequela of old right femoral neck fracture.", "right femoral neck fracture", "S72.001S"),
        ("T14.90", "Injury to the arm after a fall.", "Injury", "T14.90XA"),
        ("N18", "CKD stage 3b, creatinine stable.", "CKD", "N18.32"),
        ("N18", "Chronic kidney disease stage 4.", "Chronic kidney disease", "N18.4"),
        ("N18", "ESRD on hemodialysis MWF.", "ESRD", "N18.6"),
        ("N18", "Chronic kidney disease, followed by nephrology.", "Chronic kidney disease", "N18.9"),
        ("I50", "Acute on chronic diastolic heart failure.", "heart failure", "I50.33"),
        ("I50.2", "Chronic systolic CHF, EF 30%.", "systolic CHF", "I50.22"),
        ("I50", "HFrEF, acute decompensation.", "HFrEF", "I50.21"),
        ("M17.1", "Primary osteoarthritis of the left knee.", "osteoarthritis of the left knee", "M17.12"),
    ],
)
def test_non_billable_code_extended_to_documented_detail(make, context, code, note, evidence, expected):
    out = specificity.apply([make(code, evidence, note)], context(text=note))
    assert codes(out) == [expected]
    assert f"{code} not billable -> {expected}" in out[0].rationale
    assert out[0].source == "rule"


def test_invalid_code_dropped(make, context):
    assert specificity.apply([make("E11.99", "diabetes")], context()) == []


def test_nothing_documented_extends_to_the_unspecified_descendant(make, context):
    out = specificity.apply([make("S52.5", "fracture")], context(text="fracture"))
    assert codes(out) == ["S52.509A"]  # unspecified fracture of lower end of unspecified radius, initial
    assert "unspecified" in out[0].flags
    out = specificity.apply([make("E11.31", "diabetic retinopathy")], context())
    assert codes(out) == ["E11.319"]  # "without macular edema" unless documented


def test_not_extended_to_a_detail_nothing_documents(make, context):
    # I1A "Other hypertension" has one billable child, I1A.0 "Resistant hypertension": not documented here.
    assert specificity.apply([make("I1A", "other hypertension")], context(text="other hypertension")) == []
    note = "Resistant hypertension on four agents."
    assert codes(specificity.apply([make("I1A", "hypertension", note)], context(text=note))) == ["I1A.0"]


def test_descendant_words_documented_choose_the_code(make, context):
    note = "Colles fracture of the left wrist after a fall, initial visit."
    out = specificity.apply([make("S52.5", "Colles fracture", note)], context(text=note))
    assert codes(out) == ["S52.532A"]  # Colles' fracture of left radius, initial encounter for closed fracture


def test_parent_dropped_when_descendant_proposed(make, context):
    out = specificity.apply([make("I50", "heart failure"), make("I50.22", "chronic systolic heart failure")], context())
    assert codes(out) == ["I50.22"]


@pytest.mark.parametrize(
    ("unspecified", "specific"), [("I50.9", "I50.22"), ("N18.9", "N18.4"), ("N18.9", "N18.30"), ("R10.9", "R10.31")]
)
def test_unspecified_sibling_dropped_for_the_specific_code(make, context, unspecified, specific):
    out = apply_guidelines([make(unspecified, "a"), make(specific, "b")], context())
    assert codes(out) == [specific]
    assert f"unspecified {unspecified} dropped" in out[0].rationale


@pytest.mark.parametrize(("unspecified_as", "specific_as"), [("historical", "present"), ("present", "historical")])
def test_past_history_code_kept_as_current_gives_way_to_the_specific_sibling(
    make, context, unspecified_as, specific_as
):
    """ "PMH: CKD" kept as a current chronic condition and "CKD stage 4" in the plan are one condition."""
    out = specificity.apply(
        [make("N18.9", "CKD", assertion=unspecified_as), make("N18.4", "CKD stage 4", assertion=specific_as)], context()
    )
    assert codes(out) == ["N18.4"]


def test_a_code_leaving_fewer_axes_unspecified_wins_within_its_category(make, context):
    """One dementia documented twice: "moderate ... with agitation" (F03.B11) over "unspecified severity" (F03.90)."""
    out = specificity.apply(
        [make("F03.90", "dementia"), make("F03.B11", "moderate dementia with agitation")], context()
    )
    assert codes(out) == ["F03.B11"]


def test_a_family_code_does_not_give_way_to_the_patients_own(make, context):
    out = specificity.apply([make("N18.9", "CKD", assertion="family"), make("N18.4", "CKD stage 4")], context())
    assert sorted(codes(out)) == ["N18.4", "N18.9"]


def test_unspecified_flag_only_when_siblings_exist(make, context):
    out = specificity.apply([make("R05.9", "cough"), make("I10", "hypertension")], context())
    assert "unspecified" in by_code(out, "R05.9").flags
    assert "unspecified" not in by_code(out, "I10").flags


def test_seventh_character_open_fracture_initial(store):
    entry = store.get("ICD-10-CM", "S72.001")
    assert specificity.seventh_character(entry, "open fracture of the right femoral neck") == "B"
    assert specificity.seventh_character(entry, "right hip fracture, nonunion, follow-up") == "K"
    assert specificity.seventh_character(store.get("ICD-10-CM", "I10"), "initial") is None


def test_text_facets_prefer_the_specific_value():
    facets = specificity.text_facets("acute on chronic combined systolic and diastolic heart failure, ckd 3a")
    assert facets == {"acuity": {"acute on chronic"}, "hf_type": {"combined"}, "ckd_stage": {"3a"}}


@pytest.mark.parametrize(
    ("code", "evidence", "expected"),
    [
        ("I50.9", "acute on chronic diastolic heart failure", "I50.33"),
        ("N18.9", "CKD stage 3a", "N18.31"),
        ("R05.9", "chronic cough", "R05.3"),
        ("M17.10", "right knee osteoarthritis", "M17.11"),
        ("R10.9", "right lower quadrant abdominal pain", "R10.31"),
    ],
)
def test_billable_unspecified_code_respecified_when_the_evidence_documents_detail(
    make, context, code, evidence, expected
):
    out = specificity.apply([make(code, evidence)], context())
    assert codes(out) == [expected]
    assert f"{code} -> {expected}, detail documented" in out[0].rationale


def test_unspecified_code_kept_when_only_a_neighbouring_finding_has_detail(make, context):
    note = "Acute MI on arrival. History of heart failure, stable."
    out = specificity.apply([make("I50.9", "heart failure", note)], context(text=note))
    assert codes(out) == ["I50.9"]
    assert "unspecified" in out[0].flags


@pytest.mark.parametrize(
    ("code", "note", "evidence", "expected"),
    [
        ("M22.40", "Postoperative diagnosis: grade II chondromalacia of patella, R knee.", "chondromalacia", "M22.41"),
        ("M10.9", "Acute gout flare, L 1st MTP (podagra).", "gout", "M10.9"),  # gout's side lives in M10.07x
        ("L03.90", "Cellulitis of the forearm, left side; started cephalexin.", "Cellulitis", "L03.90"),
    ],
)
def test_the_side_stated_in_the_evidence_clause(make, context, code, note, evidence, expected):
    out = specificity.apply([make(code, evidence, note)], context(text=note))
    assert codes(out) == [expected]


def test_a_clause_naming_both_sides_decides_nothing(make, context):
    note = "Chondromalacia of patella, R knee worse than L knee."
    out = specificity.apply([make("M22.40", "Chondromalacia", note)], context(text=note))
    assert codes(out) == ["M22.40"]


def test_r_and_l_are_sides_only_before_a_body_part():
    assert specificity.text_facets("R knee pain")["laterality"] == {"right"}
    assert specificity.text_facets("L 1st MTP swelling")["laterality"] == {"left"}
    assert "laterality" not in specificity.text_facets("Vitamin D 2000 IU, L-thyroxine, R on R")


def test_without_code_gives_way_to_its_with_sibling(make, context):
    from cac.coding.guidelines import specificity

    cands = [make("K70.30", "alcoholic cirrhosis"), make("K70.31", "alcoholic cirrhosis with ascites")]
    assert [c.code for c in specificity.apply(cands, context())] == ["K70.31"]


@pytest.mark.parametrize(
    ("note", "sex"),
    [
        ("HPI: 47 y/o F with left breast cancer.", "female"),
        ("68M with BCC of the back.", "male"),
        ("A 70-year-old woman presents with a breast lump.", "female"),
        ("Sex: M\nBreast mass.", "male"),
        ("She reports a lump; her mother had breast cancer.", "female"),
        ("Temp 101 F. Breast mass.", None),  # a temperature is no sex
        ("Temp 101F. Breast mass.", None),
        ("T 101F, HR 90. Breast mass.", None),
        ("Breast mass noted.", None),
    ],
)
def test_note_sex(note, sex):
    assert specificity.note_sex(note) == sex


def test_patient_sex_chooses_the_female_breast_code(make, context):
    note = "HPI: 47 y/o F.\nA/P: Malignant neoplasm of upper-outer quadrant of left breast."
    cand = make("C50.4", "Malignant neoplasm of upper-outer quadrant of left breast", note)
    out = apply_guidelines([cand], context(text=note))
    assert codes(out) == ["C50.412"]


@pytest.mark.parametrize(
    ("code", "note", "evidence", "expected"),
    [
        # the walk reached a billable female breast code: the patient is a man
        ("C50.911", "72 yo M. A/P: right breast cancer.", "right breast cancer", "C50.921"),
        ("C50.912", "He is followed for a left breast carcinoma; he denies pain.", "left breast carcinoma", "C50.922"),
        # a non-billable female code extended after the swap
        ("C50.91", "A 66-year-old man with right breast cancer.", "right breast cancer", "C50.921"),
        ("C50.011", "Sex: M\nPaget disease of the right nipple.", "Paget disease of the right nipple", "C50.021"),
        # and the other way
        ("C50.921", "58 y/o F, right breast cancer.", "right breast cancer", "C50.911"),
        # the sex unknown: the code stays
        ("C50.911", "Right breast cancer.", "Right breast cancer", "C50.911"),
    ],
)
def test_patient_sex_swaps_a_female_or_male_code(make, context, code, note, evidence, expected):
    out = apply_guidelines([make(code, evidence, note)], context(text=note))
    assert codes(out) == [expected]
    assert out[0].evidence[0].text == evidence


def test_unspecified_site_cancer_gives_way_to_the_named_subsite(make, context):
    note = "A/P: left breast cancer; malignant neoplasm of upper-outer quadrant of left breast, 50 y/o F."
    vague = make("C50.912", "left breast cancer", note)
    specific = make("C50.412", "malignant neoplasm of upper-outer quadrant", note)
    assert codes(apply_guidelines([vague, specific], context(text=note))) == ["C50.412"]
    # the other side's cancer is a second cancer
    note = "A/P: right breast cancer; malignant neoplasm of upper-outer quadrant of left breast, 50 y/o F."
    other = make("C50.911", "right breast cancer", note)
    specific = make("C50.412", "malignant neoplasm of upper-outer quadrant", note)
    assert sorted(codes(apply_guidelines([other, specific], context(text=note)))) == ["C50.412", "C50.911"]


@pytest.mark.parametrize(
    ("code", "note", "evidence", "expected"),
    [
        ("H40.05", "Ocular hypertension OU, thick corneas.", "Ocular hypertension", "H40.053"),
        ("H25.1", "Nuclear sclerotic cataract OD, not visually significant.", "Nuclear sclerotic cataract", "H25.11"),
        ("H40.059", "Ocular hypertension OS; IOP 26.", "Ocular hypertension", "H40.052"),
        (
            "E11.339",
            "Moderate nonproliferative diabetic retinopathy without macular edema OU.",
            "Moderate nonproliferative diabetic retinopathy",
            "E11.3393",
        ),
        ("E11.329", "Mild NPDR without macular edema, left eye.", "Mild NPDR", "E11.3292"),
    ],
)
def test_the_eye_side_from_od_os_ou(make, context, code, note, evidence, expected):
    out = specificity.apply([make(code, evidence, note)], context(text=note))
    assert codes(out) == [expected]
    assert out[0].evidence[0].text == evidence


def test_the_eye_side_is_evidence(make, context):
    note = "Ocular hypertension OU, thick corneas."
    out = specificity.apply([make("H40.05", "Ocular hypertension", note)], context(text=note))
    assert [s.text for s in out[0].evidence] == ["Ocular hypertension", "OU"]


def test_od_os_ou_are_sides_only_in_capitals():
    assert specificity.text_facets("lens 2+ NS OU")["laterality"] == {"bilateral"}
    assert specificity.text_facets("VA cc OD 20/40")["laterality"] == {"right"}
    assert "laterality" not in specificity.text_facets("cervical os closed, no bleeding")


@pytest.mark.parametrize(
    ("code", "note", "expected"),
    [
        ("G81.9", "Right hemiparesis after the bleed.", "G81.91"),  # right: dominant by default
        ("G81.9", "Left hemiparesis after the bleed.", "G81.94"),  # left: non-dominant by default
        ("G81.90", "R hemiparesis (dominant side), PT consulted.", "G81.91"),
        ("G81.9", "Left-handed teacher. Right hemiparesis.", "G81.93"),  # handedness documented
        ("G81.9", "Ambidextrous. Left hemiparesis.", "G81.92"),  # ambidextrous: dominant
        ("I69.359", "Residual R hemiparesis from an old infarct.", "I69.351"),
        ("G83.1", "Monoplegia of the left leg.", "G83.14"),
    ],
)
def test_hemiplegia_side_and_dominance(make, context, code, note, expected):
    word = "hemiparesis" if "hemiparesis" in note else "Monoplegia"
    out = specificity.apply([make(code, word, note)], context("inpatient", text=note))
    assert codes(out) == [expected]
    assert out[0].evidence[0].text == word


def test_hemiplegia_without_a_side_stays_unspecified(make, context):
    note = "Hemiparesis, improving with therapy."
    assert codes(specificity.apply([make("G81.9", "Hemiparesis", note)], context(text=note))) == ["G81.90"]


def test_dominance_defaults():
    assert specificity.side_dominance("right", "right hemiparesis", "") == "dominant"
    assert specificity.side_dominance("left", "left hemiparesis", "") == "nondominant"
    assert specificity.side_dominance("left", "left hemiparesis", "right-handed") == "nondominant"
    assert specificity.side_dominance("left", "left hemiparesis", "left-handed") == "dominant"
    assert specificity.side_dominance("right", "right hemiparesis, non-dominant side", "") == "nondominant"


def test_right_handed_is_no_side():
    assert "laterality" not in specificity.text_facets("right-handed man")
    assert specificity.text_facets("laceration of right hand")["laterality"] == {"right"}


def test_the_level_the_clause_writes(make, context):
    note = "Hypoglycemia in type 2 diabetic, level 3 (needed EMS)."
    out = specificity.apply([make("E16.A2", "Hypoglycemia", note)], context(text=note))
    assert codes(out) == ["E16.A3"]
    assert out[0].evidence[0].text == "Hypoglycemia"
    note = "Hypoglycemia level 2, type 2 diabetic."
    assert codes(specificity.apply([make("E16.A2", "Hypoglycemia", note)], context(text=note))) == ["E16.A2"]


def test_unspecified_code_for_a_word_of_a_specific_phrase_gives_way(make, context):
    note = "Nuclear sclerotic cataracts OU, not visually significant."
    cands = [make("H25.13", "Nuclear sclerotic", note), make("H26.9", "cataracts", note)]
    out = specificity.apply(cands, context(text=note))
    assert codes(out) == ["H25.13"]
    elsewhere = "Nuclear sclerotic changes OU.\nPost-traumatic cataract of the other eye, see prior note."
    cands = [make("H25.13", "Nuclear sclerotic", elsewhere), make("H26.9", "cataract", elsewhere)]
    assert sorted(codes(specificity.apply(cands, context(text=elsewhere)))) == ["H25.13", "H26.9"]


def test_od_as_overdose_is_no_side_and_stated_handedness_decides(make, context):
    note = "A/P: Laceration of wrist after OD."
    assert codes(specificity.apply([make("S61.519A", "Laceration of wrist", note)], context(text=note))) == ["S61.519A"]
    clause = "Right hemiparesis; patient is left hand dominant"
    assert specificity.side_dominance("right", clause, clause) == "nondominant"


@pytest.mark.parametrize(
    ("code", "note", "evidence", "expected"),
    [
        ("C95.9", "Leukemia, followed by oncology.", "Leukemia", "C95.90"),
        ("C92.0", "Acute myeloid leukemia, induction planned.", "Acute myeloid leukemia", "C92.00"),
        ("C92.0", "Acute myeloid leukemia in complete remission.", "Acute myeloid leukemia", "C92.01"),
        ("C90.0", "Relapsed multiple myeloma.", "multiple myeloma", "C90.02"),
    ],
)
def test_remission_status_read_and_not_having_achieved_remission_by_default(
    make, context, code, note, evidence, expected
):
    """C90-C95 codes by remission status: a leukemia with nothing said of remission is "not having achieved
    remission", never "in relapse"."""
    out = specificity.apply([make(code, evidence, note)], context(text=note))
    assert codes(out) == [expected]


def test_calculus_without_cholecystitis_gives_way_to_the_with_code_of_its_category(make, context):
    note = "Cholelithiasis. Pathology: chronic cholecystitis with cholelithiasis."
    cands = [
        make("K80.20", "Cholelithiasis", note, score=0.9),
        make("K80.10", "chronic cholecystitis with cholelithiasis", note, score=0.5),
    ]
    out = specificity.apply(cands, context(text=note))
    assert codes(out) == ["K80.10"]
    assert out[0].score == 0.9  # one gallstone disease: the code takes the better-documented mention's score
    assert [s.text for s in out[0].evidence] == ["Cholelithiasis", "chronic cholecystitis with cholelithiasis"]


def test_a_without_code_stays_beside_a_different_condition_of_its_category(make, context):
    note = "Mild NPDR without macular edema, left eye. Moderate NPDR with macular edema, right eye."
    cands = [make("E11.3292", "Mild NPDR", note), make("E11.3311", "Moderate NPDR", note)]
    assert sorted(codes(specificity.apply(cands, context(text=note)))) == ["E11.3292", "E11.3311"]


@pytest.mark.parametrize(
    ("note", "evidence", "expected"),
    [
        ("AML, therapy-related, not in remission.", "AML", "C92.00"),
        ("Acute myeloid leukemia in complete remission.", "Acute myeloid leukemia", "C92.01"),
        ("Relapsed acute myeloid leukemia.", "acute myeloid leukemia", "C92.02"),
    ],
)
def test_remission_status_chooses_the_leukemia_code(make, context, note, evidence, expected):
    out = specificity.apply([make("C92.0", evidence, note)], context(text=note))
    assert codes(out) == [expected]


def test_a_side_and_stage_on_the_wrapped_line_count(make, context):
    note = "Assessment: Primary open-angle glaucoma both\neyes, mild stage, IOP controlled on drops OU.\nPlan: same."
    out = specificity.apply([make("H40.11", "Primary open-angle glaucoma", note)], context(text=note))
    assert codes(out) == ["H40.1131"]
    assert specificity.continued_lines(out[0], context(text=note)).strip().startswith("assessment: primary")


def test_a_line_ending_its_sentence_is_not_continued(make, context):
    note = "Glaucoma.\nright eye pressure normal."
    cand = make("H40.9", "Glaucoma", note)
    assert specificity.continued_lines(cand, context(text=note)) == ""


@pytest.mark.parametrize(
    ("note", "evidence", "expected"),
    [
        ("Cellulitis of left leg, on cephalexin.", "Cellulitis", "L03.116"),
        ("Right calf cellulitis.", "cellulitis", "L03.115"),
        ("Cellulitis of the left forearm.", "Cellulitis", "L03.114"),
        ("Cellulitis of left axilla.", "Cellulitis", "L03.112"),
    ],
)
def test_a_limb_named_in_the_notes_words_chooses_the_limb_code(make, context, note, evidence, expected):
    """ "Leg" names the lower limb: L03.116, not the shortest left-sided title (L03.112, axilla)."""
    out = specificity.apply([make("L03.11", evidence, note)], context(text=note))
    assert codes(out) == [expected]


@pytest.mark.parametrize(
    ("vague", "specific"),
    [
        (("F41.9", "anxiety", "historical"), ("F41.1", "generalized anxiety disorder")),  # PMH item, current GAD
        (("N18.9", "chronic kidney disease", "possible"), ("N18.32", "CKD stage 3b")),
        (("I48.91", "AF", "present"), ("I48.21", "permanent AFib")),  # no word shared: the titles say it
        (("F17.200", "tobacco dependence", "present"), ("F17.210", "smokes 1 ppd")),
    ],
)
def test_vague_code_gives_way_to_the_specific_code_of_one_condition(make, context, vague, specific):
    """The unspecified code of a condition named more specifically elsewhere in the note is dropped, also when it
    stands in the past history (a chronic condition kept as current) or is uncertain."""
    code, words, assertion = vague
    out = apply_guidelines([make(code, words, assertion=assertion), make(*specific)], context("inpatient"))
    assert codes(out) == [specific[0]]
    assert code in out[0].rationale


def test_unspecified_code_of_another_condition_of_the_category_stays(make, context):
    out = specificity.apply([make("I48.92", "atrial flutter"), make("I48.21", "permanent AFib")], context())
    assert sorted(codes(out)) == ["I48.21", "I48.92"]


@pytest.mark.parametrize(
    ("vague", "specific"),
    [
        (("J45.30", "mild persistent asthma"), ("J45.31", "exacerbation of mild persistent asthma")),
        (("F10.20", "alcohol dependence"), ("F10.230", "alcohol withdrawal")),
        (("G43.009", "migraine without aura"), ("G43.019", "intractable migraine without aura")),
    ],
)
def test_uncomplicated_or_not_intractable_code_gives_way_to_its_sibling(make, context, vague, specific):
    """ "Uncomplicated" gives way to "with (acute) exacerbation" / "with withdrawal", "not intractable" to
    "intractable", for one condition of one category."""
    out = specificity.apply([make(*vague), make(*specific)], context())
    assert codes(out) == [specific[0]]
    assert vague[0] in out[0].rationale


def test_uncomplicated_code_of_another_head_stays(make, context):
    cands = [make("J45.30", "mild persistent asthma"), make("J45.41", "moderate persistent asthma, exacerbation")]
    assert sorted(codes(specificity.apply(cands, context()))) == ["J45.30", "J45.41"]
