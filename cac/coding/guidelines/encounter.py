"""Encounter-reason Z codes come from the reason for the visit (Section I.C.21.c).

Aftercare, follow-up, counseling and "encounter for" codes (``resources/encounter_reasons.tsv``) say why the
patient came. Found only in a plan or a remark ("suture removal in 7 days", "counseling by me"), they are held
for review instead of proposed. A routine child health check (Section I.C.21.c.13, ``resources/routine_exams.yaml``)
gives Z00.129, Z00.121 when another current condition is coded, or Z00.110/Z00.111 for a newborn by age in days;
an adult's general examination ("annual physical") gives Z00.00, Z00.01 with another current condition coded.
On the newborn's own birth record (``resources/newborn.yaml``) the place of birth is coded (Z38, Section I.C.16.a.2)
and the mother's codes (chapter 15, Z3A, Z37) are not.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from cac.coding.guidelines.common import ICD, CodeSpec, covers_any, derive, hold, is_held, load_tsv, load_yaml, specs
from cac.coding.guidelines.context import GuidelineContext
from cac.coding.guidelines.patterns import stated_age
from cac.coding.types import Candidate, Span

REASON_SECTIONS = frozenset({"chief_complaint", "reason_for_visit", "indication", "preoperative_diagnosis"})


@cache
def encounter_specs() -> tuple[CodeSpec, ...]:
    return tuple(CodeSpec(row[0]) for row in load_tsv("encounter_reasons.tsv"))


@cache
def exam_config() -> dict[str, Any]:
    """The routine examination patterns (``resources/routine_exams.yaml``)."""
    return dict(
        yaml.safe_load((files("cac.coding.guidelines") / "resources" / "routine_exams.yaml").read_text("utf-8"))
    )


# A condition found with the examination makes it one "with abnormal findings" (Z00.121): coded, current, not a Z code.
_FINDING_SCORE = 0.5


def _age_days(text: str, cfg: dict[str, Any]) -> int | None:
    """The child's age in days where the note first states it ("2-month", "5-day-old", "4 y 1 m")."""
    match = re.search(cfg["age"], text, re.IGNORECASE)
    return int(match.group(1)) * int(cfg["days_per_unit"][match.group(2).lower()]) if match else None


def _with_findings(candidates: list[Candidate]) -> bool:
    """Another current condition is coded with the examination: one "with abnormal findings"."""
    return any(
        c.system == ICD
        and not c.code.startswith("Z")
        and c.assertion == "present"
        and c.score >= _FINDING_SCORE
        and not is_held(c.rationale)
        for c in candidates
    )


def _general_exams(text: str, cfg: dict[str, Any]) -> list[re.Match[str]]:
    """The words of a general medical examination that is this visit ("annual physical", "routine health
    maintenance exam"): not another kind of examination, not one the note only refers to (past, planned, the one
    that found something)."""
    out = []
    for m in re.finditer(cfg["general_exam"], text, re.IGNORECASE):
        around = text[max(0, m.start() - 20) : m.end() + 15]
        lead = re.split(r"[.;:\n]", text[max(0, m.start() - 60) : m.start()])[-1]
        if re.search(cfg["other_exam"], around, re.IGNORECASE) or re.search(cfg["referred_before"], lead, re.I):
            continue
        if re.search(cfg["referred_after"], text[m.end() : m.end() + 40], re.IGNORECASE):
            continue
        out.append(m)
    return out


