"""ICD-10-CM tabular list (FY2026) from the ``simple-icd-10-cm`` package."""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib.metadata import version
from typing import Any

from cac.codesets.model import CodeRecord

RELEASE = "2026"
_CATEGORY = re.compile(r"^[A-Z][0-9A-Z][0-9A-Z](\.[0-9A-Z]{1,4})?$")


def source_name() -> str:
    return f"simple-icd-10-cm {version('simple-icd-10-cm')} (FY2026 tabular)"


def _notes(cm: Any, code: str) -> list[tuple[str, str]]:
    notes: list[tuple[str, str]] = []
    for kind, getter in (
        ("inclusion_term", cm.get_inclusion_term),
        ("includes", cm.get_includes),
        ("excludes1", cm.get_excludes1),
        ("excludes2", cm.get_excludes2),
    ):
        notes.extend((kind, text) for text in getter(code) or [])
    for kind, getter in (
        ("code_first", cm.get_code_first),
        ("use_additional_code", cm.get_use_additional_code),
        ("code_also", cm.get_code_also),
        ("notes", cm.get_notes),
        ("seven_chr_note", cm.get_seven_chr_note),
    ):
        text = (getter(code) or "").strip()
        if text:
            notes.append((kind, text))
    for char, meaning in (cm.get_seven_chr_def(code) or {}).items():
        notes.append(("seven_chr_def", f"{char}: {meaning}"))
    return notes


def records() -> Iterator[CodeRecord]:
    """Every block, category and code of the tabular with its notes; chapters become a field."""
    import simple_icd_10_cm as cm

    chapter_titles: dict[str, str] = {}
    seen: set[str] = set()
    for item in cm.get_all_codes(with_dots=True):
        if cm.is_chapter(item):
            chapter_titles[item] = cm.get_description(item)
            continue
        is_code = bool(_CATEGORY.match(item))
        if is_code and cm.is_block(item) and not cm.is_category(item):
            continue
        if item in seen:
            continue
        seen.add(item)
        ancestors = cm.get_ancestors(item)
        chapter_no = ancestors[-1] if ancestors else item
        blocks = [a for a in ancestors if cm.is_block(a) and "-" in a]
        parent = cm.get_parent(item) or None
        if parent == item or (parent and cm.is_chapter(parent)):
            parent = blocks[0] if blocks and blocks[0] != item else None
        chapter = f"{chapter_no}: {chapter_titles.get(chapter_no) or cm.get_description(chapter_no)}"
        yield CodeRecord(
            code=item,
            title=cm.get_description(item),
            billable=bool(is_code and cm.is_leaf(item)),
            parent=parent,
            kind="block" if not is_code else ("category" if len(item) == 3 else "code"),
            chapter=chapter,
            block=blocks[0] if blocks else None,
            notes=_notes(cm, item),
        )
