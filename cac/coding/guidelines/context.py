"""What the guideline rules know about the encounter besides the candidates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cac.coding.types import SETTINGS, Candidate

if TYPE_CHECKING:
    from cac.codesets import CodeEntry, CodeSetStore


@dataclass
class GuidelineContext:
    """The encounter: setting (outpatient | inpatient | emergency), note type, code-set store, note text."""

    setting: str = "outpatient"
    note_type: str | None = None
    store: CodeSetStore = field(default=None, repr=False)  # type: ignore[assignment]  # opened when None
    text: str | None = field(default=None, repr=False)
    # when a list: receives the codes a rule family removed that stay in the ranked list (``apply_guidelines``)
    set_aside: list[Candidate] | None = field(default=None, repr=False, compare=False)
    _entries: dict[str, CodeEntry | None] = field(default_factory=dict, init=False, repr=False)
    # what a rule family reads from the note's words, kept for the other families of the same note
    memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.setting not in SETTINGS:
            raise ValueError(f"unknown setting {self.setting!r}; expected one of: {', '.join(SETTINGS)}")
        if self.store is None:
            from cac.codesets import open_store

            self.store = open_store()

    @property
    def inpatient(self) -> bool:
        return self.setting == "inpatient"

    def entry(self, code: str) -> CodeEntry | None:
        """The ICD-10-CM entry of ``code`` (None when not in the release), looked up once per context."""
        if code not in self._entries:
            from cac.codesets import InvalidCodeError

            try:
                self._entries[code] = self.store.get("ICD-10-CM", code)
            except InvalidCodeError:
                self._entries[code] = None
        return self._entries[code]
