"""Alphabetic Index walk, as a coder does it: find the main term, then descend the subterms the note's words
support (modifiers in the mention's line), following the tree the index import rebuilt.

"diverticulosis of the sigmoid colon without bleeding" -> Diverticulosis > large intestine -> K57.30.
Words inside negated or hypothetical mentions do not count as modifiers ("no bleeding").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib.resources import files

from cac.codesets import CodeSetStore
from cac.codesets.index import SeeFinder
from cac.codesets.model import IndexRow
from cac.codesets.search import STOPWORDS, stem, words

_CONNECTORS = frozenset({"with", "in", "due to", "following", "complicating", "by", "associated with", "during"})
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_MARKERS = frozenset({"nec", "nos"})  # "not elsewhere classified", "not otherwise specified"
# Words an index site carries that notes leave out ("lumbar region", "sacral region"): not needed to match.
_FILLERS = frozenset({"region"})


@dataclass(frozen=True)
class WalkResult:
    code: str
    path: str
    depth: int
    words: int = 0  # modifier words the path used (the note's own words count twice)


# Noun and adjective forms of one word that the search stemmer keeps apart: "hypoxic" / "hypoxia",
# "calculous" / "calculus", "anemic" / "anemia", "ischemic" / "ischemia" (the "-ic" is stripped by ``stem``).
_FORM_ENDINGS = ("ous", "us", "ia")
# The mark of a word the note says is absent ("without aura"): such words only meet "without ..." subterms.
ABSENT_MARK = "~"
_WITHOUT = re.compile(r"^without\s+(?:mention\s+of\s+)?", re.IGNORECASE)


@lru_cache(maxsize=65536)
def walk_stem(word: str) -> str:
    """``stem`` with the noun and adjective forms of a condition brought together (hypoxic, hypoxia -> hypox), and
    the plural of an -ia noun with its singular (dyskinesias, dyskinesia -> dyskin), and a Greek plural in -mata with
    its singular in -ma (leiomyomata -> leiomyoma)."""
    if word.endswith("ias") and len(word) > 5:
        word = word[:-1]
    elif word.endswith("omata") and len(word) > 7:
        word = word[:-2]
    for ending in _FORM_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return stem(word[: -len(ending)])
    return stem(word)


def term_key(term: str) -> frozenset[str]:
    """An index term's stemmed content words, without its bracketed modifiers and its NEC/NOS markers.
    A "without ..." subterm is keyed by its words marked absent ("without aura" -> {~aura})."""
    cleaned = _BRACKETS.sub(" ", term.lower())
    without = _WITHOUT.match(cleaned)
    if without:
        rest = cleaned[without.end() :]
        return frozenset(ABSENT_MARK + walk_stem(w) for w in words(rest) if w not in STOPWORDS and w not in _MARKERS)
    listed = words(cleaned)
    if _SITE_SPECIFIED_NEC.search(
        cleaned
    ):  # "foot specified NEC": a foot the note names ("specified joint NEC" is not)
        listed = [w for w in listed if w != "specified"]
    key = frozenset(walk_stem(w) for w in listed if w not in STOPWORDS and w not in _MARKERS)
    return key - _FILLERS if key - _FILLERS else key


_SITE_SPECIFIED_NEC = re.compile(r"\w\s+specified\s+nec\b")


def _subterm_key(term: str, nonessential: str | None) -> frozenset[str]:
    """A subterm's words; a bare "and" takes its meaning from its modifiers ("and (on) chronic" under "acute")."""
    key = term_key(term)
    if not key and nonessential:
        key = term_key(nonessential.replace("(on)", " ")) or frozenset(
            walk_stem(w) for w in words(nonessential) if w not in STOPWORDS
        )
    return key


@lru_cache(maxsize=1)
def walk_synonyms() -> dict[str, list[str]]:
    """Note word -> the words the Alphabetic Index uses for it (``resources/walk_synonyms.tsv``)."""
    text = (files("cac.coding") / "resources" / "walk_synonyms.tsv").read_text(encoding="utf-8")
    out: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            word, _tab, index_words = line.partition("\t")
            out.setdefault(word.strip().lower(), []).extend(words(index_words))
    return out


def main_term_forms(term: str) -> set[str]:
    """A main term and the comma-separated forms of its first word ("Failure, failed"), but not the words
    that qualify it ("Myoadenoma, prostate" is not a main term "prostate")."""
    parts = term.split(", ")
    head = words(parts[0])
    forms = {term, parts[0]}
    for part in parts[1:]:
        part_words = words(part)
        if head and part_words and part_words[0][:3] == head[0][:3]:
            forms.add(part)
    return forms


