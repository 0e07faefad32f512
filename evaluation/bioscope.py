"""BioScope clinical records: sentence-level negation and speculation cue detection."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluation.metrics import binary_prf
from evaluation.throughput import Stopwatch

DetectCues = Callable[[str], Sequence[Any]]  # sentence -> cues with .kind in {"negation", "speculation"}
KINDS = ("negation", "speculation")


@dataclass
class BioScopeSentence:
    id: str
    text: str
    cue_kinds: frozenset[str]


def load_sentences(path: str | Path) -> list[BioScopeSentence]:
    """Every ``<sentence>`` with its text (whitespace collapsed) and the kinds of ``<cue>`` inside it."""
    root = ET.parse(str(path)).getroot()
    out: list[BioScopeSentence] = []
    for s in root.iter("sentence"):
        text = " ".join("".join(s.itertext()).split())
        kinds = frozenset(c.get("type", "") for c in s.iter("cue"))
        out.append(BioScopeSentence(s.get("id", ""), text, kinds))
    return out


def default_detect_cues() -> DetectCues:
    from cac.nlp import detect_cues

    return detect_cues


def evaluate_bioscope(sentences: Sequence[BioScopeSentence], detect_cues: DetectCues | None = None) -> dict[str, Any]:
    """Section 4 JSON: per kind, P/R/F1 of "the sentence carries a cue of this kind"."""
    detect = detect_cues or default_detect_cues()
    watch = Stopwatch()
    decisions: dict[str, list[tuple[bool, bool]]] = {k: [] for k in KINDS}
    for sentence, cues in watch.run(sentences, lambda s: detect(s.text)):
        found = {c.kind for c in cues}
        for kind in KINDS:
            decisions[kind].append((kind in sentence.cue_kinds, kind in found))
    out: dict[str, Any] = {"sentences": len(sentences)}
    for kind in KINDS:
        out[kind] = binary_prf(decisions[kind])
        out[kind]["support"] = sum(1 for g, _ in decisions[kind] if g)
    out["throughput"] = watch.summary()
    out["_latencies_ms"] = watch.latencies_ms
    return out
