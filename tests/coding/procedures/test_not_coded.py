"""Negated, planned, considered and past-history procedures are never coded."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "text",
    [
        "Plan: will schedule colonoscopy next month.",
        "Consider EGD if symptoms persist.",
        "If no improvement, colonoscopy in 3 months.",
        "PSH: s/p appendectomy 2010.",
        "She had a colonoscopy in 2021 that was normal.",
        "Last colonoscopy 5 years ago: normal.",
        "Colonoscopy was not performed because of poor prep.",
        "Patient declined EGD.",
        "Recommend laparoscopic cholecystectomy; surgery referral placed.",
        "Assessment/Plan: due for colonoscopy - will refer to GI.",
        "Colonoscopy - will schedule with GI next month.",
    ],
)
def test_not_coded_outpatient(propose, text):
    got = propose(text)
    assert not {"45378", "45380", "43235", "43239", "44970", "44950", "47562", "47600"} & set(got), got


@pytest.mark.parametrize(
    "text",
    [
        "History of appendectomy 2010.",
        "Plan: laparoscopic appendectomy tomorrow if pain persists.",
        "No transfusion was required.",
        "Will consider paracentesis if ascites reaccumulates.",
    ],
)
def test_not_coded_inpatient(propose, text):
    got = propose(text, setting="inpatient")
    assert not {c for c in got if c.startswith(("0DTJ", "3023", "0W9G"))}, got


def test_drug_prescription_is_not_coded(propose, hcpcs):
    got = propose("Discharged on ketorolac 10 mg PO q6h PRN pain. Rx: ondansetron 4 mg ODT.", setting="emergency")
    assert "J1885" not in got and "J2405" not in got


def test_surgical_incision_closure_is_not_a_wound_repair(propose):
    got = propose(
        "Procedure: Laparoscopic appendectomy. Three 5 mm incisions. Skin closed with 4-0 Monocryl sutures.",
        note_type="operative_report",
    )
    assert "44970" in got
    assert not {c for c in got if c.startswith(("120", "130"))}
