"""The experiencer rule: which person near a condition has it (``cac.nlp.experiencer``)."""

from __future__ import annotations

import pytest

from cac.nlp import experiencer


def role_of(sentence: str, person: str) -> str:
    i = sentence.index(person)
    return experiencer.role(sentence, i, i + len(person))


@pytest.mark.parametrize(
    ("sentence", "person", "expected"),
    [
        ("Brought in by son for confusion.", "son", "bystander"),
        ("Mom reports fever x 2 days.", "Mom", "bystander"),
        ("Wife is at the bedside.", "Wife", "bystander"),
        ("Discussed with daughter, who has breast cancer.", "daughter", "owner"),
        ("Current smoker, brother with MI at 50.", "brother", "owner"),
        ("Breast cancer in mother.", "mother", "relative"),
        ("Complications were reviewed with the father including bleeding.", "father", "risks"),
    ],
)
def test_role(sentence, person, expected):
    assert role_of(sentence, person) == expected


def test_spouse_and_spoken_with():
    assert experiencer.is_spouse("husband's") and not experiencer.is_spouse("mother")
    sentence = "Findings explained to the daughter, who has breast cancer."
    i = sentence.index("daughter")
    assert experiencer.spoken_with(sentence, i, i + len("daughter"))
    assert [m.group() for m in experiencer.persons("Wife and son at bedside.")] == ["Wife", "son"]
