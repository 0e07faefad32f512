"""Latency benchmark of the code-set store: cold start, warm ``get`` and ``search``."""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import time
from typing import Any

from cac.codesets.search import words
from cac.codesets.store import CodeSetStore
from cac.codesets.systems import ICD10CM

_COLD_START = (
    "import time; t=time.perf_counter(); from cac.codesets import open_store; s=open_store(); "
    "s.get('ICD-10-CM','E11.22'); s.search('type 2 diabetes with chronic kidney disease'); "
    "print(time.perf_counter()-t)"
)


def _percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    return {
        "p50_ms": round(statistics.median(ordered), 3),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 3),
        "max_ms": round(ordered[-1], 3),
        "n": len(ordered),
    }


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def make_queries(store: CodeSetStore, n: int, seed: int = 7) -> list[str]:
    """Realistic queries from the store itself: title fragments, index terms, some with a typo."""
    rng = random.Random(seed)
    titles = [title for _code, title, _b in store.codes(ICD10CM)]
    index_terms = [text for text, _code, source in store.terms(ICD10CM) if source == "index"]
    queries = []
    for i in range(n):
        pool = index_terms if index_terms and i % 3 == 0 else titles
        tokens = words(rng.choice(pool))
        if not tokens:
            continue
        start = rng.randrange(0, max(1, len(tokens) - 2))
        chunk = tokens[start : start + rng.randint(1, 6)]
        if i % 5 == 0:
            chunk = [_typo(w, rng) for w in chunk]
        queries.append(" ".join(chunk))
    return queries


def run_benchmark(store: CodeSetStore, n_queries: int = 1000, cold_runs: int = 3) -> dict[str, Any]:
    """Measure and return the figures; everything in milliseconds."""
    cold = []
    for _ in range(cold_runs):
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", _COLD_START], capture_output=True, text=True, check=True)
        cold.append({"process_ms": (time.perf_counter() - t0) * 1000, "in_process_ms": float(out.stdout) * 1000})
    rng = random.Random(11)
    codes = [code for code, _t, _b in store.codes(ICD10CM)]
    sample = [rng.choice(codes) for _ in range(n_queries)]
    show_ms = []
    for code in sample:
        t0 = time.perf_counter()
        store.get(ICD10CM, code)
        show_ms.append((time.perf_counter() - t0) * 1000)
    queries = make_queries(store, n_queries)
    store.search("warm up")
    search_ms = []
    for query in queries:
        t0 = time.perf_counter()
        store.search(query, limit=10)
        search_ms.append((time.perf_counter() - t0) * 1000)
    return {
        "cold_start": {
            "process_ms_median": round(statistics.median(c["process_ms"] for c in cold), 1),
            "open_first_show_search_ms_median": round(statistics.median(c["in_process_ms"] for c in cold), 1),
        },
        "show": _percentiles(show_ms),
        "search": _percentiles(search_ms),
        "releases": {r.system: r.release for r in store.releases() if r.active},
    }
