"""Pregnancy, childbirth and the puerperium (Section I.C.15): chapter 15 codes first, by trimester or childbirth.

Tables in ``resources/pregnancy.yaml``. When the note shows that the patient is pregnant (weeks of gestation, IUP,
EDD, a prenatal visit) or delivers in this encounter:

- a condition documented in her is coded with its chapter 15 code (Section I.C.15.a.1), for the trimester of the
  weeks of gestation (first < 14 weeks, second 14-27, third 28 on) or "in childbirth" on a delivery encounter, and
  keeps its own code where the O code says "use additional code" (O99.282 + E06.3; O10.012 stands alone for I10);
- the chapter 15 codes the note's words gave are moved to the same trimester or to childbirth;
- supervision of a high-risk pregnancy (O09, prenatal encounters only) from the documented risk: elderly or young
  gravida from the age and gravidity, history of pre-term labor, insufficient antenatal care...; the unspecified
  O09.9- only when no risk is named;
- maternal care for a scar from a previous cesarean delivery (O34.21-, by scar type);
- the outcome of delivery (Z37) and an encounter for sterilization (Z30.2) done in the same encounter;
- no BMI code (Z68) in pregnancy, and the unspecified O26.9- once another chapter 15 code says more.
Without any sign of a pregnancy, a chapter 15 code read from a word of the note is held for review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from cac.codesets.model import CodeEntry
from cac.coding.guidelines.common import (
    CONFIRMED,
    ICD,
    CodeSpec,
    add_rationale,
    bare,
    clause_at,
    covers_any,
    derive,
    hold,
    is_held,
    is_set_aside,
    load_yaml,
    specs,
)
from cac.coding.guidelines.context import GuidelineContext
from cac.coding.guidelines.patterns import AGE, about_another_person, age_years, denied_before, stated_age
from cac.coding.prefilter import may_match_all, required_groups
from cac.coding.types import Candidate, Span

CHAPTER = CodeSpec("O00-O9A")
# Pregnancies ending in abortion or ectopic pregnancy: coded from their own words, whatever else the note says.
_ENDED = CodeSpec("O00-O08")
RULE_SCORE = 0.9
_FLAGS = re.IGNORECASE | re.MULTILINE
_GRAVIDA = re.compile(r"\bG(\d{1,2})\s*P\d", re.IGNORECASE)
_TRIMESTER_WORDS = (
    (1, re.compile(r"\b(first|1st)\s+trimester\b", re.IGNORECASE)),
    (2, re.compile(r"\b(second|2nd)\s+trimester\b", re.IGNORECASE)),
    (3, re.compile(r"\b(third|3rd)\s+trimester\b", re.IGNORECASE)),
)
_NEGATED_BEFORE = denied_before("denied|never")
# Words of a chapter 15 title that name the period of the pregnancy, not the condition.
_PERIOD_WORDS = frozenset(
    {"pregnancy", "childbirth", "puerperium", "trimester", "first", "second", "third", "unspecified"}
    | {"complicating", "in", "the", "and", "of"}
)

# The pregnancy called high-risk, not "high risk of falls".
_HIGH_RISK_PREGNANCY = re.compile(r"\bhigh[- ]risk (?:OB|pregnancy|obstetric\w*|prenatal|gestation)\b", re.IGNORECASE)


_FROM_CONDITION = re.compile(r"rule: [^;]*\((\S+)\) in pregnancy -> (\S+) ")


def _config() -> dict[str, Any]:
    return load_yaml("pregnancy.yaml")


def _search(pattern: str, text: str) -> re.Match[str] | None:
    return re.search(pattern, text, _FLAGS) if pattern else None


def _affirmed(pattern: str, text: str) -> list[re.Match[str]]:
    """The matches of ``pattern`` not denied just before them in their clause ("no history of preterm birth")."""
    compiled = re.compile(pattern, _FLAGS)
    if not may_match_all(required_groups(compiled), text.lower()):
        return []  # a word every match holds is not in the note
    return [m for m in compiled.finditer(text) if not _NEGATED_BEFORE.search(text[max(0, m.start() - 40) : m.start()])]


def _span(match: re.Match[str]) -> Span:
    return Span(match.start(), match.end(), match.group(0))


@dataclass
class Encounter:
    """What the note says about the pregnancy: pregnant now, delivering in this encounter, weeks, trimester."""

    pregnant: bool = False
    delivery: bool = False
    weeks: int | None = None
    trimester: int | None = None
    denied: bool = False  # the note says she is not pregnant, or has no obstetric word at all
    weeks_span: list[Span] = field(default_factory=list)
    puerperium: bool = False  # after a delivery before this encounter (``puerperium`` patterns)

    def periods(self) -> list[str]:
        """The chapter 15 periods wanted, best first: C childbirth (else the trimester she delivers in, for a code
        with no "in childbirth" form: O41.123- at 40 weeks), P puerperium, 1-3 trimester, 9 unspecified, A any."""
        if self.delivery:
            return ["C", str(self.trimester)] if self.trimester else ["C"]
        if self.puerperium:
            return ["P"]
        if self.trimester:
            return [str(self.trimester), "A"]
        return ["9", "A"]


def trimester(weeks: int) -> int:
    """The trimester of completed weeks of gestation: first < 14, second 14-27, third 28 on (Section I.C.15.a.3)."""
    return 1 if weeks < 14 else 2 if weeks < 28 else 3


def _z3a_weeks(code: str) -> int | None:
    digits = bare(code)[3:]
    if not digits.isdigit():
        return None
    weeks = int(digits)
    return None if weeks == 0 else 7 if weeks == 1 else 43 if weeks == 49 else weeks  # Z3A.00: not specified


def encounter(cands: list[Candidate], ctx: GuidelineContext) -> Encounter:
    """The pregnancy the note documents, read once per note."""
    if "pregnancy" in ctx.memo:
        return ctx.memo["pregnancy"]
    cfg = _config()
    text = ctx.text or ""
    enc = Encounter()
    dated = False
    for c in cands:
        if c.system == ICD and c.code.startswith("Z3A") and c.assertion in CONFIRMED and not is_held(c.rationale):
            dated = True
            enc.weeks = _z3a_weeks(c.code)
            enc.weeks_span = list(c.evidence)
    opening = text[: cfg["opening_chars"]]
    if any(_search(p, opening) for p in cfg["not_the_mother"]):
        ctx.memo["pregnancy"] = enc  # a child's or a man's record: the pregnancy it mentions is not the patient's
        enc.denied = True
        return enc
    enc.delivery = _has(cands, specs(cfg["delivery_codes"])) or any(_affirmed(p, text) for p in cfg["delivery"])
    if enc.weeks is not None:
        enc.trimester = trimester(enc.weeks)
    else:
        enc.trimester = next((t for t, rx in _TRIMESTER_WORDS if rx.search(text)), None)
    # another person's pregnancy ("her daughter is 32 weeks pregnant") says nothing of the patient's
    named = any(not about_another_person(text, m.start()) for p in cfg["pregnant"] for m in _affirmed(p, text))
    denied = any(_search(p, text) for p in cfg["not_pregnant"])
    enc.pregnant = dated or enc.delivery or (named and not denied)
    enc.puerperium = not enc.delivery and _in_puerperium(text, cfg)
    if any(_search(p, opening) for p in cfg["a_child"]) and not (enc.pregnant and _childbearing(opening, cfg)):
        enc = Encounter(weeks=enc.weeks, weeks_span=enc.weeks_span, denied=True)  # a child's record
        ctx.memo["pregnancy"] = enc
        return enc
    enc.denied = not enc.pregnant and (denied or not _search(cfg["obstetric_context"], text))
    ctx.memo["pregnancy"] = enc
    return enc


def _in_puerperium(text: str, cfg: dict[str, Any]) -> bool:
    """The note places her in the puerperium ("PPD #6", "postpartum pre-eclampsia", "10 days postpartum"), not in
    a past delivery's history, a plan or a relative's story."""
    after = re.compile(cfg["puerperium_not_after"], re.IGNORECASE)
    return any(
        not after.search(text[max(0, m.start() - 60) : m.start()]) and not about_another_person(text, m.start())
        for p in cfg["puerperium"]
        for m in _affirmed(p, text)
    )


def _childbearing(opening: str, cfg: dict[str, Any]) -> bool:
    """The age the note's opening states is a childbearing one (or none is stated)."""
    age = stated_age(opening)
    return age is None or age >= cfg["childbearing_age"]