def routine_exam(candidates: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """A routine health examination (Section I.C.21.c.13): a well-child or newborn check -> Z00.110/Z00.111 by
    age, else Z00.121 with another current condition coded, Z00.129 without; an adult's general examination
    ("annual physical") -> Z00.01 with another current condition coded, Z00.00 without."""
    text = ctx.text or ""
    cfg = exam_config()
    if any(c.code.startswith("Z00") for c in candidates):
        return candidates
    matches = [
        m
        for m in re.finditer(cfg["child_exam"], text, re.IGNORECASE)
        if not re.search(cfg["not_routine"], text[max(0, m.start() - 30) : m.end() + 10], re.IGNORECASE)
    ]
    days = _age_days(text, cfg)
    age = stated_age(text)
    if matches:
        if days is not None and days < 29 and re.search(cfg["newborn"], text, re.IGNORECASE):
            code = "Z00.110" if days < 8 else "Z00.111"
        elif days is not None and days >= 18 * 365:
            return candidates  # an adult's check is no child health examination
        else:
            code = "Z00.121" if _with_findings(candidates) else "Z00.129"
        kind = "child"
    else:
        matches = _general_exams(text, cfg)
        if not matches:
            return candidates
        child = age is not None and age < 18
        found = _with_findings(candidates)
        code = ("Z00.121" if found else "Z00.129") if child else ("Z00.01" if found else "Z00.00")
        kind = "child" if child else "adult"
    rationale = f"rule: routine {kind} health examination -> {code} (Section I.C.21.c.13)"
    return [*candidates, _rule_code(ctx, code, matches[0], 0.7, rationale)]


def newborn_record(text: str) -> bool:
    """The note's opening presents a newborn as the patient ("NEWBORN DISCHARGE SUMMARY", "Baby girl, born ...")."""
    cfg = load_yaml("newborn.yaml")
    opening = text[: cfg["opening_chars"]]
    return any(re.search(p, opening, re.IGNORECASE | re.MULTILINE) for p in cfg["record"])


def _delivery(text: str, cfg: dict[str, Any]) -> str:
    """ "cesarean" or "vaginal": the first delivery word of the note decides, vaginal when there is none."""
    found = [(m.start(), how) for how in ("cesarean", "vaginal") if (m := re.search(cfg[how], text, re.IGNORECASE))]
    return min(found)[1] if found else "vaginal"


def newborn(candidates: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """The newborn's record: no code of the mother's record (held), and on the birth episode the place of birth,
    plurality and delivery (Z38, Section I.C.16.a.2)."""
    text = ctx.text or ""
    if not newborn_record(text):
        return candidates
    cfg = load_yaml("newborn.yaml")
    maternal = specs(cfg["maternal_only"])
    for c in candidates:
        if c.system == ICD and covers_any(maternal, c.code) and not is_held(c.rationale):
            hold(c, "rule: a code of the mother's record, not the newborn's (Section I.C.16.a)")
    candidates = _ruled_out(_refined(candidates, ctx, cfg), ctx, cfg)
    birth = next((m for p in cfg["birth"] if (m := re.search(p, text, re.IGNORECASE))), None)
    if birth is None or re.search(cfg["readmission"], text[:400], re.IGNORECASE):
        return candidates
    if any(c.system == ICD and c.code.startswith("Z38") for c in candidates):
        return candidates
    how = _delivery(text, cfg)
    row = next(r for r in cfg["places"] if not r["pattern"] or re.search(r["pattern"], text, re.IGNORECASE))
    code = str(row[how])
    rationale = f"rule: the newborn's birth record -> {code} (Section I.C.16.a.2)"
    return [*candidates, _rule_code(ctx, code, birth, 0.9, rationale)]


def _refined(candidates: list[Candidate], ctx: GuidelineContext, cfg: dict[str, Any]) -> list[Candidate]:
    """Codes the note's words about the mother make more exact on the newborn's record (``refine`` rows)."""
    text = ctx.text or ""
    out = list(candidates)
    for row in cfg.get("refine", []):
        if not re.search(row["when"], text, re.IGNORECASE) or re.search(row.get("unless", "(?!)"), text, re.IGNORECASE):
            continue
        target = str(row["to"])
        for c in [c for c in out if c.system == ICD and c.code == str(row["code"]) and not is_held(c.rationale)]:
            out = [o for o in out if o is not c]
            if not any(o.system == ICD and o.code == target for o in out):
                out.append(derive(c, target, ctx, f"rule: {c.code} -> {target} (the mother's diabetes is gestational)"))
    return out


def _ruled_out(candidates: list[Candidate], ctx: GuidelineContext, cfg: dict[str, Any]) -> list[Candidate]:
    """A newborn observed for a suspected condition the stay ruled out -> Z05.x (``ruled_out`` rows)."""
    text = ctx.text or ""
    for row in cfg.get("ruled_out", []):
        code = str(row["code"])
        m = re.search(row["pattern"], text, re.IGNORECASE)
        if m is None or any(c.system == ICD and c.code == code for c in candidates):
            continue
        rationale = f"rule: newborn observed for a suspected {row['label']}, ruled out -> {code} (Section I.C.21.c.6)"
        return [*candidates, _rule_code(ctx, code, m, 0.9, rationale)]
    return candidates


def _rule_code(ctx: GuidelineContext, code: str, match: re.Match[str], score: float, rationale: str) -> Candidate:
    """A code this module adds, with the matched words as its evidence."""
    return Candidate(
        system=ICD,
        code=code,
        title=ctx.store.title(ICD, code) or "",
        score=score,
        evidence=[Span(match.start(), match.end(), match.group(0))],
        source="rule",
        rationale=rationale,
        mention_text=match.group(0),
    )


def apply(candidates: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    candidates = newborn(candidates, ctx)
    candidates = routine_exam(candidates, ctx)
    reasons = encounter_specs()
    out: list[Candidate] = []
    for cand in candidates:
        if (
            cand.system == ICD
            and any(s.covers(cand.code) for s in reasons)
            and cand.sections
            and not REASON_SECTIONS.intersection(cand.sections)
        ):
            cand = hold(cand, "rule: encounter-reason code found outside the reason for the visit (Section I.C.21.c)")
        out.append(cand)
    return out
