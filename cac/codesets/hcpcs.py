"""HCPCS Level II from the CMS 'ANWEB' record file (fixed width, or its CSV conversion)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from cac.codesets.errors import ImportFailedError
from cac.codesets.model import CodeRecord
from cac.codesets.reading import pick_file, read_text

# Record identification codes of the ANWEB layout.
_FIRST_CODE, _MORE_CODE, _FIRST_MODIFIER, _MORE_MODIFIER = "3", "4", "7", "8"
_GLUED_KEY = re.compile(r"^([A-Z0-9]{2,5}?)(\d{5})([3478])$")
_CODE = re.compile(r"^[A-V]\d{4}$")
_SHORT_WIDTH = 28


def _records_from_rows(rows: list[tuple[str, str, str, str]], origin: str) -> list[CodeRecord]:
    """Join (code, record id, long text, short text) rows: continuation records extend the long text."""
    by_code: dict[str, dict[str, object]] = {}
    order: list[str] = []
    for code, ric, long_text, short_text in rows:
        if ric in (_FIRST_CODE, _FIRST_MODIFIER):
            if code not in by_code:
                order.append(code)
                by_code[code] = {
                    "long": [long_text.strip()],
                    "short": short_text.strip(),
                    "modifier": ric == _FIRST_MODIFIER,
                }
        elif ric in (_MORE_CODE, _MORE_MODIFIER) and code in by_code:
            parts = by_code[code]["long"]
            assert isinstance(parts, list)
            parts.append(long_text.strip())
    records = []
    for code in order:
        entry = by_code[code]
        parts = entry["long"]
        assert isinstance(parts, list)
        title = re.sub(r"\s+", " ", " ".join(p for p in parts if p)).strip()
        modifier = bool(entry["modifier"])
        if not modifier and not _CODE.match(code):
            continue
        short = str(entry["short"])
        records.append(
            CodeRecord(
                code,
                title or short,
                not modifier,
                kind="modifier" if modifier else "code",
                notes=[("short_title", short)] if short else [],
            )
        )
    if not any(r.kind == "code" for r in records):
        raise ImportFailedError(f"{origin}: no HCPCS Level II code records found")
    return records


def parse_csv(text: str, origin: str) -> list[CodeRecord]:
    """The ANWEB file converted to CSV: first column = code + 5-digit sequence + record id glued."""
    reader = csv.reader(io.StringIO(text))
    rows = []
    for line_no, row in enumerate(reader, 1):
        if not row or (line_no == 1 and row[0].strip().lower() in ("code", "hcpc", "hcpcs")):
            continue
        match = _GLUED_KEY.match(row[0].strip())
        if not match:
            raise ImportFailedError(f"{origin}: line {line_no}: first column {row[0][:20]!r} is not an ANWEB key")
        code, _seq, ric = match.groups()
        long_text = row[1] if len(row) > 1 else ""
        short_text = (row[2] if len(row) > 2 else "")[:_SHORT_WIDTH]
        rows.append((code, ric, long_text, short_text))
    return _records_from_rows(rows, origin)


def parse_fixed(text: str, origin: str) -> list[CodeRecord]:
    """The original fixed-width ANWEB records: code 1-5, sequence 6-10, record id 11, long 12-91, short 92-119."""
    rows = []
    for line_no, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if len(line) < 12 or line[10] not in "3478":
            raise ImportFailedError(f"{origin}: line {line_no} is not an ANWEB record")
        rows.append((line[0:5].strip(), line[10], line[11:91], line[91:119]))
    return _records_from_rows(rows, origin)


def load_file(path: Path, encoding: str = "utf-8") -> tuple[list[CodeRecord], Path]:
    chosen = pick_file(path, lambda n: "anweb" in n or "hcpc" in n, "HCPCS ANWEB")
    text = read_text(chosen, encoding)
    first = text.split("\n", 1)[0]
    if "," in first and not re.match(r"^[A-Z0-9 ]{5}\d{5}[3478]", first):
        return parse_csv(text, str(chosen)), chosen
    return parse_fixed(text, str(chosen)), chosen


def release_from_name(name: str) -> str | None:
    """'HCPC2025_OCT_ANWEB' -> '2025-10'."""
    months = {
        m: i
        for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)
    }
    match = re.search(r"(20\d\d)[_-]?([a-z]{3})", name.lower())
    if match and match.group(2) in months:
        return f"{match.group(1)}-{months[match.group(2)]:02d}"
    match = re.search(r"(20\d\d)", name)
    return match.group(1) if match else None
