"""Sentence splitting on line-based notes."""

from __future__ import annotations

from cac.nlp import analyze


def sents(text: str) -> list[str]:
    return [s.text.strip() for s in analyze(text).sents if s.text.strip()]


def test_lines_without_punctuation_are_sentences() -> None:
    assert sents("Chest pain\nShortness of breath\nNo fever") == ["Chest pain", "Shortness of breath", "No fever"]


def test_headers_are_their_own_sentences() -> None:
    assert sents("HPI: Cough for two days. No fever.") == ["HPI:", "Cough for two days.", "No fever."]


def test_numbered_lists_and_bullets() -> None:
    assert sents("Diagnoses:\n1. Pneumonia\n2. Hypertension\n- Diabetes") == [
        "Diagnoses:",
        "1. Pneumonia",
        "2. Hypertension",
        "- Diabetes",
    ]


def test_inline_enumerated_items() -> None:
    out = sents("POSTOPERATIVE DIAGNOSIS:  1) Hemorrhoids  2) Normal colon")
    assert out == ["POSTOPERATIVE DIAGNOSIS:", "1) Hemorrhoids", "2) Normal colon"]


def test_abbreviation_periods_do_not_split() -> None:
    assert sents("Seen by Dr. Smith today. Plan discussed.") == ["Seen by Dr. Smith today.", "Plan discussed."]


def test_decimal_numbers_do_not_split() -> None:
    assert sents("Temperature 38.5 today. Creatinine 1.2.") == ["Temperature 38.5 today.", "Creatinine 1.2."]


def test_sentence_offsets_cover_text() -> None:
    text = "HPI: a.\r\nb c\n\nd."
    doc = analyze(text)
    for start, end in doc._.sentence_offsets:
        assert 0 <= start < end <= len(text)


def test_wrapped_prose_lines_are_joined() -> None:
    text = "Mother reports cough for two days. No fever, vomiting,\nor diarrhea. Eating well."
    assert sents(text) == ["Mother reports cough for two days.", "No fever, vomiting,\nor diarrhea.", "Eating well."]


def test_wrapped_line_with_an_indent_is_joined() -> None:
    text = "1. Cystitis - no evidence of\n   pyelonephritis. Cefpodoxime.\n2. HTN"
    assert sents(text)[:2] == ["1. Cystitis - no evidence of\n   pyelonephritis.", "Cefpodoxime."]


def test_indented_continuation_after_a_long_line_is_joined() -> None:
    text = "# Troponin mildly up, no chest pain - likely demand ischemia; ACS\n  not suspected. Trend once more."
    assert sents(text) == [
        "# Troponin mildly up, no chest pain - likely demand ischemia; ACS\n  not suspected.",
        "Trend once more.",
    ]


def test_a_line_ending_in_a_preposition_goes_on_into_a_capitalised_line() -> None:
    out = sents("He had a left MCA infarction in\nDecember, with residual right hemiparesis.\nPlan: PT")
    assert out[0] == "He had a left MCA infarction in\nDecember, with residual right hemiparesis."
    # a heading after such a line still starts its own sentence
    assert sents("Seen for follow up of\nASSESSMENT: gout") == ["Seen for follow up of", "ASSESSMENT:", "gout"]
