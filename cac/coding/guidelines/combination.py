"""Combination codes (Section I.B.9): one code for two conditions, or a condition and its complication.

Tables in ``resources/combination.yaml``. Diabetes with its complications (E1x.22 + N18.x, E1x.65, E1x.42...),
hypertension with heart failure and/or CKD (I11.0, I12.x, I13.x), COPD with exacerbation or lower respiratory
infection (J44.1, J44.0), sepsis with organ dysfunction (R65.20/R65.21) and organism-specific sepsis, the
infectious agent (B95-B97) of a localized infection, drug-induced siblings of unspecified codes when the adverse
effect is coded, "in childbirth" pregnancy codes on a delivery encounter, and codes superseded by a more
specific one for the same condition. Read from the clauses of the evidence: dementia in a disease classified
elsewhere (G30.9 + F02.B11), cerebral infarction of a named artery (I63.512), Crohn's disease site and
complication (K50.813); from the note's words in a pregnancy: group B streptococcus carrier (O99.82-) and
perineal laceration in a delivery (O70.x).
"""

from __future__ import annotations

import re
from typing import Any

from cac.coding.guidelines.assertion import past_word_at
from cac.coding.guidelines.coderefs import parse_refs
from cac.coding.guidelines.common import (
    CONFIRMED,
    ICD,
    CodeSpec,
    add_rationale,
    bare,
    category,
    clause_at,
    clause_bounds,
    context_text,
    covers_any,
    derive,
    load_yaml,
    lookup_spec,
    search_any,
    specs,
)
from cac.coding.guidelines.context import GuidelineContext
from cac.coding.guidelines.patterns import denied_before
from cac.coding.guidelines.specificity import adjacent_side, sided_child
from cac.coding.types import Candidate, Span
from cac.nlp.sentences import line_wraps


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


def _companion(base: Candidate, code: str, ctx: GuidelineContext, why: str) -> Candidate:
    """A second code the rule adds beside ``base`` (agent, associated sign): found by the rule alone, so its
    rationale starts with the rule rather than with how ``base`` was found."""
    new = derive(base, code, ctx, why)
    new.rationale = why
    return new


def _without(cands: list[Candidate], drop: set[str]) -> list[Candidate]:
    return [c for c in cands if not (c.system == ICD and c.code in drop)]


