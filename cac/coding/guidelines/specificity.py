"""Specificity (Section I.B.2, I.A.4-5): only billable codes, extended to the documented detail.

A non-billable category or subcategory is extended to the billable descendant whose title agrees with the
detail documented around the evidence (laterality, acuity, CKD stage, heart-failure type, diabetes type, 7th
character); when a descendant of it is already proposed, the parent is dropped for it. A code whose title says
"unspecified" is dropped when a more specific code under the same parent is proposed, and otherwise flagged
``unspecified`` when its category has other billable codes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from cac.codesets import CodeEntry
from cac.coding.guidelines.common import (
    ICD,
    CodeSpec,
    add_flag,
    add_rationale,
    bare,
    clause_at,
    context_text,
    covers_any,
    derive,
    load_tsv,
    specs,
)
from cac.coding.guidelines.context import GuidelineContext
from cac.coding.types import Candidate, Span

# Body parts a lone R or L may stand before as the side ("R knee", "L 1st MTP").
_SIDED_PARTS = (
    r"(?:knee|hip|shoulder|elbow|wrist|hand|ankle|foot|leg|arm|thigh|forearm|finger|thumb|toe|heel|great toe|"
    r"1st MTP|eye|ear|breast|lung|kidney|axilla|groin|buttock|upper (?:extremity|limb)|lower (?:extremity|limb)|"
    r"[UL]E|hemipar\w*|hemipleg\w*|monopar\w*|monopleg\w*|face|facial|side|sided)\b"
)
# Ophthalmic sides, read only in the note's own capitals ("lens 2+ NS OU"; "os" is also the cervical os).
# "OD" is also an overdose ("after OD", "intentional OD on heroin"): not after an article or overdose word.
_NOT_OVERDOSE = r"(?<!an )(?<!after )(?<!intentional )(?<!accidental )(?<!the )(?<!s/p )(?<!drug )(?<!opioid )"
_EYE_SIDES = {
    "bilateral": r"(?-i:\bOU\b)",
    "right": _NOT_OVERDOSE + r"(?-i:\bOD\b)(?!\s+(?:on|of)\b)",
    "left": r"(?-i:\bOS\b)",
}
# "right-handed" says which hand is dominant, not a side affected.
_NOT_HANDED = r"(?![- ]hand(?:ed|[- ]dominant))"
# facet -> [(value, pattern)], most specific value first; the same patterns read the note and the code titles.
FACETS: dict[str, list[tuple[str, str]]] = {
    "laterality": [
        (
            "bilateral",
            r"\bbilateral\b|\bboth\s+(?:sides|knees|hips|eyes|ears|feet|legs|arms)\b|\bb/l\b|"
            + _EYE_SIDES["bilateral"],
        ),
        (
            "right",
            rf"\bright\b{_NOT_HANDED}|\brt\b|\bR\.?\s+(?={_SIDED_PARTS})|(?<=,\s)R(?=,\s)|\bR-(?=sided\b)|\bR[LU]E\b|"
            + _EYE_SIDES["right"],
        ),
        (
            "left",
            rf"\bleft\b{_NOT_HANDED}|\blt\b|\bL\.?\s+(?={_SIDED_PARTS})|(?<=,\s)L(?=,\s)|\bL-(?=sided\b)|\bL[LU]E\b|"
            + _EYE_SIDES["left"],
        ),
    ],
    "acuity": [
        ("acute on chronic", r"\bacute on chronic\b|\bacute-on-chronic\b"),
        ("acute", r"\bacute\b|\bacutely\b"),
        ("chronic", r"\bchronic\b"),
    ],
    "ckd_stage": [
        ("esrd", r"\bend[- ]stage renal\b|\besrd\b|\bend stage kidney\b"),
        ("3a", r"\b(?:stage|ckd),?\s*(?:stage\s*)?(?:3|iii)\s?a\b"),
        ("3b", r"\b(?:stage|ckd),?\s*(?:stage\s*)?(?:3|iii)\s?b\b"),
        ("5", r"\b(?:stage|ckd),?\s*(?:stage\s*)?(?:5|v)\b"),
        ("4", r"\b(?:stage|ckd),?\s*(?:stage\s*)?(?:4|iv)\b"),
        ("3", r"\b(?:stage|ckd),?\s*(?:stage\s*)?(?:3|iii)\b"),
        ("2", r"\b(?:stage|ckd),?\s*(?:stage\s*)?(?:2|ii)\b"),
        ("1", r"\b(?:stage|ckd),?\s*(?:stage\s*)?(?:1|i)\b"),
    ],
    "hf_type": [
        ("combined", r"\bcombined\b|\bsystolic and diastolic\b|\bhfmref\b|\bmid-range ejection\b"),
        ("systolic", r"\bsystolic\b|\bhfref\b|\breduced ejection fraction\b"),
        ("diastolic", r"\bdiastolic\b|\bhfpef\b|\bpreserved ejection fraction\b"),
    ],
    "diabetes_type": [
        ("type 1", r"\btype\s*(?:1|i)\b|\bt1dm\b|\bdm\s*(?:1|i)\b|\biddm\b"),
        ("type 2", r"\btype\s*(?:2|ii)\b|\bt2dm\b|\bdm\s*(?:2|ii)\b|\bniddm\b"),
    ],
    "sex": [("female", r"\bfemale\b|\bwom[ae]n\b"), ("male", r"\bmale\b|\bm[ae]n\b")],
    # leukemia, myeloma, lymphoma (C81-C96): remission status
    "remission": [
        (
            "not in remission",
            r"\bnot (?:yet )?(?:in|having achieved|achieved|attained) (?:a )?(?:complete |partial |full )?remission\b"
            r"|\bfailed to (?:achieve|attain) remission\b|\brefractory\b",
        ),
        ("in relapse", r"\bin relapse\b|\brelapsed\b"),
        ("in remission", r"\bin (?:early |sustained |complete |partial |full )?remission\b"),
    ],
}
# A more specific value documented hides the general ones it contains.
_HIDES = {
    "acute on chronic": ("acute", "chronic"),
    "combined": ("systolic", "diastolic"),
    "3a": ("3",),
    "3b": ("3",),
    "not in remission": ("in remission",),
}
_COMPILED = {f: [(v, re.compile(p, re.IGNORECASE)) for v, p in vals] for f, vals in FACETS.items()}
_UNSPECIFIED = re.compile(r"\bunspecified\b|\bNOS\b", re.IGNORECASE)
# "Neoplasm of unspecified behavior of bladder" (D49.4) states its site: "unspecified" is its behaviour, no
# detail a sibling could add
_UNSPECIFIED_DETAIL = re.compile(r"\bunspecified\b(?! behavior)|\bNOS\b", re.IGNORECASE)
_WITHOUT_MENTION = re.compile(r"\bwithout mention of\b", re.IGNORECASE)

_SEQUELA = re.compile(r"\bsequela|\blate effect", re.IGNORECASE)
_SUBSEQUENT = re.compile(
    r"\bsubsequent\b|\bfollow[- ]?up\b|\broutine healing\b|\bhealing\b|\baftercare\b|\brecheck\b", re.IGNORECASE
)
_OPEN = re.compile(r"\bopen fracture\b|\bcompound fracture\b", re.IGNORECASE)
_HEALING_PROBLEMS = ("nonunion", "malunion", "delayed healing")


_ENCOUNTER_SUFFIX = re.compile(r",\s*(?:initial|subsequent) encounter|,\s*sequela", re.IGNORECASE)
_WORD_STOP = frozenset({"with", "without", "other", "unspecified", "specified", "part", "site", "type", "disease"})


# A title's limb as notes name it: "cellulitis of left leg" is of the left lower limb (L03.116), not the shortest
# left-sided title (L03.112, axilla).
_SITE_ALIASES = {
    "lower limb": re.compile(
        r"\b(?:legs?|thighs?|calf|calves|shins?|knees?|ankles?|foot|feet|lower extremit(?:y|ies)|[RL]LE)\b", re.I
    ),
    "upper limb": re.compile(r"\b(?:arms?|forearms?|elbows?|wrists?|hands?|upper extremit(?:y|ies)|[RL]UE)\b", re.I),
    # a title's "leg" or "arm" ("Pain in right leg"): "right calf pain" is not the shortest right-sided title's arm
    "leg": re.compile(r"\b(?:thighs?|calf|calves|shins?|lower extremit(?:y|ies)|lower limbs?|[RL]LE)\b", re.I),
    "arm": re.compile(r"\b(?:forearms?|elbows?|upper extremit(?:y|ies)|upper limbs?|[RL]UE)\b", re.I),
}


def _aliased_site_words(title: str, text: str) -> set[str]:
    """The words of a limb the title names ("lower limb") that the note names in its own words ("leg")."""
    lowered = title.lower()
    return {
        w
        for site, rx in _SITE_ALIASES.items()
        if re.search(rf"\b{site}\b", lowered) and rx.search(text)
        for w in site.split()
    }


def _words(title: str) -> set[str]:
    """The content words of a title, lower-case, possessives and punctuation stripped."""
    words = {w.strip("'").removesuffix("'s") for w in re.findall(r"[a-z][a-z']+", title.lower())}
    return {w for w in words if len(w) > 3 and w not in _WORD_STOP}


def _singulars(words: set[str]) -> set[str]:
    """Title words in "-ies" in the singular: "bilateral carotid arteries" names the "carotid artery" of its
    unspecified sibling (a plain "-s" stays: "Other specified disorders of cornea" is no side of H18.9)."""
    return {w[:-3] + "y" if w.endswith("ies") else w for w in words}


def text_facets(text: str) -> dict[str, set[str]]:
    """Every facet value documented in ``text`` (more specific values hide the general ones they contain)."""
    found: dict[str, set[str]] = {}
    for facet, vals in _COMPILED.items():
        hits = {v for v, rx in vals if rx.search(text)}
        for v in list(hits):
            hits -= set(_HIDES.get(v, ()))
        if hits:
            found[facet] = hits
    return found


# The patient's sex as a note introduces the patient ("47 y/o F", "68M", "a 70-year-old woman", "Sex: F").
_SEX_STATED = re.compile(
    r"\b\d{1,3}[- ]?(?:y/?o|yo|y\.o\.|years?[- ]old|yr[- ]old)\s*,?\s*(?:(?:white|black|african[- ]american|"
    r"hispanic|caucasian|asian)\s+)?(female|male|woman|man|lady|gentleman|girl|boy|F|M)\b"
    r"|(?<![\w.])(?<!temp )(?<!temp: )(?<!tmax )(?<!t )(?<!t: )\d{1,3}(?-i:(F|M))\b"
    r"|\b(?:sex|gender)\s*:\s*(female|male|F|M)\b",
    re.IGNORECASE,
)
_FEMALE_WORDS = frozenset({"female", "woman", "lady", "girl", "f"})
_SHE = re.compile(r"\b(?:she|her|hers|herself)\b", re.IGNORECASE)
_HE = re.compile(r"\b(?:he|him|his|himself)\b", re.IGNORECASE)


def note_sex(text: str) -> str | None:
    """The patient's sex ("female", "male") as the note states it, else as its pronouns all say; None if unsure."""
    m = _SEX_STATED.search(text)
    if m:
        word = next(g for g in m.groups() if g)
        return "female" if word.lower() in _FEMALE_WORDS else "male"
    she, he = len(_SHE.findall(text)), len(_HE.findall(text))
    if she >= 2 and not he:
        return "female"
    if he >= 2 and not she:
        return "male"
    return None


