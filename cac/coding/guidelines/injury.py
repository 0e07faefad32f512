"""Injuries (ICD-10-CM chapter 19, Guideline I.C.19): the code read from the injury's own clause.

A fracture, laceration, sprain, contusion or abrasion is coded as a coder codes it: the Alphabetic Index main
term of the injury ("Fracture, traumatic", never "Fracture, pathological" unless the clause says so), its
subterms followed with the clause's site words ("intertrochanteric femur", "waist of the scaphoid", "ulnar
styloid"), then the tabular code whose title agrees with the clause: the side, displaced unless documented
nondisplaced (I.C.19.c.1), without foreign body unless one is documented, and the 7th character (initial
encounter unless the clause says subsequent or sequela; closed unless open). A clause listing several sites
("lacerations of scalp, R forearm and upper lip") gives one code per site. The evidence becomes the clause.

A current fracture of a patient with osteoporosis that its clause calls a fragility fracture or puts down to a
minor trauma is M80.- by site and side, not the traumatic code nor M81.- (Section I.C.13.d).

The data (main terms, words read as index words, what makes a fracture nontraumatic) is ``resources/injury.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from cac.codesets.search import STOPWORDS, stem, words
from cac.coding.candidates import SOURCE_WEIGHTS
from cac.coding.guidelines.assertion import header_before
from cac.coding.guidelines.common import (
    ICD,
    CodeSpec,
    add_rationale,
    bare,
    covers_any,
    derive,
    load_yaml,
    lookup_spec,
    specs,
)
from cac.coding.guidelines.context import GuidelineContext
from cac.coding.guidelines.patterns import ALLERGY_HEADER, denied_before
from cac.coding.guidelines.specificity import seventh_character, text_facets
from cac.coding.prefilter import may_match_all, required_groups
from cac.coding.rank import final_score
from cac.coding.types import Candidate, Span

_CONNECTORS = frozenset({"with", "in", "due to", "following", "by", "during"})
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z])")
# Words a clause negates do not count as its modifiers ("without skull fracture", "no FB").
_ABSENT = re.compile(r"\b(?:without|no|denies|negative for|free of)\b[^.,;:\n]*", re.IGNORECASE)
_NEGATED_BEFORE = denied_before("rule out|r/o|ruled out|free of|clear of|no evidence of", reach=None)
_NONDISPLACED = re.compile(r"\bnon-?displaced\b|\bundisplaced\b|\bnot displaced\b", re.IGNORECASE)
_FOREIGN_BODY = re.compile(r"\bforeign bod(?:y|ies)\b|\bFB\b")
# A clause ends at a sentence stop, a semicolon, a colon, a blank line or a line starting a new item.
_CLAUSE_BOUND = re.compile(r"[.;:](?=\s|$)|\n\s*\n|\n(?=\s*(?:[A-Z#*•-]|\d+[.)]))")
_LEAD = re.compile(r"^[\s#*•\-\d.)]*")
_SITE_LIST = re.compile(r"^\s*(?:of|to|on|involving|at|over)\s+(?:the\s+)?", re.IGNORECASE)
_LIST_SPLIT = re.compile(r",\s*|\s+and\s+|\s*&\s*|\s*/\s*")


@dataclass
class _Node:
    term: str
    keys: tuple[frozenset[str], ...]
    code: str | None
    see: str | None
    connector: bool
    children: list[_Node] = field(default_factory=list)
    depth: int = 0  # subterm levels below the main term


@dataclass(frozen=True)
class InjuryWalk:
    code: str
    path: str
    depth: int


def _config() -> dict[str, Any]:
    return load_yaml("injury.yaml")


@lru_cache(maxsize=1)
def _compiled() -> tuple[dict[str, re.Pattern[str]], re.Pattern[str], dict[str, tuple[str, ...]], frozenset[str]]:
    cfg = _config()
    kinds = {name: re.compile(k["pattern"], re.IGNORECASE) for name, k in cfg["kinds"].items()}
    not_traumatic = re.compile("|".join(cfg["not_traumatic"]), re.IGNORECASE)
    synonyms = {w.lower(): tuple(str(x).lower() for x in v) for w, v in cfg["words"].items()}
    weak = frozenset(stem(w) for w in cfg["weak_words"])
    return kinds, not_traumatic, synonyms, weak


def _tokens(text: str) -> list[str]:
    return words(_HYPHEN.sub("", text.lower()))


def _key(term: str) -> frozenset[str]:
    return frozenset(stem(w) for w in _tokens(_BRACKETS.sub(" ", term)) if w not in STOPWORDS)


def _keys(term: str) -> tuple[frozenset[str], ...]:
    """A subterm's word sets: "femur, femoral" and "atrial or auricular" name either form; "supracondylar, elbow"
    and "semilunar bone, wrist" name one site with its region, so both words are needed."""
    alternatives = [term, *re.split(r"\s+or\s+", term)]
    parts = [p for p in re.split(r",\s*", term) if p.strip()]
    heads = [p.strip().lower()[:3] for p in parts]
    if len(parts) > 1 and len(set(heads)) == 1:  # the same word in two forms
        alternatives += parts
    return tuple(dict.fromkeys(k for k in (_key(a) for a in alternatives) if k))


# Two or more ribs named by number ("8th and 9th ribs", "ribs 4-6", "three left ribs") are the index's "multiple".
_SEVERAL_RIBS = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th)?(?:\s*(?:,|and|&|-|to|through)\s*\d{1,2}(?:st|nd|rd|th)?)+\s+(?:\w+\s+)?ribs\b"
    r"|\bribs\s+\d{1,2}\s*(?:,|and|&|-|to|through)\s*\d{1,2}\b|\b(?:two|three|four|five|six|several)\s+(?:\w+\s+)?ribs\b",
    re.IGNORECASE,
)


def clause_words(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The clause's own stemmed words (negated stretches left out), and the same with the index's words for them."""
    _kinds, _nt, synonyms, _weak = _compiled()
    written: set[str] = set()
    extra: set[str] = {stem("multiple")} if _SEVERAL_RIBS.search(text) else set()
    for w in _tokens(_ABSENT.sub(" ", text)):
        if w in STOPWORDS:
            continue
        written.add(stem(w))
        extra.update(stem(s) for s in synonyms.get(w, ()))
    return frozenset(written), frozenset(written | extra)


