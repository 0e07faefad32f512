"""Status, long-term drug therapy and history codes read from the note's words (Z79, Z87.891, Z88, Z95, Z96, Z99).

Section I.C.21.c.3 codes a status when it affects care, and Z79 long-term (current) drug therapy when the
patient takes the drug; these are facts stated in medication lists and histories rather than diagnoses,
so they are found by word patterns kept in ``resources/status_rules.yaml``. A match preceded closely by a
negation or a stop word ("no", "denies", "stopped", "discontinued", "allergic to" for drugs) is skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

import yaml

from cac.coding.guidelines.assertion import RELATIVE
from cac.coding.guidelines.common import clause_at
from cac.coding.guidelines.context import GuidelineContext
from cac.coding.types import Candidate, Span

STATUS_SCORE = 0.7
_LOOKBACK = 40
_NEGATED_BEFORE = re.compile(
    r"\b(no|not|denies|denied|never|negative for|without|stopped|discontinued|d/c'?d|off|held|hold|"
    r"declined|refuses|allergic to|allergy to|allergies:?|intolerant of|avoid|avoiding|precluding|"
    r"contraindicated|contraindication to)\b[^.\n;]*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class StatusRule:
    code: str
    label: str
    pattern: re.Pattern[str]
    is_drug: bool
    replaces: tuple[str, ...] = ()
    # note-level patterns that rule the code out ("type 1 diabetes" for Z79.4, Section I.C.4.a.3)
    unless: re.Pattern[str] | None = None
    # a device status (Z95, Z96): not coded from the words of the procedure that places it in this encounter
    device: bool = False
    # note-level patterns that must all appear ("deliver" for the outcome of delivery)
    requires: tuple[re.Pattern[str], ...] = ()


@lru_cache(maxsize=1)
def rules() -> tuple[StatusRule, ...]:
    data = yaml.safe_load((files("cac.coding.guidelines") / "resources" / "status_rules.yaml").read_text("utf-8"))
    out = []
    for row in data["rules"]:
        joined = "|".join(f"(?:{p})" for p in row["patterns"])
        pattern = re.compile(rf"(?<![\w/-])(?:{joined})(?![\w-])", re.IGNORECASE | re.MULTILINE)
        unless = row.get("unless")
        out.append(
            StatusRule(
                row["code"],
                row["label"],
                pattern,
                row["code"].startswith("Z79"),
                tuple(row.get("replaces", ())),
                re.compile("|".join(f"(?:{p})" for p in unless), re.IGNORECASE) if unless else None,
                bool(row.get("device", False)),
                tuple(re.compile(p, re.IGNORECASE | re.MULTILINE) for p in row.get("requires", ())),
            )
        )
    return tuple(out)


# Planned, conditional or discussed, not a current fact: "Will discuss R TKA", "consider apixaban if ...".
_FUTURE_BEFORE = re.compile(
    r"\b(will(?!\s+(?:continue|resume|remain|stay|keep))|would|plans? (?:to|for)|planned|consider(?:ing)?|"
    r"discuss(?:ed)?|candidate for|scheduled for|"
    r"referr(?:ed|al) for|evaluat(?:e|ion) for|if|may need|to start)\b[^.\n;]*$",
    re.IGNORECASE,
)
# A drug held around a procedure is still the patient's drug: "Hold clopidogrel x5 days, then resume".
_HELD_FOR_NOW = re.compile(r"\b(resume[sd]?|restart(?:ed)?|until|then)\b", re.IGNORECASE)


def _negated(text: str, start: int, is_drug: bool) -> bool:
    before = text[max(0, start - _LOOKBACK) : start]
    before = re.split(r"[\n.;]", before)[-1]
    if _FUTURE_BEFORE.search(before):
        return True
    match = _NEGATED_BEFORE.search(before)
    if match is None:
        return False
    word = match.group(1).lower()
    if word in ("hold", "held") and _HELD_FOR_NOW.search(clause_at(text, start, start)):
        return False
    return is_drug or not word.startswith(("allerg", "intolerant"))


# A drug given once, for the stay or for a limited course is no long-term drug therapy: "ASA 324 mg chewed in the
# ED", "enoxaparin 40 mg SC daily for DVT prophylaxis", "ceftriaxone x1", "aspirin 81 mg BID x 4 weeks",
# "ticagrelor 180 mg load", "prednisone taper".
_NOT_LONG_TERM = re.compile(
    r"\b(?:prophyla\w*|ppx|given|administered|chewed|once|one[- ]time|single dose|loading dose|load|stat|x\s?1|"
    r"tapers?|tapering|burst|"
    r"(?:x|for)\s*\d+\s*(?:d|days?|wks?|weeks?)|"
    r"in the (?:ED|ER|emergency department)|while (?:admitted|inpatient|in hospital))\b",
    re.IGNORECASE,
)
# Started at this encounter, or a course already completed: "Start atorvastatin 40 mg and aspirin 81 mg daily",
# "initiate apixaban", "s/p lumpectomy, radiation and 5 yrs tamoxifen", "completed tamoxifen".
_NEW_START_BEFORE = re.compile(r"\b(?:start|starting|initiate|initiating|begin|add|adding|new(?:ly)? started)\b", re.I)
_PAST_COURSE_BEFORE = re.compile(
    r"\b(?:completed|finished|s/p|status post|previously on|was on|took|"
    r"\d+\s*(?:yrs?|years?|mos?|months?)(?:\s+of)?)\s+(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)
# "azathioprine was stopped last year", "warfarin discontinued"
_STOPPED_AFTER = re.compile(
    r"[^.;\n]{0,25}?\b(?:was |were |has been |had been )?(?:stopped|discontinued|d/c'?d|held|off)\b", re.IGNORECASE
)
# Antiplatelet therapy planned for a number of months after this encounter's stent ("DAPT x 12 months").
_DAPT_COURSE = re.compile(r"\b(?:DAPT|dual antiplatelet)\b[^.\n;]*\b(?:x|for)\s*\d+\s*(?:mos?|months?)\b", re.I)


def _not_long_term(text: str, match: re.Match[str]) -> bool:
    """True when the drug's own clause says it was given once, for the stay or a limited course, is started at
    this encounter, or is a completed course."""
    clause = clause_at(text, match.start(), match.end())
    if _STOPPED_AFTER.match(text, match.end()):
        return True
    if _HELD_FOR_NOW.search(clause) and re.search(r"\b(?:hold|held)\b", clause, re.I):
        return False  # "hold clopidogrel x5 days, then resume": the days are the hold's
    if _NOT_LONG_TERM.search(clause) or _DAPT_COURSE.search(clause):
        return True
    lead = clause[: max(0, clause.find(match.group(0)))]
    if _NEW_START_BEFORE.search(lead):
        return True
    return bool(_PAST_COURSE_BEFORE.search(text, max(0, match.start() - 30), match.start()))


# A device status stated as the history of a device placed before this encounter ("s/p R TKA 2018", "prior PCI").
_DEVICE_HISTORY = re.compile(
    r"\b(?:s/p|status post|prior|previous|history of|h/o|hx of|old|existing|known|in situ|in place|"
    r"(?:in )?(?:19|20)\d\d)\b",
    re.IGNORECASE,
)
_PROCEDURE_NOTES = frozenset({"operative_report", "procedure_note"})


def _placed_here(text: str, match: re.Match[str], ctx: GuidelineContext) -> bool:
    """In an operative or procedure note, device words without a history cue describe this encounter's procedure
    ("Left total knee arthroplasty", "drug-eluting stent deployed"): no status code (Section I.C.21.c.3)."""
    if ctx.note_type not in _PROCEDURE_NOTES:
        return False
    return not _DEVICE_HISTORY.search(clause_at(text, match.start(), match.end()))


def _relatives(text: str, match: re.Match[str]) -> bool:
    """A relative's status, not the patient's: "Mother with DM2 and ESRD on dialysis"."""
    line_start = text.rfind("\n", 0, match.start()) + 1
    lead = text[line_start : match.start()]
    lead = re.split(r"[.;]\s", lead)[-1]
    return bool(RELATIVE.search(lead))


def _span(match: re.Match[str]) -> Span:
    return Span(match.start(), match.end(), match.group(0))


def _status_candidate(ctx: GuidelineContext, code: str, spans: list[Span], why: str, label: str = "") -> Candidate:
    """A code read from the note's words: the rule's score, the matched words as evidence, the rule as rationale."""
    return Candidate(
        system="ICD-10-CM",
        code=code,
        title=ctx.store.title("ICD-10-CM", code) or label,
        score=STATUS_SCORE,
        evidence=spans,
        source="rule",
        rationale=why,
        mention_text=spans[0].text,
    )


_BMI = re.compile(r"\bBMI\b[^\d\n]{0,12}?(\d{2}(?:\.\d+)?)", re.IGNORECASE)
_WEIGHT_DIAGNOSIS = re.compile(
    r"\b(obes\w*|overweight|underweight|malnutrition|malnourished|cachexi\w*|morbid)", re.IGNORECASE
)
_PEDIATRIC = re.compile(r"\b(percentile|pediatric|child|infant|toddler|\d+[- ]?(month|year)[- ]old (boy|girl))\b", re.I)


def adult_bmi_code(value: float) -> str:
    """The Z68 code of an adult body mass index."""
    if value < 20:
        return "Z68.1"
    if value < 40:
        return f"Z68.{int(value)}"
    for upper, code in ((45, "Z68.41"), (50, "Z68.42"), (60, "Z68.43"), (70, "Z68.44")):
        if value < upper:
            return code
    return "Z68.45"


def _bmi(text: str, ctx: GuidelineContext) -> Candidate | None:
    """BMI is reported only with an associated weight diagnosis (Section I.B.14), adults only here."""
    match = _BMI.search(text)
    if match is None or not _WEIGHT_DIAGNOSIS.search(text) or _PEDIATRIC.search(text):
        return None
    value = float(match.group(1))
    if not 10 <= value <= 90:
        return None
    code = adult_bmi_code(value)
    if not ctx.store.is_billable("ICD-10-CM", code):
        return None
    return _status_candidate(
        ctx,
        code,
        [_span(match)],
        f"rule: BMI {value:g} with a documented weight diagnosis -> {code} (Section I.B.14)",
    )


_GESTATION = re.compile(r"\b(\d{1,2})\s*(?:w|wks?|weeks?)(?:\s*(?:and\s*)?\d\s*(?:d|days?))?\b", re.IGNORECASE)
_GESTATION_CONTEXT = re.compile(r"\b(gestation\w*|EGA|GA|IUP|weeks pregnant|by LMP|G\d+\s*P\d+)\b", re.IGNORECASE)
_PREGNANCY = re.compile(r"\b(pregnan\w*|gestation\w*|G\d+\s*P\d+|IUP|delivery|delivered|labor|antepartum)\b", re.I)


def gestation_code(weeks: int) -> str:
    """Z3A: weeks of gestation (Section I.C.15.b.5 - used with a pregnancy, childbirth or puerperium code)."""
    if weeks < 8:
        return "Z3A.01"
    if weeks > 42:
        return "Z3A.49"
    return f"Z3A.{weeks:02d}"


def _gestation(text: str, ctx: GuidelineContext) -> Candidate | None:
    """The weeks of gestation where the note states them ("9w3d by LMP", "EGA 39 weeks 2 days")."""
    if not _PREGNANCY.search(text):
        return None
    for match in _GESTATION.finditer(text):
        around = text[max(0, match.start() - 30) : match.end() + 30]
        if not _GESTATION_CONTEXT.search(around):
            continue
        code = gestation_code(int(match.group(1)))
        if not ctx.store.is_billable("ICD-10-CM", code):
            return None
        return _status_candidate(
            ctx,
            code,
            [_span(match)],
            f"rule: {match.group(0)} of gestation documented -> {code} (Section I.C.15.b.5)",
        )
    return None


# Hormone receptor status of a breast cancer (Z17: one code per receptor, FY2026).
_RECEPTOR = re.compile(
    r"(?<![A-Za-z])(ER|PR|PgR|HER-?2(?:/neu)?)\s*(?:status\s*)?(?:is\s*)?(\+|-(?![A-Za-z])|positive|negative|pos\b|neg\b)",
    re.IGNORECASE,
)
_BREAST_CANCER = re.compile(
    r"\bbreast\b[^.\n]{0,40}\b(cancer|carcinoma|malignan\w*|neoplasm|DCIS|IDC|ILC)\b"
    r"|\b(cancer|carcinoma|malignan\w*|neoplasm|DCIS)\b[^.\n]{0,40}\bbreast\b",
    re.I,
)
_RECEPTOR_CODES = {
    ("ER", True): "Z17.0",
    ("ER", False): "Z17.1",
    ("PR", True): "Z17.21",
    ("PR", False): "Z17.22",
    ("HER2", True): "Z17.31",
    ("HER2", False): "Z17.32",
}


def _receptors(text: str, ctx: GuidelineContext) -> list[Candidate]:
    """ER / PR / HER2 status documented for a breast cancer."""
    if not _BREAST_CANCER.search(text):
        return []
    found: dict[str, Candidate] = {}
    for match in _RECEPTOR.finditer(text):
        name = match.group(1).upper()
        receptor = "HER2" if name.startswith("HER") else ("PR" if name in ("PR", "PGR") else "ER")
        positive = match.group(2).lower() in ("+", "positive", "pos")
        code = _RECEPTOR_CODES[(receptor, positive)]
        if code in found or not ctx.store.is_billable("ICD-10-CM", code):
            continue
        found[code] = _status_candidate(
            ctx,
            code,
            [_span(match)],
            f"rule: {match.group(0)} with breast cancer -> {code} (hormone receptor status)",
        )
    return list(found.values())


def apply(candidates: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """Add a status code for every rule the note's words satisfy, unless the code is already proposed."""
    text = ctx.text or ""
    if not text:
        return candidates
    have = {c.code for c in candidates}
    out = list(candidates)
    for rule in rules():
        if not ctx.store.is_billable("ICD-10-CM", rule.code):
            continue
        if rule.unless is not None and rule.unless.search(text):
            continue
        if not all(p.search(text) for p in rule.requires):
            continue
        spans = [
            _span(m)
            for m in rule.pattern.finditer(text)
            if not _negated(text, m.start(), rule.is_drug)
            and not _relatives(text, m)
            and not (rule.is_drug and _not_long_term(text, m))
            and not (rule.device and _placed_here(text, m, ctx))
        ]
        if not spans:
            continue
        if rule.code in have:  # already found from a mention: the rule's own words confirm it
            why = f"rule: {rule.label} documented -> {rule.code} (Section I.C.21.c.3)"
            for c in out:
                if c.code == rule.code:
                    c.score = max(c.score, STATUS_SCORE)
                    c.evidence = sorted({*c.evidence, *spans[:3]}, key=lambda s: s.start)
                    if why not in c.rationale:
                        c.rationale = f"{why}; {c.rationale}" if c.rationale else why
                        c.source = "rule"
            continue
        if rule.replaces:  # the more specific statement replaces a vaguer code of the same fact
            out = [c for c in out if c.code not in rule.replaces]
        out.append(
            _status_candidate(
                ctx,
                rule.code,
                spans[:3],
                f"rule: {rule.label} documented -> {rule.code} (Section I.C.21.c.3)",
                rule.label,
            )
        )
        have.add(rule.code)
    bmi = _bmi(text, ctx)
    if bmi is not None and not any(c.startswith("Z68") for c in have):
        out.append(bmi)
    weeks = _gestation(text, ctx)
    if weeks is not None and not any(c.startswith("Z3A") for c in have):
        out.append(weeks)
    out.extend(c for c in _receptors(text, ctx) if c.code not in have)
    return out
