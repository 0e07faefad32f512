"""The NegEx annotated test set: (condition, sentence) pairs; the condition span is given, the engine decides.

Columns (tab-separated, one header line): number, condition, sentence, negation status (Negated /
Affirmed / Possible), temporality (Recent / Historical / Not particular), experiencer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluation.metrics import binary_prf, safe_div
from evaluation.throughput import Stopwatch

AssertTarget = Callable[[str, int, int], Any]  # (sentence, start, end) -> object with .label


@dataclass
class NegexPair:
    number: str
    condition: str
    sentence: str
    negation: str  # negated | affirmed | possible
    temporality: str  # recent | historical | not particular | ...
    experiencer: str


def load_pairs(path: str | Path) -> list[NegexPair]:
    pairs: list[NegexPair] = []
    with Path(path).open(encoding="utf-8", errors="replace") as fh:
        for line_no, line in enumerate(fh, start=1):
            cols = line.rstrip("\r\n").split("\t")
            if line_no == 1 and not cols[0].strip().isdigit():
                continue  # header
            if len(cols) < 4 or not line.strip():
                continue
            cols += [""] * (6 - len(cols))
            pairs.append(
                NegexPair(
                    cols[0].strip(),
                    cols[1].strip(),
                    cols[2],
                    cols[3].strip().lower(),
                    cols[4].strip().lower(),
                    cols[5].strip().lower(),
                )
            )
    return pairs


def locate(condition: str, sentence: str) -> tuple[int, int] | None:
    """The condition's span in the sentence: case-insensitive, any run of spaces or punctuation between words.

    None when the sentence does not hold it (a few pairs in the file have the sentence cut short).
    """
    words = re.findall(r"\w+", condition)
    if not words:
        return None
    body = r"(?<!\w)" + r"\W+".join(re.escape(w) for w in words)
    # Whole words first; then let the last word run on ("RESECTIONto": words glued in the source text).
    for pattern in (body + r"(?!\w)", body):
        m = re.search(pattern, sentence, flags=re.IGNORECASE)
        if m:
            return m.start(), m.end()
    return None


def default_assert_target() -> AssertTarget:
    from cac.nlp import assert_target

    return assert_target


def evaluate_negex(pairs: Sequence[NegexPair], assert_target: AssertTarget | None = None) -> dict[str, Any]:
    """Section 4 JSON: negation P/R/F1 and accuracy, historical P/R/F1 (pairs whose condition is found)."""
    decide = assert_target or default_assert_target()
    located = [(p, span) for p in pairs if (span := locate(p.condition, p.sentence))]
    watch = Stopwatch()
    negated: list[tuple[bool, bool]] = []
    historical: list[tuple[bool, bool]] = []
    possible: list[tuple[bool, bool]] = []
    labels: dict[str, int] = {}
    for (pair, _span), result in watch.run(located, lambda ps: decide(ps[0].sentence, ps[1][0], ps[1][1])):
        label = result.label
        labels[label] = labels.get(label, 0) + 1
        negated.append((pair.negation == "negated", label == "negated"))
        possible.append((pair.negation == "possible", label == "possible"))
        if pair.temporality:
            historical.append((pair.temporality == "historical", label == "historical"))
    correct = sum(1 for g, p in negated if g == p)
    return {
        "pairs": len(located),
        "pairs_in_file": len(pairs),
        "condition_not_found": len(pairs) - len(located),
        "negated": binary_prf(negated),
        "accuracy": safe_div(correct, len(negated)),
        "historical": binary_prf(historical),
        "possible": binary_prf(possible),
        "predicted_labels": labels,
        "throughput": watch.summary(),
        "_latencies_ms": watch.latencies_ms,
    }
