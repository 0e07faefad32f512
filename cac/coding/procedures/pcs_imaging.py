"""ICD-10-PCS imaging (section B) for inpatient radiology, found through the PCS long titles."""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from typing import Any

from cac.coding.procedures.common import laterality, make_candidate, span
from cac.coding.procedures.context import NoteContext
from cac.coding.procedures.data import compile_flex, load_yaml
from cac.coding.procedures.imaging_attrs import contrast_state
from cac.coding.types import Candidate

PCS = "ICD-10-PCS"
_BODY_WINDOW = 45
# Qualifiers written after the body part in section B titles ("Ultrasonography of Right and Left Heart, Intravascular").
_QUALIFIER = re.compile(r", (Intravascular|Guidance|Densitometry|Transesophageal|Intraoperative|Laser Intraoperative)$")


@lru_cache(maxsize=1)
def _rules() -> dict[str, Any]:
    data = dict(load_yaml("pcs_imaging.yaml"))
    data["_modalities"] = [(m["title"], compile_flex(m["words"])) for m in data["modalities"]]
    data["_parts"] = [
        (
            compile_flex(b["words"]),
            list(b["titles"]),
            tuple(b.get("modalities") or ()),
            tuple(b["note_types"]) if "note_types" in b else None,
        )
        for b in data["body_parts"]
    ]
    return data


@lru_cache(maxsize=4)
def title_index(store_key: int, store: Any) -> dict[str, list[tuple[str, str]]]:
    """Section B codes by their base title ("Ultrasonography of Abdomen") -> [(code, full title)]."""
    del store_key
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for code, title, _b in store.codes(PCS):
        if code.startswith("B"):
            base = _QUALIFIER.sub("", title.split(" using ")[0])
            out[base].append((code, title))
    return out


def _pick(options: list[tuple[str, str]], state: str | None, modality: str) -> tuple[str, bool]:
    """The code for the documented contrast; True when the contrast was not documented but mattered."""
    with_name = _rules()["contrast_titles"].get(modality, {}).get("with", "Contrast")
    plain = [o for o in options if " using " not in o[1] and "," not in o[1][len(modality) :]]
    if state == "with":
        hit = [o for o in options if with_name in o[1] and "Unenhanced and Enhanced" not in o[1]]
        if hit:
            return hit[0][0], False
    if state == "both":
        hit = [o for o in options if with_name in o[1] and "Unenhanced and Enhanced" in o[1]]
        if hit:
            return hit[0][0], False
    if plain:
        return plain[0][0], state is None and len(options) > 1
    return sorted(options)[0][0], True


def _side(text: str) -> str:
    side = laterality(text)
    return {"right": "Right", "left": "Left", "bilateral": "Bilateral"}.get(side or "", "Bilateral")


def propose_pcs_imaging(ctx: NoteContext, store: Any, score: float) -> list[Candidate]:
    """Section B codes for imaging done in the stay: modality words with a body part nearby. A radiology report is
    coded from its title (the exam line) when the title names the study; the rest of the report is read only when
    it does not (a report's findings name other organs and earlier studies)."""
    if ctx.note_type == "radiology_report":
        from cac.coding.procedures.radiology import report_titles

        titles = [(start, start + len(line)) for start, line in report_titles(ctx)]
        found = _scan(ctx, store, score, titles)
        if found:
            return found
    return _scan(ctx, store, score, None)


def _scan(ctx: NoteContext, store: Any, score: float, within: list[tuple[int, int]] | None) -> list[Candidate]:
    rules = _rules()
    index = title_index(id(store), store)
    found: dict[str, Candidate] = {}
    titled: set[tuple[str, int]] = set()  # a title names its study once ("US KIDNEYS AND BLADDER (RENAL ULTRASOUND)")
    for modality, pattern in rules["_modalities"]:
        for m in pattern.finditer(ctx.text):
            where = -1
            if within is not None:
                where = next((i for i, (s, e) in enumerate(within) if s <= m.start() < e), -1)
                if where < 0 or (modality, where) in titled:
                    continue
            token = m.group(0)
            if len(token) <= 3 and not token.isupper():
                continue
            if not ctx.ok(m.start(), m.end(), use_mentions=False):
                continue
            clause = ctx.clause_at(m.start())
            lo, hi = max(clause.start, m.start() - _BODY_WINDOW), min(clause.end, m.end() + _BODY_WINDOW)
            if within is not None:
                lo, hi = next((max(lo, s), min(hi, e)) for s, e in within if s <= m.start() < e)
            near = ctx.text[lo:hi]
            chosen = _body_part(index, modality, near, m.start() - lo, m.end() - lo, ctx.note_type)
            if chosen is None:
                continue
            base, part = chosen
            state = contrast_state(ctx.text[clause.start : clause.end])
            code, unspecified = _pick(index[base], state, modality)
            ev = [span(ctx.text, m.start(), m.end()), span(ctx.text, lo + part.start(), lo + part.end())]
            flags = ["unspecified"] if unspecified else []
            why = f"PCS imaging: {m.group(0)!r} + {part.group(0)!r} -> {base}"
            if unspecified:
                why += f"; stem {code[:4]}, not documented: contrast"
            attrs = {"modality": modality, "body part": base.split(" of ", 1)[1], "contrast": state}
            section = ctx.section_at(m.start())
            cand = make_candidate(
                store,
                PCS,
                code,
                score - (0.05 if unspecified else 0.0),
                ev,
                why,
                attrs,
                flags,
                sections=[section] if section else [],
            )
            if cand is not None and code not in found:
                found[code] = cand
                if within is not None:
                    titled.add((modality, where))
    return list(found.values())


def _body_part(
    index: dict[str, list[tuple[str, str]]],
    modality: str,
    near: str,
    m_start: int,
    m_end: int,
    note_type: str | None = None,
) -> tuple[str, re.Match[str]] | None:
    """The PCS base title for the body part named nearest the modality words (compound parts win ties). A body-part
    entry may hold only for some modalities or note types (a convention of case reports)."""
    best: tuple[int, int, str, re.Match[str]] | None = None
    for order, (words, titles, modalities, note_types) in enumerate(_rules()["_parts"]):
        if (modalities and modality not in modalities) or (note_types is not None and note_type not in note_types):
            continue
        for hit in words.finditer(near):
            gap = m_start - hit.end() if hit.end() <= m_start else max(0, hit.start() - m_end)
            base = next(
                (
                    f"{modality} of {t.replace('{side}', _side(near))}"
                    for t in titles
                    if f"{modality} of {t.replace('{side}', _side(near))}" in index
                ),
                None,
            )
            if base is None:
                continue
            if best is None or (gap, order) < (best[0], best[1]):
                best = (gap, order, base, hit)
    return (best[2], best[3]) if best else None
