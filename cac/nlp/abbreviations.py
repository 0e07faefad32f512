"""Our clinical abbreviation lexicon, with context rules for ambiguous abbreviations (MS, PE, RA, CP, MI, PT) and
for abbreviations that are also English words (ALL, HIT: read only when written in capitals)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from cac.nlp.lexicon import read_rows


@dataclass(frozen=True)
class Sense:
    expansion: str
    cues: tuple[str, ...]


@dataclass(frozen=True)
class Abbreviation:
    """An abbreviation found in the text and its chosen expansion."""

    start: int
    end: int
    text: str
    expansion: str
    source: str  # "lexicon" | "context" | "defined"

    def to_dict(self) -> dict[str, object]:
        return {"start": self.start, "end": self.end, "text": self.text, "expansion": self.expansion}


@lru_cache(maxsize=1)
def lexicon() -> dict[str, str]:
    """Unambiguous abbreviation -> expansion."""
    return {r[0]: r[1] for r in read_rows("abbreviations.tsv") if len(r) >= 2}


@lru_cache(maxsize=1)
def senses() -> dict[str, tuple[Sense, ...]]:
    """Ambiguous abbreviation -> its senses, the default first."""
    out: dict[str, list[Sense]] = {}
    for r in read_rows("abbreviation_senses.tsv"):
        if len(r) >= 2:
            cues = tuple(c.strip().lower() for c in (r[2] if len(r) > 2 else "").split(",") if c.strip())
            out.setdefault(r[0], []).append(Sense(r[1], cues))
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def word_abbreviations() -> dict[str, frozenset[str]]:
    """Abbreviations that are also English words ("ALL", "HIT", "MEN") -> the cue words that confirm one in text
    written in capitals throughout (``word_abbreviations.tsv``)."""
    out: dict[str, frozenset[str]] = {}
    for r in read_rows("word_abbreviations.tsv"):
        cues = {c.strip().lower() for c in (r[1] if len(r) > 1 else "").split(",") if c.strip()}
        cues |= {c for sense in senses().get(r[0], ()) for c in sense.cues}
        out[r[0]] = frozenset(cues)
    return out


_WORD = re.compile(r"[a-z0-9%/'-]+")
_NUMBER_AFTER = re.compile(r"[ \t:]*\d")
_CAPITAL_BEFORE = re.compile(r"\b[A-Z][A-Z'-]*[A-Z][ \t]+$")
_CAPITAL_AFTER = re.compile(r"^[ \t]+[A-Z][A-Z'-]*[A-Z]\b")


def written_as_abbreviation(text: str, start: int, end: int, context: str = "") -> bool:
    """Whether ``text[start:end]``, an abbreviation that is also an English word, is written as the abbreviation:
    in capitals ("ALL in remission", not "all extremities" or "All questions answered"), and, where the words
    next to it are in capitals too ("ALL OTHER SYSTEMS NEGATIVE"), with a cue word in ``context``."""
    surface = text[start:end]
    if not surface.isupper():
        return False
    shouted = _CAPITAL_BEFORE.search(text[max(0, start - 40) : start]) or _CAPITAL_AFTER.match(text[end : end + 40])
    if not shouted:
        return True
    cues = word_abbreviations().get(surface, frozenset())
    low = context.lower()
    words = set(_WORD.findall(low))
    return any((c in words) if " " not in c else (c in low) for c in cues)


def lookup(token_text: str) -> str | tuple[Sense, ...] | None:
    """The expansion of an unambiguous abbreviation, the senses of an ambiguous one, or None."""
    amb = senses().get(token_text)
    if amb:
        return amb
    exp = lexicon().get(token_text)
    if exp is None and token_text[:1].isupper() and token_text[1:].islower():
        exp = lexicon().get(token_text.lower())  # a lower-case entry in title case ("Afib", "Hx" opening a line)
    if exp is None and "-" in token_text:
        exp = lexicon().get(token_text.lower())  # a hyphenated entry in any case ("A-fib", "A-Fib", "V-TACH")
    if exp is None and token_text.islower():
        return None
    return exp


def known(token_text: str) -> bool:
    """Whether a token may be an abbreviation of the lexicon (``lookup`` finds it)."""
    lex = lexicon()
    if token_text in lex or token_text in senses():
        return True
    if token_text.istitle() and token_text.lower() in lex:
        return True
    return "-" in token_text and token_text.lower() in lex


def split_letter(first: str, gap: str, second: str) -> str | None:
    """The expansion of a letter abbreviation written apart from its word ("A. fib", "A fib": the lexicon's "afib"),
    or None."""
    if len(first) > 2 or not first[:1].isalpha() or first[1:] not in ("", ".") or gap not in ("", " "):
        return None
    if first[1:] == "" and (gap == "" or first in ("a", "i")):
        return None  # "a fib" may be the article before a word
    if not second.isalpha() or len(second) < 3:
        return None
    return lexicon().get((first[0] + second).lower())


def choose_sense(options: tuple[Sense, ...], context: str, section: str | None = None) -> tuple[Sense, bool]:
    """The sense whose cue words occur most in context (the sentence); default (first) on a tie.

    Returns the sense and whether context decided it.
    """
    low = context.lower()
    words = set(_WORD.findall(low))
    if section == "physical_exam":
        words.add("exam")
    best, best_score = options[0], 0
    for sense in options:
        score = sum(1 for c in sense.cues if (c in words if " " not in c else c in low))
        if score > best_score:
            best, best_score = sense, score
    return best, best_score > 0


def expand(text: str, start: int, end: int, context: str, section: str | None = None) -> Abbreviation | None:
    """Abbreviation record for text[start:end] if it is one."""
    surface = text[start:end]
    if len(surface) == 1 and surface.isupper() and not _NUMBER_AFTER.match(text, end):
        return None  # a one-letter abbreviation is a vital sign or count only before its number ("P 88"), not "A/P:"
    found = lookup(surface)
    if found is None:
        return None
    if surface in word_abbreviations() and not written_as_abbreviation(text, start, end, context):
        return None  # an English word ("all", "ALL OTHER SYSTEMS NEGATIVE"), not the abbreviation
    if isinstance(found, str):
        return Abbreviation(start, end, surface, found, "lexicon")
    sense, by_context = choose_sense(found, context, section)
    return Abbreviation(start, end, surface, sense.expansion, "context" if by_context else "lexicon")