def apply(candidates: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    cands = list(candidates)
    cands = chronic_parts(cands, ctx)
    cands = diabetes(cands, ctx)
    cands = hypertension(cands, ctx)
    cands = clause_words(cands, ctx)
    cands = organism_pneumonia(cands, ctx)
    cands = influenza_pneumonia(cands, ctx)
    cands = copd(cands, ctx)
    cands = sepsis(cands, ctx)
    cands = infectious_agents(cands, ctx)
    cands = drug_induced(cands, ctx)
    cands = companions(cands, ctx)
    cands = due_to(cands, ctx)
    cands = dementia(cands, ctx)
    cands = cerebral_infarction(cands, ctx)
    cands = crohn(cands, ctx)
    cands = superseded(cands, ctx)
    cands = pairs(cands, ctx)
    cands = obstetric_findings(cands, ctx)
    cands = pregnancy(cands, ctx)
    cands = stroke_scale(cands, ctx)
    return cands


def _affirmed(patterns: list[str], text: str) -> bool:
    """A pattern occurs in ``text`` and is not denied just before it in its clause ("no septic shock")."""
    return any(_affirmed_matches(p, text) for p in patterns)


# Words before a condition that deny it in its clause ("no septic shock", "without severe sepsis").
_DENIED_BEFORE = denied_before("not|denied|never|ruled out|r/o|rule out", stops=".;:\\n")
# A complication denied or past ("no fistula", "admitted twice for episodes of obstruction").
_DENIED_OR_PAST_BEFORE = denied_before(
    "not|denied|never|ruled out|r/o|rule out|history of|h/o|prior|previous|past|episodes? of|resolved",
    stops=".;:\\n",
)


def _affirmed_matches(pattern: str, text: str, denial: re.Pattern[str] | None = None) -> list[re.Match[str]]:
    """The matches of ``pattern`` in ``text`` not denied just before them (``denial``: the words that deny)."""
    negation = denial or _DENIED_BEFORE
    return [
        m
        for m in re.finditer(pattern, text, re.IGNORECASE)
        if not negation.search(text[max(0, m.start() - 40) : m.start()])
    ]


def _clauses(cand: Candidate, ctx: GuidelineContext) -> str:
    """The clauses holding the candidate's evidence (its mention text when the note is unknown), lower-case."""
    text = ctx.text or ""
    parts = [clause_at(text, s.start, s.end) for s in cand.evidence if text and 0 <= s.start <= s.end <= len(text)] or [
        cand.mention_text,
        *(s.text for s in cand.evidence),
    ]
    return " \n ".join(p for p in parts if p).lower()


def _confirmed_icd(cands: list[Candidate]) -> list[Candidate]:
    return [c for c in cands if c.system == ICD and c.assertion in CONFIRMED]


def diabetes(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """Diabetes with a complication listed under "with" (or explicitly linked) -> E1x.<complication>."""
    cfg = _config()["diabetes"]
    cats = set(cfg["categories"])
    cands = _of_documented_type(cands, ctx, cfg)
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
        target = f"{cat}{_suffix(row, cond, ctx)}"
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
    added += _poorly_controlled(dm, cands + added, cfg, ctx)
    complicated = [c for c in dm if not c.code.endswith(cfg["without_complications"])] + added
    if complicated:
        without = {c.code for c in dm if c.code.endswith(cfg["without_complications"])}
        if without:
            add_rationale(complicated[0], f"rule: {', '.join(sorted(without))} (without complications) dropped")
        drop |= without
    out = _without(cands, drop) + added
    present = {c.code for c in _confirmed_icd(out)}
    gone: set[str] = set()
    for suffix, broader in cfg.get("superseded", {}).items():
        for c in _confirmed_icd(out):
            if category(c.code) not in cats or not c.code.endswith(suffix):
                continue
            wider = next((f"{c.code[:3]}{b}" for b in broader if f"{c.code[:3]}{b}" in present), None)
            if wider:
                gone.add(c.code)
                add_rationale(next(o for o in out if o.code == wider), f"rule: {c.code} is part of {wider} and dropped")
    return _without(out, gone)


def _of_documented_type(cands: list[Candidate], ctx: GuidelineContext, cfg: dict[str, Any]) -> list[Candidate]:
    """Diabetes codes of the default category (E11) whose words name no type, recoded to the one other type the
    note documents (Section I.C.4.a.2: "DKA" with "type 1 diabetes" -> E10.10)."""
    default = cfg["default_category"]
    dm = [c for c in cands if c.system == ICD and c.assertion in CONFIRMED and category(c.code) in cfg["categories"]]
    typed = {category(c.code) for c in dm} - {default}
    untyped = [c for c in dm if category(c.code) == default]
    if len(typed) != 1 or not untyped:
        return cands
    words = re.compile(cfg["default_type_words"], re.IGNORECASE)
    if any(words.search(s.text) for c in untyped for s in c.evidence) or any(
        words.search(c.mention_text) for c in untyped
    ):
        return cands  # the default type is written too: two types, left as they are
    cat = typed.pop()
    out = cands
    for c in untyped:
        target = cat + c.code[len(default) :]
        if ctx.store.is_billable(ICD, target):
            out = _recoded(out, c, target, ctx, f"rule: {c.code} of the type documented in the note -> {target}")
    return out


def _poorly_controlled(
    dm: list[Candidate], cands: list[Candidate], cfg: dict[str, Any], ctx: GuidelineContext
) -> list[Candidate]:
    """Diabetes "poorly controlled" (or "out of control") in its clause -> E1x.65 (Index: Diabetes, poorly
    controlled - code to Diabetes, by type, with hyperglycemia), unless a .65 code is proposed already."""
    rule = cfg.get("hyperglycemia_words")
    if not rule or any(c.system == ICD and c.code.endswith(rule["suffix"]) for c in cands):
        return []
    said = [c for c in dm if _affirmed(rule["patterns"], _clauses(c, ctx))]
    if not said:
        return []
    base = max(said, key=lambda c: c.score)
    target = f"{category(base.code)}{rule['suffix']}"
    if not ctx.store.is_billable(ICD, target):
        return []
    return [_combined(base, [], target, ctx, f"rule: diabetes poorly controlled -> {target} (with hyperglycemia)")]


def _suffix(row: dict[str, Any], cond: Candidate, ctx: GuidelineContext) -> str:
    """The row's complication suffix, or its ``coma`` suffix when the condition's clause documents a coma."""
    if row.get("coma") and _affirmed([r"\bcoma(?:tose)?\b"], _clauses(cond, ctx)):
        return str(row["coma"])
    return str(row["suffix"])


def _linked_to_diabetes(cond: Candidate, ctx: GuidelineContext, patterns: list[str]) -> bool:
    return search_any(patterns, context_text(cond, ctx, window=60)) or search_any(patterns, _clauses(cond, ctx))


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
    elif has_ckd and any(c.code.startswith("I13") for c in htn):  # "hypertensive heart and kidney disease"
        target, what = (t["heart_ckd_stage5"] if stage5 else t["heart_ckd"]), "heart disease and CKD"
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
    """COPD with (acute) exacerbation -> J44.1; with a lower respiratory infection -> J44.0 plus the infection.

    Both are coded when both are documented; J44.9 gives way to either."""
    cfg = _config()["copd"]
    base_codes = _confirmed(cands, specs(cfg["codes"]))
    if not base_codes:
        return cands
    proposed = {c.code for c in cands if c.system == ICD}
    infections = _confirmed(cands, specs(cfg["lower_respiratory_infections"]))
    infection_code, exacerbation_code = cfg["lower_respiratory_infection_code"], cfg["exacerbation_code"]
    added: list[Candidate] = []
    base = max(base_codes, key=lambda c: c.score)
    if infections and infection_code not in proposed:
        codes = ", ".join(i.code for i in infections)
        why = f"rule: COPD with lower respiratory infection ({codes}) -> {infection_code} plus the infection code"
        added.append(_combined(base, infections, infection_code, ctx, why))
        proposed.add(infection_code)
    if exacerbation_code not in proposed and any(
        _affirmed(cfg["exacerbation_patterns"], context_text(c, ctx)) for c in base_codes
    ):
        added.append(
            derive(
                base, exacerbation_code, ctx, f"rule: COPD with acute exacerbation documented -> {exacerbation_code}"
            )
        )
        proposed.add(exacerbation_code)
    if not (proposed & {exacerbation_code, infection_code}):
        return cands
    return _without(cands, {cfg["unspecified"]}) + added


def clause_words(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """A code whose own clause has the words of a more specific code for it (J90 "parapneumonic" -> J91.8)."""
    out = list(cands)
    for row in _config().get("clause_words", []):
        for c in _confirmed(out, [CodeSpec(row["code"])]):
            target = str(row["target"])
            note = row.get("scope") == "note" and bool(ctx.text)
            found = _affirmed_matches(row["pattern"], ctx.text or "") if note else []
            if not (found or _affirmed([row["pattern"]], _clauses(c, ctx))) or not ctx.store.is_billable(ICD, target):
                continue
            why = f"rule: {row['label']} -> {target}"
            out = _recoded(out, c, target, ctx, why, [Span(m.start(), m.end(), m.group(0)) for m in found])
    return out


def _recoded(
    out: list[Candidate], c: Candidate, target: str, ctx: GuidelineContext, why: str, extra: list[Span] | None = None
) -> list[Candidate]:
    """``out`` with ``c`` recoded as ``target``: folded into a ``target`` already proposed (its rationale gains
    ``why``), else a copy of ``c`` for ``target`` (with the ``extra`` evidence) appended."""
    out = [o for o in out if o is not c]
    same = next((o for o in out if o.system == ICD and o.code == target), None)
    if same is not None:
        add_rationale(same, why)
    else:
        new = derive(c, target, ctx, why)
        out.append(_with_evidence(new, extra) if extra else new)
    return out


def _organism_named(clause: str, cfg: dict[str, Any]) -> dict[str, Any] | None:
    """The first organism row whose words the clause names, not denied or only tested for."""
    for row in cfg["organisms"]:
        for m in re.finditer(row["pattern"], clause, re.IGNORECASE):
            if re.search(cfg["denied_before"], clause[: m.start()], re.IGNORECASE):
                continue
            if re.search(cfg["denied_after"], clause[m.end() :], re.IGNORECASE):
                continue
            return row
    return None


def organism_pneumonia(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """A pneumonia of unspecified organism whose clause names the organism -> the organism's pneumonia code
    (Index "Pneumonia, in (due to)": J18.9 "Klebsiella pneumonia" -> J15.0); its agent code (B96.1) is dropped
    unless another infection coded in the note asks for an agent code (tabular "use additional code B95-B97")."""
    cfg = _config()["pneumonia_organisms"]
    refs = specs(_config()["infectious_agents"]["note_refs"])
    out = list(cands)
    agents: set[str] = set()
    for c in _confirmed(out, specs(cfg["codes"])):
        row = _organism_named(_clauses(c, ctx), cfg)
        target = str(row["code"]) if row else ""
        if row is None or not ctx.store.is_billable(ICD, target):
            continue
        why = f"rule: pneumonia due to the organism named in its clause -> {target} (Index: Pneumonia, in (due to))"
        out = _recoded(out, c, target, ctx, why)
        agents.update(str(a) for a in row.get("agents", []))
    if agents:
        hosts = [c for c in _confirmed_icd(out) if c.code not in agents and _agent_note(c.code, ctx, refs)]
        if not hosts:
            out = _without(out, agents)
    return out


def influenza_pneumonia(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """Influenza beside a pneumonia -> influenza with pneumonia (Index "Influenza, with pneumonia", Section I.A.15):
    J10.1 + J12.9 -> J10.01; J11.1 + J18.9 -> J11.00; a specified pneumonia (J15.1) is kept beside J10.08."""
    cfg = _config()["influenza_pneumonia"]
    out = list(cands)
    for flu in _confirmed(out, specs(cfg["influenza"])):
        for row in cfg["rows"]:
            if not flu.code.startswith(row["influenza"]):
                continue
            pneumonias = _confirmed(out, specs(row["pneumonia"]))
            target = str(row["target"])
            if not pneumonias or not ctx.store.is_billable(ICD, target):
                continue
            why = f"rule: influenza ({flu.code}) with pneumonia ({pneumonias[0].code}) -> {target} (Section I.A.15)"
            absorbed = [] if row.get("keep") else pneumonias
            absorbed += [o for o in out if o.system == ICD and o.code == target and o is not flu]
            new = _combined(flu, absorbed, target, ctx, why)
            gone = {id(o) for o in [flu, *absorbed]}
            out = [o for o in out if id(o) not in gone] + [new]
            break
    return out


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
    out, sep = _sepsis_organism_named(out, sep, ctx, severe)
    # severe sepsis: sepsis with associated acute organ dysfunction
    organ = _confirmed(out, specs(cfg["organ_dysfunction"]))
    contexts = " ".join(context_text(c, ctx) for c in sep + severe)
    shock = _affirmed(cfg["septic_shock_patterns"], contexts) or any(o.code.startswith("R57") for o in organ)
    severe_documented = _affirmed(cfg["severe_patterns"], contexts)
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
        shock_coded = [c for c in current if c.code == cfg["septic_shock"]]
        if (
            shock_coded
            and not shock
            and _affirmed(cfg["septic_shock_patterns"], " ".join(context_text(c, ctx) for c in shock_coded))
        ):
            target = cfg["septic_shock"]  # never downgrade a documented septic shock
        if not any(c.code == target for c in current):
            base = max(sep, key=lambda c: c.score)
            out = [c for c in out if c not in current] + [_combined(base, organ + current, target, ctx, why)]
    return out


def _sepsis_organism_named(
    out: list[Candidate], sep: list[Candidate], ctx: GuidelineContext, severe: list[Candidate]
) -> tuple[list[Candidate], list[Candidate]]:
    """A41.9 whose own words name the organism ("sepsis due to E. coli") -> the organism's sepsis code.

    The organism is read, not denied, in the clauses of the sepsis (and of the severe sepsis) or within 60
    characters of it on its line, with the agent patterns of ``infectious_agents``; no B95-B97 code is added
    for the sepsis itself (the localized infection gets its own through the agent table)."""
    cfg = _config()
    unspecified = cfg["sepsis"]["unspecified"]
    organisms = {str(k): str(v) for k, v in cfg["sepsis"]["organisms"].items()}
    for c in [c for c in sep if c.code == unspecified]:
        near = " \n ".join([context_text(c, ctx, window=60), *(_clauses(o, ctx) for o in [c, *severe])])
        agent = next(
            (r["code"] for r in cfg["infectious_agents"]["organisms"] if _affirmed([r["pattern"]], near)), None
        )
        target = organisms.get(agent or "")
        if target is None or not ctx.store.is_billable(ICD, target):
            continue
        why = f"rule: sepsis due to the organism named with it ({agent}) -> {target}"
        new = derive(c, target, ctx, why)
        out = [o for o in out if o is not c] + [new]
        sep = [s for s in sep if s is not c] + [new]
    return out, sep


def _near(cand: Candidate, ctx: GuidelineContext, before: int = 80, after: int = 30) -> list[tuple[str, str]]:
    """For each evidence span: the text before it (up to a full stop or semicolon) and the text after it."""
    text = ctx.text or ""
    out = []
    for s in cand.evidence:
        if not (text and 0 <= s.start <= s.end <= len(text)):
            continue
        head = text[max(0, s.start - before) : s.start]
        head = re.split(r"[.;]\s", head)[-1]
        out.append((head.lower(), text[s.end : s.end + after].lower()))
    return out


def _agent_note(code: str, ctx: GuidelineContext, refs: list[CodeSpec]) -> bool:
    """The code's own or inherited "use additional code" note names the infectious agent codes (B95-B97)."""
    entry = ctx.entry(code)
    if entry is None:
        return False
    texts = list(entry.notes.get("use_additional_code", []))
    texts += [n["text"] for n in entry.inherited_notes.get("use_additional_code", [])]
    return any(
        r.text in {s.text for s in refs} or any(r.covers(s.lo) for s in refs) for t in texts for r in parse_refs(t)
    )


def infectious_agents(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """The organism causing a localized infection (B95-B97), from its clause or the organism-specific sepsis.

    Tabular notes "use additional code (B95-B97), to identify infectious agent" (N10, N39.0, L03, M86...): the
    B code is added when the clause of the condition names the organism ("osteomyelitis due to MRSA") or when
    the sepsis it is the source of is organism-specific (A41.51 with N39.0 -> B96.20). An organism infection code
    of unspecified site (A49.02, A04.8 for H. pylori) becomes the agent code beside the disease it causes. An
    agent code whose every mention is a test for the organism or a negative result is dropped.
    """
    cfg = _config()["infectious_agents"]
    refs = specs(cfg["note_refs"])
    out = list(cands)
    # agent codes mentioned only as tests ("biopsies for H. pylori", "H. pylori negative") are dropped
    before = [re.compile(p, re.IGNORECASE) for p in cfg["test_only_before"]]
    after = [re.compile(p, re.IGNORECASE) for p in cfg["test_only_after"]]
    agent_specs = specs(cfg["agent_codes"])
    for c in list(out):
        if c.system != ICD or not covers_any(agent_specs, c.code):
            continue
        near = _near(c, ctx)
        if near and all(any(b.search(h) for b in before) or any(a.search(t) for a in after) for h, t in near):
            out = [o for o in out if o is not c]
    confirmed = _confirmed_icd(out)
    hosts = [c for c in confirmed if not covers_any(agent_specs, c.code) and _agent_note(c.code, ctx, refs)]
    proposed = {c.code for c in out if c.system == ICD}
    added: list[Candidate] = []

    def add(base: Candidate, others: list[Candidate], code: str, why: str) -> None:
        if code in proposed or not ctx.store.is_billable(ICD, code):
            return
        new = _companion(base, code, ctx, why)
        if others:
            new = _combined(new, others, code, ctx, why)
            new.rationale = why
        added.append(new)
        proposed.add(code)

    # an organism infection of unspecified site beside the disease it causes -> the agent code
    gone: set[str] = set()
    for row in cfg["as_cause"]:
        for c in [c for c in confirmed if CodeSpec(row["code"]).covers(c.code)]:
            if row.get("evidence") and not re.search(row["evidence"], context_text(c, ctx, window=0), re.I):
                continue
            if row["with"] == "note":
                partners = [h for h in hosts if h is not c]
            else:
                partners = [o for o in confirmed if o is not c and covers_any(specs(row["with"]), o.code)]
            if not partners:
                continue
            target = row["target"]
            why = f"rule: {c.code} with {partners[0].code} -> {target} (the organism as the cause, B95-B97)"
            gone.add(c.code)
            if target in proposed:
                add_rationale(next(o for o in [*out, *added] if o.code == target), why)
            else:
                add(c, [], target, why)
    # the organism named in the clause of the infection
    organisms = [(re.compile(r["pattern"], re.IGNORECASE), r["code"]) for r in cfg["organisms"]]
    not_found = cfg["not_found_patterns"]
    for host in hosts:
        for clause in _clauses(host, ctx).split(" \n "):
            hit = next(((rx, code) for rx, code in organisms if rx.search(clause)), None)
            if hit is None or search_any(not_found, clause):
                continue
            why = f"rule: {host.code} due to the documented organism -> {hit[1]} (use additional code B95-B97)"
            add(host, [], hit[1], why)
    # the organism of an organism-specific sepsis, for the localized infection that is its source
    agents = {str(k): str(v) for k, v in _config()["sepsis"].get("agents", {}).items()}
    sepsis_codes = [c for c in confirmed if c.code in agents]
    if sepsis_codes and hosts:
        sep = max(sepsis_codes, key=lambda c: c.score)
        agent = agents[sep.code]
        if not any(c.system == ICD and c.code.startswith(agent[:5]) for c in out):
            why = f"rule: {hosts[0].code} with {sep.code} -> {agent} (the organism of the sepsis, use additional code)"
            add(sep, hosts, agent, why)
    return _without(out, gone) + added


def _same_place(a: Candidate, b: Candidate, b_clauses: str) -> bool:
    """``a`` documents the same place in the note as ``b``: overlapping spans, or a span inside ``b``'s clauses."""
    if any(x.start < y.end and y.start < x.end for x in a.evidence for y in b.evidence):
        return True
    return any(s.text and s.text.lower().strip() in b_clauses for s in a.evidence)


def drug_induced(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """An unspecified code becomes its drug-induced sibling when the adverse effect that sibling's tabular note
    asks for (T36-T50, 6th character 5) is coded for the same clause (D70.9 -> D70.1 with T45.1X5A)."""
    out = list(cands)
    adverse = [
        c
        for c in _confirmed_icd(out)
        if "T36" <= category(c.code) <= "T50" and len(bare(c.code)) >= 6 and bare(c.code)[5] == "5"
    ]
    if not adverse:
        return out
    for cand in _confirmed_icd(out):
        entry = ctx.entry(cand.code)
        if entry is None or not entry.billable or not re.search(r"\bunspecified\b", entry.title, re.I):
            continue
        if not entry.parent or "-" in entry.parent:
            continue
        clauses = _clauses(cand, ctx)
        best: tuple[tuple[int, int, int], str, Candidate] | None = None
        for sib in ctx.store.children(ICD, entry.parent):
            sib_entry = ctx.entry(sib)
            if sib_entry is None or sib == cand.code or not sib_entry.billable:
                continue
            for note in sib_entry.notes.get("use_additional_code", []):
                if "adverse effect" not in note.lower():
                    continue
                for ref in parse_refs(note):
                    for t in adverse:
                        linked = _same_place(t, cand, clauses)
                        if ref.covers(t.code) and linked and (best is None or ref.weight > best[0]):
                            best = (ref.weight, sib, t)
        if best is None:
            continue
        _, target, t = best
        why = f"rule: {cand.code} with the adverse effect {t.code} -> {target} (drug-induced, use additional code)"
        out = [o for o in out if o is not cand] + [derive(cand, target, ctx, why)]
    return out


def companions(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """The "use additional code for any associated ..." code the clause of a condition documents (D70 + R50.81)."""
    proposed = {c.code for c in cands if c.system == ICD}
    added: list[Candidate] = []
    for row in _config().get("companions", []):
        for c in _confirmed(cands, [CodeSpec(row["code"])]):
            if row["add"] in proposed or not _affirmed([row["pattern"]], _clauses(c, ctx)):
                continue
            added.append(_companion(c, row["add"], ctx, f"rule: {row['label']} -> {row['add']}"))
            proposed.add(row["add"])
    return cands + added


def chronic_parts(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """The chronic condition of an "acute on chronic" one whose acute code does not state it ("acute on chronic
    renal failure": N17.9 + N18.9), unless the note codes that chronic condition already (a CKD stage)."""
    added: list[Candidate] = []
    for row in _config().get("chronic_parts", []):
        if any(c.system == ICD and c.code.startswith(row["unless"]) for c in cands + added):
            continue
        for c in _confirmed(cands, [CodeSpec(row["code"])]):
            if _affirmed([row["pattern"]], _clauses(c, ctx)):
                added.append(_companion(c, row["add"], ctx, f"rule: {row['label']} -> {row['add']}"))
                break
    return cands + added


def due_to(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """A code becomes its "in (due to)" form when the underlying condition is coded (I85.00 -> I85.10 in cirrhosis);
    a row's ``unless`` pattern in the code's clauses keeps it as it is, and its ``requires`` pattern must be there."""
    out = list(cands)
    for row in _config().get("due_to", []):
        spec = CodeSpec(row["code"])
        causes = _confirmed(out, specs(row["with"]))
        if not causes:
            continue
        unless = re.compile(row["unless"], re.IGNORECASE) if row.get("unless") else None
        requires = re.compile(row["requires"], re.IGNORECASE) if row.get("requires") else None
        for c in [c for c in _confirmed_icd(out) if spec.covers(c.code)]:
            target = row["target"] + c.code[len(row["code"]) :]
            if not ctx.store.is_billable(ICD, target):
                continue
            if unless is not None and any(unless.search(t) for _lo, t in _clause_texts(c, ctx)):
                continue
            if requires is not None and not any(requires.search(t) for _lo, t in _clause_texts(c, ctx)):
                continue
            if row.get("absorbs"):
                _absorb_cause(out, c, causes, target, row["label"], ctx)
                continue
            why = f"rule: {row['label']} in {causes[0].code} -> {target} (code first the underlying disease)"
            if any(o.system == ICD and o.code == target for o in out):
                out = [o for o in out if o is not c]
            else:
                out = [o for o in out if o is not c] + [derive(c, target, ctx, why)]
    return out


def _absorb_cause(
    out: list[Candidate], cand: Candidate, causes: list[Candidate], target: str, label: str, ctx: GuidelineContext
) -> None:
    """``cand`` and a cause stated in one of its clauses become the one combination code ``target`` (N13.30 and
    N20.1 in "ureteral stone with moderate hydronephrosis" -> N13.2), in place in ``out``."""
    spans = set(_clause_spans(cand, ctx))
    cause = next((k for k in causes if spans & set(_clause_spans(k, ctx))), None)
    if cause is None:
        return
    new = derive(cand, target, ctx, f"rule: {label}: {cand.code} with {cause.code} in one clause -> {target}")
    new = _with_evidence(new, list(cause.evidence))
    new.score = max(cand.score, cause.score)
    out[:] = [o for o in out if o is not cand and o is not cause] + [new]


def superseded(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """Codes giving way to a more specific code for the same condition (J22 beside a pneumonia code)."""
    drop: set[str] = set()
    for row in _config().get("superseded", []):
        by = _confirmed(cands, specs(row["by"]))
        if not by:
            continue
        for c in _confirmed(cands, [CodeSpec(row["code"])]):
            drop.add(c.code)
            add_rationale(by[0], f"rule: {c.code} dropped for the more specific {by[0].code}")
    return _without(cands, drop)


def pairs(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """Two codes the classification names together in one code, wherever the note documents each: nausea (R11.0)
    and vomiting (R11.10) are nausea with vomiting (R11.2)."""
    for row in _config().get("pairs", []):
        found = [_confirmed(cands, [CodeSpec(code)]) for code in row["codes"]]
        if not all(found):
            continue
        base, others = found[0][0], [c for group in found for c in group][1:]
        combined = _combined(base, others, row["code"], ctx, f"rule: {row['label']} -> {row['code']} (Section I.B.9)")
        drop = {c.code for group in found for c in group}
        cands = [combined if c is base else c for c in cands if c is base or not (c.system == ICD and c.code in drop)]
    return cands


def _clause_spans(cand: Candidate, ctx: GuidelineContext) -> list[tuple[int, int]]:
    """The offsets of the clauses holding the candidate's evidence, in note order, each once."""
    text = ctx.text or ""
    return sorted(
        {clause_bounds(text, s.start, s.end) for s in cand.evidence if text and 0 <= s.start <= s.end <= len(text)}
    )


def _clause_texts(cand: Candidate, ctx: GuidelineContext) -> list[tuple[int, str]]:
    """Each clause holding the evidence, with its offset (the mention text, at -1, when the note is unknown)."""
    text = ctx.text or ""
    found = [(lo, text[lo:hi]) for lo, hi in _clause_spans(cand, ctx)]
    return found or [(-1, t) for t in [cand.mention_text, *(s.text for s in cand.evidence)] if t]


def _most_specific(spec_list: list[CodeSpec], code: str) -> CodeSpec | None:
    """The most specific spec of ``spec_list`` covering ``code``."""
    return max((s for s in spec_list if s.covers(code)), key=lambda s: s.weight, default=None)


def _with_evidence(cand: Candidate, extra: list[Span]) -> Candidate:
    """``cand`` with ``extra`` spans added to its evidence (note order, no repeats)."""
    cand.evidence = sorted([*cand.evidence, *(s for s in extra if s not in cand.evidence)], key=lambda s: s.start)
    return cand


# Uncertainty around a cause the clause names: outside inpatient care an uncertain cause is not coded (Section
# IV.H); inpatient, it is coded as if established (Section II.H).
_UNCERTAIN_BEFORE = re.compile(
    r"\b(?:possible|possibly|probable|probably|likely|suspect\w*|presumed|questionable|r/o|rule out|vs\.?|versus|"
    r"concern for|query)\b[^.;:\n]{0,25}$|\?\s*$",
    re.IGNORECASE,
)
_UNCERTAIN_AFTER = re.compile(
    r"[^.;:,\n]{0,15}?\b(?:suspected|possible|probable|likely|questionable|presumed)\b|\s*\?", re.IGNORECASE
)


def _settled(m: re.Match[str], clause: str, ctx: GuidelineContext) -> bool:
    """Whether the cause matched by m is stated as established for the note's setting."""
    if ctx.setting == "inpatient":
        return True
    return not _UNCERTAIN_BEFORE.search(clause[max(0, m.start() - 40) : m.start()]) and not _UNCERTAIN_AFTER.match(
        clause, m.end()
    )


def _named_etiology(dem: Candidate, ctx: GuidelineContext, cfg: dict[str, Any]) -> tuple[str, Span | None] | None:
    """The etiology code a dementia's clause names ("dementia (Alzheimer type)" -> G30.9) and the words naming it."""
    for lo, clause in _clause_texts(dem, ctx):
        for row in cfg["etiologies"]:
            hits = [m for m in _affirmed_matches(row["pattern"], clause) if _settled(m, clause, ctx)]
            if hits:
                m = hits[0]
                return row["code"], (Span(lo + m.start(), lo + m.end(), m.group(0)) if lo >= 0 else None)
    return None


def _f02_from_f03(code: str, cfg: dict[str, Any]) -> str:
    """The F02 code of the same severity and behaviour as an F03 code (F03.90 -> F02.80, F03.B11 -> F02.B11)."""
    rest = bare(code)[3:]
    sev = cfg["unspecified_severity"]
    if rest.startswith(sev["from"]):
        rest = sev["to"] + rest[1:]
    return f"{cfg['target']}.{rest}"


def _f02_from_clause(clause: str, cfg: dict[str, Any]) -> str:
    """The F02 code for the severity and behaviour a clause states ("moderate, with agitation" -> F02.B11)."""
    severity = next(
        (r["char"] for r in cfg["severity"] if _affirmed_matches(r["pattern"], clause)),
        cfg["unspecified_severity"]["to"],
    )
    behaviour = cfg["without_behaviour"]
    for row in cfg["behaviour"]:
        hits = [
            m for m in _affirmed_matches(row["pattern"], clause) if re.search(r"\bwith\b", clause[: m.start()], re.I)
        ]
        if hits:
            behaviour = row["suffix"]
            break
    return f"{cfg['target']}.{severity}{behaviour}"


def dementia(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """Dementia in a disease classified elsewhere: the etiology (G30.9, G31.83, G20.A1...) plus F02.x.

    An unspecified-etiology dementia (F03.x) becomes the F02 code of the same severity and behaviour when its
    clause names an etiology (added when not proposed) or an etiology code is proposed; an etiology whose index
    entry carries [F02.80] (Alzheimer's, Lewy body), or whose clause documents dementia, gets F02 with the
    severity and behaviour its clause states."""
    cfg = _config()["dementia"]
    etiology_specs = specs(cfg["etiology_codes"])
    out = list(cands)
    proposed = {c.code for c in out if c.system == ICD}
    etiologies = _confirmed(out, etiology_specs)
    target_spec = CodeSpec(cfg["target"])
    for dem in _confirmed(out, [CodeSpec(cfg["unspecified"])]):
        named = _named_etiology(dem, ctx, cfg)
        if named is None and not etiologies:
            continue
        target = _f02_from_f03(dem.code, cfg)
        if not ctx.store.is_billable(ICD, target):
            continue
        cause = named[0] if named else etiologies[0].code
        why = f"rule: dementia in {cause} -> {target} (Index Dementia, in (due to) [F02.8-]; code first {cause})"
        out = [o for o in out if o is not dem]
        if target in proposed:
            add_rationale(next(o for o in out if o.system == ICD and o.code == target), why)
        else:
            out.append(derive(dem, target, ctx, why))
            proposed.add(target)
        if named is None:
            continue
        code, span = named
        spec = _most_specific(etiology_specs, code)
        if any(spec and spec.covers(e.code) for e in etiologies) or not ctx.store.is_billable(ICD, code):
            continue
        new = _with_evidence(
            _companion(dem, code, ctx, f"rule: etiology of the dementia ({span.text if span else code}) -> {code}"),
            [span] if span else [],
        )
        out.append(new)
        etiologies.append(new)
        proposed.add(code)
    if any(o.system == ICD and target_spec.covers(o.code) for o in out):
        return out
    implied = specs(cfg["implies_dementia"])
    for et in etiologies:
        for lo, clause in _clause_texts(et, ctx):
            said = [m for p in cfg["dementia_patterns"] for m in _affirmed_matches(p, clause)]
            if not said and not covers_any(implied, et.code):
                continue
            target = _f02_from_clause(clause, cfg)
            if not ctx.store.is_billable(ICD, target):
                continue
            how = "dementia documented" if said else "Index: the disease with [F02.80]"
            new = _companion(et, target, ctx, f"rule: dementia in {et.code} -> {target} ({how}, use additional code)")
            spans = [Span(lo + m.start(), lo + m.end(), m.group(0)) for m in said] if lo >= 0 else []
            out.append(_with_evidence(new, spans))
            return out
    return out


_SIDE_BEFORE = re.compile(r"\b(bilateral|both|right|rt|left|lt|r|l)\b\.?(?:[\s-]+[a-z0-9]+)?[\s-]*$", re.IGNORECASE)
_SIDE_AFTER = re.compile(r"^\s*(?:territory|distribution|branch)?\s*,?\s*\(?(bilateral|right|left)\b", re.IGNORECASE)


def _infarct_code(clause: str, cfg: dict[str, Any], ctx: GuidelineContext) -> tuple[str, str] | None:
    """The I63 code for the artery, cause and side a clause names, and a few words saying why; None without artery."""
    for artery in cfg["arteries"]:
        hits = _affirmed_matches(artery["pattern"], clause)
        if hits:
            break
    else:
        return None
    m = hits[0]
    group = artery["group"]
    cause = next(
        (c for c in cfg["causes"] if any(_settled(m, clause, ctx) for m in _affirmed_matches(c["pattern"], clause))),
        None,
    )
    fourth = cause[group] if cause else cfg["unspecified_cause"][group]
    code = f"I63.{fourth}{artery['char']}"
    side_word = ""
    if artery["sided"]:
        found = _SIDE_BEFORE.search(clause[max(0, m.start() - 25) : m.start()]) or _SIDE_AFTER.search(clause[m.end() :])
        side_word = found.group(1).lower() if found else ""
        code += cfg["sides"].get(side_word, cfg["unspecified_side"])
    why = " ".join(w for w in [side_word, m.group(0), cause["label"] if cause else ""] if w)
    return code, why


def cerebral_infarction(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """An infarct coded without its artery (I63.9) -> the code of the artery, cause and side its clause names.

    "Acute ischemic stroke, left MCA territory" -> I63.512; "embolic stroke, right PCA" -> I63.431; "basilar
    artery thrombosis with infarct" -> I63.02. One code per artery named across the evidence's clauses."""
    cfg = _config()["cerebral_infarction"]
    out = list(cands)
    for inf in _confirmed(out, specs(cfg["codes"])):
        found: list[tuple[str, str]] = []
        for _lo, clause in _clause_texts(inf, ctx):
            hit = _infarct_code(clause, cfg, ctx)
            if hit and hit[0] not in {f[0] for f in found} and ctx.store.is_billable(ICD, hit[0]):
                found.append(hit)
        if not found:
            continue
        out = [o for o in out if o is not inf]
        for target, words in found:
            why = f"rule: {inf.code} -> {target}, artery documented ({words})"
            existing = next((o for o in out if o.system == ICD and o.code == target), None)
            if existing is not None:
                add_rationale(existing, why)
            else:
                out.append(derive(inf, target, ctx, why))
    return out


def crohn(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """Crohn's disease (K50) with the site and complication its clauses name ("of ileum and colon" -> K50.80,
    "ileocolonic Crohn's with fistula" -> K50.813); a complication already coded is kept when none is named."""
    cfg = _config()["crohn"]
    out = list(cands)
    for c in _confirmed(out, specs(cfg["codes"])):
        joined = " \n ".join(t for _lo, t in _clause_texts(c, ctx))
        sites = {name for name, p in cfg["sites"].items() if _affirmed_matches(p, joined)}
        if "both" in sites or {"small", "large"} <= sites:
            site = "both"
        elif len(sites) == 1:
            site = next(iter(sites))
        else:
            site = ""
        b = bare(c.code)
        fourth = cfg["site_chars"][site] if site else b[3:4]
        denied = _DENIED_OR_PAST_BEFORE
        comp = next((r["char"] for r in cfg["complications"] if _affirmed_matches(r["pattern"], joined, denied)), None)
        tail = f"1{comp}" if comp else (b[4:] or "0")
        target = f"{category(c.code)}.{fourth}{tail}"
        if target == c.code or not fourth or not ctx.store.is_billable(ICD, target):
            continue
        words = ", ".join(filter(None, [site and f"site {site}", comp and "complication documented"]))
        why = f"rule: {c.code} -> {target} ({words or 'detail documented'})"
        existing = next((o for o in out if o.system == ICD and o.code == target), None)
        out = [o for o in out if o is not c]
        if existing is not None:
            add_rationale(existing, why)
        else:
            out.append(derive(c, target, ctx, why))
    return out


def _overlaps(cand: Candidate, spans: list[Span]) -> bool:
    """Some evidence span of ``cand`` overlaps one of ``spans``."""
    return any(s.start < t.end and t.start < s.end for s in cand.evidence for t in spans)


def obstetric_findings(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """Findings of a pregnancy coded in chapter 15 (Section I.C.15.a), read from the note's words when the note is
    about a pregnancy: group B streptococcus carrier -> O99.820 (O99.824 on delivery, by ``pregnancy``); perineal
    laceration in a delivery -> O70.x of the highest degree documented. The codes they replace are dropped."""
    cfg = _config()["obstetric_findings"]
    text = ctx.text or ""
    if not text or not _confirmed(cands, specs(cfg["context"])):
        return cands
    delivering = bool(_confirmed(cands, specs(_config()["pregnancy"]["delivery_codes"])))
    out = list(cands)
    done: set[str] = set()
    for row in cfg["rows"]:
        if (row.get("delivery") and not delivering) or row.get("group") in done:
            continue
        hits = _affirmed_matches(row["pattern"], text)
        if not hits:
            continue
        if row.get("group"):
            done.add(row["group"])
        spans = [Span(m.start(), m.end(), m.group(0)) for m in hits]
        drop = specs(row.get("drop", []))
        replaced = [o for o in out if o.system == ICD and covers_any(drop, o.code) and _overlaps(o, spans)]
        out = [o for o in out if all(o is not r for r in replaced)]
        why = f"rule: {row['label']} -> {row['code']} (chapter 15 first, Section I.C.15.a)"
        existing = next((o for o in out if o.system == ICD and o.code == row["code"]), None)
        if existing is not None:
            add_rationale(existing, why)
            continue
        out.append(
            Candidate(
                system=ICD,
                code=row["code"],
                title=ctx.store.title(ICD, row["code"]) or row["label"],
                score=max([float(cfg["score"]), *(r.score for r in replaced)]),
                evidence=spans,
                source="rule",
                rationale=why,
                mention_text=spans[0].text,
            )
        )
    return out


_PREGNANCY_WORDS = {"pregnancy", "trimester", "unspecified", "first", "second", "third", "complicating"}


def _childbirth_code(code: str, ctx: GuidelineContext) -> str | None:
    """The "in childbirth" counterpart of a pregnancy code (O24.414 -> O24.424, O99.210 -> O99.214), or None."""
    entry = ctx.entry(code)
    if entry is None or "pregnancy" not in entry.title.lower() or "childbirth" in entry.title.lower():
        return None
    need = {w for w in re.findall(r"[a-z]{4,}", entry.title.lower()) if w not in _PREGNANCY_WORDS}
    parent = entry.parent
    while parent and "-" not in parent and len(bare(parent)) >= 4:
        found = []
        for d in ctx.store.billable_descendants(ICD, parent):
            title = (ctx.store.title(ICD, d) or "").lower()
            plain = "childbirth" in title and "pregnancy" not in title and "puerperium" not in title
            if plain and need <= set(re.findall(r"[a-z]{4,}", title)):
                found.append((len(title), d))
        if found:
            return min(found)[1]
        up = ctx.entry(parent)
        parent = up.parent if up else None
    return None


def pregnancy(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """Delivery in this encounter: "in childbirth" codes (Section I.C.15), and O80 only without complications."""
    cfg = _config()["pregnancy"]
    if not _confirmed(cands, specs(cfg["delivery_codes"])):
        return cands
    out = list(cands)
    for c in _confirmed(out, specs(cfg["chapter"])):
        target = _childbirth_code(c.code, ctx)
        if target is None:
            continue
        why = f"rule: delivery in this encounter -> {target} (in childbirth, Section I.C.15)"
        if any(o.system == ICD and o.code == target for o in out):
            out = [o for o in out if o is not c]
        else:
            out = [o for o in out if o is not c] + [derive(c, target, ctx, why)]
    normal = cfg["uncomplicated_delivery"]
    others = [c for c in _confirmed(out, specs(cfg["chapter"])) if c.code != normal]
    if others and any(c.system == ICD and c.code == normal for c in out):
        add_rationale(others[0], f"rule: {normal} dropped (delivery with complications, Section I.C.15.b.4)")
        out = _without(out, {normal})
    return out


def stroke_scale(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """The initial NIHSS score the note writes -> R29.7xx beside an acute cerebral infarction (Section I.C.18.i)."""
    cfg = _config()["stroke_scale"]
    strokes = _confirmed(cands, specs(cfg["with"]))
    text = ctx.text or ""
    found = re.search(cfg["pattern"], text, re.IGNORECASE)
    if not strokes or found is None:
        return cands
    code = cfg["code_format"].format(score=int(found.group("score")))
    if not ctx.store.is_billable(ICD, code):
        return cands
    why = f"rule: NIHSS score {int(found.group('score'))} with {strokes[0].code} -> {code} (initial score, I.C.18.i)"
    scale = CodeSpec(cfg["codes"])
    out = [c for c in cands if not (c.system == ICD and scale.covers(c.code) and c.code != code)]
    existing = next((c for c in out if c.system == ICD and c.code == code), None)
    if existing is not None:
        add_rationale(existing, why)
        return out
    base = max(strokes, key=lambda c: c.score)
    new = _companion(base, code, ctx, why)
    same = [m for m in re.finditer(cfg["pattern"], text, re.IGNORECASE) if m.group("score") == found.group("score")]
    new.evidence = [Span(m.start(), m.end(), m.group(0)) for m in same]  # the score wherever the note repeats it
    new.assertion = "present"
    return [*out, new]


# Where a sentence ends, for the stroke and its deficit: a full stop before a space, or a line break.
_SENTENCE_END = re.compile(r"\.(?:\s|$)|\n")


def _sentence_end(text: str, start: int, end: int | None = None) -> re.Match[str] | None:
    """The first full stop or line break in text[start:end] that ends a sentence (a wrapped line goes on)."""
    for m in _SENTENCE_END.finditer(text, start, len(text) if end is None else end):
        if m.group() != "\n" or not line_wraps(text, m.start()):
            return m
    return None


_SEQUELA_LABELS = frozenset({"present", "historical"})


def stroke_sequelae(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """A deficit remaining from an old stroke -> I69.- (Section I.C.9.d): "old stroke with residual right
    hemiparesis" is I69.351, not Z86.73 + G81.91; the deficit's own code stays only where I69 says "use additional
    code" (I69.391 + R13.1-). Runs before the assertion rules, which would make the old stroke Z86.73."""
    cfg = _config()["stroke_sequelae"]
    text = ctx.text or ""
    strokes = [c for c in cands if c.system == ICD and c.assertion in _SEQUELA_LABELS and _stroke_kind(c.code, cfg)]
    if not text or not strokes:
        return cands
    rows = [(CodeSpec(str(r["code"])), r) for r in cfg["deficits"]]
    added: list[Candidate] = []
    drop: set[int] = set()
    for stroke in strokes:
        kind = _stroke_kind(stroke.code, cfg) or "3"
        found = 0
        # once one deficit shows the stroke old, a deficit tied to it elsewhere remains from it too ("dysphagia
        # following left MCA stroke" in the impression of a note whose history gives the stroke's date)
        tied = {id(d): _tied_spans(stroke, d, text, cfg, known_old=False) for d in cands if _deficit_row(d, rows)}
        known_old = any(tied.values())
        for deficit in cands:
            row = _deficit_row(deficit, rows)
            if row is None:
                continue
            spans = _tied_spans(stroke, deficit, text, cfg, known_old=True) if known_old else tied[id(deficit)]
            if not spans:
                continue
            new = _sequela_code(stroke, deficit, spans, kind, row, ctx)
            if new is None:
                continue
            found += 1
            added.append(new)
            if not row.get("keep") or not new.code.endswith(str(row["suffix"])):
                drop.add(id(deficit))
            else:
                deficit.assertion = "present"  # the remaining deficit is current, coded beside its I69 code
        if not found:
            found = _unspecified_sequela(stroke, kind, cfg, ctx, added)
        if found:
            drop.add(id(stroke))
    if not added:
        return cands
    return [c for c in cands if id(c) not in drop] + added


def _deficit_row(deficit: Candidate, rows: list[tuple[CodeSpec, dict[str, Any]]]) -> dict[str, Any] | None:
    """The ``deficits`` row of a current or historical deficit code, None for any other candidate."""
    if deficit.system != ICD or deficit.assertion not in _SEQUELA_LABELS:
        return None
    row: dict[str, Any] | None = lookup_spec(rows, deficit.code)
    return row


def _tied_spans(stroke: Candidate, deficit: Candidate, text: str, cfg: dict[str, Any], known_old: bool) -> list[Span]:
    """The deficit's evidence spans that remain from the stroke (``_sequela_of``)."""
    return [s for s in deficit.evidence if _sequela_of(stroke, s, text, cfg, known_old)]


def _stroke_kind(code: str, cfg: dict[str, Any]) -> str | None:
    """The 4th character of I69 for a stroke code (I63 -> "3"), None for any other code."""
    kind: str | None = lookup_spec([(CodeSpec(str(k)), str(v)) for k, v in cfg["strokes"].items()], code)
    return kind


def _old_stroke(stroke: Candidate, span: Span, text: str, cfg: dict[str, Any]) -> bool:
    """The stroke at ``span`` is an old one: labelled historical, a history code, or an old/prior word before it."""
    if stroke.assertion == "historical" or stroke.code.startswith("Z"):
        return True
    return past_word_at(text, span, {w.lower() for w in cfg["past_words"]}) is not None


def _sequela_of(stroke: Candidate, deficit: Span, text: str, cfg: dict[str, Any], known_old: bool = False) -> bool:
    """The deficit at ``deficit`` remains from the stroke: one sentence, tied by a link word between them, the
    stroke old or the deficit called residual (or ``known_old``: another deficit showed it), and nothing saying the
    deficit is new or that none remained."""
    for s in stroke.evidence:
        lo, hi = (s, deficit) if s.start <= deficit.start else (deficit, s)
        between = text[lo.end : hi.start]
        if hi.start - lo.end > cfg["reach"] or lo.end > hi.start or _sentence_end(text, lo.end, hi.start):
            continue
        if not re.search(cfg["link"], between, re.IGNORECASE) or re.search(cfg["new_deficit"], between, re.I):
            continue
        clause_end = _sentence_end(text, hi.end)
        after = text[hi.end : clause_end.start() if clause_end else len(text)]
        if re.search(cfg["no_residual"], f"{between} {after}", re.IGNORECASE):
            continue
        line_start = max(text.rfind("\n", 0, deficit.start), text.rfind(". ", 0, deficit.start)) + 1
        residual = re.search(cfg["residual"], text[max(line_start, deficit.start - 40) : deficit.start] + between, re.I)
        if known_old or residual or _old_stroke(stroke, s, text, cfg):
            return True
    return False


def _sequela_code(
    stroke: Candidate, deficit: Candidate, spans: list[Span], kind: str, row: dict[str, Any], ctx: GuidelineContext
) -> Candidate | None:
    """The I69 code of the deficit at ``spans`` remaining from the stroke, with the evidence of both."""
    text = ctx.text or ""
    sides = {adjacent_side(text, s) for s in spans} - {None}
    code: str | None = None
    if row.get("sided") and len(sides) == 1:
        clause = " ".join(clause_at(text, s.start, s.end) for s in spans)
        code = sided_child(f"I69.{kind}{row['sided']}", sides.pop(), clause, ctx)
    if code is None:
        code = f"I69.{kind}{row['suffix']}"
    if not ctx.store.is_billable(ICD, code):
        return None
    why = f"rule: {row['label']} ({deficit.code}) remaining from an old stroke ({stroke.code}) -> {code}"
    why += " (Section I.C.9.d)"
    new = _combined(deficit, [stroke], code, ctx, why)
    new.evidence = sorted({*spans, *stroke.evidence}, key=lambda s: s.start)
    new.assertion = "present"
    return new


def _unspecified_sequela(
    stroke: Candidate, kind: str, cfg: dict[str, Any], ctx: GuidelineContext, added: list[Candidate]
) -> int:
    """An old stroke "with residual deficits" that names no coded deficit -> I69.x0; how many codes were added."""
    text = ctx.text or ""
    for s in stroke.evidence:
        end = _sentence_end(text, s.end)
        after = text[s.end : min(end.start() if end else len(text), s.end + 60)]
        if not re.search(cfg["unspecified"], after, re.IGNORECASE) or re.search(cfg["no_residual"], after, re.I):
            continue
        if not _old_stroke(stroke, s, text, cfg):
            continue
        code = f"I69.{kind}{cfg['unspecified_suffix']}"
        if ctx.store.is_billable(ICD, code):
            new = derive(stroke, code, ctx, f"rule: residual deficits of an old stroke ({stroke.code}) -> {code}")
            new.assertion = "present"
            added.append(new)
            return 1
    return 0