def _follow(finder: SeeFinder, reference: str) -> IndexRow | None:
    """The row a "see" reference names; "with cholecystitis" in it is the subterm "cholecystitis" under "with"
    (Cholecystitis > with > calculus > gallbladder: see Calculus, gallbladder, with cholecystitis)."""
    if reference.startswith(_NEOPLASM_TABLE):
        return None  # the Table of Neoplasms, not a main term ("Neoplasm, benign" is no "Neoplasm, benign lipomatous")
    target = finder.find(reference)
    if target is None and reference.endswith(_BY_SITE):  # "see Ulcer, pressure, by site": the sites are there
        target = finder.find(reference.removesuffix(_BY_SITE))
    if target is None and ", with " in reference:
        target = finder.find(_WITH_STEP.sub(", with, ", reference))
    parts = reference.split(", ")
    if target is None and len(parts) >= 3:  # "see Diverticulosis, intestine, large": the index writes "large intestine"
        target = finder.find(", ".join([*parts[:-2], f"{parts[-1]} {parts[-2]}"]))
    return target


_BY_SITE = ", by site"
_NEOPLASM_TABLE = "Neoplasm,"
_WITH_STEP = re.compile(r",\s*with\s+")


def _alternatives(term: str) -> list[str]:
    """The choices of an "or" subterm: "atrial or auricular"; each word of a list of single words
    ("neuritis, radiculitis, radiculopathy or sciatica")."""
    choices = term.split(" or ")
    items = re.split(r", | or ", term)
    if len(items) > len(choices) and all(len(term_key(item)) == 1 for item in items):
        return items
    return choices


def _word_forms(term: str) -> list[str]:
    """The parts of a subterm that are all forms of one word ("respiration, respiratory", "pelvis, pelvic"); none
    when a part qualifies rather than restates ("femur, neck", "with calculus, kidney")."""
    parts = term.split(", ")
    heads = [words(part) for part in parts]
    if len(parts) < 2 or not all(heads) or len({head[0][:3] for head in heads}) > 1:
        return []
    return parts


