"""The coding engine: a note in, ranked code suggestions with evidence out (interfaces.md section 2)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib.resources import files
from typing import Any

from cac import config
from cac.codesets import CPT, ICD10CM, ICD10PCS, INDEX_SYSTEM, CodeSetStore, open_store
from cac.coding.alternatives import AlternativeFinder
from cac.coding.candidates import CodeVote, vote, walk_leaves_words
from cac.coding.encoder import Encoder
from cac.coding.guidelines.common import cap_held
from cac.coding.guidelines.encounter import newborn_record
from cac.coding.guidelines.pregnancy import tie_to_condition
from cac.coding.index_walk import (
    IndexTree,
    TabularRefiner,
    WalkResult,
    context_words,
    is_modifier_word,
    near_phrase,
    phrase_words,
    side_words,
    written_and_index_words,
)
from cac.coding.neoplasm import MALIGNANCY, SECONDARY, NeoplasmTable, breast_quadrant, neoplasm_column, skin_histology
from cac.coding.procedures import propose_procedures
from cac.coding.rank import CONCLUSION_SECTIONS, final_score
from cac.coding.rerank import bundled as bundled_reranker
from cac.coding.runners_up import RUNNER_UP_ASSERTIONS, RunnerUp, add_runners_up, denied_codes, runners_up_of
from cac.coding.types import NOTE_TYPES, SETTINGS, Candidate, Span
from cac.nlp.sections import header_names, normalise_header

DEFAULT_THRESHOLD = 0.65
# A mention proposes its best code, and others only when they score almost as well.
MENTION_MARGIN = 0.05
MAX_CODES_PER_MENTION = 2
# The index walk reads modifiers from the mention's clause, at most this many characters either side.
WALK_WINDOW = 120
# Assertions that can never yield a code for the patient's own condition.
_NEVER_CODED = frozenset({"negated", "hypothetical"})
# Codes a word cannot justify: Z09 (follow-up after completed treatment) needs the treatment finished and the
# condition gone, which "follow-up" alone does not say; the coder assigns it from the visit.
_NOT_FROM_A_WORD = frozenset({"Z09"})
# Assertions whose mentions are gathered apart from current ones (they become Z80-Z87 codes).
_SEPARATE_ASSERTIONS = frozenset({"family", "historical"})


class InvalidRequestError(ValueError):
    """The caller asked for something the engine cannot do (unknown setting, not text)."""


def _is_lab_test(system: str, code: str) -> bool:
    """CPT pathology and laboratory codes (80047-89398): billed by the lab, not coded from clinical notes."""
    return system == CPT and code[:4].isdigit() and 8000 <= int(code[:4]) <= 8939


def _systems_for(mention_type: str, setting: str) -> tuple[str, ...]:
    if mention_type == "procedure":
        return (ICD10PCS,) if setting == "inpatient" else (CPT,)
    return (ICD10CM,)


@dataclass
class _Accumulator:
    """Everything gathered for one code across the note's mentions."""

    system: str
    code: str
    retrieval: float = 0.0
    evidence: list[Span] = field(default_factory=list)
    assertions: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    rationale: str = ""
    source: str = ""
    mention_text: str = ""


