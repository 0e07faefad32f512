"""Annotated documents (interfaces.md section 1): loading and validation with line- and field-precise errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cac.codesets import SYSTEMS
from cac.coding.types import ASSERTIONS, NOTE_TYPES, SETTINGS  # the vocabularies of interfaces.md

PARTIAL_CPT_RELEASE = "builtin"  # cac ships code numbers only for common CPT codes; not a full release


@dataclass(frozen=True)
class GoldCode:
    system: str
    code: str
    evidence: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class GoldMention:
    start: int
    end: int
    text: str
    type: str
    assertion: str


@dataclass
class Document:
    """One annotated note."""

    id: str
    text: str
    setting: str = "outpatient"
    note_type: str | None = None
    codes: list[GoldCode] = field(default_factory=list)
    mentions: list[GoldMention] = field(default_factory=list)
    line: int = 0


class AnnotationError(ValueError):
    """Every problem found in an annotation file, one per line of the message."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.problems = problems
        head = f"{path}: {len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(head + "\n" + "\n".join(problems))


# (system, code) -> canonical code, or an error message when it is malformed or not in the release.
CodeChecker = Callable[[str, str], "tuple[str | None, str | None]"]


def store_checker() -> CodeChecker:
    """A checker backed by the active code-set releases (``cac.codesets``)."""
    from cac.codesets import InvalidCodeError, normalise_code, open_store

    store = open_store(quiet=True)

    def check(system: str, code: str) -> tuple[str | None, str | None]:
        try:
            norm = normalise_code(system, code)
        except InvalidCodeError as exc:
            return None, str(exc)
        release = store.active_release(system)
        if release is None or (system == "CPT" and release == PARTIAL_CPT_RELEASE):
            return norm, None  # no release loaded, or only cac's partial CPT list (AMA licence): shape only
        if not store.is_valid(system, norm):
            return None, f"{system} code {norm} is not in the active release {store.active_release(system)}"
        return norm, None

    return check


class _Collector:
    def __init__(self, line: int) -> None:
        self.line = line
        self.problems: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(f"line {self.line}: {where}: {message}")


def _span(c: _Collector, where: str, value: Any, text: str) -> tuple[int, int] | None:
    if (
        not isinstance(value, list | tuple)
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        c.add(where, f"expected [start, end] integers, got {json.dumps(value)}")
        return None
    start, end = value
    if not 0 <= start < end <= len(text):
        c.add(where, f"span [{start}, {end}] is outside the text (length {len(text)}) or empty")
        return None
    return start, end


def parse_document(record: Any, line: int, check_code: CodeChecker | None) -> tuple[Document | None, list[str]]:
    """One JSON object to a Document, or the list of its problems."""
    c = _Collector(line)
    if not isinstance(record, dict):
        c.add("document", "expected a JSON object")
        return None, c.problems
    doc_id = record.get("id")
    if not isinstance(doc_id, str) or not doc_id:
        c.add("id", "missing or not a non-empty string")
    text = record.get("text")
    if not isinstance(text, str) or not text:
        c.add("text", "missing or not a non-empty string")
        text = ""
    setting = record.get("setting", "outpatient")
    if setting not in SETTINGS:
        c.add("setting", f"{setting!r} is not one of {', '.join(SETTINGS)}")
    note_type = record.get("note_type")
    if note_type is not None and note_type not in NOTE_TYPES:
        c.add("note_type", f"{note_type!r} is not one of {', '.join(NOTE_TYPES)}")

    codes: list[GoldCode] = []
    raw_codes = record.get("codes", [])
    if not isinstance(raw_codes, list):
        c.add("codes", "expected a list")
        raw_codes = []
    for i, entry in enumerate(raw_codes):
        where = f"codes[{i}]"
        if not isinstance(entry, dict):
            c.add(where, "expected an object")
            continue
        system = entry.get("system")
        code = entry.get("code")
        if system not in SYSTEMS:
            c.add(f"{where}.system", f"{system!r} is not one of {', '.join(SYSTEMS)}")
            continue
        if not isinstance(code, str):
            c.add(f"{where}.code", "missing or not a string")
            continue
        norm: str | None = code
        if check_code is not None:
            norm, problem = check_code(system, code)
            if problem:
                c.add(f"{where}.code", problem)
        spans: list[tuple[int, int]] = []
        evidence = entry.get("evidence", [])
        if not isinstance(evidence, list):
            c.add(f"{where}.evidence", "expected a list of [start, end]")
            evidence = []
        for j, raw in enumerate(evidence):
            span = _span(c, f"{where}.evidence[{j}]", raw, text)
            if span:
                spans.append(span)
        if norm is not None:
            codes.append(GoldCode(system, norm, tuple(spans)))

    mentions: list[GoldMention] = []
    raw_mentions = record.get("mentions", [])
    if not isinstance(raw_mentions, list):
        c.add("mentions", "expected a list")
        raw_mentions = []
    for i, m in enumerate(raw_mentions):
        where = f"mentions[{i}]"
        if not isinstance(m, dict):
            c.add(where, "expected an object")
            continue
        span = _span(c, where, [m.get("start"), m.get("end")], text)
        quoted = m.get("text")
        if span and quoted is not None and text[span[0] : span[1]] != quoted:
            c.add(
                f"{where}.text",
                f"text[{span[0]}:{span[1]}] is {text[span[0] : span[1]]!r}, not the quoted {quoted!r}",
            )
        assertion = m.get("assertion")
        if assertion not in ASSERTIONS:
            c.add(f"{where}.assertion", f"{assertion!r} is not one of {', '.join(ASSERTIONS)}")
        mtype = m.get("type", "problem")
        if mtype not in ("problem", "procedure"):
            c.add(f"{where}.type", f"{mtype!r} is not problem or procedure")
        if span and assertion in ASSERTIONS:
            mentions.append(GoldMention(span[0], span[1], text[span[0] : span[1]], mtype, assertion))
    if c.problems:
        return None, c.problems
    assert isinstance(doc_id, str)
    return Document(doc_id, text, setting, note_type, codes, mentions, line), []


def load_annotations(path: str | Path, check_code: CodeChecker | None | str = "store") -> list[Document]:
    """Read and validate a JSONL file; raise AnnotationError listing every problem (line and field).

    ``check_code="store"`` validates codes against the active releases; pass None to skip that check or
    your own checker (tests).
    """
    checker: CodeChecker | None = store_checker() if check_code == "store" else check_code  # type: ignore[assignment]
    path = Path(path)
    docs: list[Document] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    with path.open(encoding="utf-8") as fh:
        for line_no, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except json.JSONDecodeError as exc:
                problems.append(f"line {line_no}: not valid JSON ({exc.msg} at column {exc.colno})")
                continue
            doc, errs = parse_document(record, line_no, checker)
            problems.extend(errs)
            if doc is None:
                continue
            if doc.id in seen:
                problems.append(f"line {line_no}: id: {doc.id!r} already used on line {seen[doc.id]}")
                continue
            seen[doc.id] = line_no
            docs.append(doc)
    if problems:
        raise AnnotationError(str(path), problems)
    return docs
