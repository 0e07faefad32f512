"""``--report DIR``: a Markdown report with PNG plots (P/R against threshold, F1 per chapter, latency)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evaluation.chapters import chapter_of, chapter_ranges
from evaluation.metrics import Counts

Key = tuple[str, str]
THRESHOLDS = [round(i * 0.05, 2) for i in range(21)]


@dataclass
class ScoredDoc:
    """Gold codes and every ranked suggestion with its score, for threshold sweeps."""

    gold: set[Key]
    scored: list[tuple[Key, float]]


@dataclass
class ReportData:
    title: str
    command: str
    result: dict[str, Any]
    docs: list[ScoredDoc] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    threshold: float | None = None


def pr_curve(docs: Sequence[ScoredDoc], thresholds: Sequence[float] = THRESHOLDS) -> list[dict[str, float]]:
    """Micro precision, recall and F1 of the proposed set at each threshold."""
    out = []
    for t in thresholds:
        counts = Counts()
        for d in docs:
            counts.add({k for k, s in d.scored if s >= t}, d.gold)
        out.append({"threshold": t, **counts.prf()})
    return out


def chapter_f1(docs: Sequence[ScoredDoc], threshold: float) -> list[dict[str, Any]]:
    """Micro P/R/F1 per ICD-10-CM chapter at the threshold (chapters with gold or predictions only)."""
    per: dict[str, Counts] = {}
    for d in docs:
        proposed = {k for k, s in d.scored if s >= threshold and k[0] == "ICD-10-CM"}
        gold = {k for k in d.gold if k[0] == "ICD-10-CM"}
        for k in proposed | gold:
            ch = chapter_of(k[1]) or "?"
            c = per.setdefault(ch, Counts())
            c.tp += k in proposed and k in gold
            c.fp += k in proposed and k not in gold
            c.fn += k in gold and k not in proposed
    titles = {n: t for n, _, _, t in chapter_ranges()}
    order = [n for n, _, _, _ in chapter_ranges()] + ["?"]
    return [
        {"chapter": n, "title": titles.get(n, "outside every chapter"), "gold": per[n].tp + per[n].fn, **per[n].prf()}
        for n in order
        if n in per
    ]


def _fmt(v: Any) -> str:
    return f"{v:.3f}" if isinstance(v, float) else str(v)


def _flatten(prefix: str, value: Any, rows: list[tuple[str, str]]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            if not str(k).startswith("_"):
                _flatten(f"{prefix}.{k}" if prefix else str(k), v, rows)
    else:
        rows.append((prefix, _fmt(value)))


def write_report(out_dir: str | Path, data: ReportData) -> Path:
    """Write ``report.md`` and its PNGs into ``out_dir``; returns the report's path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    lines = [f"# {data.title}", "", f"Command: `{data.command}`", "", "| metric | value |", "|---|---|"]
    rows: list[tuple[str, str]] = []
    _flatten("", data.result, rows)
    lines += [f"| {k} | {v} |" for k, v in rows]

    if data.docs:
        curve = pr_curve(data.docs)
        fig, ax = plt.subplots(figsize=(6, 4))
        ax.plot([c["threshold"] for c in curve], [c["precision"] for c in curve], label="precision")
        ax.plot([c["threshold"] for c in curve], [c["recall"] for c in curve], label="recall")
        ax.plot([c["threshold"] for c in curve], [c["f1"] for c in curve], label="F1", linestyle="--")
        if data.threshold is not None:
            ax.axvline(data.threshold, color="grey", linewidth=0.8)
        ax.set_xlabel("threshold")
        ax.set_ylim(0, 1)
        ax.legend()
        ax.set_title("Precision and recall against threshold")
        fig.tight_layout()
        fig.savefig(out / "pr_threshold.png", dpi=100)
        plt.close(fig)
        lines += ["", "## Precision and recall against threshold", "", "![](pr_threshold.png)", ""]
        lines += ["| threshold | precision | recall | F1 |", "|---|---|---|---|"]
        lines += [f"| {c['threshold']:.2f} | {c['precision']:.3f} | {c['recall']:.3f} | {c['f1']:.3f} |" for c in curve]

        chapters = chapter_f1(data.docs, data.threshold if data.threshold is not None else 0.5)
        if chapters:
            fig, ax = plt.subplots(figsize=(7, 4))
            ax.bar([c["chapter"] for c in chapters], [c["f1"] for c in chapters])
            ax.set_xlabel("ICD-10-CM chapter")
            ax.set_ylabel("F1")
            ax.set_ylim(0, 1)
            ax.set_title("F1 per ICD-10-CM chapter")
            fig.tight_layout()
            fig.savefig(out / "f1_by_chapter.png", dpi=100)
            plt.close(fig)
            lines += ["", "## F1 per ICD-10-CM chapter", "", "![](f1_by_chapter.png)", ""]
            lines += ["| chapter | title | gold codes | precision | recall | F1 |", "|---|---|---|---|---|---|"]
            lines += [
                f"| {c['chapter']} | {c['title']} | {c['gold']} | "
                f"{c['precision']:.3f} | {c['recall']:.3f} | {c['f1']:.3f} |"
                for c in chapters
            ]

    if data.latencies_ms:
        fig, ax = plt.subplots(figsize=(6, 4))
        ax.hist(data.latencies_ms, bins=min(50, max(5, len(data.latencies_ms) // 5)))
        ax.set_xlabel("ms per item")
        ax.set_ylabel("count")
        ax.set_title("Latency")
        fig.tight_layout()
        fig.savefig(out / "latency.png", dpi=100)
        plt.close(fig)
        lines += ["", "## Latency", "", "![](latency.png)"]

    lines += ["", "## JSON", "", "```json", json.dumps(_public(data.result), indent=2), "```", ""]
    path = out / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _public(value: Any) -> Any:
    """The result without its private (underscore) keys."""
    if isinstance(value, dict):
        return {k: _public(v) for k, v in value.items() if not str(k).startswith("_")}
    return value
