"""The CDI measure's case definition: which gold codes are more specific forms of the engine's code."""

from __future__ import annotations

from cac.cdi.bench import coverage, more_specific_gold
from tests.cdi.helpers import result_for


def test_a_more_specific_gold_code_names_the_same_condition(store):
    gold = ["E87.29", "E87.5", "E87.21"]
    # "Hyperkalemia" shares the category of "Acidosis, unspecified" but is another condition
    assert more_specific_gold("E87.20", gold, store) == ["E87.29", "E87.21"]
    assert more_specific_gold("C44.91", ["C44.311", "C44.92"], store) == ["C44.311"]
    assert more_specific_gold("O13.9", ["O13.4"], store) == ["O13.4"]


def test_a_specific_engine_code_has_no_case(store):
    assert more_specific_gold("I50.22", ["I50.23"], store) == []


def test_a_category_is_covered_by_its_descendants(store):
    assert more_specific_gold("I50.2", ["I50.22", "I50.9"], store) == ["I50.22"]


def test_coverage_counts_a_query_naming_the_missing_detail(store):
    note = "Labs: eGFR 38 today.\nAssessment: CKD, follow with nephrology.\n"
    documents = [{"id": "n1", "text": note, "codes": [{"system": "ICD-10-CM", "code": "N18.32"}]}]
    results = {"n1": result_for(note, ("N18.9", "CKD"))}
    cov = coverage(documents, results, store)
    assert (cov["cases"], cov["covered"], cov["names_axis"]) == (1, 1, 1)
    assert cov["details"][0]["query_axes"] == ["ckd_stage"]
