"""Detail spread over the clauses that name one condition (Section I.B.2, I.C.9.a, I.C.10, I.C.1).

A note often gives a condition's type in one place and its acuity in another ("HFpEF (EF 55%)" in the
history, "chronic diastolic heart failure" in the impression). Tables in ``resources/detail.yaml``:

- heart failure: the I50.2-I50.4/I50.9 codes of a note become the one code of the documented type and acuity;
  I11.0/I13.x without an I50 code get theirs ("use additional code to identify type of heart failure");
- respiratory failure: J96.x from the acuity and the gas (hypoxia, hypercapnia) its clauses state;
- pulmonary hypertension: I27.20 -> the group (or the cause) its clause names;
- CKD stage: E1x.22/I12/I13 without an N18 code get the N18 code of the stage their own clause states;
- sinusitis: a sinusitis whose clause names two or more sinuses -> J32.8 / J01.80 (all four: pansinusitis);
- influenza: identified influenza A/B -> J10, unidentified -> J11, J09 only for a novel virus; a mention
  that is a negative test or a vaccine is no influenza.
"""

from __future__ import annotations

import re
from typing import Any

from cac.coding.guidelines.common import (
    CONFIRMED,
    ICD,
    add_rationale,
    clause_at,
    clause_bounds,
    covers_any,
    derive,
    load_yaml,
    specs,
)
from cac.coding.guidelines.context import GuidelineContext
from cac.coding.guidelines.specificity import text_facets
from cac.coding.types import Candidate, Span

_CURRENT = frozenset({"present", "possible"})


def _config() -> dict[str, Any]:
    return load_yaml("detail.yaml")


