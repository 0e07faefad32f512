"""The fixed list of reasons for rejecting a suggestion (``resources/reject_reasons.yaml``), loaded once."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

import yaml


@lru_cache(maxsize=1)
def reject_reasons() -> dict[str, str]:
    """Reason key -> description, in file order."""
    text = (files("cac.service") / "resources" / "reject_reasons.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return {str(k): str(v) for k, v in data.items()}
