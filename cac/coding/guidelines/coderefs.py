"""Code references inside tabular note texts: "(E10.-)", "(P70.2)", "(N18.1-N18.6)", "(E08-E13 with .42)"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from cac.coding.guidelines.common import CodeSpec

_CODE = r"[A-Z]\d[0-9A-Z](?:\.[0-9A-Z]{0,4})?"
_REF = re.compile(
    rf"(?<![A-Za-z0-9])({_CODE})(?:\s*-\s*({_CODE})\.?-?|\.?-)?(?:\s+with\s+(\.[0-9A-Z]+|[a-z]+\s+character\s+\w+))?"
)


# Words after a list of categories that narrow it to some of their codes ("... E13 with ketoacidosis").
_WITH_WORDS = re.compile(r"\s*with\s+(?!\.|[a-z]+\s+character)[a-z]")


@dataclass(frozen=True)
class NoteItem:
    """One line of a note ("insulin (Z79.4)"): its words and the codes it names."""

    text: str
    specs: tuple[CodeSpec, ...]


def _categories(lo: str, hi: str) -> list[str]:
    """The three-character categories from ``lo`` to ``hi`` of one letter (E08-E13 -> E08..E13)."""
    if lo[0] != hi[0] or not (lo[1:3].isdigit() and hi[1:3].isdigit()):
        return []
    return [f"{lo[0]}{n:02d}" for n in range(int(lo[1:3]), int(hi[1:3]) + 1)]


@lru_cache(maxsize=20000)
def parse_refs(text: str) -> tuple[CodeSpec, ...]:
    """Every code, code prefix or range a note text refers to."""
    out: list[CodeSpec] = []
    refs = list(_REF.finditer(text))
    if refs and not refs[-1].group(3) and _WITH_WORDS.match(text, refs[-1].end()):
        return ()  # "see categories E08-E10, E11, E13 with ketoacidosis": only some codes, not expressible
    for m in refs:
        lo, hi, qualifier = m.group(1).rstrip("."), (m.group(2) or "").rstrip("."), m.group(3)
        if qualifier:
            if not qualifier.startswith("."):
                continue  # "with fifth character 1": not expressible as a prefix; left out rather than guessed
            cats = _categories(lo, hi or lo)
            out.extend(CodeSpec(f"{c}{qualifier}") for c in cats)
            continue
        out.append(CodeSpec(f"{lo}-{hi}" if hi else lo))
    return tuple(out)


def note_items(text: str) -> list[NoteItem]:
    """The lines of a note text, each with its own code references."""
    items = []
    for line in text.splitlines():
        line = line.strip()
        if line:
            items.append(NoteItem(line, parse_refs(line)))
    return items
