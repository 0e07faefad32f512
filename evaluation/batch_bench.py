"""Batch throughput: notes/s for 1 and 2 local workers and Spark ``local[2]`` on the same MTSamples notes.

python -m evaluation.batch_bench [--data ../shared/data/mtsamples/mtsamples.csv.gz] [--notes 1000] [--out FILE]

Each configuration runs in a fresh process (cold engine, as a user's run) over the same JSONL input.
Reported per configuration: wall seconds and notes/s including start-up (engine loads, JVM); steady
notes/s (notes finished after the first result, over the time since); peak RSS of each coding process (its
own ``ru_maxrss``) and of every process of the tree over 100 MB (sampled with psutil every 0.25 s: parent,
workers, JVM); and whether every result equals the first configuration's.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

CONFIGS: dict[str, dict[str, Any]] = {
    "local-1": {"engine": "local", "workers": 1},
    "local-2": {"engine": "local", "workers": 2},
    "spark-local[2]": {"engine": "spark", "workers": 2, "spark_master": "local[2]"},
}


def read_notes(path: Path, n: int) -> list[dict[str, str]]:
    """The first ``n`` MTSamples notes with text, as batch input records."""
    out = []
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["transcription"].strip():
                out.append({"id": f"mts-{row['note_id']}", "text": row["transcription"]})
            if len(out) == n:
                break
    return out


class Clock:
    """A progress reporter that only records when each note finished."""

    def __init__(self) -> None:
        self.stamps: list[float] = []

    def start(self, total: int | None) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        self.stamps.extend([time.perf_counter()] * n)

    def stop(self) -> None:
        pass


class TreeSampler(threading.Thread):
    """Samples the RSS of this process and all its descendants every ``period`` seconds; keeps each pid's peak."""

    def __init__(self, period: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.period = period
        self.peaks: dict[int, tuple[str, float]] = {}
        self.halt = threading.Event()

    def run(self) -> None:
        import psutil

        me = psutil.Process()
        while not self.halt.is_set():
            for proc in [me, *me.children(recursive=True)]:
                try:
                    rss = proc.memory_info().rss / 2**20
                    name = proc.name()
                except psutil.Error:
                    continue
                prev = self.peaks.get(proc.pid, (name, 0.0))[1]
                self.peaks[proc.pid] = (name, max(prev, rss))
            self.halt.wait(self.period)


def run_one(name: str, source: Path, output: Path) -> dict[str, Any]:
    """One configuration, in this process (called in a fresh subprocess by ``main``)."""
    from cac.batch import BatchOptions, run_batch

    options = BatchOptions(**CONFIGS[name])
    clock = Clock()
    sampler = TreeSampler()
    sampler.start()
    t0 = time.perf_counter()
    summary = run_batch(source, output, options, progress=clock)
    wall = time.perf_counter() - t0
    sampler.halt.set()
    sampler.join()
    stamps = clock.stamps
    # Steady rate: notes finished after the first result came back, over the time since (Spark returns a chunk
    # of notes at once, so the notes of the first result are not counted).
    later = len(stamps) - stamps.count(stamps[0]) if stamps else 0
    steady = later / (stamps[-1] - stamps[0]) if later else 0.0
    tree = sorted(((n, round(r, 1)) for n, r in sampler.peaks.values() if r >= 100), key=lambda x: -x[1])
    return {
        "config": name,
        "coded": summary.coded,
        "failed": summary.failed,
        "wall_seconds": round(wall, 1),
        "notes_per_second": round(summary.coded / wall, 2) if wall else 0.0,
        "first_result_after_seconds": round(stamps[0] - t0, 1) if stamps else None,
        "steady_notes_per_second": round(steady, 2),
        "worker_peak_rss_mb": sorted((round(v, 1) for v in summary.worker_peak_rss_mb.values()), reverse=True),
        "process_tree_peak_rss_mb": [{"process": n, "peak_rss_mb": r} for n, r in tree],
    }


def _results(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        return {rec["id"]: rec["result"] for rec in map(json.loads, fh)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/data/mtsamples/mtsamples.csv.gz")
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--configs", default=",".join(CONFIGS), help="comma-separated: " + ", ".join(CONFIGS))
    parser.add_argument("--out", help="also write the JSON report here")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one, Path(args.input), Path(args.output))))
        return 0

    names = [c for c in args.configs.split(",") if c]
    report: dict[str, Any] = {
        "notes": args.notes,
        "data": args.data,
        "cpu_count": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "runs": [],
    }
    with tempfile.TemporaryDirectory(prefix="cac-batch-bench-") as tmp:
        src = Path(tmp) / "notes.jsonl"
        with src.open("w", encoding="utf-8") as fh:
            for rec in read_notes(Path(args.data), args.notes):
                fh.write(json.dumps(rec) + "\n")
        outputs = {}
        for name in names:
            if CONFIGS[name]["engine"] == "spark" and not _has_spark():
                report["runs"].append({"config": name, "skipped": "pyspark not installed (pip install 'cac[spark]')"})
                continue
            out = Path(tmp) / f"{name}.jsonl"
            cmd = [sys.executable, "-m", "evaluation.batch_bench", "--one", name, "--input", str(src)]
            proc = subprocess.run([*cmd, "--output", str(out)], capture_output=True, text=True)
            if proc.returncode != 0:
                report["runs"].append({"config": name, "error": proc.stderr[-1500:]})
                continue
            report["runs"].append(json.loads(proc.stdout.strip().splitlines()[-1]))
            outputs[name] = _results(out)
            print(json.dumps(report["runs"][-1]), file=sys.stderr)
        if outputs:
            first, *rest = outputs.values()
            report["results_identical_across_configs"] = all(r == first for r in rest)
    report["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    return 0


def _has_spark() -> bool:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    raise SystemExit(main())
