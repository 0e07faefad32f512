"""Administration codes: injections and pushes of drugs given, and vaccines with their administration."""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

from cac.coding.procedures.common import make_candidate, span
from cac.coding.procedures.context import NoteContext
from cac.coding.procedures.data import load_yaml
from cac.coding.procedures.drugs import Dose
from cac.coding.types import Candidate

CPT, HCPCS = "CPT", "HCPCS"
_AGE = re.compile(r"\b(\d{1,3})[- ]?(?:y/?o|yo|yrs?|years?[- ]old|year[- ]old)\b|\b(\d{1,3}) ?(?:M|F)\b")
_MEDICARE = re.compile(r"\bmedicare\b", re.I)
_COUNSEL = re.compile(r"\bcounsel(ed|ing)? (by (me|physician|provider|MD|NP|PA)|provided by)|\bI counseled\b", re.I)
# An IV push or infusion in the ED is reported on the facility claim; the professional claim rarely carries it.
_FACILITY_SCORE = 0.6
_INFUSION = re.compile(r"\b(infusion|infused|drip|over \d+(\.\d+)? ?(min|minutes|hours?|hrs?|h))\b", re.I)
_OVER = re.compile(r"\bover (\d+(?:\.\d+)?) ?(min|minutes|hours?|hrs?|h)\b", re.I)


def patient_age(text: str) -> int | None:
    m = _AGE.search(text[:600])
    if not m:
        return None
    return int(m.group(1) or m.group(2))


def infusion_minutes(text: str) -> float | None:
    """The duration of an infusion ("over 2 hours", "over 30 min"), in minutes."""
    m = _OVER.search(text)
    if not m:
        return None
    amount = float(m.group(1))
    return amount * 60 if m.group(2).lower().startswith("h") else amount


def additional_hours(minutes: float) -> int:
    """Units of 'each additional hour' after the first: an hour counts when more than 30 minutes of it ran."""
    return max(0, math.ceil((minutes - 90) / 60)) if minutes > 90 else 0


def propose_injections(ctx: NoteContext, doses: list[Dose], setting: str, store: Any) -> list[Candidate]:
    """96372 per IM/SC injection. IV: the initial service is the first infusion (96365, +96366 per additional
    hour) when there is one, else the first push (96374); then 96367 per further infusion, 96375 per push."""
    out: list[Candidate] = []
    iv: list[tuple[Dose, bool, float | None]] = []
    for dose in doses:
        if dose.line.hcpcs_drug in {"normal saline solution", "ringers lactate"}:
            continue
        section = ctx.section_at(dose.span.start)
        im_attrs: dict[str, Any] = {"drug": dose.drug, "route": dose.route}
        if dose.route in {"im", "sc"}:
            cand = make_candidate(
                store,
                CPT,
                "96372",
                0.85,
                [dose.span],
                "therapeutic injection IM/SC",
                im_attrs,
                sections=[section] if section else [],
            )
            if cand is not None:
                out.append(cand)
        elif dose.route in {"iv", "iv push"}:
            tail = ctx.text[dose.span.start : dose.span.end + 40]
            is_infusion = dose.route != "iv push" and bool(_INFUSION.search(tail))
            iv.append((dose, is_infusion, infusion_minutes(tail) if is_infusion else None))
    score = _FACILITY_SCORE if setting == "emergency" else 0.8
    initial_infusion = next((e for e in iv if e[1]), None)
    initial = initial_infusion or (iv[0] if iv else None)
    for dose, is_infusion, minutes in iv:
        attrs: dict[str, Any] = {"drug": dose.drug, "route": dose.route}
        codes: list[tuple[str, str, int]] = []
        if initial is not None and dose is initial[0]:
            if is_infusion:
                codes.append(("96365", "IV infusion, initial hour", 1))
                extra = additional_hours(minutes or 0)
                if extra:
                    codes.append(("96366", "IV infusion, each additional hour", extra))
            else:
                codes.append(("96374", "IV push, initial", 1))
        elif is_infusion:
            codes.append(("96367", "IV infusion, additional sequential", 1))
        else:
            codes.append(("96375", "IV push, each additional sequential", 1))
        for code, why, units in codes:
            attrs["duration"] = f"{minutes:g} min" if minutes else None
            attrs["units"] = units if units > 1 else None
            cand = make_candidate(store, CPT, code, score, [dose.span], why, dict(attrs))
            if cand is not None:
                out.append(cand)
    return merge_units(out)


