"""Data-driven CPT rules by procedure family (``resources/cpt_rules.yaml``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from cac.coding.prefilter import occurs
from cac.coding.procedures.common import make_candidate, span
from cac.coding.procedures.context import NoteContext
from cac.coding.procedures.data import compile_flex, load_yaml, trigger_words, union_words
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
    count_min: int | None = None
    count_max: int | None = None


@dataclass(frozen=True)
class Family:
    name: str
    trigger: tuple[re.Pattern[str], ...]
    settings: tuple[str, ...] = DEFAULT_SETTINGS
    note_types: tuple[str | None, ...] = ()
    scope: str | None = None
    choose: tuple[Condition, ...] = ()
    base: str | None = None
    add: tuple[Condition, ...] = ()
    add_replaces_base: bool = False
    score: float = 0.85
    imaging: bool = field(default=False)
    exclude_note_types: tuple[str, ...] = ()
    header_only: bool = False
    count: re.Pattern[str] | None = None
    count_each: re.Pattern[str] | None = None
    clause_first: bool = False
    requires: tuple[re.Pattern[str], ...] = ()
    excludes: tuple[re.Pattern[str], ...] = ()
    suppressed_by: tuple[str, ...] = ()
    result_test: bool = False
    keywords: frozenset[str] | None = None
    # per trigger: words one of which its matches contain (None: always run)
    trigger_words: tuple[frozenset[str] | None, ...] = ()
    requires_note: bool = False
    count_triggers: bool = False


def _patterns(items: Any) -> tuple[re.Pattern[str], ...]:
    if isinstance(items, str):
        items = [items]
    return tuple(compile_flex(p) for p in items or ())


def _condition(raw: dict[str, Any]) -> Condition:
    return Condition(
        code=str(raw["code"]) if raw.get("code") else None,
        all=_patterns(raw.get("all")),
        none=_patterns(raw.get("none")),
        contrast=raw.get("contrast"),
        views_min=raw.get("views_min"),
        views_max=raw.get("views_max"),
        setting=tuple(raw.get("setting") or ()),
        count_min=raw.get("count_min"),
        count_max=raw.get("count_max"),
    )


@lru_cache(maxsize=1)
def families() -> tuple[Family, ...]:
    """The CPT families of ``cpt_rules.yaml`` and the files it includes, in file order."""
    out = []
    main = load_yaml("cpt_rules.yaml")
    raws = list(main["families"])
    for name in main.get("include") or ():
        data = load_yaml(name)
        defaults = data.get("defaults") or {}
        raws.extend({**defaults, **fam} for fam in data["families"])
    for raw in raws:
        choose = tuple(_condition(c) for c in raw.get("choose") or ())
        words = trigger_words(raw["trigger"])
        out.append(
            Family(
                name=raw["name"],
                trigger=_patterns(raw["trigger"]),
                keywords=union_words(words),
                trigger_words=words,
                settings=tuple(raw.get("settings") or DEFAULT_SETTINGS),
                note_types=tuple(None if t in (None, "none") else t for t in raw.get("note_types") or ()),
                scope=raw.get("scope"),
                choose=choose,
                base=str(raw["base"]) if raw.get("base") else None,
                add=tuple(_condition(c) for c in raw.get("add") or ()),
                add_replaces_base=bool(raw.get("add_replaces_base", False)),
                score=float(raw.get("score", 0.85)),
                imaging=any(c.contrast or c.views_min or c.views_max for c in choose),
                exclude_note_types=tuple(raw.get("exclude_note_types") or ()),
                header_only=bool(raw.get("header_only", False)),
                count=compile_flex(raw["count"]) if raw.get("count") else None,
                count_each=compile_flex(raw["count_each"]) if raw.get("count_each") else None,
                clause_first=bool(raw.get("clause_first", False)),
                requires=_patterns(raw.get("requires")),
                excludes=_patterns(raw.get("excludes")),
                suppressed_by=tuple(raw.get("suppressed_by") or ()),
                result_test=bool(raw.get("result_test", False)),
                requires_note=bool(raw.get("requires_note", False)),
                count_triggers=bool(raw.get("count_triggers", False)),
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
    count: int | None = None


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
    if cond.count_min is not None and (scope.count or 1) < cond.count_min:
        return None
    if cond.count_max is not None and (scope.count or 1) > cond.count_max:
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


_NUMBER_WORDS = {
    "one": 1, "single": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "multiple": 2, "several": 3,
}  # fmt: skip


def count_in(pattern: re.Pattern[str], text: str) -> int | None:
    """The number a family's count pattern reads (group ``n``: digits or a number word)."""
    m = pattern.search(text)
    if not m:
        return None
    word = m.group("n").lower()
    return int(word) if word.isdigit() else _NUMBER_WORDS.get(word)


def count_each_in(pattern: re.Pattern[str], text: str) -> int:
    """How many distinct things ``pattern`` names in ``text`` ("L4-L5 and L5-S1": two spinal levels)."""
    return len({re.sub(r"[^0-9A-Z]", "", m.group(0).upper()) for m in pattern.finditer(text)})


