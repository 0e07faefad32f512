"""Stock vs fine-tuned encoder on dev data (never the test splits).

Intrinsic retrieval: each query is the evidence text of a gold ICD-10-CM code (team dev: the code's evidence
spans; CodiEsp dev: the CodiEsp-X span located in the English translation, see common.py) and is ranked
against candidate code titles by cosine similarity, through ``cac.coding.encoder.Encoder`` exactly as the
engine calls it:

- ``search``: the engine's view, ``store.search(text, ICD-10-CM, limit=10)`` hits plus the gold code;
- ``category``: harder, the billable codes of the gold code's 3-character category (at most ``--category-cap``,
  the gold always kept) plus the search hits.

    python models/encoder/evaluate.py intrinsic --model stock --annotations annotations/dev.jsonl \\
        --codiesp ../shared/data/codiesp --json-out stock.json
    python models/encoder/evaluate.py intrinsic --model $CAC_HOME/models/minilm-cac ...

End to end: ``cac evaluate annotations`` (and optionally ``cac evaluate codiesp --split dev``) with
``CAC_DENSE=0``, ``CAC_DENSE=1`` on the stock model, and ``CAC_DENSE=1`` with ``CAC_ENCODER_PATH``:

    python models/encoder/evaluate.py end-to-end --model $CAC_HOME/models/minilm-cac --annotations ... [--codiesp DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import code_titles, codiesp_pairs, dedupe  # noqa: E402

from cac.codesets import ICD10CM, CodeSetStore  # noqa: E402

Query = tuple[str, str]  # (text, gold code)


def team_queries(path: Path) -> list[Query]:
    out: list[Query] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        doc = json.loads(line)
        for gold in doc.get("codes", []):
            if gold.get("system") != ICD10CM or not gold.get("evidence"):
                continue
            parts: list[str] = []
            for start, end in gold["evidence"]:
                piece = " ".join(doc["text"][start:end].split())
                if piece and piece not in parts:
                    parts.append(piece)
            if parts:
                out.append((" ".join(parts), gold["code"]))
    return out


def codiesp_queries(data: Path, titles: dict[str, str], limit: int, seed: int) -> tuple[list[Query], dict[str, int]]:
    stats: dict[str, int] = {}
    pairs = dedupe(p for _, p in codiesp_pairs(data, "dev", titles, stats))
    random.Random(seed).shuffle(pairs)
    return [(p.text, p.code) for p in pairs[:limit]], stats


def candidate_sets(
    store: CodeSetStore, queries: list[Query], titles: dict[str, str], cap: int
) -> tuple[list[list[str]], list[list[str]], float]:
    """Per query: search candidates (+gold), category candidates (+gold), share of golds among search hits."""
    search_sets, category_sets, found = [], [], 0
    for text, gold in queries:
        hits = [h.code for h in store.search(text, system=ICD10CM, limit=10) if h.code in titles]
        found += gold in hits
        search_sets.append(list(dict.fromkeys([*hits, gold])))
        siblings = [c for c in store.billable_descendants(ICD10CM, gold[:3]) if c in titles and c != gold]
        random.Random(gold).shuffle(siblings)
        category_sets.append(list(dict.fromkeys([gold, *siblings[: max(0, cap - 1)], *hits])))
    return search_sets, category_sets, found / max(1, len(queries))


def rank_metrics(encoder: Any, queries: list[Query], sets: list[list[str]], titles: dict[str, str]) -> dict[str, Any]:
    import numpy as np

    unique_titles = sorted({titles[c] for s in sets for c in s})
    vectors = dict(zip(unique_titles, encoder.encode_cached(unique_titles), strict=True))
    qvecs = encoder.encode([q for q, _ in queries])
    top1 = rr = 0.0
    sizes = []
    for (_, gold), qv, cands in zip(queries, qvecs, sets, strict=True):
        sims = np.array([float(vectors[titles[c]] @ qv) for c in cands])
        gold_sim = sims[cands.index(gold)]
        # Ties count against the gold code: rank = 1 + candidates scoring at least as high, other than itself.
        rank = 1 + int((sims >= gold_sim).sum()) - 1
        top1 += rank == 1
        rr += 1.0 / rank
        sizes.append(len(cands))
    n = max(1, len(queries))
    return {
        "queries": len(queries),
        "accuracy_at_1": round(top1 / n, 4),
        "mrr": round(rr / n, 4),
        "mean_candidates": round(float(np.mean(sizes)) if sizes else 0.0, 1),
    }


def intrinsic(args: argparse.Namespace) -> dict[str, Any]:
    import torch

    from cac.codesets import open_store
    from cac.coding.encoder import Encoder

    torch.set_num_threads(args.threads)
    store = open_store()
    titles = code_titles(store)
    encoder = Encoder(model_path=None if args.model == "stock" else Path(args.model))
    result: dict[str, Any] = {"model": args.model, "model_id": encoder.model_id}
    sources: dict[str, list[Query]] = {}
    if args.annotations:
        sources["team_dev"] = team_queries(args.annotations)
    if args.codiesp:
        sources["codiesp_dev"], stats = codiesp_queries(args.codiesp, titles, args.codiesp_limit, args.seed)
        result["codiesp_dev_spans"] = stats
    started = time.monotonic()
    for name, queries in sources.items():
        search_sets, category_sets, recall = candidate_sets(store, queries, titles, args.category_cap)
        result[name] = {
            "gold_in_search_top10": round(recall, 4),
            "search": rank_metrics(encoder, queries, search_sets, titles),
            "category": rank_metrics(encoder, queries, category_sets, titles),
        }
        print(f"{name}: {json.dumps(result[name])}", flush=True)
    result["seconds"] = round(time.monotonic() - started, 1)
    return result


def _run_cac(cmd: list[str], env: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
    return dict(json.loads(out))


def _icd(block: dict[str, Any]) -> dict[str, Any]:
    cm = block["codes"]["by_system"][ICD10CM] if "codes" in block else block
    return {k: round(float(cm[k]), 4) for k in ("precision", "recall", "f1", "map", "recall_at_15") if k in cm}


def end_to_end(args: argparse.Namespace) -> dict[str, Any]:
    cac = str(Path(sys.executable).with_name("cac"))
    runs = {"dense_off": ("0", None), "dense_stock": ("1", None), "dense_finetuned": ("1", args.model)}
    result: dict[str, Any] = {}
    for name, (dense, model) in runs.items():
        env = {k: v for k, v in os.environ.items() if k != "CAC_ENCODER_PATH"}
        env["CAC_DENSE"] = dense
        if model:
            env["CAC_ENCODER_PATH"] = str(model)
        row: dict[str, Any] = {}
        if args.annotations:
            cmd = [cac, "evaluate", "annotations", str(args.annotations), "--engine", "cac", "--json"]
            row["team_dev"] = _icd(_run_cac(cmd, env))
        if args.codiesp:
            cmd = [cac, "evaluate", "codiesp", "--data", str(args.codiesp), "--split", "dev", "--task", "D"]
            cmd += ["--engine", "cac", "--json"] + (["--limit", str(args.codiesp_limit)] if args.codiesp_limit else [])
            full = _run_cac(cmd, env)
            row["codiesp_dev"] = {k: round(float(full[k]), 4) for k in ("map", "precision", "recall", "f1")}
        result[name] = row
        print(f"{name}: {json.dumps(row)}", flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    for name in ("intrinsic", "end-to-end"):
        p = sub.add_parser(name)
        p.add_argument("--model", required=True, help="'stock' or a fine-tuned folder")
        p.add_argument("--annotations", type=Path, default=None, help="team dev JSONL (never the test set)")
        p.add_argument("--codiesp", type=Path, default=None, help="CodiEsp folder; only dev is read")
        p.add_argument("--json-out", type=Path, default=None)
        if name == "intrinsic":
            p.add_argument("--codiesp-limit", type=int, default=500, help="CodiEsp dev queries (seeded sample)")
            p.add_argument("--category-cap", type=int, default=40)
            p.add_argument("--seed", type=int, default=13)
            p.add_argument("--threads", type=int, default=1)
        else:
            p.add_argument("--codiesp-limit", type=int, default=None, help="first N CodiEsp dev documents")
    args = ap.parse_args(argv)
    if args.annotations is not None and "test" in args.annotations.name:
        ap.error("evaluate on dev only; the test set is for final reporting")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    result = intrinsic(args) if args.command == "intrinsic" else end_to_end(args)
    text = json.dumps(result, indent=2)
    if args.json_out:
        args.json_out.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
