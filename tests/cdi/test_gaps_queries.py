"""Specificity gaps (axes from the tabular, indicators with spans) and the physician queries built from them."""

from __future__ import annotations

from cac.cdi.gaps import find_gaps
from cac.cdi.queries import OTHER, UNDETERMINED, build_queries
from tests.cdi.helpers import result_for

HF_NOTE = (
    "A/P:\n1. CHF - on furosemide 40 mg daily, weight stable.\n"
    "Echo last month: LVEF 25%, global hypokinesis. BNP 1250.\n"
)
CKD_NOTE = "Labs: creatinine 1.8, eGFR 38 today.\nAssessment: CKD, follow with nephrology.\n"


def one_gap(note, code, evidence, store):
    gaps = find_gaps(result_for(note, (code, evidence)), note, store)
    assert [g.code for g in gaps] == [code]
    return gaps[0]


def test_heart_failure_unspecified_gap_cites_the_ejection_fraction(store):
    gap = one_gap(HF_NOTE, "I50.9", "CHF", store)
    assert gap.reason == "unspecified"
    assert set(gap.missing) == {"hf_type", "acuity"}
    ef = [i for i in gap.indicators if i.name == "ejection fraction"]
    assert len(ef) == 1 and ef[0].span.text == "LVEF 25%"
    assert HF_NOTE[ef[0].span.start : ef[0].span.end] == "LVEF 25%"
    assert ef[0].value == "25" and ef[0].interpretation == "reduced EF range"
    assert any(i.name == "BNP" and i.value == "1250" for i in gap.indicators)
    option_codes = [c for c, _t in gap.options]
    assert {"I50.22", "I50.32", "I50.42"} <= set(option_codes) and "I50.9" not in option_codes


def test_ckd_unspecified_gap_cites_the_egfr(store):
    gap = one_gap(CKD_NOTE, "N18.9", "CKD", store)
    assert gap.missing == ["ckd_stage"]
    egfr = next(i for i in gap.indicators if i.name == "eGFR")
    assert (egfr.span.text, egfr.value, egfr.interpretation) == ("eGFR 38", "38", "G3b range")
    assert [c for c, _t in gap.options][:8] == [
        "N18.1",
        "N18.2",
        "N18.30",
        "N18.31",
        "N18.32",
        "N18.4",
        "N18.5",
        "N18.6",
    ]


def test_detail_written_elsewhere_in_the_note_is_reported(store):
    note = "HPI: known CKD stage 4, followed by nephrology.\nA/P: CKD - recheck BMP.\n"
    result = result_for(note, ("N18.9", "CKD - recheck"))
    gap = find_gaps(result, note, store)[0]
    assert [(a, v, s.text) for a, v, s in gap.documented] == [("ckd_stage", "4", "CKD stage 4")]


def test_non_billable_category_and_episode_of_care(store):
    note = "Closed fracture of the left lower leg after a fall."
    gap = one_gap(note, "S82.90", "fracture of the left lower leg", store)
    assert gap.reason == "not_billable" and gap.missing == ["episode"]
    assert "S82.90XA" in [c for c, _t in gap.options]


def test_specific_code_has_no_gap(store):
    note = "Chronic diastolic heart failure, EF 60%. Essential hypertension."
    result = result_for(note, ("I50.32", "Chronic diastolic heart failure"), ("I10", "Essential hypertension"))
    assert find_gaps(result, note, store) == []


def test_code_that_is_not_unspecified_needs_an_indicator(store):
    plain = "DM2, diet controlled. Feels well."
    assert find_gaps(result_for(plain, ("E11.9", "DM2")), plain, store) == []
    with_labs = "DM2. A1c 9.1 today, eGFR 41. Continue metformin."
    gap = find_gaps(result_for(with_labs, ("E11.9", "DM2")), with_labs, store)[0]
    assert gap.reason == "indicators" and gap.missing == ["complication"]
    assert {i.name for i in gap.indicators} >= {"hemoglobin A1c", "eGFR"}
    first_two = [c for c, _t in gap.options[:2]]
    assert set(first_two) == {"E11.21", "E11.65"}  # kidney and hyperglycemia options first


def test_query_format(store):
    gaps = find_gaps(result_for(HF_NOTE, ("I50.9", "CHF")), HF_NOTE, store)
    (query,) = build_queries(gaps)
    assert query.options[-2:] == [OTHER, UNDETERMINED]
    assert query.option_codes[-2:] == [None, None]
    assert len(query.options) <= 11
    assert all(store.is_billable("ICD-10-CM", c) for c in query.option_codes[:-2])
    assert query.option_codes[:-2] == sorted(query.option_codes[:-2])  # tabular order: no position suggests
    assert '"LVEF 25%"' in query.question and "CHF" in query.question
    # non-leading: no interpretation, no diagnosis named in the question itself
    for word in ("reduced", "systolic", "diastolic", "acute", "should", "likely"):
        assert word not in query.question.lower()
    assert any(i.span.text == "LVEF 25%" for i in query.indicators)


def test_no_query_for_an_organism_without_an_indicator(store):
    bare = "Assessment: community acquired pneumonia. Supportive care."
    gaps = find_gaps(result_for(bare, ("J18.9", "community acquired pneumonia")), bare, store)
    assert [g.missing for g in gaps] == [["organism"]]
    assert build_queries(gaps) == []
    cultured = "Sputum culture: heavy growth of gram-negative rods. Assessment: pneumonia on ceftriaxone."
    gaps = find_gaps(result_for(cultured, ("J18.9", "pneumonia")), cultured, store)
    (query,) = build_queries(gaps)
    assert query.axes == ["organism"]
    assert any(i.kind == "culture" and i.span.text.startswith("Sputum culture") for i in query.indicators)
    assert "J15.1" in query.option_codes  # Pseudomonas, from the options table


