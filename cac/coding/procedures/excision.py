"""Skin lesion excision (benign / malignant), shave removal and subcutaneous soft-tissue tumour excision, coded by
anatomic group and size (``resources/excision.yaml``). The size of an excision is the excised diameter: the lesion's
greatest diameter plus twice the narrowest margin, unless the note states the excised diameter."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cac.coding.procedures.common import laterality, make_candidate, span
from cac.coding.procedures.context import NoteContext
from cac.coding.procedures.data import compile_flex, load_yaml
from cac.coding.types import Candidate

CPT = "CPT"
_AFTER = 140
_BEFORE = 60
# Not a skin or subcutaneous lesion, or not removed by excision.
_EXCLUDE = re.compile(
    r"\b(ganglion|pilonidal|ovarian|ovary|Bartholin\w*|Baker\W?s|breast|thyroid|renal|kidney|hepatic|liver|Tarlov|"
    r"arachnoid|spermatocele|epididymal|bone|bony|synovial|meniscal|mucous cyst|polyps?|polypectomy|colon|bladder|"
    r"uterine|cervical|endometri\w*|brain|spinal|sutures?|staples|foreign body|tooth|teeth|tonsil\w*|tongue|oral|"
    r"liquid nitrogen|cryo\w*|curettage|electrodesiccat\w*|ED ?& ?C|laser|lymph node|nodes?)\b",
    re.I,
)
_DONE_LATER = re.compile(r"\b(will|plan|planned|schedule\w*|refer\w*|recommend\w*|consider\w*|next visit)\b", re.I)


@dataclass(frozen=True)
class _Rules:
    excision: re.Pattern[str]
    shave: re.Pattern[str]
    skin: re.Pattern[str]
    soft: re.Pattern[str]
    malignant: re.Pattern[str]
    not_malignant: re.Pattern[str]
    size: re.Pattern[str]
    margin: re.Pattern[str]
    excised: re.Pattern[str]
    subfascial: re.Pattern[str]
    sites: tuple[tuple[str, re.Pattern[str]], ...]
    excision_bands: tuple[tuple[float, str], ...]
    shave_bands: tuple[tuple[float, int], ...]
    stems: dict[str, dict[str, Any]]
    soft_sites: tuple[tuple[re.Pattern[str], float, str, str], ...]


@lru_cache(maxsize=1)
def rules() -> _Rules:
    d = load_yaml("excision.yaml")

    def rx(p: str) -> re.Pattern[str]:
        return compile_flex(p)

    return _Rules(
        excision=rx(d["triggers"]["excision"]),
        shave=rx(d["triggers"]["shave"]),
        skin=rx(d["skin_lesion"]),
        soft=rx(d["soft_tissue"]),
        malignant=rx(d["malignant"]),
        not_malignant=rx(d["not_malignant"]),
        size=rx(d["size"]),
        margin=rx(d["margin"]),
        excised=rx(d["excised_diameter"]),
        subfascial=rx(d["subfascial"]),
        sites=tuple((k, rx(v)) for k, v in d["sites"].items()),
        excision_bands=tuple((float(a), str(b)) for a, b in d["excision_bands"]),
        shave_bands=tuple((float(a), int(b)) for a, b in d["shave_bands"]),
        stems=d["code_stems"],
        soft_sites=tuple(
            (rx(s["words"]), float(s["limit"]), str(s["small"]), str(s["large"])) for s in d["soft_tissue_sites"]
        ),
    )


def _cm(value: str, unit: str) -> float:
    return float(value) / (10.0 if unit.lower() == "mm" else 1.0)


def site_group(text: str) -> str | None:
    """The anatomic group named nearest the start of ``text`` (face, scalp/neck/hands/feet/genitalia, trunk/limbs)."""
    best: tuple[int, str] | None = None
    for name, pattern in rules().sites:
        m = pattern.search(text)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), name)
    return best[1] if best else None


def excised_diameter(text: str) -> tuple[float | None, str]:
    """(size in cm, how it was read) from the words describing one excision."""
    r = rules()
    m = r.excised.search(text)
    if m:
        return _cm(m.group("d"), m.group("unit")), "excised diameter stated"
    margins = []
    margin_spans = []
    for mm in r.margin.finditer(text):
        value, unit = (mm.group("m"), mm.group("unit")) if mm.group("m") else (mm.group("m2"), mm.group("unit2"))
        margins.append(_cm(value, unit))
        margin_spans.append((mm.start(), mm.end()))
    lesion = None
    for sm in r.size.finditer(text):
        if any(s <= sm.start() < e for s, e in margin_spans):
            continue
        before = text[max(0, sm.start() - 12) : sm.start()].lower()
        if re.search(r"(punch|needle|gauge|trocar|blade|incision)\s*$", before):
            continue
        dims = [_cm(sm.group("a"), sm.group("unit"))]
        if sm.group("b"):
            dims.append(_cm(sm.group("b"), sm.group("unit")))
        lesion = max(dims)
        break
    if lesion is None:
        return None, "size not documented"
    if margins:
        return lesion + 2 * min(margins), f"lesion {lesion:g} cm + 2 x {min(margins):g} cm margin"
    return lesion, f"lesion {lesion:g} cm (no margin stated)"


def _band(size: float, bands: tuple[tuple[float, Any], ...]) -> Any:
    for limit, value in bands:
        if size <= limit + 1e-9:
            return value
    return bands[-1][1]


def _is_malignant(ctx: NoteContext, window: str) -> bool:
    """True when the lesion is documented as a skin cancer (not only suspected), near the excision or in the
    note's diagnoses."""
    r = rules()
    for text in (window, ctx.text):
        for m in r.malignant.finditer(text):
            if not r.not_malignant.search(text[max(0, m.start() - 40) : m.start()]):
                return True
    return False


