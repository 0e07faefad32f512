"""Diagnostic radiology CPT from radiology reports: modality x body region x contrast / views / extent / side.

The exam is read from the report title (``EXAM: CT ABDOMEN AND PELVIS WITH IV CONTRAST`` or the first line). When the
title names no exam, the technique line and then the first clause naming a modality and a region are used, with a
lower score. Tables: ``resources/radiology.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from cac.coding.procedures.common import make_candidate, span
from cac.coding.procedures.context import NoteContext
from cac.coding.procedures.data import compile_flex, load_yaml
from cac.coding.procedures.imaging_attrs import contrast_state, view_count
from cac.coding.types import Candidate, Span

CPT = "CPT"
TITLE_SCORE = 0.86
DEFAULT_SCORE = 0.74
FALLBACK_SCORE = 0.72
_TITLE_LABEL = re.compile(
    r"^[ \t]*(?:EXAM(?:INATION)?S?(?: TYPE| PERFORMED| NAME)?|STUD(?:Y|IES)(?: PERFORMED)?|PROCEDURES?(?: PERFORMED)?"
    r"|TYPE OF (?:EXAM(?:INATION)?|STUDY)|TITLE|DIAGNOSTIC (?:STUDY|EXAM)|IMAGING (?:STUDY|EXAM)|RADIOLOGY EXAM"
    r"|REPORT|ORDER(?:ED)? EXAM)[ \t]*:[ \t,]*\n?[ \t]*(?P<t>[^\n]{3,160})",
    re.I | re.M,
)
_TECHNIQUE = re.compile(r"^[ \t]*TECHNIQUE[ \t]*:[ \t,]*(?P<t>[^\n]{3,300})", re.I | re.M)
_GENERIC_FIRST = re.compile(r"^\W*(radiology|imaging|diagnostic imaging)?\s*(report|consult\w*)?\W*$", re.I)


@dataclass(frozen=True)
class Row:
    """One exam row: (modality, regions) -> code, with the variants that choose among codes."""

    modality: str
    regions: tuple[str, ...]
    code: str | None = None
    contrast: dict[str, str] = field(default_factory=dict)
    views: tuple[tuple[int, str], ...] = ()
    default: str | None = None
    portable: str | None = None
    extent: dict[str, str] = field(default_factory=dict)
    default_extent: str = "complete"
    limited_regions: tuple[str, ...] = ()
    side: dict[str, str] = field(default_factory=dict)
    default_side: str = "unilateral"
    bilateral: dict[str, Any] = field(default_factory=dict)
    variants: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class Named:
    name: str
    words: re.Pattern[str]
    code: str
    variants: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class Tables:
    modalities: tuple[tuple[str, re.Pattern[str]], ...]
    regions: tuple[tuple[str, re.Pattern[str], tuple[str, ...]], ...]
    rows: dict[tuple[str, str], Row]
    combine: tuple[tuple[str, frozenset[str], str], ...]
    named: tuple[Named, ...]
    limited: re.Pattern[str]
    complete: re.Pattern[str]
    bilateral: re.Pattern[str]
    portable: re.Pattern[str]
    venous: re.Pattern[str]
    arterial: re.Pattern[str]


def _rx(p: str) -> re.Pattern[str]:
    return compile_flex(p)


@lru_cache(maxsize=1)
def tables() -> Tables:
    data = load_yaml("radiology.yaml")
    rows: dict[tuple[str, str], Row] = {}
    for raw in data["exams"]:
        row = Row(
            modality=raw["modality"],
            regions=tuple(raw["regions"]),
            code=raw.get("code"),
            contrast=dict(raw.get("contrast") or {}),
            views=tuple((int(n), str(c)) for n, c in raw.get("views") or ()),
            default=raw.get("default"),
            portable=raw.get("portable"),
            extent=dict(raw.get("extent") or {}),
            default_extent=raw.get("default_extent", "complete"),
            limited_regions=tuple(raw.get("limited_regions") or ()),
            side=dict(raw.get("side") or {}),
            default_side=raw.get("default_side", "unilateral"),
            bilateral=dict(raw.get("bilateral") or {}),
            variants=tuple(raw.get("variants") or ()),
        )
        for region in row.regions:
            rows.setdefault((row.modality, region), row)
    return Tables(
        modalities=tuple((m["name"], _rx(m["words"])) for m in data["modalities"]),
        regions=tuple((r["name"], _rx(r["words"]), tuple(r.get("parts") or ())) for r in data["regions"]),
        rows=rows,
        combine=tuple((c["modality"], frozenset(c["regions"]), c["into"]) for c in data["combine"]),
        named=tuple(
            Named(n["name"], _rx(n["words"]), str(n["code"]), tuple(n.get("variants") or ())) for n in data["named"]
        ),
        limited=_rx(data["limited_words"]),
        complete=_rx(data["complete_words"]),
        bilateral=_rx(data["bilateral_words"]),
        portable=_rx(data["portable_words"]),
        venous=_rx(data["duplex_venous"]),
        arterial=_rx(data["duplex_arterial"]),
    )


def _spans(patterns: tuple[tuple[str, re.Pattern[str]], ...], text: str) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, name) matches: earlier table entries first, then the longer match."""
    found: list[tuple[int, int, str]] = []
    for name, pattern in patterns:
        for m in pattern.finditer(text):
            if m.end() > m.start() and not any(s < m.end() and m.start() < e for s, e, _ in found):
                found.append((m.start(), m.end(), name))
    return sorted(found)


