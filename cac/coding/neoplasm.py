"""The Neoplasm Table of the Alphabetic Index: a malignancy's code from its site, as a coder looks it up.

"Carcinoma - see also Neoplasm, by site, malignant": the index sends every malignancy without its own entry to the
table, whose rows are anatomical sites (with subsites) and whose columns give the code by behaviour. A mention
naming a malignancy ("pancreatic cancer", "adenocarcinoma of the colon") is looked up by the site words of its own
text first, then of its clause; the deepest site those words reach gives the "Malignant Primary" code, or
"Ca in situ" when the note says in situ; a metastasis ("liver metastases", "metastatic disease to bone") gives the
"Malignant Secondary" code of its site.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cac.codesets import CodeSetStore
from cac.coding.index_walk import WalkResult, term_key

TABLE = "neoplasm"
PRIMARY = "Malignant Primary"
IN_SITU = "Ca in situ"
# Words that name a malignancy whose site the table gives (a named tumour type with its own index entry, such
# as melanoma or lymphoma, is left to the index walk).
MALIGNANCY = re.compile(
    r"\b(?:cancer|carcinoma|adenocarcinoma|malignancy|malignant (?:neoplasm|tumou?r)|ca)\b", re.IGNORECASE
)
IN_SITU_WORDS = re.compile(r"\bin situ\b|\bDCIS\b|\bCIS\b", re.IGNORECASE)
SECONDARY = "Malignant Secondary"
# "secondary" of a neoplasm ("secondary malignant neoplasm of brain", "secondaries in the liver"), not the
# "secondary to" of a cause ("varices secondary to portal hypertension").
SECONDARY_WORDS = re.compile(r"\bsecondar(?:y|ies)\b(?!\s+(?:to|due)\b)", re.IGNORECASE)
_NEOPLASM_WORDS = re.compile(
    r"\b(?:neoplasm|malignan\w*|cancer|carcinoma|tumou?rs?|lesions?|deposits?|ca|secondaries)\b", re.IGNORECASE
)
_CAUSE_AFTER = re.compile(r"\s*(?:to|due)\b", re.IGNORECASE)
METASTASIS = re.compile(r"\bmetasta(?:sis|ses|tic)\b|\bmets\b", re.IGNORECASE)
# Site rows too general to stand for a documented site ("unknown site or unspecified", "overlapping lesion").
_VAGUE = re.compile(
    r"unknown|unspecified|overlapping|\bsite\b|\bmetasta|disseminated|generalized|ill-defined", re.IGNORECASE
)


@dataclass
class _Site:
    term: str
    key: frozenset[str]
    codes: dict[str, str] = field(default_factory=dict)
    children: list[int] = field(default_factory=list)


class NeoplasmTable:
    """The imported Neoplasm Table as a tree of sites with their codes by column."""

    def __init__(self, store: CodeSetStore) -> None:
        self.sites: dict[int, _Site] = {}
        self.roots: list[int] = []
        root_id: int | None = None
        rows = list(store.index_rows(TABLE))
        for row in rows:
            if row.column is not None:
                continue
            if row.parent_id is None:
                root_id = row.id if root_id is None else root_id
                continue
            if row.see or _VAGUE.search(row.term):
                continue
            self.sites[row.id] = _Site(row.term, term_key(row.term))
        for row in rows:
            if row.column is not None and row.code and row.parent_id in self.sites:
                self.sites[row.parent_id].codes.setdefault(row.column, row.code)
            elif row.column is None and row.id in self.sites:
                if row.parent_id == root_id:
                    self.roots.append(row.id)
                elif row.parent_id in self.sites:
                    self.sites[row.parent_id].children.append(row.id)

    def __bool__(self) -> bool:
        return bool(self.sites)

    def lookup(self, contexts: list[frozenset[str]], column: str = PRIMARY) -> WalkResult | None:
        """The code of the deepest site named by the first of ``contexts`` (the mention's words, then its near words,
        then its clause) that names one; None when none does, or when two sites are named equally well."""
        for context in contexts:
            found = self._deepest(context, column)
            if found is not None:
                return found
        return None

    def _deepest(self, context: frozenset[str], column: str) -> WalkResult | None:
        best: list[tuple[int, int, list[str], str]] = []  # (depth, words used, path, code)

        def visit(site_id: int, depth: int, used: int, path: list[str]) -> None:
            site = self.sites[site_id]
            here = [*path, site.term]
            code = site.codes.get(column)
            if code is not None:
                best.append((depth, used + len(site.key), here, code))
            for child in site.children:
                child_key = self.sites[child].key
                if child_key and child_key <= context:
                    visit(child, depth + 1, used + len(site.key), here)

        for root in self.roots:
            key = self.sites[root].key
            if key and key <= context:
                visit(root, 1, 0, [])
        if not best:
            return None
        best.sort(key=lambda b: (-b[0], -b[1]))
        top = best[0]
        rivals = {b[3][:3] for b in best if (b[0], b[1]) == (top[0], top[1])}
        if len(rivals) > 1:
            return None  # "breast cancer with bone metastases": two sites at the same depth; the index walk decides
        path = ", ".join(["Neoplasm, neoplastic", *top[2], column])
        return WalkResult(top[3], path, top[0], top[1])


def neoplasm_column(named: str, clause: str) -> str | None:
    """The table column a mention asks for: a malignancy its primary (or in situ) code, a metastasis its secondary
    code; None for any other mention."""
    secondary = SECONDARY_WORDS.search(named)
    if secondary and _NEOPLASM_WORDS.search(named):  # "secondary malignant neoplasm of brain"
        at = clause.find(named)
        if at < 0 or not _CAUSE_AFTER.match(clause, at + len(named)):  # "..., secondary" + "to portal hypertension"
            return SECONDARY
    if MALIGNANCY.search(named):  # "metastatic colon cancer" names its primary site
        return IN_SITU if IN_SITU_WORDS.search(clause) else PRIMARY
    if METASTASIS.search(named):
        return SECONDARY
    return None
