"""ICD-10-PCS codes built axis by axis from the note (``resources/pcs_rules.yaml`` and ``pcs_axes.yaml``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from cac.coding.procedures.common import make_candidate, span
from cac.coding.procedures.context import NoteContext
from cac.coding.procedures.data import compile_flex, load_yaml, trigger_words, union_words
from cac.coding.types import Candidate, Span

PCS = "ICD-10-PCS"
_SLOT = re.compile(r"\{(\w+)(?:\.(\d))?\}")
UNSPECIFIED_PENALTY = 0.12
_HOURS = re.compile(r"\b(\d+(?:\.\d+)?)\s*(?:consecutive\s+)?(h|hrs?|hours?)\b", re.I)
_DAYS = re.compile(r"\b(\d+|one|two|three|four|five|six|seven)\s*(days?)\b", re.I)
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}


@dataclass(frozen=True)
class AxisEntry:
    """One row of an axis table: the character(s) it gives and when."""

    value: str
    name: str
    all: tuple[re.Pattern[str], ...] = ()
    none: tuple[re.Pattern[str], ...] = ()
    hours_min: float | None = None
    hours_max: float | None = None


@dataclass(frozen=True)
class PcsFamily:
    name: str
    trigger: tuple[re.Pattern[str], ...]
    template: str
    slots: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    requires: tuple[re.Pattern[str], ...] = ()
    excludes: tuple[re.Pattern[str], ...] = ()
    suppressed_by: tuple[str, ...] = ()
    note_types: tuple[str | None, ...] = ()
    score: float = 0.85
    keywords: frozenset[str] | None = None
    # per trigger: words one of which its matches contain (None: always run)
    trigger_words: tuple[frozenset[str] | None, ...] = ()


def _patterns(items: Any) -> tuple[re.Pattern[str], ...]:
    if isinstance(items, str):
        items = [items]
    return tuple(compile_flex(p) for p in items or ())


@lru_cache(maxsize=1)
def axes() -> dict[str, tuple[AxisEntry, ...]]:
    """Every axis table, from pcs_axes.yaml and the extra_axes of pcs_rules.yaml."""
    raw = dict(load_yaml("pcs_axes.yaml"))
    raw.update(load_yaml("pcs_rules.yaml").get("extra_axes") or {})
    return {
        name: tuple(
            AxisEntry(
                value=str(e["value"]),
                name=str(e.get("name", e["value"])),
                all=_patterns(e.get("all")),
                none=_patterns(e.get("none")),
                hours_min=e.get("hours_min"),
                hours_max=e.get("hours_max"),
            )
            for e in entries
        )
        for name, entries in raw.items()
    }


@lru_cache(maxsize=1)
def pcs_families() -> tuple[PcsFamily, ...]:
    out = []
    for raw in load_yaml("pcs_rules.yaml")["families"]:
        words = trigger_words(raw["trigger"])
        out.append(
            PcsFamily(
                name=raw["name"],
                trigger=_patterns(raw["trigger"]),
                keywords=union_words(words),
                trigger_words=words,
                template=str(raw["template"]),
                slots=dict(raw.get("slots") or {}),
                defaults={k: str(v) for k, v in (raw.get("defaults") or {}).items()},
                requires=_patterns(raw.get("requires")),
                excludes=_patterns(raw.get("excludes")),
                suppressed_by=tuple(raw.get("suppressed_by") or ()),
                note_types=tuple(raw.get("note_types") or ()),
                score=float(raw.get("score", 0.85)),
            )
        )
    return tuple(out)


def duration_hours(text: str) -> float | None:
    """A duration in hours stated in the text ("for 3 days", "36 hours")."""
    m = _HOURS.search(text)
    if m:
        return float(m.group(1))
    m = _DAYS.search(text)
    if m:
        word = m.group(1).lower()
        return 24.0 * (int(word) if word.isdigit() else _WORDS[word])
    return None


@lru_cache(maxsize=1)
def nearest_tables() -> frozenset[str]:
    """Axis tables (body parts) decided by the words nearest the procedure rather than by table order."""
    return frozenset(load_yaml("pcs_rules.yaml").get("nearest_tables") or ())


def axis_value(table: str, text: str, anchor: int = 0) -> tuple[AxisEntry, re.Match[str] | None] | None:
    """The entry of an axis table that the text supports (the first, or the nearest ``anchor`` for body-part
    tables), with the words that decided it."""
    if table in nearest_tables():
        best: tuple[AxisEntry, re.Match[str]] | None = None
        for entry in axes()[table]:
            if any(p.search(text) for p in entry.none):
                continue
            hits = [min(p.finditer(text), key=lambda h: abs(h.start() - anchor), default=None) for p in entry.all]
            if not hits or not all(hits):
                continue
            hit = hits[0]
            assert hit is not None
            if best is None or abs(hit.start() - anchor) < abs(best[1].start() - anchor):
                best = (entry, hit)
        return best
    for entry in axes()[table]:
        if entry.hours_min is not None or entry.hours_max is not None:
            hours = duration_hours(text)
            if hours is None:
                continue
            if entry.hours_min is not None and hours < entry.hours_min:
                continue
            if entry.hours_max is not None and hours > entry.hours_max:
                continue
            return entry, None
        hits = [p.search(text) for p in entry.all]
        if all(hits) and not any(p.search(text) for p in entry.none):
            return entry, hits[0]
    return None


@dataclass
class Built:
    """A code assembled from a template, with what each axis came from."""

    code: str
    stem: str
    chosen: dict[str, str]
    missing: list[str]
    evidence: list[Span]


def build(
    family: PcsFamily, text: str, offset: int, note: str, anchor: int = 0, whole_note: bool = False
) -> Built | None:
    """Fill a family's template from the words of ``text`` (a slice of ``note`` at ``offset``). ``whole_note``: an
    axis the slice does not give is looked for in the rest of the note (a procedure report states the contrast or the
    device in its own line, away from the procedure's name)."""
    chosen: dict[str, str] = {}
    missing: list[str] = []
    evidence: list[Span] = []
    values: dict[str, str] = {}
    for slot in dict.fromkeys(m.group(1) for m in _SLOT.finditer(family.template)):
        table = family.slots.get(slot, slot)
        found = axis_value(table, text, anchor)
        base = offset
        if found is None and whole_note:
            found = axis_value(table, note, offset + anchor)
            base = 0
        if found is not None:
            entry, hit = found
            values[slot] = entry.value
            chosen[slot] = entry.name
            if hit is not None:
                evidence.append(span(note, base + hit.start(), base + hit.end()))
        elif slot in family.defaults:
            values[slot] = family.defaults[slot]
            missing.append(slot)
        else:
            return None
    code = _SLOT.sub(
        lambda m: values[m.group(1)][int(m.group(2))] if m.group(2) else values[m.group(1)], family.template
    )
    fixed = [
        i
        for i, ch in enumerate(
            _SLOT.sub(lambda m: "?" * (1 if m.group(2) else len(values[m.group(1)])), family.template)
        )
        if ch == "?" and _slot_at(family.template, values, i) in missing
    ]
    stem_len = min([4, *fixed])
    stem = code[:stem_len]
    return Built(code, stem, chosen, missing, evidence)


def _slot_at(template: str, values: dict[str, str], index: int) -> str | None:
    """The slot name that fills character ``index`` of the built code (None for a fixed character)."""
    pos = 0
    last = 0
    for m in _SLOT.finditer(template):
        pos += m.start() - last
        width = 1 if m.group(2) else len(values[m.group(1)])
        if pos <= index < pos + width:
            return m.group(1)
        pos += width
        last = m.end()
    return None


def _completion(store: Any, code: str, known_prefix: str) -> str | None:
    """A valid code sharing the longest possible prefix with ``code`` (at least ``known_prefix``)."""
    if store.is_valid(PCS, code):
        return code
    if len(known_prefix) < 4:
        return None
    for cut in range(6, len(known_prefix) - 1, -1):
        prefix = code[:cut]
        options = [c for c, _t, _b in _pcs_codes(id(store), store) if c.startswith(prefix)]
        if options:
            return sorted(options)[0]
    return None


@lru_cache(maxsize=4)
def _pcs_codes(store_key: int, store: Any) -> tuple[tuple[str, str, bool], ...]:
    del store_key
    return tuple(store.codes(PCS))


def propose_pcs(ctx: NoteContext, store: Any, note_type: str | None = None) -> list[Candidate]:
    """PCS candidates for every family documented as done in this stay."""
    fired: dict[str, Candidate] = {}
    for family in pcs_families():
        if family.note_types and note_type not in family.note_types:
            continue
        if family.keywords is not None and not any(k in ctx.lower for k in family.keywords):
            continue
        trig = None
        for start, end in ctx.spans_of(family.trigger, family.trigger_words):
            if not ctx.ok(start, end):
                continue
            lo, hi = ctx.window(start, following=2)
            clause = ctx.clause_at(start)
            scope = ctx.text[min(lo, clause.start) : hi]
            if family.requires and not all(p.search(scope) for p in family.requires):
                continue
            if any(p.search(scope) for p in family.excludes):
                continue
            trig = (start, end, min(lo, clause.start), scope)
            break
        if trig is None:
            continue
        start, end, lo, scope = trig
        report = note_type in {"operative_report", "procedure_note"}
        built = build(family, scope, lo, ctx.text, start - lo, whole_note=report)
        if built is None:
            continue
        code = _completion(store, built.code, built.stem)
        if code is None:
            continue
        score = family.score
        flags: list[str] = []
        why = f"PCS rule '{family.name}': {ctx.text[start:end]!r}"
        if built.missing or code != built.code:
            score -= UNSPECIFIED_PENALTY
            flags.append("unspecified")
            why += f"; stem {built.stem}, not documented: {', '.join(built.missing) or 'full code'}"
            why += f" (completed as {code})"
        attrs = dict(built.chosen)
        section = ctx.section_at(start)
        cand = make_candidate(
            store,
            PCS,
            code,
            score,
            [span(ctx.text, start, end), *built.evidence],
            why,
            attrs,
            flags,
            sections=[section] if section else [],
        )
        if cand is not None:
            fired[family.name] = cand
    out = []
    for family in pcs_families():
        cand = fired.get(family.name)
        if cand is None:
            continue
        if any(name in fired for name in family.suppressed_by):
            continue
        out.append(cand)
    return out