def test_negated_and_below_threshold_codes_are_not_queried(store):
    note = "No heart failure. CKD noted."
    result = result_for(note, ("I50.9", "heart failure"), ("N18.9", "CKD"))
    result["suggestions"][0]["assertion"] = "negated"
    result["suggestions"][1]["score"] = 0.1
    assert find_gaps(result, note, store) == []


def test_skin_cancer_of_unspecified_skin_asks_for_the_site(store):
    note = "Assessment: basal cell carcinoma, shave biopsy result reviewed; refer for excision.\n"
    gap = one_gap(note, "C44.91", "basal cell carcinoma", store)
    assert "site" in gap.missing
    # the options are basal cell carcinomas of named skin regions, never another kind of skin cancer
    assert len(gap.options) >= 5 and all(t.startswith("Basal cell carcinoma of") for _c, t in gap.options)
    assert "C44.311" in {c for c, _t in gap.options}  # nose


def test_site_options_keep_the_kind_of_cancer(store):
    note = "Assessment: squamous cell carcinoma of the skin, biopsy proven.\n"
    gap = one_gap(note, "C44.92", "squamous cell carcinoma", store)
    assert gap.options and all(t.startswith("Squamous cell carcinoma of") for _c, t in gap.options)


def test_pregnancy_code_of_unspecified_trimester_asks_for_the_trimester(store):
    note = "G1P0 at 30 weeks.\nAssessment: gestational hypertension, no proteinuria.\n"
    gap = one_gap(note, "O13.9", "gestational hypertension", store)
    assert gap.missing == ["trimester"]
    assert {"O13.1", "O13.2", "O13.3", "O13.4", "O13.5"} <= {c for c, _t in gap.options}


def test_family_history_of_cancer_asks_for_the_site(store):
    note = "FH: father with cancer.\n"
    gap = one_gap(note, "Z80.9", "father with cancer", store)
    assert gap.missing == ["site"]
    assert {"Z80.0", "Z80.1", "Z80.3"} <= {c for c, _t in gap.options}


def test_other_specified_sibling_is_an_option(store):
    note = "Assessment: acidosis on the blood gas, recheck in the morning.\n"
    gap = one_gap(note, "E87.20", "acidosis", store)
    assert "E87.29" in {c for c, _t in gap.options}  # "Other acidosis"


def test_unspecified_site_is_asked_from_the_categorys_other_codes(store):
    note = "Assessment: pressure injury stage 2, turning every two hours.\n"
    gap = one_gap(note, "L89.92", "pressure injury stage 2", store)
    assert gap.missing == ["site"]
    titles = [t for _c, t in gap.options]
    # every option keeps the documented stage and names a site
    assert "L89.152" in {c for c, _t in gap.options} and all(t.endswith("stage 2") for t in titles)


def test_site_options_keep_the_documented_side(store):
    note = "Assessment: DVT of the left leg, started apixaban.\n"
    gap = one_gap(note, "I82.402", "DVT of the left leg", store)
    assert gap.missing == ["site"]
    assert "I82.412" in {c for c, _t in gap.options}  # left femoral vein
    assert all("left" in t for _c, t in gap.options)


def test_histology_and_cause_axes(store):
    note = "Assessment: AKI, hold lisinopril. Mucositis after chemotherapy.\n"
    aki = one_gap(note, "N17.9", "AKI", store)
    assert aki.missing == ["histology"] and {"N17.0", "N17.1", "N17.2"} <= {c for c, _t in aki.options}
    note = "Assessment: oral mucositis, magic mouthwash.\n"
    mucositis = one_gap(note, "K12.30", "oral mucositis", store)
    assert mucositis.missing == ["cause"] and "K12.31" in {c for c, _t in mucositis.options}


def test_a_seventh_digit_is_not_always_an_episode_of_care(store):
    note = "PMH: colon polyps, colonoscopy due next year.\n"
    gap = one_gap(note, "Z86.0100", "colon polyps", store)
    assert gap.missing == ["histology"] and "Z86.0101" in {c for c, _t in gap.options}


def test_no_option_restates_what_the_code_already_says(store):
    note = "Assessment: right hip fracture, ortho consulted.\n"
    result = result_for(note, ("S72.001A", "right hip fracture"))
    assert not [g for g in find_gaps(result, note, store) if any(c == "S72.002A" for c, _t in g.options)]


def test_hydronephrosis_with_a_stone_is_queried_for_the_obstruction(store):
    note = "CT: 6 mm obstructing stone at the left UVJ.\nAssessment: hydronephrosis, urology referral.\n"
    queries = build_queries(find_gaps(result_for(note, ("N13.30", "hydronephrosis")), note, store))
    assert [q.axes for q in queries] == [["complication"]]
    assert "N13.2" in queries[0].option_codes
    assert any("obstructing stone" in i.span.text for i in queries[0].indicators)


def test_a_symptom_gap_is_reported_but_not_queried(store):
    note = "Assessment: joint pain, ibuprofen as needed.\n"
    gaps = find_gaps(result_for(note, ("M25.50", "joint pain")), note, store)
    assert [g.code for g in gaps] == ["M25.50"] and "site" in gaps[0].missing
    assert build_queries(gaps) == []
