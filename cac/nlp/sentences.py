"""Sentence boundaries that survive line-based notes: lines, list items and headers are their own sentences."""

from __future__ import annotations

import re

from cac.nlp.types import Section

# Words after which a full stop does not end a sentence.
_NO_BREAK_AFTER = frozenset(
    [
        "dr",
        "mr",
        "mrs",
        "ms",
        "st",
        "vs",
        "e.g",
        "i.e",
        "etc",
        "approx",
        "fig",
        "no",
        "jr",
        "sr",
        "prof",
        "inc",
        "dept",
        "wt",
        "ht",
        "temp",
        "resp",
        "pt",
        "pts",
        "q",
        "b.i.d",
        "t.i.d",
        "q.i.d",
        "p.o",
        "p.r.n",
        "a.m",
        "p.m",
    ]
)
_END = re.compile(r"[.!?]+(?=[\"')\]]*(?:\s+|,)(?=[\"'(\[]*[A-Z0-9\u2022*-]))")
_ENUM_BEFORE = re.compile(r"(?:^|[\n\r]|\s\s|[.,])[ \t]*\d{1,2}$")
_LINE_BREAK = re.compile(r"\r\n|[\n\r\u2028\u2029\x0b\x0c\x1c-\x1e\x85]")
_LIST_ITEM = re.compile(r"(?:(?<=\s\s)|(?<=[.,]))(?:\d{1,2}[.)]|[-*\u2022])\s+(?=\S)")


_JOINERS = frozenset(
    ["and", "or", "of", "with", "without", "to", "for", "the", "a", "an", "in", "on", "but", "no", "not", "nor"]
)
WRAP_MIN_LINE = 40


# Words no sentence ends with: a line ending in one goes on in the next, whatever case that starts with
# ("had a left MCA infarction in / December, with residual ...").
_OPEN_ENDED = frozenset(
    ["of", "with", "without", "to", "for", "the", "a", "an", "in", "on", "and", "or", "but", "from"]
)
# The start of a heading line ("PAST MEDICAL HISTORY:", "Plan:"), which no wrapped sentence goes on into.
_HEADING_START = re.compile(r"[A-Za-z][A-Za-z /&()-]{0,40}:")


def _is_wrap(text: str, brk: int, nxt: int) -> bool:
    """Whether the line break at brk only wraps prose: the next line starts in lower case and this line ends
    with a comma or a joining word, or is a long line ending in a lower-case word; or this line ends in a word no
    sentence ends with and the next line is no heading."""
    while nxt < len(text) and text[nxt] in " \t":  # an indented continuation line wraps too
        nxt += 1
    if nxt >= len(text) or not text[nxt].isalnum():
        return False
    line_start = text.rfind("\n", 0, brk) + 1
    line = text[line_start:brk].rstrip()
    if not line:
        return False
    if not text[nxt].islower():
        last_word = line.rsplit(None, 1)[-1]
        return last_word in _OPEN_ENDED and not _HEADING_START.match(text, nxt)
    if line.endswith(","):
        return True
    last = line.rsplit(None, 1)[-1]
    # a long line may also end in an abbreviation in capitals ("likely demand ischemia; ACS / not suspected")
    return last.lower() in _JOINERS or (
        len(line) >= WRAP_MIN_LINE and last.isalpha() and (last.islower() or (last.isupper() and len(last) <= 5))
    )


def line_wraps(text: str, brk: int) -> bool:
    """Whether the line break at ``text[brk]`` only wraps a sentence that goes on in the next line."""
    return _is_wrap(text, brk, brk + 1)


def sentence_starts(text: str, sections: list[Section] | None = None) -> list[int]:
    """Sorted char offsets where sentences begin (always includes 0 for non-empty text)."""
    starts: set[int] = {0}
    for m in _LINE_BREAK.finditer(text):
        if not _is_wrap(text, m.start(), m.end()):
            starts.add(m.end())
    for m in _END.finditer(text):
        before = text[max(0, m.start() - 8) : m.start()].split()
        word = before[-1].lower().lstrip("(") if before else ""
        if word in _NO_BREAK_AFTER or (len(word) == 1 and word.isalpha()):
            continue
        if word.isdigit() and len(word) <= 2 and _ENUM_BEFORE.search(text, max(0, m.start() - 8), m.start()):
            continue  # "1. Pneumonia": an enumerator, not a sentence end
        starts.add(m.end())
    for m in _LIST_ITEM.finditer(text):
        starts.add(m.start())
    for sec in sections or ():
        starts.add(sec.header_start)
        starts.add(sec.start)
    n = len(text)
    out: list[int] = []
    for s in sorted(starts):
        while s < n and text[s].isspace():
            s += 1
        if s < n and (not out or s > out[-1]):
            out.append(s)
    return out or ([0] if n else [])
