"""Candidate codes for one mention: the matcher's hits, lexical search, and (optionally) dense retrieval."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files

from cac.codesets import ICD10CM, CodeSetStore
from cac.codesets.model import SearchHit
from cac.codesets.search import words
from cac.coding.encoder import Encoder
from cac.coding.index_walk import WalkResult, context_words, term_key

# How much each way of finding a code is trusted before the agreement bonus.
# cac's own synonym lexicon is curated for clinical wording, so it outranks a bare index or title hit.
SOURCE_WEIGHTS = {
    "index_walk": 0.92,
    "synonym": 0.93,
    "title": 0.9,
    "inclusion": 0.88,
    "index": 0.85,
    "lexical": 0.75,
    "dense": 0.6,
}
AGREEMENT_BONUS = 0.06
# A lone everyday word matched to an index subterm ("cold", "scale", "dishes") is weak evidence.
SINGLE_WORD_INDEX_WEIGHT = 0.65


def _single_common_word(text: str) -> bool:
    """One word written in ordinary case (not an abbreviation such as CHF)."""
    word = text.strip()
    return " " not in word and not word.isupper()


# A lone word this short is read as an everyday word whatever its ending ("via", "mania" aside).
MIN_MEDICAL_WORD = 6


@lru_cache(maxsize=1)
def medical_word_endings() -> tuple[str, ...]:
    """Endings of clinical terms of Greek or Latin form (``resources/medical_word_endings.tsv``)."""
    text = (files("cac.coding") / "resources" / "medical_word_endings.tsv").read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _medical_word(text: str) -> bool:
    """One word formed as a clinical term ("ataxia", "thrombosis", "paresis"), not an everyday word."""
    word = text.strip().lower()
    return len(word) >= MIN_MEDICAL_WORD and word.isalpha() and word.endswith(medical_word_endings())


def _names_main_term(walk: WalkResult, mention_text: str) -> bool:
    """The mention is the main term the walk stopped at, word for word ("polyneuropathy": Polyneuropathy G62.9):
    the index's code for it outranks a code that merely lists the word among its inclusion terms (A69.22)."""
    main = walk.path.split(", see ")[0]
    said = context_words(mention_text, synonyms=False)
    return bool(said) and said <= term_key(main)


def walk_leaves_words(walk: WalkResult, mention_words_text: str) -> bool:
    """The walk read the mention's own words only, and not all of them: "inflammatory bowel disease" reaches
    Disease > bowel (K63.9) without "inflammatory". A synonym naming the whole mention then says more than the walk.
    ``mention_words_text``: the mention with its abbreviations read as their expansions."""
    if walk.depth == 0:
        return False
    said = context_words(mention_words_text, synonyms=False)
    path = term_key(_without_main_forms(walk.path.replace(", see ", ", ")))
    return bool(said) and path <= said and bool(said - path)


def _without_main_forms(path: str) -> str:
    """A walk's path without the other forms its main term lists ("Stenosis, stenotic, artery NEC" -> "Stenosis,
    artery NEC"): a note writes one of them, and the form it leaves out is no word the walk read."""
    parts = path.split(", ")
    head = words(parts[0])
    kept = [parts[0]]
    forms = True
    for part in parts[1:]:
        part_words = words(part)
        forms = forms and bool(head and part_words) and part_words[0][:3] == head[0][:3]
        if not forms:
            kept.append(part)
    return ", ".join(kept)


@dataclass
class CodeVote:
    """A code proposed for a mention, with the best evidence of each source that proposed it."""

    system: str
    code: str
    sources: dict[str, float] = field(default_factory=dict)
    rationale: str = ""

    @property
    def score(self) -> float:
        if not self.sources:
            return 0.0
        best = max(self.sources.values())
        return min(1.0, best + AGREEMENT_BONUS * (len(self.sources) - 1))


# Hits of a lone clinical word's search kept as runners-up (``vote``'s ``backups``).
BACKUP_SEARCH_LIMIT = 5


def _lexical_vote(hit: SearchHit) -> CodeVote:
    """A lexical search hit as a vote of its own (weighted as ``vote`` weighs lexical hits)."""
    return CodeVote(
        hit.system, hit.code, {"lexical": SOURCE_WEIGHTS["lexical"] * hit.score}, f"{hit.source}: {hit.matched}"
    )


def _give_up(v: CodeVote, backups: list[CodeVote] | None) -> None:
    """Keep an ICD-10-CM code the mention's retrieval found and gave up in ``backups`` (when a list)."""
    if backups is not None and v.system == ICD10CM:
        backups.append(v)


