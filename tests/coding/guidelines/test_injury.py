"""Injury rules (I.C.19): fractures, wounds, sprains and T codes read from their own clause."""

import pytest

from cac.coding.guidelines import injury
from cac.coding.guidelines.common import load_yaml

ICD = "ICD-10-CM"


@pytest.fixture(autouse=True)
def _index(store, imported):
    if not store.active_release("ICD-10-CM index"):
        pytest.skip("the Alphabetic Index is not imported (needs ../shared/data)")


def _codes(out):
    return {c.code: c for c in out if c.system == ICD}


@pytest.mark.parametrize(
    ("note", "evidence", "engine_code", "expected"),
    [
        # traumatic, not pathological; the site's words walk the index; displaced unless documented otherwise
        ("Fall at home.\nA/P: Left intertrochanteric femur fracture, displaced.\n", "fracture", "S72.92XA", "S72.142A"),
        ("XR: displaced R femoral neck fracture.\n", "fracture", "S72.91XA", "S72.001A"),
        ("Dx: Closed fracture of right distal radius, nondisplaced\n", "fracture", "M84.431A", "S52.501A"),
        ("Impression: nondisplaced fracture of L radial styloid.\n", "fracture", "M84.432A", "S52.515A"),
        ("Nondisplaced fracture of the waist of the right scaphoid.\n", "fracture", "T14.8XXA", "S62.024A"),
        ("Transverse fracture of the midshaft of the left tibia.\n", "fracture", "S82.92XA", "S82.222A"),
        ("Open fracture of the right tibial shaft.\n", "fracture", "S82.91XA", "S82.201B"),
        ("Right hip fracture, subsequent encounter with routine healing.\n", "fracture", "S72.91XD", "S72.001D"),
        ("Sprain of the anterior talofibular ligament of the left ankle.\n", "Sprain", "S93.492A", "S93.492A"),
        ("Assessment: laceration of the right forearm.\n", "laceration", "S51.819A", "S51.811A"),
        ("Assessment: laceration of chin with foreign body (glass).\n", "laceration", "T14.8XXA", "S01.82XA"),
        ("Anaphylactic reaction due to shellfish.\n", "Anaphylactic reaction", "T78.2XXA", "T78.02XA"),
        # the pilon is the lower end of the tibia (Fracture, tibia, pilon: see Fracture, tibia, lower end, pilon),
        # more specific than the shaft's "comminuted"; the plafond is the index's pilon
        ("Dx: right distal tibial pilon fracture, closed.\n", "fracture", "S82.201A", "S82.871A"),
        ("Comminuted pilon fracture of the left tibia.\n", "fracture", "S82.252A", "S82.872A"),
        ("Imp: nondisplaced fracture of the right tibial plafond.\n", "fracture", "S82.91XA", "S82.874A"),
    ],
)
def test_injury_coded_from_its_clause(make, context, note, evidence, engine_code, expected):
    cand = make(engine_code, evidence, note=note)
    out = _codes(injury.apply([cand], context("emergency", note)))
    assert expected in out, out.keys()
    ev = out[expected].evidence[0]
    assert note[ev.start : ev.end] == ev.text and evidence.lower() in ev.text.lower()


def test_pathological_fracture_left_to_the_engine(make, context):
    note = "Pathologic fracture of the left femoral neck due to metastatic breast cancer.\n"
    out = _codes(injury.apply([make("M84.552A", "fracture", note=note)], context("inpatient", note)))
    assert set(out) == {"M84.552A"}


def test_sites_listed_in_one_clause_each_get_a_code(make, context):
    note = "Imp: lacerations of scalp, L hand and lower lip, initial encounter.\n"
    out = _codes(injury.apply([make("S01.91XA", "lacerations", note=note)], context("emergency", note)))
    assert {"S01.01XA", "S61.412A", "S01.511A"} <= set(out)


def test_restated_site_is_one_injury(make, context):
    note = "Closed displaced fracture of lateral malleolus, right fibula, initial encounter.\n"
    out = _codes(injury.apply([make("S82.91XA", "fracture", note=note)], context("emergency", note)))
    assert set(out) == {"S82.61XA"}


def test_unsided_mention_of_a_sided_fracture_merges(make, context):
    note = (
        "Findings: Nondisplaced fracture through the waist of the scaphoid.\n"
        "Impression: nondisplaced fracture of the waist of the right scaphoid.\n"
    )
    first = make("T14.8XXA", "fracture", note=note)
    second_start = note.rfind("fracture")
    first.evidence.append(type(first.evidence[0])(second_start, second_start + 8, "fracture"))
    out = _codes(injury.apply([first], context("emergency", note)))
    assert set(out) == {"S62.024A"}
    assert len(out["S62.024A"].evidence) == 2


