"""Lexical code search: SQLite FTS5 candidates, typo correction with rapidfuzz, then a coverage rerank."""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from bisect import bisect_left
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from cac.codesets.model import SearchHit
from cac.codesets.systems import SYSTEMS, try_normalise

if TYPE_CHECKING:
    from cac.codesets.store import CodeSetStore

STOPWORDS = frozenset(
    ["a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the", "to", "with", "w"]
)
_WORD = re.compile(r"[a-z0-9]+")
_SOURCE_WEIGHT = {"title": 1.0, "inclusion": 0.95, "index": 0.9}
_CANDIDATES = 150
_CACHE_SIZE = 20_000
_ORDERED_MAX = 4000  # rank a match by bm25 only when it is small enough to rank quickly
_SUFFIXES = ("ations", "ation", "ities", "ity", "ing", "ies", "es", "ed", "ic", "al", "s", "e")


@lru_cache(maxsize=300_000)
def doc_stems(text: str) -> tuple[str, ...]:
    """Stems of a term's content words (cached: the same terms come back across queries)."""
    return tuple(stem(w) for w in words(text) if w not in STOPWORDS)


# Singular nouns in "-ies" whose stripped stem is another word's: "scabies" (B86) is not "scabs" (R23.4).
_UNSTRIPPED = frozenset({"scabies"})


def stem(word: str) -> str:
    """A light suffix stripper so that 'diabetes'/'diabetic' and 'fracture'/'fractures' meet."""
    if word in _UNSTRIPPED:
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def words(text: str) -> list[str]:
    """Lower-cased, accent-free word tokens (the same split the FTS tokenizer makes)."""
    folded = text.lower()
    if not folded.isascii():
        folded = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    return _WORD.findall(folded)


