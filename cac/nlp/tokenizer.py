"""A spaCy tokenizer tuned for clinical shorthand (``s/p``, ``HTN/DM2``, ``BP 140/90``, ``q4-6h``, ``(+)``)."""

from __future__ import annotations

import re
from collections.abc import Callable

import spacy
from spacy.language import Language
from spacy.symbols import ORTH
from spacy.tokenizer import Tokenizer
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

from cac.nlp.lexicon import read_rows

# Slash shorthand kept whole (otherwise a slash between letters splits: HTN/DM2 -> HTN / DM2).
SPECIAL_CASES = [
    "s/p",
    "S/P",
    "s/P",
    "w/o",
    "W/O",
    "w/",
    "W/",
    "c/o",
    "C/O",
    "h/o",
    "H/O",
    "r/o",
    "R/O",
    "b/l",
    "B/L",
    "n/v",
    "N/V",
    "d/c",
    "D/C",
    "f/u",
    "F/U",
    "y/o",
    "Y/O",
    "a/w",
    "A/W",
    "a&o",
    "A&O",
    "a/o",
    "A/O",
    "p/w",
    "P/W",
    "i/o",
    "I/O",
    "(+)",
    "(-)",
    "+/-",
    "Dr.",
    "Mr.",
    "Mrs.",
    "Ms.",
    "e.g.",
    "i.e.",
    "vs.",
    "b.i.d.",
    "t.i.d.",
    "q.i.d.",
    "q.d.",
    "p.o.",
    "p.r.n.",
    "a.m.",
    "p.m.",
]

# Whole strings that stay one token: dates, ratios/BP, times, frequencies, doses with ranges.
TOKEN_MATCH = re.compile(
    r"""^(?:
      \d{1,4}[/-]\d{1,2}[/-]\d{1,4}            # dates 01/02/2020, 2020-01-02
    | \d{2,3}/\d{2,3}                          # blood pressure 140/90
    | \d{1,2}:\d{2}(?::\d{2})?                 # times 14:30
    | \d+(?:\.\d+)?x/(?:day|d|wk|week|month|hr|h)  # 3x/day
    | q\.?\d+(?:-\d+)?\.?(?:h|hr|hrs|min|d|wk)\.?  # q4-6h, q6h
    | q(?:am|pm|hs|d|od|id|h|day|week|wk)      # qhs, qd
    | [A-Za-z]\d{1,2}(?:-[A-Za-z]?\d{1,2})?    # vertebral levels L4-5, C5-C6
    | \d+(?:\.\d+)?%                           # 51%
    )$""",
    re.X | re.I,
)


def hyphenated_abbreviations() -> list[str]:
    """The lexicon's hyphenated abbreviations ("a-fib", "C-section") in the spellings notes use ("A-fib", "A-Fib",
    "A-FIB"): kept one token, where the hyphen would split them."""
    out: list[str] = []
    for row in read_rows("abbreviations.tsv"):
        key = row[0]
        if "-" not in key or " " in key:
            continue
        head, _, tail = key.partition("-")
        forms = (
            key.lower(),
            f"{head.upper()}-{tail.lower()}",
            f"{head.lower()}-{tail.title()}",
            key.title(),
            key.upper(),
        )
        for form in (key, *forms):
            if form not in out:
                out.append(form)
    return out


_EXTRA_PREFIXES = (r"\u2022", r"\u00b7", r"\*", r"#", r"~", r",", r";")


def _build(nlp: Language) -> Tokenizer:
    defaults = nlp.Defaults
    prefixes = list(defaults.prefixes or []) + list(_EXTRA_PREFIXES)
    suffixes = list(defaults.suffixes or [])
    infixes = list(defaults.infixes or []) + [
        r"(?<=[A-Za-z])/(?=\d)",
        r"(?<=[a-z])\+(?=[a-z])",
        r"(?<=[.;:)]),(?=\S)",  # MTSamples glue: "closure.,ANESTHESIA:"
        # a closing parenthesis glued to the next word: a list enumerator ("3)HTN", "1)Myasthenia gravis") or a
        # dictated aside ("memory (verbal and visual)loss" is no visual loss)
        r"(?<=[0-9A-Za-z])\)(?=[A-Za-z])",
    ]
    tokenizer = Tokenizer(
        nlp.vocab,
        rules=dict(defaults.tokenizer_exceptions),
        prefix_search=compile_prefix_regex(prefixes).search,
        suffix_search=compile_suffix_regex(suffixes).search,
        infix_finditer=compile_infix_regex(infixes).finditer,
        token_match=TOKEN_MATCH.match,
        url_match=None,
    )
    for case in SPECIAL_CASES + hyphenated_abbreviations():
        tokenizer.add_special_case(case, [{ORTH: case}])
    return tokenizer


@spacy.registry.tokenizers("cac.clinical_tokenizer.v1")
def create_clinical_tokenizer() -> Callable[[Language], Tokenizer]:
    """Registered tokenizer factory, referenced from the pipeline config."""
    return _build
