"""Imaging attributes read from an exam title or report: contrast and number of views."""

from __future__ import annotations

import re

_AGENT = r"(iv |intravenous )?(contrast|gadolinium|gad|gadavist|dotarem|multihance|prohance|magnevist|eovist)"
_BOTH = re.compile(
    rf"\bwith(out)? (and|&|/) ?with(out)? {_AGENT}\b|\bw/?o (and|&) w/? ?{_AGENT}\b|\bw/o ?& ?w/?(?=\s|$)"
    r"|\bw ?/ ?wo\b|\bw(/| and | ?& ?)?wo\b|\bwith (and|&|/) without\b|\bwithout (and|&|/) with\b"
    r"|\bpre[- ] ?(and|&) post[- ]?(contrast|gadolinium|gad)\b|\bwithout,? followed by with\b"
    r"|\bnon-?contrast and contrast\b|\bbefore and after (the )?(administration|injection|infusion) of\b",
    re.I,
)
_WITHOUT = re.compile(
    rf"\bwithout {_AGENT}\b|\bwithout (oral or iv|iv or oral) contrast\b|\b(w/o|wo) (iv )?(contrast|gad\w*)\b"
    r"|\bnon-?contrast(ed)?\b|\bno (iv |intravenous )?contrast\b|\bunenhanced\b|\bnoncon\b|\bnon-?enhanced\b"
    r"|\b(iv |intravenous )contrast (was|were) not (given|administered|used)\b|\bwithout the (use|administration) of"
    r" (iv |intravenous )?contrast\b",
    re.I,
)
_WITH = re.compile(
    rf"\bwith {_AGENT}\b|\bw/? ?(iv )?(contrast|gad\w*)\b|\bcontrast[- ]enhanced\b|\bpost[- ]?contrast\b"
    r"|\b(iv|intravenous) contrast\b|\bwith gadolinium\b|\bgadolinium\b|\bomnipaque\b|\bisovue\b|\boptiray\b"
    r"|\bvisipaque\b|\bultravist\b|\biohexol\b|\biodixanol\b|\biopamidol\b|\bgadavist\b|\bdotarem\b"
    r"|\bmultihance\b|\bprohance\b|\bmagnevist\b|\beovist\b|\bclariscan\b|\bgadobutrol\b|\bgadoterate\b",
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
