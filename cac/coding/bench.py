"""Latency and memory of ``engine.suggest`` on real notes, warm, one process."""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Sequence
from typing import Any


def run_benchmark(notes: Sequence[str], setting: str = "outpatient") -> dict[str, Any]:
    """Per-note wall time after one untimed warm-up call; peak RSS of the process in MB."""
    import cac

    t0 = time.perf_counter()
    engine = cac.load()
    if notes:
        engine.suggest(notes[0], setting=setting)
    load_s = time.perf_counter() - t0
    times = []
    for text in notes:
        t = time.perf_counter()
        engine.suggest(text, setting=setting)
        times.append((time.perf_counter() - t) * 1000)
    ordered = sorted(times) or [0.0]
    return {
        "notes": len(times),
        "load_and_first_note_s": round(load_s, 2),
        "notes_per_second": round(len(times) / (sum(times) / 1000), 2) if times else 0.0,
        "ms_per_note_p50": round(statistics.median(ordered), 1),
        "ms_per_note_p95": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
