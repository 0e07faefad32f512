"""Rule-level cases of the task A leftovers on made-up notes: two metastases of one secondary-neoplasm category,
a lay wording beside the clinician's term, the kidney recipient's native ESRD and a transplant not yet done."""

from __future__ import annotations

from cac.coding.guidelines import specificity, status
from tests.coding.guidelines.helpers import codes


def test_two_metastatic_sites_of_one_category_are_both_kept(make, context):
    note = "Metastases to the adrenal gland and to the abdominal wall."
    adrenal = make("C79.70", "adrenal gland", note)
    wall = make("C79.89", "abdominal wall", note)
    out = specificity.apply([adrenal, wall], context(text=note))
    assert sorted(codes(out)) == ["C79.70", "C79.89"]


def test_a_breast_cancer_named_twice_is_still_one_code(make, context):
    note = "Breast cancer. Malignant neoplasm of upper-outer quadrant of left breast."
    vague = make("C50.912", "Breast cancer", note)
    specific = make("C50.412", "upper-outer quadrant of left breast", note)
    assert codes(specificity.apply([vague, specific], context(text=note))) == ["C50.412"]


def test_high_cholesterol_gives_way_to_hyperlipidemia(make, context):
    note = "PMH: high cholesterol. A/P: hyperlipidemia."
    out = specificity.apply(
        [make("E78.00", "high cholesterol", note), make("E78.5", "hyperlipidemia", note)], context()
    )
    assert codes(out) == ["E78.5"]
    assert [e.text for e in out[0].evidence] == ["high cholesterol", "hyperlipidemia"]


def test_hypercholesterolemia_keeps_its_code_beside_hyperlipidemia(make, context):
    note = "A/P: pure hypercholesterolemia; hyperlipidemia."
    out = specificity.apply(
        [make("E78.00", "pure hypercholesterolemia", note), make("E78.5", "hyperlipidemia", note)], context()
    )
    assert codes(out) == ["E78.00"]


def test_native_esrd_of_a_kidney_recipient_is_not_coded_without_dialysis(make, context):
    note = "DDKT 2019 (native ESRD). Kidney transplant recipient."
    cands = [make("N18.6", "ESRD", note), make("Z94.0", "Kidney transplant", note)]
    assert "N18.6" not in codes(status.apply(cands, context(text=note)))


def test_transplant_evaluation_is_no_transplant_status(make, context):
    note = "A/P: Cirrhosis. Liver transplant evaluation referral placed."
    out = status.apply([make("Z94.4", "Liver transplant", note)], context(text=note))
    assert "Z94.4" not in codes(out)