class InjuryIndex:
    """The Alphabetic Index subtrees of the injury main terms, with their "see" references followed."""

    def __init__(self, store: Any) -> None:
        cfg = _config()
        wanted = {k["main"] for k in cfg["kinds"].values()}
        self.see_mains = {str(k).lower(): str(v) for k, v in cfg.get("see_mains", {}).items()}
        self.roots: dict[str, _Node] = {}
        nodes: dict[int, _Node] = {}
        for row in store.index_rows("main"):
            if row.parent_id is None:
                if row.term in wanted and row.term not in self.roots:
                    nodes[row.id] = self.roots[row.term] = _Node(row.term, (), row.code, row.see, False)
                continue
            parent = nodes.get(row.parent_id)
            if parent is None:
                continue
            connector = row.term.lower() in _CONNECTORS
            node = _Node(row.term, () if connector else _keys(row.term), row.code, row.see, connector)
            node.depth = parent.depth + 1
            parent.children.append(node)
            nodes[row.id] = node
        self._see: dict[int, _Node | None] = {}

    def _resolve(self, node: _Node) -> _Node | None:
        """The node a "see" reference names, looked up among the loaded subtrees."""
        if node.see is None:
            return None
        if id(node) in self._see:
            return self._see[id(node)]
        parts = [p.strip() for p in node.see.split(",") if p.strip()]
        target: _Node | None = None
        for k in range(len(parts), 0, -1):
            name = ", ".join(parts[:k])
            root = self.roots.get(name) or (self.roots.get(self.see_mains.get(name.lower(), "")) if k == 1 else None)
            if root is None:
                continue
            target = root
            for part in parts[k:]:
                target = self._child_named(target, part.lower()) if target else None
            if target is not None:
                break
        self._see[id(node)] = target
        return target

    @staticmethod
    def _child_named(node: _Node, name: str) -> _Node | None:
        name = name.removesuffix(" nec")
        for child in node.children:
            term = _BRACKETS.sub("", child.term).strip().lower().removesuffix(" nec")
            if term == name or name in term.split(", ") or term.startswith(name) or name.startswith(term):
                return child
        return None

    def walk(self, main: str, written: frozenset[str], context: frozenset[str]) -> InjuryWalk | None:
        """The deepest code reachable from ``main`` through subterms the context names (ties: written words)."""
        root = self.roots.get(main)
        if root is None:
            return None
        _kinds, _nt, _syn, weak = _compiled()

        def matched(key: frozenset[str]) -> int:
            required = key - weak or key
            if not required <= context:
                return -1
            return len(required) + len(required & written)

        def options(node: _Node) -> list[tuple[int, str, _Node]]:
            found = []
            pools = [node.children]
            target = self._resolve(node)
            if target is not None and target is not node:
                pools.append(target.children)
            for pool in pools:
                for child in pool:
                    if child.connector:
                        for grand in child.children:
                            best = max((matched(k) for k in grand.keys), default=-1)
                            if best > 0:
                                found.append((best, f"{child.term} {grand.term}", grand))
                        continue
                    best = max((matched(k) for k in child.keys), default=-1)
                    if best > 0:
                        found.append((best, child.term, child))
            return found

        def code_of(node: _Node) -> str | None:
            if node.code:
                return node.code
            target = self._resolve(node)
            return target.code if target is not None else None

        def levels(node: _Node) -> int:
            """The subterm levels a step to ``node`` goes down: more than one when its "see" names a deeper
            subterm (tibia > pilon: see Fracture, tibia, lower end, pilon), as specific as that subterm."""
            target = self._resolve(node) if node.see else None
            return 1 + max(0, target.depth - node.depth) if target is not None else 1

        def leaf(node: _Node) -> int:
            """1 for a subterm without subterms of its own: on a tie it names the part more precisely than a
            sibling whose code stands for the part not further specified (femur, upper end: subcapital S72.01-
            over neck S72.00-)."""
            target = self._resolve(node) if node.see else None
            return 0 if node.children or (target is not None and target.children) else 1

        def best_from(
            node: _Node, guard: int, seen: frozenset[int] = frozenset()
        ) -> tuple[tuple[int, int, int], list[str], str | None]:
            best: tuple[tuple[int, int, int], list[str], str | None] = ((0, 0, 0), [], None)
            if guard > 8:
                return best
            seen = seen | {id(node)}
            for score, term, child in options(node):
                if id(child) in seen:  # a "see" reference leading back up the path
                    continue
                (depth, sub_words, sub_leaf), sub_path, sub_code = best_from(child, guard + 1, seen)
                cand: tuple[tuple[int, int, int], list[str], str | None]
                if sub_code is not None:
                    cand = ((depth + levels(child), sub_words + score, sub_leaf), [term, *sub_path], sub_code)
                elif code_of(child) is not None:
                    cand = ((levels(child), score, leaf(child)), [term], code_of(child))
                else:
                    continue
                if cand[0] > best[0]:
                    best = cand
            return best

        (depth, _words, _leaf), path, code = best_from(root, 0)
        if code is None:
            return InjuryWalk(root.code, main, 0) if root.code else None
        return InjuryWalk(code, ", ".join([main, *path]), depth)


