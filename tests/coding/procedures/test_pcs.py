"""ICD-10-PCS: root operation, body part, approach, device and qualifier built from the note."""

from __future__ import annotations

import pytest


def _pcs(got):
    return {c for c, cand in got.items() if cand.system == "ICD-10-PCS"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Operation: Laparoscopic appendectomy.", "0DTJ4ZZ"),
        ("Operation: Open appendectomy through a right lower quadrant incision.", "0DTJ0ZZ"),
        ("Operation: Laparoscopic cholecystectomy.", "0FT44ZZ"),
        ("Operation: Open cholecystectomy.", "0FT40ZZ"),
    ],
)
def test_resection_approach(propose, text, code):
    got = propose(text, setting="inpatient", note_type="operative_report")
    assert code in got
    assert got[code].score >= 0.8
    assert "unspecified" not in got[code].flags


def test_missing_approach_gives_stem_and_unspecified_completion(propose):
    got = propose("Appendectomy performed on day 2 for acute appendicitis.", setting="inpatient")
    codes = {c for c in _pcs(got) if c.startswith("0DTJ")}
    assert codes == {"0DTJ0ZZ"}
    cand = got["0DTJ0ZZ"]
    assert "unspecified" in cand.flags
    assert "stem 0DTJ" in cand.rationale and "approach" in cand.rationale
    assert cand.score < 0.8


def test_endoscopic_biopsy_body_part_and_diagnostic_qualifier(propose):
    got = propose(
        "EGD on 4/19: gastric ulcer treated with two hemoclips; gastric antrum biopsies taken. Duodenum normal.",
        setting="inpatient",
        note_type="discharge_summary",
    )
    assert {"0DB68ZX", "0W3P8ZZ"} <= _pcs(got)
    assert "0DJ08ZZ" not in got  # the inspection is part of the excision


def test_transfusion_and_ventilation_hours(propose):
    got = propose(
        "Course: received 2 units PRBC via peripheral IV. Intubated and mechanically ventilated for 3 days.",
        setting="inpatient",
        note_type="discharge_summary",
    )
    assert "30233N1" in got
    assert "5A1945Z" in got
    assert "0BH17EZ" in got


def test_paracentesis_diagnostic_vs_therapeutic(propose):
    diag = propose("Diagnostic paracentesis performed; fluid sent for cell count and culture.", setting="inpatient")
    assert "0W9G3ZX" in diag
    ther = propose("Large-volume paracentesis performed with 5 L removed.", setting="inpatient")
    assert "0W9G3ZZ" in ther


def test_reposition_with_intramedullary_nail(propose):
    got = propose(
        "Procedure: Closed reduction and percutaneous cephalomedullary nail fixation, left proximal femur.",
        setting="inpatient",
        note_type="operative_report",
    )
    assert "0QS736Z" in got
    rationale = got["0QS736Z"].rationale
    assert "approach: percutaneous" in rationale and "intramedullary" in rationale


def test_open_reduction_internal_fixation(propose):
    got = propose("Procedure: ORIF of right distal radius fracture with volar plate.", setting="inpatient")
    assert "0PSH04Z" in got


def test_inpatient_radiology_section_b(propose):
    got = propose(
        "EXAM: CT abdomen and pelvis with IV contrast.\nFINDINGS: no acute process.",
        setting="inpatient",
        note_type="radiology_report",
    )
    assert "BW211ZZ" in got
    plain = propose(
        "EXAM: Chest X-ray, portable.\nIMPRESSION: clear lungs.", setting="inpatient", note_type="radiology_report"
    )
    assert "BW03ZZZ" in plain


def test_outpatient_note_gets_no_pcs(propose):
    got = propose("Operation: Laparoscopic appendectomy.", note_type="operative_report")
    assert not _pcs(got)
    assert "44970" in got


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Procedure: laparoscopic left radical nephrectomy.", "0TT14ZZ"),
        ("Procedure: right inguinal orchiectomy through an inguinal incision.", "0VT90ZZ"),
        ("Started on intermittent hemodialysis via right IJ catheter.", "5A1D70Z"),
        ("Started on CRRT for volume overload.", "5A1D90Z"),
        ("Low transverse cesarean section performed for arrest of labor.", "10D00Z1"),
        ("Spontaneous vaginal delivery of a viable male infant.", "10E0XZZ"),
        ("PCI of the LAD with one drug-eluting stent placed.", "027034Z"),
        ("Right IJ triple-lumen central venous catheter placed under ultrasound.", "02HV33Z"),
        ("NG tube placed for decompression.", "0D9670Z"),
    ],
)
def test_inpatient_procedure_families(propose, text, code):
    got = propose(text, setting="inpatient", note_type="discharge_summary")
    assert code in got, sorted(got)


def test_case_summary_imaging_in_section_b(propose):
    got = propose(
        "A cranial CT scan showed a small subdural hematoma. An abdominal ultrasound was performed and was normal.",
        setting="inpatient",
    )
    assert "BW40ZZZ" in got
    assert "BN20ZZZ" in got
    assert "unspecified" in got["BN20ZZZ"].flags and "contrast" in got["BN20ZZZ"].rationale


def test_discharge_summary_imaging_is_not_coded(propose):
    got = propose("CT abdomen showed a distended gallbladder.", setting="inpatient", note_type="discharge_summary")
    assert not {c for c in got if c.startswith("B")}
