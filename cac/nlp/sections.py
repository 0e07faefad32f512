"""Section header detection: header variants (resources/section_headers.tsv) to normalised section names."""

from __future__ import annotations

import re
from functools import lru_cache

from cac.nlp.lexicon import read_rows
from cac.nlp.types import Section

# A header at the start of a line: optional bullet, the header words, then a colon or the end of the line.
_LINE_HEADER = re.compile(
    r"^[ \t]*(?:[-*#\u2022]+[ \t]*)?(?P<h>[A-Za-z][A-Za-z0-9 /&().'-]{0,60}?)[ \t]*(?P<c>:|$)", re.M
)
# An upper-case header with a colon inside a line ("...normal.,PAST MEDICAL HISTORY: ..."; MTSamples style).
_INLINE_HEADER = re.compile(r"(?<![A-Za-z0-9'-])(?P<h>[A-Z][A-Z /&()'-]{1,60}?)[ \t]*:")
_NON_WORD = re.compile(r"[^a-z0-9/&()' -]+")
# An upper-case header at the start of a line joined to its body by a comma where the note lost its line break
# ("DIAGNOSES,1.  Concussion.", "REVIEW OF SYSTEMS,CONSTITUTIONAL:  ..."; MTSamples style).
_COMMA_HEADER = re.compile(r"^[ \t]*(?P<h>[A-Z][A-Z /&()'-]{2,60}?),(?=[ \t]*\S)", re.M)


def normalise_header(text: str) -> str:
    """Lower-case, single-spaced header text without trailing punctuation."""
    return " ".join(_NON_WORD.sub(" ", text.lower()).split()).strip(" -")


@lru_cache(maxsize=1)
def header_names() -> dict[str, str]:
    """Header variant (normalised) -> section name."""
    return {normalise_header(r[0]): r[1] for r in read_rows("section_headers.tsv") if len(r) >= 2}


def _accept(raw: str, has_colon: bool) -> str | None:
    name = header_names().get(normalise_header(raw))
    if name is None:
        return None
    letters = raw.strip()
    if not has_colon:
        # A bare line is a header only in upper or title case, abbreviations only in upper case.
        if len(letters) <= 3 and not letters.isupper():
            return None
        if not (letters.isupper() or letters.istitle() or letters[:1].isupper()):
            return None
    return name


def find_sections(text: str) -> list[Section]:
    """Sections of a note, in order; each body runs to the next header (or the end of the text)."""
    found: dict[int, tuple[int, int, str]] = {}
    for m in _LINE_HEADER.finditer(text):
        raw = m.group("h")
        name = _accept(raw, m.group("c") == ":")
        if name:
            found[m.start("h")] = (m.start("h"), m.end("h") + len(raw) - len(raw.rstrip()), name)
    for m in _COMMA_HEADER.finditer(text):
        raw = m.group("h").strip()
        name = header_names().get(normalise_header(raw))
        if name and len(raw) > 3 and m.start("h") not in found:
            found[m.start("h")] = (m.start("h"), m.start("h") + len(raw), name)
    for m in _INLINE_HEADER.finditer(text):
        if m.start("h") in found:
            continue
        raw = m.group("h").strip()
        name = header_names().get(normalise_header(raw))
        if name and len(raw) > 3:
            start = m.start("h") + (len(m.group("h")) - len(m.group("h").lstrip()))
            found[start] = (start, start + len(raw), name)
    headers = sorted(found.values())
    sections: list[Section] = []
    for i, (hs, he, name) in enumerate(headers):
        if sections and hs < sections[-1].header_end:
            continue
        body_start = he
        if body_start < len(text) and text.startswith(":", body_start):
            body_start += 1
        while body_start < len(text) and text[body_start] in " \t,":
            body_start += 1
        nxt = len(text)
        for later in headers[i + 1 :]:
            if later[0] >= body_start:
                nxt = later[0]
                break
        body_start = min(body_start, nxt)
        sections.append(Section(name, body_start, nxt, hs, he))
    return sections


def section_at(sections: list[Section], offset: int) -> str | None:
    """Name of the section whose header or body holds offset."""
    for s in sections:
        if s.header_start <= offset < max(s.end, s.header_end):
            return s.name
    return None
