"""Plain data types of the code-set layer."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

NOTE_KINDS = (
    "inclusion_term",
    "includes",
    "excludes1",
    "excludes2",
    "code_first",
    "use_additional_code",
    "code_also",
    "notes",
    "seven_chr_note",
    "seven_chr_def",
    "short_title",
)


@dataclass
class CodeRecord:
    """One entry of a release as an importer produces it."""

    code: str
    title: str
    billable: bool
    parent: str | None = None
    kind: str = "code"  # block | category | code | modifier
    chapter: str | None = None
    block: str | None = None
    notes: list[tuple[str, str]] = field(default_factory=list)  # (note kind, text), in source order


@dataclass
class IndexRow:
    """One term of the Alphabetic Index (main index or a table), with its place in the term tree."""

    id: int
    parent_id: int | None
    level: int
    term: str
    path: str  # "Attack, attacks > heart"
    table: str = "main"  # main | neoplasm | drug | external
    column: str | None = None  # table column heading, for neoplasm and drug cells
    code: str | None = None
    see: str | None = None
    see_also: str | None = None
    nonessential: str | None = None
    resolved_from: str | None = None  # the see-reference the code was taken from


@dataclass
class HccCategory:
    model: str
    category: str
    label: str
    payment_year: int


@dataclass
class CodeEntry:
    """Everything the store knows about one code."""

    system: str
    code: str
    title: str
    billable: bool
    release: str
    kind: str
    parent: str | None
    children: list[str]
    chapter: str | None
    block: str | None
    notes: dict[str, list[str]]
    inherited_notes: dict[str, list[dict[str, str]]]
    hcc: list[HccCategory]
    index_terms: list[str]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SearchHit:
    system: str
    code: str
    title: str
    score: float
    matched: str
    source: str
    billable: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ReleaseInfo:
    system: str
    release: str
    source: str
    imported_at: str
    code_count: int
    billable_count: int
    active: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