def test_fracture_table_is_no_fracture(make, context):
    note = "Patient placed supine on the fracture table.\n"
    cand = make("S72.91XA", "fracture", note=note)
    out = _codes(injury.apply([cand], context("inpatient", note)))
    assert set(out) == {"S72.91XA"}


@pytest.mark.parametrize(
    "note",
    [
        "Last tetanus booster over 10 years ago.\n",
        "Tetanus status unknown; Tdap given.\n",
        "Need for tetanus immunization.\n",
    ],
)
def test_tetanus_vaccination_is_no_tetanus(make, context, note):
    cand = make("A35", "tetanus", note=note)
    assert _codes(injury.apply([cand], context("emergency", note))) == {}


@pytest.mark.parametrize(
    ("note", "code", "evidence"),
    [
        ("Influenza vaccine given today, L deltoid.\n", "J11.1", "Influenza"),
        ("Hepatitis B series completed in 2019.\n", "B19.10", "Hepatitis B"),
        ("Varicella titer positive (immune).\n", "B01.9", "Varicella"),
    ],
)
def test_a_vaccine_preventable_disease_named_with_its_vaccine_is_no_disease(make, context, note, code, evidence):
    assert _codes(injury.apply([make(code, evidence, note=note)], context("outpatient", note))) == {}


def test_influenza_itself_kept(make, context):
    note = "Influenza A, started oseltamivir.\n"
    assert "J11.1" in _codes(injury.apply([make("J11.1", "Influenza A", note=note)], context("outpatient", note)))


def test_a_past_tetanus_named_by_its_vaccine_is_no_history(make, context):
    from cac.coding.guidelines import assertion

    note = "Immunizations up to date (incl. tetanus-containing vaccine at 4 y).\n"
    cand = make("A35", "tetanus", note=note, assertion="historical")
    assert _codes(assertion.apply([cand], context("outpatient", note))) == {}


def test_tetanus_disease_kept(make, context):
    note = "Generalized tetanus with trismus after a puncture wound.\n"
    assert "A35" in _codes(injury.apply([make("A35", "tetanus", note=note)], context("inpatient", note)))


@pytest.mark.parametrize(
    ("note", "code", "words"),
    [
        ("Febrile neutropenia due to chemotherapy.\n", "T45.1X5A", "due to chemotherapy"),
        ("Bleeding gastric ulcer, NSAID-associated.\n", "T39.395A", "NSAID-associated"),
        ("Seizure; he ran out of levetiracetam 4 days ago.\n", "T42.6X6A", "ran out of levetiracetam"),
        ("Underdosing of warfarin, INR 1.2.\n", "T45.516A", "Underdosing of warfarin"),
        ("Intentional acetaminophen overdose.\n", "T39.1X2A", "acetaminophen overdose"),
        ("Rash due to amoxicillin.\n", "T36.0X5A", "due to amoxicillin"),
        # drugs the imported Table lacks, by their class; underdosing stated by its cost
        ("Intentional paroxetine overdose, QTc normal.\n", "T43.222A", "paroxetine overdose"),
        (
            "Gout; takes febuxostat and allopurinol - stopped it last month as he could not afford it.\n",
            "T50.4X6A",
            "allopurinol - stopped it",
        ),
    ],
)
def test_drug_codes_from_the_table_of_drugs(context, note, code, words):
    out = _codes(injury.apply([], context("emergency", note)))
    assert code in out, out.keys()
    assert words in out[code].evidence[0].text


@pytest.mark.parametrize(
    "note",
    [
        "Counseled on side effects of chemotherapy.\n",
        "No evidence of drug-induced liver injury; denies NSAID use.\n",
        "Pain due to fall from ladder.\n",
        "Risk of bleeding due to warfarin discussed.\n",
    ],
)
def test_no_drug_code_without_a_stated_effect(context, note):
    out = _codes(injury.apply([], context("outpatient", note)))
    assert not any(c.startswith("T") for c in out), out.keys()


def test_resource_codes_exist(store):
    cfg = load_yaml("injury.yaml")
    for word, prefix in cfg["drug_words"].items():
        assert store.billable_descendants(ICD, prefix + "5"), word


