"""Abbreviation lexicon and context rules for ambiguous abbreviations."""

from __future__ import annotations

import pytest

from cac.nlp import analyze
from cac.nlp.abbreviations import lexicon, senses


def expansion_of(text: str, abbr: str) -> str:
    doc = analyze(text)
    found = [a for a in doc._.abbreviation_expansions if a.text == abbr]
    assert found, f"{abbr} not expanded in {text!r}"
    return found[0].expansion


def test_lexicon_size() -> None:
    assert len(lexicon()) + len(senses()) >= 400


@pytest.mark.parametrize(
    ("text", "abbr", "expansion"),
    [
        ("Hx of HTN and COPD.", "HTN", "hypertension"),
        ("Hx of HTN and COPD.", "COPD", "chronic obstructive pulmonary disease"),
        ("CT chest showed PE, started on heparin.", "PE", "pulmonary embolism"),
        ("PE: general well appearing, HEENT normal.", "PE", "physical exam"),
        ("Diagnosed with MS, on interferon, new MRI lesions.", "MS", "multiple sclerosis"),
        ("Echo shows severe MS with mitral valve gradient.", "MS", "mitral stenosis"),
        ("Given MS 4 mg IV for pain.", "MS", "morphine sulfate"),
        ("SpO2 96% on RA.", "RA", "room air"),
        ("RA with joint swelling on methotrexate.", "RA", "rheumatoid arthritis"),
        ("Presents with substernal CP radiating to the arm.", "CP", "chest pain"),
        ("Child with spastic CP, wheelchair bound.", "CP", "cerebral palsy"),
        ("Prior MI treated with stent.", "MI", "myocardial infarction"),
        ("Mild MI on echo, mitral valve thickened.", "MI", "mitral insufficiency"),
        ("Referred to PT for gait training and strengthening.", "PT", "physical therapy"),
        ("PT 14 seconds, INR 1.2.", "PT", "prothrombin time"),
        ("Left peritonsillar abscess, GAS (rapid strep +), drained.", "GAS", "group A streptococcus"),
        ("GDM A2 on NPH 12 units qHS.", "NPH", "NPH insulin"),
        ("NPH with gait apraxia and ventriculomegaly.", "NPH", "normal pressure hydrocephalus"),
        (
            "The dominant circumflex gives rise to a third marginal branch and the PDA.",
            "PDA",
            "posterior descending artery",
        ),
        ("Premature infant with a PDA, started on indomethacin.", "PDA", "patent ductus arteriosus"),
    ],
)
def test_expansions(text: str, abbr: str, expansion: str) -> None:
    assert expansion_of(text, abbr) == expansion


def test_defined_abbreviation_from_text_is_used() -> None:
    doc = analyze("Placed a transjugular intrahepatic portosystemic shunt (TIPS) last year. The TIPS is patent.")
    defined = [a for a in doc._.abbreviation_expansions if a.text == "TIPS"]
    assert len(defined) == 2
    assert {a.expansion for a in defined} == {"transjugular intrahepatic portosystemic shunt"}


def test_abbreviation_feeds_the_matcher() -> None:
    doc = analyze("Known HTN.")
    m = [m for m in doc._.mentions if m.text == "HTN"]
    assert m and any(c[1].startswith("I10") for c in m[0].candidates)


@pytest.mark.parametrize(
    ("text", "abbr", "expansion"),
    [
        ("Moderate NPDR, right eye.", "NPDR", "nonproliferative diabetic retinopathy"),
        ("High-risk PDR, left eye, PRP done.", "PDR", "proliferative diabetic retinopathy"),
        ("Center-involving DME on OCT, start intravitreal anti-VEGF.", "DME", "diabetic macular edema"),
        ("DME order: rolling walker and shower chair.", "DME", "durable medical equipment"),
        ("Nuclear cataracts OU.", "OU", "both eyes"),
    ],
)
def test_ophthalmic_expansions(text: str, abbr: str, expansion: str) -> None:
    assert expansion_of(text, abbr) == expansion


@pytest.mark.parametrize(
    "text",
    [
        "Moves all extremities. All questions were answered.",
        "REVIEW OF SYSTEMS: ALL OTHER SYSTEMS REVIEWED AND NEGATIVE.",
    ],
)
def test_an_abbreviation_that_is_an_english_word_needs_capitals(text: str) -> None:
    # "all" is a word; in text written in capitals throughout, ALL needs a cue word (leukemia, remission...)
    doc = analyze(text)
    assert not [a for a in doc._.abbreviation_expansions if a.text.lower() == "all"]
    assert not [m for m in doc._.mentions if any(c[1].startswith("C91.0") for c in m.candidates)]


@pytest.mark.parametrize(
    "text", ["History of pre-B ALL, now in remission.", "PMH: ALL in first remission.", "HX: PRE-B ALL IN REMISSION."]
)
def test_an_abbreviation_that_is_an_english_word_in_capitals_is_read(text: str) -> None:
    assert expansion_of(text, "ALL") == "acute lymphoblastic leukemia"


def test_mi_after_a_substance_use_problem_is_motivational_interviewing() -> None:
    assert expansion_of("Alcohol use disorder, mild - MI done; follow up 4 weeks.", "MI") == "motivational interviewing"
    assert expansion_of("NSTEMI; troponin peak 4.2, MI on cath.", "MI") == "myocardial infarction"


def test_a_letter_abbreviation_written_apart_or_hyphenated() -> None:
    from cac.nlp import abbreviations as abbr

    assert abbr.split_letter("A.", " ", "fib") == "atrial fibrillation"
    assert abbr.split_letter("A", " ", "fib") == "atrial fibrillation"
    assert abbr.split_letter("a", " ", "fib") is None  # the article
    assert abbr.lookup("A-fib") == "atrial fibrillation"
    assert abbr.lookup("A-FIB") == "atrial fibrillation"


def test_tbi_reads_its_sense_from_context() -> None:
    from cac.nlp import abbreviations as abbr

    text = "Vascular exam: ABI 0.9, TBI 0.45 on the right."
    i = text.index("TBI")
    assert abbr.expand(text, i, i + 3, text).expansion == "toe-brachial index"
    text = "History of TBI after a fall."
    i = text.index("TBI")
    assert abbr.expand(text, i, i + 3, text).expansion == "traumatic brain injury"
