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
    assert [(a, v, s.text) for a, v, s in gap.documented] == [("ckd_stage", "4", "stage 4")]


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
