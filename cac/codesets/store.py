"""The local code-set store: one SQLite file, versioned by system and release."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

from cac.codesets.errors import ImportFailedError, InvalidCodeError
from cac.codesets.model import (
    NOTE_KINDS,
    CodeEntry,
    CodeRecord,
    HccCategory,
    IndexRow,
    ReleaseInfo,
    SearchHit,
)
from cac.codesets.systems import ICD10CM, canonical_system, normalise_code, try_normalise

SCHEMA_VERSION = "3"
INDEX_SYSTEM = "ICD-10-CM index"
_ROW_MEMO_MAX = 200_000  # code rows kept in memory per store (ICD-10-CM has about 98k codes)
# Notes of an ancestor that bind its descendants (inclusion terms and short titles do not).
_INHERITED_KINDS = tuple(k for k in NOTE_KINDS if k not in ("inclusion_term", "short_title"))

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE releases (
    system TEXT NOT NULL, release TEXT NOT NULL, source TEXT NOT NULL, imported_at TEXT NOT NULL,
    code_count INTEGER NOT NULL, billable_count INTEGER NOT NULL, active INTEGER NOT NULL,
    PRIMARY KEY (system, release));
CREATE TABLE codes (
    system TEXT NOT NULL, release TEXT NOT NULL, code TEXT NOT NULL, title TEXT NOT NULL,
    billable INTEGER NOT NULL, parent TEXT, kind TEXT NOT NULL, chapter TEXT, block TEXT,
    PRIMARY KEY (system, release, code)) WITHOUT ROWID;
CREATE INDEX codes_parent ON codes (system, release, parent);
CREATE TABLE notes (
    system TEXT NOT NULL, release TEXT NOT NULL, code TEXT NOT NULL, seq INTEGER NOT NULL,
    kind TEXT NOT NULL, text TEXT NOT NULL, PRIMARY KEY (system, release, code, seq)) WITHOUT ROWID;
CREATE TABLE index_terms (
    release TEXT NOT NULL, id INTEGER NOT NULL, parent_id INTEGER, level INTEGER NOT NULL,
    term TEXT NOT NULL, path TEXT NOT NULL, tbl TEXT NOT NULL, col TEXT, code TEXT, see TEXT,
    see_also TEXT, nonessential TEXT, resolved_from TEXT, PRIMARY KEY (release, id));
CREATE INDEX index_terms_code ON index_terms (release, code, id);
CREATE TABLE hcc (
    code TEXT NOT NULL, model TEXT NOT NULL, payment_year INTEGER NOT NULL, category TEXT NOT NULL,
    label TEXT NOT NULL, PRIMARY KEY (code, model, category));
CREATE TABLE terms (
    id INTEGER PRIMARY KEY, system TEXT NOT NULL, code TEXT NOT NULL, text TEXT NOT NULL,
    source TEXT NOT NULL, billable INTEGER NOT NULL);
CREATE VIRTUAL TABLE terms_fts USING fts5(
    text, content='terms', content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='3');
CREATE VIRTUAL TABLE terms_vocab USING fts5vocab(terms_fts, 'row');
"""


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