class Engine:
    """Loaded once (code sets, NLP pipeline); ``suggest`` is then cheap per note."""

    def __init__(
        self,
        store: CodeSetStore | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        dense: bool = True,
        rerank: bool | None = None,
    ) -> None:
        from cac.nlp import load_pipeline

        self.store = store or open_store()
        self.threshold = threshold
        self.nlp = load_pipeline()
        self.encoder = Encoder() if dense else None
        # The trained final stage over ICD-10-CM scores (``rerank.py``); ``CAC_RERANKER=0`` keeps the hand-set ones.
        self.reranker = bundled_reranker() if (config.reranker() if rerank is None else rerank) else None
        self._index_tree: IndexTree | None = None
        self._neoplasm_table: NeoplasmTable | None = None
        self._refiner = TabularRefiner(self.store, ICD10CM)
        self._alternatives = AlternativeFinder(self.store)

    @property
    def codeset_versions(self) -> dict[str, str]:
        return {r.system: r.release for r in self.store.releases() if r.active}

    def suggest(self, text: str, setting: str = "outpatient", note_type: str | None = None) -> dict[str, Any]:
        """Code one note. Raises InvalidRequestError for a non-text note or an unknown setting/note type."""
        if not isinstance(text, str):
            raise InvalidRequestError(f"note text must be a string, got {type(text).__name__}")
        if setting not in SETTINGS:
            raise InvalidRequestError(f"unknown setting {setting!r}; expected one of: {', '.join(SETTINGS)}")
        if note_type is not None and note_type not in NOTE_TYPES:
            raise InvalidRequestError(f"unknown note type {note_type!r}; expected one of: {', '.join(NOTE_TYPES)}")
        from cac.nlp import analyze

        doc = analyze(text)
        mentions = list(doc._.mentions)
        # Problems go through the term matcher and search; procedures, services and supplies through the
        # rule-based procedure coder, which reads approach, device, dose and the other axes from the text.
        problems = [m for m in _outermost(mentions) if m.type != "procedure"]
        expanded = _ExpandedText(text, doc._.abbreviation_expansions or [], doc._.sentence_offsets)
        expanded.hedged_modifiers = setting == "inpatient" and note_type != "radiology_report"
        runners_up: list[RunnerUp] = []
        if newborn_record(text):
            # the newborn's own record: a coder reads its conditions under the index's "newborn" subterms
            # ("Incompatibility, ABO, newborn" P55.1, "Hypoglycemia, neonatal" P70.4), Section I.C.16
            expanded.implied = _NEWBORN_WORDS
        candidates = self._candidates(problems, setting, expanded, runners_up)
        candidates += propose_procedures(text, doc, setting, note_type, self.store)
        set_aside: list[Candidate] = []
        candidates = self._apply_guidelines(candidates, setting, note_type, text, set_aside)
        # codes a guideline rule removed stay in the ranked list, held below the threshold and flagged: no score of
        # the reportable codes depends on them (the reranker and tie_to_condition read the others only)
        listed = {(c.system, c.code) for c in candidates}
        candidates += [c for c in set_aside if (c.system, c.code) not in listed]
        candidates.sort(key=lambda c: (-c.score, c.system, c.code))
        suggestions = [c.to_dict() for c in candidates]
        result = {
            "threshold": self.threshold,
            "codeset_versions": self.codeset_versions,
            "suggestions": suggestions,
            "mentions": [m.to_dict() for m in mentions],
        }
        if self.reranker is not None:
            self.reranker.rescore(result, setting, note_type)  # caps the codes held for review itself
        else:
            cap_held(suggestions)  # a later rule (code first) may have raised one
        tie_to_condition(suggestions)  # a chapter 15 code added for a condition scores as the condition does
        self._alternatives.add(result, text)  # sibling codes the note's words point to, below the threshold
        # codes a present or possible mention's retrieval gave up that the words beside it name, below the threshold
        add_runners_up(result, runners_up, self.store, text, self._alternatives.words, denied_codes(mentions))
        suggestions.sort(key=lambda s: (-float(s["score"]), s["system"], s["code"]))
        return result

    def _candidates(
        self,
        mentions: Sequence[Any],
        setting: str,
        text: _ExpandedText,
        runners_up: list[RunnerUp] | None = None,
    ) -> list[Candidate]:
        """The candidates of the problem mentions; ``runners_up``, when a list, receives the ICD-10-CM codes a present
        or possible mention's retrieval found and did not keep (``runners_up.py``)."""
        by_code: dict[tuple[str, str, str], _Accumulator] = {}
        title_end = _title_end(text.text)
        for mention in mentions:
            if mention.assertion in _NEVER_CODED or mention.end <= title_end:
                continue
            systems = _systems_for(mention.type, setting)
            walk = self._walk(mention, text, mentions) if ICD10CM in systems else None
            partial = walk is not None and walk_leaves_words(walk, text.read(mention.start, mention.end))
            given_up: list[CodeVote] | None = (
                []
                if runners_up is not None and ICD10CM in systems and mention.assertion in RUNNER_UP_ASSERTIONS
                else None
            )
            votes = vote(
                self.store,
                mention.text,
                mention.candidates,
                systems,
                encoder=self.encoder,
                walk=walk,
                partial_walk=partial,
                backups=given_up,
            )
            best = votes[0].score if votes else 0.0
            kept = [v for v in votes if v.score >= best - MENTION_MARGIN and not _is_lab_test(v.system, v.code)]
            voted = {v.code for v in kept}  # a code refined to the clause's codes was chosen, not given up
            if ICD10CM in systems:
                kept = self._refined(kept, mention, text, mentions)
            # A condition of a relative or of the patient's past is a different fact from the same condition now:
            # it becomes its own family or personal history code.
            group = mention.assertion if mention.assertion in _SEPARATE_ASSERTIONS else "current"
            if given_up is not None and runners_up is not None:
                chosen = {v.code for v in kept[:MAX_CODES_PER_MENTION]}
                given_up += [v for v in votes if v.system == ICD10CM and v.code not in chosen and v.code not in voted]
                runners_up += runners_up_of(mention, given_up, chosen, self.store)
            for v in kept[:MAX_CODES_PER_MENTION]:
                acc = by_code.setdefault((v.system, v.code, group), _Accumulator(v.system, v.code))
                span = Span(mention.start, mention.end, mention.text)
                if span not in acc.evidence:
                    acc.evidence.append(span)
                acc.assertions.append(mention.assertion)
                if mention.section:
                    acc.sections.append(mention.section)
                if v.score > acc.retrieval:
                    acc.retrieval = v.score
                    acc.rationale = v.rationale
                    acc.source = max(v.sources, key=lambda s: v.sources[s])
                    acc.mention_text = mention.text
        out = []
        for acc in by_code.values():
            if acc.code in generic_codes() and not CONCLUSION_SECTIONS.intersection(acc.sections):
                continue
            if acc.code in _NOT_FROM_A_WORD:
                continue
            title = self.store.title(acc.system, acc.code) or ""
            assertion = _overall_assertion(acc.assertions)
            cand = Candidate(
                system=acc.system,
                code=acc.code,
                title=title,
                score=0.0,
                evidence=sorted(acc.evidence, key=lambda s: s.start),
                assertion=assertion,
                sections=sorted(set(acc.sections)),
                source=acc.source,
                rationale=acc.rationale,
                mention_text=acc.mention_text,
            )
            if acc.system == ICD10CM and self.store.hcc(acc.code):
                cand.flags.append("hcc")
            cand.score = final_score(cand, acc.retrieval, len(acc.evidence))
            out.append(cand)
        return out

    def _walk(self, mention: Any, note: _ExpandedText, neighbours: Sequence[Any]) -> WalkResult | None:
        """The Alphabetic Index walk for a problem mention, modifiers taken from the mention's clause
        (the mention's abbreviations read as their expansions: "Primary OA right knee")."""
        if self._index_tree is None:
            if not self.store.active_release(INDEX_SYSTEM):
                return None
            self._index_tree = IndexTree(self.store)
        start, end = _modifier_window(note, mention, neighbours)
        named = note.expanded(mention.start, mention.end)
        # Only the mention's own abbreviations are read expanded: "in ED" must not make hypertension an emergency.
        window = f"{note.text[start : mention.start]} {named} {note.text[mention.end : end]}"
        written, with_synonyms = written_and_index_words(window)
        with_synonyms |= note.implied | _label_words(note.text, mention.start)
        named_words = context_words(named)
        phrase: frozenset[str] | None = None
        modifier = False
        if len(named.split()) == 1:
            # a lone word follows a main term's "see" only with its own phrase ("atrophic right testis"), within
            # its window: the words of a neighbouring mention ("enlarged fibroid uterus") are that mention's
            phrase = context_words(near_phrase(note.text[start:end], mention.start - start, mention.end - start))
            modifier = is_modifier_word(named)
        result = None
        head = _HEAD_CONNECTOR.split(named, maxsplit=1)[0]
        head_words = context_words(head) if head != named else frozenset()
        if head_words:
            # "Anemia in CKD": the main term is the condition before the connector, as a coder reads it (Anemia > in
            # > chronic kidney disease), not a main term the words after it happen to name (Disease, kidney)
            result = self._index_tree.walk(head_words, with_synonyms, written)
        if result is None:
            result = self._index_tree.walk(named_words, with_synonyms, written, phrase, modifier)
        line_before = note.text[note.text.rfind("\n", 0, mention.start) + 1 : mention.start]
        before = _last_words(_SENTENCE_STOP.split(line_before)[-1], 3)  # not the last sentence's site
        # "Malignant neoplasm of ...": the mention may leave out the word that makes it a malignancy
        column = neoplasm_column(f"malignant {named}" if _MALIGNANT_BEFORE.search(line_before) else named, window)
        histology = skin_histology(f"{before} {named}")
        # "Cancer, breast C50.91-" says "unspecified site": the table gives the subsite the clause names
        vague_site = result is not None and "unspecified site" in (self.store.title(ICD10CM, result.code) or "")
        if column is not None and (
            result is None
            or result.depth == 0
            or result.code.startswith(("C79.9", "C80"))
            or (histology is not None and result.code.startswith("C44.9"))  # "see also Neoplasm, skin, malignant"
            or vague_site
        ):
            # "Cancer - see Neoplasm, by site, malignant": the site is looked up in the Neoplasm Table
            table = self._neoplasm()
            if table:
                if column == SECONDARY:  # a metastasis's site is written next to it ("liver metastases")
                    contexts = [named_words, context_words(f"{named} {_metastasis_site(note.text, mention)}")]
                else:
                    near = _CERVICAL_CANCER.sub(
                        "cervix ", f"{before} {named} {_of_phrase(note.text, mention.end, primary=True)}"
                    )
                    quadrant = breast_quadrant(window)
                    contexts = [named_words, context_words(near)]
                    contexts.append(with_synonyms | context_words(quadrant) if quadrant else with_synonyms)
                found = table.lookup(contexts, column, histology)
                if found is not None and not (
                    vague_site and result is not None and (found.depth < 2 or found.code[:3] != result.code[:3])
                ):
                    return found
            if (
                result is not None
                and result.depth == 0
                and not _NEOPLASM_CODE.match(result.code)
                and MALIGNANCY.fullmatch(result.path.split(",")[0].strip())
            ):
                return None  # a malignancy's main term gives a neoplasm code ("Cancer(o)phobia" F45.29 is no cancer)
        return result

    def _refined(
        self, votes: list[CodeVote], mention: Any, note: _ExpandedText, neighbours: Sequence[Any]
    ) -> list[CodeVote]:
        """Votes for an unspecified or non-billable code moved to the codes the mention's clause states, by the
        tabular titles ("recurrent, moderate": F33.9 -> F33.1; "left femoral and popliteal veins": two codes)."""
        out: list[CodeVote] = []
        context: frozenset[str] | None = None
        for v in votes:
            if v.system != ICD10CM:
                out.append(v)
                continue
            if context is None:
                start, end = _modifier_window(note, mention, neighbours)
                named = note.expanded(mention.start, mention.end)
                window = f"{note.text[start : mention.start]} {named} {note.text[mention.end : end]}"
                context = context_words(window) | side_words(window)
            codes = self._refiner.refine(v.code, context)
            if codes == [v.code]:
                out.append(v)
                continue
            for code in codes:
                title = self.store.title(ICD10CM, code)
                out.append(replace(v, code=code, sources=dict(v.sources), rationale=f"{v.rationale}; tabular: {title}"))
        return out

    def _neoplasm(self) -> NeoplasmTable:
        if self._neoplasm_table is None:
            self._neoplasm_table = NeoplasmTable(self.store)
        return self._neoplasm_table

    def _apply_guidelines(
        self,
        candidates: list[Candidate],
        setting: str,
        note_type: str | None,
        text: str,
        set_aside: list[Candidate] | None = None,
    ) -> list[Candidate]:
        """The candidates after the guideline rules; ``set_aside`` receives the codes they removed that stay
        in the ranked list below the threshold."""
        from cac.coding.guidelines import GuidelineContext, apply_guidelines

        ctx = GuidelineContext(setting=setting, note_type=note_type, store=self.store, text=text, set_aside=set_aside)
        return apply_guidelines(candidates, ctx)


