"""CodiEsp-D/P (CLEF eHealth 2020) on the organisers' English translations.

Layout read: ``DIR/{split}/text_files_en/{doc}.txt`` and ``DIR/{split}/{split}{task}.tsv`` (doc TAB code).
Codes are normalised to cac's canonical form (upper case, ICD-10-CM dot). Metrics follow the official
evaluation (see ``evaluation.metrics.codiesp_map``): predicted codes not valid in our active release are
dropped before ranking, and codes match exactly. For task P, gold holds 4-character codes where the text
did not allow a full code; the official script compares strings exactly, so a 7-character prediction does
not match a 4-character gold code. The headline numbers keep that rule; the extra ``prefix_match`` block
also credits a 7-character prediction whose first 4 characters equal a 4-character gold code of the same
document (each gold code credited once).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluation.engines import SuggestEngine, warm_up
from evaluation.metrics import Counts, average_precision, codiesp_map, safe_div, strict_map
from evaluation.scoring import CodeCase, code_block
from evaluation.throughput import Stopwatch

TASK_SYSTEMS = {"D": "ICD-10-CM", "P": "ICD-10-PCS"}
SPLITS = ("train", "dev", "test")


@dataclass
class CodiEspDoc:
    id: str
    text: str
    gold_raw: list[str]


def normalise(system: str, code: str) -> str | None:
    from cac.codesets import InvalidCodeError, normalise_code

    try:
        return normalise_code(system, code)
    except InvalidCodeError:
        return None


def load_split(data_dir: str | Path, split: str, task: str, limit: int | None = None) -> list[CodiEspDoc]:
    """The split's documents in file-name order (the first ``limit`` of them) with their raw gold codes."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of: {', '.join(SPLITS)}")
    if task not in TASK_SYSTEMS:
        raise ValueError(f"unknown task {task!r}; expected D or P")
    root = Path(data_dir) / split
    text_dir = root / "text_files_en"
    gold_file = root / f"{split}{task}.tsv"
    if not text_dir.is_dir():
        raise FileNotFoundError(f"{text_dir}: no such folder (expected the CodiEsp layout DIR/{split}/text_files_en)")
    if not gold_file.is_file():
        raise FileNotFoundError(f"{gold_file}: no such file")
    gold: dict[str, list[str]] = {}
    with gold_file.open(encoding="utf-8") as fh:
        for row in csv.reader(fh, delimiter="\t"):
            if len(row) >= 2 and row[0].strip():
                gold.setdefault(row[0].strip(), []).append(row[1].strip())
    files = sorted(text_dir.glob("*.txt"))
    if limit is not None:
        files = files[:limit]
    return [CodiEspDoc(f.stem, f.read_text(encoding="utf-8"), gold.get(f.stem, [])) for f in files]


def write_submission(path: str | Path, ranked: dict[str, list[str]]) -> None:
    """Official submission format: ``doc TAB code`` per line, lower-case codes, best first within a document."""
    with Path(path).open("w", encoding="utf-8") as fh:
        for doc_id, codes in ranked.items():
            for code in codes:
                fh.write(f"{doc_id}\t{code.lower()}\n")


def _prefix_credit(ranked: list[str], gold: set[str]) -> list[str]:
    """Rewrite 7-character predictions to the 4-character gold code they extend (first occurrence only)."""
    short = {g for g in gold if len(g) == 4}
    out: list[str] = []
    for code in ranked:
        if code not in gold and len(code) == 7 and code[:4] in short:
            code = code[:4]
        if code not in out:
            out.append(code)
    return out


def evaluate_codiesp(
    engine: SuggestEngine,
    docs: Sequence[CodiEspDoc],
    task: str,
    is_valid: Callable[[str, str], bool],
    setting: str = "inpatient",
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """(section 4 JSON plus extras, ranked valid predictions per document)."""
    system = TASK_SYSTEMS[task]
    warm_up(engine, setting)
    watch = Stopwatch()
    gold: dict[str, set[str]] = {}
    ranked: dict[str, list[str]] = {}
    proposed: dict[str, set[str]] = {}
    scored: dict[str, list[tuple[str, float]]] = {}
    gold_total = gold_invalid = gold_short = gold_short_invalid = 0
    for doc, result in watch.run(docs, lambda d: engine.suggest(d.text, setting=setting)):
        doc_gold: set[str] = set()
        for raw in doc.gold_raw:
            norm = normalise(system, raw)
            gold_total += 1
            invalid = norm is None or not is_valid(system, norm)
            gold_invalid += invalid
            if task == "P" and norm is not None and len(norm) < 7:
                gold_short += 1
                gold_short_invalid += invalid
            if norm is not None:
                doc_gold.add(norm)
        gold[doc.id] = doc_gold
        threshold = float(result.get("threshold", 0.5))
        doc_ranked: list[str] = []
        doc_proposed: set[str] = set()
        doc_scored: list[tuple[str, float]] = []
        for s in result.get("suggestions", []):
            if s.get("system") != system:
                continue
            code = normalise(system, s["code"])
            if code is None or not is_valid(system, code) or code in doc_ranked:
                continue
            doc_ranked.append(code)
            doc_scored.append((code, float(s["score"])))
            if float(s["score"]) >= threshold:
                doc_proposed.add(code)
        ranked[doc.id] = doc_ranked
        proposed[doc.id] = doc_proposed
        scored[doc.id] = doc_scored

    cases = [
        CodeCase(
            d, {(system, c) for c in gold[d]}, [(system, c) for c in ranked[d]], {(system, c) for c in proposed[d]}
        )
        for d in ranked
    ]
    block = code_block(cases)
    out: dict[str, Any] = {
        "documents": len(docs),
        "task": task,
        "system": system,
        "map": block["map"],
        "precision": block["precision"],
        "recall": block["recall"],
        "f1": block["f1"],
        "gold_codes_invalid_share": safe_div(gold_invalid, gold_total),
        "gold_codes": gold_total,
        "gold_codes_invalid": gold_invalid,
        "documents_with_gold": sum(1 for g in gold.values() if g),
        "documents_with_predictions": sum(1 for r in ranked.values() if r),
    }
    for key in ("map_all_documents", "precision_at_5", "recall_at_10", "recall_at_15", "tp", "fp", "fn"):
        out[key] = block[key]
    if task == "P":
        # 4-character gold codes are not codes of any PCS release; the share among full codes is the telling one
        out["gold_codes_partial"] = gold_short
        out["gold_codes_invalid_share_full_length"] = safe_div(
            gold_invalid - gold_short_invalid, gold_total - gold_short
        )
        pre_ranked = {d: _prefix_credit(ranked[d], gold[d]) for d in ranked}
        counts = Counts()
        for d in ranked:
            counts.add(set(_prefix_credit(sorted(proposed[d], key=ranked[d].index), gold[d])), gold[d])
        out["prefix_match"] = {
            "map": codiesp_map(pre_ranked, gold),
            "map_all_documents": strict_map(pre_ranked, gold),
            **counts.prf(),
        }
    out["throughput"] = watch.summary()
    out["_latencies_ms"] = watch.latencies_ms
    out["_scored"] = scored
    out["_gold"] = gold
    out["_per_document_ap"] = {d: average_precision(ranked[d], gold[d]) for d in ranked if gold[d]}
    return out, ranked
