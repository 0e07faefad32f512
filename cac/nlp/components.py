"""The spaCy components of the clinical pipeline, registered with ``@Language.factory``."""

from __future__ import annotations

import bisect
import functools
import re

import numpy as np
from spacy.attrs import IDX, IS_SPACE, LENGTH, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from cac.nlp import abbreviations as abbr
from cac.nlp import assertion
from cac.nlp.lexicon import read_rows
from cac.nlp.matcher import DRUG, NOT_A_CONDITION, Match, TermIndex, find_matches, load_index
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
    "differential_diagnosis": "possible",
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


def set_note_text(doc: Doc, text: str) -> Doc:
    """Give ``note_text`` the string the Doc was made from (the tokenizer keeps every character: the same text),
    so that it need not join the tokens again."""
    doc.user_data[_TEXT_KEY] = text
    return doc


_TOKENS_KEY = "cac_note_tokens"


def note_tokens(doc: Doc) -> list[tuple[int, str, bool]]:
    """(start, text, is_space) of every token, read once per Doc from its arrays: iterating a Doc builds a Token
    object for each token, again on every pass."""
    tokens = doc.user_data.get(_TOKENS_KEY)
    if not isinstance(tokens, list):
        text = note_text(doc)
        arr = doc.to_array([IDX, LENGTH, IS_SPACE]).tolist() if len(doc) else []
        tokens = [(start, text[start : start + length], bool(space)) for start, length, space in arr]
        doc.user_data[_TOKENS_KEY] = tokens
    return tokens


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
        tokens = note_tokens(doc)
        for i, (idx, t, _) in enumerate(tokens):
            if len(t) <= 2 and i + 1 < len(tokens):
                nxt_idx, nxt_text, _ = tokens[i + 1]
                gap = text[idx + len(t) : nxt_idx]
                joined = abbr.split_letter(t, gap, nxt_text)
                if joined is not None:
                    end = nxt_idx + len(nxt_text)
                    found[idx] = abbr.Abbreviation(idx, end, text[idx:end], joined, "lexicon")
                    continue
            if idx in found or not abbr.known(t):
                continue
            k = bisect.bisect_right(sent_starts, idx) - 1
            lo, hi = sents[max(k, 0)]
            rec = abbr.expand(text, idx, idx + len(t), text[lo:hi], section_at(sections, idx))
            if rec is not None:
                found[idx] = rec
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
        for start, t, is_space in note_tokens(doc):
            if is_space:
                continue
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
        risk_cache: dict[int, Trigger | None] = {}
        lex = assertion.lexicon()
        services = service_patterns()
        for m in matches:
            if m.kind in (DRUG, NOT_A_CONDITION) or names_service(text, m.start, m.end, services):
                continue  # a drug's name ("salicylic acid"), a service's or an organ system's holds no condition
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
                if k not in risk_cache:
                    risk_cache[k] = risk_talk(text, lo, hi)
                risk = risk_cache[k]
                if risk is not None and in_risk_talk(text, risk, m.start):
                    label, trigger = "hypothetical", risk
            if label == "present":
                label, trigger = _section_default(section, text, lo, hi, hits, label, trigger, mtype)
            elif label == "negated" and section in PAST_SECTIONS and trigger and trigger.text.lower() in RESOLVED:
                label = "historical"  # "Iron deficiency anemia 2015 (resolved)" in a past history list
            if label in ("present", "historical") and text.startswith("?", m.end):
                label = "possible"  # the writer queries it: "CKD? (Cr 1.0 in Jan)"
            mentions.append(
                Mention(m.start, m.end, text[m.start : m.end], mtype, label, trigger, section, list(m.candidates))
            )
        doc._.mentions = mentions
        return doc


