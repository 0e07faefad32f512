"""Common problem-list wordings coded end to end: limbs written as "lower extremity" or "RLE", an abbreviation that
the synonyms read, a "without mention of" default and a "non-pressure" ulcer (made-up one-line notes).

These test the lexicon and the index walk, so they read the hand-set scores: a one-line note gives the trained
reranker few features ("Assessment: lumbar DDD." alone scores 0.48 with the model of 2026-11-30), and its ranking is
tested in test_reranker.py."""

import pytest

from tests.coding.helpers import coded


@pytest.fixture(scope="module")
def engine(store):
    from cac.coding import Engine

    return Engine(store=store, rerank=False)


@pytest.mark.parametrize(
    ("note", "code", "span"),
    [
        ("Assessment: cellulitis of right lower extremity.", "L03.115", "cellulitis"),
        ("Assessment: cellulitis of LUE.", "L03.114", "cellulitis"),
        ("Assessment: facial cellulitis.", "L03.211", "cellulitis"),
        ("Assessment: MRSA cellulitis of left foot.", "L03.116", "cellulitis"),
        ("Assessment: pain in right calf.", "M79.604", "pain"),
        ("Assessment: RLE pain.", "M79.604", "pain"),
        ("Assessment: urinary retention.", "R33.9", None),
        ("Assessment: lumbar DDD.", "M51.369", "DDD"),
        ("Assessment: IBD.", "K52.9", "IBD"),
        ("Assessment: cerebral AVM.", "Q28.2", "AVM"),
        ("Assessment: HHS in a patient with type 2 diabetes.", "E11.00", "HHS"),
        ("Assessment: G2P1 at 32 weeks with IUGR.", "O36.5930", "IUGR"),
        ("Assessment: non-pressure ulcer of right calf.", "L97.219", "non-pressure ulcer"),
        ("Assessment: prior left MCA infarct without residual deficits.", "Z86.73", None),
        ("Assessment: COVID-19.", "U07.1", "COVID-19"),
        ("Assessment: croup.", "J05.0", "croup"),
    ],
)
def test_common_wording_is_coded(engine, note, code, span):
    codes = coded(engine, note)
    assert code in codes, sorted(codes)
    if span is not None:
        assert any(e["text"] == span and note[e["start"] : e["end"]] == span for e in codes[code]["evidence"])


def test_a_non_pressure_ulcer_is_no_pressure_ulcer(engine):
    codes = coded(engine, "Assessment: non-pressure ulcer of right calf.")
    assert not any(c.startswith("L89") for c in codes)


def test_a_title_that_names_a_leg_is_not_chosen_for_an_arm_and_back(engine):
    assert "M79.601" not in coded(engine, "Assessment: pain in right calf.")  # "Pain in right arm"
    assert "M79.601" in coded(engine, "Assessment: right arm pain.")