def vote(
    store: CodeSetStore,
    mention_text: str,
    matcher_hits: Iterable[tuple[str, str, str]],
    systems: tuple[str, ...],
    lexical_limit: int = 5,
    min_lexical: float = 0.72,
    encoder: Encoder | None = None,
    walk: WalkResult | None = None,
    weak_below: float = 0.8,
    min_dense: float = 0.6,
    partial_walk: bool = False,
    backups: list[CodeVote] | None = None,
) -> list[CodeVote]:
    """Fuse the matcher's exact term hits with lexical search; for weak mentions, rerank with the encoder.
    ``partial_walk``: the walk left some of the mention's own words unread (``walk_leaves_words``); a synonym of
    the whole mention then keeps its code. ``backups``, when a list, receives the ICD-10-CM codes the mention's
    retrieval found and gave up (a term list's code the walk overrode, a lexical hit too weak to vote; a lone
    clinical word's search hits): runners-up for the coder's review, never votes."""
    votes: dict[tuple[str, str], CodeVote] = {}
    matcher_hits = list(matcher_hits)
    whole_synonym = partial_walk and any(s == ICD10CM and src == "synonym" for s, _c, src in matcher_hits)
    for system, code, source in matcher_hits:
        if system not in systems:
            continue
        key = (system, code)
        v = votes.setdefault(key, CodeVote(system, code))
        weight = SOURCE_WEIGHTS.get(source, SOURCE_WEIGHTS["synonym"])
        if source == "index" and _single_common_word(mention_text):
            weight = SINGLE_WORD_INDEX_WEIGHT
        if weight > v.sources.get(source, 0.0):
            v.sources[source] = weight
            v.rationale = v.rationale or f"{source}: {mention_text}"
    walk_decided = walk is not None and walk.depth > 0 and ICD10CM in systems and not whole_synonym
    if walk is not None and walk_decided:
        # The walk followed the note's own modifiers down the index, as a coder does: its code is the
        # mention's diagnosis code, and the codes found from the bare words give way to it.
        for key in [k for k in votes if k[0] == ICD10CM and k[1] != walk.code]:
            _give_up(votes.pop(key), backups)
        v = votes.setdefault((ICD10CM, walk.code), CodeVote(ICD10CM, walk.code))
        v.sources["index_walk"] = max(v.sources.get("index_walk", 0.0), SOURCE_WEIGHTS["index_walk"])
        v.rationale = f"index: {walk.path}"
    main_term_code = False
    if walk is not None and not walk_decided and not whole_synonym and ICD10CM in systems:
        has_icd = any(k[0] == ICD10CM for k in votes)
        single = _single_common_word(mention_text)
        if _names_main_term(walk, mention_text) and (has_icd or not single or _medical_word(mention_text)):
            # The mention is the main term itself: the index's code for it, not a code that merely lists the word
            # among its inclusion terms ("polyneuropathy": G62.9, not A69.22 Lyme disease).
            main_term_code = True
            for key in [k for k in votes if k[0] == ICD10CM and k[1] != walk.code]:
                _give_up(votes.pop(key), backups)
        elif (has_icd or not single) and not any(k[0] == ICD10CM and store.is_billable(ICD10CM, k[1]) for k in votes):
            # The walk stopped at a main term the mention names ("Cholelithiasis without cholecystitis"), and the
            # term lists gave no billable code: the main term's own code is the mention's, as the index gives it.
            main_term_code = True
        if main_term_code:
            weight = SINGLE_WORD_INDEX_WEIGHT if single else SOURCE_WEIGHTS["index"]
            v = votes.setdefault((ICD10CM, walk.code), CodeVote(ICD10CM, walk.code))
            v.sources["index"] = max(v.sources.get("index", 0.0), weight)
            v.rationale = v.rationale or f"index: {walk.path}"
            for key in [k for k in votes if k[0] == ICD10CM and k[1] != walk.code and walk.code.startswith(k[1])]:
                # the category the term lists named (K80.2) is refined to the index's billable code (K80.20)
                for source, score in votes.pop(key).sources.items():
                    v.sources[source] = max(v.sources.get(source, 0.0), score)
    loose = []
    for system in systems:
        if walk_decided and system == ICD10CM:
            continue
        if not votes and " " not in mention_text.strip():
            # a lone word the term lists give no code ("ear", "leg") is not worth a loose search; a clinical word's
            # ("leiomyoma") hits are kept as runners-up only (the note's words beside it choose among them)
            if backups is not None and system == ICD10CM and _medical_word(mention_text):
                for hit in store.search(mention_text, system=system, limit=BACKUP_SEARCH_LIMIT):
                    _give_up(_lexical_vote(hit), backups)
            continue
        for hit in store.search(mention_text, system=system, limit=lexical_limit * 2):
            loose.append(hit)
            if hit.score < min_lexical:
                if system == ICD10CM:
                    _give_up(_lexical_vote(hit), backups)
                continue
            key = (hit.system, hit.code)
            if main_term_code and system == ICD10CM and key not in votes:
                _give_up(_lexical_vote(hit), backups)
                continue  # the index named the code: search only seconds it, it adds no rival
            v = votes.setdefault(key, CodeVote(hit.system, hit.code))
            v.sources["lexical"] = max(v.sources.get("lexical", 0.0), SOURCE_WEIGHTS["lexical"] * hit.score)
            if not v.rationale:
                v.rationale = f"{hit.source}: {hit.matched}"
    best = max((v.score for v in votes.values()), default=0.0)
    if encoder is not None and loose and best < weak_below and not main_term_code:
        sims = encoder.similarities(mention_text, [h.title for h in loose])
        for hit, sim in zip(loose, sims, strict=True):
            if sim < min_dense:
                continue
            v = votes.setdefault((hit.system, hit.code), CodeVote(hit.system, hit.code))
            v.sources["dense"] = max(v.sources.get("dense", 0.0), SOURCE_WEIGHTS["dense"] * sim)
            if not v.rationale:
                v.rationale = f"dense: {hit.title} (similarity {sim:.2f})"
    return sorted(votes.values(), key=lambda v: -v.score)
