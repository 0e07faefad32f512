"""Run the engine (hand-set scores, reranker off) over a corpus once, caching each result to JSONL."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def cached_results(
    name: str, items: Iterable[tuple[str, str, str, str | None]], cache_dir: Path, engine: Any = None
) -> dict[str, dict[str, Any]]:
    """{doc id: engine result} for (id, text, setting, note_type) items; resumes from ``cache_dir/name.jsonl``.

    A cached result is reused only for the same text, setting and note type (its ``key``); delete the
    cache folder after changing the engine.
    """
    os.environ["CAC_RERANKER"] = "0"  # the features and the baseline are the hand-set scores
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"{name}.jsonl"
    items = list(items)
    keys = {doc_id: _key(text, setting, note_type) for doc_id, text, setting, note_type in items}
    done: dict[str, dict[str, Any]] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                if keys.get(rec["id"]) == rec.get("key"):
                    done[rec["id"]] = rec["result"]
    todo = [it for it in items if it[0] not in done]
    if todo:
        if engine is None:
            import cac

            engine = cac.load()
        start = time.time()
        with path.open("a", encoding="utf-8") as fh:
            for i, (doc_id, text, setting, note_type) in enumerate(todo, 1):
                result = engine.suggest(text, setting=setting, note_type=note_type)
                result["setting"] = setting
                result["note_type"] = note_type
                done[doc_id] = result
                fh.write(json.dumps({"id": doc_id, "key": keys[doc_id], "result": result}) + "\n")
                fh.flush()
                if i % 50 == 0:
                    print(f"{name}: {i}/{len(todo)} ({time.time() - start:.0f}s)", file=sys.stderr, flush=True)
    return {doc_id: done[doc_id] for doc_id in keys}


def _key(text: str, setting: str, note_type: str | None) -> str:
    return hashlib.sha256(f"{setting}\t{note_type}\t{text}".encode()).hexdigest()[:16]
