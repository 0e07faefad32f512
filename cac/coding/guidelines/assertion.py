"""Assertion rules: negated and hypothetical mentions never code; family and past history become Z codes.

Section I.C.21.c.4 (history codes): family history -> Z80-Z84; a resolved past condition -> Z85-Z87 (or
I25.2 for an old MI); a chronic condition documented in the past history that still affects care stays coded.
A condition a past procedure fixed ("s/p AVR for aortic stenosis", ``resources/fixed_by_procedure.yaml``) is not
coded: the replacement's status is (Z95.2).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache

from cac.coding.guidelines.common import (
    ICD,
    CodeSpec,
    add_rationale,
    clause_bounds,
    derive,
    hold,
    is_held,
    load_tsv,
    load_yaml,
    lookup,
    specs,
)
from cac.coding.guidelines.context import GuidelineContext
from cac.coding.guidelines.patterns import ALLERGY_HEADER, ALLERGY_STATEMENT
from cac.coding.rank import HISTORY_SECTION_WEIGHT, HISTORY_SECTIONS, section_weight
from cac.coding.types import Candidate, Span
from cac.nlp import experiencer

NEVER_CODED = frozenset({"negated", "hypothetical"})
_FAMILY_Z = CodeSpec("Z80-Z84")
_HISTORY_Z = CodeSpec("Z85-Z87")


# A family history is coded when the note presents it as relevant (Section I.C.21.c.4, GUIDE.md 2.2): an explicit
# "family history of X" statement; a heritable risk stated outside the history sections (a screening indication,
# the HPI, risk factors, the assessment); or a heritable risk in the family history section that bears on a
# current or past condition of the patient of the same organ system (``family_history.tsv``, kind and related).
# A relative's condition the note does not present as relevant is not coded; a relative's acute infection is an
# exposure, never a family history.
_EXPLICIT_FAMILY = re.compile(
    r"\b(?:family\s+(?:history|hx)|FHx|FH)\s*(?:of|for|is\s+(?:significant|positive|notable)\s+for|"
    r"(?:significant|positive|notable|remarkable)\s+for|includes?|[:-]\s*(?:strong|significant|positive)\b)"
    r"|\b(?:strong|significant|positive|\+)\s+(?:family\s+(?:history|hx)|FHx|FH)\b",
    re.IGNORECASE,
)
RELATIVE = re.compile(
    r"\b(?:(?:maternal|paternal)\s+)?(?:(?:great[- ])?grand(?:mother|father|parents?)|mother|father|mom|dad|"
    r"sister|brother|siblings?|aunt|uncle|cousin|daughter|son|parents?|twin)(?:'s)?\b",
    re.IGNORECASE,
)
# A section header: one to six words, the first capitalised, ending in a colon, at a line start or after a stop
# ("ALLERGIES:", "Family History:", "FHX:", "MEDICATIONS AT THE TIME OF STUDY:").
_HEADER = re.compile(
    r"(?:^|(?<=\n)|(?<=[.,:]))[ \t,]*([A-Z][A-Za-z/&'-]*(?:[ \t]+[A-Za-z/&'()-]+){0,5})[ \t]*:(?!\d)", re.MULTILINE
)


def header_before(text: str, pos: int, reach: int = 1500) -> str:
    """The last section header standing before ``pos`` (lower case, "" when none within ``reach`` characters)."""
    last = ""
    for m in _HEADER.finditer(text, max(0, pos - reach), pos):
        last = m.group(1)
    return last.strip().lower()


_FAMILY_HEADER = re.compile(
    r"^(?:(?:past\s+)?family(?:\s+medical)?\s+(?:history|hx)|fhx?|fh|shx\s*/\s*fhx|social\s*/\s*family\s+history|"
    r"(?:mother|father|siblings?|brothers?|sisters?|children)(?:'s)?)\b",
    re.IGNORECASE,
)
# A family history list the note negates: "FHX: unremarkable for cancer, CAD, stroke", "negative for diabetes".
_FAMILY_NEGATED = re.compile(
    r"\b(?:unremarkable|negative|non-?contributory)\s+(?:for|of)\b|\bno\s+(?:known\s+)?(?:family\s+)?(?:history|hx)\s+of\b"
    r"|\bdenies\s+(?:any\s+)?(?:family\s+)?(?:history|hx)\b",
    re.IGNORECASE,
)


def in_family_section(text: str, pos: int) -> bool:
    """Whether ``pos`` lies under a family history header ("FAMILY HISTORY:", "FHX:", "Father:")."""
    return bool(_FAMILY_HEADER.match(header_before(text, pos)))


# Where the words about one relative's condition end: a sentence or clause end, a blank line, a new header.
_FAMILY_CUT = re.compile(r"[.;](?:\s|$)|\n\s*\n|\n(?=\s*[A-Z][A-Za-z /&]{0,30}:)")
# How far (characters, within _FAMILY_CUT) the relative or the "family history of" words may stand from the mention.
_FAMILY_REACH = 60


@cache
def allergy_reactions() -> tuple[CodeSpec, ...]:
    """The reactions an allergy list names (``resources/allergy_reactions.tsv``)."""
    return tuple(CodeSpec(row[0]) for row in load_tsv("allergy_reactions.tsv"))


# Where an allergy statement's clause begins: a sentence stop, a semicolon, a line break.
_CLAUSE_START = re.compile(r"[;\n]|\.\s")


# How long a line of an allergy list may be: longer lines below the header are prose, no longer the list.
_LIST_LINE = 60


def _under_allergy_header(text: str, pos: int) -> bool:
    """``pos`` stands in the body of an allergy list: after an allergy header on its line, or on a short list line
    below it in the same paragraph ("ALLERGIES:\n- PCN (hives)")."""
    para = text.rfind("\n\n", 0, pos) + 1
    headers = list(_HEADER.finditer(text, para, pos))
    if not headers or not ALLERGY_HEADER.search(headers[-1].group(1)):
        return False
    below = text[headers[-1].end() : text.find("\n", pos) if "\n" in text[pos:] else len(text)].split("\n")
    return all(len(line.strip()) <= _LIST_LINE for line in below[1:])


def in_allergy_list(text: str, span: Span) -> bool:
    """The span stands in an allergy list (under an allergy header) or after an allergy statement in its clause
    ("allergic to latex (hives)", "PCN allergy - rash")."""
    if _under_allergy_header(text, span.start):
        return True
    starts = [m.end() for m in _CLAUSE_START.finditer(text, max(0, span.start - 120), span.start)]
    lead = text[starts[-1] if starts else max(0, span.start - 120) : span.start]
    return bool(ALLERGY_STATEMENT.search(lead))


def _past_reaction(cand: Candidate, ctx: GuidelineContext) -> bool:
    """A reaction code whose every mention is the reaction of a listed allergy: a past reaction, not a problem."""
    return _every_mention(cand, ctx, allergy_reactions(), in_allergy_list)


def _every_mention(
    cand: Candidate, ctx: GuidelineContext, codes: tuple[CodeSpec, ...], where: Callable[[str, Span], bool]
) -> bool:
    """The candidate's code is one of ``codes`` and every one of its mentions stands ``where`` the rule says."""
    text = ctx.text or ""
    return (
        cand.system == ICD
        and bool(text)
        and bool(cand.evidence)
        and any(s.covers(cand.code) for s in codes)
        and all(where(text, span) for span in cand.evidence)
    )