_SEX_IN_TITLE = re.compile(r"\b(female|male)\b", re.IGNORECASE)


def patient_sex(ctx: GuidelineContext) -> str | None:
    """``note_sex`` of the context's note, read once per note."""
    if "sex" not in ctx.memo:
        ctx.memo["sex"] = note_sex(ctx.text or "")
    sex: str | None = ctx.memo["sex"]
    return sex


def _category_codes(ctx: GuidelineContext, category: str) -> list[str]:
    """Every code (billable or not) below a three-character category, read once per note."""
    key = f"category codes {category}"
    if key not in ctx.memo:
        found, todo = [], [category]
        while todo:
            code = todo.pop()
            kids = ctx.store.children(ICD, code)
            found.extend(kids)
            todo.extend(kids)
        ctx.memo[key] = found
    codes: list[str] = ctx.memo[key]
    return codes


def sex_sibling(cand: Candidate, ctx: GuidelineContext) -> Candidate:
    """A code whose title names the sex the patient is not ("right female breast" in a man: C50.911) moved to
    the code of its category whose title differs only by that word (C50.921); the candidate itself otherwise."""
    if cand.system != ICD:
        return cand
    title = ctx.store.title(ICD, cand.code) or ""
    named = {m.lower() for m in _SEX_IN_TITLE.findall(title)}
    sex = patient_sex(ctx) if len(named) == 1 else None
    if sex is None or sex in named:
        return cand
    wanted = _SEX_IN_TITLE.sub(sex, title).lower()
    for code in _category_codes(ctx, bare(cand.code)[:3]):
        if len(bare(code)) == len(bare(cand.code)) and (ctx.store.title(ICD, code) or "").lower() == wanted:
            return derive(cand, code, ctx, f"rule: {cand.code} -> {code} (the patient is {sex})")
    return cand


