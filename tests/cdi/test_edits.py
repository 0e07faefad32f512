"""Pre-bill edits, one family at a time, on real ICD-10-CM, CPT and HCPCS codes."""

from __future__ import annotations

import pytest

from cac.cdi import prebill_edits
from cac.cdi.claim import detect_system, parse_item


def edits(store, codes, **kw):
    return prebill_edits(codes, store=store, ncci=False, **kw)["edits"]


def kinds(store, codes, **kw):
    return {(e["kind"], tuple(e["codes"])) for e in edits(store, codes, **kw)}


def test_maternity_code_on_a_male_patient(store):
    out = edits(store, ["O80", "Z37.0"], age=30, sex="M")
    assert {(e["kind"], e["codes"][0]) for e in out} == {("sex", "O80"), ("sex", "Z37.0")}
    assert all(e["severity"] == "error" for e in out)
    assert kinds(store, ["O80", "Z37.0"], age=30, sex="F") == set()


def test_maternity_code_outside_childbearing_age(store):
    assert ("age", ("O80",)) in kinds(store, ["O80"], age=70, sex="F")


def test_perinatal_code_on_a_70_year_old(store):
    assert kinds(store, ["P07.30"], age=70) == {("age", ("P07.30",))}
    assert kinds(store, ["P07.30"], age=0) == set()


def test_male_only_code_on_a_female_patient(store):
    assert kinds(store, ["N40.0"], sex="F") == {("sex", ("N40.0",))}
    assert kinds(store, ["N40.0"], sex="M") == set()


def test_female_only_code_on_a_male_patient(store):
    assert kinds(store, ["N92.0"], sex="M") == {("sex", ("N92.0",))}


def test_unknown_age_and_sex_raise_nothing(store):
    assert kinds(store, ["O80", "P07.30", "N40.0"]) == set()


def test_diabetes_without_complications_with_a_complication_code(store):
    out = edits(store, ["E11.22", "E11.9"])
    assert [(e["kind"], e["codes"], e["severity"]) for e in out] == [("unspecified", ["E11.9", "E11.22"], "error")]


def test_unspecified_code_beside_a_specific_sibling(store):
    out = edits(store, ["I50.9", "I50.32"])
    assert [(e["kind"], e["codes"], e["severity"]) for e in out] == [("unspecified", ["I50.9", "I50.32"], "warning")]


def test_excludes1_pair(store):
    # E10 (type 1) Excludes1 names the other diabetes categories; E11 type 2 names E10 in turn.
    assert ("excludes1", ("E11.9", "E10.9")) in kinds(store, ["E11.9", "E10.9"])
    # G63 excludes polyneuropathy in diabetes (E08-E13 with .42).
    assert ("excludes1", ("G63", "E11.42")) in kinds(store, ["G63", "E11.42"])


@pytest.mark.parametrize("manifestation, etiology", [("G63", "E85.1"), ("F02.80", "G30.9")])
def test_manifestation_listed_first(store, manifestation, etiology):
    found = kinds(store, [manifestation, etiology])
    assert ("manifestation_first", (manifestation,)) in found
    assert ("code_first", (etiology, manifestation)) in found
    assert kinds(store, [etiology, manifestation]) == set()


def test_code_first_order_of_ckd_after_its_combination_codes(store):
    found = kinds(store, ["N18.31", "E11.22", "I12.9"])
    assert ("code_first", ("E11.22", "N18.31")) in found and ("code_first", ("I12.9", "N18.31")) in found
    assert kinds(store, ["E11.22", "I12.9", "N18.31"]) == set()


def test_duplicate_codes(store):
    out = edits(store, ["I10", "E78.5", "I10"])
    assert [(e["kind"], e["codes"]) for e in out] == [("duplicate", ["I10"])]


def test_procedure_without_linked_diagnosis(store):
    # 45380 is linked to K63.5, which is not on the claim; 45385 is linked to a listed diagnosis.
    found = kinds(store, ["45380=K63.5", "45385=Z12.11", "Z12.11"])
    assert found == {("unlinked_procedure", ("45380",))}
    # no link information at all: only a claim without any diagnosis is flagged
    assert kinds(store, ["45380"]) == {("unlinked_procedure", ("45380",))}
    assert kinds(store, ["45380", "K63.5"]) == set()


def test_clean_claim_passes(store):
    result = prebill_edits(["E11.22", "I12.9", "N18.31", "Z79.4"], age=64, sex="M", store=store, ncci=False)
    assert result["edits"] == [] and result["clean"] is True


def test_code_parsing_detects_systems(store):
    assert detect_system("E11.22") == "ICD-10-CM"
    assert detect_system("45380") == "CPT"
    assert detect_system("0DTJ4ZZ") == "ICD-10-PCS"
    assert detect_system("HCPCS:J1100") == "HCPCS"
    item = parse_item("45380=K63.5,Z12.11", store)
    assert (item.system, item.code, item.links) == ("CPT", "45380", ["K63.5", "Z12.11"])
    assert parse_item("CPT:96372*2", store).units == 2
    with pytest.raises(ValueError):
        prebill_edits(["E11.2Q?"], store=store, ncci=False)


def test_edits_from_a_suggest_result(store):
    result = {
        "threshold": 0.5,
        "suggestions": [
            {"system": "ICD-10-CM", "code": "E11.9", "score": 0.9},
            {"system": "ICD-10-CM", "code": "E11.22", "score": 0.8},
            {"system": "ICD-10-CM", "code": "I10", "score": 0.2},  # below threshold: not on the claim
        ],
    }
    out = prebill_edits(result, store=store, ncci=False)
    assert [c["code"] for c in out["codes"]] == ["E11.9", "E11.22"]
    assert [e["kind"] for e in out["edits"]] == ["unspecified"]


def test_unspecified_code_when_the_note_documents_the_detail(store):
    note = "PMH: CKD stage 4, followed by nephrology. Chronic diastolic heart failure."
    out = prebill_edits(["N18.9", "I10"], store=store, ncci=False, text=note)["edits"]
    assert [(e["kind"], e["codes"], e["severity"]) for e in out] == [("unspecified_documented", ["N18.9"], "warning")]
    assert 'stage 4"' in out[0]["message"]  # the documented words quoted ("CKD stage 4")
    assert prebill_edits(["N18.4", "I10"], store=store, ncci=False, text=note)["edits"] == []