@dataclass(frozen=True)
class _Fix:
    """A procedure that fixes conditions, and the condition specs it fixes."""

    label: str
    pattern: str
    conditions: tuple[CodeSpec, ...]


@cache
def _fixes() -> tuple[dict[str, re.Pattern[str]], tuple[_Fix, ...]]:
    """The words and procedures of ``resources/fixed_by_procedure.yaml``."""
    cfg = load_yaml("fixed_by_procedure.yaml")
    words = {k: re.compile(cfg[k], re.IGNORECASE) for k in ("past", "dated", "still_there")}
    rows = tuple(_Fix(r["label"], r["pattern"], tuple(specs(r["conditions"]))) for r in cfg["procedures"])
    return words, rows


_ITEM_END = re.compile(r"[,;\n]|\.(?:\s|$)")
_PROCEDURE_NOTES = frozenset({"operative_report", "procedure_note"})
_HISTORY_HEADER = re.compile(r"\b(?:history|hx|pmh|psh|pmhx|pshx)\b", re.IGNORECASE)


def _fix_at(text: str, span: Span, fix: _Fix) -> tuple[int, int] | None:
    """Where "<procedure> for <condition>" or "<condition>, s/p <procedure>" stands around the span."""
    lo, hi = clause_bounds(text, span.start, span.end)
    before = re.search(
        rf"(?:{fix.pattern})(?:\s*\([^)]*\))?[^.;\n,]{{0,25}}?\bfor\s+(?:[\w'/-]+\s+){{0,5}}$",
        text[lo : span.start],
        re.IGNORECASE,
    )
    if before:
        return lo + before.start(), span.end
    after = re.compile(
        rf"[\s,(-]*(?:[\w'/-]+\s+){{0,3}}?(?:s/p|status[- ]post|post)\s+(?:[\w'/.-]+\s+){{0,2}}?(?:{fix.pattern})",
        re.IGNORECASE,
    ).match(text, span.end, hi)
    return (span.start, after.end()) if after else None