class IndexTree:
    """The main Alphabetic Index in memory: main terms by their word keys, children by parent."""

    def __init__(self, store: CodeSetStore) -> None:
        self.children: dict[int, list[tuple[frozenset[str], bool, str, str | None, int]]] = {}
        self.mains: dict[frozenset[str], list[tuple[int, str, str | None]]] = {}
        self.main_modifiers: dict[int, frozenset[str]] = {}  # a main term's nonessential modifiers
        self.coded: set[int] = set()  # the rows that carry a code
        modifiers: dict[int, frozenset[str]] = {}  # a subterm's nonessential modifiers
        rows = list(store.index_rows("main"))
        for row in rows:
            term = row.term
            if row.code:
                self.coded.add(row.id)
            if (
                row.parent_id is not None
                and row.nonessential
                and term_key(row.term)
                and _ONE_WORD.fullmatch(row.nonessential)
            ):
                # one parenthetical word ("retention (ovary)"), not a list of the term's kinds ("(benign) (solitary)")
                modifiers[row.id] = frozenset(walk_stem(w) for w in words(row.nonessential) if w not in STOPWORDS)
            if row.parent_id is None:
                if row.nonessential:
                    self.main_modifiers[row.id] = frozenset(
                        walk_stem(w) for w in words(row.nonessential) if w not in STOPWORDS
                    )
                for variant in main_term_forms(term):
                    key = term_key(variant)
                    if key:
                        self.mains.setdefault(key, []).append((row.id, term, row.code))
            else:
                # A connector with a code of its own lost the condition it joins ("Gout, in (due to)" for "in (due
                # to) renal impairment", M10.30): its subterms are that condition's sites, so no walk passes it.
                lost = term.lower() in _CONNECTORS and row.code is not None
                connector = term.lower() in _CONNECTORS and not lost
                key = frozenset() if connector or lost else _subterm_key(term, row.nonessential)
                if not term_key(term) and row.nonessential:
                    term = f"{term} {row.nonessential}"  # shown in the rationale as "and (on) chronic"
                siblings = self.children.setdefault(row.parent_id, [])
                siblings.append((key, connector, term, row.code, row.id))
                stage = _STAGE_WITH_LETTER.fullmatch(row.term.strip().lower())
                if stage:  # "CKD 3b" says stage 3b without the word "stage"; a bare "3" would be too loose
                    siblings.append((frozenset({stage.group(1)}), False, term, row.code, row.id))
                if not connector and ", " in row.term:  # "respiration, respiratory": forms of one word
                    for form in _word_forms(row.term):
                        form_key = term_key(form)
                        if form_key and form_key != key:
                            siblings.append((form_key, False, term, row.code, row.id))
                if not connector and " or " in row.term:  # "atrial or auricular": either word will do
                    negative = _WITHOUT.match(row.term.lower())
                    for alternative in _alternatives(row.term):
                        if negative and not _WITHOUT.match(alternative.lower()):
                            alternative = f"without {alternative}"  # "without rupture or perforation"
                        alt_key = term_key(alternative)
                        if alt_key and alt_key != key:
                            siblings.append((alt_key, False, term, row.code, row.id))
        # A subterm that says "see X" and has no subterms of its own continues at X
        # (Dependence > nicotine: see Dependence, drug, nicotine -> its "cigarettes" subterm).
        finder = SeeFinder(rows)
        self.see_targets: dict[int, int] = {}
        # A subterm without a code of its own that says "see X" takes X's code when the note names nothing deeper
        # (Regurgitation > mitral: see Insufficiency, mitral -> I34.0).
        self.see_codes: dict[int, tuple[str, str]] = {}
        for row in rows:
            if row.see and row.parent_id is not None:
                target = _follow(finder, row.see)
                if target is None or target.id == row.id:
                    continue
                if row.id not in self.children and target.id in self.children:
                    self.see_targets[row.id] = target.id
                if row.code is None and target.code:
                    self.see_codes[row.id] = (target.code, row.see)
        # So does one that says "see also X" where X codes the same (Fibroid > uterus D25.9: see also Leiomyoma,
        # uterus -> its "intramural" subterm, D25.1).
        for row in rows:
            if row.parent_id is None or row.id in self.children or not (row.see or row.see_also):
                continue
            target = _follow(finder, row.see or row.see_also or "")
            if target is None or target.id not in self.children or target.id == row.id:
                continue
            if row.see or (row.code is not None and target.code == row.code):
                self.see_targets[row.id] = target.id
        # A main term that says "see X" or "see also X" continues at X when its own subterms take the note no
        # further (Cholelithiasis: see Calculus, gallbladder -> "with cholecystitis"; Gallstone: see also ...).
        self.main_refs: dict[int, tuple[int, str, str | None]] = {}
        for row in rows:
            reference = row.see or row.see_also
            if row.parent_id is not None or not reference or _NO_TARGET.search(reference):
                continue
            target = _follow(finder, reference)
            if target is not None and target.id != row.id and (target.code or target.id in self.children):
                self.main_refs[row.id] = (target.id, target.path.replace(" > ", ", "), target.code)
        for siblings in self.children.values():  # on a tie the term the index lists directly wins over a "see"
            siblings.sort(key=lambda child: child[4] in self.see_targets)
        self.assumed_sites = _assumed_sites(self.children, modifiers)
        self.keys_by_word: dict[str, list[frozenset[str]]] = {}
        for key in self.mains:
            for w in key:
                self.keys_by_word.setdefault(w, []).append(key)

    def walk(
        self,
        mention_words: frozenset[str],
        context: frozenset[str],
        direct: frozenset[str] | None = None,
        near: frozenset[str] | None = None,
        modifier: bool = False,
    ) -> WalkResult | None:
        """The deepest coded node reachable from a main term named in the mention, modifiers from the context.
        ``direct``: the context's own words (without synonyms); on a tie, subterms written in the note win.
        ``near``: for a lone word, the words of its own phrase (see ``near_phrase``), the only ones a main term's
        "see" reference is followed with; ``modifier``: the lone word is an adjective or participle ("atrophic",
        "bleeding"), which reaches the reference's code only through a subterm its phrase names."""
        best: WalkResult | None = None
        direct = direct if direct is not None else context
        keys = {key for w in mention_words for key in self.keys_by_word.get(w, ()) if key <= mention_words}
        for key in sorted(keys, key=sorted):
            for node_id, term, code in self.mains[key]:
                result = self._descend(node_id, term, code, context, direct)
                reference = self.main_refs.get(node_id)
                if reference is not None and (result is None or result.depth == 0):
                    referred = self._refer(reference, mention_words, context, direct, near, modifier)
                    if referred is not None and (result is None or referred.depth > 0):
                        result = replace(referred, path=f"{term}, see {referred.path}")
                if result is None:
                    continue
                # The mention's other words among the main term's nonessential modifiers ("ischemic stroke":
                # Stroke (ischemic)) tell the main term the mention names from one it merely contains.
                covered = len((mention_words - key) & self.main_modifiers.get(node_id, frozenset()))
                result = replace(result, words=result.words + covered)
                if best is None or (result.depth, result.words) > (best.depth, best.words):
                    best = result
        return best

    def _refer(
        self,
        reference: tuple[int, str, str | None],
        mention_words: frozenset[str],
        context: frozenset[str],
        direct: frozenset[str],
        near: frozenset[str] | None,
        modifier: bool,
    ) -> WalkResult | None:
        """The walk continued at a main term's "see" target. A lone word continues with its own phrase's words only
        ("atrophic right testis", not "secretions adherent to the trachea"); a lone adjective or participle gets
        the target's own code only when it is the target's word, not a condition it merely qualifies."""
        target_id, target_term, target_code = reference
        if near is None:
            return self._descend(target_id, target_term, target_code, context, direct)
        referred = self._descend(target_id, target_term, target_code, near, direct & near)
        if referred is not None and referred.depth == 0 and modifier and not mention_words & term_key(target_term):
            return None
        return referred

    def _descend(
        self, node_id: int, term: str, code: str | None, context: frozenset[str], direct: frozenset[str]
    ) -> WalkResult | None:
        """Depth-first over the subterms the context supports; the path reaching the deepest code wins."""

        def options(
            current: int, depth: int, used: frozenset[str]
        ) -> list[tuple[int, str, str | None, int, frozenset[str]]]:
            found = []
            current = self.see_targets.get(current, current)
            # Below a subterm with no code of its own, "without X" is the default when the note does not state X
            # (Migraine > without aura > not intractable > without status migrainosus: G43.009).
            default_ok = depth > 0 and current not in self.coded
            for key, connector, child_term, child_code, child_id in self.children.get(current, []):
                if connector:  # "with" / "in": look through it at its subterms
                    for gkey, gconn, g_term, g_code, g_id in self.children.get(child_id, []):
                        if gkey and not gconn and gkey <= context and not gkey <= used:
                            found.append((len(gkey) + len(gkey & direct), f"{child_term} {g_term}", g_code, g_id, gkey))
                elif key and key <= context and not (key <= used and _WITH_ROW.match(child_term)):
                    # "Cyst, retention (ovary)": a subterm assuming a sibling site the note does not name loses a
                    # tie to the site the note names ("retention cyst of the maxillary sinus": Cyst, sinus)
                    sites = self.assumed_sites.get(child_id)
                    unnamed = sites is not None and not any(site <= context for site in sites)
                    found.append((len(key) + len(key & direct) - unnamed, child_term, child_code, child_id, key))
                elif default_ok and key and _unstated_absence(key, context):
                    found.append((0, child_term, child_code, child_id, frozenset()))
            return found

        def best_from(
            current: int, depth: int, guard: int, used: frozenset[str]
        ) -> tuple[tuple[int, int], list[str], str | None]:
            """A "with" subterm names a word the path has not read yet: "Cholesterol > elevated" does not go on to
            "with elevated (triglycerides)" on the one "elevated" of "elevated cholesterol" (a plain subterm may repeat
            one: "Ulcer > foot > foot specified NEC", "Injury > pressure > injury")."""
            best: tuple[tuple[int, int], list[str], str | None] = ((0, 0), [], None)
            if guard > 8:
                return best
            for words_matched, child_term, child_code, child_id, key in options(current, depth, used):
                score, sub_path, sub_code = best_from(child_id, depth + 1, guard + 1, used | key)
                if sub_code is not None:
                    candidate = ((score[0] + 1, score[1] + words_matched), [child_term, *sub_path], sub_code)
                elif child_code is not None:
                    candidate = ((1, words_matched), [child_term], child_code)
                elif child_id in self.see_codes:
                    see_code, see_term = self.see_codes[child_id]
                    candidate = ((1, words_matched), [f"{child_term}, see {see_term}"], see_code)
                else:
                    continue
                if candidate[0] > best[0]:
                    best = candidate
            return best

        (depth, matched), path, found = best_from(node_id, 0, 0, term_key(term))
        if found is None:
            if code is None:
                return None
            return WalkResult(code, term, 0)
        return WalkResult(found, ", ".join([term, *path]), depth, matched)


