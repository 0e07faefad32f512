"""Every metric on small examples computed by hand."""

from __future__ import annotations

import pytest

from evaluation.metrics import (
    LabelledSpan,
    assertion_metrics,
    average_precision,
    binary_prf,
    codiesp_map,
    evidence_prf,
    macro_f1,
    match_mentions,
    micro_prf,
    percentile,
    precision_at_k,
    recall_at_k,
    strict_map,
)

approx = pytest.approx


def test_micro_prf_sums_counts_over_documents():
    # doc1: tp a,b  fp c  fn d ; doc2: fp e  fn f,g  -> tp 2, fp 2, fn 3
    out = micro_prf([{"a", "b", "c"}, {"e"}], [{"a", "b", "d"}, {"f", "g"}])
    assert out == approx({"precision": 0.5, "recall": 0.4, "f1": 2 * 0.5 * 0.4 / 0.9})


def test_micro_prf_empty_is_zero_not_an_error():
    assert micro_prf([set()], [set()]) == {"precision": 0.0, "recall": 0.0, "f1": 0.0}


def test_macro_f1_averages_per_code_f1():
    # a, b: F1 1; c, d, e, f, g: F1 0  -> 2/7
    assert macro_f1([{"a", "b", "c"}, {"e"}], [{"a", "b", "d"}, {"f", "g"}]) == approx(2 / 7)
    # a code right in one document and missed in another: tp 1, fn 1 -> P 1, R .5, F1 2/3
    assert macro_f1([{"a"}, set()], [{"a"}, {"a"}]) == approx(2 / 3)


def test_precision_at_5():
    assert precision_at_k(["a", "x", "b", "y", "z", "c"], {"a", "b", "c"}, 5) == approx(2 / 5)
    assert precision_at_k(["a"], {"a"}, 5) == approx(1 / 5)  # missing ranks count as misses (trec_eval P_5)
    assert precision_at_k(["a", "a", "b"], {"a", "b"}, 5) == approx(2 / 5)  # a repeat is counted once
    assert precision_at_k([], {"a"}, 5) == 0.0


def test_recall_at_10_and_15():
    ranked = ["g1"] + [f"x{i}" for i in range(9)] + ["g11", "x10"]
    gold = {"g1", "g11", "gz"}
    assert recall_at_k(ranked, gold, 10) == approx(1 / 3)
    assert recall_at_k(ranked, gold, 15) == approx(2 / 3)
    assert recall_at_k(ranked, set(), 10) == 0.0


def test_average_precision_by_hand():
    # hits at ranks 1, 3, 5: (1/1 + 2/3 + 3/5) / 4 gold codes
    assert average_precision(["a", "x", "b", "y", "c"], {"a", "b", "c", "d"}) == approx((1 + 2 / 3 + 3 / 5) / 4)


def test_average_precision_takes_the_given_order_for_ties():
    # equal scores: the list order decides, as the official script keeps the submitted order
    assert average_precision(["x", "a"], {"a"}) == approx(0.5)
    assert average_precision(["a", "x"], {"a"}) == approx(1.0)


def test_average_precision_drops_repeats_and_respects_depth():
    assert average_precision(["a", "a", "b"], {"a", "b"}) == approx(1.0)
    assert average_precision(["x", "a"], {"a"}, depth=1) == 0.0
    assert average_precision(["a"], set()) == 0.0


def test_codiesp_map_skips_documents_without_predictions_or_gold():
    ranked = {"d1": ["a", "x", "b", "y", "c"], "d2": [], "d3": ["z"], "d4": ["q", "e2"]}
    gold = {"d1": {"a", "b", "c", "d"}, "d2": {"e"}, "d3": set(), "d4": {"e2"}}
    ap1 = (1 + 2 / 3 + 3 / 5) / 4
    # d2 (no predictions) and d3 (no gold) are outside the mean, as trectools' get_map
    assert codiesp_map(ranked, gold) == approx((ap1 + 0.5) / 2)
    # invalid predictions are removed before ranks are assigned
    assert codiesp_map(ranked, gold, valid={"a", "b", "c", "x", "y", "e2"}) == approx((ap1 + 1.0) / 2)
    # the strict variant counts every gold document, an empty list scoring 0
    assert strict_map(ranked, gold) == approx((ap1 + 0 + 0.5) / 3)


def test_codiesp_map_empty_cases():
    assert codiesp_map({}, {}) == 0.0
    assert codiesp_map({"d": []}, {"d": {"a"}}) == 0.0
    assert strict_map({}, {"d": {"a"}}) == 0.0


def test_evidence_overlap():
    # (0,5) overlaps gold (3,8); (10,12) overlaps nothing; gold (20,25) is not found
    out = evidence_prf([([(0, 5), (10, 12)], [(3, 8), (20, 25)])])
    assert out == approx({"precision": 0.5, "recall": 0.5, "f1": 0.5})
    # touching spans do not overlap (half-open offsets)
    assert evidence_prf([([(0, 5)], [(5, 8)])])["precision"] == 0.0
    # summed over codes: 1/1 + 0/1 predicted correct, 1/1 + 0/2 gold found
    out = evidence_prf([([(0, 4)], [(1, 2)]), ([(9, 10)], [(0, 1), (2, 3)])])
    assert out["precision"] == approx(0.5) and out["recall"] == approx(1 / 3)


def test_mentions_match_by_largest_overlap():
    gold = [LabelledSpan(0, 10, "negated")]
    pairs = match_mentions([LabelledSpan(0, 3, "present"), LabelledSpan(2, 9, "negated")], gold)
    assert pairs[0][1] == LabelledSpan(2, 9, "negated")
    assert match_mentions([LabelledSpan(10, 12, "present")], gold)[0][1] is None


def test_assertion_accuracy_per_label_and_mention_recall():
    gold = [
        LabelledSpan(0, 8, "negated"),
        LabelledSpan(10, 15, "present"),
        LabelledSpan(20, 25, "historical"),
        LabelledSpan(30, 35, "negated"),
    ]
    predicted = [LabelledSpan(3, 8, "negated"), LabelledSpan(10, 15, "negated"), LabelledSpan(21, 24, "present")]
    out = assertion_metrics(match_mentions(predicted, gold))
    assert out["mention_recall"] == approx(3 / 4)
    assert out["accuracy"] == approx(1 / 3)
    labels = out["labels"]
    assert labels["negated"] == approx({"precision": 0.5, "recall": 1.0, "f1": 2 / 3, "support": 2})
    assert labels["present"] == approx({"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1})
    assert labels["historical"]["support"] == 1 and labels["historical"]["recall"] == 0.0


def test_binary_prf_and_percentile():
    assert binary_prf([(True, True), (True, False), (False, True), (False, False)]) == approx(
        {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    )
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == approx(2.5)
    assert percentile([1.0, 2.0, 3.0, 4.0], 95) == approx(3.85)
    assert percentile([], 50) == 0.0
