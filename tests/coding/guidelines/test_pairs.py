"""'Code first' / 'use additional code' pairs: kept together, etiology first, hints for missing companions."""

from __future__ import annotations

from cac.coding.guidelines import apply_guidelines, pairs
from tests.coding.guidelines.helpers import by_code, codes


def test_etiology_sequenced_before_manifestation_and_raised_to_its_score(make, context):
    cands = [make("F02.80", "dementia", score=0.9), make("G30.9", "Alzheimer disease", score=0.6)]
    out = apply_guidelines(cands, context())
    assert codes(out) == ["G30.9", "F02.80"]
    assert by_code(out, "G30.9").score == 0.9
    assert "code first G30.9 before F02.80" in by_code(out, "G30.9").rationale


def test_manifestation_without_etiology_gets_a_hint_and_is_not_first(make, context):
    cands = [make("G63", "polyneuropathy", score=0.95), make("I10", "HTN", score=0.6)]
    out = apply_guidelines(cands, context())
    assert codes(out) == ["I10", "G63"]
    assert "hint: code first underlying disease" in by_code(out, "G63").rationale


def test_use_additional_code_partner_named_in_rationale(make, context):
    cands = [make("E11.22", "diabetic CKD"), make("N18.4", "CKD stage 4")]
    out = pairs.apply(cands, context())
    assert "use additional code N18.4" in by_code(out, "E11.22").rationale


def test_use_additional_code_hint_when_documented_but_not_proposed(make, context):
    note = "Type 2 diabetes, on insulin glargine nightly."
    out = pairs.apply([make("E11.9", "Type 2 diabetes", note)], context(text=note))
    assert codes(out) == ["E11.9"]  # nothing added
    assert "hint: use additional code for insulin (Z79.4)" in out[0].rationale


def test_no_hint_when_companion_not_documented(make, context):
    note = "Type 2 diabetes, diet controlled."
    out = pairs.apply([make("E11.9", "Type 2 diabetes", note)], context(text=note))
    assert "hint" not in out[0].rationale


def test_manifestation_detection(context):
    ctx = context()
    assert pairs.is_manifestation("G63", ctx)
    assert pairs.is_manifestation("R65.20", ctx)
    assert not pairs.is_manifestation("N18.4", ctx)  # "code first any associated ...": not a manifestation
    assert not pairs.is_manifestation("E11.22", ctx)
