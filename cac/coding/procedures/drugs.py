"""HCPCS Level II drug codes for drugs given in the encounter, with the dose mapped to billing units."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cac.coding.prefilter import may_match
from cac.coding.procedures.common import make_candidate, span
from cac.coding.procedures.context import NoteContext
from cac.coding.procedures.data import compile_flex, load_tsv, load_yaml, required_literals
from cac.coding.types import Candidate, Span

HCPCS = "HCPCS"
_UNIT = r"(?:mg|milligrams?|g|gm|grams?|mcg|micrograms?|µg|million units?|units?|u|meq|mEq|L|liters?|litres?|mL|ml|cc)"
_DOSE = rf"(?P<dose>\d+(?:[.,]\d+)?)\s*(?P<unit>{_UNIT})\b"
_ROUTE = re.compile(
    r"\b(?P<route>IV ?push|IVP|IV ?PB|IV|intravenous(?:ly)?|IM|intramuscular(?:ly)?|SC|SQ|subcut(?:aneous(?:ly)?)?|"
    r"intra-?articular(?:ly)?|PO|by mouth|oral(?:ly)?|SL|sublingual|nebuli[sz]ed|nebuli[sz]er|neb|inhaled|"
    r"topical(?:ly)?|bolus|drip|infusion)\b",
    re.I,
)
_TIMES = re.compile(r"^\s*(?:IV|IM)?\s*[x×]\s?(?P<n>\d)\b", re.I)
# Given before this encounter or by someone else ("received already", "at home", "by EMS").
_EARLIER = re.compile(
    r"\b(already|previously|prior to (arrival|transfer|presentation)|PTA|at home|by EMS|by paramedics|en route|"
    r"at (the )?(outside hospital|OSH|referring (hospital|facility))|last (dose|week|month|night))\b",
    re.I,
)
_NOT_GIVEN = re.compile(
    r"\b(prescribed|prescription|Rx|discharged (home )?(on|with)|home (med|dose)|take|takes|taking|continue[sd]?|"
    r"resume[sd]?|start(ed)? on|daily|BID|TID|QID|q\d+h|qHS|PRN|as needed|refill|dispensed|for \d+ days|x \d+ days)\b",
    re.I,
)
_GIVEN = re.compile(
    r"\b(given|administered|received|injected|infused|pushed|ED course|in (the )?(ED|clinic|office))\b", re.I
)
# A fluid named as the vehicle of a drug ("infliximab 400 mg in 250 mL NS") is part of that drug's infusion.
_VEHICLE = re.compile(r"\b(?:in|diluted (?:in|with)|mixed (?:in|with)|reconstituted (?:in|with))\s+$", re.I)
_FLUIDS = frozenset({"normal saline solution", "ringers lactate", "dextrose"})
_PER_UNIT = re.compile(
    r"(?:per |up to )?(?P<amount>\d[\d,]*(?:\.\d+)?)\s*"
    r"(?P<unit>mg|milligrams?|gram|grams|g|mcg|micrograms?|units|unit|iu|cc|ml|meq)\b",
    re.I,
)
_INTRA_ARTICULAR = re.compile(r"\binto the (\w+ ){0,2}(joint|knee|shoulder|hip|bursa|elbow|wrist|ankle)\b", re.I)
_ORAL = frozenset({"po", "by mouth", "oral", "orally", "sl", "sublingual", "topical", "topically"})
_INHALED = frozenset({"nebulized", "nebulised", "nebulizer", "nebuliser", "neb", "inhaled"})
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
_UNITS = {"unit": 1.0, "units": 1.0, "u": 1.0, "iu": 1.0, "million units": 1e6, "million unit": 1e6}
_MEQ = {"meq": 1.0}


@dataclass(frozen=True)
class DrugLine:
    """One row of ``drugs.tsv``."""

    names: re.Pattern[str]
    hcpcs_drug: str
    prefer: tuple[str, ...]
    routes: tuple[str, ...]
    # words one of which every name match contains (None: always searched; ``cac.coding.prefilter``)
    words: frozenset[str] | None = None


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
            names=compile_flex(rf"(?<![\w-])(?:{row['names']})(?![\w-])"),
            hcpcs_drug=row["hcpcs_drug"].lower(),
            prefer=tuple(c.strip() for c in row["prefer"].split(",") if c.strip()),
            routes=tuple(r.strip().lower() for r in row["routes"].split(",") if r.strip()),
            words=required_literals(row["names"]),
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
    if route.lower() in _INHALED:
        return "inhalation"
    return r


def _to_base(amount: float, unit: str) -> tuple[float, str] | None:
    u = " ".join(unit.lower().split())
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


@lru_cache(maxsize=1)
def drug_context() -> dict[str, Any]:
    data = load_yaml("drug_context.yaml")
    return {
        "stop_heads": frozenset(data["stop_heads"]),
        "procedural": re.compile(rf"(?<![\w-])(?:{'|'.join(data['procedural_agents'])})(?![\w-])", re.I),
        "anesthesia": re.compile(data["anesthesia_context"], re.I),
        "hormonal": frozenset(data["hormonal_antineoplastics"]),
    }


def _generic(title: str) -> str | None:
    """The drug words of a HCPCS drug description ("injection, pemetrexed dipotassium, 10 mg" -> its name)."""
    m = re.match(r"(?:injection|infusion)s?,\s*([^,]+)", title)
    if not m:
        return None
    return re.sub(r"\([^)]*\)", " ", m.group(1)).split(" not therapeutically")[0].strip() or None


# A word as the release's drug names are written (letters and inner hyphens), standing alone.
_NAME_WORD = re.compile(r"(?<![\w-])[A-Za-z][A-Za-z-]*[A-Za-z](?![\w-])")


@lru_cache(maxsize=4)
def _auto_index(store_key: int, store: Any) -> dict[str, DrugLine]:
    """Every release-read drug name (hundreds of one-word names): looked up word by word, one pass over the note."""
    return {line.hcpcs_drug: line for line in auto_lines(store_key, store)}


def _name_hits(text: str, store: Any) -> list[tuple[DrugLine, re.Match[str]]]:
    """(line, match) for every drug name in the note: the table's lines first, then the release's names."""
    lowered = text.lower()
    out = [(line, m) for line in drug_lines() if may_match(line.words, lowered) for m in line.names.finditer(text)]
    if store is not None:
        by_name = _auto_index(id(store), store)
        out += [(by_name[m.group(0).lower()], m) for m in _NAME_WORD.finditer(text) if m.group(0).lower() in by_name]
    return out


@lru_cache(maxsize=4)
def auto_lines(store_key: int, store: Any) -> tuple[DrugLine, ...]:
    """Drug lines read from the release itself: every drug named in a HCPCS injection/infusion description and
    not covered by ``drugs.tsv`` (pembrolizumab, darbepoetin, ...). The name is the description's first word."""
    del store_key
    covered = drug_lines()
    stop = drug_context()["stop_heads"]
    heads: dict[str, None] = {}
    for _code, title in _hcpcs_drug_codes(id(store), store):
        generic = _generic(title)
        if not generic:
            continue
        head = generic.split()[0].strip(".;:")
        if len(head) < 6 or head in stop or not re.fullmatch(r"[a-z][a-z-]*[a-z]", head):
            continue
        if any(line.names.search(head) for line in covered):
            continue
        heads.setdefault(head, None)
    return tuple(
        DrugLine(names=re.compile(rf"(?<![\w-]){re.escape(h)}(?![\w-])", re.I), hcpcs_drug=h, prefer=(), routes=())
        for h in heads
    )


