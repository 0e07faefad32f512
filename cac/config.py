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
