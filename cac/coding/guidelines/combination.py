"""Combination codes (Section I.B.9): one code for two conditions, or a condition and its complication.

Tables in ``resources/combination.yaml``. Diabetes with its complications (E1x.22 + N18.x, E1x.65, E1x.42...),
hypertension with heart failure and/or CKD (I11.0, I12.x, I13.x), COPD with exacerbation or lower respiratory
infection (J44.1, J44.0), sepsis with organ dysfunction (R65.20/R65.21) and organism-specific sepsis.
"""

from __future__ import annotations

from typing import Any

from cac.coding.guidelines.common import (
    CONFIRMED,
    ICD,
    CodeSpec,
    add_rationale,
    category,
    context_text,
    covers_any,
    derive,
    load_yaml,
    search_any,
    specs,
)
from cac.coding.guidelines.context import GuidelineContext
from cac.coding.types import Candidate, Span


def _config() -> dict[str, Any]:
    return load_yaml("combination.yaml")


def _confirmed(cands: list[Candidate], spec_list: list[CodeSpec]) -> list[Candidate]:
    return [c for c in cands if c.system == ICD and c.assertion in CONFIRMED and covers_any(spec_list, c.code)]


def _combined(base: Candidate, others: list[Candidate], code: str, ctx: GuidelineContext, why: str) -> Candidate:
    """A rule-made combination code carrying the evidence of all the codes it combines."""
    new = derive(base, code, ctx, why)
    spans: list[Span] = list(base.evidence)
    for o in others:
        spans.extend(s for s in o.evidence if s not in spans)
        new.score = max(new.score, o.score)
        new.sections = sorted(set(new.sections) | set(o.sections))
        if "uncertain" in o.flags and "uncertain" not in new.flags:
            new.flags.append("uncertain")
    new.evidence = sorted(spans, key=lambda s: s.start)
    if any(c.assertion == "present" for c in [base, *others]):
        new.assertion = "present"
    return new


def _without(cands: list[Candidate], drop: set[str]) -> list[Candidate]:
    return [c for c in cands if not (c.system == ICD and c.code in drop)]