def _regions(text: str) -> list[tuple[int, int, str]]:
    t = tables()
    hits: list[tuple[int, int, str, int]] = []
    for order, (name, pattern, _parts) in enumerate(t.regions):
        for m in pattern.finditer(text):
            if m.end() > m.start():
                hits.append((m.start(), m.end(), name, order))
    # longer first, then table order; drop overlaps
    hits.sort(key=lambda h: (-(h[1] - h[0]), h[3]))
    kept: list[tuple[int, int, str]] = []
    for s, e, name, _o in hits:
        if not any(ks < e and s < ke for ks, ke, _ in kept):
            kept.append((s, e, name))
    return sorted(kept)


@dataclass
class Exam:
    """An exam read from a title: the row, the words that named it, how its code was chosen."""

    row: Row
    region: str
    evidence: Span
    attrs: dict[str, Any]


def _matches(variant: dict[str, Any], *texts: str) -> bool:
    for text in texts:
        if all(_rx(p).search(text) for p in variant.get("all") or ()) and not any(
            _rx(p).search(text) for p in variant.get("none") or ()
        ):
            return True
    return False


def _band(bands: tuple[tuple[int, str], ...] | list[Any], views: int) -> str:
    for limit, code in bands:
        if views <= int(limit):
            return str(code)
    return str(bands[-1][1])


# Separators between the exams of a title naming several ("XR WRIST 3 VIEWS; XR HAND 2 VIEWS").
_EXAM_SEPARATOR = re.compile(r";|\s\+\s|,\s*(?=(?:XR|X-?RAY|CT|MRI?|US|radiographs?)\b)", re.I)


def exam_segment(title: str, pos: int) -> str:
    """The part of a title that names the exam at ``pos`` (the whole title when it names one exam)."""
    start, end = 0, len(title)
    for m in _EXAM_SEPARATOR.finditer(title):
        if m.end() <= pos:
            start = m.end()
        elif m.start() >= pos:
            end = m.start()
            break
    return title[start:end]


def resolve(
    row: Row, region: str, title: str, body: str, segment: str | None = None
) -> tuple[str, bool, dict[str, Any]]:
    """(code, decided by the documentation, attributes) for one exam row; ``segment``: the part of the title that
    names this exam, whose view count wins over another exam's."""
    t = tables()
    attrs: dict[str, Any] = {"modality": row.modality, "region": region.replace("_", " ")}
    for variant in row.variants:
        if _matches(variant, title) or (variant.get("note") and _matches(variant, body)):
            return str(variant["code"]), True, attrs
    side = "bilateral" if t.bilateral.search(title) else None
    if row.contrast:
        state = contrast_state(title) or contrast_state(body)
        attrs["contrast"] = state or "not stated (without)"
        code = row.contrast.get(state or "without") or row.contrast["without"]
        return code, True, attrs
    if row.views:
        bands: Any = row.views
        default = row.default
        if side == "bilateral" and row.bilateral:
            when = row.bilateral.get("when")
            if row.bilateral.get("code") and (not when or _rx(when).search(title + " " + body)):
                attrs["side"] = "bilateral"
                return str(row.bilateral["code"]), True, attrs
            if row.bilateral.get("views"):
                bands, default = row.bilateral["views"], row.bilateral.get("default", default)
                attrs["side"] = "bilateral"
        views = (view_count(segment) if segment else None) or view_count(title) or _stated_views(body)
        attrs["views"] = views
        if views:
            return _band(bands, views), True, attrs
        if row.portable and t.portable.search(title):
            attrs["views"] = "portable (1)"
            return row.portable, True, attrs
        return str(default or _band(bands, 1)), False, attrs
    if row.extent:
        if t.limited.search(title) or region in row.limited_regions:
            extent = "limited"
        elif t.complete.search(title):
            extent = "complete"
        else:
            extent = row.default_extent
        attrs["extent"] = extent
        return row.extent[extent], True, attrs
    if row.side:
        chosen = side or ("bilateral" if t.bilateral.search(body[:400]) else row.default_side)
        attrs["side"] = chosen
        return row.side[chosen], True, attrs
    return str(row.code), True, attrs