def find_doses(ctx: NoteContext, store: Any = None, setting: str = "outpatient") -> list[Dose]:
    """Every drug dose stated in the note as given by a parenteral route.

    In operative and procedure reports the sedation and anaesthesia agents (and, in operative reports, drugs given
    by anaesthesia) belong to the procedure and are not reported."""
    text = ctx.text
    out: list[Dose] = []
    if ctx.note_type == "radiology_report":
        return out  # contrast, tracers and stress agents of an imaging study are supplies of the study
    seen: set[tuple[int, int]] = set()
    dc = drug_context()
    for line, m in _name_hits(text, store):
        clause = ctx.clause_at(m.start())
        if ctx.note_type in {"operative_report", "procedure_note"} and dc["procedural"].fullmatch(m.group(0)):
            continue
        if ctx.note_type == "operative_report" and (
            ctx.section_at(m.start()) == "anesthesia" or dc["anesthesia"].search(text[clause.start : clause.end])
        ):
            continue
        # the dose may wrap onto the next line ("methylprednisolone acetate\n   40 mg"), not into another list item
        after = re.match(rf"(?:[^.;\n]|\n[ \t]*(?=\d)){{0,30}}?{_DOSE}", text[m.end() : clause.end])
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
        if line.hcpcs_drug in _FLUIDS and _VEHICLE.search(text[max(clause.start, dose_start - 25) : dose_start]):
            continue  # the diluent of another drug's infusion ("infliximab 400 mg in 250 mL NS"), not a fluid given
        if re.match(r"\s*/\s*(m2|m²|kg|m\^2)\b", text[dose_end : dose_end + 6], re.I):
            continue  # a weight- or surface-based prescription, not the amount given
        tail = text[tail_from : min(clause.end, tail_from + 40)]
        route_tail = _ROUTE.search(tail)
        route_m = route_tail or _ROUTE.search(text[clause.start : m.start()][-20:])
        route = normalise_route(route_m.group("route")) if route_m else None
        if route is None and _INTRA_ARTICULAR.search(text[clause.start : clause.end]):
            route = "intra-articular"
        if route == "oral":
            continue
        if route == "inhalation" and (setting != "outpatient" or "inhalation" not in line.routes):
            continue  # an inhalation solution is the office's supply; in the ED it is the facility's
        if ctx.note_type == "operative_report" and route != "intra-articular":
            continue  # drugs given during an operation belong to the operation or the anaesthesia
        if line.routes and (route is None or route.split()[0] not in line.routes):
            continue
        clause_text = text[clause.start : clause.end]
        if route is None and not _GIVEN.search(clause_text):
            continue
        if _NOT_GIVEN.search(clause_text) and not _GIVEN.search(clause_text):
            continue
        if _EARLIER.search(clause_text):
            continue
        start = min(m.start(), dose_start)
        end = max(m.end(), dose_end, route_tail.end() + tail_from if route_tail and route_tail.start() < 15 else 0)
        if not ctx.ok(m.start(), m.end()) or (start, end) in seen:
            continue
        if any(d.span.start <= m.start() < d.span.end for d in out):
            continue
        seen.add((start, end))
        times_m = _TIMES.match(text[end : end + 8])
        times = int(times_m.group("n")) if times_m else 1
        if times_m:
            end += times_m.end()
        out.append(Dose(m.group(0), float(amount.replace(",", ".")), unit, route, times, span(text, start, end), line))
    return sorted(out, key=lambda d: d.span.start)