@lru_cache(maxsize=2)
def injury_index(store: Any) -> InjuryIndex:
    return InjuryIndex(store)


def clause_bounds(text: str, start: int, end: int, reach: int = 240) -> tuple[int, int]:
    """The clause holding ``text[start:end]``: up to a sentence stop, semicolon, colon, blank line or a new line
    that starts a new item (a wrapped line that goes on in lower case stays in the clause)."""
    lo = max(0, start - reach)
    before = [m.end() for m in _CLAUSE_BOUND.finditer(text, lo, start)]
    after = _CLAUSE_BOUND.search(text, end, min(len(text), end + reach))
    c_start = before[-1] if before else lo
    c_end = after.start() if after else min(len(text), end + reach)
    lead = _LEAD.match(text, c_start, c_end)
    if lead:
        c_start = lead.end()
    while c_end > c_start and text[c_end - 1].isspace():
        c_end -= 1
    return min(c_start, start), max(c_end, end)


# A capital R or L standing before a word is the side in an injury clause ("R femoral neck", "L lateral tongue").
_SIDE_LETTER = re.compile(r"(?<![\w/])([RL])\.?(?=\s+[A-Za-z]{3})")


def _side(text: str) -> str | None:
    sides = set(text_facets(text).get("laterality", set()))
    sides |= {"right" if m.group(1) == "R" else "left" for m in _SIDE_LETTER.finditer(text)}
    return next(iter(sides)) if len(sides) == 1 else None


def _with_side(found: tuple[frozenset[str], frozenset[str]], side: str | None) -> tuple[frozenset[str], frozenset[str]]:
    """The clause's words plus its side, written as the index writes it ("R forearm": forearm > right)."""
    if side not in ("right", "left"):
        return found
    return found[0] | {side}, found[1] | {side}


