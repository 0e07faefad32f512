"""Loading the domain data files of ``resources/`` (once per process)."""

from __future__ import annotations

import csv
import re
from functools import cache
from importlib import resources
from typing import Any

import yaml

from cac.coding.prefilter import literal_words


@cache
def load_yaml(name: str) -> Any:
    """A YAML file of ``cac/coding/procedures/resources``."""
    text = resources.files("cac.coding.procedures.resources").joinpath(name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


@cache
def load_tsv(name: str) -> tuple[dict[str, str], ...]:
    """The rows of a TSV file of ``resources`` (header line first, ``#`` lines are comments)."""
    text = resources.files("cac.coding.procedures.resources").joinpath(name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    reader = csv.DictReader(lines, delimiter="\t")
    return tuple({k: (v or "").strip() for k, v in row.items()} for row in reader)


def flex(pattern: str) -> str:
    """``pattern`` with its literal spaces matching any run of white space, line breaks included: notes wrap lines in
    the middle of a phrase ("central venous\\ncatheter"). A space inside a character class also takes a line break;
    "x ?y" becomes "x\\s*y"."""
    out: list[str] = []
    i, n, in_class = 0, len(pattern), False
    while i < n:
        ch = pattern[i]
        if ch == "\\" and i + 1 < n:
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if not in_class and pattern.startswith(("(?<!", "(?<="), i):
            end = _group_end(pattern, i)  # a look-behind keeps its fixed width
            out.append(pattern[i:end])
            i = end
            continue
        if in_class:
            if ch == "]":
                in_class = False
            out.append("\\s" if ch == " " else ch)
        elif ch == "[":
            in_class = True
            out.append(ch)
            if i + 1 < n and pattern[i + 1] == "^":
                out.append("^")
                i += 1
            if i + 1 < n and pattern[i + 1] == "]":
                out.append("]")
                i += 1
        elif ch == " ":
            if i + 1 < n and pattern[i + 1] in "?*":
                out.append("\\s*")
                i += 1
            elif i + 1 < n and pattern[i + 1] == "+":
                out.append("\\s+")
                i += 1
            else:
                out.append("\\s+")
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _group_end(pattern: str, start: int) -> int:
    """The index just after the group opened at ``start``."""
    depth, i = 0, start
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(pattern)


def compile_flex(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """A rule regex compiled case-insensitively (unless it says otherwise) with flexible white space; "." also takes
    a line break, so a bounded gap (".{0,60}") reaches across a wrapped line."""
    return re.compile(flex(pattern), flags | re.I | re.S)


def required_literals(pattern: str) -> frozenset[str] | None:
    """Lower-case words one of which every match of the rule regex ``pattern`` (flexible white space,
    case-insensitive) contains, or None; see ``cac.coding.prefilter``."""
    return literal_words(flex(pattern), re.I)


def trigger_words(items: Any) -> tuple[frozenset[str] | None, ...]:
    """Each trigger pattern's required words (``required_literals``), in trigger order."""
    return tuple(required_literals(p) for p in ([items] if isinstance(items, str) else items or ()))


def union_words(words: tuple[frozenset[str] | None, ...]) -> frozenset[str] | None:
    """Words one of which any trigger match contains (None: some trigger cannot be prefiltered)."""
    if any(w is None for w in words):
        return None
    return frozenset().union(*words)  # type: ignore[arg-type]
