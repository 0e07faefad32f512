"""Timing an engine over notes: notes per second, per-note latency percentiles, peak resident memory."""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from evaluation.metrics import percentile

T = TypeVar("T")


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (includes loading the engine)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


@dataclass
class Stopwatch:
    """Per-call latencies in milliseconds and the wall time over all calls."""

    latencies_ms: list[float] = field(default_factory=list)
    wall_s: float = 0.0

    def run(self, items: Iterable[T], call: Callable[[T], Any]) -> Iterator[tuple[T, Any]]:
        for item in items:
            t0 = time.perf_counter()
            result = call(item)
            dt = time.perf_counter() - t0
            self.latencies_ms.append(dt * 1000)
            self.wall_s += dt
            yield item, result

    def summary(self) -> dict[str, float]:
        n = len(self.latencies_ms)
        return {
            "notes_per_second": n / self.wall_s if self.wall_s else 0.0,
            "ms_per_note_p50": percentile(self.latencies_ms, 50),
            "ms_per_note_p95": percentile(self.latencies_ms, 95),
            "peak_rss_mb": peak_rss_mb(),
        }
