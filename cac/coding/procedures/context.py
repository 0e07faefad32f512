"""Where in a note a procedure statement counts: clauses, sections, and the cues that block coding."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cac.coding.prefilter import may_match, may_match_all, required_groups
from cac.coding.procedures.data import compile_flex, load_yaml

# A clause ends at a sentence stop, a semicolon, a blank line, or a line break before a list item ("- ", "2) ",
# "#3 ") or a header.
_CLAUSE_END = re.compile(
    r"(?<=[.;!?])\s+(?=[A-Z0-9(\-•*])|;\s*|\n\s*\n|\n(?=\s*(?:[-•*]|#\s?\d+\b|\d+[.)]\s|[A-Z][A-Za-z /&-]{1,40}:))"
)
# A negation inside a parenthetical aside that names something else is about that thing ("cerumen removed
# (irrigation not needed)"); "(patient declined)" still negates the procedure before it.
_ASIDE_SUBJECTS = frozenset(
    {"patient", "pt", "was", "were", "is", "are", "has", "had", "been", "by", "per", "the", "it", "this", "he", "she"}
)
_ASIDE_SUBJECTS |= {"they", "family", "and", "but", "then", "procedure", "test", "study", "exam"}


def _names_other(before_cue: str) -> bool:
    """True when ``before_cue`` (the text between the procedure words and a cue) opens a parenthetical aside that
    names something other than the patient or the procedure itself."""
    if ")" in before_cue or "(" not in before_cue:
        return False
    words = re.findall(r"[A-Za-z]{2,}", before_cue[before_cue.rindex("(") :])
    return any(w.lower() not in _ASIDE_SUBJECTS for w in words)


_BEFORE_WINDOW = 60
# A cue does not reach across a parenthesis, a dash aside or a label.
_BEFORE_CUT = re.compile(r"[():]| - | -- ")
# A list section (medications, history) ends at the next labelled line, even when no known header follows.
_LABEL_LINE = re.compile(r"\n\s*[A-Z][A-Za-z /&()-]{0,40}:")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
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
_REPORTS = frozenset({"operative_report", "procedure_note"})
# The procedure list of an operative or procedure report ("PROCEDURES PERFORMED: 1. ... 2. ..."), up to the next
# labelled line or blank line. "OPERATIONS:" there names this operation, not the surgical history.
_PROCEDURE_HEADER = re.compile(
    r"^[ \t]*(?:(?:NAME|TITLE|TYPE) OF (?:THE )?(?:PROCEDURES?|OPERATIONS?)|(?:OPERATIVE |SURGICAL )?PROCEDURES?"
    r"(?: PERFORMED| DONE)?(?: \(S\))?|OPERATIONS?(?: PERFORMED| DONE)?|SURGER(?:Y|IES) PERFORMED|OPERATIVE PROCEDURES?"
    r"|PROCEDURE\(S\)(?: PERFORMED)?|(?:PROCEDURE|OPERATIVE) NOTE)[ \t]*(?::|\n|$)",
    re.I | re.M,
)
# A sentence telling what happened ("Consent obtained.", "The scope was passed.") ends a procedure list.
_NARRATIVE = re.compile(
    r"\b(was|were|is|are|had|has|obtained|passed|placed|performed|noted|prepped|draped|brought|taken|given|"
    r"advanced|identified|tolerated|seen|found|showed|revealed)\b",
    re.I,
)
_LIST_ITEM = re.compile(r"\n[ \t]*(?:\d+[.)]|[-*\u2022])[^\n]*")
_NEXT_LABEL = re.compile(r"\n[ \t]*\n|\n[ \t]*[A-Z][A-Za-z /&()'-]{1,40}:", re.M)


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
    history_labels: re.Pattern[str]


@lru_cache(maxsize=1)
def _cues() -> _Cues:
    data = load_yaml("cues.yaml")
    return _Cues(
        before=tuple(compile_flex(p) for p in data["before"]),
        after=tuple(compile_flex(p) for p in data["after"]),
        blocked_sections=frozenset(data["blocked_sections"]),
        soft_sections=frozenset(data["soft_sections"]),
        planning_index=int(data["planning_cue_index"]),
        result=re.compile(data["result_reported"], re.I),
        done=re.compile(data["done_cue"], re.I),
        history_labels=re.compile(data["history_labels"], re.I | re.M),
    )


class NoteContext:
    """The note split into clauses, with the NLP sections and mentions, answering "may this span be coded?"."""

    def __init__(self, text: str, doc: Any = None, note_type: str | None = None) -> None:
        self.text = text
        self.lower = text.lower()
        self.note_type = note_type
        self.headers = self._procedure_headers()
        self.history_blocks = self._history_blocks()
        sections = list(getattr(doc._, "sections", []) or []) if doc is not None else []
        mentions = list(getattr(doc._, "mentions", []) or []) if doc is not None else []
        self._sections = [(s.start, self._effective_end(s), s.name, s.header_start) for s in sections]
        self._blocked_mentions = [
            (m.start, m.end, m.assertion) for m in mentions if m.type == "procedure" and m.assertion in _NEVER_CODED
        ]
        self.clauses = self._split()
        self._spans_memo: dict[tuple[re.Pattern[str], ...], list[tuple[int, int]]] = {}

    def spans_of(
        self, patterns: tuple[re.Pattern[str], ...], words: tuple[frozenset[str] | None, ...] = ()
    ) -> list[tuple[int, int]]:
        """(start, end) of every match of ``patterns`` in the note, sorted; a pattern none of whose required
        ``words`` (``cac.coding.prefilter``) occurs, or one of whose other required words is missing, is not run. Read
        once per note."""
        found = self._spans_memo.get(patterns)
        if found is None:
            found = sorted(
                (m.start(), m.end())
                for i, p in enumerate(patterns)
                if may_match(words[i] if i < len(words) else None, self.lower)
                and may_match_all(required_groups(p), self.lower)
                for m in p.finditer(self.text)
            )
            self._spans_memo[patterns] = found
        return list(found)

    def _procedure_headers(self) -> list[tuple[int, int]]:
        """Spans of the procedure list(s) of the note and of its title line."""
        out: list[tuple[int, int]] = []
        first = re.search(r"\S[^\n]*", self.text)
        if first and len(first.group(0)) <= 120:
            out.append((first.start(), first.end()))
        self._lists = 0
        self.list_spans: list[tuple[int, int]] = []
        for m in _PROCEDURE_HEADER.finditer(self.text):
            line_end = self.text.find("\n", m.end())
            line_end = len(self.text) if line_end < 0 else line_end
            rest = self.text[m.end() : line_end]
            if rest.strip(" \t,:"):
                # "Procedure: Flexible cystoscopy. Consent obtained. ..." - the list is the sentences naming procedures,
                # up to the first narrative one, and any numbered or bulleted lines right below them; a label opening
                # a narrative ("PROCEDURE: The chest was prepped ...") names no procedure
                first = re.match(r"[^.]+", rest)
                if first and _NARRATIVE.search(first.group(0)) and len(first.group(0).split()) > 6:
                    continue
                end = m.end()
                for sentence in re.finditer(r"[^.]+(?:\.|$)", rest):
                    if end > m.end() and _NARRATIVE.search(sentence.group(0)):
                        break
                    end = m.end() + sentence.end()
                for item in _LIST_ITEM.finditer(self.text, line_end):
                    if item.start() != line_end:
                        break
                    end = line_end = item.end()
            else:
                nxt = _NEXT_LABEL.search(self.text, m.end() + 1)
                end = min(nxt.start() if nxt else len(self.text), m.end() + 700)
            out.append((m.start(), end))
            self.list_spans.append((m.start(), end))
            self._lists += 1
        return out

    def _history_blocks(self) -> list[tuple[int, int]]:
        out = []
        for m in _cues().history_labels.finditer(self.text):
            nxt = _NEXT_LABEL.search(self.text, m.end())
            out.append((m.start(), nxt.start() if nxt else len(self.text)))
        return out

    def in_header(self, pos: int) -> bool:
        """True when ``pos`` lies in the note's title line or its procedure list."""
        return any(s <= pos < e for s, e in self.headers)

    def has_procedure_list(self) -> bool:
        return self._lists > 0

    def _effective_end(self, section: Any) -> int:
        if section.name not in _LIST_SECTIONS:
            return int(section.end)
        m = _LABEL_LINE.search(self.text, section.start, section.end)
        end = m.start() if m else int(section.end)
        # a list ends at the first blank line after its content ("Meds: ...\n\nProcedures (consent ...): ...")
        content = re.search(r"\S", self.text[section.start : end])
        if content:
            blank = _BLANK_LINE.search(self.text, section.start + content.start(), end)
            if blank:
                end = blank.start()
        return end

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
        if clause.section in cues.blocked_sections and not (
            self.note_type in _REPORTS and self.in_header(start) and clause.section == "past_surgical_history"
        ):
            soft = clause.section in cues.soft_sections
            if not (soft and cues.done.search(self.text[clause.start : clause.end])):
                return f"section {clause.section}"
        if any(s <= start < e for s, e in self.history_blocks) and not self.in_header(start):
            return "history line"
        before = self.text[max(clause.start, start - _BEFORE_WINDOW) : start]
        cuts = list(_BEFORE_CUT.finditer(before))
        if cuts:
            before = before[cuts[-1].end() :]
        listed = self.note_type in _REPORTS and any(s <= start < e for s, e in self.list_spans)
        for index, pattern in enumerate(cues.before):
            if listed and index != 0:
                continue  # in a report's procedure list only a negation counts ("repeat cesarean" was done now)
            hit = pattern.search(before)
            if hit and index == cues.planning_index and cues.result.search(self.text[start : clause.end]):
                continue
            if hit:
                return f"cue {hit.group(0)!r}"
        after = self.text[end : clause.end]
        for index, pattern in enumerate(cues.after[:1] if listed else cues.after):
            hit = pattern.search(after)
            if hit and index == 0 and _names_other(after[: hit.start()]):
                continue
            if hit:
                return f"cue {hit.group(0)!r}"
        if not use_mentions:
            return None
        done_here = bool(cues.done.search(self.text[clause.start : clause.end]))
        for m_start, m_end, assertion in self._blocked_mentions:
            if (assertion == "hypothetical" and done_here) or (listed and assertion != "negated"):
                continue  # "plan: vaccine given today": the plan section made it look planned, the clause says done
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