_STATED_VIEWS = re.compile(r"\b(\d|one|two|three|four|five|six|single)[- ]?(views?|projections?)\b", re.I)


def _stated_views(body: str) -> int | None:
    m = _STATED_VIEWS.search(body)
    return view_count(m.group(0)) if m else None


def _modality_for(mods: list[tuple[int, int, str]], start: int, title: str, body: str) -> str | None:
    before = [m for m in mods if m[1] <= start]
    after = [m for m in mods if m[0] >= start]
    chosen = before[-1] if before else (after[0] if after else None)
    if chosen is None:
        return None
    name = chosen[2]
    if name == "duplex":
        t = tables()
        if t.venous.search(title):
            return "duplex_venous"
        if t.arterial.search(title):
            return "duplex_arterial"
    return name


def _row(modality: str, region: str) -> Row | None:
    rows = tables().rows
    if modality.startswith("duplex_"):
        return rows.get((modality, region)) or rows.get(("duplex", region))
    return rows.get((modality, region))


def exams_in(title: str, body: str, offset: int, note: str, implied: str | None = None) -> list[Exam]:
    """The exams a title names (``offset``: where the title starts in ``note``)."""
    t = tables()
    mods = _spans(t.modalities, title)
    if not mods and implied is None:
        return []
    regions = _regions(title)
    pairs: list[tuple[str, str, tuple[int, int]]] = []
    for s, e, region in regions:
        modality = _modality_for(mods, s, title, body) if mods else implied
        if modality is None:
            continue
        near = [m for m in mods if m[2] == modality or modality.startswith(m[2])]
        lo = min([s, *(m[0] for m in near[:1])])
        hi = max([e, *(m[1] for m in near[:1])])
        pairs.append((modality, region, (lo, hi)))
    # combine regions that make one exam (CT abdomen + CT pelvis)
    for modality, parts, into in t.combine:
        have = [p for p in pairs if p[0] == modality and p[1] in parts]
        if {p[1] for p in have} >= parts:
            lo, hi = min(p[2][0] for p in have), max(p[2][1] for p in have)
            pairs = [p for p in pairs if p not in have] + [(modality, into, (lo, hi))]
    out: list[Exam] = []
    seen: set[str] = set()
    short = len(title) <= 160
    for modality, region, pos in sorted(pairs, key=lambda p: p[2]):
        targets = [region]
        if _row(modality, region) is None:
            targets = next((list(parts) for name, _p, parts in t.regions if name == region and parts), [])
        for target in targets:
            row = _row(modality, target)
            if row is None:
                continue
            code, decided, attrs = resolve(row, target, title, body, exam_segment(title, pos[1] - 1))
            if code in seen:
                continue
            seen.add(code)
            attrs["decided"] = decided
            lo, hi = (0, len(title.rstrip(" .,;"))) if short else pos
            out.append(Exam(row, target, span(note, offset + lo, offset + hi), attrs))
            out[-1].attrs["code"] = code
    return out


def report_titles(ctx: NoteContext) -> list[tuple[int, str]]:
    """(offset, text) of the lines that name the exam."""
    text = ctx.text
    out = [
        (m.start("t"), m.group("t")) for m in _TITLE_LABEL.finditer(text) if ctx.section_at(m.start()) != "comparison"
    ]
    lines = [(m.start(), m.group(0)) for m in re.finditer(r"[^\n]+", text[:600]) if m.group(0).strip()]
    for start, line in lines[:3]:
        if _TITLE_LABEL.match(line) or ":" in line[:40]:
            break
        if _GENERIC_FIRST.match(line):
            continue
        if len(line) <= 160 and not any(s <= start < s + len(t) for s, t in out):
            out.append((start + len(line) - len(line.lstrip()), line.strip()))
        break
    return sorted(out)


