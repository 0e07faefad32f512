"""Loading of the tab-separated data files under resources/ (read once, cached)."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent / "resources"


@cache
def read_rows(name: str) -> tuple[tuple[str, ...], ...]:
    """Rows of a resources TSV file, skipping blank lines and ``#`` comments."""
    rows = []
    for line in (RESOURCES / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        rows.append(tuple(part.strip() for part in line.split("\t")))
    return tuple(rows)


def resources_digest() -> str:
    """A hash of every resource file, to key on-disk caches."""
    h = hashlib.sha256()
    for path in sorted(RESOURCES.glob("*.tsv")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]
