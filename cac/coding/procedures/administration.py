"""Administration codes: injections and pushes of drugs given, and vaccines with their administration."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cac.coding.guidelines.patterns import AGE, age_years
from cac.coding.prefilter import may_match_all, required_groups
from cac.coding.procedures.common import make_candidate, span
from cac.coding.procedures.context import NoteContext
from cac.coding.procedures.data import compile_flex, load_yaml
from cac.coding.procedures.drugs import Dose, choose_code, drug_context
from cac.coding.types import Candidate

CPT, HCPCS = "CPT", "HCPCS"
# The shared age words, and the short forms of a procedure header: "45 yrs", "68M", "47F" (in capitals only).
_AGE = re.compile(rf"{AGE.pattern}|\b(\d{{1,3}})[- ]?yrs?\b|(?-i:\b(\d{{1,3}}) ?(?:M|F)\b)", re.IGNORECASE)
_MEDICARE = re.compile(r"\bmedicare\b", re.I)
_ELSEWHERE = re.compile(
    r"\balready (received|given|had|done|got)\b|\b(received|given|got|had)\b.{0,30}\b(at (her|his|the|a|an|their) "
    r"(pharmacy|pharmacist|work|employer|outside \w+)|elsewhere|by (her|his|their) (pharmacy|employer|PCP))\b",
    re.I,
)
_COUNSEL = re.compile(r"\bcounsel(ed|ing)? (by (me|physician|provider|MD|NP|PA)|provided by)|\bI counseled\b", re.I)
# An IV push or infusion in the ED is reported on the facility claim; the professional claim rarely carries it.
_FACILITY_SCORE = 0.6
_INFUSION = re.compile(r"\b(infusion|infused|drip|over \d+(\.\d+)? ?(min|minutes|hours?|hrs?|h))\b", re.I)
# A fluid given for hydration (a bolus or a timed infusion of at least a quarter litre), not a line flush.
_HYDRATION = re.compile(r"\b(bolus|hydration|over \d|infus\w*|at \d+ ?(mL|cc)/h\w*|l|liters?|litres?)\b", re.I)
_OVER = re.compile(r"\bover (\d+(?:\.\d+)?) ?(min|minutes|hours?|hrs?|h)\b", re.I)
# a stated duration: "(2 hours 5 min)", "for 2 h", "duration 1.5 hours"
_HOURS_MINUTES = re.compile(
    r"(?:\(|\bfor |\bduration:? |\btotal:? )(?P<h>\d+(?:\.\d+)?) ?(?:hours?|hrs?|h)"
    r"(?: (?:and )?(?P<m>\d+) ?(?:min|minutes))?\b",
    re.I,
)
_START_STOP = re.compile(
    r"\b(?:start(?:ed)?|began|begun|initiated|hung)\s+(?:at\s+)?(?P<h1>\d{1,2}):?(?P<m1>\d{2})\b[^.]{0,40}?"
    r"\b(?:complete[d]?|stopped|ended|finished|done)\s+(?:at\s+)?(?P<h2>\d{1,2}):?(?P<m2>\d{2})\b",
    re.I,
)


def patient_age(text: str) -> int | None:
    m = _AGE.search(text[:600])
    return age_years(m) if m else None


def infusion_minutes(text: str) -> float | None:
    """The duration of an infusion ("over 2 hours", "over 30 min", "(2 hours 5 min)", "started 09:20, completed
    11:25"), in minutes."""
    m = _OVER.search(text)
    if m:
        amount = float(m.group(1))
        return amount * 60 if m.group(2).lower().startswith("h") else amount
    m = _HOURS_MINUTES.search(text)
    if m:
        return float(m.group("h")) * 60 + float(m.group("m") or 0)
    m = _START_STOP.search(text)
    if m:
        minutes = (int(m.group("h2")) * 60 + int(m.group("m2"))) - (int(m.group("h1")) * 60 + int(m.group("m1")))
        return float(minutes) if 0 < minutes < 24 * 60 else None
    return None


def additional_hours(minutes: float) -> int:
    """Units of 'each additional hour' after the first: an hour counts when more than 30 minutes of it ran."""
    return max(0, math.ceil((minutes - 90) / 60)) if minutes > 90 else 0


@dataclass
class _IV:
    """An intravenous service: the dose, whether it is chemotherapy, an infusion (vs a push) or hydration."""

    dose: Dose
    chemo: bool
    infusion: bool
    minutes: float | None
    hydration: bool = False

    @property
    def rank(self) -> int:
        """Which service is reported as the initial one: chemotherapy infusion, chemotherapy push, other
        infusion, other push, hydration (the CPT hierarchy for facility and office reporting)."""
        if self.hydration:
            return 4
        return (0 if self.chemo else 2) + (0 if self.infusion else 1)


def _is_chemo(store: Any, dose: Dose, note: str) -> bool:
    chosen = choose_code(store, dose, note)
    return chosen is not None and chosen[0].startswith("J9")


def propose_injections(ctx: NoteContext, doses: list[Dose], setting: str, store: Any) -> list[Candidate]:
    """96372 per IM/SC injection (96401/96402 for chemotherapy). Intravenous services: the initial one by the
    hierarchy chemotherapy infusion (96413, +96415 per additional hour) > chemotherapy push (96409) > infusion
    (96365, +96366) > push (96374) > hydration (96360); then 96417 / 96411 per further chemotherapy infusion / push,
    96367 per further infusion, 96375 per further push, 96361 for hydration. Operative reports carry none of them:
    drugs given there belong to the operation or the anaesthesia."""
    if ctx.note_type == "operative_report":
        return []
    out: list[Candidate] = []
    iv: list[_IV] = []
    hormonal = drug_context()["hormonal"]
    for dose in doses:
        fluid = dose.line.hcpcs_drug in {"normal saline solution", "ringers lactate"}
        section = ctx.section_at(dose.span.start)
        im_attrs: dict[str, Any] = {"drug": dose.drug, "route": dose.route}
        if fluid and dose.route not in {"iv", "iv push"}:
            continue
        if dose.route in {"im", "sc"}:
            code, why = "96372", "therapeutic injection IM/SC"
            if _is_chemo(store, dose, ctx.text):
                hormone = any(h in dose.drug.lower() or h in dose.line.hcpcs_drug for h in hormonal)
                code, why = (
                    ("96402", "chemotherapy injection IM/SC, hormonal")
                    if hormone
                    else (
                        "96401",
                        "chemotherapy injection IM/SC, non-hormonal",
                    )
                )
            cand = make_candidate(
                store, CPT, code, 0.85, [dose.span], why, im_attrs, sections=[section] if section else []
            )
            if cand is not None:
                out.append(cand)
        elif dose.route in {"iv", "iv push"}:
            tail = ctx.text[dose.span.start : dose.span.end + 40]
            clause_end = ctx.clause_at(dose.span.start).end
            minutes = infusion_minutes(ctx.text[dose.span.start : max(clause_end, dose.span.end + 40)])
            infusion = dose.route != "iv push" and bool(_INFUSION.search(tail))
            if infusion and minutes is not None and minutes <= 15:
                infusion = False  # an infusion of 15 minutes or less is reported as a push
            if fluid:
                if setting != "outpatient" or not _HYDRATION.search(tail + " " + dose.unit):
                    continue
                iv.append(_IV(dose, False, True, minutes, hydration=True))
                continue
            iv.append(_IV(dose, _is_chemo(store, dose, ctx.text), infusion, minutes if infusion else None))
    score = _FACILITY_SCORE if setting == "emergency" else 0.8
    initial = min(iv, key=lambda e: (e.rank, e.dose.span.start)) if iv else None
    for item in iv:
        attrs: dict[str, Any] = {"drug": item.dose.drug, "route": item.dose.route}
        codes: list[tuple[str, str, int]] = []
        if item is initial:
            if item.hydration:
                codes.append(("96360", "IV hydration, initial hour", 1))
                extra = additional_hours(item.minutes or 0)
                if extra:
                    codes.append(("96361", "IV hydration, each additional hour", extra))
            elif item.chemo and item.infusion:
                codes.append(("96413", "chemotherapy IV infusion, initial hour", 1))
                extra = additional_hours(item.minutes or 0)
                if extra:
                    codes.append(("96415", "chemotherapy IV infusion, each additional hour", extra))
            elif item.chemo:
                codes.append(("96409", "chemotherapy IV push, initial", 1))
            elif item.infusion:
                codes.append(("96365", "IV infusion, initial hour", 1))
                extra = additional_hours(item.minutes or 0)
                if extra:
                    codes.append(("96366", "IV infusion, each additional hour", extra))
            else:
                codes.append(("96374", "IV push, initial", 1))
        elif item.hydration:
            codes.append(("96361", "IV hydration after another IV service", 1))
        elif item.chemo and item.infusion:
            codes.append(("96417", "chemotherapy IV infusion, each additional sequential drug", 1))
        elif item.chemo:
            codes.append(("96411", "chemotherapy IV push, each additional drug", 1))
        elif item.infusion:
            codes.append(("96367", "IV infusion, additional sequential", 1))
        else:
            codes.append(("96375", "IV push, each additional sequential", 1))
        for code, why, units in codes:
            attrs["duration"] = f"{item.minutes:g} min" if item.minutes else None
            attrs["units"] = units if units > 1 else None
            cand = make_candidate(store, CPT, code, score, [item.dose.span], why, dict(attrs))
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
def _vaccines() -> tuple[list[tuple[str, re.Pattern[str], list[str], str, str]], re.Pattern[str]]:
    data = load_yaml("vaccines.yaml")
    rows = [
        (v["name"], compile_flex(v["trigger"]), [str(c) for c in v["codes"]], v["admin"], v.get("group", v["name"]))
        for v in data["vaccines"]
    ]
    return rows, re.compile(data["given"], re.I)


def propose_vaccines(ctx: NoteContext, setting: str, store: Any) -> list[Candidate]:
    """Vaccine product codes given in the encounter, and their administration codes."""
    rows, given = _vaccines()
    age = patient_age(ctx.text)
    medicare = bool(_MEDICARE.search(ctx.text)) or (age is not None and age >= 65)
    out: list[Candidate] = []
    taken: list[tuple[int, int]] = []
    given_groups: set[tuple[str, int]] = set()  # (group, clause start): a clause gives one vaccine of a group
    standard = 0
    for name, trigger, codes, admin, group in rows:
        if not may_match_all(required_groups(trigger), ctx.lower):
            continue  # a word every match holds is not in the note
        for m in trigger.finditer(ctx.text):
            if any(s <= m.start() < e for s, e in taken) or (group, ctx.clause_at(m.start()).start) in given_groups:
                continue
            clause = ctx.clause_at(m.start())
            clause_text = ctx.text[clause.start : clause.end]
            if not ctx.ok(m.start(), m.end()) or not given.search(clause_text):
                continue
            tail = re.split(r"[,;)\n]| and ", ctx.text[m.end() : min(clause.end, m.end() + 30)])[0]
            near = ctx.text[max(clause.start, m.start() - 40) : m.end()] + tail
            if re.search(r"\b(up to date|UTD|declined|refused|due|next visit|previously|in 20\d\d)\b", near, re.I):
                continue
            if _ELSEWHERE.search(clause_text):
                continue  # "flu shot already received at her pharmacy": given before, by someone else
            ev = span(ctx.text, m.start(), clause.end if clause.end - m.start() < 80 else m.end())
            taken.append((m.start(), m.end()))
            given_groups.add((group, clause.start))
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
