"""Alternative codes for the coder's review: for each reported ICD-10-CM code, the sibling codes of its category whose
titles add words the note writes beside the evidence ("incarcerated" beside "umbilical hernia" for K42.0 when K42.9 is
reported). They are listed below the threshold, flagged ``alternative``, and never change a reported code."""

from __future__ import annotations

from typing import Any

from cac.codesets import ICD10CM, CodeSetStore
from cac.coding.index_walk import context_words, tabular_key

ALTERNATIVE = "alternative"
# the score of an alternative: below the threshold, above the codes held or set aside for review
ALTERNATIVE_SCORE = 0.2
PER_CODE = 2
_MAX_CATEGORY = 400
_REACH = 120


def is_alternative(suggestion: dict[str, Any]) -> bool:
    """An output suggestion this module listed, flagged ``alternative``."""
    return ALTERNATIVE in suggestion.get("flags", ())


class AlternativeFinder:
    """Reads each category's billable codes and their title words once."""

    def __init__(self, store: CodeSetStore) -> None:
        self.store = store
        self._keys: dict[str, list[tuple[str, frozenset[str]]]] = {}
        self._code_words: dict[str, frozenset[str]] = {}

    def _category(self, category: str) -> list[tuple[str, frozenset[str]]]:
        """The billable codes of a category with the words of their titles and inclusion terms."""
        rows = self._keys.get(category)
        if rows is None:
            codes = self.store.billable_descendants(ICD10CM, category, limit=_MAX_CATEGORY + 1)
            rows = [] if len(codes) > _MAX_CATEGORY else [(code, self._words(code)) for code in codes]
            self._keys[category] = rows
        return rows

    def _words(self, code: str) -> frozenset[str]:
        """The stemmed words of a code's title and inclusion terms (read once per code)."""
        found = self._code_words.get(code)
        if found is None:
            words = set(tabular_key(self.store.title(ICD10CM, code) or ""))
            for term in self.store.notes(ICD10CM, code).get("inclusion_term", ()):
                words |= tabular_key(term)
            found = self._code_words[code] = frozenset(words)
        return found

    words = _words

    def add(self, result: dict[str, Any], text: str) -> None:
        """Append, below the threshold, up to ``PER_CODE`` alternatives for every reported ICD-10-CM code."""
        suggestions = result["suggestions"]
        threshold = float(result["threshold"])
        listed = {(s["system"], s["code"]) for s in suggestions}
        added: list[dict[str, Any]] = []
        for s in list(suggestions):
            if s["system"] != ICD10CM or float(s["score"]) < threshold or s["code"][:1] in "STVWXYZ":
                continue
            context = evidence_context(text, s["evidence"])
            own = self._words(s["code"])
            ranked = []
            for code, words in self._category(s["code"][:3]):
                if (ICD10CM, code) in listed:
                    continue
                new = words - own
                said = new & context
                if said:
                    ranked.append((-len(said), len(new - context), code, said))
            ranked.sort()
            for _neg, _unsaid, code, said in ranked[:PER_CODE]:
                listed.add((ICD10CM, code))
                added.append(
                    {
                        "system": ICD10CM,
                        "code": code,
                        "title": self.store.title(ICD10CM, code) or "",
                        "score": round(min(ALTERNATIVE_SCORE, threshold * 0.5), 4),
                        "evidence": s["evidence"],
                        "assertion": s.get("assertion", "present"),
                        "rationale": f"alternative to {s['code']}: the note's words beside the evidence "
                        f"({', '.join(sorted(said))}) are in this code's title; held below the threshold for review",
                        "flags": [ALTERNATIVE],
                    }
                )
        suggestions.extend(added)


def evidence_context(text: str, evidence: list[dict[str, Any]]) -> frozenset[str]:
    """The stemmed words (with the index's words for them) beside the evidence: on its line, at most ``_REACH``
    characters either side (a dictated note may be one long line)."""
    words: set[str] = set()
    for span in evidence:
        lo, hi = int(span["start"]), int(span["end"])
        start = max(text.rfind("\n", 0, lo) + 1, lo - _REACH)
        end = text.find("\n", hi)
        end = min(end if end >= 0 else len(text), hi + _REACH)
        words |= context_words(text[start:end])
    return frozenset(words)