@functools.cache
def service_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """(words after a mention that make it a service, a list header at the start of a line whose items are services,
    the same header after two spaces or a "|" inside a line, words right before it that make it a service) from
    service_names.tsv."""
    rows = read_rows("service_names.tsv")
    after = "|".join(re.escape(r[1]) for r in rows if r[0] == "after")
    heads = "|".join(re.escape(r[1]).replace(r"\ ", r"\s+") for r in rows if r[0] == "list")
    before = "|".join(re.escape(r[1]).replace(r"\ ", r"\s+") for r in rows if r[0] == "before")
    header = rf"[ \t]*(?:{heads})[ \t]*:[^\n:]*$"
    return (
        # a space, or a wrapped line's break and indent: "Addiction\n   medicine consult"
        re.compile(rf"(?:[ \t]+|[ \t]*\n[ \t]+)(?:medicine(?:[ \t]+|[ \t]*\n[ \t]+))?(?:{after})\b", re.IGNORECASE),
        re.compile(header, re.IGNORECASE),
        # each alternative opens with a plain character, so the regex engine scans for them instead of trying the
        # whole pattern at every position of a long dictated line
        re.compile(rf"(?:\|| [ \t]|\t[ \t]){header}", re.IGNORECASE),
        re.compile(rf"(?<!\w)(?:{before})\s+(?:(?:the|our)\s+)?$", re.IGNORECASE),
    )


_BEFORE_REACH = 40


def names_service(
    text: str, start: int, end: int, patterns: tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]
) -> bool:
    """Whether text[start:end] names a clinical service ("addiction medicine consult", an item of a
    "Consults:" list, "discussed with infectious disease"), not a condition; "Consults: ID for cellulitis" keeps
    cellulitis."""
    after, line_head, inline_head, before_words = patterns
    if after.match(text, end):
        return True
    if before_words.search(text, max(0, start - _BEFORE_REACH), start):
        return True
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:start]
    if ":" not in before:  # a list header ends with a colon
        return False
    listed = line_head.match(before) is not None or inline_head.search(before) is not None
    return listed and not _FOR.search(before)


_FOR = re.compile(r"\b(?:for|due to|with)\b", re.IGNORECASE)


@functools.cache
def risk_talk_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(risk words, talk words) from risk_talk.tsv."""
    rows = read_rows("risk_talk.tsv")

    def alternation(kind: str) -> re.Pattern[str]:
        words = sorted((r[1] for r in rows if r[0] == kind), key=len, reverse=True)
        body = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)
        return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)

    return alternation("risk"), alternation("talk")


_LATER_FOR = re.compile(r"\bfor\b", re.IGNORECASE)
# "tolerated without complications; results discussed": no risk talked of
_DENIED_RISK = re.compile(r"\b(?:no|not|without|denies|free of|any)\s+(?:\w+\s+)?$", re.IGNORECASE)


def risk_talk(text: str, lo: int, hi: int) -> Trigger | None:
    """The risk word of text[lo:hi] where the sentence talks of risks ("We went over the risks of bleeding,
    infection"), else None."""
    risk, talk = risk_talk_patterns()
    if talk.search(text, lo, hi) is None:
        return None
    for m in risk.finditer(text, lo, hi):
        if not _DENIED_RISK.search(text, max(lo, m.start() - 30), m.start()):
            return Trigger(m.start(), m.end(), m.group())
    return None


def in_risk_talk(text: str, trigger: Trigger, start: int) -> bool:
    """Whether a mention at start follows the risk word, with no "for" in the risk word's own list item past the
    word right after it ("risks for DVT" is a risk; "the risks of the surgery for her cholelithiasis" leaves the
    cholelithiasis; "infection, need for re-operation, pneumonia" leaves the pneumonia a risk)."""
    if start < trigger.end:
        return False
    gap = text[trigger.end : start]
    comma = gap.find(",")
    item_end = len(gap) if comma < 0 else comma
    return all(not gap[: m.start()].strip() for m in _LATER_FOR.finditer(gap, 0, item_end))


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
    """ "problem" or "procedure" by most candidates; a condition our synonym lexicon names wins over the code sets'
    procedure terms that name only the condition they treat ("lipoma", "ventral hernia": CPT inclusion terms)."""
    problems = sum(1 for c in cands if c[0] == "ICD-10-CM")
    if problems and any(c[0] == "ICD-10-CM" and c[2] == "synonym" for c in cands):
        return "problem"
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