def title_facets(title: str) -> dict[str, str]:
    """The facet values a code title states (first, most specific value per facet)."""
    found: dict[str, str] = {}
    for facet, vals in _COMPILED.items():
        for v, rx in vals:
            if rx.search(title):
                found[facet] = v
                break
    return found


def seventh_character(entry: CodeEntry, text: str) -> str | None:
    """The 7th character the documentation supports, from the code's 7th-character definitions; None if none."""
    defs = entry.notes.get("seven_chr_def", []) + [n["text"] for n in entry.inherited_notes.get("seven_chr_def", [])]
    table = {d[0]: d[2:].strip().lower() for d in defs if len(d) > 2 and d[1] == ":"}
    if not table:
        return None
    if _SEQUELA.search(text) and "S" in table:
        return "S"
    is_open = bool(_OPEN.search(text))
    if _SUBSEQUENT.search(text) or any(w in text for w in _HEALING_PROBLEMS):
        stage = "subsequent"
        problem = next((w for w in _HEALING_PROBLEMS if w in text), "routine healing")
    else:
        stage, problem = "initial", ""
    options = [k for k, d in table.items() if stage in d]
    if not options:
        return None
    if any("open" in table[k] for k in options):
        options = [k for k, d in ((k, table[k]) for k in options) if ("open" in d) == is_open] or options
    if problem and any(problem in table[k] for k in options):
        options = [k for k in options if problem in table[k]]
    return sorted(options)[0]


def _placeholder_code(code: str, letter: str) -> str:
    """``code`` padded with the placeholder X to six characters, plus the 7th character (T14.90 -> T14.90XA)."""
    b = bare(code).ljust(6, "X") + letter
    return f"{b[:3]}.{b[3:]}"


@dataclass(frozen=True)
class Fit:
    """How well one billable descendant's title fits the documented detail."""

    code: str
    matches: int  # documented facets and words the title states
    extras: int  # facets the title states that the note does not document
    unspecified: bool
    key: tuple[int, int, int, int, int, str]


def rank_descendants(entry: CodeEntry, text: str, ctx: GuidelineContext, letter: str | None) -> list[Fit]:
    """The billable descendants of ``entry`` that contradict nothing documented, best fit first."""
    descendants = ctx.store.billable_descendants(ICD, entry.code)
    if letter is not None:
        descendants = [d for d in descendants if len(bare(d)) == 7 and d.endswith(letter)]
    documented = text_facets(text)
    if "sex" not in documented:
        sex = patient_sex(ctx)
        if sex is not None:
            documented["sex"] = {sex}  # "47 y/o F": the patient's sex decides a female or male breast code
    parent_words = _words(entry.title)
    parent_facets = title_facets(entry.title)
    fits = []
    for code in descendants:
        title = ctx.store.title(ICD, code) or ""
        tf = {f: v for f, v in title_facets(title).items() if parent_facets.get(f) != v}  # what the code adds
        if any(f in documented and v not in documented[f] for f, v in tf.items()):
            continue
        matches = sum(1 for f, v in tf.items() if f in documented and v in documented[f])
        # every word the descendant adds to its parent's title is in the note ("Colles", "resistant")
        own = _words(_ENCOUNTER_SUFFIX.split(title)[0]) - parent_words
        # a side the facets read already counts ("both eyes" says "bilateral"): its word need not be written
        own -= {w for f, v in tf.items() if f in documented and v in documented[f] for w in v.split()}
        aliased = _aliased_site_words(title, text) - parent_words  # "leg", "arm": too short for ``_words``
        own -= aliased
        if own and all(re.search(rf"\b{re.escape(w)}", text) for w in own):
            matches += len(own)
        if aliased and not own:
            matches += len(aliased)
        # a leukemia "not having achieved remission" is the code when the note says nothing of remission
        default = tf.get("remission") == "not in remission" and "remission" not in documented
        extras = sum(1 for f in tf if f not in documented) - default
        n_unspecified = len(_UNSPECIFIED.findall(title))
        without = len(re.findall(r"\bwithout\b", title, re.IGNORECASE))  # the default when nothing is said
        key = (-matches, extras, -n_unspecified, -without, len(title), code)
        # "without mention of ..." is the code for a note that mentions none of it (M51.369), as "unspecified" is
        stated_default = bool(_WITHOUT_MENTION.search(title))
        fits.append(Fit(code, matches, extras, n_unspecified > 0 or default or stated_default, key))
    return sorted(fits, key=lambda f: f.key)


