"""Data-driven CPT rules by procedure family (``resources/cpt_rules.yaml``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from cac.coding.procedures.common import make_candidate, span
from cac.coding.procedures.context import NoteContext
from cac.coding.procedures.data import load_yaml
from cac.coding.procedures.imaging_attrs import contrast_state, view_count
from cac.coding.types import Candidate, Span

CPT = "CPT"
DEFAULT_SETTINGS = ("outpatient", "emergency")
WHOLE_NOTE_TYPES = frozenset({"procedure_note", "operative_report", "radiology_report"})


@dataclass(frozen=True)
class Condition:
    """When a code of a family applies."""

    code: str | None
    all: tuple[re.Pattern[str], ...] = ()
    none: tuple[re.Pattern[str], ...] = ()
    contrast: str | None = None
    views_min: int | None = None
    views_max: int | None = None
    setting: tuple[str, ...] = ()


@dataclass(frozen=True)
class Family:
    name: str
    trigger: tuple[re.Pattern[str], ...]
    settings: tuple[str, ...] = DEFAULT_SETTINGS
    note_types: tuple[str, ...] = ()
    scope: str | None = None
    choose: tuple[Condition, ...] = ()
    base: str | None = None
    add: tuple[Condition, ...] = ()
    add_replaces_base: bool = False
    score: float = 0.85
    imaging: bool = field(default=False)


def _patterns(items: Any) -> tuple[re.Pattern[str], ...]:
    if isinstance(items, str):
        items = [items]
    return tuple(re.compile(p, re.I) for p in items or ())


def _condition(raw: dict[str, Any]) -> Condition:
    return Condition(
        code=str(raw["code"]) if raw.get("code") else None,
        all=_patterns(raw.get("all")),
        none=_patterns(raw.get("none")),
        contrast=raw.get("contrast"),
        views_min=raw.get("views_min"),
        views_max=raw.get("views_max"),
        setting=tuple(raw.get("setting") or ()),
    )


@lru_cache(maxsize=1)
def families() -> tuple[Family, ...]:
    """The CPT families of ``cpt_rules.yaml``, in file order."""
    out = []
    for raw in load_yaml("cpt_rules.yaml")["families"]:
        choose = tuple(_condition(c) for c in raw.get("choose") or ())
        out.append(
            Family(
                name=raw["name"],
                trigger=_patterns(raw["trigger"]),
                settings=tuple(raw.get("settings") or DEFAULT_SETTINGS),
                note_types=tuple(raw.get("note_types") or ()),
                scope=raw.get("scope"),
                choose=choose,
                base=str(raw["base"]) if raw.get("base") else None,
                add=tuple(_condition(c) for c in raw.get("add") or ()),
                add_replaces_base=bool(raw.get("add_replaces_base", False)),
                score=float(raw.get("score", 0.85)),
                imaging=any(c.contrast or c.views_min or c.views_max for c in choose),
            )
        )
    return tuple(out)


@dataclass
class _Scope:
    """The text a family's modifiers are read from, with the spans that may be cited."""

    text: str
    offset: int
    trigger_clause: str
    setting: str
    ctx: NoteContext


def _find(pattern: re.Pattern[str], scope: _Scope) -> Span | None:
    """The first unblocked match of ``pattern`` in scope, as a span of the note."""
    for m in pattern.finditer(scope.text):
        start, end = scope.offset + m.start(), scope.offset + m.end()
        if scope.ctx.ok(start, end):
            return span(scope.ctx.text, start, end)
    return None


def _matches(cond: Condition, scope: _Scope) -> list[Span] | None:
    """The evidence spans when ``cond`` holds in scope, else None."""
    if cond.setting and scope.setting not in cond.setting:
        return None
    if cond.contrast is not None:
        state = contrast_state(scope.trigger_clause) or contrast_state(scope.text)
        if state != cond.contrast:
            return None
    if cond.views_min is not None or cond.views_max is not None:
        views = view_count(scope.trigger_clause)
        if views is None:
            return None
        if cond.views_min is not None and views < cond.views_min:
            return None
        if cond.views_max is not None and views > cond.views_max:
            return None
    found: list[Span] = []
    for pattern in cond.all:
        hit = _find(pattern, scope)
        if hit is None:
            return None
        found.append(hit)
    for pattern in cond.none:
        if _find(pattern, scope) is not None:
            return None
    return found