_ONE_WORD = re.compile(r"\(\s*[A-Za-z-]+\s*\)")


def _assumed_sites(
    children: dict[int, list[tuple[frozenset[str], bool, str, str | None, int]]], modifiers: dict[int, frozenset[str]]
) -> dict[int, list[frozenset[str]]]:
    """The subterms whose one-word nonessential modifier names a sibling subterm of the same category ("Cyst,
    retention (ovary)" N83.29 beside "Cyst, ovary" N83.20), with the keys of the sites they assume."""
    out: dict[int, list[frozenset[str]]] = {}
    for siblings in children.values():
        for _key, _connector, _term, _code, child_id in siblings:
            mods = modifiers.get(child_id)
            if not mods:
                continue
            code = next((c for _k, _conn, _t, c, other in siblings if other == child_id), None)
            # the sibling the modifier names codes in the subterm's own category: the subterm is a kind of it
            sites = [
                k
                for k, conn, _t, c, other in siblings
                if not conn and other != child_id and k and k <= mods and c and code and c[:3] == code[:3]
            ]
            if sites:
                out[child_id] = sites
    return out


# A subterm written as "with X" in one row ("Cholesterol > elevated > with elevated (triglycerides)").
_WITH_ROW = re.compile(r"(?:with|in|due to)\s", re.IGNORECASE)