def _why(code: str, text: str, ctx: GuidelineContext, letter: str | None) -> str:
    documented = text_facets(text)
    detail = [f for f in title_facets(ctx.store.title(ICD, code) or "") if f in documented]
    why = ", ".join(detail) if detail else "no further detail documented"
    return why + (f", 7th character {letter}" if letter is not None else "")


def choose_descendant(entry: CodeEntry, text: str, ctx: GuidelineContext) -> tuple[str, str] | None:
    """The billable descendant of a non-billable code best fitting the documented detail, and why; None if unsure."""
    letter = seventh_character(entry, text)
    if letter is not None:
        padded = _placeholder_code(entry.code, letter)
        if len(bare(entry.code)) <= 6 and ctx.store.is_billable(ICD, padded):
            return padded, f"7th character {letter}"
    fits = rank_descendants(entry, text, ctx, letter)
    if not fits:
        return None
    best = fits[0]
    if best.matches == 0 and not best.unspecified:
        return None  # the descendant says more than the note documents (I1A "other" -> I1A.0 "resistant")
    return best.code, _why(best.code, text, ctx, letter)


def respecify(cand: Candidate, entry: CodeEntry, ctx: GuidelineContext) -> tuple[str, str] | None:
    """For a billable "unspecified" code: the sibling the evidence documents exactly (I50.9 -> I50.33), or None.

    Only a sibling whose title states documented detail and nothing undocumented replaces the code, and only
    the evidence itself is read, so that a neighbouring finding's words ("acute kidney injury") do not count.
    """
    parent = ctx.entry(entry.parent) if entry.parent and "-" not in entry.parent else None
    if parent is None:
        return None
    text = context_text(cand, ctx, window=0)
    side = clause_side(cand, ctx) if "laterality" not in text_facets(text) else None
    if side:
        text += f" \n {side}"  # "chondromalacia of patella, R knee": the side stated in the evidence's clause
    letter = entry.code[-1] if len(bare(entry.code)) == 7 else None
    fits = [f for f in rank_descendants(parent, text, ctx, letter) if f.matches > 0 and f.extras == 0]
    # a sibling is a refinement only if it keeps the documented words of the code's own title and adds no short word
    # the note leaves out: "major depression" is no "Depression, unspecified" (F32.A), "back pain" no "Low back pain"
    own = _words(entry.title) - _words(parent.title)  # "abdominal" of R10.9 is its category's, not its own
    kept = {w for w in own if re.search(rf"\b{re.escape(w)}", text, re.IGNORECASE)}
    known = f"{parent.title} {entry.title}"  # "eye" of "Ocular hypertension, unspecified eye" -> "left eye"
    fits = [f for f in fits if _refines(ctx.store.title(ICD, f.code) or "", kept, known, text)]
    if side:  # the side alone may only choose between sides, not add a site ("gout, L toe" is no "gout, left hip")
        own = _singulars(_words(entry.title)) | {"right", "left", "bilateral"}
        fits = [f for f in fits if _singulars(_words(ctx.store.title(ICD, f.code) or "")) <= own]
    if not fits or fits[0].code == entry.code:
        return None
    return fits[0].code, _why(fits[0].code, text, ctx, None)


_SHORT_WORD = re.compile(r"\b[a-z]{3}\b")
_OTHER = re.compile(r"\bother\b", re.IGNORECASE)


def _refines(title: str, kept: set[str], parent_title: str, text: str) -> bool:
    """A sibling's title keeps the documented words ``kept`` and names no three-letter word ("low") that neither
    ``parent_title`` (the parent's and the code's own titles) nor the note states."""
    if not kept <= _words(title):
        return False
    if _OTHER.search(title) and not _OTHER.search(text):
        return False  # "Pneumonia due to other specified bacteria" is not what "bacterial pneumonia" says
    lowered, parent = title.lower(), parent_title.lower()
    short = {w for w in _SHORT_WORD.findall(lowered) if w not in _SHORT_STOP and w not in parent}
    return all(re.search(rf"\b{w}", text, re.IGNORECASE) for w in short)


_SHORT_STOP = frozenset({"and", "the", "for", "not", "with", "due", "use", "any", "all", "one", "two", "nec", "nos"})
_CLAUSE_END = re.compile(r"[.;\n]")


def _wrapped(text: str, newline: int) -> bool:
    """The line break at ``newline`` falls mid-sentence: after a word or comma, before a lower-case word."""
    before, after = text[:newline].rstrip(" \t"), text[newline + 1 :].lstrip(" \t")
    return bool(before) and (before[-1].isalpha() or before[-1] == ",") and after[:1].islower()


def continued_lines(cand: Candidate, ctx: GuidelineContext) -> str:
    """The rest of the sentence of each evidence span where the note breaks its line mid-sentence
    ("glaucoma both / eyes, mild stage, IOP controlled on latanoprost OU."), lower-case; "" when none."""
    text = ctx.text or ""
    out = []
    for span in cand.evidence:
        if not 0 <= span.end <= len(text):
            continue
        newline = text.find("\n", span.end)
        if newline < 0 or not _wrapped(text, newline) or _CLAUSE_END.search(text, span.end, newline):
            continue
        nxt = newline + 1
        stop = _CLAUSE_END.search(text, nxt)
        out.append(text[text.rfind("\n", 0, span.start) + 1 : stop.start() if stop else len(text)].replace("\n", " "))
    return "".join(f" \n {part.lower()}" for part in out)


def clause_side(cand: Candidate, ctx: GuidelineContext) -> str | None:
    """The one side (right, left, bilateral) stated in the clauses holding the evidence, or None."""
    text = ctx.text or ""
    sides: set[str] = set()
    for span in cand.evidence:
        if not (0 <= span.start <= span.end <= len(text)):
            continue
        sides |= text_facets(clause_at(text, span.start, span.end)).get("laterality", set())
    return next(iter(sides)) if len(sides) == 1 else None


