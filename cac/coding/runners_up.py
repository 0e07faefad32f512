"""Runners-up for the coder's review: the ICD-10-CM codes a present or possible mention's retrieval found and did not
keep (a term list's code the index walk overrode, a lexical hit too weak to vote, a code outside the mention's margin,
a lone word's search hits: ``candidates.vote``'s ``backups``). One is listed only when its title adds words the note
writes beside the mention ("intramural" beside "leiomyoma": D25.1; "Hashimoto's" beside "hypothyroidism": E06.3),
below the threshold and flagged ``runner_up``. It never changes a reported code, enters no reranker feature and no
training row (its rationale says it is held for review). A runner-up never stands for a negated, hypothetical or
family-only condition: such mentions give none, and a code their term lists name is not listed."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cac.codesets import ICD10CM, CodeSetStore
from cac.coding.alternatives import evidence_context
from cac.coding.candidates import CodeVote
from cac.coding.guidelines.common import HELD
from cac.coding.index_walk import context_words
from cac.coding.types import Span

RUNNER_UP = "runner_up"
# Mentions whose runners-up are listed: the patient's own condition now (a possible one is listed as a rule-held
# uncertain diagnosis is); a past condition becomes a history code, which no retrieval of its words finds.
RUNNER_UP_ASSERTIONS = frozenset({"present", "possible"})
# Assertions whose mentions' term-list codes are never listed as runners-up.
DENIED_ASSERTIONS = frozenset({"negated", "hypothetical", "family"})
# Codes kept per mention (best retrieval first) before the note's words choose among them.
PER_MENTION = 6
# Runners-up listed per mention and per note: a coder reads the list.
LISTED_PER_MENTION = 2
LISTED_PER_NOTE = 3
# The score of a runner-up: its retrieval score scaled into (0, RUNNER_UP_SCORE], with the alternatives and the codes
# a rule set aside, below the codes a rule held.
RUNNER_UP_SCORE = 0.2
# External causes (V00-Y99) are not coded from a condition's words.
_NOT_LISTED = tuple("VWXY")


@dataclass(frozen=True)
class RunnerUp:
    """A code a mention's retrieval gave up, with the retrieval score it had."""

    code: str
    score: float
    evidence: Span
    assertion: str
    rationale: str


def is_runner_up(suggestion: dict[str, Any]) -> bool:
    """An output suggestion this module listed, flagged ``runner_up``."""
    return RUNNER_UP in suggestion.get("flags", ())


def runners_up_of(mention: Any, given_up: Iterable[CodeVote], chosen: set[str], store: CodeSetStore) -> list[RunnerUp]:
    """The best ``PER_MENTION`` billable codes a mention gave up (best retrieval score first), none of them
    ``chosen`` and no external cause."""
    ranked: list[CodeVote] = []
    seen = set(chosen)
    for v in sorted(given_up, key=lambda v: (-v.score, v.code)):
        if len(ranked) >= PER_MENTION:
            break
        if v.system != ICD10CM or v.code in seen or v.code.startswith(_NOT_LISTED):
            continue
        seen.add(v.code)
        if store.is_billable(ICD10CM, v.code):
            ranked.append(v)
    span = Span(mention.start, mention.end, mention.text)
    return [RunnerUp(v.code, v.score, span, mention.assertion, v.rationale) for v in ranked]


def denied_codes(mentions: Sequence[Any]) -> frozenset[str]:
    """The ICD-10-CM codes the term lists name for the note's negated, hypothetical and family mentions."""
    return frozenset(
        code
        for m in mentions
        if m.assertion in DENIED_ASSERTIONS
        for system, code, _source in (m.candidates or ())
        if system == ICD10CM
    )


def _supported(
    runners_up: Sequence[RunnerUp], text: str, words: Callable[[str], frozenset[str]], skip: set[str]
) -> list[tuple[int, float, RunnerUp, frozenset[str]]]:
    """The runners-up whose title words the note writes beside their mention (beyond the mention's own words),
    at most ``LISTED_PER_MENTION`` a mention, most such words first, then best retrieval."""
    by_mention: dict[Span, list[RunnerUp]] = {}
    for r in runners_up:
        if r.code not in skip:
            by_mention.setdefault(r.evidence, []).append(r)
    out = []
    for span, found in by_mention.items():
        beside = evidence_context(text, [span.to_dict()]) - context_words(span.text)
        ranked = []
        for r in found:
            said = frozenset(w for w in words(r.code) & beside if len(w) > 2)
            if said:
                ranked.append((len(said), r.score, r, said))
        ranked.sort(key=lambda t: (-t[0], -t[1], t[2].code))
        out += ranked[:LISTED_PER_MENTION]
    out.sort(key=lambda t: (-t[0], -t[1], t[2].evidence.start, t[2].code))
    return out


def add_runners_up(
    result: dict[str, Any],
    runners_up: Sequence[RunnerUp],
    store: CodeSetStore,
    text: str,
    words: Callable[[str], frozenset[str]],
    denied: frozenset[str] = frozenset(),
) -> None:
    """Append, below the threshold, at most ``LISTED_PER_NOTE`` runners-up the words beside their mention support.
    ``words``: a code's stemmed title words (``AlternativeFinder.words``)."""
    if not runners_up:
        return
    suggestions = result["suggestions"]
    threshold = float(result["threshold"])
    skip = {s["code"] for s in suggestions if s["system"] == ICD10CM} | denied
    cap = min(RUNNER_UP_SCORE, threshold * 0.5)
    listed = 0
    for _n, score, r, said in _supported(runners_up, text, words, skip):
        if listed >= LISTED_PER_NOTE:
            break
        if r.code in skip:
            continue
        skip.add(r.code)
        listed += 1
        suggestions.append(
            {
                "system": ICD10CM,
                "code": r.code,
                "title": store.title(ICD10CM, r.code) or "",
                "score": round(cap * min(1.0, score), 4),
                "evidence": [r.evidence.to_dict()],
                "assertion": r.assertion,
                "rationale": f"runner-up for {r.evidence.text!r}: {r.rationale} (retrieval {score:.2f}); the note's "
                f"words beside it ({', '.join(sorted(said))}) are in this code's title, not the mention's code; {HELD}",
                "flags": [RUNNER_UP],
            }
        )