def apply(candidates: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    cands = list(candidates)
    cands = diabetes(cands, ctx)
    cands = hypertension(cands, ctx)
    cands = copd(cands, ctx)
    cands = sepsis(cands, ctx)
    return cands


def diabetes(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """Diabetes with a complication listed under "with" (or explicitly linked) -> E1x.<complication>."""
    cfg = _config()["diabetes"]
    cats = set(cfg["categories"])
    dm = [c for c in cands if c.system == ICD and c.assertion in CONFIRMED and category(c.code) in cats]
    if not dm:
        return cands
    base = max(dm, key=lambda c: c.score)
    cat = category(base.code)
    rows = [(CodeSpec(r["condition"]), r) for r in cfg["complications"]]
    proposed = {c.code for c in cands if c.system == ICD}
    added: list[Candidate] = []
    drop: set[str] = set()
    for cond in cands:
        if cond.system != ICD or cond.assertion not in CONFIRMED or category(cond.code) in cats:
            continue
        matches = [(spec, row) for spec, row in rows if spec.covers(cond.code)]
        if not matches:
            continue
        _, row = max(matches, key=lambda m: m[0].weight)
        if row["link"] == "explicit" and not _linked_to_diabetes(cond, ctx, cfg["link_patterns"]):
            continue
        if search_any(cfg.get("unlinked_patterns", []), context_text(cond, ctx, window=60)):
            continue  # the note says the condition is not due to the diabetes
        target = f"{cat}{row['suffix']}"
        if not ctx.store.is_billable(ICD, target):
            continue
        how = "presumed link, Section I.A.15 'with'" if row["link"] == "presumed" else "linked in the note"
        why = f"rule: diabetes with {row['label']} ({cond.code}) -> {target} ({how})"
        if target in proposed:
            # the target may be proposed already, or added a moment ago for another condition of this loop
            existing = next(c for c in [*cands, *added] if c.system == ICD and c.code == target)
            add_rationale(existing, why)
        else:
            added.append(_combined(base, [cond], target, ctx, why))
            proposed.add(target)
        if not row.get("keep", True):
            drop.add(cond.code)
    complicated = [c for c in dm if not c.code.endswith(cfg["without_complications"])] + added
    if complicated:
        without = {c.code for c in dm if c.code.endswith(cfg["without_complications"])}
        if without:
            add_rationale(complicated[0], f"rule: {', '.join(sorted(without))} (without complications) dropped")
        drop |= without
    return _without(cands, drop) + added


def _linked_to_diabetes(cond: Candidate, ctx: GuidelineContext, patterns: list[str]) -> bool:
    return search_any(patterns, context_text(cond, ctx, window=60))


def hypertension(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """Hypertension with heart failure and/or CKD, presumed linked (Section I.C.9.a.1-3)."""
    cfg = _config()["hypertension"]
    htn = _confirmed(cands, specs(cfg["codes"]))
    if not htn:
        return cands
    unlinked = cfg.get("unlinked_patterns", [])
    hf = [c for c in _confirmed(cands, specs(cfg["heart_failure"])) if not search_any(unlinked, context_text(c, ctx))]
    ckd = [c for c in _confirmed(cands, specs(cfg["ckd"])) if not search_any(unlinked, context_text(c, ctx))]
    stage5 = any(covers_any(specs(cfg["ckd_stage5"]), c.code) for c in ckd)
    has_hf = bool(hf) or any(c.code.startswith(("I11.0", "I13.0", "I13.2")) for c in htn)
    has_ckd = bool(ckd) or any(c.code.startswith(("I12", "I13")) for c in htn)
    if any(c.code in ("I12.0", "I13.2") for c in htn):
        stage5 = stage5 or not ckd
    t = cfg["targets"]
    if has_hf and has_ckd:
        target, what = (t["heart_failure_ckd_stage5"] if stage5 else t["heart_failure_ckd"]), "heart failure and CKD"
    elif has_hf:
        target, what = t["heart_failure"], "heart failure"
    elif has_ckd:
        target, what = (t["ckd_stage5"] if stage5 else t["ckd"]), "CKD"
    else:
        return cands
    if stage5 and has_ckd:
        what += " stage 5/ESRD"
    why = f"rule: hypertension with {what} -> {target} (Section I.C.9.a)"
    replaced = {c.code for c in htn if c.code != target}
    existing = [c for c in htn if c.code == target]
    if existing:
        add_rationale(existing[0], why)
        return _without(cands, replaced)
    base = max(htn, key=lambda c: c.score)
    new = _combined(base, [c for c in htn if c is not base] + hf + ckd, target, ctx, why)
    return _without(cands, replaced) + [new]


def copd(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """COPD with (acute) exacerbation -> J44.1; with a lower respiratory infection -> J44.0 plus the infection."""
    cfg = _config()["copd"]
    base_codes = _confirmed(cands, specs(cfg["codes"]))
    if not base_codes:
        return cands
    proposed = {c.code for c in cands if c.system == ICD}
    infections = _confirmed(cands, specs(cfg["lower_respiratory_infections"]))
    added: list[Candidate] = []
    for base in base_codes:
        if infections and cfg["lower_respiratory_infection_code"] not in proposed:
            target = cfg["lower_respiratory_infection_code"]
            codes = ", ".join(i.code for i in infections)
            why = f"rule: COPD with lower respiratory infection ({codes}) -> {target} plus the infection code"
            added.append(_combined(base, infections, target, ctx, why))
            proposed.add(target)
        if (
            search_any(cfg["exacerbation_patterns"], context_text(base, ctx))
            and cfg["exacerbation_code"] not in proposed
        ):
            target = cfg["exacerbation_code"]
            added.append(derive(base, target, ctx, f"rule: COPD with acute exacerbation documented -> {target}"))
            proposed.add(target)
    if not added and not (proposed & {cfg["exacerbation_code"], cfg["lower_respiratory_infection_code"]}):
        return cands
    return _without(cands, {c.code for c in base_codes}) + added


def sepsis(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """Sepsis (Section I.C.1.d): organism-specific code, severe sepsis R65.2x with organ dysfunction."""
    cfg = _config()["sepsis"]
    severe_specs = [CodeSpec("R65.2")]
    sep = [c for c in _confirmed(cands, specs(cfg["codes"])) if not covers_any(severe_specs, c.code)]
    severe = _confirmed(cands, severe_specs)
    if not sep and not severe:
        return cands
    out = list(cands)
    if severe and not sep:
        base = severe[0]
        why = f"rule: severe sepsis without the underlying infection coded -> {cfg['unspecified']} (code first)"
        new = derive(base, cfg["unspecified"], ctx, why)
        out.append(new)
        sep = [new]
    # organism-specific sepsis instead of A41.9
    organisms = {str(k): str(v) for k, v in cfg["organisms"].items()}
    unspecified = [c for c in sep if c.code == cfg["unspecified"]]
    for c in unspecified:
        for other in out:
            best = max((k for k in organisms if CodeSpec(k).covers(other.code)), key=len, default=None)
            if other.system == ICD and best and ctx.store.is_billable(ICD, organisms[best]):
                target = organisms[best]
                why = f"rule: sepsis due to the documented organism ({other.code}) -> {target}"
                new = _combined(c, [other], target, ctx, why)
                out = [o for o in out if o is not c] + [new]
                sep = [s for s in sep if s is not c] + [new]
                break
    # severe sepsis: sepsis with associated acute organ dysfunction
    organ = _confirmed(out, specs(cfg["organ_dysfunction"]))
    contexts = " ".join(context_text(c, ctx) for c in sep + severe)
    shock = search_any(cfg["septic_shock_patterns"], contexts) or any(o.code.startswith("R57") for o in organ)
    severe_documented = search_any(cfg["severe_patterns"], contexts)
    if organ or shock or severe_documented or severe:
        target = cfg["septic_shock"] if shock else cfg["severe"]
        if shock:
            reason = "septic shock documented"
        elif organ:
            reason = f"organ dysfunction {', '.join(o.code for o in organ)}"
        else:
            reason = "severe sepsis documented"
        why = f"rule: sepsis with {reason} -> {target} (Section I.C.1.d.1.a)"
        current = [c for c in out if c.system == ICD and covers_any(severe_specs, c.code)]
        if any(c.code == cfg["septic_shock"] for c in current):
            target = cfg["septic_shock"]  # never downgrade a documented septic shock
        if not any(c.code == target for c in current):
            base = max(sep, key=lambda c: c.score)
            out = [c for c in out if c not in current] + [_combined(base, organ + current, target, ctx, why)]
    return out
