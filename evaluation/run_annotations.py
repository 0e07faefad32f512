"""Runner for team-annotated notes (interfaces.md section 3)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from evaluation.annotations import Document
from evaluation.engines import SuggestEngine, warm_up
from evaluation.scoring import score_documents
from evaluation.throughput import Stopwatch


def run_engine(engine: SuggestEngine, docs: Sequence[Document]) -> tuple[list[dict[str, Any]], Stopwatch]:
    """The engine's result for every document, timed one note at a time (after one untimed warm-up call)."""
    warm_up(engine)
    watch = Stopwatch()
    results = [
        r for _, r in watch.run(docs, lambda d: engine.suggest(d.text, setting=d.setting, note_type=d.note_type))
    ]
    return results, watch


def evaluate_annotations(
    engine: SuggestEngine, docs: Sequence[Document]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(section 3 JSON, raw results) for the documents."""
    results, watch = run_engine(engine, docs)
    out: dict[str, Any] = {"documents": len(docs)}
    out.update(score_documents(docs, results))
    out["throughput"] = watch.summary()
    out["_latencies_ms"] = watch.latencies_ms
    return out, results
