"""The spaCy components of the clinical pipeline, registered with ``@Language.factory``."""

from __future__ import annotations

import bisect
import functools
import re

import numpy as np
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from cac.nlp import abbreviations as abbr
from cac.nlp import assertion
from cac.nlp.lexicon import read_rows
from cac.nlp.matcher import DRUG, Match, TermIndex, find_matches, load_index
from cac.nlp.normalise import STOPWORDS, content_words, lemma
from cac.nlp.sections import find_sections, section_at
from cac.nlp.sentences import sentence_starts
from cac.nlp.types import Mention, Section, Trigger

for _name, _default in (
    ("sections", None),
    ("mentions", None),
    ("sentence_offsets", None),
    ("abbreviation_expansions", None),
):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)

# Section defaults when no trigger reaches a mention.
SECTION_DEFAULTS = {
    "family_history": "family",
    "past_medical_history": "historical",
    "past_surgical_history": "historical",
}
ROS_SECTIONS = frozenset({"review_of_systems"})
PLAN_SECTIONS = frozenset({"plan", "follow_up", "discharge_instructions"})
PAST_SECTIONS = frozenset({"past_medical_history", "past_surgical_history"})
_TEXT_KEY = "cac_note_text"
RESOLVED = frozenset({"resolved", "has resolved", "have resolved", "resolution of"})
_CLAUSE_PUNCT = frozenset(":;()[]{}")


def note_text(doc: Doc) -> str:
    """The note's text, joined once per Doc: ``Doc.text`` joins every token again on each access."""
    text = doc.user_data.get(_TEXT_KEY)
    if not isinstance(text, str):
        text = doc.text
        doc.user_data[_TEXT_KEY] = text
    return text


class SectionDetector:
    """Sets ``doc._.sections``."""

    def __call__(self, doc: Doc) -> Doc:
        doc._.sections = find_sections(note_text(doc))
        return doc


class SentenceSplitter:
    """Sets sentence starts from line breaks, list items, headers and sentence-final punctuation."""

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if n == 0:
            doc._.sentence_offsets = []
            return doc
        sections: list[Section] = doc._.sections or []
        starts = sentence_starts(note_text(doc), sections)
        idx = doc.to_array("IDX").astype(np.int64)
        flags = np.full(n, -1, dtype=np.int64)
        pos = np.searchsorted(idx, np.asarray(starts, dtype=np.int64), side="left")
        pos = pos[pos < n]
        flags[pos] = 1
        flags[0] = 1
        doc.from_array([SENT_START], flags.reshape(-1, 1).astype("uint64"))  # type: ignore[arg-type]
        ends = [*starts[1:], len(note_text(doc))]
        doc._.sentence_offsets = list(zip(starts, ends, strict=True))
        return doc


class AbbreviationExpander:
    """Sets ``doc._.abbreviation_expansions``: lexicon abbreviations (ambiguous ones resolved by context)
    and abbreviations the note defines itself (scispacy's AbbreviationDetector, when it ran before us)."""

    def __call__(self, doc: Doc) -> Doc:
        text = note_text(doc)
        sents = doc._.sentence_offsets or [(0, len(text))]
        sent_starts = [s for s, _ in sents]
        sections = doc._.sections or []
        found: dict[int, abbr.Abbreviation] = {}
        defined = doc._.abbreviations if Doc.has_extension("abbreviations") else None
        for short in defined or ():
            long_form = getattr(short._, "long_form", None)
            if long_form is not None:
                s = short.start_char
                found[s] = abbr.Abbreviation(s, short.end_char, short.text, str(long_form), "defined")
        for tok in doc:
            t = tok.text
            if len(t) <= 2 and tok.i + 1 < len(doc):
                nxt = doc[tok.i + 1]
                gap = text[tok.idx + len(t) : nxt.idx]
                joined = abbr.split_letter(t, gap, nxt.text)
                if joined is not None:
                    end = nxt.idx + len(nxt.text)
                    found[tok.idx] = abbr.Abbreviation(tok.idx, end, text[tok.idx : end], joined, "lexicon")
                    continue
            if tok.idx in found or not abbr.known(t):
                continue
            k = bisect.bisect_right(sent_starts, tok.idx) - 1
            lo, hi = sents[max(k, 0)]
            rec = abbr.expand(text, tok.idx, tok.idx + len(t), text[lo:hi], section_at(sections, tok.idx))
            if rec is not None:
                found[tok.idx] = rec
        doc._.abbreviation_expansions = [found[k] for k in sorted(found)]
        return doc