# Hemiplegia, monoplegia and their sequelae (G81, G83, I69) name the side affected and whether it is dominant.
_DOMINANCE_TITLE = re.compile(r"\baffecting (right|left|unspecified) (?:(dominant|non-?dominant) )?side\b", re.I)
_HANDED = re.compile(r"\b(right|left)[- ]hand(?:ed(?:ness)?|[- ]dominant)\b|\b(ambidextrous)\b", re.I)
_DOMINANT_STATED = re.compile(r"(?<!hand )(?<!hand-)\b(non-?dominant|dominant)\b", re.I)


def side_dominance(side: str, clause: str, note: str) -> str:
    """Whether the ``side`` (right, left) affected is dominant (Section I.C.6.a): as the clause or the patient's
    handedness says; otherwise right (and any side of an ambidextrous patient) dominant, left non-dominant."""
    stated = _DOMINANT_STATED.search(clause)
    if stated:
        return "dominant" if stated.group(1).lower() == "dominant" else "nondominant"
    handed = _HANDED.search(note)
    if handed and handed.group(2):
        return "dominant"
    if handed:
        return "dominant" if handed.group(1).lower() == side else "nondominant"
    return "dominant" if side == "right" else "nondominant"


def sided_child(parent: str, side: str | None, clause: str, ctx: GuidelineContext) -> str | None:
    """The child of a hemiplegia/monoplegia subcategory (G81.9, I69.35) for ``side`` (right, left; None: the
    unspecified side) and its dominance as ``clause`` and the note say (Section I.C.6.a)."""
    dominance = side_dominance(side, clause, ctx.text or "") if side else None
    for child in ctx.store.children(ICD, parent):
        found = _DOMINANCE_TITLE.search(ctx.store.title(ICD, child) or "")
        if found is None or found.group(1).lower() != (side or "unspecified"):
            continue
        if side is None or (found.group(2) or "").lower().replace("-", "") == dominance:
            return child
    return None


# The side a deficit's own words name: just before it ("right hemiparesis", "left-sided weakness", "R
# hemiparesis") or just after it ("weakness of the left side", "hemiparesis on the right").
_SIDE_BEFORE = re.compile(r"\b(right|left|rt|lt|r|l)(?:[- ]?sided)?[- ]?\s*$", re.IGNORECASE)
_SIDE_AFTER = re.compile(r"^\s*(?:on|of|affecting|involving|to)\s+(?:the\s+|his\s+|her\s+)?(right|left)\b", re.I)
_SIDE_WORDS = {"rt": "right", "r": "right", "lt": "left", "l": "left"}


def adjacent_side(text: str, span: Span) -> str | None:
    """The side (right, left) the words right next to ``span`` name, or None."""
    before = text[max(0, span.start - 16) : span.start]
    found = _SIDE_BEFORE.search(before) or _SIDE_AFTER.match(text[span.end : span.end + 30])
    if found is None:
        return None
    word = found.group(1).lower()
    if len(word) == 1 and not found.group(1).isupper():
        return None  # a lone "r" / "l" only in capitals ("R hemiparesis")
    return _SIDE_WORDS.get(word, word)


def dominant_side(cand: Candidate, ctx: GuidelineContext) -> Candidate:
    """A hemiplegia/monoplegia code moved to the sibling for the documented side and its dominance (G81.90 ->
    G81.91 for "right hemiparesis"); the candidate itself when the side is not documented."""
    entry = ctx.entry(cand.code) if cand.system == ICD else None
    title = _DOMINANCE_TITLE.search(entry.title) if entry else None
    if entry is None or title is None or not entry.parent:
        return cand
    text = ctx.text or ""
    adjacent = {adjacent_side(text, s) for s in cand.evidence if 0 <= s.start <= s.end <= len(text)} - {None}
    # the deficit's own side word first: "left MCA stroke with right hemiparesis" is a right hemiparesis
    side = (adjacent.pop() if len(adjacent) == 1 else None) or clause_side(cand, ctx) or title.group(1).lower()
    if side not in ("right", "left"):
        return cand
    clauses = " ".join(clause_at(text, s.start, s.end) for s in cand.evidence if 0 <= s.start <= s.end <= len(text))
    wanted = side_dominance(side, clauses or cand.mention_text, text)
    for sibling in ctx.store.children(ICD, entry.parent):
        found = _DOMINANCE_TITLE.search(ctx.store.title(ICD, sibling) or "")
        if not found or found.group(1).lower() != side or not found.group(2):
            continue
        if found.group(2).lower().replace("-", "") == wanted and sibling != cand.code:
            return derive(cand, sibling, ctx, f"rule: {cand.code} -> {sibling} ({side} side, {wanted}, I.C.6.a)")
    return cand


# A title numbering its code ("Hypoglycemia level 2", "NIHSS score 9"): the number must be the one the note writes.
_NUMBERED_TITLE = re.compile(r"\b(level|score|grade|class)\s+(\d+)$", re.I)


def numbered_sibling(cand: Candidate, ctx: GuidelineContext) -> Candidate:
    """The sibling for the number the evidence clause writes after the title's numbering word ("type 2 diabetic,
    level 3": E16.A2 -> E16.A3), when the clause names one other number only; else the candidate itself."""
    entry = ctx.entry(cand.code) if cand.system == ICD else None
    numbered = _NUMBERED_TITLE.search(entry.title) if entry else None
    if entry is None or numbered is None or not entry.parent:
        return cand
    word, number = numbered.group(1).lower(), numbered.group(2)
    text = ctx.text or ""
    clauses = " ".join(clause_at(text, s.start, s.end) for s in cand.evidence if 0 <= s.start <= s.end <= len(text))
    said = set(re.findall(rf"\b{word}\s*(\d+)\b", clauses, re.I))
    if len(said) != 1 or number in said:
        return cand
    wanted = f"{word} {said.pop()}"
    for sibling in ctx.store.children(ICD, entry.parent):
        if (ctx.store.title(ICD, sibling) or "").lower().endswith(wanted) and ctx.store.is_billable(ICD, sibling):
            new = derive(cand, sibling, ctx, f"rule: {cand.code} -> {sibling} ({wanted} documented)")
            new.evidence.extend(_spans_of(rf"\b{word}\s*{wanted.split()[-1]}\b", cand, ctx))
            return new
    return cand


