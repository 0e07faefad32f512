"""General CPT / HCPCS rules added after the second held-out batch (issue 6): numbered wounds, additional skin
biopsies, nerve blocks given as anaesthesia, comparison years, asides, cross-sentence triggers, combination
inhalation solutions and vaccines received elsewhere. Short invented sentences; labels are our own."""

from __future__ import annotations

from tests.coding.procedures.helpers import billed_units

ED, OFFICE, RAD = "ed_note", "progress_note", "radiology_report"


def test_numbered_wounds_take_their_own_repair_class(propose):
    text = (
        "Wounds:\n"
        " #1 scalp 2.0 cm, clean, no FB\n"
        " #2 L forearm 3.0 cm, no tendon involvement\n"
        " #3 chin 1.5 cm, through the dermis\n"
        "\n"
        "Laceration repair x3 by me:\n"
        " #1 staples x3. Simple repair.\n"
        " #2 4-0 nylon interrupted. Simple repair.\n"
        " #3 layered closure with 5-0 Vicryl deep and 6-0 nylon skin. Intermediate repair.\n"
    )
    got = propose(text, setting="emergency", note_type=ED)
    assert "12002" in got, got  # 2.0 + 3.0 cm simple, scalp/limbs summed
    assert "12051" in got, got  # 1.5 cm layered, face
    assert not {"12031", "12032", "12001"} & set(got), got


def test_wound_list_items_under_a_wound_header_count(propose):
    text = (
        "Lacerations:\n- 2 cm R shin\n- 3 cm R thigh\nBoth irrigated and closed with 4-0 nylon sutures, simple repair."
    )
    got = propose(text, setting="emergency", note_type=ED)
    assert "12002" in got, got


def test_second_punch_biopsy_adds_the_additional_lesion_code(propose):
    text = "Procedures:\n1) 3 mm punch biopsy, R arm papule.\n2) 3 mm punch biopsy, separate papule on the L thigh.\n"
    got = propose(text, note_type=OFFICE)
    assert {"11104", "11105"} <= set(got), got


def test_single_punch_biopsy_has_no_additional_code(propose):
    got = propose("Procedure: 4 mm punch biopsy of the R calf lesion, one suture.", note_type=OFFICE)
    assert "11104" in got and "11105" not in got, got


def test_counted_biopsies_add_the_additional_lesion_code(propose):
    got = propose("Two shave biopsies taken today from the back and the neck.", note_type=OFFICE)
    assert {"11102", "11103"} <= set(got), got


def test_digital_block_for_a_nail_procedure_is_not_coded(propose):
    text = "L hallux: digital block with 1% lidocaine; partial nail avulsion with phenol matrixectomy."
    got = propose(text, note_type=OFFICE)
    assert "11750" in got and "64450" not in got, got


def test_block_for_anesthesia_is_not_coded(propose):
    got = propose("Digital nerve block for anesthesia, then the nail bed was explored.", setting="emergency")
    assert "64450" not in got, got


def test_standalone_nerve_block_is_still_coded(propose):
    got = propose("Procedure: bilateral greater occipital nerve blocks with bupivacaine.", note_type="procedure_note")
    assert "64405" in got, got


def test_a_year_compared_with_does_not_date_the_test(propose):
    got = propose("EKG (my interpretation): sinus rhythm, unchanged from 2022.", setting="emergency", note_type=ED)
    assert "93010" in got, got


def test_a_year_after_the_procedure_still_dates_it(propose):
    got = propose("Prior colonoscopy 2019 normal.", note_type=OFFICE)
    assert "45378" not in got, got


def test_negation_in_an_aside_names_the_other_act(propose):
    text = "R ear: impacted cerumen removed with a curette (irrigation not needed)."
    got = propose(text, note_type=OFFICE)
    assert "69210" in got, got


def test_aside_saying_the_patient_declined_still_negates(propose):
    got = propose("Cerumen removal offered (patient declined).", note_type=OFFICE)
    assert not {"69209", "69210"} & set(got), got


def test_trigger_reaching_into_a_dated_sentence_is_history(propose):
    text = "Sister with breast cancer at 52. Left breast core\nbiopsy (benign) 2015. No complaints today."
    got = propose(text, note_type=RAD)
    assert not {"19083", "19081", "19100"} & set(got), got


def test_combination_inhalation_solution_in_the_office(propose, hcpcs):
    got = propose("In clinic: ipratropium/albuterol 3 mL by nebulizer x1 for wheeze.", note_type=OFFICE)
    assert "J7620" in got and "94640" in got, got
    assert billed_units(got["J7620"]) == 1
    assert "J7613" not in got and "J7644" not in got, got


def test_combination_inhalation_solution_in_the_ed_is_not_billed(propose, hcpcs):
    got = propose("DuoNeb 3 mL via nebulizer x1.", setting="emergency", note_type=ED)
    assert "J7620" not in got, got


def test_vaccine_received_elsewhere_is_not_coded(propose):
    text = "Immunizations: flu shot already received at his pharmacy in October. Tdap 0.5 mL IM given today."
    got = propose(text, note_type=OFFICE)
    assert "90715" in got, got
    assert not {"90656", "90686", "90662", "90674", "90682"} & set(got), got
