"""The Neoplasm Table of the Alphabetic Index: a malignancy's code from its site, as a coder looks it up.

"Carcinoma - see also Neoplasm, by site, malignant": the index sends every malignancy without its own entry to the
table, whose rows are anatomical sites (with subsites) and whose columns give the code by behaviour. A mention
naming a malignancy ("pancreatic cancer", "adenocarcinoma of the colon") is looked up by the site words of its own
text first, then of its clause; the deepest site those words reach gives the "Malignant Primary" code, or
"Ca in situ" when the note says in situ; a metastasis ("liver metastases", "metastatic disease to bone") gives the
"Malignant Secondary" code of its site.

Once a context names a site, the wider contexts may name its subsites ("L breast carcinoma, upper outer quadrant":
breast > upper-outer quadrant), as a coder reads the whole clause under the site found. A basal cell carcinoma is
a skin cancer ("Carcinoma, basal cell - see also Neoplasm, skin, malignant"); a squamous cell carcinoma of a site
the table marks NEC (back, arm, face: the sites whose squamous cell carcinomas the table's note sends to the skin)
is looked up under skin; the tabular then gives the histology character (C44.509 -> C44.519). A breast
tumour's clock position names its quadrant by the side of the breast (``breast_quadrant``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cac.codesets import ICD10CM, CodeSetStore
from cac.coding.index_walk import WalkResult, context_words, term_key

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
# A neoplasm (or a translated case report's "neoformation", "neoplasia": new growth) that the note calls neither
# malignant nor benign takes the table's unspecified behaviour column (Neoplasm, by site, unspecified behavior);
# "benign" in its clause the benign column. A lone "tumor" is left alone: in case reports it is mostly the lesion
# whose histology (malignant or benign) the note names elsewhere.
UNSPECIFIED = "Unspecified Behavior"
BENIGN = "Benign"
# the neoplasm word ends the mention or heads its "of" phrase ("colon neoplasia", "neoplasm of the bladder")
UNSPECIFIED_NEOPLASM = re.compile(
    r"\b(?:neoformations?|neoplasms?|neoplasias?|new growths?)(?:\s+(?:of|in)\b.*)?$", re.IGNORECASE
)
BENIGN_WORDS = re.compile(r"\bbenign\b", re.IGNORECASE)
# a neoplasia the index codes under its own main term (Neoplasia, intraepithelial, cervix N87.9; endocrine E31.2-)
_NOT_A_NEOPLASM = re.compile(r"\bintra-?epithelial\b|\bendocrine\b|(?-i:\b(?:CIN|VIN|VAIN|AIN|PIN)\b)", re.IGNORECASE)
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

# Skin cancer histologies: the C44 type character they take and the words of its tabular title.
BASAL_CELL = "basal cell carcinoma"
SQUAMOUS_CELL = "squamous cell carcinoma"
_HISTOLOGY = {
    BASAL_CELL: re.compile(r"\bbasal[- ]cell\b|\bBCC\b|\bbasalioma\b|\brodent ulcer\b", re.IGNORECASE),
    SQUAMOUS_CELL: re.compile(r"\bsquamous[- ]cell\b|\b(?:c|cu)?SCC\b|\bepidermoid\b", re.IGNORECASE),
}
_HISTOLOGY_CHARACTER = {BASAL_CELL: "1", SQUAMOUS_CELL: "2"}
_SKIN = context_words("skin")
# The table's type rows under a skin site.
_TYPE_ROW = re.compile(r"\bcarcinoma\b|\bspecified type\b|\bsebaceous cell\b", re.IGNORECASE)
# Ill-defined sites (C76): the "NEC" rows whose squamous cell carcinoma is a skin cancer of the site.
_ILL_DEFINED = "C76"

# Breast quadrants by clock position, the clock read facing the patient: upper-outer is 9-12 o'clock on the right
# breast and 12-3 o'clock on the left. A position on a quadrant border names the half (the table's "upper", "outer").
_QUADRANT_BY_HOUR = {
    "right": (
        (0, 3, "upper-inner quadrant"),
        (3, 6, "lower-inner quadrant"),
        (6, 9, "lower-outer quadrant"),
        (9, 12, "upper-outer quadrant"),
    ),
    "left": (
        (0, 3, "upper-outer quadrant"),
        (3, 6, "lower-outer quadrant"),
        (6, 9, "lower-inner quadrant"),
        (9, 12, "upper-inner quadrant"),
    ),
}
_BORDER_BY_HOUR = {
    "right": {0: "upper", 3: "inner", 6: "lower", 9: "outer"},
    "left": {0: "upper", 3: "outer", 6: "lower", 9: "inner"},
}
_CLOCK = re.compile(
    r"\b(1[0-2]|0?[1-9])(?::([0-5]\d))?\s*(?:o'?\s?clock\b|(?:-?\s*o'?clock\s*)?position\b|o'c\b)", re.IGNORECASE
)
_QUADRANT_ABBREVIATION = re.compile(r"\b([UL])([OI])Q\b")
_QUADRANT_WORDS = re.compile(r"\b(upper|lower)[\s-]+(outer|inner)\b(?![\s-]+quadrant)", re.IGNORECASE)
_CENTRAL = re.compile(r"\b(?:sub|retro)[\s-]?areolar\b", re.IGNORECASE)
_BREAST_SIDE = re.compile(r"\b(right|left|rt|lt)\b|(?<![\w/.-])([RL])(?=\s+breast\b)", re.IGNORECASE)


def skin_histology(text: str) -> str | None:
    """The skin cancer histology ``text`` names (basal cell or squamous cell carcinoma), or None."""
    found = [name for name, rx in _HISTOLOGY.items() if rx.search(text)]
    return found[0] if len(found) == 1 else None


def breast_quadrant(text: str) -> str:
    """The breast site words a clause writes another way: a clock position ("left breast mass at 2 o'clock" ->
    upper-outer quadrant, by the side), a quadrant abbreviation (UOQ), "upper outer" without "quadrant", a
    subareolar site (central portion); "" when none."""
    found: list[str] = []
    m = _QUADRANT_ABBREVIATION.search(text)
    if m:
        found.append(
            f"{'upper' if m.group(1) == 'U' else 'lower'}-{'outer' if m.group(2) == 'O' else 'inner'} quadrant"
        )
    m = _QUADRANT_WORDS.search(text)
    if m:
        found.append(f"{m.group(1).lower()}-{m.group(2).lower()} quadrant")
    if _CENTRAL.search(text):
        found.append("central portion")
    clock = _CLOCK.search(text)
    sides = {_side(s) for s in _BREAST_SIDE.finditer(text)}
    if clock and not found and len(sides) == 1:
        side = sides.pop()
        hour = int(clock.group(1)) % 12 + (int(clock.group(2) or 0) / 60)
        border = _BORDER_BY_HOUR[side].get(int(hour)) if hour == int(hour) else None
        if border is not None:
            found.append(border)
        else:
            found.extend(q for lo, hi, q in _QUADRANT_BY_HOUR[side] if lo < hour < hi)
    return " ".join(found)


def _side(m: re.Match[str]) -> str:
    word = (m.group(1) or m.group(2)).lower()
    return "right" if word in ("right", "rt", "r") else "left"


@dataclass
class _Site:
    term: str
    key: frozenset[str]
    codes: dict[str, str] = field(default_factory=dict)
    children: list[int] = field(default_factory=list)
    histology: bool = False  # a type row under a site ("skin, back" > "basal cell carcinoma"), not a deeper site


class NeoplasmTable:
    """The imported Neoplasm Table as a tree of sites with their codes by column."""

    def __init__(self, store: CodeSetStore) -> None:
        self._store = store
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
            self.sites[row.id] = _Site(row.term, term_key(row.term), histology=bool(_TYPE_ROW.search(row.term)))
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

    def lookup(
        self, contexts: list[frozenset[str]], column: str = PRIMARY, histology: str | None = None
    ) -> WalkResult | None:
        """The code of the deepest site named by the first of ``contexts`` (the mention's words, then its near words,
        then its clause) that names one, its subsites read from the later contexts too; None when none does, or when
        two sites are named equally well. A skin cancer ``histology`` sends the lookup to the skin (see module)."""
        if histology == BASAL_CELL:
            found = self._first(contexts, column, _SKIN)
        else:
            found = self._first(contexts, column)
            if histology == SQUAMOUS_CELL and (found is None or found.code.startswith(_ILL_DEFINED)):
                found = self._first(contexts, column, _SKIN) or found
        if found is not None and histology is not None and column == PRIMARY:
            found = self._with_histology(found, histology)
        return found

    def _first(
        self, contexts: list[frozenset[str]], column: str, implied: frozenset[str] = frozenset()
    ) -> WalkResult | None:
        """The site of the first context naming one; with ``implied`` site words (a basal cell carcinoma's skin),
        the first context naming a subsite of theirs, else the implied site itself."""
        for i, context in enumerate(contexts):
            wider = frozenset().union(*contexts[i:]) | implied
            found = self._deepest(context | implied, column, wider, narrow_depth=2 if implied else 1)
            if found is not None and (not implied or found.depth > 1):
                return found
        return self._deepest(implied, column) if implied else None

    def _with_histology(self, found: WalkResult, histology: str) -> WalkResult:
        """A skin code of unspecified type given its histology's character (C44.509 -> C44.519, C44.60 -> C44.61)
        when the tabular has that code under that title; else ``found`` unchanged."""
        code = found.code
        if not code.startswith("C44.") or len(code) < 6 or code[5] != "0":
            return found
        typed = code[:5] + _HISTOLOGY_CHARACTER[histology] + code[6:]
        title = self._store.title(ICD10CM, typed) or ""
        if not title.lower().startswith(histology):
            return found
        return WalkResult(typed, f"{found.path}; tabular: {title}", found.depth, found.words)

    def _deepest(
        self, context: frozenset[str], column: str, wider: frozenset[str] | None = None, narrow_depth: int = 1
    ) -> WalkResult | None:
        """The deepest site whose first ``narrow_depth`` levels ``context`` names, its deeper subsites named by
        ``wider`` (default ``context``)."""
        wider = context if wider is None else wider | context
        best: list[tuple[int, int, list[str], str]] = []  # (depth, words used, path, code)

        def visit(site_id: int, depth: int, used: int, path: list[str]) -> None:
            site = self.sites[site_id]
            here = [*path, site.term]
            code = site.codes.get(column)
            if code is not None:
                best.append((depth, used + len(site.key), here, code))
            for child in site.children:
                child_key = self.sites[child].key
                if child_key and child_key <= (wider if depth >= narrow_depth else context):
                    # a type row says more of the same site: it wins on words, not on depth
                    visit(child, depth + (0 if self.sites[child].histology else 1), used + len(site.key), here)

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
    code; a neoplasm the note calls neither malignant nor benign ("colon neoplasia", "renal neoformation") its
    unspecified behaviour code (benign when its clause says so); None for any other mention."""
    secondary = SECONDARY_WORDS.search(named)
    if secondary and _NEOPLASM_WORDS.search(named):  # "secondary malignant neoplasm of brain"
        at = clause.find(named)
        if at < 0 or not _CAUSE_AFTER.match(clause, at + len(named)):  # "..., secondary" + "to portal hypertension"
            return SECONDARY
    if MALIGNANCY.search(named):  # "metastatic colon cancer" names its primary site
        return IN_SITU if IN_SITU_WORDS.search(clause) else PRIMARY
    if METASTASIS.search(named):
        return SECONDARY
    if UNSPECIFIED_NEOPLASM.search(named.strip()) and not _NOT_A_NEOPLASM.search(clause):
        return BENIGN if BENIGN_WORDS.search(clause) else UNSPECIFIED
    return None