# The words joining a condition to what it is in, with, due to or of ("Anemia in CKD", "Sepsis due to E. coli").
_HEAD_CONNECTOR = re.compile(r"\s+(?:in|with|due to|secondary to|from|of)\s+", re.IGNORECASE)
_SENTENCE_STOP = re.compile(r"[.;:](?:\s|$)")
# "cervical cancer" is a cancer of the cervix uteri, not of the neck's cervical region (C76.0)
_CERVICAL_CANCER = re.compile(r"\bcervical\s+(?=(?:cancer|carcinoma|malignancy|neoplasm)s?\b)", re.IGNORECASE)
_MALIGNANT_BEFORE = re.compile(r"\bmalignant\s+$", re.IGNORECASE)
_OF_SITE = re.compile(
    r"\s*(?:of|in|to|involving|arising from)\s+(?:the\s+)?(?:[lr]eft\s+|right\s+)?([a-z]+(?:\s+[a-z]+)?)", re.I
)


def _last_words(text: str, n: int) -> str:
    """The last ``n`` words of ``text`` within its line ("metastatic colon" before "cancer")."""
    return " ".join(text.rsplit("\n", 1)[-1].split()[-n:])


def _of_phrase(text: str, end: int, primary: bool = False) -> str:
    """The site phrase right after a mention ("of the esophagus" after "carcinoma", "to the liver" after
    "metastases"), or ""; for a ``primary`` malignancy not a "to" phrase ("prostate cancer to bone" names where
    it spread)."""
    m = _OF_SITE.match(text, end)
    if m is None or (primary and m.group(0).split()[0].lower() == "to"):
        return ""
    return m.group(1)