def period_of(title: str) -> str | None:
    """The period a chapter 15 title is for: 1-3 or 9 (trimester), C childbirth, P puerperium, A pregnancy (any
    trimester); None when the title covers them all."""
    t = re.sub(r"\[[^\]]*\]", "", title.lower())  # "Gestational [pregnancy-induced] hypertension"
    for word, period in (("first", "1"), ("second", "2"), ("third", "3"), ("unspecified", "9")):
        if f"{word} trimester" in t:
            return period
    has = {w: bool(re.search(rf"\b{w}\b(?!-)", t)) for w in ("pregnancy", "childbirth", "puerperium")}
    if sum(has.values()) != 1:
        return None
    return "A" if has["pregnancy"] else "C" if has["childbirth"] else "P"


def _core(title: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"[a-z0-9][a-z0-9-]*", title.lower()) if w not in _PERIOD_WORDS)


def _pick(codes: list[str], periods: list[str], ctx: GuidelineContext) -> str | None:
    by_period: dict[str | None, str] = {}
    for code in sorted(codes):
        by_period.setdefault(period_of(ctx.store.title(ICD, code) or ""), code)
    return next((by_period[p] for p in periods if p in by_period), None)


def for_period(code: str, periods: list[str], ctx: GuidelineContext) -> str | None:
    """The billable counterpart of ``code`` (a code or a subcategory) for the first of ``periods`` the tabular
    has (O99.282 -> O99.284 in childbirth; O24.11 -> O24.112); None when there is none."""
    entry = ctx.entry(code)
    if entry is None:
        return None
    if entry.billable and period_of(entry.title) is None:
        return code  # one code for the whole pregnancy (O34.211)
    if len(periods) > 1 and periods[0] == "C":  # childbirth first, wherever the tabular has it (O99.02, not O99.013)
        return next((found for p in periods if (found := _for_period(code, entry, [p], ctx))), None)
    return _for_period(code, entry, periods, ctx)


