"""The concept matcher: code-set terms and our synonyms indexed by order-free bags of lemmatised words.

Built once from ``cac.codesets`` (ICD-10-CM titles, inclusion and index terms for problems; ICD-10-PCS and
CPT terms for procedures) plus ``resources/synonyms.tsv``, then pickled under ``cac_home()/cache`` keyed by
the store releases and the resource files. Matching slides windows over runs of known words, so word order
("kidney disease, chronic, stage 3") does not matter; single-edit typos of longer words are corrected.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from cac.nlp.abbreviations import word_abbreviations, written_as_abbreviation
from cac.nlp.lexicon import read_rows, resources_digest
from cac.nlp.normalise import STOPWORDS, bag, content_words

log = logging.getLogger(__name__)

MATCHER_VERSION = "15"
MAX_WORDS = 8
MIN_TYPO_LEN = 6
PROBLEM_SYSTEMS = ("ICD-10-CM",)
PROCEDURE_SYSTEMS = ("ICD-10-PCS", "CPT")
MAX_CANDIDATES = 12

Candidate = tuple[str, str, str]  # (system, code, source)


@dataclass
class TermIndex:
    """Bag key -> candidates, the word vocabulary and a one-deletion index for typo correction."""

    entries: dict[tuple[str, ...], list[Candidate]] = field(default_factory=dict)
    vocab: set[str] = field(default_factory=set)
    deletes: dict[str, str] = field(default_factory=dict)
    kinds: dict[tuple[str, ...], str] = field(default_factory=dict)  # type of codeless synonyms
    key: str = ""
    heads: list[tuple[list[str], Candidate]] = field(default_factory=list)  # see ``add_heads``
    # bag key -> candidate -> the abbreviation that is also an English word the key names it by ("all" for
    # "Acute lymphoblastic leukemia [ALL]"): the candidate needs the note to write the abbreviation in capitals
    cased: dict[tuple[str, ...], dict[Candidate, str]] = field(default_factory=dict)
    # the substances of the Table of Drugs and Chemicals, and the terms and subterms of the Alphabetic Index (bag
    # keys): a substance the index names nowhere else is a drug, not a mention ("salicylic acid"; see ``finish``)
    substances: set[tuple[str, ...]] = field(default_factory=set)
    main_terms: set[tuple[str, ...]] = field(default_factory=set)

    def add(self, text: str, system: str, code: str, source: str) -> None:
        drug_row = _DRUG_COLUMN.search(text) if source == "index" else None
        if drug_row:  # "Salicylic acid > ... Adverse effect": the substance, before its column and subterms
            self.substances.update(bag(w) for w in _variants(text[: drug_row.start()].split(" > ")[0]) if w)
        elif source == "index":  # every term and subterm of the index, a site ("Disease > liver") as well
            for k, segment in enumerate(text.split(" > ")):
                self.main_terms.update(bag(w) for w in _variants(segment, main=k == 0) if w)
        worded = [a for a in [*_ACRONYM.findall(text), text] if a in word_abbreviations()]
        for variant in _acronym_variants(text):
            if " > " in variant:
                self._add_index_path(variant, system, code, source)
                continue
            variant_words = content_words(variant)
            self._add_words(variant_words, (system, code, source))
            for acronym in worded:
                # the abbreviation in place of its words, or an index term that is the abbreviation alone ("AIDS")
                if (variant != text or text == acronym) and re.search(rf"\b{acronym}\b", variant) and variant_words:
                    self.cased.setdefault(bag(variant_words), {})[(system, code, source)] = acronym
            if source == "index" and ", " in variant and _qualified_condition(variant):
                # "Hypertriglyceridemia, essential": a main term without subterms, the condition qualified
                self.heads.append((content_words(variant.split(",")[0]), (system, code, source)))

    def add_heads(self) -> None:
        """The first word of a qualified main term ("Hypertriglyceridemia, essential" E78.1) stands for it when
        nothing else in the index or the titles names that word alone."""
        unnamed = {bag(words) for words, _cand in self.heads if not self.entries.get(bag(words))}
        for words, cand in self.heads:
            if bag(words) in unnamed:
                self._add_words(words, cand)
        self.heads = []

    def _add_words(self, words: list[str], cand: Candidate | None) -> None:
        if not words or len(set(words)) > MAX_WORDS:
            return
        k = bag(words)
        bucket = self.entries.setdefault(k, [])
        # our synonym lexicon is added last: its row is kept past the cap ("lipoma" names twenty CPT excisions first)
        full = len(bucket) >= MAX_CANDIDATES and (cand is None or cand[2] != "synonym")
        if cand is not None and not full and cand not in bucket:
            bucket.append(cand)
        self.vocab.update(k)

    def _add_index_path(self, text: str, system: str, code: str, source: str) -> None:
        """An index path "Main, variant > sub > subsub": the full path and main + last subterm, each with the code,
        and the main term alone as a recognised concept (no candidates: the index gives it no code of its own)."""
        raw = text.split(" > ")
        segments = [_variants(s, main=k == 0) for k, s in enumerate(raw)]
        cand = (system, code, source)
        # "Main > with > last" may be said as "main last"; "Ischemia > intestine > acute" may not be "acute ischemia".
        skip_middle = len(raw) > 2 and all(_is_grouping(s) for s in raw[1:-1])
        for main in segments[0]:
            for last in segments[-1]:
                middle = [w for seg in segments[1:-1] for w in seg[0]]
                self._add_words(main + middle + (last if len(segments) > 1 else []), cand)
                if skip_middle:
                    self._add_words(main + last, cand)
            self._add_words(main, None)

    def finish(self) -> None:
        """Mark the drugs (a substance of the Table of Drugs whose words are no term or subterm of the index and have
        no code of their own) and build the typo index over long vocabulary words (a deletion pointing at two words
        is dropped)."""
        for key in self.substances - self.main_terms:
            if key in self.entries and not self.entries[key] and key not in self.kinds:
                self.kinds[key] = DRUG
        self.substances, self.main_terms = set(), set()
        deletes: dict[str, str] = {}
        ambiguous = set()
        for w in self.vocab:
            if len(w) < MIN_TYPO_LEN or not w.isalpha():
                continue
            for i in range(len(w)):
                d = w[:i] + w[i + 1 :]
                if d in deletes and deletes[d] != w:
                    ambiguous.add(d)
                deletes[d] = w
        for d in ambiguous:
            deletes.pop(d, None)
        self.deletes = deletes

    def correct(self, word: str) -> str | None:
        """The vocabulary word one edit away from word (deletion, insertion, substitution, transposition), if
        unique. Deleting a letter from each word finds two-edit pairs too ("patchy"/"apathy"): those are refused."""
        # guarded words, and stoplist words (words in their own right: "in addition to"), are never typos
        if len(word) < MIN_TYPO_LEN or not word.isalpha() or word in typo_guard() or word in stoplist():
            return None
        hit = self.deletes.get(word)  # word has one extra letter... or the reverse below
        if hit and hit[0] == word[0]:
            return hit
        for i in range(1, len(word)):  # a typo keeps the first letter: "banker" is no "canker", "corner" no "Horner"
            d = word[:i] + word[i + 1 :]
            if d in self.vocab and len(d) >= MIN_TYPO_LEN:
                return d
            hit = self.deletes.get(d)
            if hit and hit[0] == word[0] and one_edit(word, hit):
                return hit
        return None


@lru_cache(maxsize=1)
def typo_guard() -> frozenset[str]:
    """Plain English words one edit from a vocabulary term, never corrected to it (typo_guard.tsv)."""
    return frozenset(row[0].lower() for row in read_rows("typo_guard.tsv") if row and row[0])


def one_edit(a: str, b: str) -> bool:
    """Whether a and b differ by one substitution or one transposition of neighbours (same length)."""
    if len(a) != len(b):
        return abs(len(a) - len(b)) == 1 and _subsequence(min(a, b, key=len), max(a, b, key=len))
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(diff) == 1:
        return True
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


_GROUPING_SUBTERMS = frozenset(
    {
        "with",
        "in",
        "due to",
        "by",
        "associated with",
        "following",
        "during",
        "specified nec",
        "specified type nec",
        "nec",
        "type",
        "specified",
        "other specified",
        "other",
    }
)


_ACRONYM = re.compile(r"\s*[\[(]([A-Z][A-Z0-9]{1,7})[\])]")
# The column of a Table of Drugs and Chemicals row, as the store's terms append it to the substance.
_DRUG_COLUMN = re.compile(
    r" (?:Adverse effect|Underdosing|"
    r"Poisoning (?:Accidental \(unintentional\)|Intentional self-harm|Assault|Undetermined))$"
)
# The kind of a matched drug name: not a condition, not reported as a mention (``MentionFinder``).
DRUG = "drug"
# The kind of a synonyms.tsv phrase naming anatomy, a test or a technique ("central nervous system", "arterial
# gas"): it takes its words from any shorter term inside it ("nervous" R45.0) and is not reported as a mention.
NOT_A_CONDITION = "none"


# One word naming a condition by its ending ("-emia", "-itis", "-osis"...) or as a condition.
_CONDITION = (
    r"(?:[A-Za-z-]+(?:emia|itis|osis|pathy|ia|oma|ism|algia|plegia|rrhea|megaly|trophy|ectasis)"
    r"|disease|disorder|syndrome|failure|infection|injury)"
)
_CONDITION_WORD = re.compile(_CONDITION, re.IGNORECASE)
# A main term naming a condition by its one word and a short qualifier after a comma ("Hypertriglyceridemia,
# essential"); not a drug of the Table of Drugs ("Ammonia, ... Poisoning").
_QUALIFIED_CONDITION = re.compile(_CONDITION + r",(?: [a-z-]+){1,2}(?: \([^)]*\))?")


def _qualified_condition(term: str) -> bool:
    """A qualified condition ("Hypertriglyceridemia, essential"), not two forms of one word ("Ischemia, ischemic")."""
    head, _comma, qualifier = term.partition(", ")
    return bool(_QUALIFIED_CONDITION.fullmatch(term)) and not _same_stem(head.lower(), qualifier.lower())


def _acronym_variants(text: str) -> list[str]:
    """A term and, when it gives an abbreviation in brackets ("Elevated prostate specific antigen [PSA]"), the term
    with the abbreviation in place of the words it stands for ("Elevated PSA"), as notes write it."""
    out = [text]
    for m in _ACRONYM.finditer(text):
        letters = m.group(1).lower()
        before = text[: m.start()]
        spans = [w for w in re.finditer(r"[A-Za-z0-9]+", before) if w.group(0).lower() not in STOPWORDS]
        for k in range(min(len(letters), len(spans)), 0, -1):
            initials = "".join(w.group(0)[0].lower() for w in spans[-k:])
            if initials[0] == letters[0] and _subsequence(initials, letters):
                out.append(f"{before[: spans[-k].start()]}{m.group(1)}{text[m.end() :]}")
                out.append(f"{before}{text[m.end() :]}")  # and the words alone, as an expanded note says it
                break
    return out


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(c in it for c in short)


def _is_grouping(segment: str) -> bool:
    """A subterm that only groups others ("with", "specified type NEC"): saying the main term and the last
    subterm without it keeps the meaning."""
    return segment.strip().lower() in _GROUPING_SUBTERMS


def _same_stem(a: str, b: str) -> bool:
    """Two forms of one word ("failure", "failed"; "cyst", "cystic"): the first three letters agree."""
    return a[:3] == b[:3]


def _variants(segment: str, main: bool = True) -> list[list[str]]:
    """Content words of an index segment and of each comma-separated form of its first word
    ("Failure, failed" but not "Inequality, leg", where "leg" qualifies rather than restates).
    In a subterm a comma only turns words round ("ischemic, perinatal arterial"): unless every part is a
    form of one word ("blurred, blurring"), the subterm is its words together."""
    out = [content_words(segment)]
    if ", " in segment:
        parts = segment.split(", ")
        head = content_words(parts[0])
        if not head:
            return out
        forms = [content_words(p) for p in parts[:4]]
        if not main and not all(f and _same_stem(f[0], head[0]) for f in forms):
            return out
        for part, words in zip(parts[:4], forms, strict=True):
            if not words or words in out:
                continue
            if part is parts[0] or _same_stem(words[0], head[0]):
                out.append(words)
    return out


def synonym_rows() -> list[tuple[str, str, str, str]]:
    """(phrase, type, system, code) rows of our synonym lexicon."""
    return [(r[0], r[1], r[2], r[3]) for r in read_rows("synonyms.tsv") if len(r) >= 4]


def store_terms(store: object) -> Iterable[tuple[str, str, str, str]]:
    """(text, system, code, source) for every problem and procedure term of the store."""
    for system in PROBLEM_SYSTEMS + PROCEDURE_SYSTEMS:
        try:
            for text, code, source in store.terms(system):  # type: ignore[attr-defined]
                yield text, system, code, source
        except Exception as exc:  # a system without a release
            log.debug("no terms for %s: %s", system, exc)


def build_index(terms: Iterable[tuple[str, str, str, str]]) -> TermIndex:
    """Index code-set terms and our synonyms."""
    index = TermIndex()
    for text, system, code, source in terms:
        index.add(text, system, code, source)
    for phrase, _type, system, code in synonym_rows():
        if code == "-":  # a recognised concept without a code of its own
            words = content_words(phrase)
            index._add_words(words, None)
            if words:
                index.kinds[bag(words)] = _type
        else:
            index.add(phrase, system, code, "synonym")
    index.add_heads()
    index.finish()
    return index


def _store_key(store: object) -> str:
    parts = [MATCHER_VERSION, resources_digest()]
    for system in PROBLEM_SYSTEMS + PROCEDURE_SYSTEMS:
        try:
            parts.append(f"{system}={store.active_release(system)}")  # type: ignore[attr-defined]
        except Exception:
            parts.append(f"{system}=none")
    parts.append(str(getattr(store, "path", "")))
    try:  # the index import and term counts change the terms without changing the tabular release
        parts.extend(f"{r.system}:{r.release}:{r.code_count}:{r.active}" for r in store.releases())  # type: ignore[attr-defined]
    except Exception as exc:
        log.debug("store releases unavailable: %s", exc)
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]


def _cache_dir() -> Path:
    from cac.config import cac_home

    return cac_home() / "cache"


def load_index(store: object | None = None) -> TermIndex:
    """The term index for the active code-set releases: from the disk cache, else built and cached."""
    if store is None:
        try:
            from cac.codesets import open_store

            store = open_store(quiet=True)
        except Exception as exc:
            log.warning("code-set store unavailable (%s); matching with the synonym lexicon only", exc)
            return synonym_index()
    key = _store_key(store)
    path = _cache_dir() / f"nlp-matcher-{key}.pkl"
    if path.exists():
        try:
            with path.open("rb") as fh:
                index = pickle.load(fh)
            if isinstance(index, TermIndex) and index.key == key:
                return index
        except Exception as exc:  # a corrupt or stale cache is rebuilt
            log.warning("matcher cache unreadable (%s); rebuilding", exc)
    index = build_index(store_terms(store))
    index.key = key
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")  # one per process: workers may build at once
        with tmp.open("wb") as fh:
            pickle.dump(index, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
        for stale in path.parent.glob("nlp-matcher-*.pkl"):
            if stale != path:
                stale.unlink(missing_ok=True)  # an index for an older release or resource set
    except OSError as exc:
        log.warning("could not cache the matcher at %s: %s", path, exc)
    return index


@lru_cache(maxsize=1)
def synonym_index() -> TermIndex:
    """An index of our synonym lexicon alone (no code-set store)."""
    return build_index(())


@lru_cache(maxsize=1)
def stoplist() -> frozenset[str]:
    return frozenset(r[0].lower() for r in read_rows("matcher_stoplist.tsv"))


@dataclass(frozen=True)
class Match:
    start: int  # char offsets
    end: int
    candidates: list[Candidate]
    words: int
    kind: str | None = None  # "problem" | "procedure" as the lexicon says, DRUG, NOT_A_CONDITION


MIN_WORDS_ACROSS_COMMA = 3


def _written_in_capitals(
    cands: list[Candidate], needs: dict[Candidate, str], text: str, start: int, end: int
) -> list[Candidate]:
    """The candidates whose abbreviation (an English word: "ALL", "HIT") ``text[start:end]`` writes in capitals."""

    def written(acronym: str) -> bool:
        context = text[max(0, start - 200) : end + 200]
        return any(
            written_as_abbreviation(text, start + m.start(), start + m.end(), context)
            for m in re.finditer(rf"\b{re.escape(acronym)}\b", text[start:end])
        )

    return [c for c in cands if c not in needs or written(needs[c])]


def find_matches(
    index: TermIndex,
    tokens: list[tuple[int, int, tuple[str, ...]]],
    breaks: set[int] | None = None,
    commas: set[int] | None = None,
    text: str = "",
) -> list[Match]:
    """Longest non-overlapping matches over tokens (start, end, normalised words).

    breaks: token positions no match may cross (sentence and clause starts); commas: token positions preceded
    by a comma, which a match may cross only when it has MIN_WORDS_ACROSS_COMMA words or more
    ("kidney disease, chronic, stage 3" but not "fever, chills"). text: the note the token offsets point into; a
    term naming its condition by an abbreviation that is also an English word ("all") needs it in capitals there.
    """
    commas = commas or set()
    cased = getattr(index, "cased", {})
    vocab = index.vocab
    entries = index.entries
    stop = stoplist()
    found: list[tuple[int, int, int, list[Candidate], tuple[str, ...]]] = []
    n = len(tokens)
    for a, (_start, _end, expansion) in enumerate(tokens):
        # An abbreviation read as its expansion ("CAP": community acquired pneumonia) whose whole phrase no term
        # names is still its head, the expansion's last words ("pneumonia").
        if (
            len(expansion) > 1
            and expansion[-1] in vocab
            and entries.get(bag(list(expansion))) is None
            and " ".join(expansion) not in stop  # a scale or test named by an abbreviation ("GCS"), no condition
        ):
            for k in range(1, len(expansion)):
                key = bag(list(expansion[k:]))
                cands = entries.get(key)
                if cands is not None and (len(key) > 1 or _CONDITION_WORD.fullmatch(key[0])):
                    found.append((a, a + 1, len(key), cands, key))
                    break
    i = 0
    while i < n:
        if not tokens[i][2] or not all(w in vocab for w in tokens[i][2]):
            i += 1
            continue
        # a run of tokens whose words are all known
        j = i
        while (
            j < n
            and tokens[j][2]
            and all(w in vocab for w in tokens[j][2])
            and (j == i or not breaks or j not in breaks)
        ):
            j += 1
        for a in range(i, j):
            words: list[str] = []
            crossed = False
            for b in range(a, min(j, a + MAX_WORDS)):
                words.extend(tokens[b][2])
                if b > a and b in commas:
                    crossed = True
                key = bag(words)
                cands = entries.get(key)
                if cands is not None:
                    if crossed and len(set(words)) < MIN_WORDS_ACROSS_COMMA:
                        continue
                    if b == a and len(tokens[a][2]) == 1 and (tokens[a][2][0] in stop or len(tokens[a][2][0]) < 3):
                        continue
                    if len(key) == 1 and len(key[0]) < 3:
                        continue  # one or two letters are no term, however many tokens write them ("H/H")
                    if len(words) > 1 and " ".join(words) in stop:
                        continue  # an anatomical phrase the index codes by a lost word ("middle lobe" syndrome)
                    if key in cased:
                        cands = _written_in_capitals(cands, cased[key], text, tokens[a][0], tokens[b][1])
                        if not cands:
                            continue
                    found.append((a, b + 1, len(key), cands, key))
        i = j
    # greedy: most words first, then leftmost
    found.sort(key=lambda f: (-f[2], -(f[1] - f[0]), f[0]))
    taken = [False] * n
    out = []
    kinds = index.kinds
    for a, b, nwords, cands, key in found:
        if any(taken[a:b]):
            continue
        for k in range(a, b):
            taken[k] = True
        out.append(Match(tokens[a][0], tokens[b - 1][1], cands, nwords, kinds.get(key)))
    out.sort(key=lambda m: m.start)
    return out
