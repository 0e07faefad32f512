"""HCPCS Level II drug codes for drugs given in the encounter, with the dose mapped to billing units."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cac.coding.procedures.common import make_candidate, span
from cac.coding.procedures.context import NoteContext
from cac.coding.procedures.data import load_tsv
from cac.coding.types import Candidate, Span

HCPCS = "HCPCS"
_UNIT = r"(?:mg|milligrams?|g|gm|grams?|mcg|micrograms?|µg|units?|u|meq|mEq|L|liters?|litres?|mL|ml|cc)"
_DOSE = rf"(?P<dose>\d+(?:[.,]\d+)?)\s*(?P<unit>{_UNIT})\b"
_ROUTE = re.compile(
    r"\b(?P<route>IV ?push|IVP|IV ?PB|IV|intravenous(?:ly)?|IM|intramuscular(?:ly)?|SC|SQ|subcut(?:aneous(?:ly)?)?|"
    r"intra-?articular(?:ly)?|PO|by mouth|oral(?:ly)?|SL|sublingual|nebulized|inhaled|topical(?:ly)?|"
    r"bolus|drip|infusion)\b",
    re.I,
)
_TIMES = re.compile(r"^\s*(?:IV|IM)?\s*[x×]\s?(?P<n>\d)\b", re.I)
_NOT_GIVEN = re.compile(
    r"\b(prescribed|prescription|Rx|discharged (home )?(on|with)|home (med|dose)|take|takes|taking|continue[sd]?|"
    r"resume[sd]?|start(ed)? on|daily|BID|TID|QID|q\d+h|qHS|PRN|as needed|refill|dispensed|for \d+ days|x \d+ days)\b",
    re.I,
)
_GIVEN = re.compile(
    r"\b(given|administered|received|injected|infused|pushed|ED course|in (the )?(ED|clinic|office))\b", re.I
)
_PER_UNIT = re.compile(
    r"(?:per |up to )?(?P<amount>\d[\d,]*(?:\.\d+)?)\s*"
    r"(?P<unit>mg|milligrams?|gram|grams|g|mcg|micrograms?|units|unit|iu|cc|ml|meq)\b",
    re.I,
)
_INTRA_ARTICULAR = re.compile(r"\binto the (\w+ ){0,2}(joint|knee|shoulder|hip|bursa|elbow|wrist|ankle)\b", re.I)
_ORAL = frozenset(
    {"po", "by mouth", "oral", "orally", "sl", "sublingual", "nebulized", "inhaled", "topical", "topically"}
)
_MG = {
    "mg": 1.0,
    "milligram": 1.0,
    "milligrams": 1.0,
    "g": 1000.0,
    "gm": 1000.0,
    "gram": 1000.0,
    "grams": 1000.0,
    "mcg": 0.001,
    "microgram": 0.001,
    "micrograms": 0.001,
    "µg": 0.001,
}
_ML = {"ml": 1.0, "cc": 1.0, "l": 1000.0, "liter": 1000.0, "liters": 1000.0, "litre": 1000.0, "litres": 1000.0}
_UNITS = {"unit": 1.0, "units": 1.0, "u": 1.0, "iu": 1.0}
_MEQ = {"meq": 1.0}


@dataclass(frozen=True)
class DrugLine:
    """One row of ``drugs.tsv``."""

    names: re.Pattern[str]
    hcpcs_drug: str
    prefer: tuple[str, ...]
    routes: tuple[str, ...]


@dataclass(frozen=True)
class Dose:
    """A drug dose read from the note."""

    drug: str
    amount: float
    unit: str
    route: str | None
    times: int
    span: Span
    line: DrugLine


@lru_cache(maxsize=1)
def drug_lines() -> tuple[DrugLine, ...]:
    return tuple(
        DrugLine(
            names=re.compile(rf"(?<![\w-])(?:{row['names']})(?![\w-])", re.I),
            hcpcs_drug=row["hcpcs_drug"].lower(),
            prefer=tuple(c.strip() for c in row["prefer"].split(",") if c.strip()),
            routes=tuple(r.strip().lower() for r in row["routes"].split(",") if r.strip()),
        )
        for row in load_tsv("drugs.tsv")
    )


def normalise_route(route: str | None) -> str | None:
    """iv / iv push / im / sc / intra-articular / oral, from the route words."""
    if route is None:
        return None
    r = route.lower().replace(" ", "")
    if r in {"ivpush", "ivp", "push"}:
        return "iv push"
    if r.startswith("iv") or r.startswith("intraven") or r in {"bolus", "drip", "infusion"}:
        return "iv"
    if r.startswith("im") or r.startswith("intramusc"):
        return "im"
    if r in {"sc", "sq"} or r.startswith("subcut"):
        return "sc"
    if r.startswith("intra-art") or r.startswith("intraart"):
        return "intra-articular"
    if route.lower() in _ORAL or r == "bymouth":
        return "oral"
    return r


def _to_base(amount: float, unit: str) -> tuple[float, str] | None:
    u = unit.lower()
    for table, kind in ((_MG, "mg"), (_ML, "ml"), (_UNITS, "units"), (_MEQ, "meq")):
        if u in table:
            return amount * table[u], kind
    return None


def per_unit(title: str) -> tuple[float, str] | None:
    """The billing unit of a HCPCS drug description, in mg / ml / units / meq ("per 15 mg" -> (15, "mg"))."""
    found = None
    for m in _PER_UNIT.finditer(title):
        found = m
    if found is None:
        return None
    return _to_base(float(found.group("amount").replace(",", "")), found.group("unit"))


def find_doses(ctx: NoteContext) -> list[Dose]:
    """Every drug dose stated in the note as given by a parenteral route."""
    text = ctx.text
    out: list[Dose] = []
    seen: set[tuple[int, int]] = set()
    for line in drug_lines():
        for m in line.names.finditer(text):
            clause = ctx.clause_at(m.start())
            after = re.match(rf"[^.;\n]{{0,30}}?{_DOSE}", text[m.end() : clause.end])
            before = re.search(
                rf"{_DOSE}\s*(?:of\s+)?(?:\S+\s+){{0,1}}$", text[max(clause.start, m.start() - 25) : m.start()]
            )
            mass = re.compile(r"(mg|milligrams?|g|gm|grams?|mcg|micrograms?|µg|units?|meq)$", re.I)
            if after and before and not mass.match(after.group("unit")) and mass.match(before.group("unit")):
                after = None
            if after:
                dose_start, dose_end = m.end() + after.start("dose"), m.end() + after.end()
                amount, unit = after.group("dose"), after.group("unit")
                tail_from = dose_end
            elif before:
                base = max(clause.start, m.start() - 25)
                dose_start, dose_end = base + before.start("dose"), base + before.end("unit")
                amount, unit = before.group("dose"), before.group("unit")
                tail_from = m.end()
            else:
                continue
            tail = text[tail_from : min(clause.end, tail_from + 40)]
            route_m = _ROUTE.search(tail) or _ROUTE.search(text[clause.start : m.start()][-20:])
            route = normalise_route(route_m.group("route")) if route_m else None
            if route is None and _INTRA_ARTICULAR.search(text[clause.start : clause.end]):
                route = "intra-articular"
            if route == "oral":
                continue
            if line.routes and (route is None or route.split()[0] not in line.routes):
                continue
            clause_text = text[clause.start : clause.end]
            if route is None and not _GIVEN.search(clause_text):
                continue
            if _NOT_GIVEN.search(clause_text) and not _GIVEN.search(clause_text):
                continue
            start = min(m.start(), dose_start)
            end = max(m.end(), dose_end, route_m.end() + tail_from if route_m and route_m.start() < 15 else 0)
            if not ctx.ok(m.start(), m.end()) or (start, end) in seen:
                continue
            if any(d.span.start <= m.start() < d.span.end for d in out):
                continue
            seen.add((start, end))
            times_m = _TIMES.match(text[end : end + 8])
            times = int(times_m.group("n")) if times_m else 1
            if times_m:
                end += times_m.end()
            out.append(
                Dose(m.group(0), float(amount.replace(",", ".")), unit, route, times, span(text, start, end), line)
            )
    return sorted(out, key=lambda d: d.span.start)


@lru_cache(maxsize=4)
def _hcpcs_drug_codes(store_key: int, store: Any) -> tuple[tuple[str, str], ...]:
    """(code, lower-case title) of the HCPCS drug and infusion codes (J, Q, C, S codes that name a dose)."""
    del store_key
    return tuple(
        (code, title.lower())
        for code, title, _billable in store.codes(HCPCS)
        if code[0] in "JQCS" and ("injection" in title.lower() or "infusion" in title.lower())
    )


def choose_code(store: Any, dose: Dose) -> tuple[str, float, str] | None:
    """(code, per-unit amount, unit kind) for a dose: the HCPCS description naming the drug whose unit fits."""
    codes = _hcpcs_drug_codes(id(store), store)
    name = dose.line.hcpcs_drug
    options = []
    for code, title in codes:
        if name not in title or "not therapeutically equivalent" in title:
            continue
        if dose.line.prefer and code not in dose.line.prefer:
            continue
        pu = per_unit(title)
        if pu is None:
            continue
        options.append((code, pu[0], pu[1], title))
    given = _to_base(dose.amount * dose.times, dose.unit)
    if given is None:
        return None
    amount, kind = given
    fitting = [o for o in options if o[2] == kind]
    if not fitting:
        return None
    exact = [o for o in fitting if abs(o[1] - amount / dose.times) < 1e-6]
    if exact:
        best = exact[0]
    else:
        below = [o for o in fitting if o[1] <= amount]
        best = max(below, key=lambda o: o[1]) if below else min(fitting, key=lambda o: o[1])
    return best[0], best[1], best[2]


def billing_units(amount: float, per: float) -> int:
    """ceil(dose / per-unit amount), at least 1."""
    return max(1, math.ceil(round(amount / per, 6)))


def propose_drugs(ctx: NoteContext, doses: list[Dose], store: Any) -> list[Candidate]:
    """A HCPCS candidate per drug given, with its billing units."""
    out: list[Candidate] = []
    for dose in doses:
        chosen = choose_code(store, dose)
        if chosen is None:
            continue
        code, per, kind = chosen
        total = _to_base(dose.amount * dose.times, dose.unit)
        assert total is not None
        units = billing_units(total[0], per)
        attrs = {
            "drug": dose.drug,
            "dose": f"{dose.amount:g} {dose.unit}" + (f" x{dose.times}" if dose.times > 1 else ""),
            "route": dose.route,
            "per unit": f"{per:g} {kind}",
            "units": units,
        }
        rationale = f"drug given in encounter: {dose.span.text!r}"
        section = ctx.section_at(dose.span.start)
        cand = make_candidate(
            store, HCPCS, code, 0.86, [dose.span], rationale, attrs, sections=[section] if section else []
        )
        if cand is not None:
            out.append(cand)
    return out
