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
from typing import Any

import yaml

from cac.coding.guidelines.assertion import RELATIVE, header_before
from cac.coding.guidelines.common import clause_at
from cac.coding.guidelines.context import GuidelineContext
from cac.coding.guidelines.patterns import ALLERGY_HEADER, about_another_person, stated_age
from cac.coding.prefilter import literal_words, may_match, may_match_all, required_groups
from cac.coding.types import Candidate, Span

STATUS_SCORE = 0.7
_LOOKBACK = 40
# A negation may stand further back when what lies between is a list: "She denies a history of stroke, cancer,
# asthma, emphysema, pneumonia, tuberculosis, home oxygen use or sleep apnea".
_LIST_LOOKBACK = 320
_NEGATION_WORD = re.compile(
    r"\b(no|not|denies|denied|never|negative for|without|stopped|discontinued|d/c'?d|off|held|hold|"
    r"declined|refuses|allergic to|allergy to|allergies:?|intolerant of|avoid|avoiding|precluding|"
    r"contraindicated|contraindication to)\b",
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
    # patterns that, in the match's own clause, rule the match out ("smokes 2 ppd ... quit in 1996")
    clause_unless: re.Pattern[str] | None = None
    # codes that, found by an earlier rule, rule this one out (a current smoker is no former smoker)
    not_with: tuple[str, ...] = ()
    # patterns that, in the match's own list item, rule the match out ("insulin sliding scale" for Z79.4)
    item_unless: re.Pattern[str] | None = None
    # words one of which every match of ``pattern`` contains (None: always run; ``cac.coding.prefilter``)
    words: frozenset[str] | None = None
    # the rule's words are about stopping a drug (underdosing): "stopped", "off", "held" before them do not negate
    about_stopping: bool = False


@lru_cache(maxsize=1)
def rules() -> tuple[StatusRule, ...]:
    data = yaml.safe_load((files("cac.coding.guidelines") / "resources" / "status_rules.yaml").read_text("utf-8"))
    macros: dict[str, str] = data.get("macros", {})
    out = []
    for raw in data["rules"]:
        row = {key: _expanded(value, macros) for key, value in raw.items()}
        joined = "|".join(f"(?:{_wrapping(p)})" for p in row["patterns"])
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
                re.compile("|".join(f"(?:{p})" for p in row["clause_unless"]), re.IGNORECASE)
                if row.get("clause_unless")
                else None,
                tuple(row.get("not_with", ())),
                _any_of(row.get("item_unless")),
                literal_words(pattern.pattern, pattern.flags),
                bool(row.get("about_stopping", False)),
            )
        )
    return tuple(out)


_MACRO = re.compile(r"\$\{(\w+)\}")


def _expanded(value: Any, macros: dict[str, str]) -> Any:
    """A rule's value with each ``${name}`` in its patterns replaced by the shared pattern of that name."""
    if isinstance(value, str):
        return _MACRO.sub(lambda m: macros[m.group(1)], value)
    if isinstance(value, list):
        return [_expanded(v, macros) for v in value]
    return value


_CHAR_CLASS = re.compile(r"\[(?:\\.|[^\]\\])*\]|\\.")
# A space of a rule pattern: spaces, or a line break where the note wraps a line that goes on in lower case.
_SPACE = r"(?:[ \t]+|[ \t]*\n[ \t]*(?-i:(?=[a-z0-9(/])))"


def _wrapping(pattern: str) -> str:
    """The pattern with each literal space (outside a character class) matching a wrapped line too: "former\nsmoker",
    "s/p R 2nd toe\namputation"."""
    out, last = [], 0
    for m in _CHAR_CLASS.finditer(pattern):
        out += [pattern[last : m.start()].replace(" ", _SPACE), m.group()]
        last = m.end()
    out.append(pattern[last:].replace(" ", _SPACE))
    return "".join(out)


def _any_of(patterns: list[str] | None) -> re.Pattern[str] | None:
    """Patterns as one case-insensitive regex, None when there are none."""
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE) if patterns else None


