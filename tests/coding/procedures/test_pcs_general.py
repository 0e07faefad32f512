"""ICD-10-PCS for common inpatient procedures, as discharge summaries, operative and procedure notes say them."""

from __future__ import annotations

import pytest

DS, OP, PROC, RAD = "discharge_summary", "operative_report", "procedure_note", "radiology_report"

# (text, note type, expected code, words the evidence must include)
CASES = [
    (
        "Hospital course: R IJ triple-lumen central venous\ncatheter placed under US guidance; tip in the SVC.",
        DS,
        "02HV33Z",
        "central venous",
    ),
    (
        "Acute hypoxic respiratory failure: high-flow nasal cannula 50 L/min for about 56 consecutive hours.",
        DS,
        "5A0945A",
        "high-flow nasal cannula",
    ),
    ("Placed on BiPAP for 10 hours for hypercapnia, then weaned to nasal cannula.", DS, "5A09358", "BiPAP"),
    ("PROCEDURE: Right 2nd toe amputation through the MTP joint.", OP, "0Y6R0Z0", "amputation"),
    ("Received 2 units of FFP for INR 3.1 before the procedure.", DS, "30233K1", "FFP"),
    ("DC cardioversion performed at 150 J with return to sinus rhythm.", DS, "5A2204Z", "cardioversion"),
    ("ERCP with sphincterotomy and balloon sweep; multiple stones were removed from the CBD.", PROC, "0FC98ZZ", "ERCP"),
    ("PEG tube placed on hospital day 6 by GI for dysphagia after stroke.", DS, "0DH64UZ", "PEG tube placed"),
    ("EGD: grade 3 esophageal varices, banded with 5 bands (variceal band ligation).", DS, "06L38CZ", "variceal"),
    ("Bone marrow biopsy and aspiration from the left posterior iliac crest.", PROC, "07DR3ZX", "Bone marrow biopsy"),
    ("Left frontotemporal craniotomy for evacuation of acute subdural hematoma.", OP, "00C40ZZ", "craniotomy"),
    ("PROCEDURE: Laparoscopic splenectomy.", OP, "07TP4ZZ", "splenectomy"),
    ("PROCEDURE: Open right hemicolectomy with primary ileocolic anastomosis.", OP, "0DTF0ZZ", "hemicolectomy"),
    ("PROCEDURE: Right inguinal hernia repair with mesh (Lichtenstein), open.", OP, "0YU50JZ", "hernia repair"),
    (
        "PROCEDURE: Left hip hemiarthroplasty, cemented, for displaced femoral neck fracture.",
        OP,
        "0SRS0J9",
        "hemiarthroplasty",
    ),
    ("Delivery: vacuum-assisted vaginal delivery of a live male infant.", DS, "10D07Z6", "vacuum"),
    ("Alteplase (tPA) 0.9 mg/kg IV given at 14:20 for acute ischemic stroke.", DS, "3E03317", "Alteplase"),
    ("Transfused 2 units PRBC via peripheral IV for Hgb 6.8.", DS, "30233N1", "Transfused"),
    ("Intubated in the ED and mechanically ventilated for 3 days.", DS, "5A1945Z", "Intubated"),
    (
        "Thoracentesis of the right pleural effusion: 1.2 L removed, fluid sent for cell count and culture.",
        DS,
        "0W993ZX",
        "Thoracentesis",
    ),
    ("PROCEDURE: Laparoscopic cholecystectomy.", OP, "0FT44ZZ", "cholecystectomy"),
    ("US KIDNEYS AND BLADDER\nFINDINGS: No hydronephrosis. Right renal cyst.", RAD, "BT4JZZZ", "US"),
    ("EXAM: CT ABDOMEN AND PELVIS WITH IV CONTRAST\nFINDINGS: appendicitis.", RAD, "BW211ZZ", "CT"),
    ("EXAM: XR CHEST PA AND LATERAL\nIMPRESSION: no acute process.", RAD, "BW03ZZZ", "XR"),
    ("EXAM: MRI BRAIN WITHOUT CONTRAST\nIMPRESSION: acute left MCA infarct.", RAD, "B030ZZZ", "MRI"),
]


@pytest.mark.parametrize(("text", "note_type", "code", "words"), CASES)
def test_common_inpatient_procedures(propose, text, note_type, code, words):
    got = propose(text, setting="inpatient", note_type=note_type)
    assert code in got, sorted(got)
    assert got[code].score >= 0.65
    assert any(words.lower() in e.text.lower() for e in got[code].evidence), [e.text for e in got[code].evidence]


def test_radiology_report_is_coded_from_its_title(propose):
    got = propose(
        "US KIDNEYS AND BLADDER (RENAL ULTRASOUND)\nFINDINGS: Right kidney 10.1 cm. Bladder distended.",
        setting="inpatient",
        note_type=RAD,
    )
    assert "BT4JZZZ" in got and "BT43ZZZ" not in got


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("OSA on home CPAP nightly; continued during admission.", "5A09"),
        ("Not a candidate for tPA (outside window).", "3E03317"),
        ("EGD if no improvement in odynophagia.", "0DJ08ZZ"),
        ("History of right BKA in 2015 for PAD.", "0Y6"),
    ],
)
def test_inpatient_statements_that_are_not_procedures(propose, text, absent):
    got = propose(text, setting="inpatient", note_type=DS)
    assert not [c for c in got if c.startswith(absent)], sorted(got)
