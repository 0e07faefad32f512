"""Scoring engine results against gold documents: the code, evidence and assertion blocks of section 3."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from evaluation.annotations import SYSTEMS, Document
from evaluation.metrics import (
    Counts,
    LabelledSpan,
    assertion_metrics,
    codiesp_map,
    evidence_prf,
    macro_f1,
    match_mentions,
    mean_over_documents,
    precision_at_k,
    recall_at_k,
    strict_map,
)

Key = tuple[str, str]  # (system, code)


@dataclass
class CodeCase:
    """One document's gold and predicted codes: the ranked list, the proposed set and evidence per code."""

    doc_id: str
    gold: set[Key]
    ranked: list[Key]
    proposed: set[Key]
    predicted_evidence: dict[Key, list[tuple[int, int]]] = field(default_factory=dict)
    gold_evidence: dict[Key, list[tuple[int, int]]] = field(default_factory=dict)


def case_from_result(doc_id: str, gold: dict[Key, list[tuple[int, int]]], result: dict[str, Any]) -> CodeCase:
    """Read the engine's suggestions (section 2) into a CodeCase; codes are compared as the engine wrote them."""
    threshold = float(result.get("threshold", 0.5))
    ranked: list[Key] = []
    proposed: set[Key] = set()
    evidence: dict[Key, list[tuple[int, int]]] = {}
    for s in result.get("suggestions", []):
        key = (s["system"], s["code"])
        if key not in evidence:
            ranked.append(key)
            evidence[key] = []
        evidence[key].extend((int(e["start"]), int(e["end"])) for e in s.get("evidence", []))
        if float(s["score"]) >= threshold:
            proposed.add(key)
    return CodeCase(doc_id, set(gold), ranked, proposed, evidence, gold)


def _restrict(cases: Sequence[CodeCase], system: str) -> list[CodeCase]:
    return [
        CodeCase(
            c.doc_id,
            {k for k in c.gold if k[0] == system},
            [k for k in c.ranked if k[0] == system],
            {k for k in c.proposed if k[0] == system},
        )
        for c in cases
    ]


def code_block(cases: Sequence[CodeCase]) -> dict[str, float]:
    """Micro P/R/F1 at threshold, CodiEsp MAP (plus the strict variant), P@5, R@10, R@15.

    Ranked metrics are averaged over documents that have gold codes (as trec_eval averages over judged
    topics); a document with gold but no ranked codes scores 0 on them.
    """
    counts = Counts()
    for c in cases:
        counts.add(c.proposed, c.gold)
    judged = [c for c in cases if c.gold]
    ranked = {c.doc_id: c.ranked for c in cases}
    gold = {c.doc_id: c.gold for c in cases}
    out: dict[str, float] = dict(counts.prf())
    out["map"] = codiesp_map(ranked, gold)
    out["map_all_documents"] = strict_map(ranked, gold)
    out["precision_at_5"] = mean_over_documents(precision_at_k(c.ranked, c.gold, 5) for c in judged)
    out["recall_at_10"] = mean_over_documents(recall_at_k(c.ranked, c.gold, 10) for c in judged)
    out["recall_at_15"] = mean_over_documents(recall_at_k(c.ranked, c.gold, 15) for c in judged)
    out.update(tp=counts.tp, fp=counts.fp, fn=counts.fn)
    return out


def codes_section(cases: Sequence[CodeCase]) -> dict[str, Any]:
    return {
        "all": code_block(cases),
        "by_system": {system: code_block(_restrict(cases, system)) for system in SYSTEMS},
        "macro_f1": macro_f1([c.proposed for c in cases], [c.gold for c in cases]),
    }


def evidence_section(cases: Sequence[CodeCase]) -> dict[str, float]:
    """Span overlap over true-positive codes that have gold evidence."""
    pairs = []
    for c in cases:
        for key in c.proposed & c.gold:
            gold_spans = c.gold_evidence.get(key) or []
            if gold_spans:
                pairs.append((c.predicted_evidence.get(key, []), gold_spans))
    out = evidence_prf(pairs)
    out["codes_scored"] = len(pairs)
    return out


def assertion_section(docs: Sequence[Document], results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    pairs = []
    for doc, result in zip(docs, results, strict=True):
        gold = [LabelledSpan(m.start, m.end, m.assertion) for m in doc.mentions]
        predicted = [LabelledSpan(int(m["start"]), int(m["end"]), m["assertion"]) for m in result.get("mentions", [])]
        pairs.extend(match_mentions(predicted, gold))
    out = assertion_metrics(pairs)
    out["gold_mentions"] = len(pairs)
    return out


def gold_codes(doc: Document) -> dict[Key, list[tuple[int, int]]]:
    out: dict[Key, list[tuple[int, int]]] = {}
    for g in doc.codes:
        out.setdefault((g.system, g.code), []).extend(g.evidence)
    return out


def score_documents(docs: Sequence[Document], results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The ``codes``, ``evidence`` and ``assertion`` blocks of interfaces.md section 3."""
    cases = [case_from_result(d.id, gold_codes(d), r) for d, r in zip(docs, results, strict=True)]
    return {
        "codes": codes_section(cases),
        "evidence": evidence_section(cases),
        "assertion": assertion_section(docs, results),
    }
