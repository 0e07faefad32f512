"""Clinical tokenizer cases."""

from __future__ import annotations

import pytest

from cac.nlp import load_pipeline


def toks(text: str) -> list[str]:
    return [t.text for t in load_pipeline().tokenizer(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("HTN/DM2", ["HTN", "/", "DM2"]),
        ("s/p CABG", ["s/p", "CABG"]),
        ("w/o complications", ["w/o", "complications"]),
        ("c/o CP", ["c/o", "CP"]),
        ("h/o MI,", ["h/o", "MI", ","]),
        ("BP 140/90.", ["BP", "140/90", "."]),
        ("3x/day", ["3x/day"]),
        ("q4-6h prn", ["q4-6h", "prn"]),
        ("on 01/02/2020", ["on", "01/02/2020"]),
        ("metformin 500mg", ["metformin", "500", "mg"]),
        ("(+) fever (-) chills", ["(+)", "fever", "(-)", "chills"]),
        ("\u2022 cough", ["\u2022", "cough"]),
        ("L4-5 disc", ["L4-5", "disc"]),
        ("EF 51%", ["EF", "51%"]),
    ],
)
def test_clinical_tokens(text: str, expected: list[str]) -> None:
    assert toks(text) == expected


def test_numbered_list_and_bullets_split_from_text() -> None:
    out = toks("1. fever\n- cough")
    assert "fever" in out and "cough" in out and "-" in out


def test_parenthesis_glued_to_the_next_word_splits() -> None:
    # a list enumerator with no space ("3)HTN") and a dictated aside ("(verbal and visual)loss")
    assert toks("PMH: 1)Myasthenia gravis. 3)HTN.")[2:5] == ["1", ")", "Myasthenia"]
    assert toks("memory (verbal and visual)loss") == ["memory", "(", "verbal", "and", "visual", ")", "loss"]


def test_hyphenated_abbreviations_stay_one_token() -> None:
    from cac.nlp.tokenizer import hyphenated_abbreviations

    forms = hyphenated_abbreviations()
    assert {"a-fib", "A-fib", "A-Fib", "A-FIB", "a-Fib"} <= set(forms)


def test_a_hyphenated_abbreviation_is_one_token() -> None:
    assert toks("A-fib with RVR") == ["A-fib", "with", "RVR"]
