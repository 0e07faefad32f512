"""HCPCS drugs beyond the table: names read from the HCPCS release, brands, chemotherapy and its administration."""

from __future__ import annotations

import pytest

from tests.coding.procedures.helpers import billed_units


@pytest.mark.parametrize(
    ("text", "code", "units"),
    [
        ("Geodon 20 mg IM given for agitation.", "J3486", 2),
        ("Zyprexa 10 mg IM given.", "J2359", 20),
        ("Bicillin L-A 2.4 million units IM given.", "J0561", 24),
        ("Prolia 60 mg SC given in clinic today.", "J0897", 60),
        ("Lupron Depot 22.5 mg IM given.", "J9217", 3),
        ("Rhogam 300 mcg IM given.", "J2790", 1),
        ("Versed 2 mg IV given.", "J2250", 2),
        ("Haldol decanoate 100 mg IM given.", "J1631", 2),
        ("Levetiracetam 1000 mg IV given.", "J1953", 100),
        ("Iron sucrose 200 mg IV infused over 30 minutes in clinic.", "J1756", 200),
        # a drug named only in the release (no table row): the plain product, not a named manufacturer's
        ("Pemetrexed 980 mg IV infusion over 20 min.", "J9305", 98),
    ],
)
def test_drug_codes_and_units(propose, hcpcs, text, code, units):
    got = propose(text)
    assert code in got, sorted(got)
    assert billed_units(got[code]) == units


def test_esrd_product_only_for_patients_on_dialysis(propose, hcpcs):
    ckd = propose("CKD stage 4, mother started dialysis at 58. Darbepoetin alfa 40 mcg SC given in clinic today.")
    assert "J0881" in ckd and "J0882" not in ckd
    esrd = propose("ESRD on hemodialysis MWF. Darbepoetin alfa 40 mcg IV given at dialysis today.")
    assert "J0882" in esrd


def test_chemotherapy_infusion_hierarchy(propose, hcpcs):
    got = propose(
        "Administration:\n10:05 Ondansetron 16 mg IV push and dexamethasone 12 mg IV push (premedication).\n"
        "10:15-10:45 Pembrolizumab 200 mg IV infusion over 30 min.\n"
        "10:50-11:10 Pemetrexed 980 mg IV infusion over 20 min.\n"
        "11:15-11:45 Carboplatin 610 mg IV infusion over 30 min.\n",
        note_type="procedure_note",
    )
    assert {"J9271", "J9305", "J9045", "J2405", "J1100"} <= set(got)
    assert {"96413", "96417", "96375"} <= set(got)
    assert not {"96374", "96365", "96367"} & set(got)  # the chemotherapy infusion is the initial service
    assert len(got["96417"].evidence) == 2


def test_hormonal_chemotherapy_injection(propose, hcpcs):
    got = propose("Lupron Depot 22.5 mg IM given today for prostate cancer.")
    assert "96402" in got and "96372" not in got


def test_inhalation_solution_is_an_office_supply(propose, hcpcs):
    office = propose("In clinic: albuterol 2.5 mg nebulized x1 with improvement in wheeze.")
    assert "J7613" in office and "94640" in office
    ed = propose("ED course: albuterol 2.5 mg nebulized x3.", setting="emergency", note_type="ed_note")
    assert "J7613" not in ed and "94640" in ed


def test_drugs_of_an_operation_or_a_sedation_are_not_reported(propose, hcpcs):
    op = propose(
        "PROCEDURE: Phacoemulsification with IOL, right eye. Ancef 50 mg and Decadron 4 mg injected "
        "subconjunctivally at the end. Cefazolin 2 g IV given preoperatively.",
        note_type="operative_report",
    )
    assert not {"J0690", "J1100"} & set(op)
    scope = propose(
        "Procedure: Colonoscopy. Medications: fentanyl 100 mcg IV and midazolam 3 mg IV for moderate sedation.",
        note_type="procedure_note",
    )
    assert not {"J3010", "J2250", "96374"} & set(scope)


def test_drug_given_before_arrival_is_not_reported(propose, hcpcs):
    got = propose("Received already 40 mg of Lovenox at the outside hospital.", setting="emergency")
    assert "J1650" not in got