def count_trigger_items(family: Family, ctx: NoteContext) -> int:
    """How many separate acts of the family the note documents: the clauses holding an unblocked trigger
    ("1) punch biopsy, L forearm ... 2) punch biopsy, lower back"), outside the note's title and procedure list
    (which name the same acts again) unless only they name it."""
    hits = ctx.spans_of(family.trigger, family.trigger_words)
    clauses = {ctx.clause_index(s) for s, e in hits if ctx.ok(s, e, use_mentions=not family.result_test)} - {-1}
    body = {i for i in clauses if not ctx.in_header(ctx.clauses[i].start)} if clauses else set()
    return len(body or clauses)


def _first_trigger(family: Family, ctx: NoteContext) -> tuple[Span, str] | None:
    """The first occurrence of the family's words that may be coded, and why earlier ones were skipped.

    In an operative or procedure report with a procedure list, an occurrence in that list is preferred, and a
    ``header_only`` family (an incidental act such as the intubation for anaesthesia) fires only from it."""
    skipped: list[str] = []
    if family.keywords is not None and not any(occurs(k, ctx.lower) for k in family.keywords):
        return None
    hits = ctx.spans_of(family.trigger, family.trigger_words)
    report = ctx.note_type in {"operative_report", "procedure_note"} and ctx.has_procedure_list()
    if report:
        # the procedure list decides: when it names the family, a mention in the narrative adds nothing
        in_list = [h for h in hits if ctx.in_header(h[0])]
        hits = in_list if family.header_only or in_list else hits
    for start, end in hits:
        reason = ctx.block_reason(start, end, use_mentions=not family.result_test)
        last = ctx.clause_at(max(start, end - 1))
        if reason is None and last.start > start:
            # a match reaching into the next sentence ("breast cancer at 49. Benign left breast core biopsy 2016")
            # is read where its procedure words are
            reason = ctx.block_reason(last.start, end, use_mentions=not family.result_test)
        if reason is None and (family.requires or family.excludes):
            lo, hi = ctx.window(start)
            near = ctx.text[min(lo, ctx.clause_at(start).start) : hi]
            whole = family.requires_note or ctx.note_type in {"operative_report", "procedure_note", "radiology_report"}
            if not all(p.search(near) or (whole and p.search(ctx.text)) for p in family.requires):
                reason = "required words absent"
            elif any(p.search(near) for p in family.excludes):
                reason = "excluded by context"
        if reason is None:
            note = f"; skipped {len(skipped)} mention(s) ({skipped[0]})" if skipped else ""
            return span(ctx.text, start, end), note
        skipped.append(reason)
    return None


def propose_cpt(ctx: NoteContext, setting: str, note_type: str | None, store: Any) -> list[Candidate]:
    """CPT candidates from every family whose procedure is documented as done in this encounter."""
    fired: dict[str, list[Candidate]] = {}
    for family in families():
        if setting not in family.settings:
            continue
        if family.note_types and note_type not in family.note_types:
            continue
        if note_type in family.exclude_note_types:
            continue
        found = _first_trigger(family, ctx)
        if found is None:
            continue
        trig, skipped_note = found
        whole = (family.scope or ("note" if note_type in WHOLE_NOTE_TYPES else "window")) == "note"
        lo, hi = (0, len(ctx.text)) if whole else ctx.window(trig.start)
        clause = ctx.clause_at(trig.start)
        scope = _Scope(ctx.text[lo:hi], lo, ctx.text[clause.start : clause.end], setting, ctx)
        if family.count is not None:
            scope.count = count_in(family.count, scope.trigger_clause) or count_in(family.count, scope.text)
        if family.count_each is not None:
            scope.count = max(scope.count or 0, count_each_in(family.count_each, scope.trigger_clause)) or None
        if family.count_triggers:
            scope.count = max(scope.count or 0, count_trigger_items(family, ctx)) or None
        codes: list[tuple[str | None, list[Span], str]] = []
        chosen: tuple[str | None, list[Span], str] | None = None
        # clause_first: the alternatives are read in the trigger's own clause first ("cryotherapy to 5 actinic
        # keratoses"), and in the wider scope only when that clause names none of them
        scopes = [_Scope(scope.trigger_clause, clause.start, scope.trigger_clause, setting, ctx, scope.count)]
        for current in [*scopes, scope] if family.clause_first else [scope]:
            for cond in family.choose:
                hit = _matches(cond, current)
                if hit is not None:
                    chosen = (cond.code, hit, "documented: " + ", ".join(repr(h.text) for h in hit) if hit else "")
                    break
            if chosen is not None:
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
                fired.setdefault(family.name, []).append(cand)
    out: list[Candidate] = []
    names = set(fired)
    for family in families():
        if family.name in fired and not names.intersection(family.suppressed_by):
            out.extend(fired.pop(family.name))
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
