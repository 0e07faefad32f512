"""Property: analyze never crashes on arbitrary text and every offset slices the original text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cac.nlp import analyze, assert_target, detect_cues

CLINICAL_BITS = st.sampled_from(
    [
        "No fever, chills, or cough.",
        "HPI:",
        "PAST MEDICAL HISTORY:",
        "Family history: diabetes in mother.",
        "ROS: neg fever, CP",
        "s/p CABG w/o complications",
        "\r\n",
        "\t",
        "\u2022 ",
        "1) ",
        "Rule out PE.",
        "\U0001f600",
        "\x00\x1f\x7f",
        "BP 140/90",
        "Pneumonia versus atelectasis",
        "kidney disease, chronic, stage 3",
    ]
)
TEXT = st.one_of(
    st.text(),
    st.lists(st.one_of(CLINICAL_BITS, st.text(max_size=20)), max_size=40).map("".join),
)


def _check(text: str) -> None:
    doc = analyze(text)
    assert doc.text == text
    for s in doc._.sections:
        assert 0 <= s.header_start <= s.header_end <= len(text)
        assert 0 <= s.start <= s.end <= len(text)
    for m in doc._.mentions:
        assert text[m.start : m.end] == m.text and m.start < m.end
        if m.trigger is not None:
            assert text[m.trigger.start : m.trigger.end] == m.trigger.text
    for a in doc._.abbreviation_expansions:
        assert text[a.start : a.end] == a.text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_analyze_offsets_are_exact(text: str) -> None:
    _check(text)


@settings(max_examples=100, deadline=None)
@given(TEXT, st.integers(-5, 200), st.integers(-5, 200))
def test_assert_target_and_cues_never_crash(text: str, a: int, b: int) -> None:
    res = assert_target(text, a, b)
    if res.trigger is not None:
        assert text[res.trigger.start : res.trigger.end] == res.trigger.text
    for c in detect_cues(text):
        assert text[c.start : c.end] == c.text


def test_empty_and_one_megabyte() -> None:
    _check("")
    big = ("HPI: Denies fever, chills, or cough. s/p CABG.\r\n\t\U0001f600 " * 20_000)[:1_000_000]
    _check(big)
