"""Imaging attributes read from an exam title or report: contrast and number of views."""

from __future__ import annotations

import re

_BOTH = re.compile(
    r"\bwith(out)? and with(out)? (iv |intravenous )?contrast\b|\bw/?o and w/? ?(iv )?contrast\b|\bw/o ?& ?w/?\b"
    r"|\bpre[- ] and post[- ]contrast\b|\bwithout,? followed by with\b|\bnon-?contrast and contrast\b",
    re.I,
)
_WITHOUT = re.compile(
    r"\bwithout (iv |intravenous |oral )?contrast\b|\bw/o (iv )?contrast\b|\bnon-?contrast(ed)?\b|\bno (iv )?contrast\b"
    r"|\bunenhanced\b|\bnoncon\b",
    re.I,
)
_WITH = re.compile(
    r"\bwith (iv |intravenous )?contrast\b|\bw/ ?(iv )?contrast\b|\bcontrast[- ]enhanced\b|\bpost[- ]?contrast\b"
    r"|\b(iv|intravenous) contrast\b|\bwith gadolinium\b|\bgadolinium\b|\bomnipaque\b|\bisovue\b",
    re.I,
)
_VIEWS = re.compile(r"\b(\d|one|two|three|four|five|single)[- ]?(views?|projections?)\b", re.I)
_VIEWS_MIN = re.compile(r"\b(\d)\+ views?\b|\b(minimum|at least) (of )?(\d|three|four) views?\b", re.I)
_WORDS = {"one": 1, "single": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_NAMED_VIEWS = re.compile(
    r"\b(PA|AP|lateral|oblique|mortise|sunrise|merchant|tunnel|axillary|scapular Y|frog[- ]leg|lordotic|decubitus)\b",
    re.I,
)


def contrast_state(text: str) -> str | None:
    """both / with / without, from the words of an exam title or report."""
    if _BOTH.search(text):
        return "both"
    if _WITHOUT.search(text):
        return "without"
    if _WITH.search(text):
        return "with"
    return None


def view_count(text: str) -> int | None:
    """Number of radiographic views: stated ("3 views") or counted from named projections ("PA and lateral")."""
    m = _VIEWS.search(text)
    if m:
        word = m.group(1).lower()
        return int(word) if word.isdigit() else _WORDS[word]
    m = _VIEWS_MIN.search(text)
    if m:
        word = (m.group(1) or m.group(4)).lower()
        return int(word) if word.isdigit() else _WORDS[word]
    named = {v.group(1).lower() for v in _NAMED_VIEWS.finditer(text)}
    return len(named) or None
