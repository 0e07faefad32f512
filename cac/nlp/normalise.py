"""Word normalisation shared by the term index and the note side: lower case, light lemmatisation."""

from __future__ import annotations

import re

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "and",
        "or",
        "in",
        "on",
        "at",
        "to",
        "for",
        "by",
        "with",
        "as",
        "from",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "this",
        "that",
        "these",
        "those",
        "his",
        "her",
        "their",
        "its",
        "he",
        "she",
        "it",
        "they",
        "due",
        "nos",
        "nec",
    ]
)
_IRREGULAR = {
    "feet": "foot",
    "teeth": "tooth",
    "children": "child",
    "women": "woman",
    "men": "man",
    "lice": "louse",
    "diagnoses": "diagnosis",
    "analyses": "analysis",
    "metastases": "metastasis",
    "stenoses": "stenosis",
    "vertebrae": "vertebra",
    "bronchi": "bronchus",
    "calculi": "calculus",
    "keratoses": "keratosis",
    "thromboses": "thrombosis",
    "psychoses": "psychosis",
    "neuroses": "neurosis",
    "exostoses": "exostosis",
    "ecchymoses": "ecchymosis",
    "anastomoses": "anastomosis",
    "fibroses": "fibrosis",
    "necroses": "necrosis",
    "nevi": "nevus",
    "fungi": "fungus",
    "diverticula": "diverticulum",
    "ganglia": "ganglion",
    "bullae": "bulla",
    "emboli": "embolus",
    "thrombi": "thrombus",
    "foci": "focus",
    "hernias": "hernia",
    "fistulae": "fistula",
    "ii": "2",
    "iii": "3",
    "iv": "4",
    "i": "1",
    "type1": "1",
    "type2": "2",
}
_NO_STRIP = ("ss", "us", "is", "as", "os")
_WORDS = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_memo: dict[str, str] = {}


def lemma(word: str) -> str:
    """Light rule lemma of a lower-case word (plural stripping, a few irregulars)."""
    cached = _memo.get(word)
    if cached is not None:
        return cached
    key = word
    out = _IRREGULAR.get(word, word)
    if out is word and word.endswith("'s"):  # a possessive is its noun: "Schatzki's ring" is a "Schatzki ring"
        out = word = word[:-2]
    if out is word and len(word) > 3 and not word.isdigit():
        if word.endswith("ies") and len(word) > 4:
            out = word[:-3] + "y"
        elif word.endswith(("sses", "xes", "ches", "shes")):
            out = word[:-2]
        elif word.endswith("s") and not word.endswith(_NO_STRIP):
            out = word[:-1]
    if len(_memo) < 500_000:
        _memo[key] = out
    return out


def content_words(text: str) -> list[str]:
    """Lemmatised content words of a phrase, in order."""
    return [lemma(w) for w in _WORDS.findall(text.lower()) if w not in STOPWORDS]


def bag(words: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Order-free key of a word list."""
    return tuple(sorted(set(words)))
