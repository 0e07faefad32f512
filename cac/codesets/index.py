"""ICD-10-CM Alphabetic Index: the CDC XML files and the flattened CSV, rebuilt into a term tree."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from cac.codesets.errors import ImportFailedError
from cac.codesets.model import IndexRow
from cac.codesets.reading import read_text
from cac.codesets.systems import ICD10CM, try_normalise

_SEP = " > "
_TABLES = {"neoplasm": "neoplasm", "drug": "drug", "eindex": "external", "external": "external"}


def _clean(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def _code(raw: str | None) -> str | None:
    raw = _clean(raw).rstrip("-").rstrip(".")
    if not raw or raw == "--":
        return None
    return try_normalise(ICD10CM, raw)


class _TreeBuilder:
    """Collects rows in index order and keeps the path of the current term at each level."""

    def __init__(self, table: str, first_id: int) -> None:
        self.table = table
        self.rows: list[IndexRow] = []
        self.next_id = first_id
        self._stack: list[IndexRow] = []

    def add(
        self,
        level: int,
        term: str,
        code: str | None = None,
        see: str | None = None,
        see_also: str | None = None,
        nonessential: str | None = None,
        column: str | None = None,
    ) -> IndexRow:
        if column is None:
            del self._stack[level:]
            parent = self._stack[-1] if self._stack else None
        else:  # a table cell hangs under the term it belongs to
            parent = self._stack[-1] if self._stack else None
        path = f"{parent.path}{_SEP}{term}" if parent and column is None else (parent.path if parent else term)
        row = IndexRow(
            id=self.next_id,
            parent_id=parent.id if parent else None,
            level=level,
            term=term,
            path=path,
            table=self.table,
            column=column,
            code=code,
            see=see or None,
            see_also=see_also or None,
            nonessential=nonessential or None,
        )
        self.next_id += 1
        self.rows.append(row)
        if column is None:
            self._stack.append(row)
        return row


def _is_note(term: str | None) -> bool:
    """The flattened CSV writes instructional notes ("Note: heart failure stages A, B, C ...") as rows."""
    return _clean(term).lower().startswith("note:")


def parse_csv(text: str, origin: str, first_id: int = 1) -> list[IndexRow]:
    """The flattened CSV (RowID, Letter, Level, Term, See, SeeAlso, NonEssModif, Code)."""
    reader = csv.DictReader(io.StringIO(text))
    needed = {"Level", "Term", "See", "SeeAlso", "NonEssModif", "Code"}
    if not reader.fieldnames or not needed <= set(reader.fieldnames):
        raise ImportFailedError(f"{origin}: not an index CSV (needs columns {', '.join(sorted(needed))})")
    tree = _TreeBuilder("main", first_id)
    for line_no, rec in enumerate(reader, 2):
        try:
            level = int(rec["Level"])
        except (TypeError, ValueError) as exc:
            raise ImportFailedError(f"{origin}: line {line_no}: Level {rec['Level']!r} is not a number") from exc
        if _is_note(rec["Term"]):
            continue  # an instructional note is not a subterm: the rows below it belong to the term above it
        tree.add(
            level,
            _clean(rec["Term"]),
            _code(rec["Code"]),
            _clean(rec["See"]),
            _clean(rec["SeeAlso"]),
            _clean(rec["NonEssModif"]),
        )
    if not tree.rows:
        raise ImportFailedError(f"{origin}: no index terms found")
    return tree.rows


def _title(el: ET.Element) -> tuple[str, str]:
    """Title text without its non-essential modifiers, and the modifiers."""
    title = el.find("title")
    if title is None:
        return "", ""
    nemod = " ".join(_clean(n.text) for n in title.iter("nemod"))
    parts = [title.text or ""] + [n.tail or "" for n in title.iter("nemod")]
    return _clean(" ".join(parts)), nemod


def parse_xml(text: str, origin: str, table: str = "main", first_id: int = 1) -> list[IndexRow]:
    """A CDC index XML file: the main index, the Neoplasm or Drug table, or the external-cause index."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ImportFailedError(f"{origin}: malformed XML ({exc})") from exc
    headings = {h.get("col"): _clean(h.text) for h in root.iter("head")}
    tree = _TreeBuilder(table, first_id)

    def walk(el: ET.Element, level: int) -> None:
        term, nemod = _title(el)
        code_el = el.find("code")
        row = tree.add(
            level,
            term,
            _code(code_el.text if code_el is not None else None),
            _clean(el.findtext("see")),
            _clean(el.findtext("seeAlso")),
            nemod,
        )
        del row
        for cell in el.findall("cell"):
            code = _code(cell.text)
            if code:
                tree.add(level + 1, term, code, column=headings.get(cell.get("col"), cell.get("col")))
        for child in el.findall("term"):
            walk(child, int(child.get("level", level + 1)))

    for main in root.iter("mainTerm"):
        walk(main, 0)
    if not tree.rows:
        raise ImportFailedError(f"{origin}: no index terms found")
    return tree.rows