# Planned, conditional or discussed, not a current fact: "Will discuss R TKA", "consider apixaban if ...".
# Advice and wishes are no facts either: "advised to go on dialysis", "should quit smoking", "something to help her
# quit smoking", "may be started on azathioprine", "the risk of placing him on Coumadin".
_FUTURE_BEFORE = re.compile(
    r"\b(will(?!\s+(?:continue|resume|remain|stay|keep))|would|plans? (?:to|for)|planned|consider(?:ing)?|"
    r"discuss(?:ed)?|candidate for|scheduled for|"
    r"referr(?:ed|al) for|evaluat(?:e|ion) for|if|may|might|could|should|to start|"
    r"advised|advise|encouraged?|urged?|counsel(?:ed|ing)?|recommend(?:ed|s)?|"
    r"wants? to|wish(?:es)? to|like to|trying to|tried to|attempt(?:ing|ed|s)? to|ready to|help(?:s|ing)?|"
    r"placing (?:\w+ )?on|put (?:\w+ )?on|whether)\b[^.\n;]*$",
    re.IGNORECASE,
)
# ... unless the plan is to go on with what the patient already does ("recommend continuing aspirin").
_GOES_ON = re.compile(r"\b(?:continu\w*|remain\w*|resum\w*|stay\w* on|keep\w*)\b", re.IGNORECASE)
# What stands between a negation and the match when the negation no longer reaches it: "Denies chest pain,
# takes aspirin daily", "No fever, but remains on warfarin".
_LIST_BREAK = re.compile(
    r"\b(?:but|however|although|though|except|which|who|currently|now|still|continues?|remains?|takes|uses|"
    r"(?:is|was|has been) on)\b",
    re.IGNORECASE,
)
# A drug held around a procedure is still the patient's drug: "Hold clopidogrel x5 days, then resume".
_HELD_FOR_NOW = re.compile(r"\b(resume[sd]?|restart(?:ed)?|until|then)\b", re.IGNORECASE)


_STOP_WORDS = frozenset({"stopped", "discontinued", "d/c'd", "d/cd", "off", "held", "hold"})


def _negated(text: str, start: int, is_drug: bool, about_stopping: bool = False) -> bool:
    # a line break ends the words that may negate, unless the line is wrapped ("not\non hormonal contraception")
    window = text[max(0, start - _LIST_LOOKBACK) : start + 1]  # with the match's first letter, to see a wrap
    wide = re.split(r";|\n(?![ \t]*[a-z])|\.(?=\s|,|$)", window)[-1]
    wide = wide[:-1] if start < len(text) else wide
    before = wide[-(_LOOKBACK + 20) :]
    future = _FUTURE_BEFORE.search(before)
    if future and not _GOES_ON.search(before[future.end(1) :]):
        return True
    found = list(_NEGATION_WORD.finditer(wide))
    if not found:
        return False
    match = found[-1]  # the nearest negation
    between = wide[match.end(1) :]
    if _LIST_BREAK.search(between) or ":" in between:  # a break word, or a new header ("Medications:")
        return False
    if ")" in between.split("(")[0]:  # a negation inside parentheses: "Dementia (type not determined), ... s/p THA"
        return False
    if len(between) > _LOOKBACK:  # far back: only over a list of short items
        items = re.split(r",|\bor\b|\band\b", between)
        if len(items) < 2 or any(len(item.split()) > 6 for item in items):
            return False
    word = match.group(1).lower()
    if about_stopping and word in _STOP_WORDS:
        return False
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
# "azathioprine was stopped last year", "warfarin discontinued", "Letrozole completed 2024",
# "aspirin 325 mg daily, which is currently stopped"
_STOPPED_AFTER = re.compile(
    r"[^.;\n]{0,25}?\b(?:was |were |has been |had been )?(?:stopped|discontinued|d/c'?d|held|off|completed|finished)\b"
    r"|[^.;\n]{0,50}?,\s*(?:which|that) (?:is|are|was|were|has been) (?:currently |now )?"
    r"(?:stopped|discontinued|held|on hold)\b",
    re.IGNORECASE,
)
# Antiplatelet therapy planned for a number of months after this encounter's stent ("DAPT x 12 months").
_DAPT_COURSE = re.compile(r"\b(?:DAPT|dual antiplatelet)\b[^.\n;]*\b(?:x|for)\s*\d+\s*(?:mos?|months?)\b", re.I)
# "Plavix was started in addition to baby aspirin" (not "warfarin was started in 2015").
_STARTED_AFTER = re.compile(
    r"\s*(?:was|were|has been|had been)\s+(?:started|initiated|begun|added)\b"
    r"(?![^.;\n]{0,30}(?:(?:19|20)\d\d|\bago\b))",
    re.IGNORECASE,
)
# A dose written before the drug is a dose given: "300 mg of Plavix", "2000 of heparin, 300 of Plavix".
_DOSE_OF_BEFORE = re.compile(r"\b\d+(?:\.\d+)?\s*(?:mg|mcg|g|units?)?\s+of\s+(?:\w+\s+)?$", re.IGNORECASE)
_FREQUENCY = re.compile(
    r"\b(?:daily|nightly|weekly|q\.?\s?d\b|q\.?\s?(?:am|pm|hs)\b|b\.?i\.?d\b|t\.?i\.?d\b|q\.?i\.?d\b|a day|per day|"
    r"every)",
    re.IGNORECASE,
)
# Enoxaparin at a prophylactic dose (20-40 mg once a day, 30 mg twice): DVT prophylaxis, not anticoagulation.
_PROPHYLACTIC_LMWH = re.compile(r"^(?:enoxaparin|lovenox)$", re.IGNORECASE)
_PROPHYLACTIC_DOSE = re.compile(r"\s*(?:sodium\s+)?(?:20|30|40)\s*mg\b", re.IGNORECASE)
# Drugs under these headers are not the patient's drug therapy: an allergy list, or what was given during a procedure.
_PROCEDURE_HEADER = re.compile(
    r"^(?:anesthesia|anaesthesia|anticoagulation|sedation|premedication|contrast|intraoperative\b.*|"
    r"medications? (?:given|administered|used|during|at the time of)\b.*)$",
    re.IGNORECASE,
)
# A clause of a medication list: ends at a semicolon, a line break or a full stop that ends a sentence, not at the
# dots of "p.o." or "b.i.d.".
_DRUG_CLAUSE_BOUND = re.compile(r"[;\n]|\.(?=\s+[A-Z0-9(]|\s*,|\s*$)|\s-\s")


