"""Shared helpers of the guideline rules: code specs, resource tables, deriving and merging candidates."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from cac.coding.guidelines.context import GuidelineContext
from cac.coding.types import Candidate

ICD = "ICD-10-CM"
RESOURCES = Path(__file__).resolve().parent / "resources"
# Assertions whose code stands for a condition the patient has now, once the assertion rule (historical: only
# chronic conditions still current keep their code) and the uncertainty rule (possible: kept inpatient only) ran.
CONFIRMED = frozenset({"present", "possible", "historical"})


def bare(code: str) -> str:
    """The code without its dot, upper-case (``e11.22`` -> ``E1122``)."""
    return code.replace(".", "").upper()


def category(code: str) -> str:
    return bare(code)[:3]


def _ordinal(prefix: str) -> int:
    """A number ordering three-character categories (C15 -> 2015), for range widths."""
    digits = "".join(ch for ch in prefix[1:3] if ch.isdigit())
    return (ord(prefix[0]) - 65) * 1000 + (int(digits) if digits else 0)


class CodeSpec:
    """A code prefix (``C50``, ``E78.01``) or an inclusive range of prefixes (``C15-C26``, ``N18.1-N18.6``)."""

    def __init__(self, spec: str) -> None:
        self.text = spec.strip()
        lo, _, hi = self.text.partition("-")
        self.lo = bare(lo)
        self.hi = bare(hi) if hi else self.lo

    def covers(self, code: str) -> bool:
        b = bare(code)
        if self.lo == self.hi:
            return b.startswith(self.lo)
        return self.lo <= b[: len(self.lo)] and b[: len(self.hi)] <= self.hi

    @property
    def weight(self) -> tuple[int, int, int]:
        """How specific the spec is: longer prefixes, then single prefixes, then narrower ranges win."""
        return (len(self.lo), 1 if self.lo == self.hi else 0, -(_ordinal(self.hi) - _ordinal(self.lo)))

    def __repr__(self) -> str:
        return f"CodeSpec({self.text!r})"


def covers_any(specs: list[CodeSpec], code: str) -> bool:
    return any(s.covers(code) for s in specs)


def specs(items: Any) -> list[CodeSpec]:
    """CodeSpecs from a list or a comma-separated string."""
    if isinstance(items, str):
        items = items.split(",")
    return [CodeSpec(str(i)) for i in items if str(i).strip()]


@cache
def load_tsv(name: str) -> tuple[tuple[str, ...], ...]:
    """Rows of a tab-separated resource file, without comments and blank lines."""
    rows = []
    for line in (RESOURCES / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        rows.append(tuple(cell.strip() for cell in line.split("\t")))
    return tuple(rows)


@cache
def load_yaml(name: str) -> dict[str, Any]:
    data = yaml.safe_load((RESOURCES / name).read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def lookup(table: str, code: str) -> tuple[str, ...] | None:
    """The row of a spec-keyed TSV table (first column a CodeSpec) whose spec matches ``code`` most specifically."""
    best: tuple[tuple[int, int, int], tuple[str, ...]] | None = None
    for row in load_tsv(table):
        spec = CodeSpec(row[0])
        if spec.covers(code) and (best is None or spec.weight > best[0]):
            best = (spec.weight, row)
    return best[1] if best else None


def lookup_spec(rows: list[tuple[CodeSpec, Any]], code: str) -> Any:
    """The value of the (spec, value) row whose spec matches ``code`` most specifically; None when none does."""
    best: tuple[tuple[int, int, int], Any] | None = None
    for spec, value in rows:
        if spec.covers(code) and (best is None or spec.weight > best[0]):
            best = (spec.weight, value)
    return best[1] if best else None


def add_rationale(cand: Candidate, text: str) -> None:
    """Append one rule's explanation to the candidate's rationale."""
    if text in cand.rationale:
        return
    cand.rationale = f"{cand.rationale}; {text}" if cand.rationale else text


# A code a rule judges not reportable here, yet worth the coder's eye (an integral symptom, the loser of an
# Excludes1 pair, a family history the note does not present as relevant): it stays in the ranked list with its
# score held below the threshold (``Engine.suggest`` caps it again after the reranker), instead of vanishing.
HELD = "held below the threshold for review"
HELD_SCORE = 0.3
# A code a rule removed outright (a replaced unspecified code, an uncertain diagnosis outpatient, a past condition
# with no history code) is kept only as a set-aside suggestion (``guidelines.apply_guidelines``), scored this
# share of a held one: it ranks behind the codes held for review.
SET_ASIDE_FACTOR = 0.5


def hold(cand: Candidate, why: str) -> Candidate:
    """Keep ``cand`` in the list, scored below the threshold, with the rule that held it in its rationale."""
    add_rationale(cand, f"{why}; {HELD}")
    cand.score = min(cand.score, HELD_SCORE)
    return cand


def is_held(rationale: str) -> bool:
    return HELD in rationale


SET_ASIDE = "set_aside"


def is_set_aside(suggestion: Mapping[str, Any]) -> bool:
    """An output suggestion a guideline rule removed and ``apply_guidelines`` kept, flagged ``set_aside``."""
    return SET_ASIDE in suggestion.get("flags", ())


def cap_held(suggestions: list[dict[str, Any]]) -> None:
    """Cap the output suggestions a rule held for review at ``HELD_SCORE``, whatever a later scorer said."""
    for s in suggestions:
        if is_held(str(s.get("rationale", ""))):
            s["score"] = min(float(s["score"]), HELD_SCORE)


def add_flag(cand: Candidate, flag: str) -> None:
    if flag not in cand.flags:
        cand.flags.append(flag)


def derive(cand: Candidate, code: str, ctx: GuidelineContext, why: str, **changes: Any) -> Candidate:
    """A copy of ``cand`` standing for ``code`` (title from the store), with the rule appended to its rationale."""
    title = ctx.store.title(cand.system, code) or ""
    new = replace(
        cand,
        code=code,
        title=title,
        evidence=list(cand.evidence),
        sections=list(cand.sections),
        flags=[f for f in cand.flags if f != "unspecified"],
        source="rule",
        **changes,
    )
    new.flags = [f for f in new.flags if f != "hcc"]
    if cand.system == ICD and ctx.store.hcc(code):
        add_flag(new, "hcc")
    add_rationale(new, why)
    return new


def merge_duplicates(cands: list[Candidate], keep_history_apart: bool = False) -> list[Candidate]:
    """One candidate per (system, code): best score, all evidence, rationales joined; first position kept.
    ``keep_history_apart``: a family or past-history candidate is not merged into the current one of the same
    code (before the assertion rules turn it into its own Z code)."""
    out: dict[tuple[str, str, str], Candidate] = {}
    for c in cands:
        group = c.assertion if keep_history_apart and c.assertion in ("family", "historical") else ""
        key = (c.system, c.code, group)
        if key not in out:
            out[key] = c
            continue
        kept = out[key]
        if c.score > kept.score:
            kept.score = c.score
        for span in c.evidence:
            if span not in kept.evidence:
                kept.evidence.append(span)
        kept.evidence.sort(key=lambda s: s.start)
        kept.sections = sorted(set(kept.sections) | set(c.sections))
        if kept.assertion != "present" and c.assertion == "present":
            kept.assertion = "present"
        for part in c.rationale.split("; "):
            if part:
                add_rationale(kept, part)
        for flag in c.flags:
            add_flag(kept, flag)
    return list(out.values())


def context_text(cand: Candidate, ctx: GuidelineContext, window: int = 100) -> str:
    """The words around the candidate's evidence: each span widened to ``window`` characters within its line."""
    parts = [cand.mention_text] + [s.text for s in cand.evidence]
    text = ctx.text
    if text:
        for span in cand.evidence:
            if not (0 <= span.start <= span.end <= len(text)):
                continue
            lo = max(0, span.start - window)
            hi = min(len(text), span.end + window)
            nl_before = text.rfind("\n", lo, span.start)
            nl_after = text.find("\n", span.end, hi)
            lo = nl_before + 1 if nl_before >= 0 else lo
            hi = nl_after if nl_after >= 0 else hi
            parts.append(text[lo:hi])
    return " \n ".join(p for p in parts if p).lower()