# A neoplasm code: malignant (C00-C96), in situ, benign and uncertain behaviour (D00-D49).
_NEOPLASM_CODE = re.compile(r"C|D[0-4]")
# Where the words naming a metastasis's site stop, back from the metastasis: its primary's words are beyond a
# connector or a clause mark ("adenocarcinoma of the LLL with liver metastases": liver).
_SITE_STOP = re.compile(r"[.,;:()\[\]\n]|\b(?:with|w/|and|or|to|from|of|in|plus|c/w)\b", re.IGNORECASE)


def _metastasis_site(text: str, mention: Any) -> str:
    """The site words of a metastasis: the phrase after it ("metastatic to brain", "mets to the liver"), else the
    words right before it in its own phrase ("brain mets", "with liver metastases", "brain metastases from lung
    cancer": the primary's words are after "from", never read)."""
    after = _of_phrase(text, mention.end)
    if after and not _PRIMARY_AFTER.match(text, mention.end):  # "bone metastasis of thyroid carcinoma": bone
        return after
    spread = _SPREAD_TO.match(text, mention.end)  # "Metastatic prostate cancer to bone"
    if spread:
        return spread.group(1)
    line_start = text.rfind("\n", 0, mention.start) + 1
    before = text[max(line_start, mention.start - 60) : mention.start]
    stops = list(_SITE_STOP.finditer(before))
    return _last_words(before[stops[-1].end() :] if stops else before, 3)


