"""Matcher and abbreviation rules of the CodiEsp train review (helper C) on made-up phrases."""

from __future__ import annotations

import re

from cac.nlp.matcher import NOT_A_CONDITION, build_index, find_matches, synonym_rows
from cac.nlp.normalise import bag, content_words


def _tokens(text: str) -> list[tuple[int, int, tuple[str, ...]]]:
    return [(m.start(), m.end(), tuple(content_words(m.group()))) for m in re.finditer(r"\w+", text)]


def test_a_phrase_that_names_no_condition_takes_its_words_from_a_shorter_term() -> None:
    index = build_index([("Nervous", "ICD-10-CM", "R45.0", "index"), ("Nervousness", "ICD-10-CM", "R45.0", "index")])
    assert index.kinds[bag(content_words("central nervous system"))] == NOT_A_CONDITION
    found = find_matches(index, _tokens("involvement of the central nervous system"))
    assert [m.kind for m in found] == [NOT_A_CONDITION]  # one match over the phrase, not "nervous" (R45.0)
    assert [m.kind for m in find_matches(index, _tokens("he was nervous"))] == [None]


def test_synonym_types_are_known() -> None:
    assert {row[1] for row in synonym_rows()} <= {"problem", "procedure", NOT_A_CONDITION}


def test_tac_is_a_scan_unless_a_headache_is_named() -> None:
    from cac.nlp.abbreviations import expand

    text = "A TAC was performed which showed a liver mass."
    assert expand(text, 2, 5, text).expansion == "computed axial tomography"
    text = "He has a TAC with daily headaches and lacrimation."
    assert expand(text, 9, 12, text).expansion == "trigeminal autonomic cephalgia"