def _spans_of(pattern: str, cand: Candidate, ctx: GuidelineContext) -> list[Span]:
    """The stretches of the evidence's clauses that ``pattern`` matches, as evidence spans."""
    text = ctx.text or ""
    out: list[Span] = []
    for s in cand.evidence:
        if not 0 <= s.start <= s.end <= len(text):
            continue
        clause = clause_at(text, s.start, s.end)
        base = text.find(clause, max(0, s.start - 200))
        if not 0 <= base <= s.start < base + len(clause):
            continue
        for m in re.finditer(pattern, clause, re.I):
            span = Span(base + m.start(), base + m.end(), m.group(0))
            if span not in out and span not in cand.evidence:
                out.append(span)
    return out


def apply(candidates: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    candidates = [sex_sibling(c, ctx) for c in candidates]
    proposed = {c.code for c in candidates if c.system == ICD}
    out: list[Candidate] = []
    for cand in candidates:
        if cand.system != ICD:
            out.append(cand)
            continue
        entry = ctx.entry(cand.code)
        if entry is None:
            continue  # not a code of the active release
        if entry.billable:
            better = respecify(cand, entry, ctx) if _UNSPECIFIED_DETAIL.search(entry.title) else None
            if better is None:
                out.append(cand)
            else:
                code, why = better
                out.append(derive(cand, code, ctx, f"rule: {cand.code} -> {code}, detail documented ({why})"))
            continue
        b = bare(entry.code)
        if any(bare(other) != b and bare(other).startswith(b) for other in proposed):
            continue  # a more specific descendant is proposed; it carries the evidence
        text = context_text(cand, ctx) + continued_lines(cand, ctx)
        side = clause_side(cand, ctx) if "laterality" not in text_facets(text) else None
        chosen = choose_descendant(entry, f"{text} \n {side}" if side else text, ctx)  # "cataract OU" -> bilateral
        if chosen is None:
            continue  # not billable and the documentation does not say which descendant
        code, why = chosen
        new = derive(cand, code, ctx, f"rule: {cand.code} not billable -> {code} ({why})")
        if side:  # the side ("OU") is evidence too
            new.evidence.extend(_spans_of(dict(FACETS["laterality"])[side], cand, ctx))
        out.append(new)
    out = [numbered_sibling(dominant_side(c, ctx), ctx) for c in out]
    out = _drop_unspecified_siblings(_drop_split_unspecified(_drop_lay_wordings(out), ctx), ctx)
    return _drop_without_beside_with(_drop_vague_across(out), ctx)


_WITHOUT_WORDS = re.compile(r"\bwithout ([a-z -]+)", re.IGNORECASE)
_SIDED_TITLE = re.compile(r"\b(?:right|left|bilateral)\b", re.IGNORECASE)


def _drop_without_beside_with(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """A code "without X" beside a code of its category "with X", on the same footing, is the same condition named
    once without its complication ("hemoglobin SS disease" in the history, "... with pain crisis" in the impression):
    D57.1 gives way to D57.00."""
    inpatient = ctx.setting == "inpatient"

    def keeper_of(cand: Candidate) -> Candidate | None:
        if cand.system != ICD or _SIDED_TITLE.search(cand.title):  # each eye or limb may have its own complication
            return None
        absent = _WITHOUT_WORDS.search(cand.title)
        words = _words(absent.group(1)) if absent else set()
        if not words:
            return None
        return _other_code(
            cands,
            cand,
            lambda o: o.code[:3] == cand.code[:3] and not _WITHOUT_WORDS.search(o.title) and words <= _words(o.title),
            inpatient,
        )

    return _give_way(
        cands, keeper_of, lambda cand, keeper: f"rule: {cand.code} ({cand.title}) dropped for {keeper.code}"
    )


def _other_code(
    cands: list[Candidate], cand: Candidate, accepts: Callable[[Candidate], bool], inpatient: bool = False
) -> Candidate | None:
    """The first other ICD-10-CM code of ``cands`` that ``accepts`` and that is coded on the same footing as
    ``cand``."""
    return next(
        (
            o
            for o in cands
            if o is not cand
            and o.system == ICD
            and o.code != cand.code
            and accepts(o)
            and _same_footing(o, cand, inpatient)
        ),
        None,
    )


def _give_way(
    cands: list[Candidate],
    keeper_of: Callable[[Candidate], Candidate | None],
    why: Callable[[Candidate, Candidate], str],
) -> list[Candidate]:
    """``cands`` without each candidate another one keeps the place of (``keeper_of``); the keeper takes its evidence
    and says ``why``."""
    out: list[Candidate] = []
    for cand in cands:
        keeper = keeper_of(cand)
        if keeper is None:
            out.append(cand)
            continue
        add_rationale(keeper, why(cand, keeper))
        _absorb(keeper, cand)
    return out


_UNSPECIFIED_HEAD = re.compile(r"^unspecified ([a-z ]+)$", re.IGNORECASE)


def _near(a: list[Span], b: list[Span], text: str, gap: int = 40) -> bool:
    """Some span of ``a`` and some span of ``b`` stand on one line at most ``gap`` characters apart."""
    return any(
        max(x.start, y.start) - min(x.end, y.end) <= gap and "\n" not in text[min(x.end, y.end) : max(x.start, y.start)]
        for x in a
        for y in b
    )


_CODED_AS_CURRENT = frozenset({"present", "historical"})


def _same_footing(specific: Candidate, vague: Candidate, inpatient: bool = False) -> bool:
    """Two codes of one condition coded on the same footing: the same assertion; one current and one from the past
    history that a guideline rule kept as a current disease code ("PMH: CKD" and "CKD stage 3b" in the plan are one
    condition: N18.9 gives way to N18.32), either way round; or a current specific code beside an uncertain vague one
    ("possible anxiety" and "generalized anxiety disorder")."""
    a, b = specific.assertion, vague.assertion
    if inpatient:  # an uncertain diagnosis of an inpatient record is coded as established (Section II.H, III.C)
        a, b = ("present" if a == "possible" else a), ("present" if b == "possible" else b)
    return a == b or {a, b} <= _CODED_AS_CURRENT or (a == "present" and b == "possible")


def _drop_split_unspecified(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """An "Unspecified X" code next to a more specific X code of another category, for words of one phrase
    ("nuclear sclerotic | cataracts": H26.9 gives way to H25.13), is dropped."""
    out: list[Candidate] = []
    for cand in cands:
        head = _UNSPECIFIED_HEAD.match(cand.title) if cand.system == ICD else None
        words = _words(head.group(1)) if head else set()
        better = [
            o
            for o in cands
            if words
            and o.system == ICD
            and o is not cand
            and _same_footing(o, cand)
            and not _UNSPECIFIED.search(o.title)
            and words <= _words(o.title)
            and _near(cand.evidence, o.evidence, ctx.text or "")
        ]
        if better:
            add_rationale(better[0], f"rule: {cand.code} ({cand.title}) dropped for the more specific {better[0].code}")
            continue
        out.append(cand)
    return out


def _plain(title: str) -> str:
    """A title without parenthesised words and punctuation, for comparing a code with its parent."""
    return " ".join(re.findall(r"[a-z0-9]+", re.sub(r"\([^)]*\)", " ", title.lower())))


def _evidence_words(cand: Candidate) -> set[str]:
    words = {w for span in cand.evidence for w in re.findall(r"[a-z]{4,}", span.text.lower())}
    return words - _WORD_STOP


def _less_unspecified(specific: Candidate, vague: Candidate) -> bool:
    """``specific``'s title leaves fewer axes unspecified than ``vague``'s (F03.B11 "Unspecified dementia, moderate,
    with agitation" against F03.90 "Unspecified dementia, unspecified severity, without ...")."""
    return len(_UNSPECIFIED.findall(specific.title)) < len(_UNSPECIFIED.findall(vague.title))


def _shares_a_word(vague_title: str, other_titles: str) -> bool:
    """Whether the condition the vague title names is named in the others, a word stem at least: a category of
    several conditions (N94) keeps "Dysmenorrhea, unspecified" beside "Deep dyspareunia"; "Hyperlipidemia" meets
    "lipidemias"."""
    others = {w.removesuffix("s") for w in _words(other_titles)}
    for word in _words(vague_title):
        word = word.removesuffix("s")
        if any(word[:6] == o[:6] or (len(o) > 4 and o in word) or (len(word) > 4 and word in o) for o in others):
            return True
    return False


def _same_condition(a: Candidate, b: Candidate) -> bool:
    """Two codes of one category whose evidence names the same condition ("migraine" and "migraine ..."), or whose
    titles do: every word of the vaguer title ``b`` stands in ``a``'s ("Unspecified atrial fibrillation" and
    "Permanent atrial fibrillation", whatever the note's words for each)."""
    vague = _words(b.title) - {"uncomplicated"}
    return bool(_evidence_words(a) & _evidence_words(b)) or bool(vague and vague <= _words(a.title))


# Categories whose subcategories are different sites, not subsites of one organ (secondary neoplasms, lymph nodes).
_SITES_BY_SUBCATEGORY = frozenset({"C77", "C78", "C79"})


def _same_malignancy(specific: Candidate, vague: Candidate) -> bool:
    """A malignancy of a named subsite and one of the same organ, site unspecified, on the same side: one cancer
    named twice ("breast cancer" and "malignant neoplasm of upper-outer quadrant of left breast")."""
    if specific.code[:1] != "C" or specific.code[:3] != vague.code[:3] or _UNSPECIFIED.search(specific.title):
        return False
    if specific.code[:3] in _SITES_BY_SUBCATEGORY and specific.code[:5] != vague.code[:5]:
        return False  # C79.70 (adrenal) and C79.89 (other sites) are two metastases, not one named twice
    sides = {title_facets(c.title).get("laterality") for c in (specific, vague)}
    return len(sides - {None}) <= 1


_WITH_PARTS = re.compile(r"\b(with|without)\b", re.IGNORECASE)
# A title's facet that a sibling states otherwise: "not intractable" beside "intractable", "uncomplicated" beside
# "with (acute) exacerbation" or "with withdrawal".
_NOT_INTRACTABLE = re.compile(r"\bnot intractable\b", re.IGNORECASE)
_UNCOMPLICATED = re.compile(r",\s*uncomplicated$", re.IGNORECASE)


def _title_parts(title: str) -> tuple[str, set[str], list[set[str]]]:
    """A title's head (before its first "with"/"without"), the words it says present, and the words of each
    "without ..." phrase ("Calculus of gallbladder without cholecystitis without obstruction")."""
    pieces = _WITH_PARTS.split(title.lower())
    head, present, absent = pieces[0].strip(" ,"), _words(pieces[0]), []
    for joiner, phrase in zip(pieces[1::2], pieces[2::2], strict=False):
        if joiner == "without":
            absent.append(_words(phrase.split(",")[0]))
        else:
            present |= _words(phrase)
    return head, present, absent


def _with_sibling(cand: Candidate, cands: list[Candidate]) -> Candidate | None:
    """The proposed code of the same category and title head saying "with X" where ``cand`` says "without X"
    (K70.31 for K70.30; K80.10 "Calculus of gallbladder with chronic cholecystitis" for K80.20 "... without
    cholecystitis"), "with X" where ``cand`` says "uncomplicated" (J45.31 for J45.30), or "intractable" where ``cand``
    says "not intractable" (G43.019 for G43.009); or None."""
    if cand.system != ICD:
        return None
    others = [
        o for o in cands if o.system == ICD and o is not cand and o.code[:3] == cand.code[:3] and _same_footing(o, cand)
    ]
    intractable = _NOT_INTRACTABLE.sub("intractable", cand.title.lower())
    found = next((o for o in others if intractable != cand.title.lower() and o.title.lower() == intractable), None)
    plain = _UNCOMPLICATED.sub("", cand.title)
    if found is None and plain != cand.title:
        head = _title_parts(plain)[0]
        found = next((o for o in others if _WITH_PARTS.search(o.title) and _title_parts(o.title)[0] == head), None)
    if found is not None:
        return found
    if not re.search(r"\bwithout\b", cand.title, re.IGNORECASE):
        return None
    head, present, absent = _title_parts(cand.title)
    for o in others:
        o_head, o_present, _o_absent = _title_parts(o.title)
        if o_head == head and present <= o_present and any(words and words <= o_present for words in absent):
            return o
    return None


def _absorb(keeper: Candidate, dropped: Candidate) -> None:
    """``keeper`` takes the evidence, sections and score of ``dropped``, a less specific code of one condition."""
    keeper.evidence = sorted(
        [*keeper.evidence, *(s for s in dropped.evidence if s not in keeper.evidence)], key=lambda s: s.start
    )
    keeper.sections = sorted(set(keeper.sections) | set(dropped.sections))
    keeper.score = max(keeper.score, dropped.score)


def _drop_unspecified_siblings(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """Drop an "unspecified" code when a more specific code under the same parent is proposed; flag the rest.

    More specific: a code whose title is not "unspecified", a deeper code, or any sibling of the parent's
    residual code (J18.9 "Pneumonia, unspecified organism" under J18 of the same title gives way to J18.1);
    also a specified code of the same category whose evidence names the same condition (G43.909 "migraine"
    gives way to G43.011 "intractable migraine without aura ... with status migrainosus").
    """
    out: list[Candidate] = []
    for cand in cands:
        with_sibling = _with_sibling(cand, cands)
        if with_sibling is not None:
            add_rationale(with_sibling, f"rule: {cand.code} ({cand.title}) dropped for {with_sibling.code}")
            _absorb(with_sibling, cand)
            continue
        if cand.system != ICD or not _UNSPECIFIED.search(cand.title):
            out.append(cand)
            continue
        entry = ctx.entry(cand.code)
        parent = entry.parent if entry else None
        if not parent or "-" in parent:
            out.append(cand)
            continue
        parent_entry = ctx.entry(parent)
        residual = parent_entry is not None and _plain(cand.title).startswith(_plain(parent_entry.title))
        better = [
            o
            for o in cands
            if o.system == ICD
            and o is not cand
            and (
                (
                    bare(o.code).startswith(bare(parent))
                    and (residual or not _UNSPECIFIED.search(o.title) or len(bare(o.code)) > len(bare(cand.code)))
                    and _shares_a_word(cand.title, f"{o.title} {parent_entry.title if parent_entry else ''}")
                )
                or (o.code[:3] == cand.code[:3] and _less_unspecified(o, cand) and _same_condition(o, cand))
                or _same_malignancy(o, cand)
            )
            and _same_footing(o, cand, ctx.setting == "inpatient")
        ]
        if better:
            add_rationale(better[0], f"rule: unspecified {cand.code} dropped for the more specific {better[0].code}")
            continue
        if len(ctx.store.billable_descendants(ICD, parent, limit=2)) > 1:
            add_flag(cand, "unspecified")
        out.append(cand)
    return out


@lru_cache(maxsize=1)
def _lay_wordings() -> tuple[tuple[CodeSpec, re.Pattern[str], list[CodeSpec]], ...]:
    """``resources/lay_wordings.tsv``: a code, the wordings that name its condition less precisely, and the codes
    it gives way to (none: its own category)."""
    return tuple(
        (CodeSpec(row[0]), re.compile(rf"(?:{row[1]})", re.IGNORECASE), specs(row[2] if len(row) > 2 else ""))
        for row in load_tsv("lay_wordings.tsv")
    )


def _lay_targets(cand: Candidate) -> list[CodeSpec] | None:
    """The codes ``cand`` gives way to when every evidence text of it is a lay wording of its condition ("high
    cholesterol" for E78.00: its own category E78); None when it is no lay wording."""
    if cand.system != ICD or not cand.evidence:
        return None
    for spec, lay, targets in _lay_wordings():
        if spec.covers(cand.code) and all(lay.fullmatch(" ".join(e.text.split())) for e in cand.evidence):
            return targets or [CodeSpec(cand.code[:3])]
    return None


def _drop_lay_wordings(cands: list[Candidate]) -> list[Candidate]:
    """A code read from a lay wording gives way to the clinician's term for the same condition coded on the same
    footing ("high cholesterol" E78.00 beside "hyperlipidemia" E78.5; "sundowning" F05 beside a dementia code)."""

    def keeper_of(cand: Candidate) -> Candidate | None:
        targets = _lay_targets(cand)
        if targets is None:
            return None
        return _other_code(cands, cand, lambda o: covers_any(targets, o.code) and _lay_targets(o) is None)

    return _give_way(
        cands,
        keeper_of,
        lambda cand, keeper: f"rule: {cand.code} from a lay wording dropped for the clinician's term {keeper.code}",
    )


@lru_cache(maxsize=1)
def _vague_codes() -> tuple[tuple[CodeSpec, list[CodeSpec]], ...]:
    """``resources/vague_codes.tsv``: a vague code and the codes of other categories that name its condition."""
    return tuple((CodeSpec(row[0]), specs(row[1])) for row in load_tsv("vague_codes.tsv"))


def _drop_vague_across(cands: list[Candidate]) -> list[Candidate]:
    """A vague code gives way to a code of another category that names the same condition more precisely, coded
    on the same footing ("anemia" D64.9 beside "iron deficiency anemia" D50.9)."""

    def keeper_of(cand: Candidate) -> Candidate | None:
        if cand.system != ICD:
            return None
        specific = next((spec for vague, spec in _vague_codes() if vague.covers(cand.code)), None)
        if specific is None:
            return None
        return _other_code(cands, cand, lambda o: covers_any(specific, o.code))

    return _give_way(
        cands, keeper_of, lambda cand, keeper: f"rule: vague {cand.code} ({cand.title}) dropped for {keeper.code}"
    )
