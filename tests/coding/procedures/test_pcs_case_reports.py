"""ICD-10-PCS in case reports (no note type): eye fundus examinations, parenteral nutrition, organ biopsies and
the case-report reading of a pelvic CT."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        ("Visual acuity was 0.8 in both eyes and the eye fundus was normal.", {"08J0XZZ", "08J1XZZ"}, set()),
        ("Funduscopy of the left eye showed a macular scar.", {"08J1XZZ"}, {"08J0XZZ"}),
        ("Ocular fundus examination of the right eye revealed papilledema.", {"08J0XZZ"}, {"08J1XZZ"}),
        ("Gastroscopy showed an ulcer in the gastric fundus.", set(), {"08J0XZZ", "08J1XZZ"}),
    ],
)
def test_eye_fundus_examination(propose, text, present, absent):
    got = propose(text, setting="inpatient", note_type=None)
    assert present <= set(got), sorted(got)
    assert not absent & set(got), sorted(got)
    for code in present:
        assert got[code].score >= 0.65


def test_eye_fundus_is_left_to_typed_notes(propose):
    got = propose("Eye fundus examination was normal.", setting="inpatient", note_type="discharge_summary")
    assert not [c for c in got if c.startswith("08J")], sorted(got)


def test_parenteral_nutrition(propose):
    got = propose("Total parenteral nutrition was started through the central line.", setting="inpatient")
    assert "3E0436Z" in got and got["3E0436Z"].score >= 0.65


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("A percutaneous liver biopsy showed chronic hepatitis.", "0FB03ZX"),
        ("Transrectal ultrasound-guided prostate biopsy revealed adenocarcinoma.", "0VB03ZX"),
        ("Cystoscopy with bladder biopsy was performed.", "0TBB8ZX"),
        ("A biopsy of the tongue lesion showed squamous carcinoma.", "0CB7XZX"),
    ],
)
def test_diagnostic_organ_biopsy(propose, text, code):
    got = propose(text, setting="inpatient")
    assert code in got, sorted(got)
    assert got[code].score >= 0.65


def test_liver_biopsy_not_done(propose):
    got = propose("A liver biopsy was not performed.", setting="inpatient")
    assert not [c for c in got if c.startswith("0FB0")], sorted(got)


def test_pelvic_ct_in_a_case_report_is_abdomen_and_pelvis(propose):
    text = "The pelvic CT scan showed an oval tumor adjacent to the bladder."
    got = propose(text, setting="inpatient", note_type=None)
    assert "BW21ZZZ" in got, sorted(got)
    report = propose(
        "EXAM: CT PELVIS WITHOUT CONTRAST\nFINDINGS: no fracture.", setting="inpatient", note_type="radiology_report"
    )
    assert "BR2CZZZ" in report and "BW21ZZZ" not in report, sorted(report)