def _first_trigger(family: Family, ctx: NoteContext) -> tuple[Span, str] | None:
    """The first occurrence of the family's words that may be coded, and why earlier ones were skipped."""
    skipped: list[str] = []
    hits = sorted((m.start(), m.end()) for p in family.trigger for m in p.finditer(ctx.text))
    for start, end in hits:
        reason = ctx.block_reason(start, end, use_mentions=family.note_types != ("radiology_report",))
        if reason is None:
            note = f"; skipped {len(skipped)} mention(s) ({skipped[0]})" if skipped else ""
            return span(ctx.text, start, end), note
        skipped.append(reason)
    return None


def propose_cpt(ctx: NoteContext, setting: str, note_type: str | None, store: Any) -> list[Candidate]:
    """CPT candidates from every family whose procedure is documented as done in this encounter."""
    out: list[Candidate] = []
    for family in families():
        if setting not in family.settings:
            continue
        if family.note_types and note_type not in family.note_types:
            continue
        found = _first_trigger(family, ctx)
        if found is None:
            continue
        trig, skipped_note = found
        whole = (family.scope or ("note" if note_type in WHOLE_NOTE_TYPES else "window")) == "note"
        lo, hi = (0, len(ctx.text)) if whole else ctx.window(trig.start)
        clause = ctx.clause_at(trig.start)
        scope = _Scope(ctx.text[lo:hi], lo, ctx.text[clause.start : clause.end], setting, ctx)
        codes: list[tuple[str | None, list[Span], str]] = []
        chosen: tuple[str | None, list[Span], str] | None = None
        for cond in family.choose:
            hit = _matches(cond, scope)
            if hit is not None:
                chosen = (cond.code, hit, "documented: " + ", ".join(repr(h.text) for h in hit) if hit else "")
                break
        adds = []
        for cond in family.add:
            hit = _matches(cond, scope)
            if hit is not None:
                adds.append((cond.code, hit, "documented: " + ", ".join(repr(h.text) for h in hit)))
        if chosen is not None and chosen[0] is None:
            continue  # the family is documented but not reported in this setting
        if chosen is not None:
            codes.append(chosen)
        elif family.base and not (adds and family.add_replaces_base):
            codes.append((family.base, [], "no more specific variant documented"))
        codes.extend(adds)
        attrs = _attributes(scope, family)
        for code, hits, why in codes:
            if code is None:
                continue
            rationale = f"CPT rule '{family.name}': {trig.text!r}" + (f"; {why}" if why else "") + skipped_note
            cand = make_candidate(
                store, CPT, code, family.score, [trig, *hits], rationale, attrs, sections=_sections(ctx, trig)
            )
            if cand is not None:
                out.append(cand)
    return out


def _sections(ctx: NoteContext, trig: Span) -> list[str]:
    name = ctx.section_at(trig.start)
    return [name] if name else []


def _attributes(scope: _Scope, family: Family) -> dict[str, Any]:
    from cac.coding.procedures.common import laterality

    attrs: dict[str, Any] = {}
    text = scope.text
    if re.search(r"\blaparoscop|\btrocar", text, re.I):
        attrs["approach"] = "laparoscopic"
    elif re.search(r"\bopen\b|\bincision\b", text, re.I) and not family.imaging:
        attrs["approach"] = "open"
    if family.imaging or "radiograph" in family.name:
        attrs["contrast"] = contrast_state(scope.trigger_clause) or contrast_state(text)
        attrs["views"] = view_count(scope.trigger_clause)
    attrs["laterality"] = laterality(scope.trigger_clause)
    return attrs
