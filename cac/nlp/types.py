"""Result types of the NLP stage: sections, mentions, triggers, cues."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ASSERTIONS = ("present", "negated", "possible", "historical", "family", "hypothetical")


@dataclass(frozen=True)
class Trigger:
    """The words that set an assertion, as char offsets into the analysed text."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True)
class AssertionResult:
    """One of ASSERTIONS and the trigger responsible (None for present or a section default)."""

    label: str
    trigger: Trigger | None = None


@dataclass(frozen=True)
class Cue:
    """A negation or speculation cue in a sentence."""

    kind: str  # "negation" | "speculation"
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Section:
    """A note section: normalised name, body offsets and header offsets (all chars into the text)."""

    name: str
    start: int
    end: int
    header_start: int
    header_end: int

    @property
    def header(self) -> tuple[int, int]:
        return (self.header_start, self.header_end)


@dataclass
class Mention:
    """A problem or procedure phrase found in the note, with its assertion and code candidates."""

    start: int
    end: int
    text: str
    type: str  # "problem" | "procedure"
    assertion: str = "present"
    trigger: Trigger | None = None
    section: str | None = None
    candidates: list[tuple[str, str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The ``mentions`` entry of interfaces.md section 2."""
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "type": self.type,
            "assertion": self.assertion,
            "trigger": self.trigger.to_dict() if self.trigger else None,
            "section": self.section,
        }