def _for_period(code: str, entry: CodeEntry, periods: list[str], ctx: GuidelineContext) -> str | None:
    """``for_period`` for a code the tabular splits by period."""
    pool = [code] if entry.billable else ctx.store.billable_descendants(ICD, code)
    if not pool:
        return None
    found = _pick(pool, periods, ctx)
    if found:
        return found
    rep = ctx.entry(pool[0])
    if rep is None:
        return None
    core = _core(rep.title)
    parent = rep.parent
    while parent and "-" not in parent and len(bare(parent)) >= 3:
        same = [d for d in ctx.store.billable_descendants(ICD, parent) if _core(ctx.store.title(ICD, d) or "") == core]
        found = _pick(same, periods, ctx)
        if found:
            return found
        up = ctx.entry(parent)
        parent = up.parent if up else None
    return None


def _rule_candidate(ctx: GuidelineContext, code: str, spans: list[Span], why: str) -> Candidate:
    """A code read from the note's words by this rule, its matched words as evidence."""
    return Candidate(
        system=ICD,
        code=code,
        title=ctx.store.title(ICD, code) or "",
        score=RULE_SCORE,
        evidence=sorted(set(spans), key=lambda s: s.start),
        source="rule",
        rationale=why,
        mention_text=spans[0].text if spans else "",
    )


def _active(cands: list[Candidate]) -> list[Candidate]:
    return [c for c in cands if c.system == ICD and c.assertion in CONFIRMED and not is_held(c.rationale)]


def _has(cands: list[Candidate], spec_list: list[CodeSpec]) -> bool:
    return any(covers_any(spec_list, c.code) for c in _active(cands))