_SENTENCE_BOUND = re.compile(r"\n|\.(?=\s+[A-Z0-9(]|\s*,|\s*$)")


def _drug_clause(text: str, start: int, end: int, reach: int = 200, bound: re.Pattern[str] = _DRUG_CLAUSE_BOUND) -> str:
    lo = max(0, start - reach)
    before = [m.end() for m in bound.finditer(text, lo, start)]
    after = bound.search(text, end)
    return text[before[-1] if before else lo : after.start() if after else len(text)]


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence holding the match, semicolons inside it: "2ppd smoker since his teens; quit 2 years ago"."""
    return _drug_clause(text, start, end, bound=_SENTENCE_BOUND)


def _not_long_term(text: str, match: re.Match[str]) -> bool:
    """True when the drug's own clause says it was given once, for the stay or a limited course, is started at
    this encounter, or is a completed course; or when it stands in an allergy list or a procedure's account."""
    clause = _drug_clause(text, match.start(), match.end())
    if _STOPPED_AFTER.match(text, match.end()) or _STARTED_AFTER.match(text, match.end()):
        return True
    header = header_before(text, match.start())
    if ALLERGY_HEADER.search(header) or _PROCEDURE_HEADER.match(header):
        return True
    if _PROPHYLACTIC_LMWH.match(match.group(0)) and _PROPHYLACTIC_DOSE.match(text, match.end()):
        return True
    lead = text[max(0, match.start() - 30) : match.start()]
    if _DOSE_OF_BEFORE.search(lead) and not _FREQUENCY.search(clause):
        return True
    if _HELD_FOR_NOW.search(clause) and re.search(r"\b(?:hold|held)\b", clause, re.I):
        return False  # "hold clopidogrel x5 days, then resume": the days are the hold's
    if _NOT_LONG_TERM.search(clause) or _DAPT_COURSE.search(clause):
        return True
    lead = clause[: max(0, clause.find(match.group(0)))]
    if _NEW_START_BEFORE.search(lead):
        return True
    return bool(_PAST_COURSE_BEFORE.search(text, max(0, match.start() - 30), match.start()))


# One item of a medication list: its clause cut at commas and at the words joining two drugs ("Lantus 20 units qHS,
# lispro per sliding scale", "glargine 10 units plus correctional insulin").
_ITEM_BOUND = re.compile(r",|\b(?:and|plus|with)\b|\+")


def _item(text: str, match: re.Match[str]) -> str:
    """The list item holding the drug's words."""
    clause = _drug_clause(text, match.start(), match.end())
    at = clause.find(match.group(0))
    if at < 0:
        return clause
    starts = [m.end() for m in _ITEM_BOUND.finditer(clause, 0, at)]
    after = _ITEM_BOUND.search(clause, at + len(match.group(0)))
    return clause[starts[-1] if starts else 0 : after.start() if after else len(clause)]


