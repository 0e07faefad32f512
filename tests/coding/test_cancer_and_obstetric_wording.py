"""Wordings of cancer spread, the puerperium, labour and the newborn's record, coded through the whole engine."""

import pytest


@pytest.fixture(scope="module")
def engine(store, imported):
    if not store.active_release("ICD-10-CM index"):
        pytest.skip("the Alphabetic Index is not imported (needs ../shared/data)")
    from cac.coding import Engine

    return Engine(store=store)


def _coded(engine, note: str, setting: str = "outpatient") -> dict[str, dict]:
    result = engine.suggest(note, setting=setting)
    return {
        s["code"]: s for s in result["suggestions"] if s["system"] == "ICD-10-CM" and s["score"] >= result["threshold"]
    }


@pytest.mark.parametrize(
    ("note", "primary", "secondary", "evidence"),
    [
        ("Assessment: RUL NSCLC, stage IV, with bone mets.", "C34.11", "C79.51", "mets"),
        ("Assessment: Metastatic LLL lung adenocarcinoma with brain mets.", "C34.32", "C79.31", "mets"),
        ("Assessment: Colon cancer with mets to liver, on FOLFOX.", "C18.9", "C78.7", "mets"),
        ("Assessment: Adenocarcinoma of the LUL with liver metastases.", "C34.12", "C78.7", "metastases"),
        ("Assessment: Metastatic prostate cancer to bone.", "C61", "C79.51", "Metastatic"),
    ],
)
def test_primary_by_its_lobe_and_secondary_by_its_own_site(engine, note, primary, secondary, evidence):
    coded = _coded(engine, note)
    assert primary in coded and secondary in coded, coded.keys()
    assert coded[secondary]["evidence"][0]["text"] == evidence
    assert not any(c.startswith("C78.0") for c in coded)  # the lung is the primary, not a secondary site


def test_cancer_is_no_phobia(engine):
    assert "F45.29" not in _coded(engine, "Assessment: Metastatic prostate cancer to bone.")


def test_postpartum_severe_pre_eclampsia_is_the_puerperium_code(engine):
    note = "Postpartum readmission, PPD #6.\nPrincipal dx: Postpartum pre-eclampsia with severe features.\n"
    coded = _coded(engine, note, "inpatient")
    assert "O14.15" in coded and "O15.2" not in coded


def test_arrest_of_dilation_is_secondary_uterine_inertia(engine):
    note = "Pre-op dx: IUP at 40w1d. Arrest of dilation at 7 cm despite adequate contractions.\n"
    coded = _coded(engine, note, "inpatient")
    assert "O62.1" in coded
    assert coded["O62.1"]["evidence"][0]["text"] == "Arrest of dilation"


def test_newborn_record_reads_the_newborn_subterms(engine):
    note = (
        "NEWBORN DISCHARGE SUMMARY\nBaby girl, born in this hospital, DOL 3.\n\n"
        "Discharge dx:\n1. Hyperbilirubinemia due to ABO incompatibility, on phototherapy.\n"
    )
    result = engine.suggest(note, setting="inpatient")
    listed = {s["code"]: s for s in result["suggestions"] if s["system"] == "ICD-10-CM"}
    assert listed["P55.1"]["evidence"][0]["text"] == "incompatibility"  # Incompatibility, ABO, newborn
    assert "R17" not in listed and "P59.9" not in _coded(engine, note, "inpatient")


def test_long_term_after_a_non_insulin_drug_is_no_insulin(engine):
    note = "Meds: meloxicam 15 mg daily (long term), omeprazole 20 mg daily.\nA/P: knee osteoarthritis.\n"
    assert "Z79.4" not in _coded(engine, note)


def test_a_primary_named_after_a_metastasis_is_not_its_site(engine):
    coded = _coded(engine, "Assessment: bone metastasis of medullary thyroid carcinoma.")
    assert "C79.51" in coded and "C73" in coded and "C79.89" not in coded