def finalize(code: str, clause: str, side: str | None, ctx: GuidelineContext) -> str | None:
    """The billable code under ``code`` that the clause documents: side, displacement, foreign body, 7th char."""
    entry = ctx.entry(code)
    if entry is None:
        return None
    if entry.billable:
        return entry.code
    letter = seventh_character(entry, clause.lower())
    descendants = ctx.store.billable_descendants(ICD, entry.code)
    if letter is not None:
        descendants = [d for d in descendants if len(bare(d)) == 7 and d.endswith(letter)] or descendants
    displacement = "nondisplaced" if _NONDISPLACED.search(clause) else "displaced"
    foreign = bool(_FOREIGN_BODY.search(_ABSENT.sub(" ", clause)))
    best: tuple[tuple[int, int, str], str] | None = None
    for d in descendants:
        title = (ctx.store.title(ICD, d) or "").lower()
        t_side = "right" if "right" in title else "left" if "left" in title else None
        if side in ("right", "left") and t_side not in (None, side):
            continue
        if side not in ("right", "left") and t_side is not None:
            continue
        t_disp = "nondisplaced" if "nondisplaced" in title else "displaced" if "displaced" in title else None
        if t_disp is not None and t_disp != displacement:
            continue
        if "with foreign body" in title and not foreign or "without foreign body" in title and foreign:
            continue
        # a side documented prefers the sided code; otherwise the fewest undocumented words
        key = (0 if (side is None or t_side == side) else 1, title.count("unspecified"), d)
        if best is None or key < best[0]:
            best = (key, d)
    return best[1] if best else None


def _kind_at(clause: str, offset: int, span_len: int) -> tuple[str, re.Match[str]] | None:
    """The injury the clause names at the evidence (else its first one not negated), and where its word is."""
    kinds, _nt, _syn, _weak = _compiled()
    found: list[tuple[int, str, re.Match[str]]] = []
    for name, pattern in kinds.items():
        for m in pattern.finditer(clause):
            if _NEGATED_BEFORE.search(clause[: m.start()]):
                continue
            inside = offset <= m.start() < offset + span_len or m.start() <= offset < m.end()
            found.append((0 if inside else 1, name, m))
    if not found:
        return None
    found.sort(key=lambda f: (f[0], f[2].start()))
    return found[0][1], found[0][2]


def recode_span(cand: Candidate, span: Span, ctx: GuidelineContext) -> list[tuple[str, Span, str, str]] | None:
    """The injury codes the clause around one evidence span documents, each with the clause as evidence and why;
    None when the clause names no injury or an injury this rule leaves to the engine (a pathological fracture)."""
    text = ctx.text or ""
    if not (0 <= span.start < span.end <= len(text)):
        return None
    c_start, c_end = clause_bounds(text, span.start, span.end)
    clause = text[c_start:c_end]
    hit = _kind_at(clause, span.start - c_start, span.end - span.start)
    if hit is None:
        return None
    kind, match = hit
    _kinds, not_traumatic, _syn, _weak = _compiled()
    if kind == "fracture" and not_traumatic.search(clause):
        return None
    cfg = _config()["kinds"][kind]
    index = injury_index(ctx.store)
    evidence = Span(c_start, c_end, clause)
    head, tail = clause[: match.end()], clause[match.end() :]
    site_list = _SITE_LIST.match(tail)
    listed = tail[site_list.end() :] if site_list else ""
    # Several sites only when the clause lists them ("scalp, R forearm and upper lip"); "lateral malleolus,
    # right fibula" restates one site.
    parts = [p for p in _LIST_SPLIT.split(listed) if p.strip()] if re.search(r"\band\b|&", listed) else []
    segments: list[tuple[str, str]] = []  # (words to walk, words giving the side)
    if len(parts) > 1:
        for part in parts:
            segments.append((f"{head} {part}", part if _side(part) else clause))
    walks = []
    for seg, side_text in segments:
        written, context = _with_side(clause_words(seg), _side(side_text))
        found = index.walk(cfg["main"], written, context)
        if found is not None and found.depth > 0:
            walks.append((found, seg, side_text))
    if len({w.code for w, _s, _t in walks}) < 2:
        written, context = _with_side(clause_words(clause), _side(clause))
        found = index.walk(cfg["main"], written, context)
        walks = [(found, clause, clause)] if found is not None else []
    out = []
    for found, seg, side_text in walks:
        same_category = bare(found.code)[:3] == bare(cand.code)[:3]
        if not (cfg.get("rewalk") or same_category or bare(cand.code).startswith("T14")):
            code, path = cand.code, ""
            why = f"rule: injury clause read as evidence ({kind})"
        elif found.depth == 0:
            continue  # the clause names no site the index knows ("fracture table"); the engine's code stands
        else:
            final = finalize(found.code, seg, _side(side_text), ctx)
            if final is None:
                continue
            code, path = final, found.path
            why = f"rule: injury coded from its clause ({kind}, I.C.19)"
        out.append((code, evidence, why, path))
    return out or None