# A drug started during this stay or prescribed new at discharge is no long-term therapy yet (GUIDE.md 2.3): "was
# started on Coumadin", "placed on warfarin", "will discharge on warfarin" ("placed back on" is a resumption).
_STARTED_HERE_BEFORE = re.compile(
    r"\b(?:started|placed|put|initiated|begun)\s+(?:him\s+|her\s+|the\s+patient\s+)?on\s+(?:\w+\s+){0,2}$"
    r"|\b(?:discharg(?:e|ed|ing)|go(?:ing)?\s+home|sent\s+home)\s+(?:home\s+)?on\s+(?:\w+\s+){0,2}$"
    r"|\bnew(?:ly)?\s+(?:started|prescribed|prescription\s+(?:for|of))\s+(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)
# ... unless its clause dates the start before this encounter ("started on warfarin in 2015", "3 years ago").
_EARLIER_START = re.compile(
    r"\b(?:(?:19|20)\d\d|ago|years?|yrs?|months?|since|previously|prior|last|age|outside|"
    r"in\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*)\b",
    re.IGNORECASE,
)
# Started today in any setting: "started on warfarin today", "at discharge".
_TODAY = re.compile(
    r"\b(?:today|this\s+(?:visit|admission|hospitalization|stay)|at\s+discharge|on\s+discharge)\b", re.I
)
_STAY_NOTES = frozenset({"discharge_summary"})
# Words that place the drug before this encounter: a home medication list or a chronic use.
_HOME_USE = re.compile(
    r"\b(?:home|at\s+home|chronic(?:ally)?|long[- ]term|prior\s+to\s+admission|PTA|outpatient|"
    r"(?:has|had)\s+been\s+on|maintained\s+on|takes|remains\s+on)\b",
    re.IGNORECASE,
)
_HOME_HEADER = re.compile(r"\b(?:home|outpatient|prior\s+to\s+admission|pre-?admission|admission|current)\b", re.I)


def _started_here(text: str, match: re.Match[str], ctx: GuidelineContext) -> bool:
    """The drug is started during this stay, or prescribed new at discharge, by the words of its clause."""
    lead = text[max(0, match.start() - 60) : match.start()]
    if not _STARTED_HERE_BEFORE.search(lead):
        return False
    clause = _drug_clause(text, match.start(), match.end())
    if _EARLIER_START.search(clause) or re.search(r"\bback\s+on\s+(?:\w+\s+){0,2}$", lead, re.I):
        return False
    return ctx.setting in ("inpatient", "emergency") or ctx.note_type in _STAY_NOTES or bool(_TODAY.search(clause))


def _home_use(text: str, match: re.Match[str]) -> bool:
    """The drug is documented as taken before this encounter (home list, chronic use)."""
    if _HOME_USE.search(_drug_clause(text, match.start(), match.end())):
        return True
    header = header_before(text, match.start())
    return bool(re.search(r"\bmed", header) and _HOME_HEADER.search(header))


def _new_this_stay(text: str, matches: list[re.Match[str]], ctx: GuidelineContext) -> bool:
    """Every mention of the rule's drugs belongs to a drug started in this encounter: one is stated as started here
    and none as taken before ("Started on Coumadin for the DVT" and "Coumadin 5 mg daily" in the discharge list)."""
    return any(_started_here(text, m, ctx) for m in matches) and not any(_home_use(text, m) for m in matches)


# A device status stated as the history of a device placed before this encounter ("s/p R TKA 2018", "prior PCI").
_DEVICE_HISTORY = re.compile(
    r"\b(?:s/p|status post|prior|previous|history of|h/o|hx of|old|existing|known|in situ|in place|"
    r"(?:in )?(?:19|20)\d\d|ago|had|has had|has an?)\b",
    re.IGNORECASE,
)
_PROCEDURE_NOTES = frozenset({"operative_report", "procedure_note"})
# Any note: the words of the placing itself ("Implantation of a dual chamber permanent pacemaker", "She underwent
# right total knee arthroplasty" in the hospital course).
_PLACING = re.compile(
    r"\b(?:implant(?:ation|ed)|insertion|inserted|placement|placed|deploy(?:ed|ment)|underwent|performed|"
    r"taken to the (?:OR|operating room))\b",
    re.IGNORECASE,
)
_HISTORY_HEADER = re.compile(r"\b(?:history|hx|pmh|psh|pmhx|psh?x)\b", re.IGNORECASE)


def _placed_here(text: str, match: re.Match[str], ctx: GuidelineContext) -> bool:
    """Device words without a history cue that describe this encounter's procedure ("Left total knee arthroplasty",
    "drug-eluting stent deployed" in an operative note; "implantation of a permanent pacemaker", "underwent right
    total knee arthroplasty" outside a history section in any note): no status code (Section I.C.21.c.3)."""
    clause = clause_at(text, match.start(), match.end())
    if _DEVICE_HISTORY.search(clause):
        return False
    if ctx.note_type in _PROCEDURE_NOTES:
        return True
    return bool(_PLACING.search(clause)) and not _HISTORY_HEADER.search(header_before(text, match.start()))


# A device or procedure still to come is no status: "Left hip hemiarthroplasty planned for tomorrow".
_PLANNED_AFTER = re.compile(
    r"[^.;\n]{0,25}?\b(?:planned|scheduled|pending|to be (?:done|performed|placed)|(?:is |was )?recommended|"
    r"is indicated|tomorrow)\b",
    re.IGNORECASE,
)
_DONE_BEFORE = re.compile(r"(?:s/p|status post|h/o|hx|history of|prior|previous)\b", re.IGNORECASE)


def _planned(text: str, match: re.Match[str]) -> bool:
    """The matched device or procedure is planned, not done ("R THA scheduled for March"); "s/p R THA" is done."""
    return not _DONE_BEFORE.match(match.group(0)) and bool(_PLANNED_AFTER.match(text, match.end()))


# A status that ended: "on peritoneal dialysis until 1996".
_ENDED_AFTER = re.compile(
    r"[^.;\n]{0,30}?\buntil\s+(?:(?:19|20)\d\d|\w+\s+(?:years?|months?|weeks?)\s+ago|last\s+\w+|recently)\b",
    re.IGNORECASE,
)


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


# A pediatric BMI stated as a percentile for age: "BMI 97th percentile", "BMI-for-age at the 88th percentile",
# "BMI 24.3 kg/m2 (97th percentile for age)", "at the 99th percentile for BMI".
_PERCENTILE = r"(?<![\d.])(\d{1,2}(?:\.\d)?)(?:st|nd|rd|th)?\s*(?:%ile|percentile|centile)"
_BMI_PERCENTILE = re.compile(
    rf"\b(?:BMI|body mass index)\b[^\n;]{{0,40}}?{_PERCENTILE}|{_PERCENTILE}\s+(?:for\s+)?(?:BMI|body mass index)\b",
    re.IGNORECASE,
)
# Above the 95th percentile, how far: "at or above 120% of the 95th percentile" (not "below 120% of ...").
_OVER_95TH = re.compile(
    r"(?<!below )(?<!less than )(?<!under )(?<!< )(?:>=?\s*|\u2265\s*|at or above\s+|above\s+|over\s+)?"
    r"(1[2-9]\d)\s*%\s*of\s*the\s*95th",
    re.IGNORECASE,
)
_PREGNANCY_CODES = ("O", "Z33", "Z34", "Z3A")


def pediatric_bmi_code(percentile: float, over_95th: int = 0) -> str:
    """The Z68.5- code of a BMI percentile for age (FY2026: at or above the 95th percentile split by the percent
    of the 95th percentile, ``over_95th``, when the note states it)."""
    if percentile < 5:
        return "Z68.51"
    if percentile < 85:
        return "Z68.52"
    if percentile < 95:
        return "Z68.53"
    if over_95th >= 140:
        return "Z68.56"
    return "Z68.55" if over_95th >= 120 else "Z68.54"


def _pediatric_bmi(text: str, ctx: GuidelineContext) -> Candidate | None:
    """A BMI percentile for age of a patient under 20 -> Z68.51-Z68.56."""
    match = _BMI_PERCENTILE.search(text)
    age = stated_age(text)
    if match is None or (age is not None and age >= 20):
        return None
    percentile = float(match.group(1) or match.group(2))
    over = _OVER_95TH.search(text, match.start(), match.end() + 80)
    code = pediatric_bmi_code(percentile, int(over.group(1)) if over else 0)
    if not ctx.store.is_billable("ICD-10-CM", code):
        return None
    return _status_candidate(
        ctx,
        code,
        [_span(match)],
        f"rule: BMI {percentile:g}th percentile for age with a documented weight diagnosis -> {code} (Section I.B.14)",
    )


def _bmi(text: str, ctx: GuidelineContext, codes: set[str]) -> Candidate | None:
    """BMI is reported only with an associated weight diagnosis (Section I.B.14) and not in pregnancy (GUIDE.md
    2.3): a percentile for age for a child, the value for an adult."""
    if not _WEIGHT_DIAGNOSIS.search(text) or any(c.startswith(_PREGNANCY_CODES) for c in codes):
        return None
    if _BMI_PERCENTILE.search(text):
        return _pediatric_bmi(text, ctx)
    match = _BMI.search(text)
    age = stated_age(text)
    # a child's words in an adult's note ("anaphylaxis as a child") make no pediatric BMI
    if match is None or (_PEDIATRIC.search(text) and (age is None or age < 20)):
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


# Completed weeks, the days of the week written after them as a fraction or a plus ("39 2/7 weeks", "20+3 weeks",
# "20w3d", "20-week"): the number read is the whole weeks, never the fraction's.
_GESTATION = re.compile(
    r"(?<![/+\d.])\b(\d{1,2})\s*(?:\+\s*\d\s*|\d/7\s*)?-?\s*(?:w|wks?|weeks?)(?:\s*(?:and\s*)?\d\s*(?:d|days?))?\b",
    re.IGNORECASE,
)
_GESTATION_CONTEXT = re.compile(
    r"\b(gestation\w*|EGA|GA|IUP|weeks pregnant|by (?:LMP|US|ultrasound|dating)|G\d+\s*P\d+)\b", re.IGNORECASE
)
_PREGNANCY = re.compile(
    r"\b(pregnan\w*|gestation\w*|G\d+\s*P\d+|IUP|EGA|EDD|EDC|delivery|delivered|labor|antepartum)\b", re.I
)


def gestation_code(weeks: int) -> str:
    """Z3A: weeks of gestation (Section I.C.15.b.5 - used with a pregnancy, childbirth or puerperium code)."""
    if weeks < 8:
        return "Z3A.01"
    if weeks > 42:
        return "Z3A.49"
    return f"Z3A.{weeks:02d}"


# Weeks that are not the pregnancy's: one fetal measurement ("BPD: 9.0cm consistent with 36weeks", "FL equals 35
# weeks") or the patient's own birth ("born at 33 weeks' gestation", "an ex-32 weeks infant").
_MEASURED_BEFORE = re.compile(
    r"(?:\b(?:BPD|HC|AC|FL|HL|OFD)\b|\bconsistent with|\bequals?\b|=|\bcompatible with|\bmeasur\w*)[^.;\n]{0,25}$",
    re.IGNORECASE,
)
# Counselling about pregnancies in general: "the average single pregnancy delivers at 40 weeks' gestation".
_GENERAL_BEFORE = re.compile(r"\b(?:deliver\w*|occurs?)\s+(?:at|prior to|before|by)\s*$", re.IGNORECASE)
_BIRTH_AROUND = re.compile(
    r"\bborn\b|\bex-?\s*$|\bbirth ?weight|\bpreemie|\bprematur\w* (?:infant|baby)", re.IGNORECASE
)


def _gestation(text: str, ctx: GuidelineContext) -> Candidate | None:
    """The weeks of gestation where the note states them ("9w3d by LMP", "EGA 39 weeks 2 days")."""
    if not _PREGNANCY.search(text):
        return None
    for match in _GESTATION.finditer(text):
        around = text[max(0, match.start() - 45) : match.end() + 30]
        if not _GESTATION_CONTEXT.search(around):
            continue
        lead = text[max(0, match.start() - 40) : match.start()]
        if _MEASURED_BEFORE.search(lead) or _BIRTH_AROUND.search(lead) or _BIRTH_AROUND.search(around):
            continue
        if _GENERAL_BEFORE.search(lead) or about_another_person(text, match.start()):
            continue  # a relative's pregnancy ("her daughter is 32 weeks pregnant") is not the patient's
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


@lru_cache(maxsize=1)
def _sections() -> dict[str, Any]:
    """The non-rule sections of ``status_rules.yaml`` (tobacco dependence, breast density)."""
    data = yaml.safe_load((files("cac.coding.guidelines") / "resources" / "status_rules.yaml").read_text("utf-8"))
    return {k: v for k, v in data.items() if k not in ("rules", "macros")}


def _first_digit(options: list[dict[str, str]], clause: str, default: str = "0") -> tuple[str, int]:
    """The digit of the first option whose pattern the clause holds, and where in the clause its words end."""
    for option in options:
        found = re.search(option["pattern"], clause, re.IGNORECASE)
        if found:
            return str(option["digit"]), found.end()
    return default, 0


# Where the words about one statement end: a sentence end, a semicolon, a line break, a dash before a plan.
_CLAUSE_END = re.compile(r"[;\n]|\.(?=\s|$)|\s[-\u2013]\s")


def _tobacco_dependence(text: str, ctx: GuidelineContext) -> list[Candidate]:
    """A tobacco use disorder or nicotine dependence statement -> F17.2 by product and state (Section I.C.5.b)."""
    spec = _sections()["tobacco_dependence"]
    statement = re.compile(rf"\b(?:{spec['statement']})\b", re.IGNORECASE)
    history = re.compile(spec["history_before"], re.IGNORECASE)
    found: dict[str, Candidate] = {}
    for match in statement.finditer(text):
        if _negated(text, match.start(), False) or _relatives(text, match):
            continue
        if history.search(text, max(0, match.start() - 30), match.start()):
            continue
        end = _CLAUSE_END.search(text, match.end())
        clause = text[match.start() : min(end.start() if end else len(text), match.end() + 60)]
        (product, product_end), (state, state_end) = (
            _first_digit(spec["products"], clause),
            _first_digit(spec["states"], clause),
        )
        code = f"F17.2{product}{state}"
        if not ctx.store.is_billable("ICD-10-CM", code):
            continue
        stop = max(match.end() - match.start(), product_end, state_end)
        stop += 1 if clause[stop : stop + 1] == ")" and "(" in clause[:stop] else 0
        span = Span(match.start(), match.start() + stop, clause[:stop])
        if code in found:
            found[code].evidence.append(span)
            continue
        found[code] = _status_candidate(
            ctx, code, [span], f"rule: tobacco dependence documented -> {code} (Section I.C.5.b)"
        )
    return list(found.values())


def _breast_density(text: str, ctx: GuidelineContext) -> Candidate | None:
    """The breast composition a mammogram states -> R92.3- by category and side (FY2026)."""
    spec = _sections()["breast_density"]
    if not re.search(spec["requires"], text, re.IGNORECASE):
        return None
    hits: list[tuple[int, str, re.Match[str]]] = []
    for row in spec["categories"]:
        hits.extend((m.start(), row["code"], m) for m in re.finditer(row["pattern"], text, re.IGNORECASE))
    for m in re.finditer(spec["letter"], text, re.IGNORECASE):
        hits.append((m.start(), spec["letters"][m.group(1).lower()], m))
    if not hits:
        hits = [
            (m.start(), spec["unspecified"]["code"], m)
            for m in re.finditer(spec["unspecified"]["pattern"], text, re.IGNORECASE)
        ]
    hits = [h for h in hits if not _negated(text, h[0], False)]
    if not hits:
        return None
    _start, code, match = min(hits, key=lambda h: h[0])
    if code != spec["unspecified"]["code"]:
        line = text[text.rfind("\n", 0, match.start()) + 1 : (text.find("\n", match.end()) + 1 or len(text) + 1) - 1]
        right, left = re.search(spec["right"], line), re.search(spec["left"], line)
        code += "1" if right and not left else "2" if left and not right else "3"
    if not ctx.store.is_billable("ICD-10-CM", code):
        return None
    return _status_candidate(ctx, code, [_span(match)], f"rule: breast composition '{match.group(0)}' -> {code}")


def _replace_within(out: list[Candidate], added: Candidate, codes: frozenset[str]) -> list[Candidate]:
    """``out`` without the candidates of ``codes`` whose every evidence span lies inside the added code's evidence
    (the vaguer code of the same words); a candidate of the added code itself takes the added evidence."""
    inside = [(s.start, s.end) for s in added.evidence]

    def within(c: Candidate) -> bool:
        return bool(c.evidence) and all(any(a <= s.start and s.end <= b for a, b in inside) for s in c.evidence)

    kept = [c for c in out if not (c.code != added.code and c.code in codes and within(c))]
    same = next((c for c in kept if c.code == added.code), None)
    if same is None:
        return [*kept, added]
    same.score = max(same.score, added.score)
    same.evidence = sorted({*same.evidence, *added.evidence}, key=lambda s: (s.start, s.end))
    if added.rationale not in same.rationale:
        same.rationale = f"{added.rationale}; {same.rationale}" if same.rationale else added.rationale
    return kept


def _satisfied(ctx: GuidelineContext, text: str) -> list[tuple[StatusRule, list[Span]]]:
    """Every rule the note's words satisfy, with its spans, in rule order; read once per note (the assertion
    family asks for the encounter's reasons before this family runs)."""
    memo = ctx.memo.get("status_rules")
    if memo is not None and memo[0] == text:
        return list(memo[1])
    found: list[tuple[StatusRule, list[Span]]] = []
    ruled: set[str] = set()  # codes the rules found in this note
    lowered = text.lower()
    for rule in rules():
        if not may_match(rule.words, lowered) or not may_match_all(required_groups(rule.pattern), lowered):
            continue
        if not ctx.store.is_billable("ICD-10-CM", rule.code):
            continue
        if rule.unless is not None and rule.unless.search(text):
            continue
        if not all(p.search(text) for p in rule.requires):
            continue
        if any(code in ruled for code in rule.not_with):
            continue
        matches = list(rule.pattern.finditer(text))
        if rule.is_drug and _new_this_stay(text, matches, ctx):
            continue
        spans = [
            _span(m)
            for m in matches
            if not _negated(text, m.start(), rule.is_drug, rule.about_stopping)
            and not _relatives(text, m)
            and not _ENDED_AFTER.match(text, m.end())
            and not (rule.clause_unless and rule.clause_unless.search(_sentence(text, m.start(), m.end())))
            and not (rule.item_unless and rule.item_unless.search(_item(text, m)))
            and not (rule.is_drug and _not_long_term(text, m))
            and not (rule.device and (_placed_here(text, m, ctx) or _planned(text, m)))
        ]
        if spans:
            ruled.add(rule.code)
            found.append((rule, spans))
    ctx.memo["status_rules"] = (text, found)
    return list(found)


@lru_cache(maxsize=1)
def _transplant_not_done() -> re.Pattern[str]:
    return re.compile(_sections()["transplant_not_done"], re.IGNORECASE)


def _no_transplant_status_before_the_transplant(cands: list[Candidate], text: str) -> list[Candidate]:
    """A Z94 transplant status whose every "transplant" the note speaks of as still to come (an evaluation,
    referral or listing for it) is not coded: the organ has not been transplanted."""
    pattern = _transplant_not_done()
    return [
        c
        for c in cands
        if not (
            c.code.startswith("Z94")
            and c.evidence
            and all(pattern.search(clause_at(text, s.start, s.end)) for s in c.evidence)
        )
    ]


def _no_native_esrd_after_a_kidney_transplant(cands: list[Candidate]) -> list[Candidate]:
    """A kidney transplant recipient's ESRD code (the native kidneys' disease) is not coded without current dialysis
    (``kidney_transplant_esrd`` in status_rules.yaml)."""
    rule = _sections()["kidney_transplant_esrd"]
    codes = {c.code for c in cands}
    if rule["status"] not in codes or any(c.startswith(tuple(rule["unless"])) for c in codes):
        return cands
    return [c for c in cands if not c.code.startswith(tuple(rule["drops"]))]


def apply(candidates: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """Add a status code for every rule the note's words satisfy, unless the code is already proposed."""
    text = ctx.text or ""
    if not text:
        return candidates
    have = {c.code for c in candidates}
    out = list(candidates)
    for rule, spans in _satisfied(ctx, text):
        if rule.code in have:  # already found from a mention: the rule's own words confirm it
            why = f"rule: {rule.label} documented -> {rule.code} (Section I.C.21.c.3)"
            for c in out:
                if c.code == rule.code:
                    c.score = max(c.score, STATUS_SCORE)
                    c.evidence = sorted({*c.evidence, *spans[:3]}, key=lambda s: (s.start, s.end))
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
    out = _no_transplant_status_before_the_transplant(out, text)
    out = _no_native_esrd_after_a_kidney_transplant(out)
    weeks = _gestation(text, ctx)
    bmi = _bmi(text, ctx, have | ({weeks.code} if weeks else set()))
    # the "BMI" mention itself finds only the category Z68: the rule's code replaces it
    if bmi is not None and not any(c.startswith("Z68") and ctx.store.is_billable("ICD-10-CM", c) for c in have):
        out = [c for c in out if not c.code.startswith("Z68")]
        out.append(bmi)
    if weeks is not None and not any(c.startswith("Z3A") for c in have):
        out.append(weeks)
    out.extend(c for c in _receptors(text, ctx) if c.code not in have)
    for tobacco in _tobacco_dependence(text, ctx):
        out = _replace_within(out, tobacco, frozenset(_sections()["tobacco_dependence"]["replaces"]))
    density = _breast_density(text, ctx)
    if density is not None:  # the stated category replaces what the words "dense breasts" found alone
        out = [c for c in out if not (c.code.startswith("R92.3") and c.code != density.code)]
        out = _replace_within(out, density, frozenset())
    return out
