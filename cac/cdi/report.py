"""The plain functions the CLI and the API call: a CDI report for a note, pre-bill edits for a code set."""

from __future__ import annotations

from typing import Any

from cac.cdi.claim import ClaimCode, from_result, parse_items
from cac.cdi.common import ICD, proposed
from cac.cdi.edits import run_edits
from cac.cdi.gaps import find_gaps, gap_for
from cac.cdi.hcc import hcc_flags, meat
from cac.cdi.ncci import NcciTables, open_ncci
from cac.cdi.queries import build_queries
from cac.cdi.types import Edit
from cac.codesets import CodeSetStore, open_store


def documented_detail_edits(
    items: list[ClaimCode], text: str, store: CodeSetStore, suggestions: dict[str, dict[str, Any]]
) -> list[Edit]:
    """Unspecified (or non-billable) diagnosis codes whose missing detail the note states (``CKD stage 4``)."""
    out = []
    for item in items:
        if item.system != ICD:
            continue
        suggestion = suggestions.get(item.code, {"code": item.code, "evidence": []})
        gap = gap_for(suggestion, text, store)
        if gap is None or gap.reason == "indicators" or not gap.documented:
            continue
        stated = "; ".join(f'{a} "{sp.text}" at {sp.start}' for a, _v, sp in gap.documented[:3])
        message = f"{item.code} is {gap.reason.replace('_', ' ')} while the note documents {stated}"
        out.append(Edit("unspecified_documented", (item.code,), message, "warning"))
    return out


def cdi_from_result(text: str, result: dict[str, Any], store: CodeSetStore | None = None) -> dict[str, Any]:
    """Gaps, queries, HCC flags and MEAT for a note and its engine result (``Engine.suggest`` output)."""
    store = store or open_store()
    gaps = find_gaps(result, text, store)
    return {
        "gaps": [g.to_dict() for g in gaps],
        "queries": [q.to_dict() for q in build_queries(gaps)],
        "hcc": [f.to_dict() for f in hcc_flags(result, store)],
        "meat": [m.to_dict() for m in meat(result, text, store)],
    }


def cdi_report(
    text: str, setting: str = "outpatient", note_type: str | None = None, engine: Any = None
) -> dict[str, Any]:
    """Code the note with the engine (``cac.coding.load()`` unless given), then the CDI report; the engine's
    proposed codes are included under ``codes``. Raises the engine's InvalidRequestError on a bad request."""
    if engine is None:
        from cac.coding import load

        engine = load()
    result = engine.suggest(text, setting=setting, note_type=note_type)
    report = cdi_from_result(text, result, engine.store)
    threshold = result["threshold"]
    report["codes"] = [
        {"system": s["system"], "code": s["code"], "title": s["title"], "score": s["score"]}
        for s in result["suggestions"]
        if s["score"] >= threshold
    ]
    return report


def prebill_edits(
    codes: list[str] | list[dict[str, Any]] | dict[str, Any],
    age: int | None = None,
    sex: str | None = None,
    store: CodeSetStore | None = None,
    ncci: NcciTables | None | bool = True,
    text: str | None = None,
) -> dict[str, Any]:
    """Pre-bill edits of a finalised code set, in claim order.

    ``codes``: strings (``"E11.22"``, ``"CPT:45380"``, ``"45380=K63.5"`` with linked diagnoses, ``"J1100*3"`` with
    units), dicts ``{"system", "code", "links"?, "units"?, "modifiers"?}``, or a ``cac suggest`` result.
    ``ncci``: tables to use, True for the imported ones when present, False/None for none.
    ``text``: the note; when given, an unspecified code whose missing detail the note states is flagged.
    Raises ValueError for a malformed code.
    """
    store = store or open_store()
    items = from_result(codes, store) if isinstance(codes, dict) else parse_items(codes, store)
    tables = open_ncci() if ncci is True else (ncci or None)
    edits = run_edits(items, store, age=age, sex=sex, ncci=tables)
    if text is not None:
        evidence = {s["code"]: s for s in proposed(codes)} if isinstance(codes, dict) else {}
        edits += documented_detail_edits(items, text, store, evidence)
    edits.sort(key=lambda e: e.severity != "error")
    return {
        "codes": [i.to_dict() for i in items],
        "edits": [e.to_dict() for e in edits],
        "ncci": tables is not None,
        "clean": not any(e.severity == "error" for e in edits),
    }
