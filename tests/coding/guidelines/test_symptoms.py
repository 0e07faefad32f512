"""Signs and symptoms integral to a confirmed diagnosis are dropped; others stay."""

from __future__ import annotations

import pytest

from cac.coding.guidelines import apply_guidelines, symptoms
from cac.coding.guidelines.common import CodeSpec, load_tsv
from cac.coding.types import Span
from tests.coding.guidelines.helpers import codes, held


@pytest.mark.parametrize(
    ("symptom", "diagnosis"),
    [
        ("R07.9", "I21.4"),
        ("R06.02", "I50.9"),
        ("R05.9", "J44.9"),
        ("R50.9", "N39.0"),
        ("R10.31", "K35.80"),
        ("R30.0", "N39.0"),
        ("R11.2", "A09"),
        ("R51.9", "G43.909"),
        ("R60.0", "I50.9"),
        ("R31.9", "N20.0"),
        ("K92.1", "K25.4"),
        ("J90", "I50.9"),
        ("R12", "K21.00"),
        ("R45.84", "F33.1"),
        ("M25.561", "M17.11"),
        ("R68.89", "A41.9"),
        ("R60.0", "L03.115"),
        ("R59.0", "J36"),
        ("R25.2", "J36"),
        ("R63.4", "E05.90"),
        ("R25.1", "E05.00"),
        ("R45.1", "F03.90"),
        ("R34", "N17.9"),
        ("L84", "L97.522"),
        ("L50.9", "T78.01XA"),
        ("I95.9", "T78.2XXA"),
        ("R00.0", "J18.9"),
        ("R53.83", "U07.1"),
        ("R41.0", "F05"),
        ("G47.00", "F10.230"),
        ("F41.9", "F10.230"),
        ("R25.1", "F10.230"),
        # signs of an inflammation, an injury or a stage that the diagnosis states
        ("L53.9", "L03.116"),
        ("L53.9", "K29.70"),
        ("R60.9", "S00.03XA"),
        ("R58", "S93.401A"),
        ("R22.41", "S80.11XA"),
        ("R23.4", "C44.519"),
        ("R63.4", "E44.0"),
        ("M62.50", "E44.0"),
        ("R80.9", "E11.22"),
        ("D72.829", "L03.116"),
        ("J34.89", "J06.9"),
        ("K13.79", "K12.31"),
        ("N13.4", "N13.2"),
        ("M25.70", "M17.12"),
        ("L84", "S52.531D"),  # a healing fracture's bridging callus is bone, not skin
        ("R43.0", "J32.8"),
        ("R06.7", "J30.1"),
        ("R06.5", "J35.3"),
        ("J34.89", "J33.8"),
        ("R63.4", "E43"),
        ("M62.50", "E43"),
        ("E04.0", "E05.00"),
        ("R79.89", "I24.89"),
    ],
)
def test_integral_symptom_dropped(make, context, symptom, diagnosis):
    out = apply_guidelines([make(symptom, "symptom", score=0.9), make(diagnosis, "diagnosis", score=0.7)], context())
    assert codes(out) == [diagnosis]
    assert held(out) == [symptom]  # still in the ranked list, below the threshold
    dx = next(c for c in out if c.code == diagnosis)
    assert f"{symptom} (" in dx.rationale and "integral to" in dx.rationale


def test_headache_of_preeclampsia_with_severe_features_is_integral(make, context):
    out = symptoms.apply([make("R51.9", "headache", score=0.9), make("O14.14", "preeclampsia", score=0.9)], context())
    assert codes(out) == ["O14.14"] and held(out) == ["R51.9"]


def test_sign_without_its_diagnosis_stays(make, context):
    """Erythema or a swelling with no inflammation or superficial injury coded beside it is still reported; so is
    the edema of a fracture (not routinely part of it)."""
    out = symptoms.apply([make("L53.9", "erythema"), make("R60.9", "swelling"), make("I10", "HTN")], context())
    assert codes(out) == ["L53.9", "R60.9", "I10"]
    out = symptoms.apply([make("R60.9", "edema"), make("S72.90XA", "femur fracture")], context())
    assert codes(out) == ["R60.9", "S72.90XA"]


