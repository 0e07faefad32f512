"""Multi-level and multi-part services, the lesion a destruction names, line-wrapped doses, drug vehicles, infusion
durations and stress echocardiography (issue 6, batch 4 review)."""

from __future__ import annotations


def test_two_transforaminal_levels_add_the_additional_level_code(propose):
    text = (
        "Procedure: Left L4-L5 and L5-S1 transforaminal epidural steroid injection under fluoroscopic guidance.\n"
        "Tolerated well.\n"
    )
    got = propose(text, note_type="procedure_note")
    assert {"64483", "64484"} <= set(got)


def test_one_transforaminal_level_has_no_add_on(propose):
    got = propose("Procedure: Right L5-S1 transforaminal epidural steroid injection.\n", note_type="procedure_note")
    assert "64483" in got and "64484" not in got


def test_destruction_codes_the_lesion_its_own_clause_names(propose):
    text = (
        "Cryotherapy with liquid nitrogen to 5 actinic keratoses on the face. "
        "Seborrheic keratoses on the back: benign, no treatment.\n"
    )
    got = propose(text)
    assert {"17000", "17003"} <= set(got)
    assert "17110" not in got


def test_intermediate_repair_length_without_wound_words(propose):
    text = (
        "Excision of lesion, mid back, excised diameter 1.6 cm. Layered closure with deep dermal sutures; "
        "intermediate repair, final length 3.5 cm.\n"
    )
    got = propose(text)
    assert "12032" in got


def test_medication_list_ends_at_a_blank_line(propose):
    text = (
        "Meds: cyclobenzaprine 5 mg qhs PRN. Allergies: NKDA.\n\n"
        "Procedures (consent obtained, time-out performed):\n"
        "A. Right subacromial bursa injection, landmark guided.\n"
        "B. Trigger point injections, 3 muscles (trapezius, levator scapulae, rhomboid).\n"
    )
    got = propose(text, note_type="procedure_note")
    assert {"20610", "20553"} <= set(got)
    assert "20552" not in got


def test_dose_wrapped_onto_the_next_line(propose, hcpcs):
    text = "Right knee joint injection: methylprednisolone acetate\n   40 mg with 3 mL lidocaine injected.\n"
    assert "J1030" in propose(text)


def test_fluid_that_is_a_drug_vehicle_is_not_billed_and_duration_from_start_stop(propose, hcpcs):
    text = "Infliximab 400 mg in 250 mL NS IV infusion started 09:20, completed 11:25 via PIV. No infusion reaction.\n"
    got = propose(text)
    assert {"J1745", "96365", "96366"} <= set(got)
    assert not {"J7050", "J7030", "96360", "96361"} & set(got)


def test_fluid_bolus_still_billed(propose, hcpcs):
    got = propose("ED course: 1 L NS bolus IV given for dehydration.\n", setting="emergency")
    assert {"J7050", "J7030"} & set(got)


def test_stress_echo_is_not_an_ecg_stress_test(propose):
    text = (
        "Treadmill exercise stress echocardiogram, Bruce protocol, with continuous 12-lead ECG monitoring. "
        "No nuclear imaging was performed.\n"
    )
    got = propose(text, note_type="procedure_note")
    assert "93351" in got
    assert "93015" not in got


def test_each_radiograph_of_a_title_keeps_its_own_view_count(propose):
    text = "XR WRIST RIGHT 3 VIEWS; XR HAND RIGHT 2 VIEWS\nFINDINGS: No fracture.\n"
    got = propose(text, setting="emergency", note_type="radiology_report")
    assert {"73110", "73120"} <= set(got)
    assert "73130" not in got