# The primary named after a metastasis ("metastasis of medullary thyroid carcinoma", "from a lung primary").
_PRIMARY_AFTER = re.compile(
    r"\s*(?:of|from)\s+(?:(?:the|a|an|his|her)\s+)?(?:[\w/-]+\s+){0,3}"
    r"(?:cancer|carcinoma|adenocarcinoma|malignancy|tumou?r|neoplasm|melanoma|sarcoma|primary)\b",
    re.IGNORECASE,
)
# "Metastatic" before its primary, the spread written after the primary: "Metastatic ER+ L breast cancer (UOQ) to bone".
_SPREAD_TO = re.compile(
    r"\s+(?:[\w/+-]+\s+){0,5}?(?:cancer|carcinoma|adenocarcinoma|malignancy|ca)(?:\s*\([^)\n]*\))?"
    r"\s+to\s+(?:the\s+)?([a-z]+(?:\s+[a-z]+)?)",
    re.IGNORECASE,
)


_CLAUSE_END = re.compile(r"[;:]\s|\s-\s|\n")
# A cause named after "secondary to" takes no modifier from the words before: "hypotension secondary to his
# hypertension" is no secondary hypertension, "hyperglycemia secondary to type 2 diabetes" no secondary diabetes.
_CAUSE_AFTER = re.compile(r"\bsecondary\s+to\b", re.IGNORECASE)
# Between a mention and the condition the index lists under its "with": the combination's words are its own; a
# spinal level or a number may stand before the "with" ("spinal stenosis L3-5 with neurogenic claudication"), and
# so may a listed modifier ("dementia, mild, with agitation"); a bracketed gloss and a second "and" item may stand
# after it ("with motor fluctuations (wearing off) and peak-dose dyskinesia").
_WITH_BETWEEN = re.compile(
    r"(?:\s+[A-Za-z]{0,2}\d[\w/-]*)?(?:,?\s+[A-Za-z-]+){0,2}?,?\s+(?:with|w/)\s+(?:[\w/-]+\s+){0,3}"
    r"(?:\([^()\n]{0,30}\)\s+)?(?:(?:and|or)\s+(?:[\w/-]+\s+){0,2})?",
    re.IGNORECASE,
)