def test_symptom_not_integral_stays(make, context):
    out = symptoms.apply([make("R05.9", "cough"), make("I10", "HTN"), make("R53.83", "fatigue")], context())
    assert codes(out) == ["R05.9", "I10", "R53.83"]


def test_symptom_of_family_history_diagnosis_stays(make, context):
    out = apply_guidelines([make("R07.9", "chest pain"), make("I21.4", "MI in father", assertion="family")], context())
    assert sorted(codes(out)) == ["R07.9", "Z82.49"]


def test_integral_table_names_real_codes(store):
    for row in load_tsv("integral_symptoms.tsv"):
        for spec_text in [row[0], *row[1].split(",")]:
            spec = CodeSpec(spec_text)
            for part in {spec.lo, spec.hi}:
                assert store.is_valid("ICD-10-CM", part if len(part) <= 3 else f"{part[:3]}.{part[3:]}"), spec_text


def test_symptom_left_out_of_the_diagnoses_is_discounted(make, context):
    # Acute cystitis established in the assessment; the HPI's fatigue is not carried into it
    dx = make("N30.00", "acute cystitis", score=0.95)
    dx.sections = ["assessment"]
    tired = make("R53.83", "fatigue", score=0.9)
    tired.sections = ["history_of_present_illness"]
    out = {c.code: c for c in symptoms.apply([dx, tired], context())}
    assert out["R53.83"].score < 0.65 and "discounted" in out["R53.83"].rationale
    assert out["N30.00"].score == 0.95


def test_symptom_stated_in_the_assessment_or_without_an_established_diagnosis_keeps_its_score(make, context):
    dx = make("N30.00", "acute cystitis", score=0.95)
    dx.sections = ["assessment"]
    tired = make("R53.83", "fatigue", score=0.9)
    tired.sections = ["assessment"]
    assert {c.code: c for c in symptoms.apply([dx, tired], context())}["R53.83"].score == 0.9
    alone = make("R53.83", "fatigue", score=0.9)
    alone.sections = ["history_of_present_illness"]
    assert symptoms.apply([alone], context())[0].score == 0.9


def test_a_sign_outside_chapter_18_stays_without_its_diagnosis(make, context):
    out = symptoms.apply([make("K92.1", "melena", score=0.9), make("I10", "HTN", score=0.9)], context())
    assert codes(out) == ["K92.1", "I10"]


@pytest.mark.parametrize(
    ("note", "words", "code"),
    [
        ("Medications: aspirin 81 mg daily, nitroglycerin 0.4 mg SL prn chest pain.", "chest pain", "R07.9"),
        ("Plan: ibuprofen 400 mg PRN fever/pain.", "pain", "R52"),
        ("Meds: ondansetron 4 mg as needed for nausea.", "nausea", "R11.0"),
        ("Meds: acetaminophen 500 mg for pain prn.", "pain", "R52"),
    ],
)
def test_a_symptom_named_only_as_an_as_needed_indication_is_held(make, context, note, words, code):
    out = symptoms.apply([make(code, words, note)], context(text=note))
    assert codes(out) == [] and held(out) == [code]
    assert "as-needed drug" in out[0].rationale


def test_a_symptom_the_note_also_documents_is_kept(make, context):
    note = "HPI: exertional chest pain for 2 weeks.\nMedications: nitroglycerin SL prn chest pain."
    pain = make("R07.9", "chest pain", note)
    pain.evidence.append(Span(note.rindex("chest pain"), note.rindex("chest pain") + 10, "chest pain"))
    assert codes(symptoms.apply([pain], context(text=note))) == ["R07.9"]