def _add(out: list[Candidate], new: Candidate) -> None:
    """Append ``new`` unless its code is there already (then its evidence joins the one there)."""
    for c in out:
        if c.system == ICD and c.code == new.code:
            c.evidence = sorted(set(c.evidence) | set(new.evidence), key=lambda s: s.start)
            return
    out.append(new)


def apply(candidates: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    enc = encounter(candidates, ctx)
    if not enc.pregnant and not enc.puerperium:
        out = _sterilization(list(candidates), ctx)
        return _not_pregnant(out, enc)
    out = _conditions(list(candidates), enc, ctx)
    out = _retarget(out, enc, ctx)
    out = _gdm_control(out, ctx)
    out = _scar(out, ctx)
    if enc.delivery:
        out = _outcome(out, ctx)
    elif enc.puerperium:
        out = _ended_with_delivery(_after_delivery(out), ctx)
    else:
        out = _high_risk(out, enc, ctx)  # O09: prenatal encounters only
    out = _sterilization(out, ctx)
    return _not_reported(out, enc.delivery)


def _not_pregnant(cands: list[Candidate], enc: Encounter) -> list[Candidate]:
    """No chapter 15 code for a patient who is not pregnant (Section I.C.15.a): held for review."""
    if not enc.denied:  # some obstetric word: a puerperium or a pregnancy these rules do not read
        return cands
    for c in _active(cands):
        if CHAPTER.covers(c.code) and not _ENDED.covers(c.code):
            hold(c, "rule: no pregnancy documented (Section I.C.15.a)")
    return cands


def _best_row(code: str) -> dict[str, Any] | None:
    best: tuple[tuple[int, int, int], dict[str, Any]] | None = None
    for row in _config()["conditions"]:
        spec = CodeSpec(str(row["code"]))
        if spec.covers(code) and (best is None or spec.weight > best[0]):
            best = (spec.weight, row)
    return best[1] if best else None


def _postpartum_target(cand: Candidate, row: dict[str, Any], ctx: GuidelineContext) -> str | None:
    """The row's ``postpartum_target`` when a clause of the condition places it after the delivery; else None."""
    target = row.get("postpartum_target")
    if not target or not ctx.text:
        return None
    pattern = re.compile(_config()["postpartum_clause"], re.IGNORECASE)
    text = ctx.text
    return str(target) if any(pattern.search(clause_at(text, s.start, s.end)) for s in cand.evidence) else None


def _conditions(cands: list[Candidate], enc: Encounter, ctx: GuidelineContext) -> list[Candidate]:
    """A condition in the pregnant patient -> its chapter 15 code first, the condition's own code kept where the O
    code says "use additional code" (Section I.C.15.a.1)."""
    out = list(cands)
    floor = float(_config()["condition_min_score"])
    for c in _active(cands):
        if CHAPTER.covers(c.code) or c.code.startswith("Z3A") or c.assertion == "possible" or c.score < floor:
            continue
        row = _best_row(c.code)
        if row is None or (row.get("prenatal") and (enc.delivery or enc.puerperium)):
            continue
        if _has(out, specs(row.get("unless", []))):
            if not row["keep"]:
                out = [o for o in out if o is not c]
            continue
        target = _postpartum_target(c, row, ctx) or for_period(str(row["target"]), enc.periods(), ctx)
        if target is None:
            continue
        where = _where(enc)
        why = f"rule: {row['label']} ({c.code}) in pregnancy -> {target} ({where}, Section I.C.15.a.1)"
        new = derive(c, target, ctx, why)
        new.evidence = _in_pregnancy_lines(c.evidence, ctx.text or "") or new.evidence
        new.score = min(1.0, c.score + 0.01)  # chapter 15 codes are sequenced first
        _add(out, new)
        if row["keep"]:
            add_rationale(c, f"rule: use additional code with {target} (both kept)")
        else:
            out = [o for o in out if o is not c]
    return out


def _where(enc: Encounter) -> str:
    """The period a chapter 15 code is chosen for, as the rationale says it."""
    if enc.delivery:
        return "childbirth"
    if enc.puerperium:
        return "puerperium"
    return f"trimester {enc.trimester}" if enc.trimester else "pregnancy"


def _after_delivery(cands: list[Candidate]) -> list[Candidate]:
    """In the puerperium no weeks of gestation (Z3A): they date a pregnancy, and hers has ended."""
    for c in _active(cands):
        if c.code.startswith("Z3A"):
            hold(c, "rule: weeks of gestation not reported in the puerperium (Section I.C.15.b)")
    return cands


def _ended_with_delivery(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """In the puerperium a condition of the pregnancy the note says resolved ("GDM, resolved after delivery") is its
    personal history code (``ended_with_delivery``), with the evidence of every mention of it."""
    text = ctx.text or ""
    out = list(cands)
    for row in _config().get("ended_with_delivery", []):
        spec, history = CodeSpec(str(row["code"])), str(row["history"])
        resolved = re.compile(row["resolved"], re.IGNORECASE)
        current = [c for c in _active(out) if c.system == ICD and spec.covers(c.code)]
        past = [c for c in out if c.system == ICD and c.code == history]
        if not current or not any(
            resolved.search(clause_at(text, s.start, s.end)) for c in current + past for s in c.evidence
        ):
            continue
        new = derive(current[0], history, ctx, f"rule: {row['label']} resolved after the delivery -> {history}")
        new.assertion = "historical"
        new.evidence = sorted({s for c in current + past for s in c.evidence}, key=lambda s: (s.start, s.end))
        new.score = max(c.score for c in current)
        out = [c for c in out if c not in current and c not in past] + [new]
    return out


def _line(text: str, span: Span) -> str:
    start = text.rfind("\n", 0, span.start) + 1
    end = text.find("\n", span.end)
    return text[start : end if end >= 0 else len(text)]


def _in_pregnancy_lines(spans: list[Span], text: str) -> list[Span]:
    """The spans whose line links the condition to the pregnancy ("Anxiety (GAD) complicating pregnancy")."""
    pattern = _config()["pregnancy_line"]
    return [s for s in spans if 0 <= s.start <= s.end <= len(text) and re.search(pattern, _line(text, s), re.I)]


def _retarget(cands: list[Candidate], enc: Encounter, ctx: GuidelineContext) -> list[Candidate]:
    """Chapter 15 codes moved to the documented trimester, or to childbirth on a delivery encounter."""
    out = list(cands)
    for c in _active(cands):
        if not CHAPTER.covers(c.code) or c.code.startswith("O09"):
            continue
        period = period_of(ctx.store.title(ICD, c.code) or "")
        if period is None or (not enc.delivery and not enc.puerperium and (enc.trimester is None or period == "A")):
            continue
        target = for_period(c.code, enc.periods() if enc.delivery else enc.periods()[:1], ctx)
        if target is None or target == c.code:
            continue
        where = _where(enc)
        new = derive(c, target, ctx, f"rule: {c.code} -> {target} ({where}, Section I.C.15.a.3)")
        out = [o for o in out if o is not c]
        _add(out, new)
    return out


def _gdm_control(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """Gestational diabetes of unspecified control -> diet, insulin or oral drug controlled (O24.419 -> O24.410)
    from the lines of its evidence; a control only planned ("will start insulin if") does not count."""
    cfg = _config()["gdm_control"]
    text = ctx.text or ""
    out = list(cands)
    for c in _active(cands):
        if c.code not in cfg["unspecified"]:
            continue
        lines = [_line(text, s) for s in c.evidence if text and 0 <= s.start <= s.end <= len(text)]
        digit = next(
            (
                str(row["digit"])
                for row in cfg["rows"]
                for line in lines
                for m in re.finditer(row["pattern"], line, re.IGNORECASE)
                if not re.search(cfg["plan_before"], line[: m.start()], re.IGNORECASE)
            ),
            None,
        )
        target = c.code[:-1] + digit if digit else None
        if target is None or not ctx.store.is_billable(ICD, target):
            continue
        why = f"rule: gestational diabetes, control documented -> {target} (Index: Diabetes, gestational)"
        out = [o for o in out if o is not c]
        _add(out, derive(c, target, ctx, why))
    return out


def _scar(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """Maternal care for a scar from a previous cesarean delivery (O34.21-, by the documented scar type) or other
    uterine surgery (O34.29)."""
    cfg = _config()["scar"]
    text = ctx.text or ""
    out = list(cands)
    found = [
        m
        for m in re.finditer(cfg["pattern"], text, _FLAGS)
        if not re.search(cfg["negation"], text[: m.start()][-40:], re.I)
    ]
    if found:
        code = cfg["unspecified"]
        for m in found:
            line_start = text.rfind("\n", 0, m.start()) + 1
            line_end = text.find("\n", m.end())
            clause = text[line_start : line_end if line_end >= 0 else len(text)]
            typed = next((t["code"] for t in cfg["types"] if re.search(t["pattern"], clause, re.I)), None)
            if typed:
                code = typed
                break
        why = f"rule: previous cesarean delivery documented -> {code} (Section I.C.15)"
        out = [o for o in out if not (o.system == ICD and o.code.startswith("O34.21") and o.code != code)]
        prior = [m for m in found if not m.group(0).lower().startswith("repeat")] or found
        _add(out, _rule_candidate(ctx, code, [_span(m) for m in prior[:2]], why))
    myo = cfg["myomectomy"]
    for m in _affirmed(myo["pattern"], text)[:1]:
        why = f"rule: previous uterine surgery documented -> {myo['code']} (Section I.C.15)"
        _add(out, _rule_candidate(ctx, myo["code"], [_span(m)], why))
    return out


def _age_and_gravidity(text: str) -> tuple[re.Match[str] | None, str | None]:
    """The patient's stated age, and primigravida or multigravida from G/P or the words."""
    cfg = _config()
    age = AGE.search(text)
    g = _GRAVIDA.search(text)
    if g:
        kind: str | None = "primigravida" if int(g.group(1)) == 1 else "multigravida"
    elif _search(cfg["primigravida"], text):
        kind = "primigravida"
    elif _search(cfg["multigravida"], text):
        kind = "multigravida"
    else:
        kind = None
    return age, kind


def _high_risk(cands: list[Candidate], enc: Encounter, ctx: GuidelineContext) -> list[Candidate]:
    """Supervision of a high-risk pregnancy (O09) from the risk the note documents (Section I.C.15.b.2)."""
    cfg = _config()
    text = ctx.text or ""
    periods = enc.periods()
    found: list[tuple[str, list[Span], str]] = []
    for row in cfg["high_risk"]:
        matches = _affirmed(row["pattern"], text)
        if matches:
            found.append((str(row["target"]), [_span(m) for m in matches[:2]], str(row["label"])))
    prenatal = bool(_search(cfg["prenatal_visit"], text))
    age, kind = _age_and_gravidity(text)
    named = _affirmed(cfg["elderly_words"], text)
    years = age_years(age) if age else None
    spans = [_span(m) for m in sorted(named, key=lambda m: -len(m.group(0)))[:1]] + ([_span(age)] if age else [])
    if kind and (named or (prenatal and years is not None and years >= cfg["elderly_age"])):
        found.append((str(cfg["elderly"][kind]), spans, f"elderly {kind}"))
    elif kind and prenatal and years is not None and years < cfg["young_age"]:
        found.append((str(cfg["young"][kind]), [_span(age)] if age else [], f"young {kind}"))
    out = list(cands)
    for c in _active(cands):  # history of pre-term labor read as a Z code by the assertion rules
        if c.code == "Z87.51":
            found.append(("O09.21", list(c.evidence), "history of pre-term labor"))
            out = [o for o in out if o is not c]
    generic = cfg["high_risk_unspecified"]
    if found:
        out = [o for o in out if not (o.system == ICD and o.code.startswith(generic))]
    elif prenatal and _HIGH_RISK_PREGNANCY.search(text):
        m = re.search(r"[^\n.;]*" + _HIGH_RISK_PREGNANCY.pattern + r"[^\n.;]*", text, re.IGNORECASE)
        found.append((generic, [_span(m)] if m else [], "high-risk pregnancy, no risk named"))
    for target, ev, label in found:
        code = for_period(target, periods, ctx)
        if code is None:
            continue
        why = f"rule: supervision of high-risk pregnancy, {label} -> {code} (Section I.C.15.b.2)"
        _add(out, _rule_candidate(ctx, code, ev or enc.weeks_span, why))
    return out


def _outcome(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """The outcome of delivery (Z37) on the mother's delivery record (Section I.C.15.b.5)."""
    if _has(cands, [CodeSpec("Z37")]):
        return cands
    cfg = _config()
    text = ctx.text or ""
    baby = _affirmed(cfg["newborn"], text) or _affirmed(r"\bapgars?\s*(scores?\s*)?(of\s*)?\d", text)
    if not baby:
        return cands
    code = next(o["code"] for o in cfg["outcomes"] if not o["pattern"] or _search(o["pattern"], text))
    why = f"rule: outcome of delivery documented -> {code} (Section I.C.15.b.5)"
    return [*cands, _rule_candidate(ctx, code, [_span(baby[0])], why)]


def _sterilization(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """Encounter for sterilization (Z30.2) when a procedure line of the note names it."""
    cfg = _config()["sterilization"]
    text = ctx.text or ""
    line = _search(cfg["procedure_line"], text)
    if line is None or _has(cands, [CodeSpec("Z30.2")]):
        return cands
    start, end = line.span(line.lastindex or 0)  # the procedure words the line names (its last group)
    spans = [Span(start, end, text[start:end])]
    spans += [_span(m) for m in _affirmed(cfg["words"], text) if m.start() < line.start() or m.start() > line.end()][:1]
    why = "rule: sterilization done in this encounter -> Z30.2 (Section I.C.21.c.11)"
    out = list(cands)
    _add(out, _rule_candidate(ctx, "Z30.2", spans, why))
    return out


def _not_reported(cands: list[Candidate], delivery: bool) -> list[Candidate]:
    """No BMI in pregnancy, no R58 for the blood loss of a delivery; the unspecified pregnancy codes give way to a
    chapter 15 code that says more."""
    cfg = _config()
    never = specs(cfg["never_in_pregnancy"] + (cfg["never_at_delivery"] if delivery else []))
    vague = specs(cfg["unspecified_when_specific"])
    specific = any(CHAPTER.covers(c.code) and not covers_any(vague, c.code) for c in _active(cands))
    absorbed = [(row["by"], specs(row["codes"])) for row in cfg["absorbs"] if _has(cands, [CodeSpec(str(row["by"]))])]
    for c in _active(cands):
        by = next((b for b, spec_list in absorbed if covers_any(spec_list, c.code)), None)
        if by is not None:
            hold(c, f"rule: included in {by} (Section I.C.15)")
        elif covers_any(never, c.code):
            hold(c, "rule: not reported in pregnancy or childbirth (Section I.C.15, I.C.21.c.3)")
        elif specific and covers_any(vague, c.code):
            hold(c, "rule: a more specific chapter 15 code is reported (Section I.C.15)")
    return cands


def tie_to_condition(suggestions: list[dict[str, Any]]) -> None:
    """A chapter 15 code added for a condition scores as its condition does after the final scorer (output
    suggestions, in place): the two codes of the pair stand or fall together."""
    by_code = {s["code"]: s for s in suggestions if s.get("system") == ICD and not is_set_aside(s)}
    for s in suggestions:
        if s.get("system") != ICD:
            continue
        conditions = [c for c, t in _FROM_CONDITION.findall(str(s.get("rationale", ""))) if t == s["code"]]
        scores = [float(by_code[c]["score"]) for c in conditions if c in by_code]
        if scores and not is_held(str(s.get("rationale", ""))):
            s["score"] = max(scores)