def apply(candidates: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    cands = list(candidates)
    cands = heart_failure(cands, ctx)
    cands = respiratory_failure(cands, ctx)
    cands = pulmonary_hypertension(cands, ctx)
    cands = influenza(cands, ctx)
    cands = sinusitis(cands, ctx)
    cands = covid(cands, ctx)
    cands = ckd_stage(cands, ctx)
    return cands


def _of(cands: list[Candidate], cfg: dict[str, Any], assertions: frozenset[str]) -> list[Candidate]:
    """The candidates of the table's codes (a spec in ``codes``, or exactly a code in ``exact``)."""
    code_specs = specs(cfg["codes"])
    exact = set(cfg.get("exact", []))
    return [
        c
        for c in cands
        if c.system == ICD and c.assertion in assertions and (c.code in exact or covers_any(code_specs, c.code))
    ]


def span_clauses(cand: Candidate, ctx: GuidelineContext) -> list[tuple[Span, str]]:
    """Each evidence span with its clause (lower-case); the span's own text when the note is unknown."""
    text = ctx.text or ""
    out = []
    for s in cand.evidence:
        if text and 0 <= s.start <= s.end <= len(text):
            out.append((s, clause_at(text, s.start, s.end).lower()))
        else:
            out.append((s, (s.text or cand.mention_text).lower()))
    if not out and cand.mention_text:
        out.append((Span(0, 0, cand.mention_text), cand.mention_text.lower()))
    return out


def _merged(base: Candidate, others: list[Candidate], code: str, ctx: GuidelineContext, why: str) -> Candidate:
    """One candidate for ``code`` carrying the evidence, best score and sections of all ``others``."""
    new = derive(base, code, ctx, why)
    spans = list(base.evidence)
    for o in others:
        spans.extend(s for s in o.evidence if s not in spans)
        new.score = max(new.score, o.score)
        new.sections = sorted(set(new.sections) | set(o.sections))
    new.evidence = sorted(spans, key=lambda s: s.start)
    if any(c.assertion == "present" for c in [base, *others]):
        new.assertion = "present"
    return new


def _replace(cands: list[Candidate], old: list[Candidate], new: list[Candidate]) -> list[Candidate]:
    """``cands`` with ``old`` taken out and ``new`` put where the first of ``old`` stood."""
    ids = {id(c) for c in old}
    out: list[Candidate] = []
    placed = False
    for c in cands:
        if id(c) in ids:
            if not placed:
                out.extend(new)
                placed = True
            continue
        out.append(c)
    return out if placed else out + new


_TOKEN = re.compile(r"[a-z0-9%]+(?:[-/][a-z0-9%]+)*")
_ACUTE_ON_CHRONIC = re.compile(r"\bacute(?:\s+on\s+|\s*-\s*on\s*-\s*|\s+and\s+|\s*/\s*)chronic\b")
_NUMBER = re.compile(r"^[<>]?\d+(?:\.\d+)?%?$")


def _tokens(clause: str) -> list[tuple[int, int, str]]:
    """The clause's words (lower case) with their offsets; "acute on chronic" is one word."""
    low = clause.lower()
    joined = [(m.start(), m.end()) for m in _ACUTE_ON_CHRONIC.finditer(low)]
    out = [(a, b, "acute on chronic") for a, b in joined]
    out += [
        (m.start(), m.end(), m.group()) for m in _TOKEN.finditer(low) if not any(a <= m.start() < b for a, b in joined)
    ]
    return sorted(out)


def phrase_of(clause: str, start: int, end: int) -> str:
    """The condition's words ``clause[start:end]`` with the acuity words attached to its phrase (detail.yaml
    ``phrase_words``): before it over type, gas and joining words only, after it when no other noun follows
    ("chronic systolic HF" of "AKI in the setting of chronic systolic HF"; "HFpEF, chronic"; "CHF exacerbation")."""
    cfg = _config()["phrase_words"]
    acuity_words, nouns, bridge = set(cfg["acuity"]), set(cfg["nouns"]), set(cfg["bridge"])
    tokens = _tokens(clause)
    inside = [i for i, (a, b, _w) in enumerate(tokens) if a < end and start < b]
    if not inside:
        return clause[start:end].lower()
    first, last = inside[0], inside[-1]
    attached = [w for _a, _b, w in tokens[first : last + 1]]

    def joins(word: str) -> bool:
        return word in bridge or bool(_NUMBER.match(word))

    for i in range(first - 1, -1, -1):  # before: "acute on chronic hypoxic and hypercapnic | respiratory failure"
        word = tokens[i][2]
        if word in nouns and not (i + 1 < len(tokens) and tokens[i + 1][2] == "of"):
            break  # "COPD exacerbation and | chronic HFrEF": the exacerbation is the COPD's
        if word in acuity_words:
            attached.insert(0, word)
        elif not joins(word):
            break
    for i in range(last + 1, len(tokens)):  # after: "HFpEF | , chronic", "heart failure | with acute exacerbation"
        word = tokens[i][2]
        following = tokens[i + 1][2] if i + 1 < len(tokens) else ""
        if word in acuity_words:
            if word in nouns or not following or following in acuity_words or joins(following):
                attached.append(word)
            else:
                break  # "CHF, chronic kidney disease": the chronic is the kidney disease's
        elif not joins(word):
            break
    return " ".join(attached)


def acuity_phrases(cand: Candidate, ctx: GuidelineContext) -> list[str]:
    """The candidate's own words with the acuity words attached to them, one string per evidence span."""
    text = ctx.text or ""
    out = []
    for s in cand.evidence:
        if text and 0 <= s.start <= s.end <= len(text):
            lo, hi = clause_bounds(text, s.start, s.end)
            out.append(phrase_of(text[lo:hi], s.start - lo, s.end - lo))
        else:
            out.append((s.text or cand.mention_text).lower())
    if not out and cand.mention_text:
        out.append(cand.mention_text.lower())
    return out


def acuity(clauses: list[str], acute_words: tuple[str, ...] = ()) -> str:
    """The acuity the clauses document together: acute and chronic in any of them read as acute on chronic."""
    found: set[str] = set()
    for clause in clauses:
        facets = text_facets(clause).get("acuity", set())
        found |= facets
        if any(re.search(p, clause) for p in acute_words):
            found.add("acute")
    if "acute on chronic" in found or {"acute", "chronic"} <= found:
        return "acute on chronic"
    return "acute" if "acute" in found else "chronic" if "chronic" in found else "none"


def heart_failure_type(clauses: list[str], cfg: dict[str, Any]) -> str | None:
    """systolic, diastolic or combined from the clauses' words (HFrEF, preserved EF); never from an EF number alone."""
    found: set[str] = set()
    for clause in clauses:
        found |= text_facets(clause).get("hf_type", set())
    if "combined" in found or {"systolic", "diastolic"} <= found:
        return "combined"
    return next(iter(found), None)


def heart_failure(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """One I50 code of the type and acuity documented across every heart-failure clause of the note."""
    cfg = _config()["heart_failure"]
    hf = _of(cands, cfg, CONFIRMED)
    mention = re.compile(cfg["mention"], re.IGNORECASE)
    hosts = [
        c for c in cands if c.system == ICD and c.assertion in CONFIRMED and covers_any(specs(cfg["hosts"]), c.code)
    ]
    host_spans = [(s, cl) for h in hosts for s, cl in span_clauses(h, ctx) if mention.search(cl)]
    host_clauses = [cl for _s, cl in host_spans]
    if not hf and not host_clauses:
        return cands
    # the codes' own titles count too: the walk may have read detail beyond the clause (I50.33 stays I50.33)
    titles = [c.title.lower() for c in hf]
    clauses = [cl for c in hf for _s, cl in span_clauses(c, ctx)] + host_clauses + titles
    kind = heart_failure_type(clauses, cfg)
    # the acuity only from the words of the heart-failure phrase itself: "AKI in the setting of chronic HFrEF"
    phrases = [p for c in hf for p in acuity_phrases(c, ctx)] + titles
    phrases += [phrase_of(cl, m.start(), m.end()) for cl in host_clauses for m in mention.finditer(cl)]
    when = acuity(phrases, tuple(cfg["acute_words"]))
    if kind is None and hf:
        return cands  # no type documented: the codes stay as found
    target = f"I50.{cfg['type_digit'][kind]}{cfg['acuity_digit'][when]}" if kind else cfg["unspecified"]
    if not ctx.store.is_billable(ICD, target):
        return cands
    if not hf:
        host = max(hosts, key=lambda c: c.score)
        new = derive(host, target, ctx, f"rule: {host.code} -> use additional code {target} for the heart failure")
        new.evidence = [s for s, _cl in host_spans]
        return cands + [new]
    if any(c.code == target for c in hf):
        return cands  # the code the walk found says it all: the specificity rules drop the less specific ones
    found = ", ".join(sorted({c.code for c in hf}))
    base = max(hf, key=lambda c: c.score)
    why = f"rule: heart failure {kind}, {when} documented across its mentions ({found}) -> {target}"
    new = _merged(base, [c for c in hf if c is not base], target, ctx, why)
    _add_spans(new, [s for s, _cl in host_spans], hosts)
    return _replace(cands, hf, [new])


def _add_spans(cand: Candidate, spans: list[Span], sources: list[Candidate]) -> None:
    """Add the heart-failure words of the combination codes to the I50 code's evidence (and their sections)."""
    if not spans:
        return
    cand.evidence = sorted([*cand.evidence, *(s for s in spans if s not in cand.evidence)], key=lambda s: s.start)
    cand.sections = sorted(set(cand.sections).union(*(set(h.sections) for h in sources)))


def respiratory_failure(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """J96 from the acuity and the gases (hypoxia, hypercapnia) the respiratory failure's clauses state."""
    cfg = _config()["respiratory_failure"]
    rf = _of(cands, cfg, _CURRENT)
    if not rf:
        return cands
    clauses = [cl for c in rf for _s, cl in span_clauses(c, ctx)]
    by_code = {v: k for k, v in cfg["acuity_code"].items()}
    phrases = [p for c in rf for p in acuity_phrases(c, ctx)]  # "AKI and hypoxic respiratory failure": no acute
    when = acuity(phrases + [by_code.get(c.code[:5], "none").replace("none", "") for c in rf])
    digits = {g["digit"] for g in cfg["gases"] if any(re.search(g["pattern"], cl, re.IGNORECASE) for cl in clauses)}
    digits |= {c.code[5] for c in rf if len(c.code) > 5 and c.code[5] != "0"}
    head = cfg["acuity_code"][when]
    targets = [f"{head}{d}" for d in sorted(digits)] or [f"{head}0"]
    if sorted(c.code for c in rf) == targets:
        return cands
    if all(any(c.code == t for c in rf) for t in targets):  # the walk's codes already say it all
        keep = [c for c in rf if c.code in targets]
        add_rationale(keep[0], f"rule: {', '.join(sorted({c.code for c in rf}))} read together as {', '.join(targets)}")
        return [c for c in cands if not any(c is r for r in rf) or any(c is k for k in keep)]
    base = max(rf, key=lambda c: c.score)
    found = ", ".join(sorted({c.code for c in rf}))
    new = []
    for t in targets:
        why = f"rule: respiratory failure {when}, gas documented in its clauses ({found}) -> {', '.join(targets)}"
        new.append(_merged(base, [c for c in rf if c is not base], t, ctx, why))
    return _replace(cands, rf, new)


def pulmonary_hypertension(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """I27.20 -> the pulmonary hypertension group its clause names ("group 3", "due to COPD")."""
    cfg = _config()["pulmonary_hypertension"]
    out = list(cands)
    for c in _of(out, cfg, CONFIRMED):
        clauses = " \n ".join(cl for _s, cl in span_clauses(c, ctx))
        target = next((r["code"] for r in cfg["groups"] if re.search(r["group"], clauses, re.IGNORECASE)), None)
        how = "group named"
        if target is None:
            lead = cfg["cause_lead"]
            target = next(
                (r["code"] for r in cfg["causes"] if re.search(lead + f"(?:{r['pattern']})", clauses, re.IGNORECASE)),
                None,
            )
            how = "cause named"
        if target is None or not ctx.store.is_billable(ICD, target):
            continue
        if any(o.system == ICD and o.code == target for o in out):
            out = [o for o in out if o is not c]
            continue
        out = _replace(out, [c], [derive(c, target, ctx, f"rule: pulmonary hypertension, {how} -> {target}")])
    return out


def _not_influenza(span: Span, clause: str, ctx: GuidelineContext, cfg: dict[str, Any]) -> bool:
    """The mention is a negative test result ("Flu A/B PCR: negative") or a vaccine ("flu shot")."""
    after = (ctx.text or "")[span.end : span.end + 20] if ctx.text else ""
    if re.search(cfg["vaccine_after"], after, re.IGNORECASE):
        return True
    return bool(re.search(cfg["negative_clause"], clause) and not re.search(cfg["positive_word"], clause))


def _bacterium_only(
    out: list[Candidate], cand: Candidate, ctx: GuidelineContext, cfg: dict[str, Any]
) -> list[Candidate]:
    """An influenza code read from "Haemophilus influenzae": the pneumonia alone (J11.00 -> J18.9), else nothing."""
    target = next((str(t) for k, t in cfg["pneumonia_alone"].items() if cand.code.startswith(str(k))), None)
    if target is None:
        return [o for o in out if o is not cand]
    why = f"rule: Haemophilus influenzae is no influenza -> {target}"
    return _replace(out, [cand], [derive(cand, target, ctx, why)])


def influenza(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """J10 for influenza A/B identified, J11 when not identified, J09 only for a novel influenza A virus."""
    cfg = _config()["influenza"]
    positive = any(re.search(p, ctx.text or "", re.IGNORECASE) for p in cfg["positive_test"])
    out = list(cands)
    for c in _of(out, cfg, CONFIRMED):
        pairs = span_clauses(c, ctx)
        kept = [(s, cl) for s, cl in pairs if not _not_influenza(s, cl, ctx, cfg)]
        if pairs and not kept:
            out = [o for o in out if o is not c]
            continue
        clauses = " \n ".join(cl for _s, cl in kept)
        if re.search(cfg["bacterium"], clauses, re.I) and not re.search(
            cfg["word"], re.sub(cfg["bacterium"], " ", clauses, flags=re.I), re.I
        ):
            out = _bacterium_only(out, c, ctx, cfg)
            continue
        identified = positive or bool(re.search(cfg["identified"], clauses, re.IGNORECASE))
        novel = bool(re.search(cfg["novel"], clauses, re.IGNORECASE))
        target = None
        if identified and (c.code.startswith("J11") or (c.code.startswith("J09") and not novel)):
            target = cfg["to_identified"].get(c.code)
        elif c.code.startswith("J10") and not identified:
            target = cfg["to_unidentified"].get(c.code)
        if target is None:
            continue
        why = f"rule: influenza virus {'identified' if identified else 'not identified'} -> {target}"
        same = next((o for o in out if o.system == ICD and o.code == target), None)
        if same is not None:
            add_rationale(same, why)
            out = [o for o in out if o is not c]
        else:
            out = _replace(out, [c], [derive(c, target, ctx, why)])
    return out


def sinuses_named(clause: str, cfg: dict[str, Any]) -> set[str]:
    """The sinuses a clause names as involved (not those it says are clear or spared)."""
    found: set[str] = set()
    for name, pattern in cfg["sinuses"].items():
        for m in re.finditer(pattern, clause, re.IGNORECASE):
            before, after = clause[max(0, m.start() - 40) : m.start()], clause[m.end() : m.end() + 40]
            if re.search(cfg["spared"], before, re.IGNORECASE) or re.search(cfg["spared_after"], after, re.IGNORECASE):
                continue
            found.add(name)
    return found


def sinusitis(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """A one-sinus or unspecified sinusitis whose clause names several sinuses -> J32.8 / J01.80 (four: J32.4)."""
    cfg = _config()["sinusitis"]
    out = list(cands)
    for group in cfg["groups"]:
        for c in [c for c in out if c.system == ICD and c.assertion in CONFIRMED and c.code in group["codes"]]:
            named: set[str] = set()
            for _span, clause in span_clauses(c, ctx):
                named |= sinuses_named(clause, cfg)
            if len(named) < 2:
                continue
            target = group["all"] if len(named) == len(cfg["sinuses"]) else group["several"]
            if not ctx.store.is_billable(ICD, target):
                continue
            if any(o.system == ICD and o.code == target for o in out):
                out = [o for o in out if o is not c]
                continue
            why = f"rule: sinusitis of {len(named)} sinuses ({', '.join(sorted(named))}) -> {target}"
            out = _replace(out, [c], [derive(c, target, ctx, why)])
    return out


def covid(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """U07.1 dropped when every mention is a negative test ("SARS-CoV-2 neg") or a vaccine ("COVID booster")."""
    words = _config()["influenza"]
    out = list(cands)
    for c in _of(out, _config()["covid"], CONFIRMED):
        pairs = span_clauses(c, ctx)
        if pairs and all(_not_influenza(s, cl, ctx, words) for s, cl in pairs):
            out = [o for o in out if o is not c]
    return out


def ckd_stage(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """Diabetic or hypertensive CKD (E1x.22, I12, I13) without an N18 code: the N18 code of the stage its own clause
    documents ("use additional code to identify stage of chronic kidney disease")."""
    cfg = _config()["ckd_stage"]
    if any(c.system == ICD and c.code.startswith("N18") for c in cands):
        return cands
    hosts = [
        c for c in cands if c.system == ICD and c.assertion in CONFIRMED and covers_any(specs(cfg["hosts"]), c.code)
    ]
    if not hosts:
        return cands
    mention = re.compile(cfg["mention"], re.IGNORECASE)
    host_spans = [(s, cl) for h in hosts for s, cl in span_clauses(h, ctx) if mention.search(cl)]
    stages = {v for _s, cl in host_spans for v in text_facets(cl).get("ckd_stage", set())}
    if len(stages) != 1:
        return cands  # no stage, or stages that disagree: left to the coder
    target = cfg["stage_code"].get(stages.pop())
    if target is None or not ctx.store.is_billable(ICD, target):
        return cands
    host = max(hosts, key=lambda c: c.score)
    new = derive(host, target, ctx, f"rule: {host.code} -> use additional code {target} for the CKD stage")
    new.evidence = [s for s, _cl in host_spans]
    return cands + [new]
