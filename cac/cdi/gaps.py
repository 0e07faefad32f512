"""Specificity gaps: suggested codes less specific than the tabular allows, and the detail they lack.

The axes of missing detail are read from the titles of the code's billable siblings (its children when the
code is not billable): an axis is missing when at least two siblings state a value of it and the code's own
title states none (``resources/axes.yaml``), or when the title names it ("unspecified organism",
``resources/title_axes.tsv``). Clinical indicators for each axis (``resources/indicators.yaml``) are then
looked up in the note, with their spans, and so are values of the axis written elsewhere in the note.
"""

from __future__ import annotations

import re
from typing import Any

from cac.cdi.common import ICD, concept_words, line_bounds, narrows, proposed, span_at, spans_of
from cac.cdi.resources import axes, axis_applies, extra_options, indicator_rules, title_axes
from cac.cdi.types import Gap, Indicator
from cac.codesets import CodeEntry, CodeSetStore, InvalidCodeError
from cac.coding.guidelines.common import bare
from cac.coding.types import Span

_UNSPECIFIED = re.compile(r"\bunspecified\b|\bNOS\b", re.IGNORECASE)
_OTHER_SPECIFIED = re.compile(r"other\b(?! and unspecified)", re.IGNORECASE)
# Axes whose values name the condition itself: a value anywhere in the note counts as documented.
_NOTE_WIDE = frozenset({"hf_type", "ckd_stage", "diabetes_type", "organism"})
# Evidence of this kind alone (a drug list) does not justify a query on a code that is not unspecified.
_WEAK_KINDS = frozenset({"medication"})
MIN_SIBLINGS_STATING = 2
# ... and at least this share of them (I50: "left ventricular failure" and "right heart failure" are not a
# laterality axis of heart failure).
MIN_SHARE_STATING = 0.3


# Axes whose value is the one a title states last: "Basal cell carcinoma of skin of nose" is a site of the skin,
# the nose, and the code's site is the nose.
_LAST_STATED = frozenset({"site"})


def title_values(title: str) -> dict[str, str]:
    """axis -> the value of it a code title states (the first in ``axes.yaml`` order, or the last in the title)."""
    out: dict[str, str] = {}
    for axis, (_label, values) in axes().items():
        if axis in _LAST_STATED:
            found = [(m.end(), m.end() - m.start(), value) for value, rx in values if (m := _last_match(rx, title))]
            if found:
                out[axis] = max(found)[2]
            continue
        for value, rx in values:
            if rx.search(title):
                out[axis] = value
                break
    return out


def _last_match(rx: re.Pattern[str], text: str) -> re.Match[str] | None:
    last = None
    for last in rx.finditer(text):  # noqa: B007
        pass
    return last


def siblings(entry: CodeEntry, store: CodeSetStore) -> list[str]:
    """The billable codes the detail could select: the children of a non-billable code, else of its parent."""
    if not entry.billable:
        return store.billable_descendants(ICD, entry.code)
    if not entry.parent or "-" in entry.parent:
        return []
    return _same_episode(entry, store.billable_descendants(ICD, entry.parent))


def _same_episode(entry: CodeEntry, codes: list[str]) -> list[str]:
    """``codes`` other than the entry's own; those of its 7th character when that is an episode of care (S72.001A)."""
    if len(bare(entry.code)) == 7 and entry.code[-1].isalpha():
        codes = [c for c in codes if len(bare(c)) == 7 and c[-1] == entry.code[-1]]
    return [c for c in codes if c != entry.code]


def _cousins(entry: CodeEntry, store: CodeSetStore) -> list[str]:
    """The billable codes under the code's grandparent, when the parent is itself unspecified (L03.9 "Cellulitis
    and acute lymphangitis, unspecified"; not M54.5 "Low back pain", whose cousins are other conditions)."""
    parent = store.get(ICD, entry.parent) if entry.parent and "-" not in entry.parent else None
    if parent is None or not parent.parent or "-" in parent.parent or not _UNSPECIFIED.search(parent.title):
        return []
    return _same_episode(entry, store.billable_descendants(ICD, parent.parent))


def _states_any(codes: list[str], axis_names: list[str], store: CodeSetStore) -> bool:
    """True when some code's title states a value of one of the axes (none asked: False)."""
    return any(a in title_values(store.title(ICD, c) or "") for c in codes for a in axis_names)


