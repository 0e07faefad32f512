"""CPT: a built-in list of common code numbers with our own labels, and an importer for a licensed file.

CPT descriptors are the AMA's: the repository never carries them. The built-in labels in
``resources/cpt_common.tsv`` are our own short paraphrases. A licensed CPT file can be imported with
``cac codesets import cpt PATH``: CSV or tab-separated text with a header row naming a code column
(``code``, ``cpt``, ``cpt_code``, ``hcpcs``) and a description column (``long_description``,
``description``, ``descriptor``, ``long_descriptor``, ``title``, ``short_description``, ``label``), or
headerless lines ``CODE<TAB or space>DESCRIPTION`` (as in the AMA's LONGULT.txt).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from importlib.resources import files
from pathlib import Path

from cac.codesets.errors import ImportFailedError
from cac.codesets.model import CodeRecord
from cac.codesets.reading import pick_file, read_text
from cac.codesets.systems import CPT, try_normalise

BUILTIN_RELEASE = "builtin"
_CODE_COLUMNS = ("code", "cpt", "cpt_code", "cpt code", "hcpcs", "concept_code")
_TEXT_COLUMNS = (
    "long_description",
    "long description",
    "description",
    "descriptor",
    "long_descriptor",
    "title",
    "short_description",
    "short description",
    "label",
    "consumer_friendly_descriptor",
)
_PLAIN_LINE = re.compile(r"^([0-9]{4}[0-9FTU])[\t ]+(\S.*?)\s*$")


def _builtin_text() -> str:
    return (files("cac.codesets") / "resources" / "cpt_common.tsv").read_text(encoding="utf-8")


def builtin_hash() -> str:
    """A fingerprint of the built-in list, to notice a changed list after an upgrade."""
    return hashlib.sha256(_builtin_text().encode("utf-8")).hexdigest()[:16]


def builtin() -> list[CodeRecord]:
    """The built-in common procedures: code numbers with our own labels and keywords as inclusion terms."""
    text = _builtin_text()
    records = []
    for row in csv.DictReader(io.StringIO(text), delimiter="\t"):
        notes = [("inclusion_term", k.strip()) for k in (row.get("keywords") or "").split(";") if k.strip()]
        if row.get("category"):
            notes.append(("notes", f"category: {row['category']}"))
        records.append(CodeRecord(row["code"].strip(), row["label"].strip(), True, notes=notes))
    return records


def parse(text: str, origin: str) -> list[CodeRecord]:
    sample = text[:4096]
    first = sample.split("\n", 1)[0].lower()
    records: list[CodeRecord] = []
    if any(c in first for c in _CODE_COLUMNS) and any(c in first for c in _TEXT_COLUMNS):
        delimiter = "\t" if "\t" in first else ","
        reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
        fields = {f.strip().lower(): f for f in reader.fieldnames or []}
        code_col = next((fields[c] for c in _CODE_COLUMNS if c in fields), None)
        text_col = next((fields[c] for c in _TEXT_COLUMNS if c in fields), None)
        if code_col is None or text_col is None:
            raise ImportFailedError(f"{origin}: header needs a code column and a description column")
        for line_no, row in enumerate(reader, 2):
            code = try_normalise(CPT, row.get(code_col) or "")
            if code is None:
                raise ImportFailedError(f"{origin}: line {line_no}: {row.get(code_col)!r} is not a CPT code")
            records.append(CodeRecord(code, (row.get(text_col) or "").strip(), True))
    else:
        for line_no, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            match = _PLAIN_LINE.match(line)
            if not match:
                raise ImportFailedError(f"{origin}: line {line_no} is neither a header nor 'CODE DESCRIPTION'")
            records.append(CodeRecord(match.group(1), match.group(2), True))
    if not records:
        raise ImportFailedError(f"{origin}: no CPT codes found")
    return records


def load_file(path: Path, encoding: str = "utf-8") -> tuple[list[CodeRecord], Path]:
    chosen = pick_file(path, lambda n: "cpt" in n or "longult" in n or n.endswith((".csv", ".tsv", ".txt")), "CPT")
    return parse(read_text(chosen, encoding), str(chosen)), chosen
