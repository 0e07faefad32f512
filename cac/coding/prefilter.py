"""Literal prefilters for rule regexes: the words one of which every match must contain.

Most rules match nowhere in a given note, and a pattern that starts with a look-behind is tried at every position
of the text. Checking first that one of the pattern's required words occurs in the lower-cased note (a plain
substring test) lets a rule skip the note without running the regex. The words are read off the parsed pattern, so
a rule file needs no extra keyword column."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any

__all__ = ["literal_words", "may_match", "may_match_all", "occurs", "required_groups"]


@cache
def _sre_parser() -> Any:
    import importlib

    try:
        return importlib.import_module("re._parser")
    except ImportError:  # Python < 3.11
        return importlib.import_module("sre_parse")


def literal_words(pattern: str, flags: int = re.I) -> frozenset[str] | None:
    """Lower-case words one of which every match of ``pattern`` contains, or None when no such words can be read
    off the pattern (then the rule is always run)."""
    try:
        parsed = _sre_parser().parse(pattern, flags)
    except Exception:  # noqa: BLE001 - an unusual pattern is simply not prefiltered
        return None
    found = _seq_literals(list(parsed))
    return frozenset(found) if found else None


def may_match(words: Iterable[str] | None, lowered_text: str) -> bool:
    """False only when none of the required ``words`` occurs in the lower-cased note (None: no prefilter)."""
    return words is None or any(occurs(w, lowered_text) for w in words)


# The answers of ``occurs`` for the last lower-cased note asked about: the rule families ask for the same words again.
_OCCURS: tuple[str, dict[str, bool]] = ("", {})


def occurs(word: str, lowered_text: str) -> bool:
    """``word in lowered_text``, remembered for the note last asked about (the same string object)."""
    global _OCCURS
    text, seen = _OCCURS
    if text is not lowered_text:
        seen = {}
        _OCCURS = (lowered_text, seen)
    found = seen.get(word)
    if found is None:
        found = seen[word] = word in lowered_text
    return found


@cache
def required_groups(pattern: re.Pattern[str]) -> tuple[frozenset[str], ...]:
    """Every requirement of a compiled rule regex: for each literal run (3+ letters) and each required group of its
    top-level sequence, the lower-case words one of which every match contains; () when none can be read."""
    try:
        parsed = _sre_parser().parse(pattern.pattern, pattern.flags)
    except Exception:  # noqa: BLE001 - an unusual pattern is simply not prefiltered
        return ()
    return tuple(dict.fromkeys(_seq_requirements(list(parsed))))


def may_match_all(groups: tuple[frozenset[str], ...], lowered_text: str) -> bool:
    """False when some requirement of ``required_groups`` has none of its words in the lower-cased note."""
    return all(any(occurs(w, lowered_text) for w in group) for group in groups)


def _seq_requirements(items: list[Any]) -> list[frozenset[str]]:
    """The requirements of a sequence: each literal run (3+ letters), and those of each item every match holds."""
    parser = _sre_parser()
    literal, branch, subpattern = parser.LITERAL, parser.BRANCH, parser.SUBPATTERN
    max_repeat, min_repeat = parser.MAX_REPEAT, parser.MIN_REPEAT
    out: list[frozenset[str]] = []
    run = ""
    for op, av in items:
        if op is literal:
            run += chr(av)
            continue
        if len(run) >= 3:
            out.append(frozenset({run.lower()}))
        run = ""
        if op is subpattern:
            out.extend(_seq_requirements(list(av[-1])))
        elif op in (max_repeat, min_repeat) and av[0] >= 1:
            out.extend(_seq_requirements(list(av[2])))
        elif op is branch:
            parts = [_seq_literals(list(b)) for b in av[1]]
            if parts and all(parts):
                out.append(frozenset(set().union(*parts)))  # type: ignore[arg-type]
    if len(run) >= 3:
        out.append(frozenset({run.lower()}))
    return out


def _seq_literals(items: list[Any]) -> set[str] | None:
    """The best requirement of a sequence: its longest literal run (3+ letters), else the tightest required item."""
    parser = _sre_parser()  # its module namespace holds the opcode constants
    literal, branch, subpattern = parser.LITERAL, parser.BRANCH, parser.SUBPATTERN
    max_repeat, min_repeat = parser.MAX_REPEAT, parser.MIN_REPEAT
    runs: list[str] = []
    run = ""
    options: list[set[str]] = []
    for op, av in items:
        if op is literal:
            run += chr(av)
            continue
        if len(run) >= 3:
            runs.append(run)
        run = ""
        sub: set[str] | None = None
        if op is subpattern:
            sub = _seq_literals(list(av[-1]))
        elif op is branch:
            parts = [_seq_literals(list(b)) for b in av[1]]
            sub = set().union(*parts) if parts and all(parts) else None  # type: ignore[arg-type]
        elif op in (max_repeat, min_repeat) and av[0] >= 1:
            sub = _seq_literals(list(av[2]))
        if sub:
            options.append(sub)
    if len(run) >= 3:
        runs.append(run)
    if runs:
        return {max(runs, key=len).lower()}
    if options:
        return min(options, key=len)
    return None
