"""A trivial baseline engine: exact, case-insensitive, word-boundary match of code titles and inclusion terms."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

_WORD = re.compile(r"[0-9a-z]+")
MIN_TERM_CHARS = 3
MAX_TERM_TOKENS = 40


def tokens(text: str) -> list[tuple[str, int, int]]:
    """Lower-cased word tokens with their character offsets (punctuation and spacing are ignored)."""
    return [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text.lower())]


@dataclass(frozen=True)
class _Entry:
    system: str
    code: str
    title: str
    term: str
    source: str


class TermMatchBaseline:
    """Proposes every code one of whose terms occurs verbatim (token for token) in the note; score 1.0.

    ICD-10-CM titles and inclusion terms are matched in every setting, ICD-10-PCS titles only for
    inpatient notes (PCS codes hospital inpatient procedures). Built once: a dict from token tuples to
    codes, plus the set of all term prefixes so a scan stops as soon as no term can continue.
    """

    threshold = 0.5

    def __init__(self, terms: Iterable[tuple[str, str, str, str, str]], versions: dict[str, str] | None = None) -> None:
        """``terms``: (system, code, title, term text, source) rows."""
        self.codeset_versions = versions or {}
        self._table: dict[tuple[str, ...], list[_Entry]] = {}
        self._prefixes: set[tuple[str, ...]] = set()
        for system, code, title, term, source in terms:
            if len(term.strip()) < MIN_TERM_CHARS:
                continue
            key = tuple(t for t, _, _ in tokens(term))
            if not key or len(key) > MAX_TERM_TOKENS:
                continue
            entries = self._table.setdefault(key, [])
            if not any(e.system == system and e.code == code for e in entries):
                entries.append(_Entry(system, code, title, term, source))
            for i in range(1, len(key)):
                self._prefixes.add(key[:i])

    @classmethod
    def from_store(cls, store: Any = None) -> TermMatchBaseline:
        """Terms from the code-set store: ICD-10-CM titles and inclusion terms, ICD-10-PCS titles."""
        from cac.codesets import ICD10CM, ICD10PCS, open_store

        store = store or open_store(quiet=True)
        wanted = {ICD10CM: {"title", "inclusion"}, ICD10PCS: {"title"}}

        def rows() -> Iterable[tuple[str, str, str, str, str]]:
            for system, sources in wanted.items():
                titles = {code: title for code, title, _ in store.codes(system)}
                for text, code, source in store.terms(system):
                    if source in sources:
                        yield system, code, titles.get(code, text), text, source

        versions = {s: r for s in wanted if (r := store.active_release(s))}
        return cls(rows(), versions)

    def __len__(self) -> int:
        return len(self._table)

    def suggest(self, text: str, setting: str = "outpatient", note_type: str | None = None) -> dict[str, Any]:
        from evaluation.annotations import SETTINGS

        if setting not in SETTINGS:
            raise ValueError(f"unknown setting {setting!r}")
        toks = tokens(text)
        systems = {"ICD-10-CM", "ICD-10-PCS"} if setting == "inpatient" else {"ICD-10-CM"}
        found: dict[tuple[str, str], dict[str, Any]] = {}
        mentions: list[dict[str, Any]] = []
        for i in range(len(toks)):
            for j in range(i + 1, min(len(toks), i + MAX_TERM_TOKENS) + 1):
                key = tuple(t for t, _, _ in toks[i:j])
                for entry in self._table.get(key, ()):
                    if entry.system not in systems:
                        continue
                    start, end = toks[i][1], toks[j - 1][2]
                    span = {"start": start, "end": end, "text": text[start:end]}
                    sug = found.get((entry.system, entry.code))
                    if sug is None:
                        found[(entry.system, entry.code)] = {
                            "system": entry.system,
                            "code": entry.code,
                            "title": entry.title,
                            "score": 1.0,
                            "evidence": [span],
                            "assertion": "present",
                            "rationale": f"{entry.source}: {entry.term}",
                            "flags": [],
                        }
                    elif span not in sug["evidence"]:
                        sug["evidence"].append(span)
                    mention = {
                        **span,
                        "type": "procedure" if entry.system == "ICD-10-PCS" else "problem",
                        "assertion": "present",
                        "trigger": None,
                        "section": None,
                    }
                    if mention not in mentions:
                        mentions.append(mention)
                if key not in self._prefixes:
                    break
        suggestions = sorted(found.values(), key=lambda s: (s["evidence"][0]["start"], s["system"], s["code"]))
        return {
            "threshold": self.threshold,
            "codeset_versions": dict(self.codeset_versions),
            "suggestions": suggestions,
            "mentions": mentions,
        }