# A type or cause the note gives in a hedged apposition: "anemia, likely acute blood loss", "anemia, probably due to
# blood loss" (read only where an uncertain diagnosis is coded as established).
_HEDGED_BETWEEN = re.compile(
    r",?\s+(?:likely|probabl[ey]|possibl[ey]|presum(?:ed|ably)|suspected|most\s+likely)\s+"
    r"(?:(?:due\s+to|secondary\s+to|caused\s+by|from)\s+)?(?:[\w/-]+\s+){0,2}",
    re.IGNORECASE,
)


# A list item's words before the next coded mention ("diverticulosis of colon, small internal hemorrhoids": "small"
# is the hemorrhoids'), unless a connecting word makes them one phrase ("diabetes, type 2, with CKD").
_CONNECTING = re.compile(r"\b(?:with|w/|without|due|secondary|caused|from|of|in|on|to|by|at)\b", re.IGNORECASE)
# Where one list item's clause ends for certain: a sentence stop, a clause mark, a line break, a spaced dash.
_ITEM_BREAK = re.compile(r"[.;:](?:\s|$)|\n|\s-\s")


def _item_end(text: str, end: int, next_start: int) -> int:
    """Where a mention's words end before the next mention: at the last comma between them when the words after
    that comma (the next item's) do not connect the two; else at the next mention."""
    comma = text.rfind(",", end, next_start)
    if comma < 0 or _CONNECTING.search(text, comma, next_start) or _ITEM_BREAK.search(text, comma, next_start):
        return next_start  # no comma, a connecting word, or the next mention in another clause (cut there anyway)
    return comma


def _item_start(text: str, last_end: int, start: int) -> int:
    """Where a mention's words start after the previous mention: after the last comma between them (the words
    before it are the previous item's), unless a connecting word right after that comma joins the two."""
    comma = text.rfind(",", last_end, start)
    if comma < 0 or _CONNECTING.search(text, comma, start) or _ITEM_BREAK.search(text, last_end, comma):
        return last_end
    return comma + 1


# A finding written under a label at the start of its line ("- Sigmoid colon: scattered diverticula", "Neck: mass"):
# the label names the finding's site. Section headers ("Impression:", "PMH:") name no site.
_LINE_LABEL = re.compile(r"[ \t]*(?:[-*\u2022]+|\d+[.)])?[ \t]*([A-Za-z][A-Za-z ,/&'-]{1,48}?)[ \t]*:[ \t]")


