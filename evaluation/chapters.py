"""ICD-10-CM chapters by code range (resources/icd10cm_chapters.tsv)."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files


@lru_cache(maxsize=1)
def chapter_ranges() -> list[tuple[str, str, str, str]]:
    """(chapter number, first category, last category, title) in file order."""
    rows = []
    text = (files("evaluation") / "resources" / "icd10cm_chapters.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        number, first, last, title = line.split("\t")
        rows.append((number, first, last, title))
    return rows


def chapter_of(code: str) -> str | None:
    """The chapter number of an ICD-10-CM code ("E11.22" -> "4"), or None outside every range."""
    category = code.replace(".", "").upper()[:3]
    for number, first, last, _ in chapter_ranges():
        if first <= category <= last:
            return number
    return None