def missing_axes(entry: CodeEntry, sibs: list[str], store: CodeSetStore) -> list[str]:
    """The axes the siblings' titles vary on that the code's title leaves open, in ``axes.yaml`` order."""
    own = title_values(entry.title)
    stating: dict[str, int] = {}
    values: dict[str, set[str]] = {}
    for code in sibs:
        for axis, value in title_values(store.title(ICD, code) or "").items():
            if own.get(axis) == value:
                continue
            stating[axis] = stating.get(axis, 0) + 1
            values.setdefault(axis, set()).add(value)
    need = max(MIN_SIBLINGS_STATING, MIN_SHARE_STATING * len(sibs))
    # An unspecified code's site may be the organ whose parts its siblings name ("skin, unspecified").
    open_axes = {a for a in axes() if a not in own or (a in _LAST_STATED and _UNSPECIFIED.search(entry.title))}
    # an axis is a choice only between two values or more ("major" alone is no type of depression to ask about)
    found = [
        a
        for a in axes()
        if a in open_axes and stating.get(a, 0) >= need and len(values[a]) >= 2 and axis_applies(a, entry.code)
    ]
    found = [a for a in found if not _redundant(a, found, stating, sibs, store)]
    for rx, axis in title_axes():
        if rx.search(entry.title) and axis not in found and axis_applies(axis, entry.code):
            found.append(axis)
    return found


def _redundant(axis: str, found: list[str], stating: dict[str, int], sibs: list[str], store: CodeSetStore) -> bool:
    """True when every sibling stating ``axis`` also states one broader missing axis (stated by more siblings,
    or as many and listed earlier): N18 "stage 3 (moderate)" adds no severity to the CKD stage, and E11.3211
    "... right eye" no laterality to the ophthalmic complication."""
    rank = {a: (-stating.get(a, 0), n) for n, a in enumerate(found)}
    broader = [a for a in found if a != axis and rank[a] < rank[axis]]
    if not broader:
        return False
    titles = [title_values(store.title(ICD, c) or "") for c in sibs]
    stating_axis = [t for t in titles if axis in t]
    return any(all(a in t for t in stating_axis) for a in broader)


def find_indicators(text: str, code: str, axis_names: list[str]) -> list[Indicator]:
    """The clinical indicators in ``text`` relevant to ``code`` for the given axes, in note order."""
    out: list[Indicator] = []
    seen: set[tuple[int, int]] = set()
    for rule in indicator_rules():
        if rule.axis not in axis_names or not rule.applies_to(code):
            continue
        for m in rule.pattern.finditer(text):
            if (m.start(), m.end()) in seen:
                continue
            seen.add((m.start(), m.end()))
            value = next((g for g in m.groups() if g), None)
            out.append(
                Indicator(
                    axis=rule.axis,
                    name=rule.name,
                    kind=rule.kind,
                    span=span_at(text, m.start(), m.end()),
                    value=value,
                    interpretation=rule.interpret(value),
                    suggests=rule.suggests,
                )
            )
    return sorted(out, key=lambda i: (i.span.start, i.axis))


def documented_values(text: str, axis_names: list[str], evidence: list[Span]) -> list[tuple[str, str, Span]]:
    """Values of the missing axes written in the note: anywhere for condition-specific axes, else on the
    evidence lines (outside the evidence itself)."""
    out: list[tuple[str, str, Span]] = []
    windows = [line_bounds(text, e.start, e.end) for e in evidence if 0 <= e.start <= e.end <= len(text)]
    for axis in axis_names:
        _label, values = axes()[axis]
        regions = [(0, len(text))] if axis in _NOTE_WIDE else windows
        for lo, hi in regions:
            for value, rx in values:
                for m in rx.finditer(text, lo, hi):
                    start, end = m.start(), m.end()
                    if any(e.start <= start and end <= e.end for e in evidence) and axis not in _NOTE_WIDE:
                        continue
                    item = (axis, value, span_at(text, start, end))
                    if item not in out:
                        out.append(item)
    return [d for d in out if not any(_inside(d, o) for o in out)]


def _inside(a: tuple[str, str, Span], b: tuple[str, str, Span]) -> bool:
    """``a``'s span lies strictly inside ``b``'s ("lower" in "lower leg")."""
    sa, sb = a[2], b[2]
    return a is not b and sb.start <= sa.start and sa.end <= sb.end and (sa.start, sa.end) != (sb.start, sb.end)


def _extra(code: str) -> tuple[str, tuple[str, ...]] | None:
    best = None
    for spec, axis, codes in extra_options():
        if spec.covers(code) and (best is None or spec.weight > best[0].weight):
            best = (spec, axis, codes)
    return (best[1], best[2]) if best else None


