"""Scoring functions: code sets, ranked lists (P@k, R@k, CodiEsp MAP), evidence spans and assertions.

Every function takes plain Python data (sets, ranked lists, spans) so any engine can be scored the same way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

Span = tuple[int, int]


@dataclass
class Counts:
    """True positives, false positives and false negatives, summed over documents."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted: AbstractSet[Any], gold: AbstractSet[Any]) -> None:
        self.tp += len(predicted & gold)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)

    def prf(self) -> dict[str, float]:
        return prf(self.tp, self.fp, self.fn)


def safe_div(num: float, den: float) -> float:
    return num / den if den else 0.0


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Precision, recall and F1 from counts; 0.0 wherever a denominator is zero."""
    p = safe_div(tp, tp + fp)
    r = safe_div(tp, tp + fn)
    return {"precision": p, "recall": r, "f1": safe_div(2 * p * r, p + r)}


def micro_prf(predicted: Sequence[AbstractSet[Any]], gold: Sequence[AbstractSet[Any]]) -> dict[str, float]:
    """Micro-averaged P/R/F1: counts summed over documents, then one ratio."""
    counts = Counts()
    for p, g in zip(predicted, gold, strict=True):
        counts.add(p, g)
    return counts.prf()


def macro_f1(predicted: Sequence[AbstractSet[Any]], gold: Sequence[AbstractSet[Any]]) -> float:
    """Mean over codes of each code's F1; codes are those in the gold or the predictions of any document."""
    per_code: dict[Any, Counts] = {}
    for p, g in zip(predicted, gold, strict=True):
        for code in p | g:
            c = per_code.setdefault(code, Counts())
            c.tp += code in p and code in g
            c.fp += code in p and code not in g
            c.fn += code in g and code not in p
    if not per_code:
        return 0.0
    return sum(c.prf()["f1"] for c in per_code.values()) / len(per_code)


def _dedupe(ranked: Iterable[Any]) -> list[Any]:
    seen: set[Any] = set()
    out: list[Any] = []
    for item in ranked:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def precision_at_k(ranked: Sequence[Any], gold: AbstractSet[Any], k: int) -> float:
    """Hits among the first k (duplicates dropped) divided by k, as trec_eval's P_k (missing ranks count as misses)."""
    top = _dedupe(ranked)[:k]
    return sum(1 for c in top if c in gold) / k


def recall_at_k(ranked: Sequence[Any], gold: AbstractSet[Any], k: int) -> float:
    """Share of the gold codes found among the first k ranked (0.0 when there is no gold)."""
    if not gold:
        return 0.0
    top = _dedupe(ranked)[:k]
    return sum(1 for c in top if c in gold) / len(gold)


def average_precision(ranked: Sequence[Any], gold: AbstractSet[Any], depth: int = 1000) -> float:
    """TREC average precision of one ranked list: mean over gold items of precision at the rank each is found.

    Duplicates are dropped (first occurrence kept) before ranks are assigned; gold items never ranked
    add 0; ties are broken by list order (the ranking is taken as given). Empty gold gives 0.0.
    """
    if not gold:
        return 0.0
    hits = 0
    total = 0.0
    for rank, code in enumerate(_dedupe(ranked)[:depth], start=1):
        if code in gold:
            hits += 1
            total += hits / rank
    return total / len(gold)


def codiesp_map(
    ranked: Mapping[str, Sequence[Any]],
    gold: Mapping[str, AbstractSet[Any]],
    valid: AbstractSet[Any] | None = None,
    depth: int = 1000,
) -> float:
    """Mean average precision as the CodiEsp-D/P evaluation computes it.

    Followed: TeMU-BSC/codiesp-evaluation-script, ``codiespD_P_evaluation.py``, which lower-cases codes,
    drops repeated (document, code) rows keeping the first, drops predicted codes not in the valid-code
    list, keeps the submitted order as the ranking and calls trectools ``TrecEval.get_map(trec_eval=False)``
    (depth 1000). In trectools, a document's AP is the sum of precision-at-rank over its relevant retrieved
    codes divided by its number of gold codes, and MAP divides the sum of APs by the number of documents
    present in both the run and the gold. So a document with gold codes but no (valid) prediction is left
    out of the mean, and so is a document with predictions but no gold. ``strict_map`` below is the
    stricter variant that counts every gold document (an empty list scoring 0).
    Codes are compared as given: normalise them (case, dots) before calling.
    """
    total = 0.0
    documents = 0
    for doc_id, doc_gold in gold.items():
        doc_ranked = [c for c in ranked.get(doc_id, ()) if valid is None or c in valid]
        if not doc_gold or not doc_ranked:
            continue
        documents += 1
        total += average_precision(doc_ranked, doc_gold, depth)
    return safe_div(total, documents)