@pytest.mark.parametrize(
    ("note", "evidence", "engine_code"),
    [
        # a risk explained or an injury avoided in an operative note
        (
            "There is the possibility of hoarseness secondary to injury to the recurrent laryngeal nerve.\n",
            "injury",
            "S14.9XXA",
        ),
        (
            "Care was taken during the dissection to avoid injury to the recurrent laryngeal nerve.\n",
            "injury",
            "S14.9XXA",
        ),
        # an injury made during the procedure is a complication, not chapter 19
        (
            "In the inferior pole of the kidney, a 2 cm laceration was identified during the dissection.\n",
            "laceration",
            "S37.039A",
        ),
        ("Following the biopsy, a small hematoma about the inferior pole was seen.\n", "hematoma", "S37.011A"),
        # the surgical wound is no wound of unspecified site
        ("The wound was irrigated and closed in layers with Vicryl.\n", "wound", "T14.8XXA"),
        # an old deformity, a negated fracture, an allergy list
        ("PREOPERATIVE DIAGNOSIS: Bilateral ear laceration deformities.\n", "laceration", "S01.312A"),
        ("His head CT was cleared and his left shoulder was clear of any fractures.\n", "fractures", "S42.92XA"),
        ("ALLERGIES:\nIodine, IV contrast (anaphylaxis), and shellfish.\n", "anaphylaxis", "T78.2XXA"),
        # an obstetric laceration is chapter 15 (O70)
        ("A small second-degree midline laceration was repaired with 3-0 Vicryl.\n", "laceration", "S31.41XA"),
    ],
)
def test_no_injury_of_this_encounter_gives_no_injury_code(make, context, note, evidence, engine_code):
    out = _codes(injury.apply([make(engine_code, evidence, note=note)], context("outpatient", note)))
    assert not any(c[:1] in "ST" for c in out), out.keys()


def test_injury_nos_dropped_beside_a_specific_injury(make, context):
    note = "Dx: Right ankle sprain.\nHis condition is due to the current injury only.\n"
    cands = [make("S93.401A", "ankle sprain", note=note), make("T14.90XA", "injury", note=note)]
    out = _codes(injury.apply(cands, context("outpatient", note)))
    assert "T14.90XA" not in out and any(c.startswith("S93.4") for c in out)


@pytest.mark.parametrize(
    ("note", "engine_code", "expected", "wrong"),
    [
        # "supracondylar, elbow" and "semilunar bone, wrist" need both words: a femur is no elbow
        ("Left supracondylar, intercondylar distal femur fracture.\n", "S72.92XA", "S72.462A", "S42.4"),
        ("Views of the wrist show good reduction of the fracture.\n", "T14.8XXA", None, "S62.12"),
    ],
)
def test_index_subterm_with_its_region_needs_both_words(make, context, note, engine_code, expected, wrong):
    out = _codes(injury.apply([make(engine_code, "fracture", note=note)], context("outpatient", note)))
    assert not any(c.startswith(wrong) for c in out), out.keys()
    if expected:
        assert expected in out, out.keys()


@pytest.mark.parametrize(
    "note",
    [
        "Fever; antibiotics were ordered including clindamycin secondary to penicillin allergy.\n",
        "Rhabdomyolysis, most likely secondary to statins.\n",
    ],
)
def test_no_adverse_effect_for_an_allergy_reason_or_an_uncertain_cause_outpatient(context, note):
    out = _codes(injury.apply([], context("outpatient", note)))
    assert not any(c.startswith("T") for c in out), out.keys()


@pytest.mark.parametrize(
    ("note", "code", "words"),
    [
        ("12-month well check. Vaccines today: MMR, varicella, PCV20.\n", "B01.9", "varicella"),
        ("Immunizations given: influenza, HPV.\n", "J11.1", "influenza"),
        ("She received DTaP, IPV and varicella in clinic.\n", "B01.9", "varicella"),
    ],
)
def test_a_disease_named_in_a_list_of_vaccines_is_the_vaccine(make, context, note, code, words):
    assert _codes(injury.apply([make(code, words, note=note)], context("outpatient", note))) == {}


@pytest.mark.parametrize(
    ("note", "code", "words"),
    [
        ("Immunizations: up to date. Assessment: influenza.\n", "J11.1", "influenza"),
        ("He received treatment for hepatitis C in 2019; viral load undetectable.\n", "B18.2", "hepatitis C"),
    ],
)
def test_a_disease_outside_a_vaccine_list_stays(make, context, note, code, words):
    assert set(_codes(injury.apply([make(code, words, note=note)], context("outpatient", note)))) == {code}


@pytest.mark.parametrize(
    ("note", "code", "words"),
    [
        ("Hand-foot syndrome, grade 2, due to capecitabine - hold next cycle.\n", "T45.1X5A", "due to capecitabine"),
        ("Colitis secondary to ipilimumab, on steroids.\n", "T45.1X5A", "secondary to ipilimumab"),
        ("Arthralgias due to anastrozole.\n", "T38.6X5A", "due to anastrozole"),
    ],
)
def test_antineoplastic_drugs_the_table_lacks_give_their_class(context, note, code, words):
    out = _codes(injury.apply([], context("outpatient", note)))
    assert code in out, out.keys()
    assert words in out[code].evidence[0].text
