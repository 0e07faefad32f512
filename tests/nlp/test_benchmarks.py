"""Public benchmark checks (NegEx, BioScope); skipped when ../shared/data is absent."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from cac.nlp import assert_target, detect_cues

SHARED = (Path(__file__).resolve().parents[2] / ".." / "shared" / "data").resolve()


def _data(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not present")
    return path


def _target(sentence: str, condition: str) -> tuple[int, int]:
    cond = condition.strip()
    i = sentence.find(cond.upper())  # the file upper-cases the annotated occurrence
    if i < 0:
        i = sentence.lower().find(cond.lower())
    return (i, i + len(cond)) if i >= 0 else (0, len(sentence))


@pytest.mark.shared_data
def test_negex_negation_f1() -> None:
    path = _data("negex", "rsAnnotations-1-120-random.txt")
    tp = fp = fn = 0
    rows = [line.rstrip("\n").split("\t") for line in path.read_text(encoding="utf-8").splitlines()[1:]]
    assert len(rows) == 2376
    for row in rows:
        start, end = _target(row[2], row[1])
        pred = assert_target(row[2], start, end).label == "negated"
        gold = row[3] == "Negated"
        tp += pred and gold
        fp += pred and not gold
        fn += gold and not pred
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= 0.96, (precision, recall, f1)


@pytest.mark.shared_data
def test_bioscope_sentence_level_cues() -> None:
    path = _data("bioscope", "clinical_records_merged.xml")
    counts = {"negation": [0, 0, 0], "speculation": [0, 0, 0]}
    for sent in ET.parse(path).getroot().iter("sentence"):
        text = " ".join("".join(sent.itertext()).split())
        gold = {cue.get("type") for cue in sent.iter("cue")}
        pred = {c.kind for c in detect_cues(text)}
        for kind, c in counts.items():
            c[0] += kind in gold and kind in pred
            c[1] += kind in pred and kind not in gold
            c[2] += kind in gold and kind not in pred
    f1 = {k: 2 * tp / (2 * tp + fp + fn) for k, (tp, fp, fn) in counts.items()}
    assert f1["negation"] >= 0.93 and f1["speculation"] >= 0.85, f1