def _label_words(text: str, offset: int) -> frozenset[str]:
    """The index words of the label that begins the line of ``offset`` when the label is no section header."""
    line_start = text.rfind("\n", 0, offset) + 1
    label = _LINE_LABEL.match(text, line_start, offset)
    if label is None or label.end() > offset or len(label.group(1).split()) > 5:
        return frozenset()
    if normalise_header(label.group(1)) in header_names() or phrase_words()["not_site"] & set(
        label.group(1).lower().replace(",", " ").split()
    ):
        return frozenset()
    return context_words(label.group(1))


def _modifier_window(note: _ExpandedText, mention: Any, neighbours: Sequence[Any]) -> tuple[int, int]:
    """Where a mention's index modifiers may come from: its own sentence and clause, up to the neighbouring
    coded mentions ("Acute on chronic diastolic heart failure", "Sepsis due to E. coli", "OA of both knees"),
    at most WALK_WINDOW characters either side; the words of other mentions are theirs, not this one's."""
    if note.window_neighbours is not neighbours:  # the memo holds for one list of neighbours
        note.windows.clear()
        note.window_neighbours = neighbours
    key = (mention.start, mention.end)  # the window depends on the span alone: a same-span mention never moves it
    memo = note.windows.get(key)
    if memo is None:
        memo = note.windows[key] = _modifier_window_uncached(note, mention, neighbours)
    return memo


def _modifier_window_uncached(note: _ExpandedText, mention: Any, neighbours: Sequence[Any]) -> tuple[int, int]:
    """``_modifier_window`` computed; a note's mentions far from this one are looked at only where they can move the
    window (see ``_neighbour_bounds``)."""
    text = note.text
    start = max(0, mention.start - WALK_WINDOW)
    end = min(len(text), mention.end + WALK_WINDOW)
    for s_start, s_end in note.sentences:
        if s_start <= mention.start < s_end:
            start, end = max(start, s_start), min(end, s_end)
            break
    start, end = _neighbour_bounds(text, mention, neighbours, start, end, note.hedged_modifiers)
    cut = [m.end() for m in _CLAUSE_END.finditer(text, start, mention.start)]
    cut += [m.end() for m in _CAUSE_AFTER.finditer(text, start, mention.start)]
    if cut:
        start = max(cut)
    after = _CLAUSE_END.search(text, mention.end, end)
    if after:
        end = after.start()
    return start, max(end, mention.end)


def _neighbour_bounds(
    text: str, mention: Any, neighbours: Sequence[Any], start: int, end: int, hedged: bool = False
) -> tuple[int, int]:
    """The window [start, end) cut at the list items of the neighbouring coded mentions (``_item_start``,
    ``_item_end``); the same window as asking every neighbour, without asking those that cannot move it:

    - before: a mention ending at or before ``start`` can move it only to just after the last comma in
      [start, mention.start), and only when no item break lies between it and that comma; the nearest such
      mention decides for all of them (its stretch is the shortest);
    - after: a mention starting after the first comma at or past ``end`` has its last comma there too, and
      cannot move it."""
    far_before: Any = None
    first_start = start
    first_comma = text.find(",", end)
    for other in neighbours:
        if other is mention or not other.candidates:
            continue
        if other.end <= mention.start:
            if other.end <= first_start:
                if far_before is None or other.end > far_before.end:
                    far_before = other
                continue
            start = max(start, _item_start(text, other.end, mention.start))
        elif other.start >= mention.end:
            if 0 <= first_comma < other.start:
                continue
            if not _WITH_BETWEEN.fullmatch(text, mention.end, other.start) and not (
                hedged and _HEDGED_BETWEEN.fullmatch(text, mention.end, other.start)
            ):
                end = min(end, _item_end(text, mention.end, other.start))  # "calculus with hydronephrosis" (N13.2)
    if far_before is not None:
        start = max(start, _item_start(text, far_before.end, mention.start))
    return start, end