def strict_map(ranked: Mapping[str, Sequence[Any]], gold: Mapping[str, AbstractSet[Any]], depth: int = 1000) -> float:
    """MAP over every document with gold codes; a document without predictions scores 0."""
    docs = [d for d, g in gold.items() if g]
    return safe_div(sum(average_precision(ranked.get(d, ()), gold[d], depth) for d in docs), len(docs))


def mean_over_documents(values: Iterable[float]) -> float:
    vals = list(values)
    return safe_div(sum(vals), len(vals))


# ---------------------------------------------------------------------------------------------- spans
def overlaps(a: Span, b: Span) -> bool:
    """Two half-open character spans share at least one character."""
    return a[0] < b[1] and b[0] < a[1]


def evidence_counts(predicted: Sequence[Span], gold: Sequence[Span]) -> tuple[int, int, int, int]:
    """(correct predicted spans, predicted spans, gold spans hit, gold spans) for one true-positive code.

    A predicted span is correct when it overlaps any gold span; a gold span is found when any predicted
    span overlaps it.
    """
    correct = sum(1 for p in predicted if any(overlaps(p, g) for g in gold))
    found = sum(1 for g in gold if any(overlaps(p, g) for p in predicted))
    return correct, len(predicted), found, len(gold)


def evidence_prf(pairs: Iterable[tuple[Sequence[Span], Sequence[Span]]]) -> dict[str, float]:
    """Span-overlap P/R/F1 summed over (predicted spans, gold spans) of true-positive codes."""
    correct = npred = found = ngold = 0
    for predicted, gold in pairs:
        c, p, f, g = evidence_counts(predicted, gold)
        correct, npred, found, ngold = correct + c, npred + p, found + f, ngold + g
    precision = safe_div(correct, npred)
    recall = safe_div(found, ngold)
    return {"precision": precision, "recall": recall, "f1": safe_div(2 * precision * recall, precision + recall)}


# ------------------------------------------------------------------------------------------ assertions
@dataclass(frozen=True)
class LabelledSpan:
    start: int
    end: int
    label: str


def match_mentions(
    predicted: Sequence[LabelledSpan], gold: Sequence[LabelledSpan]
) -> list[tuple[LabelledSpan, LabelledSpan | None]]:
    """Each gold mention paired with the predicted mention overlapping it most (None when none overlaps).

    Ties in overlap length go to the earlier predicted mention; one predicted mention may serve several
    gold mentions (a long span covering "no fever or chills").
    """
    pairs: list[tuple[LabelledSpan, LabelledSpan | None]] = []
    for g in gold:
        best: LabelledSpan | None = None
        best_len = 0
        for p in predicted:
            length = min(p.end, g.end) - max(p.start, g.start)
            if length > best_len:
                best, best_len = p, length
        pairs.append((g, best))
    return pairs


def assertion_metrics(pairs: Iterable[tuple[LabelledSpan, LabelledSpan | None]]) -> dict[str, object]:
    """Accuracy and per-label P/R/F1 over matched gold mentions, plus mention recall over all gold mentions.

    Per label: precision = matched mentions predicted with the label that carry it in gold, over matched
    mentions predicted with it; recall over matched gold mentions with it; support = gold mentions with it
    (matched or not).
    """
    total = matched = correct = 0
    tp: Counter[str] = Counter()
    pred_n: Counter[str] = Counter()
    gold_matched: Counter[str] = Counter()
    support: Counter[str] = Counter()
    for g, p in pairs:
        total += 1
        support[g.label] += 1
        if p is None:
            continue
        matched += 1
        pred_n[p.label] += 1
        gold_matched[g.label] += 1
        if p.label == g.label:
            correct += 1
            tp[g.label] += 1
    labels: dict[str, dict[str, float | int]] = {}
    for label in sorted(set(support) | set(pred_n)):
        pr = safe_div(tp[label], pred_n[label])
        rc = safe_div(tp[label], gold_matched[label])
        labels[label] = {
            "precision": pr,
            "recall": rc,
            "f1": safe_div(2 * pr * rc, pr + rc),
            "support": support[label],
        }
    return {"accuracy": safe_div(correct, matched), "mention_recall": safe_div(matched, total), "labels": labels}


def binary_prf(decisions: Iterable[tuple[bool, bool]]) -> dict[str, float]:
    """P/R/F1 of the positive class from (gold, predicted) booleans."""
    tp = fp = fn = 0
    for gold, pred in decisions:
        tp += gold and pred
        fp += pred and not gold
        fn += gold and not pred
    return prf(tp, fp, fn)


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100), as numpy's default; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)