def propose_excisions(ctx: NoteContext, store: Any) -> list[Candidate]:
    """CPT codes for skin lesions and subcutaneous tumours excised or shaved in this encounter."""
    if ctx.note_type == "radiology_report":
        return []
    r = rules()
    text = ctx.text
    out: list[Candidate] = []
    taken: list[tuple[int, int]] = []
    triggers = sorted(list(r.shave.finditer(text)) + list(r.excision.finditer(text)), key=lambda m: m.start())
    report = ctx.note_type in {"operative_report", "procedure_note"} and ctx.has_procedure_list()
    if report and any(ctx.in_header(t.start()) for t in triggers):
        triggers = [t for t in triggers if ctx.in_header(t.start())]
    for trig in triggers:
        if any(s <= trig.start() < e for s, e in taken):
            continue
        clause = ctx.clause_at(trig.start())
        lo = max(clause.start, trig.start() - _BEFORE)
        hi = min(ctx.window(trig.start(), following=1)[1], trig.end() + _AFTER)
        window = text[lo:hi]
        soft = r.soft.search(window)
        skin = r.skin.search(window)
        thing = soft or skin
        if thing is None or _EXCLUDE.search(text[clause.start : clause.end]) or _DONE_LATER.search(window[:80]):
            continue
        if not ctx.ok(trig.start(), trig.end()) or not ctx.ok(lo + thing.start(), lo + thing.end()):
            continue
        shave = bool(r.shave.search(window)) and not soft
        site_text = text[lo + thing.start() : hi]
        group = site_group(site_text) or site_group(window) or site_group(text)
        size, how = excised_diameter(text[lo + min(thing.start(), trig.start() - lo) : hi])
        if size is None and report:
            size, how = excised_diameter(text[hi:])
        attrs: dict[str, Any] = {"site": group.replace("_", "/") if group else None, "size": how}
        attrs["laterality"] = laterality(window)
        code: str | None = None
        if soft:
            for words, limit, small, large in r.soft_sites:
                if words.search(site_text) or words.search(window):
                    code = large if size is not None and size >= limit else small
                    attrs["kind"] = "subcutaneous soft-tissue tumour" + (
                        " (subfascial depth stated)" if r.subfascial.search(window) else ""
                    )
                    break
        elif group is not None and size is not None:
            if shave:
                code = str(int(r.stems["shave"][group]) + int(_band(size, r.shave_bands)))
                attrs["kind"] = "shave removal"
            else:
                kind = "malignant" if _is_malignant(ctx, window) else "benign"
                code = str(r.stems[kind][group]) + str(_band(size, r.excision_bands))
                attrs["kind"] = f"{kind} lesion excision"
        if code is None:
            continue
        ev = [span(text, trig.start(), trig.end()), span(text, lo + thing.start(), lo + thing.end())]
        why = f"excision: {window[: min(len(window), 100)]!r}"
        section = ctx.section_at(trig.start())
        cand = make_candidate(store, CPT, code, 0.82, ev, why, attrs, sections=[section] if section else [])
        if cand is not None:
            out.append(cand)
            taken.append((lo, hi))
    return out