# A match opening with "secondary to" names the cause after it: "on lisinopril secondary to her hypertension" is no
# secondary hypertension ("hypertension secondary to renal artery stenosis" and "anemia secondary to blood loss",
# where the condition comes first, keep their words).
_LEADING_CAUSE_LINK = re.compile(r"secondary\s+to\b", re.IGNORECASE)


def _without_leading_cause_link(
    matches: list[Match], index: TermIndex, tokens: list[tuple[int, int, tuple[str, ...]]], text: str
) -> list[Match]:
    """Matches that open with "secondary to", matched again without the word "secondary"."""
    out: list[Match] = []
    for m in matches:
        if not _LEADING_CAUSE_LINK.match(text, m.start):
            out.append(m)
            continue
        inner = [t for t in tokens if m.start < t[0] and t[1] <= m.end]
        out.extend(find_matches(index, inner, set(), set(), text))
    return out


# The possessive the tokenizer splits off ("Crohn" + "'s"): part of the name before it, not a word of its own.
_POSSESSIVE = frozenset({"'s", "\u2019s", "'"})


class MentionFinder:
    """Sets ``doc._.mentions``: matched problems/procedures with assertion, trigger and section."""

    def __init__(self, index: TermIndex | None = None) -> None:
        self._index = index
        self._word_memo: dict[str, tuple[str, ...]] = {}

    @property
    def index(self) -> TermIndex:
        if self._index is None:
            self._index = load_index()
        return self._index

    def _words(self, surface: str) -> tuple[str, ...]:
        memo = self._word_memo.get(surface)
        if memo is not None:
            return memo
        low = surface.lower()
        if not any(c.isalnum() for c in low) or low in STOPWORDS or low in _POSSESSIVE:
            out: tuple[str, ...] = ()
        else:
            w = lemma("".join(c for c in low if c.isalnum() or c == "'").strip("'"))
            if w and w not in self.index.vocab:
                w = self.index.correct(w) or w
            out = (w,) if w else ()
        if len(self._word_memo) < 200_000:
            self._word_memo[surface] = out
        return out

    def __call__(self, doc: Doc) -> Doc:
        text = note_text(doc)
        index = self.index
        expansions = {a.start: a for a in (doc._.abbreviation_expansions or [])}
        sents = doc._.sentence_offsets or ([(0, len(text))] if text else [])
        sent_starts = [s for s, _ in sents]
        tokens: list[tuple[int, int, tuple[str, ...]]] = []
        breaks: set[int] = set()
        commas: set[int] = set()
        k = 0
        pending_break = False
        pending_comma = False
        joined_end = -1
        for tok in doc:
            if tok.is_space:
                continue
            t = tok.text
            start = tok.idx
            while k + 1 < len(sent_starts) and sent_starts[k + 1] <= start:
                k += 1
                pending_break = True
            if t in _CLAUSE_PUNCT:
                pending_break = True
                continue
            if t == ",":
                pending_comma = True
                continue
            if start < joined_end:
                continue  # the word of a letter abbreviation written apart ("A. fib"), read with its letter
            ab = expansions.get(start)
            if ab is not None and ab.end == start + len(t):
                words = tuple(content_words(ab.expansion))
            elif ab is not None and ab.end > start + len(t):
                words = tuple(content_words(ab.expansion))
                joined_end = ab.end
                t = text[start : ab.end]
            else:
                words = self._words(t)
            if not words:
                continue
            if pending_break:
                breaks.add(len(tokens))
                pending_break = False
            if pending_comma:
                commas.add(len(tokens))
                pending_comma = False
            tokens.append((start, start + len(t), words))
        matches = _without_leading_cause_link(find_matches(index, tokens, breaks, commas, text), index, tokens, text)
        sections = doc._.sections or []
        mentions: list[Mention] = []
        hit_cache: dict[int, tuple[list[assertion.Hit], list[int]]] = {}
        lex = assertion.lexicon()
        services = service_patterns()
        for m in matches:
            if m.kind == DRUG or names_service(text, m.start, m.end, services):
                continue  # a drug's name ("salicylic acid") or a service's holds no condition, nor do its words
            k = max(bisect.bisect_right(sent_starts, m.start) - 1, 0)
            lo, hi = sents[k] if sents else (0, len(text))
            if k not in hit_cache:
                hit_cache[k] = (lex.find(text, lo, hi), assertion.boundaries(text, lo, hi))
            hits, bounds = hit_cache[k]
            result = assertion.resolve(text, m.start, m.end, hits, bounds, lo, hi)
            section = section_at(sections, m.start)
            label, trigger = result.label, result.trigger
            mtype = m.kind or _mention_type(m.candidates)
            if label == "present":
                label, trigger = _section_default(section, text, lo, hi, hits, label, trigger, mtype)
            elif label == "negated" and section in PAST_SECTIONS and trigger and trigger.text.lower() in RESOLVED:
                label = "historical"  # "Iron deficiency anemia 2015 (resolved)" in a past history list
            mentions.append(
                Mention(m.start, m.end, text[m.start : m.end], mtype, label, trigger, section, list(m.candidates))
            )
        doc._.mentions = mentions
        return doc