@lru_cache(maxsize=4)
def _hcpcs_drug_codes(store_key: int, store: Any) -> tuple[tuple[str, str], ...]:
    """(code, lower-case title) of the HCPCS drug and infusion codes (J, Q, C, S codes that name a dose)."""
    del store_key
    return tuple(
        (code, title.lower())
        for code, title, _billable in store.codes(HCPCS)
        if code[0] in "JQCS"
        and (
            "injection" in title.lower()
            or "infusion" in title.lower()
            or (code.startswith("J9") and not _NOT_PARENTERAL.search(title))
        )
    )


# J9 antineoplastics named without "Injection," ("Leuprolide acetate (for depot suspension), 7.5 mg") are injected too,
# unless the description says otherwise.
_NOT_PARENTERAL = re.compile(
    r"\b(oral|inhalation|ophthalmic|topical|implant|intravesical|vaginal|rectal|nasal)\b", re.I
)


_DIALYSIS = re.compile(
    r"\b(on (hemo|peritoneal )?dialysis|ESRD|ESKD|end[- ]stage (renal|kidney)|"
    r"(hemo)?dialysis[- ](dependent|patient|days?|unit|session|MWF|TTS|M/W/F|T/Th/S)|HD (patient|days?|MWF|TTS)|"
    r"(MWF|TTS) (HD|dialysis))\b",
    re.I,
)


def preference(title: str, name: str, note: str) -> float:
    """How well a HCPCS description fits a drug named ``name`` in ``note`` (higher is better): the plain or
    "not otherwise specified" product over a named manufacturer's, the salt the note names, the ESRD or non-ESRD
    product by whether the patient is on dialysis."""
    score = 0.0
    if "not otherwise specified" in title:
        score += 2.0
    dialysis = bool(_DIALYSIS.search(note))
    for paren in re.findall(r"\(([^)]*)\)", title):
        if "esrd" in paren:
            score += (-3.0 if dialysis else 1.0) if "non" in paren else (2.0 if dialysis else -3.0)
        elif paren.split() and re.search(rf"\b{re.escape(paren.split()[0])}\b", note, re.I):
            score += 3.0
        elif not re.search(r"\b(for|use|excludes|includes|per|code)\b", paren):
            score -= 2.0
    generic = _generic(title) or ""
    if generic and not generic.startswith(name):
        score -= 3.0
    for word in generic.split()[len(name.split()) :]:
        if not re.search(rf"\b{re.escape(word)}\b", note, re.I):
            score -= 0.5
    if "biosimilar" in title and "excludes biosimilar" not in title:
        score -= 1.0
    return score


def choose_code(store: Any, dose: Dose, note: str = "") -> tuple[str, float, str] | None:
    """(code, per-unit amount, unit kind) for a dose: the HCPCS description naming the drug whose unit fits."""
    codes = _hcpcs_drug_codes(id(store), store)
    if dose.route == "inhalation":
        codes = tuple((c, (store.title(HCPCS, c) or "").lower()) for c in dose.line.prefer)
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
    if not dose.line.prefer and options:
        # J codes are the physician-office drug codes; C and S codes are facility or private-payer codes
        prefs = {o[0]: preference(o[3], name, note) - (1.5 if o[0][0] in "CS" else 0.0) for o in options}
        best_pref = max(prefs.values())
        options = [o for o in options if prefs[o[0]] == best_pref]
    given = _to_base(dose.amount * dose.times, dose.unit)
    if given is None:
        return None
    amount, kind = given
    fitting = [o for o in options if o[2] == kind]
    if not fitting and dose.route == "inhalation" and kind == "ml" and len(options) == 1:
        # a unit-dose inhalation product given by volume ("DuoNeb 3 mL"): one vial is one unit dose
        return options[0][0], amount / dose.times, kind
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
        chosen = choose_code(store, dose, ctx.text)
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
