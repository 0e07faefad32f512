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