class _ExpandedText:
    """The note with its abbreviations readable as their expansions, stretch by stretch."""

    def __init__(
        self, text: str, expansions: Sequence[Any], sentences: Sequence[tuple[int, int]] | None = None
    ) -> None:
        self.text = text
        self.sentences = list(sentences or [])
        # _modifier_window of each mention, asked by the index walk and again by the tabular refinement
        self.windows: dict[tuple[int, int], tuple[int, int]] = {}
        self.window_neighbours: Sequence[Any] | None = None  # the mentions ``windows`` was computed against
        self.implied: frozenset[str] = frozenset()  # index words the whole note implies (a newborn's record)
        # an inpatient record codes an uncertain diagnosis as established (Section II.H): "anemia, likely acute blood
        # loss" names the anemia's type there; elsewhere the hedged words are no modifier of it
        self.hedged_modifiers = False
        self._expansions = sorted(
            ((a.start, a.end, a.expansion) for a in expansions if getattr(a, "expansion", None)), key=lambda e: e[0]
        )

    def expanded(self, start: int, end: int) -> str:
        """text[start:end] with every abbreviation inside it followed by its expansion ("OA osteoarthritis")."""
        return self._with_expansions(start, end, keep_abbreviations=True)

    def read(self, start: int, end: int) -> str:
        """text[start:end] with every abbreviation inside it replaced by its expansion ("IBD" -> "inflammatory bowel
        disease")."""
        return self._with_expansions(start, end, keep_abbreviations=False)

    def _with_expansions(self, start: int, end: int, keep_abbreviations: bool) -> str:
        parts = []
        cursor = start
        for a_start, a_end, expansion in self._expansions:
            if a_start < start or a_end > end:
                continue
            parts.append(self.text[cursor : a_end if keep_abbreviations else a_start])
            parts.append(f" {expansion} ")
            cursor = a_end
        parts.append(self.text[cursor:end])
        return "".join(parts)


_TITLE_WORDS = 16
_NEWBORN_WORDS = context_words("newborn neonatal")


def _title_end(text: str) -> int:
    """The end of the note's title line ("INFECTIOUS DISEASES / MEDICINE ADMISSION H&P"), 0 when it has none.

    A title names the service or the report, not the patient's problems: a first line of a few words with no
    colon and no closing full stop. Its words are still read by the procedure coder (the exam performed)."""
    stripped = text.lstrip()
    first = stripped.split("\n", 1)[0].rstrip()
    if not first or ":" in first or first.endswith(".") or len(first.split()) > _TITLE_WORDS or "\n" not in stripped:
        return 0
    return len(text) - len(stripped) + len(first)


@lru_cache(maxsize=1)
def generic_codes() -> frozenset[str]:
    """Codes proposed only from a conclusion section (``resources/generic_codes.tsv``)."""
    text = (files("cac.coding") / "resources" / "generic_codes.tsv").read_text(encoding="utf-8")
    return frozenset(line.split("\t")[0] for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _outermost(mentions: Sequence[Any]) -> list[Any]:
    """Mentions not nested inside a longer mention ("rheumatoid arthritis" inside "seropositive rheumatoid
    arthritis", "tetanus" inside "tetanus booster"): the longer phrase is the more specific statement."""
    ordered = sorted(mentions, key=lambda m: (m.start, -(m.end - m.start)))
    out: list[Any] = []
    for mention in ordered:
        if any(o.start <= mention.start and mention.end <= o.end for o in out):
            continue
        out.append(mention)
    return out


def _overall_assertion(assertions: list[str]) -> str:
    """A code is present if any supporting mention is; else the most telling of the others."""
    for label in ("present", "possible", "historical", "family"):
        if label in assertions:
            return label
    return assertions[0] if assertions else "present"


_ENGINES: dict[tuple[Any, ...], Engine] = {}


def load(threshold: float = DEFAULT_THRESHOLD, dense: bool | None = None, rerank: bool | None = None) -> Engine:
    """The engine, loaded once per process and set of options (``dense`` defaults to ``CAC_DENSE``,
    ``rerank`` to ``CAC_RERANKER``)."""
    if dense is None:
        dense = config.dense_rerank()
    if rerank is None:
        rerank = config.reranker()
    key = (threshold, dense, rerank)
    if key not in _ENGINES:
        _ENGINES[key] = Engine(threshold=threshold, dense=dense, rerank=rerank)
    return _ENGINES[key]
