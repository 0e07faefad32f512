"""Radiology CPT from the exam title: modality x body region x contrast / views / extent / side, and named studies."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("report", "code"),
    [
        ("EXAM: CT CHEST, ABDOMEN AND PELVIS WITH IV CONTRAST", "71260"),
        ("EXAM: CT CHEST, ABDOMEN AND PELVIS WITH IV CONTRAST", "74177"),
        ("EXAM: CT HEAD AND CERVICAL SPINE WITHOUT CONTRAST", "72125"),
        ("EXAM: CTA CHEST (PE PROTOCOL)", "71275"),
        ("EXAM: CT SINUSES WITHOUT CONTRAST", "70486"),
        ("EXAM: CT LUMBAR SPINE WITHOUT CONTRAST", "72131"),
        ("EXAM: MRI BRAIN WITH AND WITHOUT GADOLINIUM", "70553"),
        ("EXAM: MRI LEFT KNEE WITHOUT CONTRAST", "73721"),
        ("EXAM: MRI RIGHT SHOULDER", "73221"),
        ("EXAM: MRI CERVICAL SPINE W/O CONTRAST", "72141"),
        ("EXAM: MRA NECK WITHOUT CONTRAST", "70547"),
        ("Chest PA & Lateral.\nREASON FOR EXAM: SOB", "71046"),
        ("EXAM: XR LEFT WRIST\nTECHNIQUE: Three views of the left wrist.", "73110"),
        ("EXAM: XR RIGHT HIP 2 VIEWS", "73502"),
        ("EXAM: XR LUMBAR SPINE 2-3 VIEWS", "72100"),
        ("EXAM: XR BILATERAL KNEES STANDING AP", "73565"),
        ("EXAM: ABDOMEN 1 VIEW (KUB)", "74018"),
        ("EXAM: US ABDOMEN LIMITED (RUQ)", "76705"),
        ("EXAM: RENAL ULTRASOUND", "76770"),
        ("EXAM: PELVIC ULTRASOUND, TRANSABDOMINAL AND TRANSVAGINAL", "76830"),
        ("EXAM: US SCROTUM WITH DOPPLER", "76870"),
        ("EXAM: US THYROID", "76536"),
        ("EXAM: OB ULTRASOUND\nFINDINGS: Single live IUP, CRL consistent with 8 weeks 3 days.", "76801"),
        ("EXAMINATION: US DUPLEX VENOUS LOWER EXTREMITY, LEFT (UNILATERAL)", "93971"),
        ("EXAM: BILATERAL LOWER EXTREMITY VENOUS DUPLEX", "93970"),
        ("EXAM: CAROTID DUPLEX", "93880"),
        ("EXAM: NUCLEAR MEDICINE HEPATOBILIARY SCAN WITH CCK", "78227"),
        ("EXAM: WHOLE BODY BONE SCAN", "78306"),
        ("EXAM: V/Q SCAN", "78582"),
        ("EXAM: LOW-DOSE CT CHEST FOR LUNG CANCER SCREENING", "71271"),
        ("EXAM: ESOPHAGRAM", "74220"),
        ("EXAM: VCUG", "74455"),
        ("HISTORY: pain.\nTECHNIQUE: Axial CT images of the abdomen and pelvis after 100 mL Isovue-300.", "74177"),
    ],
)
def test_exam_title(propose, report, code):
    got = propose(report + "\nFINDINGS: Normal.\n", note_type="radiology_report")
    assert code in got, sorted(got)
    assert got[code].score >= 0.65
    assert got[code].evidence and got[code].evidence[0].text in report


def test_one_code_per_exam_and_not_the_comparison(propose):
    got = propose(
        "EXAM: CT ABDOMEN AND PELVIS WITH CONTRAST\nCOMPARISON: MRI abdomen 2021 and CT chest 2022.\n"
        "FINDINGS: The lung bases are clear. The liver and kidneys are normal.\n",
        note_type="radiology_report",
    )
    cpt = {c for c, cand in got.items() if cand.system == "CPT"}
    assert cpt == {"74177"}


def test_clear_to_auscultation_is_not_a_ct_angiogram(propose):
    got = propose("Exam: Lungs: CTA bilaterally. Heart RRR.\n", note_type="radiology_report")
    assert "71275" not in got


def test_evidence_is_the_title_line(propose):
    text = "EXAM:\nMRI OF THE RIGHT ANKLE\nCLINICAL: Pain.\nFINDINGS: Normal."
    got = propose(text, note_type="radiology_report")
    assert got["73721"].evidence[0].text == "MRI OF THE RIGHT ANKLE"
