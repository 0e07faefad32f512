"""Mention recall and assertion accuracy on the team-annotated dev set (annotations/dev.jsonl).

Needs the code-set store with the shared ICD-10-CM index imported (the session ``store`` fixture does that
when ../shared/data is present); skipped otherwise.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DEV = Path(__file__).resolve().parents[2] / "annotations" / "dev.jsonl"


@pytest.mark.shared_data
@pytest.mark.slow
def test_dev_mention_recall_and_assertion_accuracy(store, imported) -> None:
    if not imported or not DEV.exists():
        pytest.skip("needs the imported shared code sets and annotations/dev.jsonl")
    from cac.nlp import analyze, load_pipeline
    from cac.nlp.matcher import load_index

    # The pipeline may have loaded its matcher before the shared index was imported: use the full one here.
    finder = load_pipeline().get_pipe("cac_mentions")
    previous = finder._index
    finder._index = load_index(store)
    try:
        found, correct, gold_total = _score(analyze)
    finally:
        finder._index = previous
    assert gold_total > 0
    assert found / gold_total >= 0.90, found / gold_total
    assert correct / found >= 0.85, correct / found


def _score(analyze) -> tuple[int, int, int]:
    gold_total = found = correct = 0
    for line in DEV.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        doc_json = json.loads(line)
        mentions = analyze(doc_json["text"])._.mentions
        for g in doc_json.get("mentions", []):
            gold_total += 1
            overlapping = [m for m in mentions if m.start < g["end"] and g["start"] < m.end]
            if not overlapping:
                continue
            found += 1
            best = max(overlapping, key=lambda m: min(m.end, g["end"]) - max(m.start, g["start"]))
            correct += best.assertion == g["assertion"]
    return found, correct, gold_total