def merge_units(cands: list[Candidate]) -> list[Candidate]:
    """One candidate per code; 'each additional' codes keep every supporting span and count them as units."""
    by_code: dict[str, Candidate] = {}
    counts: dict[str, int] = {}
    for c in cands:
        if c.code in by_code:
            kept = by_code[c.code]
            kept.evidence = sorted(
                {(e.start, e.end): e for e in kept.evidence + c.evidence}.values(), key=lambda e: e.start
            )
            counts[c.code] += 1
        else:
            by_code[c.code] = c
            counts[c.code] = 1
    for code, c in by_code.items():
        if counts[code] > 1 and "units:" not in c.rationale:
            c.rationale += f" [units: {counts[code]}]"
    return list(by_code.values())


@lru_cache(maxsize=1)
def _vaccines() -> tuple[list[tuple[str, re.Pattern[str], list[str], str]], re.Pattern[str]]:
    data = load_yaml("vaccines.yaml")
    rows = [
        (v["name"], re.compile(v["trigger"], re.I), [str(c) for c in v["codes"]], v["admin"]) for v in data["vaccines"]
    ]
    return rows, re.compile(data["given"], re.I)


def propose_vaccines(ctx: NoteContext, setting: str, store: Any) -> list[Candidate]:
    """Vaccine product codes given in the encounter, and their administration codes."""
    rows, given = _vaccines()
    age = patient_age(ctx.text)
    medicare = bool(_MEDICARE.search(ctx.text)) or (age is not None and age >= 65)
    out: list[Candidate] = []
    taken: list[tuple[int, int]] = []
    standard = 0
    for name, trigger, codes, admin in rows:
        for m in trigger.finditer(ctx.text):
            if any(s <= m.start() < e for s, e in taken):
                continue
            clause = ctx.clause_at(m.start())
            clause_text = ctx.text[clause.start : clause.end]
            if not ctx.ok(m.start(), m.end()) or not given.search(clause_text):
                continue
            tail = re.split(r"[,;)\n]| and ", ctx.text[m.end() : min(clause.end, m.end() + 30)])[0]
            near = ctx.text[max(clause.start, m.start() - 40) : m.end()] + tail
            if re.search(r"\b(up to date|UTD|declined|refused|due|next visit|previously|in 20\d\d)\b", near, re.I):
                continue
            ev = span(ctx.text, m.start(), clause.end if clause.end - m.start() < 80 else m.end())
            taken.append((clause.start, clause.end))
            section = ctx.section_at(m.start())
            sections = [section] if section else []
            attrs = {"vaccine": name, "route": "IM" if re.search(r"\bIM\b|intramuscular", clause_text) else None}
            product = next((c for c in codes if store.is_valid(CPT, c)), None)
            if product:
                cand = make_candidate(
                    store, CPT, product, 0.85, [ev], f"vaccine given: {m.group(0)!r}", attrs, sections=sections
                )
                if cand:
                    out.append(cand)
            admin_code, admin_sys = _admin_code(admin, medicare, age, clause_text, standard)
            if admin_sys == CPT:
                standard += 1
            cand = make_candidate(
                store, admin_sys, admin_code, 0.82, [ev], f"vaccine administration ({name})", attrs, sections=sections
            )
            if cand:
                out.append(cand)
            break
    return out


def _admin_code(kind: str, medicare: bool, age: int | None, clause: str, done: int) -> tuple[str, str]:
    if kind == "hepb":
        return "G0010", HCPCS
    if kind == "pneumo":
        return "G0009", HCPCS
    if kind == "flu" and medicare:
        return "G0008", HCPCS
    if age is not None and age < 18 and _COUNSEL.search(clause):
        return ("90460" if done == 0 else "90461"), CPT
    return ("90471" if done == 0 else "90472"), CPT
