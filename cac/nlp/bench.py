"""Throughput of the clinical pipeline against spaCy's bare English tokenizer on the same notes."""

from __future__ import annotations

import csv
import gzip
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MB."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def read_mtsamples(path: str | Path) -> list[str]:
    """Non-empty transcriptions of the MTSamples CSV (.csv or .csv.gz)."""
    p = Path(path)
    opener = gzip.open if p.suffix == ".gz" else open
    with opener(p, "rt", encoding="utf-8", newline="") as fh:
        return [r["transcription"] for r in csv.DictReader(fh) if (r.get("transcription") or "").strip()]


def run_benchmark(notes: Sequence[str]) -> dict[str, Any]:
    """Time the bare tokenizer and the full pipeline over notes (one process); load time reported apart."""
    import spacy

    from cac.nlp import analyze, load_pipeline

    bare = spacy.blank("en")
    t0 = time.perf_counter()
    for note in notes:
        bare.tokenizer(note)
    bare_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    load_pipeline()
    analyze("warm up: no fever.")  # loads the matcher index (disk cache or build)
    load_s = time.perf_counter() - t0

    per_note = []
    mentions = 0
    t0 = time.perf_counter()
    for note in notes:
        t1 = time.perf_counter()
        doc = analyze(note)
        per_note.append(time.perf_counter() - t1)
        mentions += len(doc._.mentions)
    full_s = time.perf_counter() - t0
    per_note.sort()
    n = max(len(notes), 1)
    return {
        "notes": len(notes),
        "chars": sum(len(x) for x in notes),
        "load_seconds": round(load_s, 2),
        "pipeline": {
            "notes_per_second": round(n / full_s, 1) if full_s else 0.0,
            "ms_per_note": round(1000 * full_s / n, 2),
            "ms_per_note_p50": round(1000 * per_note[len(per_note) // 2], 2) if per_note else 0.0,
            "ms_per_note_p95": round(1000 * per_note[int(len(per_note) * 0.95)], 2) if per_note else 0.0,
            "mentions": mentions,
        },
        "bare_tokenizer": {
            "notes_per_second": round(n / bare_s, 1) if bare_s else 0.0,
            "ms_per_note": round(1000 * bare_s / n, 2),
        },
        "ratio_pipeline_to_tokenizer": round(bare_s / full_s, 3) if full_s else 0.0,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def score_mentions(path: str | Path) -> dict[str, Any]:
    """Gold mention recall (overlap) and assertion accuracy / per-label P/R/F1 on an annotations JSONL file."""
    import json

    from cac.nlp import ASSERTIONS, analyze

    gold_total = found = correct = 0
    counts = {label: [0, 0, 0] for label in ASSERTIONS}  # tp, fp, fn
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        mentions = analyze(record["text"])._.mentions
        for g in record.get("mentions", []):
            gold_total += 1
            overlapping = [m for m in mentions if m.start < g["end"] and g["start"] < m.end]
            if not overlapping:
                continue
            found += 1
            best = max(overlapping, key=lambda m: min(m.end, g["end"]) - max(m.start, g["start"]))
            if best.assertion == g["assertion"]:
                correct += 1
                counts[g["assertion"]][0] += 1
            else:
                counts[best.assertion][1] += 1
                counts[g["assertion"]][2] += 1
    labels = {}
    for label, (tp, fp, fn) in counts.items():
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        labels[label] = {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3), "support": tp + fn}
    return {
        "gold_mentions": gold_total,
        "mention_recall": round(found / gold_total, 3) if gold_total else 0.0,
        "assertion_accuracy": round(correct / found, 3) if found else 0.0,
        "labels": labels,
    }


if __name__ == "__main__":  # pragma: no cover
    import json
    import sys

    if len(sys.argv) > 2 and sys.argv[1] == "--annotations":
        print(json.dumps(score_mentions(sys.argv[2]), indent=2))
        raise SystemExit(0)
    notes = read_mtsamples(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/mtsamples/mtsamples.csv.gz")
    if len(sys.argv) > 2:
        notes = notes[: int(sys.argv[2])]
    print(json.dumps(run_benchmark(notes), indent=2))