def _body(ctx: NoteContext) -> str:
    """The report without comparison and history clauses, for contrast and view statements."""
    parts = []
    for clause in ctx.clauses:
        if clause.section in {"comparison", "history_of_present_illness", "past_medical_history"}:
            continue
        parts.append(ctx.text[clause.start : clause.end])
    return "\n".join(parts)


def propose_radiology(ctx: NoteContext, store: Any, titled: bool = False) -> list[Candidate]:
    """CPT codes for the exams a radiology report reads. ``titled``: another rule family already coded the exam the
    report is titled with (an echocardiogram, a mammogram), so the report body is not scanned for one."""
    t = tables()
    body = _body(ctx)
    titles = report_titles(ctx)
    technique = [(m.start("t"), m.group("t")) for m in _TECHNIQUE.finditer(ctx.text)]
    found: list[tuple[Exam, float, str]] = []
    named_hits: list[tuple[Named, Span, str, float]] = []
    for source, lines, score in (("title", titles, TITLE_SCORE), ("technique", technique, FALLBACK_SCORE)):
        for offset, line in lines:
            for named in t.named:
                m = named.words.search(line)
                if m and ctx.ok(offset + m.start(), offset + m.end(), use_mentions=False):
                    code = next((str(v["code"]) for v in named.variants if _matches(v, line, body)), named.code)
                    named_hits.append((named, span(ctx.text, offset, offset + len(line.rstrip(" .,;"))), code, score))
            if named_hits:
                continue
            exams = exams_in(line, body, offset, ctx.text)
            if not exams and not _spans(t.modalities, line):
                exams = exams_in(line, body, offset, ctx.text, implied=_implied_modality(technique, body))
            for exam in exams:
                if ctx.ok(exam.evidence.start, exam.evidence.end, use_mentions=False):
                    found.append((exam, score if exam.attrs["decided"] else DEFAULT_SCORE, source))
        if found or named_hits:
            break
    if not found and not named_hits and not titled:
        named_hits = _scan_named(ctx, body)
    if not found and not named_hits and not titled:
        found = [(e, FALLBACK_SCORE - 0.02, "report") for e in _scan(ctx, body)]
    out: list[Candidate] = []
    for exam, score, source in found:
        code = exam.attrs.pop("code")
        decided = exam.attrs.pop("decided")
        why = (
            f"radiology exam ({source}): {exam.evidence.text!r} -> {exam.row.modality} {exam.region.replace('_', ' ')}"
        )
        if not decided:
            why += "; number of views not stated, usual study assumed"
        cand = make_candidate(store, CPT, code, score, [exam.evidence], why, exam.attrs, sections=["title"])
        if cand is not None:
            out.append(cand)
    for named, ev, code, score in named_hits:
        cand = make_candidate(store, CPT, code, score, [ev], f"radiology exam: {named.name} ({ev.text!r})", {})
        if cand is not None:
            out.append(cand)
    return out


def _implied_modality(technique: list[tuple[int, str]], body: str) -> str | None:
    """The modality of a title that names only the region: from the technique line, else the report's start."""
    for text in [line for _o, line in technique] + [body[:600]]:
        mods = _spans(tables().modalities, text)
        if mods:
            return mods[0][2]
    return None


_SKIPPED = frozenset({"comparison", "history_of_present_illness", "past_medical_history", "indications", "medications"})


def _scan_named(ctx: NoteContext, body: str) -> list[tuple[Named, Span, str, float]]:
    """A named study (nuclear medicine, fluoroscopy) in the first clauses of a report without a title."""
    for clause in ctx.clauses[:12]:
        if clause.section in _SKIPPED:
            continue
        text = ctx.text[clause.start : clause.end]
        for named in tables().named:
            m = named.words.search(text)
            if m and ctx.ok(clause.start + m.start(), clause.start + m.end(), use_mentions=False):
                code = next((str(v["code"]) for v in named.variants if _matches(v, text, body)), named.code)
                ev = span(ctx.text, clause.start + m.start(), clause.start + m.end())
                return [(named, ev, code, FALLBACK_SCORE)]
    return []


def _scan(ctx: NoteContext, body: str) -> list[Exam]:
    """The first clause of the report that names a modality and a region (no title to read)."""
    for clause in ctx.clauses:
        if clause.section in _SKIPPED:
            continue
        text = ctx.text[clause.start : clause.end]
        if len(text) > 400:
            text = text[:400]
        exams = [e for e in exams_in(text, body, clause.start, ctx.text) if ctx.ok(e.evidence.start, e.evidence.end)]
        if exams:
            return exams
    return []