class Searcher:
    """Holds the vocabulary of the full-text index; one per store connection."""

    def __init__(self, conn: sqlite3.Connection, store: CodeSetStore) -> None:
        self._conn = conn
        self._store = store
        rows = conn.execute("SELECT term, doc FROM terms_vocab").fetchall()
        self._doc_freq = dict(rows)
        self._sorted = sorted(self._doc_freq)
        self._cache: dict[tuple[str, str | None, int], list[SearchHit]] = {}
        self._by_initial: dict[str, list[str]] = {}
        for term in self._sorted:
            self._by_initial.setdefault(term[0], []).append(term)

    def _has_prefix(self, token: str) -> bool:
        i = bisect_left(self._sorted, token)
        return i < len(self._sorted) and self._sorted[i].startswith(token)

    def doc_freq(self, term: str, prefix: bool) -> int:
        """Rows holding ``term`` (or any word starting with it, when ``prefix``)."""
        if not prefix:
            return int(self._doc_freq.get(term, 0))
        i = bisect_left(self._sorted, term)
        total = 0
        while i < len(self._sorted) and self._sorted[i].startswith(term):
            total += self._doc_freq[self._sorted[i]]
            i += 1
        return total

    def _candidates(self, stems: list[str], system: str | None, limit: int) -> list[tuple]:
        """Rows matching all query terms; then, while too few codes were found, the rarest terms only."""
        ranked = [t for _df, t in sorted((self.doc_freq(t, len(t) >= 4), t) for t in stems)]
        exprs = [f'"{t}"*' if len(t) >= 4 else f'"{t}"' for t in ranked]
        rows: list[tuple] = []
        codes: set[tuple[str, str]] = set()
        for k in range(len(exprs), 0, -1):
            found = self._fts(" AND ".join(exprs[:k]), system)
            rows.extend(found)
            codes.update((r[0], r[1]) for r in found)
            if len(codes) >= limit:
                break
        return rows

    def correct(self, token: str) -> str | None:
        """The token itself if indexed (or a prefix of an indexed word), else its nearest indexed word."""
        if token in self._doc_freq or token.isdigit() or (len(token) >= 4 and self._has_prefix(token)):
            return token
        if len(token) < 4:
            return None
        max_edits = 1 if len(token) < 6 else 2
        pool = [t for t in self._by_initial.get(token[0], []) if abs(len(t) - len(token)) <= max_edits]
        near = process.extract(token, pool, scorer=OSA.distance, limit=20, score_cutoff=max_edits)
        if not near:
            return None
        fewest = min(distance for _t, distance, _i in near)
        # Among the closest words (a transposition counts as one edit), the most frequent one wins.
        return max((t for t, distance, _i in near if distance == fewest), key=lambda t: self._doc_freq[t])

    def _fts(self, expression: str, system: str | None) -> list[tuple[str, str, str, str, int]]:
        """Up to _CANDIDATES rows matching ``expression``, best bm25 first unless the match is huge."""
        try:
            count = self._conn.execute(
                "SELECT count(*) FROM terms_fts WHERE terms_fts MATCH ?", (expression,)
            ).fetchone()[0]
        except sqlite3.OperationalError:
            return []
        if count == 0:
            return []
        sql = (
            "SELECT t.system, t.code, t.text, t.source, t.billable "
            "FROM terms_fts JOIN terms t ON t.id = terms_fts.rowid WHERE terms_fts MATCH ?"
        )
        args: list[object] = [expression]
        if system:
            sql += " AND t.system = ?"
            args.append(system)
        if count <= _ORDERED_MAX:
            sql += " ORDER BY bm25(terms_fts)"
        sql += " LIMIT ?"
        args.append(_CANDIDATES)
        try:
            return self._conn.execute(sql, args).fetchall()
        except sqlite3.OperationalError:
            return []

    def _code_hits(self, query: str, system: str | None) -> list[SearchHit]:
        """A query that is itself a code (``e11.22``, ``J1885``) finds that code first."""
        hits = []
        for sys_name in [system] if system else list(SYSTEMS):
            code = try_normalise(sys_name, query)
            if code is None:
                continue
            title = self._store.title(sys_name, code)
            if title is not None:
                hits.append(
                    SearchHit(sys_name, code, title, 1.0, code, "code", self._store.is_billable(sys_name, code))
                )
        return hits

    def search(self, query: str, system: str | None, limit: int) -> list[SearchHit]:
        """Ranked hits; repeated queries (the same mention in many notes) are answered from a bounded cache."""
        key = (query, system, limit)
        hits = self._cache.get(key)
        if hits is None:
            hits = self._search(query, system, limit)
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = hits
        return [replace(h) for h in hits]

    def _search(self, query: str, system: str | None, limit: int) -> list[SearchHit]:
        query = query.strip()
        if not query or limit <= 0:
            return []
        exact = self._code_hits(query, system) if len(query) <= 9 else []
        tokens = [t for t in words(query) if t not in STOPWORDS]
        fixed = [c for c in (self.correct(t) for t in tokens) if c]
        if not fixed:
            return exact[:limit]
        stems = list(dict.fromkeys(stem(t) for t in fixed))
        rows = self._candidates(stems, system, limit)
        ranked = self._rerank(stems, rows, limit + len(exact))
        seen = {(h.system, h.code) for h in exact}
        out = exact + [h for h in ranked if (h.system, h.code) not in seen]
        return out[:limit]

    def _rerank(
        self, query_tokens: list[str], rows: list[tuple[str, str, str, str, int]], limit: int
    ) -> list[SearchHit]:
        best: dict[tuple[str, str], SearchHit] = {}
        query_set = set(query_tokens)
        joined_query = " ".join(query_tokens)
        for system, code, text, source, billable in rows:
            doc = doc_stems(text)
            if not doc:
                continue
            coverage = len(query_set.intersection(doc)) / len(query_set)
            precision = sum(1 for w in doc if w in query_set) / len(doc)
            order = fuzz.token_sort_ratio(joined_query, " ".join(doc)) / 100
            score = (0.55 * coverage + 0.3 * precision + 0.15 * order) * _SOURCE_WEIGHT.get(source, 0.9)
            key = (system, code)
            if key not in best or score > best[key].score:
                best[key] = SearchHit(system, code, "", round(score, 4), text, source, bool(billable))
        hits = sorted(best.values(), key=lambda h: (-h.score, not h.billable, h.code))[:limit]
        for hit in hits:
            hit.title = self._store.title(hit.system, hit.code) or hit.matched
        return hits
