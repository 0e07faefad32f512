"""Where in a note a procedure statement counts: clauses, sections, and the cues that block coding."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cac.coding.procedures.data import load_yaml

# A clause ends at a sentence stop, a semicolon, a blank line, or a line break before a list item or a header.
_CLAUSE_END = re.compile(
    r"(?<=[.;!?])\s+(?=[A-Z0-9(\-•*])|;\s*|\n\s*\n|\n(?=\s*(?:[-•*]|\d+[.)]\s|[A-Z][A-Za-z /&-]{1,40}:))"
)
_BEFORE_WINDOW = 60
# A cue does not reach across a parenthesis, a dash aside or a label.
_BEFORE_CUT = re.compile(r"[():]| - | -- ")
# A list section (medications, history) ends at the next labelled line, even when no known header follows.
_LABEL_LINE = re.compile(r"\n\s*[A-Z][A-Za-z /&()-]{0,40}:")
_LIST_SECTIONS = frozenset(
    {
        "medications",
        "discharge_medications",
        "allergies",
        "past_medical_history",
        "past_surgical_history",
        "family_history",
        "social_history",
        "review_of_systems",
    }
)
_NEVER_CODED = frozenset({"negated", "hypothetical", "historical"})


@dataclass(frozen=True)
class Clause:
    """A clause of the note: char offsets and the normalised section it sits in (None outside sections)."""

    start: int
    end: int
    section: str | None


@dataclass(frozen=True)
class _Cues:
    before: tuple[re.Pattern[str], ...]
    after: tuple[re.Pattern[str], ...]
    blocked_sections: frozenset[str]
    soft_sections: frozenset[str]
    planning_index: int
    result: re.Pattern[str]
    done: re.Pattern[str]


@lru_cache(maxsize=1)
def _cues() -> _Cues:
    data = load_yaml("cues.yaml")
    return _Cues(
        before=tuple(re.compile(p, re.I) for p in data["before"]),
        after=tuple(re.compile(p, re.I) for p in data["after"]),
        blocked_sections=frozenset(data["blocked_sections"]),
        soft_sections=frozenset(data["soft_sections"]),
        planning_index=int(data["planning_cue_index"]),
        result=re.compile(data["result_reported"], re.I),
        done=re.compile(data["done_cue"], re.I),
    )


class NoteContext:
    """The note split into clauses, with the NLP sections and mentions, answering "may this span be coded?"."""

    def __init__(self, text: str, doc: Any = None) -> None:
        self.text = text
        sections = list(getattr(doc._, "sections", []) or []) if doc is not None else []
        mentions = list(getattr(doc._, "mentions", []) or []) if doc is not None else []
        self._sections = [(s.start, self._effective_end(s), s.name, s.header_start) for s in sections]
        self._blocked_mentions = [
            (m.start, m.end) for m in mentions if m.type == "procedure" and m.assertion in _NEVER_CODED
        ]
        self.clauses = self._split()

    def _effective_end(self, section: Any) -> int:
        if section.name not in _LIST_SECTIONS:
            return int(section.end)
        m = _LABEL_LINE.search(self.text, section.start, section.end)
        return m.start() if m else int(section.end)

    def _split(self) -> list[Clause]:
        out: list[Clause] = []
        pos = 0
        for match in _CLAUSE_END.finditer(self.text):
            if match.start() > pos:
                out.append(Clause(pos, match.start(), self.section_at(pos)))
            pos = match.end()
        if pos < len(self.text):
            out.append(Clause(pos, len(self.text), self.section_at(pos)))
        return out

    def section_at(self, pos: int) -> str | None:
        """The normalised section name holding ``pos`` (its header included)."""
        for start, end, name, header_start in self._sections:
            if header_start <= pos < end or start <= pos < end:
                return name
        return None

    def clause_at(self, pos: int) -> Clause:
        for clause in self.clauses:
            if clause.start <= pos < clause.end:
                return clause
        return Clause(pos, pos, self.section_at(pos))

    def clause_index(self, pos: int) -> int:
        for i, clause in enumerate(self.clauses):
            if clause.start <= pos < clause.end:
                return i
        return -1

    def block_reason(self, start: int, end: int, use_mentions: bool = True) -> str | None:
        """Why the procedure words at [start, end) must not be coded, or None when they may be.

        ``use_mentions=False`` ignores the NLP assertion of overlapping mentions: for a test or an imaging study a
        "negative" mention reports a normal result ("chest X-ray was negative"), not a study that was not done.
        """
        clause = self.clause_at(start)
        cues = _cues()
        if clause.section in cues.blocked_sections:
            soft = clause.section in cues.soft_sections
            if not (soft and cues.done.search(self.text[clause.start : clause.end])):
                return f"section {clause.section}"
        before = self.text[max(clause.start, start - _BEFORE_WINDOW) : start]
        cuts = list(_BEFORE_CUT.finditer(before))
        if cuts:
            before = before[cuts[-1].end() :]
        for index, pattern in enumerate(cues.before):
            hit = pattern.search(before)
            if hit and index == cues.planning_index and cues.result.search(self.text[start : clause.end]):
                continue
            if hit:
                return f"cue {hit.group(0)!r}"
        after = self.text[end : clause.end]
        for pattern in cues.after:
            hit = pattern.search(after)
            if hit:
                return f"cue {hit.group(0)!r}"
        if not use_mentions:
            return None
        for m_start, m_end in self._blocked_mentions:
            if m_start <= start < m_end or start <= m_start < end:
                return "mention not asserted present"
        return None

    def ok(self, start: int, end: int, use_mentions: bool = True) -> bool:
        return self.block_reason(start, end, use_mentions) is None

    def window(self, start: int, following: int = 2) -> tuple[int, int]:
        """The clause holding ``start`` and the next ``following`` clauses of the same section."""
        i = self.clause_index(start)
        if i < 0:
            return start, start
        first = self.clauses[i]
        last = first
        for clause in self.clauses[i + 1 : i + 1 + following]:
            if clause.section != first.section:
                break
            last = clause
        return first.start, last.end
