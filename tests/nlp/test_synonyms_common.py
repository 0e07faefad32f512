"""Common clinical wordings the code-set terms miss are found with their code (our synonym lexicon)."""

from __future__ import annotations

import pytest

from cac.nlp import analyze


@pytest.mark.parametrize(
    ("note", "phrase", "code"),
    [
        ("Assessment: cirrhosis, compensated.", "cirrhosis", "K74.60"),
        ("Echo shows moderate mitral regurgitation.", "mitral regurgitation", "I34.0"),
        ("She reports urinary frequency.", "urinary frequency", "R35.0"),
        ("Recurrent falls at home.", "Recurrent falls", "R29.6"),
        ("Preeclampsia with severe features.", "Preeclampsia with severe features", "O14.10"),
        ("Admitted with gastrointestinal bleeding.", "gastrointestinal bleeding", "K92.2"),
        ("Assessment: upper GI bleed.", "upper GI bleed", "K92.2"),
        ("Known cerebral arteriovenous malformation.", "arteriovenous malformation", "Q27.30"),
        ("Admitted in hyperosmolar hyperglycemic state.", "hyperosmolar hyperglycemic state", "E11.00"),
        ("Ultrasound confirms intrauterine growth restriction.", "intrauterine growth restriction", "O36.5990"),
        ("Assessment: inflammatory bowel disease.", "inflammatory bowel disease", "K52.9"),
        ("Old left middle cerebral artery infarct on CT.", "middle cerebral artery infarct", "I63.9"),
        ("Non-pressure ulcer of the shin.", "Non-pressure ulcer", "L98.499"),
        ("Tested positive for COVID-19 today.", "COVID-19", "U07.1"),
        ("Labs show B12 deficiency.", "B12 deficiency", "E53.8"),
        ("Pelvic ultrasound shows uterine fibroids.", "uterine fibroids", "D25.9"),
        ("She has a history of falls.", "history of falls", "Z91.81"),
        ("Barking cough consistent with croup.", "croup", "J05.0"),
        ("Chronic lymphedema of both legs.", "lymphedema", "I89.0"),
        ("Dry eyes and mouth from Sjogren's syndrome.", "Sjogren's syndrome", "M35.00"),
        ("Heterozygous for factor V Leiden.", "factor V Leiden", "D68.51"),
        ("Painful anal fissure.", "anal fissure", "K60.2"),
        ("Elevated liver enzymes on statin.", "Elevated liver enzymes", "R74.8"),
        ("Assessment: COVID-19 infection, mild.", "COVID-19", "U07.1"),
    ],
)
def test_common_wording_is_a_mention_with_its_code(note, phrase, code):
    mentions = analyze(note)._.mentions
    hit = [m for m in mentions if m.text == phrase]
    assert hit, [m.text for m in mentions]
    assert ("ICD-10-CM", code, "synonym") in hit[0].candidates


def test_siadh_expands_to_the_tabular_wording():
    mentions = analyze("Hyponatremia from SIADH.")._.mentions
    assert any(m.text == "SIADH" and ("ICD-10-CM", "E22.2") in {c[:2] for c in m.candidates} for m in mentions)


def test_an_abbreviation_listed_in_lower_case_is_read_in_title_case():
    doc = analyze("Afib with RVR.")
    assert [(a.text, a.expansion) for a in doc._.abbreviation_expansions] == [("Afib", "atrial fibrillation")]
    assert any(m.text == "Afib" and ("ICD-10-CM", "I48.91") in {c[:2] for c in m.candidates} for m in doc._.mentions)


def test_an_abbreviation_that_is_an_expansion_of_a_synonym_is_a_mention():
    mentions = analyze("Cerebral AVM, stable.")._.mentions
    assert any(m.text == "AVM" and ("ICD-10-CM", "Q27.30") in {c[:2] for c in m.candidates} for m in mentions)
