"""Alphabetic Index walk, as a coder does it: find the main term, then descend the subterms the note's words
support (modifiers in the mention's line), following the tree the index import rebuilt.

"diverticulosis of the sigmoid colon without bleeding" -> Diverticulosis > large intestine -> K57.30.
Words inside negated or hypothetical mentions do not count as modifiers ("no bleeding").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

from cac.codesets import CodeSetStore
from cac.codesets.search import STOPWORDS, stem, words

_CONNECTORS = frozenset({"with", "in", "due to", "following", "complicating", "by", "associated with", "during"})
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")


@dataclass(frozen=True)
class WalkResult:
    code: str
    path: str
    depth: int


def _key(term: str) -> frozenset[str]:
    cleaned = _BRACKETS.sub(" ", term.lower()).replace(" nec", " ").replace(" nos", " ")
    return frozenset(stem(w) for w in words(cleaned) if w not in STOPWORDS)


@lru_cache(maxsize=1)
def anatomy_synonyms() -> dict[str, list[str]]:
    text = (files("cac.coding") / "resources" / "anatomy_synonyms.tsv").read_text(encoding="utf-8")
    out: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            word, _tab, index_words = line.partition("\t")
            out.setdefault(word.strip().lower(), []).extend(words(index_words))
    return out


class IndexTree:
    """The main Alphabetic Index in memory: main terms by their word keys, children by parent."""

    def __init__(self, store: CodeSetStore) -> None:
        self.children: dict[int, list[tuple[frozenset[str], bool, str, str | None, int]]] = {}
        self.mains: dict[frozenset[str], list[tuple[int, str, str | None]]] = {}
        for row in store.index_rows("main"):
            term = row.term
            if row.parent_id is None:
                for variant in {term, *term.split(", ")}:
                    key = _key(variant)
                    if key:
                        self.mains.setdefault(key, []).append((row.id, term, row.code))
            else:
                connector = term.lower() in _CONNECTORS
                self.children.setdefault(row.parent_id, []).append(
                    (frozenset() if connector else _key(term), connector, term, row.code, row.id)
                )
        self.keys_by_word: dict[str, list[frozenset[str]]] = {}
        for key in self.mains:
            for w in key:
                self.keys_by_word.setdefault(w, []).append(key)

    def walk(self, mention_words: frozenset[str], context: frozenset[str]) -> WalkResult | None:
        """The deepest coded node reachable from a main term named in the mention, modifiers from the context."""
        best: WalkResult | None = None
        keys = {key for w in mention_words for key in self.keys_by_word.get(w, ()) if key <= mention_words}
        for key in sorted(keys, key=sorted):
            for node_id, term, code in self.mains[key]:
                result = self._descend(node_id, term, code, context)
                if result and (best is None or (result.depth, len(key)) > (best.depth, 0)):
                    best = result
        return best

    def _descend(self, node_id: int, term: str, code: str | None, context: frozenset[str]) -> WalkResult | None:
        """Depth-first over the subterms the context supports; the path reaching the deepest code wins."""

        def options(current: int) -> list[tuple[int, str, str | None, int]]:
            found = []
            for key, connector, child_term, child_code, child_id in self.children.get(current, []):
                if connector:  # "with" / "in": look through it at its subterms
                    for gkey, gconn, g_term, g_code, g_id in self.children.get(child_id, []):
                        if gkey and not gconn and gkey <= context:
                            found.append((len(gkey), f"{child_term} {g_term}", g_code, g_id))
                elif key and key <= context:
                    found.append((len(key), child_term, child_code, child_id))
            return found

        def best_from(current: int, depth: int, guard: int) -> tuple[tuple[int, int], list[str], str | None]:
            best: tuple[tuple[int, int], list[str], str | None] = ((0, 0), [], None)
            if guard > 8:
                return best
            for words_matched, child_term, child_code, child_id in options(current):
                score, sub_path, sub_code = best_from(child_id, depth + 1, guard + 1)
                if sub_code is not None:
                    candidate = ((score[0] + 1, score[1] + words_matched), [child_term, *sub_path], sub_code)
                elif child_code is not None:
                    candidate = ((1, words_matched), [child_term], child_code)
                else:
                    continue
                if candidate[0] > best[0]:
                    best = candidate
            return best

        (depth, _words), path, found = best_from(node_id, 0, 0)
        if found is None:
            if code is None:
                return None
            return WalkResult(code, term, 0)
        return WalkResult(found, ", ".join([term, *path]), depth)


_ABSENT = re.compile(r"\b(without|no|denies|denied|negative for|free of|absence of)\b[^.,;:\n]*", re.IGNORECASE)


def context_words(text: str) -> frozenset[str]:
    """Stemmed content words of a stretch of note text, with the index's words for anatomical terms."""
    found = set()
    for w in words(_ABSENT.sub(" ", text)):
        if w in STOPWORDS:
            continue
        found.add(stem(w))
        for extra in anatomy_synonyms().get(w, []):
            found.add(stem(extra))
    return frozenset(found)
