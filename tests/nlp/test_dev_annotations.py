"""Mention recall and assertion accuracy on the team-annotated dev set (annotations/dev.jsonl).

Needs the code-set store with the shared ICD-10-CM index imported (the session ``store`` fixture does that
when ../shared/data is present); skipped otherwise.
"""

from __future__ import annotations

from pathlib import Path

import pytest

DEV = Path(__file__).resolve().parents[2] / "annotations" / "dev.jsonl"


@pytest.mark.shared_data
@pytest.mark.slow
def test_dev_mention_recall_and_assertion_accuracy(store, imported) -> None:
    if not imported or not DEV.exists():
        pytest.skip("needs the imported shared code sets and annotations/dev.jsonl")
    from cac.nlp import load_pipeline
    from cac.nlp.bench import score_mentions
    from cac.nlp.matcher import load_index

    # The pipeline may have loaded its matcher before the shared index was imported: use the full one here.
    finder = load_pipeline().get_pipe("cac_mentions")
    previous = finder._index
    finder._index = load_index(store)
    try:
        scores = score_mentions(DEV)
    finally:
        finder._index = previous
    assert scores["gold_mentions"] > 0
    # A regression floor, not a goal: batch 3 (24 notes, dev-033..056) brought new wording the matcher does not
    # know yet ("PND", "JVD", "NSTEMI"); measured 0.88 on the 56 notes (0.925 on the first 32). Batch 7 (36 fresh
    # notes, dev-132..167) brought more: 0.849 on all 167 notes before any tuning on them.
    assert scores["mention_recall"] >= 0.83, scores
    assert scores["assertion_accuracy"] >= 0.85, scores
