"""The experiencer rule: which person near a condition has it (``cac.nlp.experiencer``)."""

from __future__ import annotations

import pytest

from cac.nlp import experiencer
from cac.nlp.assertion import assert_target


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
        # a "with" before the person: the words after it say whose condition it is
        ("History of colon cancer, with mother diagnosed at 50.", "mother", "attached"),
        ("Breast cancer in her sister (dx at 41).", "sister", "attached"),
        ("History of colon polyps, with father who had colon cancer.", "father", "owner"),
        ("History of anemia, with mother diagnosed with sickle cell disease.", "mother", "owner"),
        ("Brought in by mother with fever.", "mother", "bystander"),
        ("Here with her mother, who reports a rash.", "mother", "bystander"),
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


@pytest.mark.parametrize(
    ("sentence", "target", "label"),
    [
        # the relative is attached to the condition named before "with": the family's, not the patient's
        ("History of colon cancer, with mother diagnosed at 50.", "colon cancer", "family"),
        # the relative opens its own condition: the one before stays the patient's
        ("History of colon polyps, with father who had colon cancer.", "colon polyps", "historical"),
        ("History of colon polyps, with father who had colon cancer.", "colon cancer", "family"),
        ("History of anemia, with mother diagnosed with sickle cell disease.", "anemia", "historical"),
        ("History of anemia, with mother diagnosed with sickle cell disease.", "sickle cell disease", "family"),
        # a helper "with": the patient's own condition
        ("Brought in by mother with fever.", "fever", "present"),
    ],
)
def test_experiencer_follows_the_noun_the_person_is_attached_to(sentence, target, label):
    i = sentence.index(target)
    assert assert_target(sentence, i, i + len(target)).label == label