class CodeSetStore:
    """Read access to the active releases, and atomic writes of new ones."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._conn = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._lock = threading.RLock()
        self._active: dict[str, str] = {}
        self._searcher: object | None = None
        self._refresh_active()

    # ------------------------------------------------------------------ set-up
    @classmethod
    def create(cls, path: Path) -> CodeSetStore:
        """Create an empty store file at ``path`` (which must not exist)."""
        conn = sqlite3.connect(str(path))
        conn.executescript(_SCHEMA)
        conn.execute("INSERT INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
        conn.commit()
        conn.close()
        return cls(path)

    def schema_version(self) -> str | None:
        try:
            row = self._conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        except sqlite3.DatabaseError:
            return None
        return row[0] if row else None

    def close(self) -> None:
        self._conn.close()

    def _refresh_active(self) -> None:
        try:
            rows = self._conn.execute("SELECT system, release FROM releases WHERE active=1").fetchall()
        except sqlite3.DatabaseError:
            rows = []
        self._active = {system: release for system, release in rows}
        self._searcher = None
        # code rows read so far: a note asks for the same titles and billable flags many times; any write through
        # this store (``_transaction``) empties it
        self._rows: dict[tuple[str, str, str], tuple | None] = {}

    # ------------------------------------------------------------------ releases
    def active_release(self, system: str) -> str | None:
        if system == INDEX_SYSTEM:
            return self._active.get(INDEX_SYSTEM)
        return self._active.get(canonical_system(system))

    def releases(self) -> list[ReleaseInfo]:
        rows = self._conn.execute(
            "SELECT system, release, source, imported_at, code_count, billable_count, active "
            "FROM releases ORDER BY system, release"
        ).fetchall()
        return [ReleaseInfo(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6])) for r in rows]

    def meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    # ------------------------------------------------------------------ lookups
    def _code_row(self, system: str, code: str) -> tuple | None:
        release = self._active.get(system)
        if release is None:
            return None
        key = (system, release, code)
        if key in self._rows:
            return self._rows[key]
        row = self._conn.execute(
            "SELECT code, title, billable, parent, kind, chapter, block FROM codes "
            "WHERE system=? AND release=? AND code=?",
            key,
        ).fetchone()
        if len(self._rows) < _ROW_MEMO_MAX:
            self._rows[key] = row
        return row

    def _canonical(self, system: str, code: str) -> tuple[str, str | None]:
        system = canonical_system(system)
        return system, try_normalise(system, code)

    def is_valid(self, system: str, code: str) -> bool:
        """True when the code exists in the active release of its system."""
        system, norm = self._canonical(system, code)
        return norm is not None and self._code_row(system, norm) is not None

    def is_billable(self, system: str, code: str) -> bool:
        system, norm = self._canonical(system, code)
        row = self._code_row(system, norm) if norm else None
        return bool(row and row[2])

    def title(self, system: str, code: str) -> str | None:
        system, norm = self._canonical(system, code)
        row = self._code_row(system, norm) if norm else None
        return row[1] if row else None

    def children(self, system: str, code: str) -> list[str]:
        system, norm = self._canonical(system, code)
        release = self._active.get(system)
        if norm is None or release is None:
            return []
        rows = self._conn.execute(
            "SELECT code FROM codes WHERE system=? AND release=? AND parent=? ORDER BY code",
            (system, release, norm),
        ).fetchall()
        return [r[0] for r in rows]

    def billable_descendants(self, system: str, code: str, limit: int | None = None) -> list[str]:
        """The billable codes below ``code`` (itself if billable), nearest first."""
        system, norm = self._canonical(system, code)
        if norm is None:
            raise InvalidCodeError(f"malformed {system} code {code!r}")
        row = self._code_row(system, norm)
        if row is None:
            return []
        if row[2]:
            return [norm]
        found: list[str] = []
        frontier = [norm]
        while frontier and (limit is None or len(found) < limit):
            nxt: list[str] = []
            for parent in frontier:
                for child in self.children(system, parent):
                    child_row = self._code_row(system, child)
                    if child_row and child_row[2]:
                        found.append(child)
                    else:
                        nxt.append(child)
            frontier = nxt
        return found[:limit] if limit is not None else found

    def notes(self, system: str, code: str) -> dict[str, list[str]]:
        system, norm = self._canonical(system, code)
        release = self._active.get(system)
        out: dict[str, list[str]] = {}
        if norm is None or release is None:
            return out
        for kind, text in self._conn.execute(
            "SELECT kind, text FROM notes WHERE system=? AND release=? AND code=? ORDER BY seq",
            (system, release, norm),
        ):
            out.setdefault(kind, []).append(text)
        return out

    def ancestors(self, system: str, code: str) -> list[str]:
        system, norm = self._canonical(system, code)
        chain: list[str] = []
        row = self._code_row(system, norm) if norm else None
        while row is not None and row[3] and row[3] not in chain:
            chain.append(row[3])
            row = self._code_row(system, row[3])
        return chain

    def hcc(self, code: str) -> list[HccCategory]:
        norm = try_normalise(ICD10CM, code)
        if norm is None:
            return []
        rows = self._conn.execute(
            "SELECT model, category, label, payment_year FROM hcc WHERE code=? ORDER BY category", (norm,)
        ).fetchall()
        return [HccCategory(r[0], r[1], r[2], r[3]) for r in rows]

    def index_terms_for(self, code: str, limit: int = 25) -> list[str]:
        release = self._active.get(INDEX_SYSTEM)
        if release is None:
            return []
        rows = self._conn.execute(
            "SELECT path, col FROM index_terms WHERE release=? AND code=? ORDER BY id LIMIT ?",
            (release, code, limit),
        ).fetchall()
        return [f"{path} [{col}]" if col else path for path, col in rows]

    def get(self, system: str, code: str) -> CodeEntry | None:
        """Everything known about a code in the active release, or None when it does not exist."""
        system, norm = self._canonical(system, code)
        if norm is None:
            raise InvalidCodeError(f"malformed {system} code {code!r}")
        row = self._code_row(system, norm)
        if row is None:
            return None
        inherited: dict[str, list[dict[str, str]]] = {}
        for ancestor in self.ancestors(system, norm):
            for kind, texts in self.notes(system, ancestor).items():
                if kind in _INHERITED_KINDS:
                    inherited.setdefault(kind, []).extend({"from": ancestor, "text": t} for t in texts)
        is_cm = system == ICD10CM
        return CodeEntry(
            system=system,
            code=row[0],
            title=row[1],
            billable=bool(row[2]),
            release=self._active[system],
            kind=row[4],
            parent=row[3],
            children=self.children(system, norm),
            chapter=row[5],
            block=row[6],
            notes=self.notes(system, norm),
            inherited_notes=inherited,
            hcc=self.hcc(norm) if is_cm else [],
            index_terms=self.index_terms_for(norm) if is_cm else [],
        )

    def codes(self, system: str, billable_only: bool = False) -> Iterator[tuple[str, str, bool]]:
        """(code, title, billable) of every entry of the active release."""
        system = canonical_system(system)
        release = self._active.get(system)
        if release is None:
            return
        sql = "SELECT code, title, billable FROM codes WHERE system=? AND release=?"
        if billable_only:
            sql += " AND billable=1"
        for code, title, billable in self._conn.execute(sql + " ORDER BY code", (system, release)):
            yield code, title, bool(billable)

    def terms(self, system: str = ICD10CM) -> Iterator[tuple[str, str, str]]:
        """(term text, code, source) for every searchable term of the system's active release."""
        system = canonical_system(system)
        yield from self._conn.execute("SELECT text, code, source FROM terms WHERE system=? ORDER BY id", (system,))

    def index_rows(self, table: str = "main") -> Iterator[IndexRow]:
        """The active Alphabetic Index, in index order (parents before their subterms)."""
        release = self._active.get(INDEX_SYSTEM)
        if release is None:
            return
        for r in self._conn.execute(
            "SELECT id, parent_id, level, term, path, tbl, col, code, see, see_also, nonessential, "
            "resolved_from FROM index_terms WHERE release=? AND tbl=? ORDER BY id",
            (release, table),
        ):
            yield IndexRow(*r)

    def search(self, query: str, system: str | None = None, limit: int = 10) -> list[SearchHit]:
        """Codes ranked by lexical match of ``query`` over titles, inclusion terms and index terms."""
        from cac.codesets.search import Searcher

        with self._lock:
            if self._searcher is None:
                self._searcher = Searcher(self._conn, self)
            searcher = self._searcher
        assert isinstance(searcher, Searcher)
        return searcher.search(query, canonical_system(system) if system else None, limit)

    # ------------------------------------------------------------------ writes
    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Cursor]:
        """One write transaction: committed when the block ends, rolled back (store unchanged) on any error."""
        with self._lock:
            cur = self._conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                yield cur
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            finally:
                self._refresh_active()

    def write_release(
        self,
        system: str,
        release: str,
        records: Iterable[CodeRecord],
        source: str,
        activate: bool = True,
        hcc_rows: Iterable[tuple[str, str, int, str, str]] | None = None,
        refresh_terms: bool = True,
    ) -> ReleaseInfo:
        """Replace (system, release) with ``records`` in one transaction; on any error nothing changes."""
        system = canonical_system(system)
        with self._transaction() as cur:
            cur.execute("DELETE FROM codes WHERE system=? AND release=?", (system, release))
            cur.execute("DELETE FROM notes WHERE system=? AND release=?", (system, release))
            count = billable = 0
            seen: set[str] = set()
            code_rows: list[tuple[object, ...]] = []
            note_rows: list[tuple[str, str, str, int, str, str]] = []
            for rec in records:
                if rec.code in seen:
                    continue
                seen.add(rec.code)
                count += rec.kind not in ("block", "modifier")
                billable += bool(rec.billable)
                code_rows.append(
                    (
                        system,
                        release,
                        rec.code,
                        rec.title,
                        int(rec.billable),
                        rec.parent,
                        rec.kind,
                        rec.chapter,
                        rec.block,
                    )
                )
                note_rows.extend((system, release, rec.code, i, k, t) for i, (k, t) in enumerate(rec.notes))
            if count == 0:
                raise ImportFailedError(f"no {system} codes found in {source}")
            cur.executemany("INSERT INTO codes VALUES (?,?,?,?,?,?,?,?,?)", code_rows)
            cur.executemany("INSERT INTO notes VALUES (?,?,?,?,?,?)", note_rows)
            if hcc_rows is not None:
                cur.execute("DELETE FROM hcc")
                cur.executemany("INSERT OR IGNORE INTO hcc VALUES (?,?,?,?,?)", hcc_rows)
            self._record_release(cur, system, release, source, count, billable, activate)
            if refresh_terms:
                self._rebuild_terms(cur)
        return next(r for r in self.releases() if r.system == system and r.release == release)

    def write_index(self, release: str, rows: list[IndexRow], source: str) -> ReleaseInfo:
        """Replace the Alphabetic Index ``release`` in one transaction and make it active."""
        with self._transaction() as cur:
            cur.execute("DELETE FROM index_terms WHERE release=?", (release,))
            cur.executemany(
                "INSERT INTO index_terms VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        release,
                        r.id,
                        r.parent_id,
                        r.level,
                        r.term,
                        r.path,
                        r.table,
                        r.column,
                        r.code,
                        r.see,
                        r.see_also,
                        r.nonessential,
                        r.resolved_from,
                    )
                    for r in rows
                ],
            )
            terms = sum(1 for r in rows if r.column is None)
            with_code = sum(1 for r in rows if r.code)
            self._record_release(cur, INDEX_SYSTEM, release, source, terms, with_code, True)
            self._rebuild_terms(cur)
        return next(r for r in self.releases() if r.system == INDEX_SYSTEM and r.release == release)

    def refresh_terms(self) -> None:
        """Rebuild the searchable terms of the active releases (after writes made without it)."""
        with self._transaction() as cur:
            self._rebuild_terms(cur)

    def set_meta(self, key: str, value: str) -> None:
        self._conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    @staticmethod
    def _record_release(
        cur: sqlite3.Cursor, system: str, release: str, source: str, count: int, billable: int, activate: bool
    ) -> None:
        if activate:
            cur.execute("UPDATE releases SET active=0 WHERE system=?", (system,))
        else:
            has_active = cur.execute(
                "SELECT 1 FROM releases WHERE system=? AND active=1 AND release<>?", (system, release)
            ).fetchone()
            activate = has_active is None
        cur.execute(
            "INSERT OR REPLACE INTO releases VALUES (?,?,?,?,?,?,?)",
            (system, release, source, _now(), count, billable, int(activate)),
        )

    @staticmethod
    def _rebuild_terms(cur: sqlite3.Cursor) -> None:
        """Regenerate the searchable terms of the active releases and their full-text index."""
        cur.execute("DELETE FROM terms")
        active = dict(cur.execute("SELECT system, release FROM releases WHERE active=1").fetchall())
        for system, release in active.items():
            if system == INDEX_SYSTEM:
                continue
            cur.execute(
                "INSERT INTO terms (system, code, text, source, billable) SELECT system, code, title, 'title', "
                "billable FROM codes WHERE system=? AND release=? AND kind NOT IN ('block', 'modifier')",
                (system, release),
            )
            cur.execute(
                "INSERT INTO terms (system, code, text, source, billable) SELECT n.system, n.code, n.text, "
                "CASE n.kind WHEN 'short_title' THEN 'title' ELSE 'inclusion' END, c.billable FROM notes n "
                "JOIN codes c ON c.system=n.system AND c.release=n.release AND c.code=n.code "
                "WHERE n.system=? AND n.release=? AND n.kind IN ('inclusion_term', 'short_title')",
                (system, release),
            )
        index_release = active.get(INDEX_SYSTEM)
        cm_release = active.get(ICD10CM)
        if index_release and cm_release:
            cur.execute(
                "INSERT INTO terms (system, code, text, source, billable) "
                "SELECT ?, i.code, i.path || CASE WHEN i.col IS NULL THEN '' ELSE ' ' || i.col END, 'index', "
                "c.billable "
                "FROM index_terms i JOIN codes c ON c.system=? AND c.release=? AND c.code=i.code "
                "WHERE i.release=? AND i.tbl IN ('main', 'neoplasm', 'drug') ORDER BY i.id",
                (ICD10CM, ICD10CM, cm_release, index_release),
            )
        cur.execute("INSERT INTO terms_fts(terms_fts) VALUES ('rebuild')")


def normalise_for_store(system: str, code: str) -> str:
    """Canonical code or an ImportFailedError naming the bad code."""
    try:
        return normalise_code(system, code)
    except InvalidCodeError as exc:
        raise ImportFailedError(str(exc)) from exc


def remove_quietly(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(f"{path}{suffix}")