def options_for(
    entry: CodeEntry,
    sibs: list[str],
    missing: list[str],
    store: CodeSetStore,
    limit: int,
    first: frozenset[str],
    mixed: bool = False,
) -> list[str]:
    """Billable codes covering the values of the missing axes, one per combination of values; combinations
    holding more values of ``first`` (documented, or what the indicators bear on) first, then in code order.
    ``mixed``: ``sibs`` hold other conditions too (the code's cousins), and only forms of the code's own
    condition are offered when there are any."""
    extra = _extra(entry.code)
    if extra is not None:
        return [c for c in extra[1] if store.is_billable(ICD, c)][:limit]
    groups: dict[tuple[str, ...], str] = {}
    # codes of the same condition first ("Squamous cell carcinoma of skin of nose" for a squamous cell carcinoma),
    # then those sharing more of its words (the same side)
    own = concept_words(entry.title)
    own_values = title_values(entry.title)
    own_key = tuple(own_values.get(a, "") for a in missing)  # an option must state a value the code does not
    ranked = sorted(
        sibs,
        key=lambda c: (
            not narrows(title := store.title(ICD, c) or "", entry.title),
            -len(own & concept_words(title)),
            bool(_UNSPECIFIED.search(title)),
            len(c),
            c,
        ),
    )
    pools = [ranked]
    if mixed:  # the category's other conditions: "Typical atrial flutter" is no kind of atrial fibrillation
        pools.insert(0, [c for c in ranked if narrows(store.title(ICD, c) or "", entry.title)])
    for pool in pools:
        for code in pool:
            values = title_values(store.title(ICD, code) or "")
            key = tuple(values.get(a, "") for a in missing)
            if not any(key) or key in groups or key == own_key:
                continue
            groups[key] = code
        if groups:
            break
    _key = lambda c: set(title_values(store.title(ICD, c) or "").values())  # noqa: E731
    full = sorted((c for k, c in groups.items() if all(k)), key=lambda c: (-len(first & _key(c)), c))
    partial = sorted(c for k, c in groups.items() if not all(k))
    # "Other acidosis": the tabular's own code for a documented value none of the listed options names
    other = [
        c
        for c in sibs
        if _OTHER_SPECIFIED.match(title := store.title(ICD, c) or "")
        and narrows(entry.title, title)
        and c not in groups.values()
    ][:1]
    return (full + partial)[: limit - len(other)] + other


def gap_for(suggestion: dict[str, Any], text: str, store: CodeSetStore, max_options: int = 9) -> Gap | None:
    """The specificity gap of one suggested ICD-10-CM code, or None when it is as specific as the tabular allows
    (or, for a code that is not unspecified, when the note holds no indicator for what it leaves open)."""
    code = suggestion["code"]
    try:
        entry = store.get(ICD, code)
    except InvalidCodeError:
        return None
    if entry is None:
        return None
    sibs, mixed = siblings(entry, store), False
    missing = missing_axes(entry, sibs, store)
    if entry.billable and _UNSPECIFIED.search(entry.title) and not _states_any(sibs, missing, store):
        # L03.90 "Cellulitis, unspecified", L89.92 "Pressure ulcer of unspecified site, stage 2": the detail lives in
        # the category's other codes
        cousins = _cousins(entry, store)
        if cousins:
            sibs, mixed = cousins, True
            missing = missing_axes(entry, sibs, store)
    if not missing:
        return None
    evidence = spans_of(suggestion)
    indicators = find_indicators(text, code, missing)
    if not entry.billable:
        reason = "not_billable"
    elif _UNSPECIFIED.search(entry.title) or "unspecified" in suggestion.get("flags", []):
        reason = "unspecified"
    else:
        strong = [i for i in indicators if i.kind not in _WEAK_KINDS and i.supports_query]
        if not strong:
            return None
        reason = "indicators"
        missing = [a for a in missing if any(i.axis == a for i in strong)]
    documented = documented_values(text, missing, evidence)
    first = frozenset([i.suggests for i in indicators if i.suggests] + [v for _a, v, _s in documented])
    option_codes = options_for(entry, sibs, missing, store, max_options, first, mixed)
    return Gap(
        code=code,
        title=entry.title,
        reason=reason,
        missing=missing,
        labels=[axes()[a][0] for a in missing],
        evidence=evidence,
        indicators=indicators,
        documented=documented,
        options=[(c, store.title(ICD, c) or "") for c in option_codes],
    )


def find_gaps(result: dict[str, Any], text: str, store: CodeSetStore) -> list[Gap]:
    """The specificity gaps of the proposed ICD-10-CM codes of an engine result (interfaces.md section 2)."""
    out = []
    for s in proposed(result):
        if s.get("system") != ICD or s.get("assertion", "present") in ("negated", "hypothetical"):
            continue
        gap = gap_for(s, text, store)
        if gap is not None:
            out.append(gap)
    return out
