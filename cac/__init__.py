"""cac: an open-source computer-aided coding engine for clinical notes.

import cac
engine = cac.load()
result = engine.suggest(text, setting="outpatient")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from cac.coding.engine import Engine


def load(**kwargs: Any) -> Engine:
    """The coding engine, loaded once per process (code sets, NLP pipeline)."""
    from cac.coding.engine import load as _load

    return _load(**kwargs)


__all__ = ["__version__", "load"]