class SeeFinder:
    """Finds the index row a "see" reference names ("Dependence, drug, nicotine" -> Dependence > drug NEC > nicotine),
    like a coder following the reference."""

    def __init__(self, rows: list[IndexRow]) -> None:
        self.children: dict[int | None, list[IndexRow]] = {}
        self.mains: dict[str, IndexRow] = {}
        later: list[tuple[str, IndexRow]] = []
        for r in rows:
            if r.column is not None:
                continue
            self.children.setdefault(r.parent_id, []).append(r)
            if r.parent_id is None and r.table == "main":
                term = r.term.lower()
                self.mains.setdefault(term, r)
                first, *others = term.split(", ")
                self.mains.setdefault(first, r)
                later.extend((variant, r) for variant in others)
        # A later form names a main term only where no main term starts with it: "Insufficiency" is "Insufficiency,
        # insufficient", not "Fracture, insufficiency".
        for variant, r in later:
            self.mains.setdefault(variant, r)

    @staticmethod
    def _matches(row: IndexRow, name: str) -> bool:
        term = row.term.lower()
        return term == name or name in term.split(", ") or term.removesuffix(" nec") == name

    def find(self, target: str) -> IndexRow | None:
        """The row at the comma-separated path ``target``, or None."""
        parts = [p.strip() for p in target.lower().split(",") if p.strip()]
        for k in range(len(parts), 0, -1):
            node = self.mains.get(", ".join(parts[:k]))
            if node is None:
                continue
            rest = parts[k:]
            while rest and node is not None:
                found = None
                for width in range(len(rest), 0, -1):
                    name = ", ".join(rest[:width])
                    found = next((c for c in self.children.get(node.id, []) if self._matches(c, name)), None)
                    if found:
                        rest = rest[width:]
                        break
                node = found
            if node is not None:
                return node
        return None


def resolve_see_references(rows: list[IndexRow]) -> int:
    """Give rows that only say 'see X' the code found at X, like a coder following the reference."""
    finder = SeeFinder(rows)
    resolved = 0
    for r in rows:
        if r.code or not r.see or r.table != "main":
            continue
        target = finder.find(r.see)
        hops = 0
        while target is not None and not target.code and target.see and hops < 3:
            target = finder.find(target.see)
            hops += 1
        if target is not None and target.code:
            r.code = target.code
            r.resolved_from = f"see {r.see}"
            resolved += 1
    return resolved


def load_folder(path: Path, encoding: str = "utf-8") -> tuple[list[IndexRow], list[str]]:
    """Import every index file found at ``path`` (a file or a folder); returns rows and file names used."""
    if not path.exists():
        raise ImportFailedError(f"{path}: no such file or folder")
    candidates = [path] if path.is_file() else sorted(p for p in path.iterdir() if p.is_file())
    main_files: list[tuple[Path, str]] = []
    table_files: list[tuple[Path, str]] = []
    for p in candidates:
        name = p.name.lower()
        kind = next((t for key, t in _TABLES.items() if key in name), None)
        if not (name.endswith((".csv", ".csv.gz", ".xml", ".xml.gz", ".zip"))):
            continue
        (table_files if kind else main_files).append((p, kind or "main"))
    if not main_files:
        raise ImportFailedError(f"{path}: no main Alphabetic Index file (.csv or .xml) found")
    if len(main_files) > 1:
        names = ", ".join(p.name for p, _ in main_files)
        raise ImportFailedError(f"{path}: several main index files ({names}); keep one")
    rows: list[IndexRow] = []
    used: list[str] = []
    for p, table in main_files + table_files:
        text = read_text(p, encoding)
        first_id = len(rows) + 1
        if text.lstrip().startswith("<"):
            rows.extend(parse_xml(text, str(p), table, first_id))
        elif table == "main":
            rows.extend(parse_csv(text, str(p), first_id))
        else:
            raise ImportFailedError(f"{p}: index tables must be XML")
        used.append(p.name)
    resolve_see_references(rows)
    return rows, used


def release_from_name(names: list[str]) -> str | None:
    for name in names:
        match = re.search(r"(20\d\d)", name)
        if match:
            return match.group(1)
    return None