def _unstated_absence(key: frozenset[str], context: frozenset[str]) -> bool:
    """A "without X" subterm's key whose X the context does not state present."""
    return all(w.startswith(ABSENT_MARK) for w in key) and not {w[1:] for w in key} & context


# References that name no index row to continue at ("see condition", "see Neoplasm, malignant, by site").
_NO_TARGET = re.compile(r"\bcondition\b|\bby site\b", re.IGNORECASE)
_STAGE_WITH_LETTER = re.compile(r"stage (\d[a-z])")
# List numbering ("1. Type 2 diabetes") is not a modifier: it would read as "type 1".
_LIST_MARKER = re.compile(r"(?m)^\s*(?:#|\d{1,2}[.)])\s*")
# "non-pressure ulcer" names no pressure ulcer: read as one word ("nonpressure"), which no index subterm names. So is
# "non-Hodgkin": its "non" is no "non-follicular" beside "follicular" ("follicular non-Hodgkin lymphoma": C82.9-).
_NON_PRESSURE = re.compile(r"\bnon[- ]?(?=pressure\b|hodgkin)", re.IGNORECASE)
_ABSENT = re.compile(
    r"\b(without|no|denies|denied|negative for|free of|absence of|not(?= (?:yet )?in (?:\w+ )?remission\b))\b"
    r"[^.,;:\n]*",
    re.IGNORECASE,
)  # "not in remission": the tabular's "in remission" is not stated


_ORDINALS = {
    "1": ("first", "1st"),
    "2": ("second", "2nd"),
    "3": ("third", "3rd"),
    "4": ("fourth", "4th"),
    "i": ("first", "1st"),
    "ii": ("second", "2nd"),
    "iii": ("third", "3rd"),
    "iv": ("fourth", "4th"),
}
# Words a number may follow as a modifier of the index ("stage 1", "type 2", "grade 3").
_NUMBERED = frozenset({"stage", "grade", "type", "class", "degree", "level", "phase", "tier", "gravida", "para"})


# A lone word's phrase (``near_phrase``) stops at these: a clause mark, or a word that starts another phrase
# ("adherent to the trachea", "bleeding around the bladder wall", "bleeding due to low cardiac reserve").
_PHRASE_STOP = re.compile(r"[.;:()\[\]\n]")


@lru_cache(maxsize=1)
def phrase_words() -> dict[str, frozenset[str]]:
    """Kind ("barrier", "copula", "determiner") -> the words that bound a lone word's phrase
    (``resources/phrase_words.tsv``)."""
    text = (files("cac.coding") / "resources" / "phrase_words.tsv").read_text(encoding="utf-8")
    out: dict[str, set[str]] = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            kind, _tab, listed = line.partition("\t")
            out.setdefault(kind.strip(), set()).update(listed.lower().split())
    return {kind: frozenset(listed) for kind, listed in out.items()}


_NEAR_BEFORE = 3
_NEAR_AFTER = 4
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'/-]*")
# Endings of adjectives and participles ("atrophic", "enlarged", "bleeding", "adherent", "gangrenous").
_MODIFIER_ENDING = re.compile(r"(?:ic|ed|ing|ent|ant|ous|ive|al|ar|ary|ory|ful|less|ible|able)$", re.IGNORECASE)


def is_modifier_word(text: str) -> bool:
    """One word with an adjective's or participle's ending ("atrophic", "enlarged", "bleeding")."""
    word = text.strip()
    return bool(_TOKEN.fullmatch(word)) and bool(_MODIFIER_ENDING.search(word))


