"""Wound repair CPT codes: lengths summed per complexity class and anatomic group (``resources/repair.yaml``)."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from functools import lru_cache
from typing import Any

from cac.coding.procedures.common import make_candidate, span
from cac.coding.procedures.context import NoteContext
from cac.coding.procedures.data import compile_flex, load_yaml
from cac.coding.types import Candidate, Span

CPT = "CPT"
_LENGTH = re.compile(r"(?P<len>\d+(?:\.\d+)?) ?(?:cm|centimeters?)\b", re.I)


@lru_cache(maxsize=1)
def _rules() -> dict[str, Any]:
    data = load_yaml("repair.yaml")
    data["_sites"] = {k: compile_flex(v) for k, v in data["sites"].items()}
    data["_trigger"] = compile_flex(data["trigger"])
    data["_class"] = {k: compile_flex(v) for k, v in data["class_words"].items()}
    data["_total"] = compile_flex(data["total_length"])
    data["_wound"] = compile_flex(data["wound_words"])
    data["_defect"] = compile_flex(data["defect_words"])
    return data


def site_of(text: str) -> str | None:
    """The anatomic site named in a phrase (the first in the table order that matches)."""
    for name, pattern in _rules()["_sites"].items():
        if pattern.search(text):
            return name
    return None


def repair_class(text: str) -> str:
    """complex / intermediate / simple from the words describing the closure."""
    for name in ("complex", "intermediate"):
        if _rules()["_class"][name].search(text):
            return name
    return "simple"


def group_of(klass: str, site: str) -> str | None:
    for group, sites in _rules()["classes"][klass]["groups"].items():
        if site in sites:
            return group
    return None


def codes_for(klass: str, group: str, length: float) -> list[tuple[str, int]]:
    """(code, units) for a summed length of one class and group (complex adds the +5 cm add-on code)."""
    spec = _rules()["classes"][klass]
    bands = spec["bands"][group]
    if klass == "complex" and length <= 1.0:
        return []
    for limit, code in bands:
        if length <= limit + 1e-9:
            return [(str(code), 1)]
    if klass == "complex":
        extra = math.ceil((length - 7.5) / 5.0 - 1e-9)
        return [(str(bands[-1][1]), 1), (str(spec["addon"][group]), extra)]
    return [(str(bands[-1][1]), 1)]


def _site_before(ctx: NoteContext, clause: Any, back: int = 2) -> str | None:
    """The site named by the clauses just before ``clause`` in its section ("Excision, mid back: ...; layered
    closure ...; intermediate repair, 3.5 cm" - the repair clause itself names no site)."""
    i = ctx.clause_index(clause.start)
    for prev in reversed(ctx.clauses[max(0, i - back) : max(0, i)]):
        if prev.section != clause.section:
            break
        site = site_of(ctx.text[prev.start : prev.end])
        if site:
            return site
    return None


# A numbered wound ("#2 R forearm 3 cm", "Wound 2:", "Lac #3"): the number ties its size to its repair elsewhere.
_WOUND_LABEL = re.compile(r"^\W{0,3}(?:#\s?|(?:wound|lac(?:eration)?|site)\s*#?\s?)(?P<n>\d{1,2})\b", re.I)
_BLOCK_START = re.compile(r"\n[ \t]*\n")


def _wound_clause(ctx: NoteContext, clause: Any) -> bool:
    """A clause that names a wound, or an item of a list headed by one ("Wounds:\n #1 scalp 2.5 cm ...")."""
    rules = _rules()
    if rules["_wound"].search(ctx.text[clause.start : clause.end]):
        return True
    block = max((m.end() for m in _BLOCK_START.finditer(ctx.text, 0, clause.start)), default=0)
    head = ctx.text[block : clause.start].lstrip().split("\n", 1)[0]
    return len(head) <= 60 and head.rstrip().endswith(":") and bool(rules["_wound"].search(head))


def _labelled_texts(ctx: NoteContext) -> dict[str, list[str]]:
    """For each wound number, the text of every run of clauses it opens (up to the next numbered clause, a blank
    line or four clauses)."""
    out: dict[str, list[str]] = defaultdict(list)
    clauses = ctx.clauses
    for i, clause in enumerate(clauses):
        m = _WOUND_LABEL.match(ctx.text[clause.start : clause.end])
        if not m:
            continue
        end = clause.end
        for nxt in clauses[i + 1 : i + 4]:
            between = ctx.text[end : nxt.start]
            if _WOUND_LABEL.match(ctx.text[nxt.start : nxt.end]) or "\n\n" in between.replace(" ", ""):
                break
            end = nxt.end
        out[m.group("n")].append(ctx.text[clause.start : end])
    return out


def propose_repairs(ctx: NoteContext, store: Any) -> list[Candidate]:
    """Repair codes for the wounds closed in this encounter."""
    rules = _rules()
    text = ctx.text
    triggers = [m for m in rules["_trigger"].finditer(text) if ctx.ok(m.start(), m.end())]
    if not triggers:
        return []
    trig = span(text, triggers[0].start(), triggers[0].end())
    note_class = repair_class(
        " ".join(text[ctx.clause_at(m.start()).start : ctx.clause_at(m.start()).end] for m in triggers)
    )
    for m in triggers:
        note_class = max(
            note_class, repair_class(text[m.start() - 40 : m.end()]), key=["simple", "intermediate", "complex"].index
        )
    wounds: list[tuple[float, str, str, Span]] = []  # length, site, class, evidence
    total = rules["_total"].search(text)
    lacs = []
    labelled = _labelled_texts(ctx)
    for clause in ctx.clauses:
        clause_text = text[clause.start : clause.end]
        if not _wound_clause(ctx, clause):
            continue
        for m in _LENGTH.finditer(clause_text):
            start, end = clause.start + m.start(), clause.start + m.end()
            if not ctx.ok(start, end) or rules["_total"].search(text[max(clause.start, start - 30) : end]):
                continue
            after = text[end : min(clause.end, end + 30)]
            before = text[max(clause.start, start - 30) : start]
            site = (
                site_of(re.split(r"\band\b|,|;", after)[0])
                or site_of(before)
                or site_of(clause_text)
                or _site_before(ctx, clause)
            )
            defect = bool(rules["_defect"].search(clause_text)) and not re.search(
                r"\blacs?\b|\blaceration", clause_text, re.I
            )
            numbered = _WOUND_LABEL.match(clause_text)
            lacs.append((float(m.group("len")), site, m, clause, defect, numbered.group("n") if numbered else None))
    if total:
        site = next((lac[1] for lac in lacs if lac[1]), None) or site_of(text)
        wounds.append(
            (float(total.group("len")), site or "extremity", note_class, span(text, total.start(), total.end()))
        )
    else:
        seen: set[tuple[float, str | None]] = set()
        for length, site, m, clause, defect, label in lacs:
            if (length, site) in seen:
                continue
            seen.add((length, site))
            own = repair_class(text[clause.start : clause.end])
            parts = labelled.get(label or "", [])
            if own == "simple" and len(parts) > 1:
                # the numbered wound's own repair line says how it was closed ("#1 ... Simple repair")
                own = repair_class(" ".join(parts))
                klass = own if _rules()["_trigger"].search(" ".join(parts)) else note_class
            else:
                klass = own if own != "simple" else note_class
            if defect and klass == "simple":
                continue  # the simple closure of an excision defect is part of the excision
            start = clause.start + m.start()
            wounds.append((length, site or "extremity", klass, span(text, start, clause.start + m.end())))
    sums: dict[tuple[str, str], list[Any]] = defaultdict(lambda: [0.0, []])
    for length, site, klass, ev in wounds:
        group = group_of(klass, site)
        if group is None:
            continue
        sums[(klass, group)][0] += length
        sums[(klass, group)][1].append((length, site, ev))
    out: list[Candidate] = []
    for (klass, group), (length, parts) in sums.items():
        for code, units in codes_for(klass, group, length):
            sites = sorted({p[1] for p in parts})
            attrs = {
                "class": klass,
                "anatomic group": group.replace("_", "/"),
                "site": ", ".join(sites),
                "size": f"{length:g} cm",
                "units": units if units > 1 else None,
            }
            detail = " + ".join(f"{p[0]:g} cm {p[1]}" for p in parts)
            rationale = f"wound repair {trig.text!r}: {klass} repair, {detail} = {length:g} cm summed for {group}"
            cand = make_candidate(store, CPT, code, 0.85, [trig, *(p[2] for p in parts)], rationale, attrs)
            if cand is not None:
                out.append(cand)
    return out
