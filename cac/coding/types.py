"""The result types of the coding stage: what ``engine.suggest`` returns (interfaces.md section 2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ASSERTIONS = ("present", "negated", "possible", "historical", "family", "hypothetical")
SETTINGS = ("outpatient", "inpatient", "emergency")
NOTE_TYPES = (
    "progress_note",
    "discharge_summary",
    "operative_report",
    "procedure_note",
    "radiology_report",
    "ed_note",
    "consult",
    "hp",
)


@dataclass(frozen=True)
class Span:
    """Character offsets into the note, and the text they cover."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass
class Candidate:
    """One code proposed for a note, with the evidence and reasoning behind it.

    ``score`` is in [0, 1]. ``assertion`` is the assertion of the supporting mention(s). ``sections`` are the
    normalised section names the evidence comes from. ``source`` says how the code was found: ``index``,
    ``lexical``, ``dense``, ``rule`` (added by a guideline rule). ``rationale`` is a short human-readable why.
    ``flags`` may hold: ``unspecified``, ``more_specific_documented``, ``hcc``, ``uncertain``, ``set_aside`` (a code a
    guideline rule removed, kept below the threshold for review), ``alternative`` (a sibling of a reported code
    whose title adds words the note writes beside its evidence, listed below the threshold: ``alternatives.py``),
    ``runner_up`` (a code a present or possible mention's retrieval found and did not keep, whose title adds words the
    note writes beside the mention, listed below the threshold: ``runners_up.py``).
    """

    system: str
    code: str
    title: str
    score: float
    evidence: list[Span]
    assertion: str = "present"
    sections: list[str] = field(default_factory=list)
    source: str = "lexical"
    rationale: str = ""
    flags: list[str] = field(default_factory=list)
    mention_text: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "system": self.system,
            "code": self.code,
            "title": self.title,
            "score": round(self.score, 4),
            "evidence": [e.to_dict() for e in self.evidence],
            "assertion": self.assertion,
            "rationale": self.rationale,
            "flags": list(self.flags),
        }