def near_phrase(text: str, start: int, end: int) -> str:
    """The phrase a lone word at ``text[start:end]`` belongs to: up to three content words before it (through a
    copula: "testis was atrophic") and four after ("gangrene of her left fifth toe"), not past a clause mark or
    a word starting another phrase ("adherent to the trachea": "adherent"); a determiner right after it makes it a
    verb with an object and ends the phrase ("we enlarged the hiatus")."""
    bounds = phrase_words()
    barriers, copulas, determiners = bounds["barrier"], bounds["copula"], bounds["determiner"]
    before = _PHRASE_STOP.split(text[max(0, start - 120) : start])[-1]
    after = _PHRASE_STOP.split(text[end : end + 120])[0]
    kept_before: list[str] = []
    for token in reversed(_TOKEN.findall(before)):
        low = token.lower()
        if low in copulas:
            continue
        if low in barriers or sum(w.lower() not in STOPWORDS for w in kept_before) >= _NEAR_BEFORE:
            break
        kept_before.insert(0, token)
    kept_after: list[str] = []
    tokens = _TOKEN.findall(after)
    if not (tokens and tokens[0].lower() in determiners):
        for token in tokens:
            low = token.lower()
            content = [w for w in kept_after if w.lower() not in STOPWORDS and w.lower() not in determiners]
            if low in barriers or low in copulas or len(content) >= _NEAR_AFTER:
                break
            kept_after.append(token)
    return " ".join([*kept_before, text[start:end], *kept_after])


def context_words(text: str, synonyms: bool = True) -> frozenset[str]:
    """Stemmed content words of a stretch of note text, with the index's words for them when ``synonyms``."""
    written, with_synonyms = written_and_index_words(text)
    return with_synonyms if synonyms else written


# An electronic nicotine product is no cigarette: "e-cigarette", "vapes daily" read as one word, "vaping", which the
# index writes as a specified product other than cigarettes (Dependence, drug, nicotine, specified product NEC F17.29-).
_VAPING = re.compile(
    r"\be-?cig(?:arette|s)?s?\b|\belectronic\s+(?:nicotine|cigarettes?)\b|\bvap(?:e|es|ed|ing|er|ers)\b", re.I
)


# An axis the note says it leaves open names no value of it: "Dementia, unspecified severity" is not "severe".
_UNSTATED_AXIS = re.compile(
    r"\b(?:unspecified|unknown|undetermined)\s+(?:severity|type|site|laterality|side|stage|acuity|episode|trimester|"
    r"organism|location|cause|etiology)\b",
    re.IGNORECASE,
)


# A spinal level names its region in the index's words: "L4-L5" lumbar, "L5-S1" lumbosacral, "C5-6" cervical. A lone
# level counts for the lumbar, sacral and cervical spine; a lone "T1" or "T2" is as often an MRI sequence or a stage.
_SPINAL_LEVEL = re.compile(r"(?<![\w.-])([CTLS])(\d{1,2})(?:\s?[-/]\s?([CTLS])?(\d{1,2}))?(?![\w.])")
_LEVELS = {"C": 8, "T": 12, "L": 5, "S": 5}
_REGION = {"C": "cervical", "T": "thoracic", "L": "lumbar", "S": "sacral"}
_JUNCTION = {("C", "T"): "cervicothoracic", ("T", "L"): "thoracolumbar", ("L", "S"): "lumbosacral"}


# Levels name the region of a disc disorder or radiculopathy whose words name none ("L4-L5 disc extrusion with
# radiculopathy"); a region written out wins, and other conditions keep their own words ("cervical" is also the cervix).
_DISC_WORDS = re.compile(r"\b(?:dis[ck]s?|radiculopath\w*|radicular)\b", re.IGNORECASE)
_REGION_WORDS = re.compile(
    r"\b(?:cervical|thoracic|lumbar|sacral|lumbosacral|thoracolumbar|cervicothoracic|neck|back)\b", re.IGNORECASE
)


def spinal_regions(text: str) -> set[str]:
    """The index's region words for the spinal levels ``text`` names ("L4-L5" -> lumbar)."""
    out: set[str] = set()
    for m in _SPINAL_LEVEL.finditer(text):
        first, low, second, high = m.group(1), int(m.group(2)), m.group(3) or m.group(1), m.group(4)
        if not 1 <= low <= _LEVELS[first]:
            continue
        if high is None:
            if first != "T":
                out.add(_REGION[first])
            continue
        if not 1 <= int(high) <= _LEVELS[second]:
            continue
        out.add(_REGION[first] if first == second else _JUNCTION.get((first, second), _REGION[first]))
    return out | {"spinal"} if out else out  # the spine's region, not the cervix's ("Stenosis, spinal, cervical")