def apply(candidates: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    if not ctx.text:
        return candidates
    recodable = specs(_config()["recodable"])
    out: list[Candidate] = []
    for cand in _not_an_injury(not_the_disease(candidates, ctx.text), ctx.text):
        if cand.system != ICD or cand.assertion not in ("present", "possible") or not covers_any(recodable, cand.code):
            out.append(cand)
            continue
        kept: list[Span] = []
        derived: dict[str, Candidate] = {}
        for span in cand.evidence:
            found = recode_span(cand, span, ctx)
            if not found:
                kept.append(span)
                continue
            for code, evidence, why, path in found:
                new = derived.get(code)
                if new is None:
                    new = derived[code] = derive(cand, code, ctx, why)
                    new.evidence, new.source = [], cand.source
                    if path:  # found by the index walk over the clause, as the engine's walk finds a code
                        new.rationale, new.source = f"index: {path}; {why}", "index"
                if evidence not in new.evidence:
                    new.evidence.append(evidence)
                add_rationale(new, why)
        if not derived:
            out.append(cand)
            continue
        if kept and cand.code not in derived:
            cand.evidence = kept
            out.append(cand)
        for code, new in derived.items():
            if code == cand.code:
                new.evidence = sorted(new.evidence + [s for s in kept if s not in new.evidence], key=lambda s: s.start)
            if new.source == "index":
                new.score = max(new.score, final_score(new, SOURCE_WEIGHTS["index_walk"], len(new.evidence)))
            out.append(new)
    out = _specific_over_unspecified(out)
    out = _no_injury_nos_beside_a_specific_one(out)
    out = osteoporotic_fractures(out, ctx)
    proposed = {c.code for c in out if c.system == ICD}
    out += [c for c in drug_codes(ctx) if c.code not in proposed]
    return out


_ALLERGY_AFTER = re.compile(r"\s*(?:allerg|intoleran|hypersensitiv|sensitivit)", re.IGNORECASE)
_UNCERTAIN = re.compile(
    r"\b(?:likely|probabl\w*|possibl\w*|suspect\w*|question\w*|may|might|presum\w*)\b", re.IGNORECASE
)
_COLUMNS = {"Adverse effect": "5", "Underdosing": "6", "Poisoning Accidental (unintentional)": "1"}
_INTENT = (("2", re.compile(r"\bintentional|\bsuicid|\bself[- ]harm", re.I)), ("3", re.compile(r"\bassault", re.I)))


@lru_cache(maxsize=2)
def drug_table(store: Any) -> dict[str, str]:
    """Drug name (lower case, without "NEC") -> its Table of Drugs code without the last character (T39.31)."""
    table: dict[str, str] = {}
    parents: dict[int, str] = {}
    for row in store.index_rows("drug"):
        if row.parent_id is None:
            parents[row.id] = row.term.lower().removesuffix(" nec").strip()
        elif row.parent_id in parents and row.column in _COLUMNS and row.code:
            table.setdefault(parents[row.parent_id], bare(row.code)[:-1])
    for word, prefix in _config().get("drug_words", {}).items():
        table[str(word).lower()] = bare(str(prefix))
    return table


def drug_codes(ctx: GuidelineContext) -> list[Candidate]:
    """T codes for an adverse effect ("neutropenia due to chemotherapy", "NSAID-associated ulcer"), underdosing
    ("ran out of levetiracetam") or poisoning ("acetaminophen overdose") the note states (Guideline I.C.19.e)."""
    text = ctx.text or ""
    cfg = _config()
    table = drug_table(ctx.store)
    not_asserted = re.compile(cfg.get("drug_not_asserted", r"(?!)"), re.IGNORECASE)
    found: dict[str, Candidate] = {}
    lowered = text.lower()
    for column, patterns in cfg.get("drug_patterns", {}).items():
        for pattern in patterns:
            compiled = re.compile(pattern, re.IGNORECASE)
            if not may_match_all(required_groups(compiled), lowered):
                continue  # a word every match holds is not in the note
            for m in compiled.finditer(text):
                prefix = table.get(m.group("drug").lower())
                if prefix is None:
                    continue
                if m.group("drug").lower() in cfg.get("drug_words", {}):
                    prefix = _named_member(ctx.store, prefix, text) or prefix
                c_start, c_end = clause_bounds(text, m.start(), m.end())
                clause = text[c_start:c_end]
                if not_asserted.search(text[c_start : m.start()]):
                    continue
                if _ALLERGY_AFTER.match(text, m.end()):
                    continue  # "clindamycin secondary to penicillin allergy": the reason for the choice of drug
                if ctx.setting != "inpatient" and _UNCERTAIN.search(text[c_start : m.start()]):
                    continue  # "most likely secondary to statins": uncertain, not coded outside the hospital
                if column == "adverse_effect" and m.start() - c_start < 3 and "-" not in m.group(0):
                    continue  # "due to X" needs the condition it explains before it
                last = {"adverse_effect": "5", "underdosing": "6"}.get(column) or next(
                    (d for d, rx in _INTENT if rx.search(clause)), "1"
                )
                # the 7th character from the statement itself, not the plan after it ("due to capecitabine - hold
                # until better (recheck 1 wk)" is still the initial encounter for the effect)
                code = finalize(_dotted(prefix + last), text[c_start : m.end()], None, ctx)
                if code is None:
                    continue
                span = Span(c_start, c_end, clause)
                cand = found.get(code)
                if cand is None:
                    kind = column.replace("_", " ")
                    cand = found[code] = Candidate(
                        system=ICD,
                        code=code,
                        title=ctx.store.title(ICD, code) or "",
                        score=0.0,
                        evidence=[],
                        source="rule",
                        rationale=f"rule: {kind} of {m.group('drug')} documented -> {code} (Table of Drugs, I.C.19.e)",
                        mention_text=m.group(0),
                    )
                if span not in cand.evidence:
                    cand.evidence.append(span)
    if any(_is_poisoning(code) for code in found):  # "hypotension due to drug" names the drug of the poisoning
        found = {code: c for code, c in found.items() if not code.startswith("T50.90")}
    for cand in found.values():
        cand.evidence.sort(key=lambda s: s.start)
        cand.score = final_score(cand, SOURCE_WEIGHTS["index_walk"], len(cand.evidence))
    return list(found.values())


@lru_cache(maxsize=64)
def _class_members(store: Any, head: str) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """The Table of Drugs names whose code starts with ``head`` (T393: ibuprofen, naproxen ...), as one pattern."""
    classes = _config().get("drug_words", {})
    members = {
        name: prefix
        for name, prefix in drug_table(store).items()
        if prefix.startswith(head) and name not in classes and len(name) > 4 and re.fullmatch(r"[a-z][a-z -]+", name)
    }
    if not members:
        return None, {}
    names = sorted(members, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b", re.IGNORECASE), members


def _named_member(store: Any, prefix: str, text: str) -> str | None:
    """The code of the drug the note names for a class word ("NSAID-induced ulcer" with "ibuprofen" in the note:
    T39.31, propionic acid derivatives, rather than T39.39, other NSAIDs); None when it names none or several."""
    pattern, members = _class_members(store, bare(prefix)[:4])
    if pattern is None:
        return None
    named = {members[m.group(1).lower()] for m in pattern.finditer(text)}
    return named.pop() if len(named) == 1 else None


def _is_poisoning(code: str) -> bool:
    """A Table of Drugs code in a poisoning column (sixth character 1-4: accidental, intentional, assault, unknown)."""
    b = bare(code)
    return b.startswith(("T36", "T37", "T38", "T39", "T4", "T50")) and len(b) >= 6 and b[5] in "1234"


def _dotted(code: str) -> str:
    b = bare(code)
    return f"{b[:3]}.{b[3:]}" if len(b) > 3 else b


def _speaks_of_other(text: str, span: Span, context: re.Pattern[str], lead: re.Pattern[str] | None) -> bool:
    """The mention's clause (``context``), or the words before it on its line (``lead``), show it is not the disease."""
    if context.search(text[slice(*clause_bounds(text, span.start, span.end))]):
        return True
    before = re.split(r"\.\s", text[text.rfind("\n", 0, span.start) + 1 : span.start])[-1]
    return lead is not None and bool(lead.search(before))


def not_the_disease(candidates: list[Candidate], text: str) -> list[Candidate]:
    """Drop a disease code whose every evidence clause speaks of something else (a tetanus booster is no tetanus)."""
    rules = [
        (
            specs(str(r["code"])),
            re.compile(r["context"], re.IGNORECASE),
            re.compile(r["lead"], re.IGNORECASE) if r.get("lead") else None,
        )
        for r in _config().get("not_the_disease", [])
    ]
    out = []
    for cand in candidates:
        rule = next(
            ((rx, lead) for spec, rx, lead in rules if cand.system == ICD and covers_any(spec, cand.code)), None
        )
        if rule is not None and cand.evidence:
            spans = [s for s in cand.evidence if 0 <= s.start < s.end <= len(text)]
            if spans and all(_speaks_of_other(text, s, *rule) for s in spans):
                continue
        out.append(cand)
    return out


def _injury_clauses(cand: Candidate, text: str) -> list[tuple[int, str]]:
    return [
        (s.start, text[slice(*clause_bounds(text, s.start, s.end))])
        for s in cand.evidence
        if 0 <= s.start < s.end <= len(text)
    ]


def _all_negated(clause: str) -> bool:
    """The clause names injuries and negates every one ("his left shoulder was clear of any fractures")."""
    kinds, _nt, _syn, _weak = _compiled()
    hits = [m for p in kinds.values() for m in p.finditer(clause)]
    return bool(hits) and all(_NEGATED_BEFORE.search(clause[: m.start()]) for m in hits)


def _not_an_injury(candidates: list[Candidate], text: str) -> list[Candidate]:
    """Drop an injury code (chapter 19) whose every evidence clause says it is no injury of this encounter: a risk
    explained before surgery, an injury avoided, made during a procedure or by its instruments, an old deformity or
    scar, a reaction in an allergy list, an injury the clause negates (``injury.yaml`` not_an_injury)."""
    rules = [
        (specs(str(r["code"])), re.compile(r["context"], re.IGNORECASE)) for r in _config().get("not_an_injury", [])
    ]
    out = []
    for cand in candidates:
        if cand.system == ICD and cand.code[:1] in "ST" and cand.evidence:
            patterns = [rx for spec, rx in rules if covers_any(spec, cand.code)]
            clauses = _injury_clauses(cand, text)
            if clauses and all(
                any(rx.search(clause) for rx in patterns)
                or _all_negated(clause)
                or ALLERGY_HEADER.search(header_before(text, start))
                for start, clause in clauses
            ):
                continue
        out.append(cand)
    return out


_INJURY_NOS = ("T14.8", "T14.90")


def _no_injury_nos_beside_a_specific_one(cands: list[Candidate]) -> list[Candidate]:
    """ "Injury" or "wound" of no stated site (T14.8, T14.90) is not coded beside an injury the note names by site."""
    specific = any(c.system == ICD and c.code[:1] in "ST" and not c.code.startswith("T14") for c in cands)
    if not specific:
        return cands
    return [c for c in cands if not (c.system == ICD and c.code.startswith(_INJURY_NOS))]


def _title_side(title: str) -> str | None:
    t = title.lower()
    return "right" if re.search(r"\bright\b", t) else "left" if re.search(r"\bleft\b", t) else None


def _specific_over_unspecified(cands: list[Candidate]) -> list[Candidate]:
    """One injury named twice, once fully and once less so ("Colles' fracture, right radius" in the impression,
    "distal radius fracture" or "fracture of the scaphoid" elsewhere), is one code: the more specific one of
    the same subcategory and side, with both evidences."""
    injuries = [c for c in cands if c.system == ICD and "rule: injury coded" in c.rationale]
    out = []
    for c in cands:
        better = None
        if c in injuries and "unspecified" in c.title.lower():
            side = _title_side(c.title)
            better = next(
                (
                    o
                    for o in injuries
                    if o is not c
                    and bare(o.code)[:4] == bare(c.code)[:4]
                    and bare(o.code)[6:] == bare(c.code)[6:]
                    and o.title.lower().count("unspecified") < c.title.lower().count("unspecified")
                    and side in (None, _title_side(o.title))
                ),
                None,
            )
        if better is not None:
            better.evidence = sorted(
                better.evidence + [s for s in c.evidence if s not in better.evidence], key=lambda s: s.start
            )
            better.score = max(better.score, c.score)
            add_rationale(better, f"rule: less specific {c.code} for the same injury merged")
            continue
        out.append(c)
    return out


@lru_cache(maxsize=1)
def _osteoporotic() -> tuple[
    list[CodeSpec], re.Pattern[str], re.Pattern[str], list[tuple[CodeSpec, str]], list[tuple[re.Pattern[str], str]]
]:
    """``injury.yaml`` osteoporotic_fracture: fracture specs, minor-trauma and other-cause words, M80 subcategory
    by osteoporosis code, and the site digit by title words."""
    cfg = _config()["osteoporotic_fracture"]
    return (
        specs(cfg["fractures"]),
        re.compile(cfg["minor_trauma"], re.IGNORECASE),
        re.compile(cfg["other_cause"], re.IGNORECASE),
        [(CodeSpec(k), str(v)) for k, v in cfg["subcategory"].items()],
        [(re.compile(rx, re.IGNORECASE), str(digit)) for rx, digit in cfg["sites"]],
    )


def _m80_code(fracture: Candidate, clause: str, subcategory: str, ctx: GuidelineContext) -> str | None:
    """The M80.- code of ``fracture``'s site and side, with the 7th character its clause documents."""
    _fx, _minor, _other, _sub, sites = _osteoporotic()
    title = fracture.title or (ctx.store.title(ICD, fracture.code) or "")
    digit = next((d for rx, d in sites if rx.search(title)), None)
    if digit is None:
        return None
    letter = bare(fracture.code)[6:7] if len(bare(fracture.code)) == 7 else ""
    # an S-code's 7th character for an open fracture (B, C) or its subsequent variants reads as M80's
    letter = {"B": "A", "C": "A", "E": "D", "F": "D", "H": "G", "J": "G", "M": "K", "N": "K", "Q": "P", "R": "P"}.get(
        letter, letter
    )
    side = _title_side(title) or _side(clause)
    sided = finalize(f"{subcategory}{digit}", f"{clause} {_SEVENTH_WORDS.get(letter, '')}", side, ctx)
    return sided


_SEVENTH_WORDS = {"D": "subsequent encounter", "G": "delayed healing", "K": "nonunion", "P": "malunion", "S": "sequela"}


def _same_fracture(
    cand: Candidate, by_code: dict[str, Candidate], subcategory: str, ctx: GuidelineContext
) -> Candidate | None:
    """The M80.- candidate that stands for the same fracture as ``cand`` (another current fracture code of the same
    site and side, written elsewhere without the words of a minor trauma); None when there is none."""
    fractures = _osteoporotic()[0]
    if cand.system != ICD or cand.assertion not in ("present", "possible") or not covers_any(fractures, cand.code):
        return None
    text = ctx.text or ""
    for span in cand.evidence:
        start, end = clause_bounds(text, span.start, span.end)
        code = _m80_code(cand, text[start:end], subcategory, ctx)
        if code is not None and code[:7] in {c[:7] for c in by_code}:
            return next(v for k, v in by_code.items() if k[:7] == code[:7])
    return None


# Words that make the fracture of a clause a past one: M80 is for a current fracture (M81 + Z87.310 otherwise).
_PAST_FRACTURE = re.compile(
    r"\b(?:prior|previous|history of|hx of|h/o|(?<!year-)(?<!year )(?<!years-)old|healed|remote|past)\b", re.IGNORECASE
)


def osteoporotic_fractures(cands: list[Candidate], ctx: GuidelineContext) -> list[Candidate]:
    """A current fracture of a patient with osteoporosis, from a trauma its clause calls minor (a fragility or
    osteoporotic fracture, a fall from standing height), is M80.- by site and side, not the traumatic or
    pathological fracture code nor M81.- beside it (Section I.C.13.d)."""
    fractures, minor, other, subcategories, _sites = _osteoporotic()
    osteo = [c for c in cands if c.system == ICD and c.code.startswith("M81") and c.assertion != "historical"]
    if not osteo or not ctx.text:
        return cands
    subcategory = lookup_spec(subcategories, osteo[0].code) or "M80.0"
    text = ctx.text
    replaced: dict[int, Candidate] = {}
    for cand in cands:
        if cand.system != ICD or cand.assertion not in ("present", "possible") or not covers_any(fractures, cand.code):
            continue
        for span in cand.evidence:
            start, end = clause_bounds(text, span.start, span.end)
            clause = text[start:end]
            if "fractur" not in clause.lower() and "fx" not in clause.lower() or not minor.search(clause):
                continue
            if other.search(clause) or _PAST_FRACTURE.search(text, start, span.end):
                continue  # a fracture through a tumour; a past fracture ("the prior fragility fracture")
            code = _m80_code(cand, clause, subcategory, ctx)
            if code is not None:
                why = f"rule: fracture in osteoporosis from minor trauma -> {code} (I.C.13.d)"
                new = derive(cand, code, ctx, why)
                # found as a coder finds it: Osteoporosis, with current pathological fracture, by site
                new.rationale, new.source = f"index: Osteoporosis, with current pathological fracture; {why}", "index"
                new.evidence = [Span(start, end, clause)]
                # as confirmed as the fracture and the osteoporosis it combines
                new.score = max(
                    cand.score,
                    max(o.score for o in osteo),
                    final_score(new, SOURCE_WEIGHTS["index_walk"], len(new.evidence)),
                )
                replaced[id(cand)] = new
                break
    if not replaced:
        return cands
    by_code = {new.code: new for new in replaced.values()}
    out: list[Candidate] = []
    for cand in cands:
        if id(cand) in replaced:
            out.append(replaced[id(cand)])
        elif (same := _same_fracture(cand, by_code, subcategory, ctx)) is not None:
            add_rationale(same, f"rule: {cand.code} (the same fracture) merged")
            same.evidence = sorted(
                same.evidence + [e for e in cand.evidence if e not in same.evidence], key=lambda e: e.start
            )
        elif cand in osteo:
            for new in replaced.values():
                add_rationale(new, f"rule: {cand.code} (osteoporosis without current fracture) dropped")
        else:
            out.append(cand)
    return out