# A line break bounds a clause unless the note wraps a sentence there: after a word or comma, before a lower-case word
# ("... with acute hypoxic / respiratory failure").
_CLAUSE_BOUND = re.compile(r"[.;]|(?<![A-Za-z,])\n|\n(?![ \t]*[a-z])|\s-\s")


def clause_at(text: str, start: int, end: int, reach: int = 200) -> str:
    """The clause holding ``text[start:end]``: bounded by a full stop, semicolon, line break (not one wrapping a
    sentence) or spaced dash, and reaching at most ``reach`` characters back."""
    lo, hi = clause_bounds(text, start, end, reach)
    return text[lo:hi]


def clause_bounds(text: str, start: int, end: int, reach: int = 200) -> tuple[int, int]:
    """The offsets of the clause ``clause_at`` returns."""
    lo = max(0, start - reach)
    # read a little past ``start``: whether a line break wraps a sentence depends on the line after it
    before = [m.end() for m in _CLAUSE_BOUND.finditer(text, lo, start + 20) if m.end() <= start]
    after = _CLAUSE_BOUND.search(text, end)
    return (before[-1] if before else lo), (after.start() if after else len(text))


def search_any(patterns: list[str], text: str) -> bool:
    return any(re.search(p, text, re.IGNORECASE) for p in patterns)