# A stage in Roman numerals or without the word "stage" after CKD ("CKD IIIb", "CKD 4", "stage IV") is the index's
# "stage 3b", "stage 4"; a bare number counts only right after "CKD" or "stage".
_STAGE_NUMBER = re.compile(
    r"\b(ckd|kidney disease|stage)[\s,]*(?:stage\s*)?(iiia|iiib|iii|ii|iv|v|i|[1-5])(?:\s?([ab]))?\b"
    r"(?![\s-]*(?:years?|yrs?|months?|mos?|weeks?|wks?|days?|times|x\b|%|mg|/))",
    re.I,
)
_STAGE_WORD = re.compile(r"stage|ckd|kidney disease", re.I)
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "iiia": "3a", "iiib": "3b"}


def _arabic_stage(m: re.Match[str]) -> str:
    """ "CKD IIIb" -> "CKD stage 3b"; "stage IV" -> "stage 4"."""
    number = m.group(2).lower()
    stage = _ROMAN.get(number, number) + (m.group(3) or "").lower()
    return f"stage {stage}" if m.group(1).lower() == "stage" else f"{m.group(1)} stage {stage}"


def arabic_stages(text: str) -> str:
    """``text`` with each CKD or other stage written as the index writes it ("stage 3b")."""
    return _STAGE_NUMBER.sub(_arabic_stage, text) if _STAGE_WORD.search(text) else text


# A capital R or L right before a sided body part is the side ("R knee OA", "L hip DJD"): the index's "unilateral".
_SIDE_BEFORE_PART = re.compile(
    r"(?<![\w/.-])([RL])\.?\s+(?=(?:knee|hip|shoulder|elbow|wrist|hand|ankle|foot|leg|arm|thigh|forearm|finger|"
    r"thumb|toe|heel|great toe|eye|ear|breast|lung|kidney|axilla|groin|buttock)s?\b)"
)


def _side_word(m: re.Match[str]) -> str:
    return "right " if m.group(1) == "R" else "left "