def fixed_by_past_procedure(cand: Candidate, ctx: GuidelineContext) -> str | None:
    """The procedure that fixed the condition before this encounter, where every mention says so ("s/p AVR for
    aortic stenosis"); None when one does not, or its words say the condition is still there."""
    text = ctx.text or ""
    words, rows = _fixes()
    fixes = [f for f in rows if any(spec.covers(cand.code) for spec in f.conditions)]
    if cand.system != ICD or not text or not cand.evidence or not fixes:
        return None
    during_stay = ctx.inpatient or ctx.note_type in _PROCEDURE_NOTES
    label = None
    for span in cand.evidence:
        found = next(((f, at) for f in fixes if (at := _fix_at(text, span, f)) is not None), None)
        if found is None:
            return None
        (fix, (a, b)), lo = found, clause_bounds(text, span.start, span.end)[0]
        end = _ITEM_END.search(text, b)
        scope = text[max(lo, a - 30) : end.start() if end else len(text)]
        if words["still_there"].search(scope):
            return None
        in_history = bool(_HISTORY_HEADER.search(header_before(text, span.start)))
        if not in_history and not words["dated" if during_stay else "past"].search(scope):
            return None
        label = fix.label
    return label


def apply(candidates: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    candidates = [c for c in candidates if not _past_reaction(c, ctx) and not fixed_by_past_procedure(c, ctx)]
    out: list[Candidate] = []
    if ctx.text:
        from cac.coding.guidelines.injury import not_the_disease  # injury reads this module's header_before

        # a disease named by its vaccine ("tetanus-containing vaccine at 15 mo") is no past disease either
        past_or_family = [c for c in candidates if c.assertion in ("historical", "family")]
        kept = {id(c) for c in not_the_disease(past_or_family, ctx.text)}
        candidates = [c for c in candidates if c.assertion not in ("historical", "family") or id(c) in kept]
    # the patient's conditions a relative's may bear on: current ones, and past cancers (surveillance, screening)
    current = {
        c.code
        for c in candidates
        if c.system == ICD
        and (c.assertion in ("present", "possible") or (c.assertion == "historical" and c.code[0] == "C"))
    }
    past = [c for c in candidates if c.assertion == "present" and _past_event(c, ctx)]
    # ... and the personal history codes of its past ones ("history of colon polyps" is Z86.010-)
    current |= _history_codes([c for c in candidates if c.assertion == "historical"] + past)
    present = [c for c in candidates if c.assertion in ("present", "possible") and not any(c is p for p in past)]
    if any(c.assertion == "family" for c in candidates):
        # the encounter's reasons read from the note's words (screening colonoscopy -> Z12.11) count as well
        from cac.coding.guidelines import status  # status reads this module's RELATIVE

        current |= {c.code for c in status.apply([], ctx) if c.system == ICD}
    # a cancer the note documents as current (under treatment, planned treatment) is no history (I.C.2.d, I.C.21.c.4)
    current_cancers = [c for c in candidates if c.system == ICD and _is_cancer(c.code) and any(c is p for p in present)]
    # a condition documented as current in this note is coded as such, never also as a personal history of itself
    now_coded = {c.code for c in present if c.system == ICD and c.assertion == "present"}
    for cand in candidates:
        if cand.assertion in NEVER_CODED:
            continue
        if cand.assertion == "family":
            out.extend(_family(cand, ctx, current))
        elif cand.assertion == "historical":
            if cand.system == ICD and cand.code in now_coded and _history_code(cand.code) in _EPISODE_HISTORIES:
                continue  # pneumonia in the past history and pneumonia treated now: the current code, no Z87.01
            if not _is_current_cancer(cand, current_cancers):
                out.extend(_historical(cand, ctx))
        elif any(cand is p for p in past):
            out.extend(_historical(replace(cand, assertion="historical", evidence=_past_evidence(cand, ctx)), ctx))
        else:
            out.append(cand)
    # one family history code reported for one relative's condition is not held back by another's it merges with
    # ("family history of hypertension" stated, a father's MI in the family history section: both Z82.49)
    reported = {c.code for c in out if _FAMILY_Z.covers(c.code) and not is_held(c.rationale)}
    return [c for c in out if not (c.code in reported and _FAMILY_Z.covers(c.code) and is_held(c.rationale))]


def _history_codes(past: list[Candidate]) -> set[str]:
    """The personal history codes (``personal_history.tsv``) of the patient's past conditions."""
    rows = (lookup("personal_history.tsv", c.code) for c in past if c.system == ICD)
    return {row[1] for row in rows if row is not None}


def _family_words(text: str, span: Span) -> tuple[Span, bool]:
    """The mention's span stretched over its relative or "family history of" words on the same line
    ("Mother with breast cancer", "Family history of colon cancer (father"), and whether the words say
    "family history of" explicitly."""
    lo = max(0, span.start - _FAMILY_REACH)
    cuts = list(_FAMILY_CUT.finditer(text, lo, span.start))
    lo = cuts[-1].end() if cuts else lo
    cut_after = _FAMILY_CUT.search(text, span.end, span.end + _FAMILY_REACH)
    hi = cut_after.start() if cut_after else min(len(text), span.end + _FAMILY_REACH)
    before = text[lo : span.start]
    explicit = list(_EXPLICIT_FAMILY.finditer(before))
    relatives_before = list(RELATIVE.finditer(before))
    start, end = span.start, span.end
    if explicit:
        start = lo + explicit[-1].start()
    elif relatives_before:
        start = lo + relatives_before[-1].start()
    after = RELATIVE.search(text, span.end, hi)
    if after and not relatives_before:
        end = after.end()
    if start == span.start and end == span.end:
        return span, bool(explicit)
    return Span(start, end, text[start:end]), bool(explicit)


def _family_relevance(
    cand: Candidate, row: tuple[str, ...], explicit: bool, current: set[str], under_header: bool = False
) -> str | None:
    """Why the family history is coded, or None when the note does not present it as relevant. ``under_header``:
    the words stand under a family history header the section finder did not name ("FHX:", "Father:")."""
    kind = row[3] if len(row) > 3 else "risk"
    if kind == "never":
        return None
    if explicit:
        return "stated as a family history"
    if kind != "risk":
        return None
    in_history = under_header or (bool(cand.sections) and all(s in HISTORY_SECTIONS for s in cand.sections))
    if not in_history:
        return "stated outside the family history section"
    related = [CodeSpec(s) for s in (row[4] if len(row) > 4 else "").split(",") if s.strip()]
    same = sorted(c for c in current if any(spec.covers(c) for spec in related))
    if same:
        return f"bears on the patient's {same[0]}"
    return None


def _history_score(cand: Candidate) -> float:
    """A history mentioned where history belongs is not discounted for its section: the Z code is its place."""
    if cand.sections and all(s in HISTORY_SECTIONS for s in cand.sections):
        return min(1.0, cand.score / section_weight(cand.sections) * HISTORY_SECTION_WEIGHT)
    return cand.score


def _family(cand: Candidate, ctx: GuidelineContext, current: set[str]) -> list[Candidate]:
    if cand.system != ICD:
        return []
    text = ctx.text or ""
    found = [_family_words(text, e) for e in cand.evidence] if text else [(e, False) for e in cand.evidence]
    explicit = any(flag for _, flag in found)
    evidence = sorted({span for span, _ in found}, key=lambda s: s.start)
    if _FAMILY_Z.covers(cand.code):
        return [replace(cand, evidence=evidence or list(cand.evidence))]
    if text and cand.evidence and all(_not_a_family_history(text, e) for e in cand.evidence):
        return []
    row = lookup("family_history.tsv", cand.code)
    if row is None or not ctx.store.is_billable(ICD, row[1]):
        return []
    under_header = bool(text) and all(in_family_section(text, e.start) for e in cand.evidence)
    relevant = _family_relevance(cand, row, explicit, current, under_header)
    if relevant is not None and not explicit and text and all(_spoken_with(text, e) for e in cand.evidence):
        relevant = None
    if relevant is None and (row[3] if len(row) > 3 else "risk") == "never":
        return []
    why = f"rule: family history of {cand.code} ({row[2]}) -> {row[1]}, {relevant} (Section I.C.21.c.4)"
    if relevant is None:
        why = f"rule: family history of {cand.code} ({row[2]}) -> {row[1]}, not presented as relevant"
    z = derive(cand, row[1], ctx, why, score=_history_score(cand))
    z.evidence = evidence or z.evidence
    return [z if relevant is not None else hold(z, "rule: Section I.C.21.c.4")]


def _stretch(text: str, span: Span) -> tuple[int, int]:
    """The words about one relative's condition around a mention: from the last cut before it (at most twice
    _FAMILY_REACH back) to the first cut after it."""
    lo = max(0, span.start - 2 * _FAMILY_REACH)
    cuts = list(_FAMILY_CUT.finditer(text, lo, span.start))
    lo = cuts[-1].end() if cuts else lo
    cut_after = _FAMILY_CUT.search(text, span.end, span.end + 2 * _FAMILY_REACH)
    return lo, min(len(text), cut_after.start() if cut_after else span.end + 2 * _FAMILY_REACH)


def _not_a_family_history(text: str, span: Span) -> bool:
    """The family words negate the condition ("FHX: unremarkable for cancer, CAD, stroke"), or every person named
    around it is no experiencer (spoken with, agreeing, reporting: ``cac.nlp.experiencer``) or a spouse, whose
    conditions are no family history ("risks discussed with the patient's parents including malunion")."""
    lo, hi = _stretch(text, span)
    before = text[lo : span.start]
    if _FAMILY_NEGATED.search(before) and not re.search(r"\b(?:but|except|positive|significant)\b", before, re.I):
        return True
    people = experiencer.persons(text, lo, hi)
    return bool(people) and all(
        experiencer.is_spouse(m.group()) or not experiencer.has_conditions(text, m.start(), m.end(), lo) for m in people
    )


def _spoken_with(text: str, span: Span) -> bool:
    """Every person named around the mention is one the clinician speaks with ("Discussed with daughter, who
    has breast cancer"): the condition is an aside, a family history only where the note says so."""
    lo, hi = _stretch(text, span)
    people = experiencer.persons(text, lo, hi)
    return bool(people) and all(experiencer.spoken_with(text, m.start(), m.end(), lo) for m in people)


def _historical(cand: Candidate, ctx: GuidelineContext) -> list[Candidate]:
    if cand.system != ICD:
        return []  # a procedure done in the past is not a procedure of this encounter
    if _HISTORY_Z.covers(cand.code) or cand.code == "I25.2":
        return [cand]
    if _remission_status(cand, ctx.text or ""):
        add_rationale(cand, "rule: remission is a status of the current condition, coded with it, not as history")
        return [cand]
    chronic = lookup("chronic_conditions.tsv", cand.code)
    resolved = _said_resolved(cand, ctx.text or "")
    if chronic is not None and not resolved:
        add_rationale(cand, f"rule: chronic condition ({chronic[1]}) in past history still coded as current")
        return [cand]
    if not resolved and _said_chronic(cand):
        add_rationale(cand, "rule: condition the note calls chronic, in past history still coded as current")
        return [cand]
    row = lookup("personal_history.tsv", cand.code)
    if row is None or not ctx.store.is_billable(ICD, row[1]):
        return []
    why = f"rule: personal history of {cand.code} ({row[2]}) -> {row[1]} (Section I.C.21.c.4)"
    return [derive(cand, row[1], ctx, why, score=_history_score(cand))]


# Histories of an infection that recurs: beside a current episode of the same infection the history adds nothing
# (pneumonia now and "pneumonia" in the past history list: J18.9 only). A prior stroke or infarction beside a new
# one is coded apart (Z86.73 with I63.-), so those stay.
_EPISODE_HISTORIES = frozenset({"Z87.01", "Z87.440"})


def _history_code(code: str) -> str:
    """The personal history code of a condition (personal_history.tsv), or ""."""
    row = lookup("personal_history.tsv", code)
    return row[1] if row else ""


_REMISSION_TITLE = re.compile(r"\bremission\b|\brelapse\b", re.IGNORECASE)
_REMISSION_WORDS = re.compile(r"\bremission\b", re.IGNORECASE)


def _remission_status(cand: Candidate, text: str) -> bool:
    """A condition said to be "in remission" whose code states the remission status (leukemia and myeloma C90-C95,
    substance dependence F1x.x1, depression F32-F33): the status code is current, not a personal history."""
    if not _REMISSION_TITLE.search(cand.title or ""):
        return False
    for span in cand.evidence:
        end = _SENTENCE_END.search(text, span.end)
        if _REMISSION_WORDS.search(text, span.start, end.start() if end else len(text)):
            return True
    return False


# A condition the note says is over: "depression (resolved)", "childhood asthma, outgrown", "Anxiety in the past",
# "resolved PTSD". Read in the rest of its list item (parentheses included) or just before it.
# "AAA, repaired 2015", "AAA s/p EVAR repair": a chronic condition (an aneurysm) a repair ended
_RESOLVED = (
    r"(?:resolved|outgrown|grew out of it|in the past|no longer (?:an issue|active|present)|cured|repaired|"
    r"(?:s/p|status post) (?:[\w-]+ ){0,2}repair)"
)
_RESOLVED_AFTER = re.compile(rf"(?:\s*\([^)\n]*\)|[^,;.()\n])*?(?:,\s*)?\(?\b{_RESOLVED}\b", re.IGNORECASE)
_RESOLVED_BEFORE = re.compile(r"\b(?:resolved|remote)\s+(?:[\w'-]+\s+){0,2}$", re.IGNORECASE)


def _said_resolved(cand: Candidate, text: str) -> bool:
    """The note says the condition is over, in the mention's own list item or just before it."""
    return any(
        _RESOLVED_AFTER.match(text, span.end) is not None
        or _RESOLVED_BEFORE.search(text, max(0, span.start - 40), span.start) is not None
        for span in cand.evidence
    )


# A condition the note itself calls chronic or long-standing ("history of chronic bronchitis") or whose code is a
# chronic one ("Chronic maxillary sinusitis") is one the patient still has.
_CHRONIC = re.compile(r"\bchronic\b|\blong[- ]?standing\b", re.IGNORECASE)


def _said_chronic(cand: Candidate) -> bool:
    """The mention or the code's title says the condition is chronic, and "chronic" is not one of the words that
    make the condition a past event (``personal_history.tsv``: a "chronic lacunar infarct" is an old one)."""
    row = lookup("personal_history.tsv", cand.code)
    if row is not None and len(row) > 3 and "chronic" in {w.strip().lower() for w in row[3].split(",")}:
        return False
    return bool(_CHRONIC.search(cand.mention_text) or _CHRONIC.search(cand.title or "")) or any(
        _CHRONIC.search(e.text) for e in cand.evidence
    )


# A malignancy removed and not treated since: "BCC of the nose s/p Mohs 2019, margins clear, no further treatment".
_REMOVED = re.compile(r"\b(?:s/p|status\s+post|excised|resected|removed|treated|completed|\w+ectomy)\b", re.IGNORECASE)
_GONE = re.compile(
    r"\bmargins?\s+(?:were\s+|are\s+)?(?:clear|free|negative|uninvolved)\b|\bclear\s+margins\b"
    r"|\bno\s+(?:evidence\s+of\s+)?(?:residual|recurren\w*|disease)\b|\bno\s+further\s+(?:treatment|therapy)\b"
    r"|\bNED\b|\b(?:cancer|disease)[- ]free\b|(?<!not )\bin\s+remission\b",
    re.IGNORECASE,
)
# ... unless the clause says it is being treated now: "excised today, await margins", "on adjuvant letrozole".
_TREATED_NOW = re.compile(
    r"\btoday\b|\bawait\w*|\bpending\b|\bcurrently\b|\bplanned\b|\bscheduled\b|\bongoing\b"
    r"|\bon\s+(?:adjuvant|chemo\w*|tamoxifen|letrozole|anastrozole|exemestane|radiation|immunotherapy)\b"
    r"|\bre-?excision\b|\bpositive\s+margins?\b",
    re.IGNORECASE,
)
# A sentence ends at a full stop or a line break, not at a wrapped line that goes on in lower case.
_SENTENCE_END = re.compile(r"\.(?:\s|$)|\n(?![ \t]*[a-z])")
# How many words before the condition a past word may stand ("Old right basal ganglia lacunar infarct").
_PAST_WORD_REACH = 5
_PHRASE_CUT = re.compile(r"[.;:,()\n]|\b(?:and|with|or|but|no|not|without)\b", re.IGNORECASE)


def _is_cancer(code: str) -> bool:
    """A malignant (C00-C96) or in-situ (D00-D09) neoplasm code."""
    return code[:1] == "C" or (code[:1] == "D" and code[1:2] == "0")


# A current cancer candidate scored at least this (the engine's threshold) stands for the cancer the past history
# names too; one below it may be a history mention the NLP read as current ("Personal history of ... and BCC").
_CURRENT_CANCER_SCORE = 0.65
# Skin cancers recur as new primaries: a past one is its own history code beside a current one (Z85.828 with C44.519).
_MANY_PRIMARIES = ("C43", "C44", "D03", "D04")


def _is_current_cancer(cand: Candidate, current: list[Candidate]) -> bool:
    """A past-history cancer the note also documents as current: "PMH: breast cancer" (site unspecified) with
    "left breast cancer, upper outer quadrant, on adjuvant chemo", or the same code scored as reportable."""
    if not _is_cancer(cand.code) or cand.code.startswith(_MANY_PRIMARIES):
        return False
    vague = "unspecified" in cand.title.lower()
    return any(
        c.code[:3] == cand.code[:3] and (vague or (c.code == cand.code and c.score >= _CURRENT_CANCER_SCORE))
        for c in current
    )


def _past_event(cand: Candidate, ctx: GuidelineContext) -> bool:
    """A mention read as current that its words make a past event: a past word of ``personal_history.tsv`` just
    before the condition ("old lacunar infarct", "chronic lacunar infarct"), or a cancer removed and not treated
    since ("s/p excision, margins clear, no further treatment")."""
    text = ctx.text or ""
    if cand.system != ICD or not text or not cand.evidence:
        return False
    row = lookup("personal_history.tsv", cand.code)
    if row is None:
        return False
    words = {w.strip().lower() for w in (row[3] if len(row) > 3 else "").split(",") if w.strip()}
    return all(
        past_word_at(text, span, words) is not None or (_is_cancer(cand.code) and _removed(text, span))
        for span in cand.evidence
    )


def past_word_at(text: str, span: Span, words: set[str]) -> int | None:
    """Where one of ``words`` stands in the condition's own phrase, at most _PAST_WORD_REACH words before it."""
    if not words:
        return None
    line_start = text.rfind("\n", 0, span.start) + 1
    cuts = list(_PHRASE_CUT.finditer(text, line_start, span.start))
    phrase_start = cuts[-1].end() if cuts else line_start
    near = list(re.finditer(r"[A-Za-z]+", text[phrase_start : span.start]))[-_PAST_WORD_REACH:]
    return next((phrase_start + m.start() for m in near if m.group(0).lower() in words), None)


def _past_evidence(cand: Candidate, ctx: GuidelineContext) -> list[Span]:
    """The evidence stretched back over its past word ("Old right basal ganglia lacunar infarct")."""
    text = ctx.text or ""
    row = lookup("personal_history.tsv", cand.code)
    words = {w.strip().lower() for w in (row[3] if row and len(row) > 3 else "").split(",") if w.strip()}
    out = []
    for span in cand.evidence:
        at = past_word_at(text, span, words)
        out.append(span if at is None else Span(at, span.end, text[at : span.end]))
    return out


def _removed(text: str, span: Span) -> bool:
    """The condition's sentence says it was removed and is gone, and nothing about treating it now."""
    end = _SENTENCE_END.search(text, span.end)
    after = text[span.end : end.start() if end else len(text)]
    return bool(_REMOVED.search(after) and _GONE.search(after) and not _TREATED_NOW.search(after))