@functools.cache
def service_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(words after a mention that make it a service, list headers whose items are services) from
    service_names.tsv."""
    rows = read_rows("service_names.tsv")
    after = "|".join(re.escape(r[1]) for r in rows if r[0] == "after")
    heads = "|".join(re.escape(r[1]).replace(r"\ ", r"\s+") for r in rows if r[0] == "list")
    return (
        # a space, or a wrapped line's break and indent: "Addiction\n   medicine consult"
        re.compile(rf"(?:[ \t]+|[ \t]*\n[ \t]+)(?:medicine(?:[ \t]+|[ \t]*\n[ \t]+))?(?:{after})\b", re.IGNORECASE),
        re.compile(rf"(?:^|\n|[ \t]{{2}}|\|)[ \t]*(?:{heads})[ \t]*:[^\n:]*$", re.IGNORECASE),
    )


def names_service(text: str, start: int, end: int, patterns: tuple[re.Pattern[str], re.Pattern[str]]) -> bool:
    """Whether text[start:end] names a clinical service ("addiction medicine consult", an item of a
    "Consults:" list), not a condition; "Consults: ID for cellulitis" keeps cellulitis."""
    after, listed = patterns
    if after.match(text, end):
        return True
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:start]
    return listed.search("\n" + before) is not None and not _FOR.search(before)


_FOR = re.compile(r"\b(?:for|due to|with)\b", re.IGNORECASE)


def _section_default(
    section: str | None,
    text: str,
    lo: int,
    hi: int,
    hits: list[assertion.Hit],
    label: str,
    trigger: Trigger | None,
    mtype: str = "problem",
) -> tuple[str, Trigger | None]:
    if mtype == "procedure" and section in PLAN_SECTIONS:
        return "hypothetical", None  # a procedure in the plan is planned, not done
    if section in SECTION_DEFAULTS:
        return SECTION_DEFAULTS[section], None
    if section in ROS_SECTIONS:
        # Templated ROS lines ("Constitutional: Negative for fever, chills"; "ROS: neg fever, CP"): a denial
        # anywhere on the line, and no positive statement, denies everything on it.
        positive = any(
            h.rule.category == "terminate" and h.text.lower() in ("positive for", "(+)", "reports", "endorses")
            for h in hits
        )
        if not positive:
            for h in hits:
                if h.rule.category == "negated":
                    return "negated", Trigger(h.start, h.end, h.text)
    return label, trigger


def _mention_type(cands: list[tuple[str, str, str]]) -> str:
    problems = sum(1 for c in cands if c[0] == "ICD-10-CM")
    return "problem" if problems * 2 >= len(cands) else "procedure"


@Language.factory("cac_sections")
def make_sections(nlp: Language, name: str) -> SectionDetector:
    return SectionDetector()


@Language.factory("cac_sentences")
def make_sentences(nlp: Language, name: str) -> SentenceSplitter:
    return SentenceSplitter()


@Language.factory("cac_abbreviations")
def make_abbreviations(nlp: Language, name: str) -> AbbreviationExpander:
    return AbbreviationExpander()


@Language.factory("cac_mentions")
def make_mentions(nlp: Language, name: str) -> MentionFinder:
    return MentionFinder()
