"""The literal prefilter: a rule regex is skipped only for notes it cannot match."""

from __future__ import annotations

import re

import pytest

from cac.coding.prefilter import literal_words, may_match


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r"(?<![\w-])insulin(?![\w-])", {"insulin"}),
        (r"\b(?:warfarin|coumadin)\b", {"warfarin", "coumadin"}),
        (r"long[- ]term\s+aspirin", {"aspirin"}),  # the longest literal run of the sequence
        (r"\bS\s*P\s+(?:CABG|PCI)", {"cabg", "pci"}),  # a run under three letters gives way to the group's words
    ],
)
def test_required_words_are_read_off_the_pattern(pattern: str, words: set[str]) -> None:
    assert literal_words(pattern) == frozenset(words)


@pytest.mark.parametrize("pattern", [r"\d+\s*mg", r"(?:insulin|\w+z)", r"[A-Z]{2,4}"])
def test_a_pattern_without_required_words_is_always_run(pattern: str) -> None:
    assert literal_words(pattern) is None
    assert may_match(literal_words(pattern), "anything")


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (r"(?<![\w-])(?:on\s+)?(?:warfarin|Coumadin)(?![\w-])", "Continues COUMADIN 5 mg daily."),
        (r"\bstatus\s+post\s+(?:right\s+)?TKA\b", "Status post right tka 2019."),
        (r"\bquit\s+(?:smoking|tobacco)\b", "She QUIT SMOKING in 1998."),
    ],
)
def test_prefilter_never_skips_a_note_the_regex_matches(pattern: str, text: str) -> None:
    assert re.search(pattern, text, re.I)
    assert may_match(literal_words(pattern), text.lower())


def test_prefilter_skips_a_note_without_the_words() -> None:
    assert not may_match(literal_words(r"\b(?:apixaban|eliquis)\b"), "no anticoagulants at home.")


def test_every_required_word_of_a_sequence_is_a_requirement() -> None:
    from cac.coding.prefilter import may_match_all, required_groups

    groups = required_groups(re.compile(r"\bupper\s+(?:GI|gastrointestinal)\s+endoscop(?:y|ies)\b", re.I))
    assert set(groups) == {frozenset({"upper"}), frozenset({"endoscop"})}
    assert not may_match_all(groups, "upper lobe infiltrate.")  # one word alone does not let the regex run
    assert may_match_all(groups, "upper gi endoscopy done.")


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (r"\b(?:D\s*&\s*C|dilation\s+and\s+curettage)\b", "Underwent D&C."),  # a branch without words: no requirement
        (r"(?<![\w-])(?:current\s+)?every\s+day\s+smoker(?![\w-])", "Every day smoker."),
        (r"\bran out of\s+(?:his\s+)?(?P<drug>[a-z]+)", "He RAN OUT OF his metformin."),
    ],
)
def test_the_requirements_never_skip_a_note_the_regex_matches(pattern: str, text: str) -> None:
    from cac.coding.prefilter import may_match_all, required_groups

    compiled = re.compile(pattern, re.I)
    assert compiled.search(text)
    assert may_match_all(required_groups(compiled), text.lower())


def test_occurs_answers_for_each_note_apart() -> None:
    from cac.coding.prefilter import occurs

    first, second = "known asthma.", "no asthma history."
    assert occurs("asthma", first) and not occurs("history", first)
    assert occurs("history", second)  # another note: asked again, not remembered from the first
