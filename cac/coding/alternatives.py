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


def is_alternative(suggestion: dict[str, Any]) -> bool:
    """An output suggestion this module listed, flagged ``alternative``."""
    return ALTERNATIVE in suggestion.get("flags", ())


class AlternativeFinder:
    """Reads each category's billable codes and their title words once."""

    def __init__(self, store: CodeSetStore) -> None:
        self.store = store
        self._keys: dict[str, list[tuple[str, frozenset[str]]]] = {}

    def _category(self, category: str) -> list[tuple[str, frozenset[str]]]:
        """The billable codes of a category with the words of their titles and inclusion terms."""
        rows = self._keys.get(category)
        if rows is None:
            codes = self.store.billable_descendants(ICD10CM, category, limit=_MAX_CATEGORY + 1)
            rows = [] if len(codes) > _MAX_CATEGORY else [(code, self._words(code)) for code in codes]
            self._keys[category] = rows
        return rows

    def _words(self, code: str) -> frozenset[str]:
        entry = self.store.get(ICD10CM, code)
        if entry is None:
            return frozenset()
        words = set(tabular_key(entry.title))
        for term in entry.notes.get("inclusion_term", ()):
            words |= tabular_key(term)
        return frozenset(words)

    def add(self, result: dict[str, Any], text: str) -> None:
        """Append, below the threshold, up to ``PER_CODE`` alternatives for every reported ICD-10-CM code."""
        suggestions = result["suggestions"]
        threshold = float(result["threshold"])
        listed = {(s["system"], s["code"]) for s in suggestions}
        added: list[dict[str, Any]] = []
        for s in list(suggestions):
            if s["system"] != ICD10CM or float(s["score"]) < threshold or s["code"][:1] in "STVWXYZ":
                continue
            context = _evidence_context(text, s["evidence"])
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


def _evidence_context(text: str, evidence: list[dict[str, Any]]) -> frozenset[str]:
    """The stemmed words (with the index's words for them) of the lines the evidence stands on."""
    words: set[str] = set()
    for span in evidence:
        start = text.rfind("\n", 0, int(span["start"])) + 1
        end = text.find("\n", int(span["end"]))
        words |= context_words(text[start : end if end >= 0 else len(text)])
    return frozenset(words)