def written_and_index_words(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The stretch's own stemmed content words, and the same with the index's words for them, in one pass.
    Words the note says are absent ("without aura", "no bleeding") are kept apart, marked with ABSENT_MARK: they
    meet only the index's "without ..." subterms, never the condition itself."""
    text = _UNSTATED_AXIS.sub(" ", _NON_PRESSURE.sub("non", _VAPING.sub(" vaping ", _LIST_MARKER.sub(" ", text))))
    text = arabic_stages(text)
    text = _SIDE_BEFORE_PART.sub(_side_word, text)
    written: set[str] = set()
    extra: set[str] = set()
    present = []
    cursor = 0
    for absent in _ABSENT.finditer(text):
        present.append(text[cursor : absent.start()])
        cursor = absent.end()
        gone, gone_extra = _stretch_words(absent.group(0)[len(absent.group(1)) :])
        written.update(ABSENT_MARK + w for w in gone)
        extra.update(ABSENT_MARK + w for w in gone_extra)
    present.append(text[cursor:])
    here, here_extra = _stretch_words(" ".join(present))
    written |= here
    extra |= here_extra
    if any(ch.isdigit() for ch in text) and _DISC_WORDS.search(text) and not _REGION_WORDS.search(text):
        extra.update(walk_stem(w) for w in spinal_regions(text))
    return frozenset(written), frozenset(written | extra)


# A pronoun names no subterm: "his kidney disease" is not His(-Werner) disease (A79.0).
_PRONOUNS = frozenset({"he", "she", "his", "her", "hers", "him", "they", "their", "them", "its"})


def _stretch_words(text: str) -> tuple[set[str], set[str]]:
    """Stemmed content words of ``text`` and the index's words for them (synonyms, ordinals of a grade)."""
    written: set[str] = set()
    extra: set[str] = set()
    tokens = words(text)
    for i, w in enumerate(tokens):
        if w in STOPWORDS or w in _PRONOUNS:
            continue
        if w.isdigit() and (i == 0 or tokens[i - 1] not in _NUMBERED):
            continue  # "A1c 7.1" is no stage 1; a number counts only after the word it numbers ("stage 3", "type 2")
        if i > 0 and tokens[i - 1] in ("grade", "degree") and w in _ORDINALS:
            # "grade 2 hemorrhoids" says what the index writes as "second degree"
            written.update(walk_stem(x) for x in (*_ORDINALS[w], "degree"))
        written.add(walk_stem(w))
        for synonym in walk_synonyms().get(w, []):
            extra.add(walk_stem(synonym))
    return written, extra


# Tabular words a note never states by themselves: a code "Other ..." or "... specified ..." is not chosen for them.
_UNSTATED = frozenset(walk_stem(w) for w in ("other", "specified", "unspecified"))
_UNSPECIFIED = re.compile(r"\bunspecified\b", re.IGNORECASE)
_WITHOUT_TAIL = re.compile(r"\bwithout\b[^,;]*", re.IGNORECASE)
# A one-letter side before the part it sides ("R 2nd toe", "L breast"), or as a list item of its own ("cancer, L,
# UOQ"), written in capitals.
_SIDE_LETTER = re.compile(r"(?<![\w/.-])([RL])(?=\s+[A-Za-z0-9]|,\s)")  # "R 2nd toe", "Breast cancer, L, UOQ"
# A category too large to search title by title (injuries with their 7th characters are coded elsewhere).
_MAX_POOL = 400


def side_words(text: str) -> frozenset[str]:
    """The sides a clause gives by a capital letter ("R 2nd toe" -> right), as tabular titles write them."""
    return frozenset(walk_stem("right" if m.group(1) == "R" else "left") for m in _SIDE_LETTER.finditer(text))


def tabular_key(title: str) -> frozenset[str]:
    """A tabular title's words, less what it says is absent ("without organ or systems involvement")."""
    return term_key(_WITHOUT_TAIL.sub(" ", title))


class TabularRefiner:
    """The billable codes the note states more exactly than an unspecified or non-billable code, read from the tabular
    titles (see ``refine``); the titles of a category are read once."""

    def __init__(self, store: CodeSetStore, system: str) -> None:
        self.store = store
        self.system = system
        self._pools: dict[str, list[tuple[str, frozenset[str], int, frozenset[str]]]] = {}

    def _pool(self, scope: str) -> list[tuple[str, frozenset[str], int, frozenset[str]]]:
        """The billable codes of a category with their title words, how often their titles say "unspecified", and
        the words they say are absent ("without crisis")."""
        pool = self._pools.get(scope)
        if pool is None:
            codes = self.store.billable_descendants(self.system, scope, limit=_MAX_POOL + 1)
            pool = []
            for code in codes if len(codes) <= _MAX_POOL else []:
                title = self.store.title(self.system, code) or ""
                absent = frozenset(w.lstrip("~") for m in _WITHOUT_TAIL.finditer(title) for w in term_key(m.group()))
                pool.append((code, tabular_key(title), len(_UNSPECIFIED.findall(title)), absent))
            self._pools[scope] = pool
        return pool

    def refine(self, code: str, context: frozenset[str]) -> list[str]:
        """A code of the same category whose title adds words, every one of them in ``context``, to ``code``'s own
        ("Major depressive disorder, recurrent, unspecified" + "moderate" -> F33.1; "..., unspecified ankle and foot"
        + "right" -> M86.171). The most added words win, then the fewest of ``code``'s words lost; two codes tied on
        different words are both stated ("left femoral and popliteal veins"); otherwise ``[code]``."""
        title = self.store.title(self.system, code) or ""
        billable = self.store.is_billable(self.system, code)
        if (billable and "unspecified" not in title.lower()) or code[:1] in ("S", "T"):
            return [code]
        base = tabular_key(title)
        vague = _UNSPECIFIED.findall(title)
        ranked: list[tuple[int, int, str, frozenset[str]]] = []
        for candidate, key, candidate_vague, absent in self._pool(code.split(".")[0]):
            if candidate_vague >= len(vague) and (billable or candidate_vague):
                continue  # no more specified than the code itself ("Unspecified malignant neoplasm of skin")
            if absent & base:
                continue  # the title denies what the code states ("Hb-SS disease with crisis": not "without crisis")
            added = key - base
            if candidate != code and added and not added & _UNSTATED and added <= context:
                ranked.append((len(added), len(base - key - _UNSTATED), candidate, added))
        if not ranked:
            return [code]
        ranked.sort(key=lambda r: (-r[0], r[1], r[2]))
        top = [r for r in ranked if r[:2] == ranked[0][:2]]
        if len(top) == 1:
            return [top[0][2]]
        if len(top) == 2 and top[0][3] != top[1][3]:
            return [top[0][2], top[1][2]]
        return [code]
